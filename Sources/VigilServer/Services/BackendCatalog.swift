import VigilCore

/// What `GET /v1/ml/anomaly/backends` says about each backend, in LlamaFarm's words (reference
/// §4.8). Only backends `Backend` really has are listed; the table also holds LlamaFarm's other
/// names so a backend added to `Backend` is described as soon as it exists.
enum BackendCatalog {
    /// One backend's description.
    struct Entry: Encodable, Sendable, Equatable {
        let backend: String
        let name: String
        let description: String
        let category: String
        let speed: String
        let memory: String
        let parameters: [String]
        let bestFor: String
        let isLegacy: Bool

        enum CodingKeys: String, CodingKey {
            case backend, name, description, category, speed, memory, parameters, bestFor = "best_for", isLegacy = "is_legacy"
        }
    }

    /// LlamaFarm's category order, which orders the list before the backend name does.
    static let categoryOrder = ["legacy", "fast", "distance", "clustering", "ensemble", "streaming", "deep_learning"]

    // swiftlint:disable line_length
    private static let table: [String: Entry] = {
        let rows: [Entry] = [
            Entry(backend: "isolation_forest", name: "Isolation Forest", description: "Tree-based ensemble method. Fast and effective default choice.", category: "legacy", speed: "fast", memory: "medium", parameters: ["n_estimators", "max_samples", "contamination"], bestFor: "General purpose, high-dimensional data", isLegacy: true),
            Entry(backend: "one_class_svm", name: "One-Class SVM", description: "Support vector machine for outlier detection. Good for small datasets.", category: "legacy", speed: "slow", memory: "high", parameters: ["kernel", "nu", "gamma"], bestFor: "Small datasets, well-defined boundaries", isLegacy: true),
            Entry(backend: "local_outlier_factor", name: "Local Outlier Factor", description: "Density-based anomaly detection. Good for clustered anomalies.", category: "legacy", speed: "medium", memory: "high", parameters: ["n_neighbors", "contamination"], bestFor: "Clustered data, local anomalies", isLegacy: true),
            Entry(backend: "autoencoder", name: "AutoEncoder", description: "Neural network that learns to reconstruct normal data. Best for complex patterns.", category: "deep_learning", speed: "slow", memory: "high", parameters: ["hidden_neurons", "epochs", "batch_size", "contamination"], bestFor: "Complex patterns, large datasets", isLegacy: true),
            Entry(backend: "ecod", name: "ECOD", description: "Empirical Cumulative Distribution. Fast and parameter-free.", category: "fast", speed: "fast", memory: "low", parameters: ["contamination"], bestFor: "General purpose, no tuning needed", isLegacy: false),
            Entry(backend: "hbos", name: "HBOS", description: "Histogram-based Outlier Score. Fastest algorithm available.", category: "fast", speed: "very_fast", memory: "low", parameters: ["n_bins", "contamination"], bestFor: "Speed-critical applications, high dimensions", isLegacy: false),
            Entry(backend: "copod", name: "COPOD", description: "Copula-Based Outlier Detection. Fast and parameter-free.", category: "fast", speed: "fast", memory: "low", parameters: ["contamination"], bestFor: "Interpretable results, no tuning needed", isLegacy: false),
            Entry(backend: "knn", name: "KNN", description: "K-Nearest Neighbors outlier detection. Distance-based.", category: "distance", speed: "medium", memory: "high", parameters: ["n_neighbors", "method", "contamination"], bestFor: "Distance-based anomalies", isLegacy: false),
            Entry(backend: "mcd", name: "MCD", description: "Minimum Covariance Determinant. Robust covariance estimation.", category: "distance", speed: "medium", memory: "medium", parameters: ["contamination"], bestFor: "Multivariate Gaussian data", isLegacy: false),
            Entry(backend: "cblof", name: "CBLOF", description: "Clustering-Based Local Outlier Factor. Combines clustering with outlier detection.", category: "clustering", speed: "medium", memory: "medium", parameters: ["n_clusters", "contamination"], bestFor: "Grouped/clustered data", isLegacy: false),
            Entry(backend: "suod", name: "SUOD", description: "Scalable Unsupervised Outlier Detection. Ensemble of multiple algorithms.", category: "ensemble", speed: "slow", memory: "high", parameters: ["base_estimators", "contamination"], bestFor: "Most robust detection, combining multiple methods", isLegacy: false),
            Entry(backend: "loda", name: "LODA", description: "Lightweight Online Detector of Anomalies. Good for streaming data.", category: "streaming", speed: "fast", memory: "low", parameters: ["n_bins", "n_random_cuts", "contamination"], bestFor: "Streaming data, online detection", isLegacy: false),
        ]
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.backend, $0) })
    }()
    // swiftlint:enable line_length

    /// The entry for `backend`: LlamaFarm's when it has one, else a plain one from the name.
    static func entry(for backend: Backend) -> Entry {
        table[backend.rawValue] ?? Entry(
            backend: backend.rawValue, name: backend.rawValue, description: "", category: "fast", speed: "fast",
            memory: "low", parameters: ["contamination"], bestFor: "", isLegacy: false)
    }

    /// Every backend Vigil has, ordered by category then name, as LlamaFarm orders them.
    static var entries: [Entry] {
        Backend.allCases.map(entry(for:)).sorted { a, b in
            let ca = categoryOrder.firstIndex(of: a.category) ?? categoryOrder.count
            let cb = categoryOrder.firstIndex(of: b.category) ?? categoryOrder.count
            return ca != cb ? ca < cb : a.backend < b.backend
        }
    }
}
