extension AnyDetector {
    /// The detector as a `FeatureExplaining`, or `nil` for backends that cannot explain.
    public var explainer: (any FeatureExplaining)? {
        switch self {
        case .isolationForest(let d): d
        case .ecod(let d): d
        case .copod(let d): d
        case .hbos(let d): d
        case .autoencoder(let d): d
        case .oneClassSVM, .mcd, .localOutlierFactor, .knn, .pca, .cblof, .loda, .suod: nil
        }
    }

    /// The backends whose detectors can explain their scores.
    public static let explainableBackends: [Backend] = [.isolationForest, .ecod, .copod, .hbos, .autoencoder]
}

extension Backend {
    /// Whether detectors of this backend can attribute their scores to features.
    public var isExplainable: Bool { AnyDetector.explainableBackends.contains(self) }
}

extension AnomalyModel {
    /// Per-feature attributions of every row of `x` (columns in `featureNames` order); throws
    /// `VigilError.notExplainable` for a backend that cannot explain.
    public func explain(_ x: Matrix) throws -> Attributions {
        guard x.cols == featureNames.count else {
            throw VigilError.featureCountMismatch(expected: featureNames.count, got: x.cols)
        }
        guard let explainer = detector.explainer else {
            throw VigilError.notExplainable(backend: backend.rawValue,
                                            explainable: AnyDetector.explainableBackends.map(\.rawValue))
        }
        return try Self.naming(featureNames) { try explainer.explain(x) }
    }
}
