/// k-nearest-neighbour distance detector (Ramaswamy, Rastogi & Shim 2000; Angiulli & Pizzuti 2002)
/// with PyOD 3.6's semantics (`pyod/models/knn.py`, Euclidean metric).
///
/// The raw score of a row is a summary of the Euclidean distances d₁ ≤ … ≤ d_k to its k nearest
/// training rows: d_k (`largest`), their mean (`mean`) or their median (`median`, NumPy's: the
/// middle value, or the mean of the two middle ones for even k). Training rows are scored against
/// the other training rows (PyOD's `decision_scores_`, which leaves the row itself out); new rows
/// against all training rows (PyOD's `decision_function`). NaN and ±∞ are refused.
public struct KNN: Detector, Equatable {
    /// How the k distances become one score.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Distance to the k-th neighbour.
        case largest
        /// Mean of the k distances.
        case mean
        /// Median of the k distances.
        case median
    }

    /// Settings; defaults are PyOD's `KNN()` (n_neighbors 5, method "largest").
    public struct Parameters: DetectorParameters {
        /// Neighbours per row (`n_neighbors`, default 5).
        public var nNeighbors: Int
        /// Distance summary (`method`, default largest).
        public var method: Method

        /// PyOD's defaults unless overridden.
        public init(nNeighbors: Int = 5, method: Method = .largest) {
            self.nNeighbors = nNeighbors
            self.method = method
        }

        public func validate() throws {
            guard nNeighbors >= 1 else {
                throw VigilError.invalidParameter(name: "n_neighbors", value: "\(nNeighbors)", allowed: "an integer ≥ 1")
            }
        }
    }

    /// Served as `knn`.
    public static let backend = Backend.knn

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// The training rows and their index.
    public let training: IndexedTrainingSet

    /// Number of features it was fitted on.
    public var featureCount: Int { training.matrix.cols }

    /// Indexes the training rows.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> KNN {
        try parameters.validate()
        try IndexedTrainingSet.validateTraining(x, neighbours: parameters.nNeighbors, detector: "knn")
        return KNN(parameters: parameters, training: IndexedTrainingSet(x))
    }

    /// Fits and scores the training rows, each against the other training rows.
    public static func fitScoring(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> (KNN, [Double]) {
        let knn = try fit(x, parameters: parameters, seed: seed)
        let table = knn.training.index.neighbours(of: x, k: parameters.nNeighbors, excludingSelf: true)
        return (knn, knn.summarise(table))
    }

    /// Scores new rows against all training rows.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        guard x.rows > 0 else { return [] }
        return summarise(training.index.neighbours(of: x, k: parameters.nNeighbors, excludingSelf: false))
    }

    /// One score per row of `table` by `parameters.method`.
    func summarise(_ table: NeighbourTable) -> [Double] {
        let k = table.k
        var out = [Double](repeating: 0, count: table.rows)
        table.distances.withUnsafeBufferPointer { d in
            for r in 0..<table.rows {
                let row = d.baseAddress! + r * k
                switch parameters.method {
                case .largest:
                    out[r] = row[k - 1]
                case .mean:
                    var s = 0.0
                    for j in 0..<k { s += row[j] }
                    out[r] = s / Double(k)
                case .median:
                    out[r] = k % 2 == 1 ? row[k / 2] : (row[k / 2 - 1] + row[k / 2]) / 2
                }
            }
        }
        return out
    }
}
