/// The contract every anomaly detector follows (higher raw score = more anomalous, PyOD's convention).
///
/// A detector type has a `Parameters` struct whose defaults equal its reference implementation,
/// a static `fit` that returns the fitted, immutable detector, and `rawScores` for a batch.
/// Same data + same seed → the same model, bit for bit.
public protocol Detector: Sendable, Codable {
    /// The detector's settings; defaults equal the reference implementation's.
    associatedtype Parameters: DetectorParameters

    /// The backend name this detector is served under.
    static var backend: Backend { get }

    /// Number of features the detector was fitted on.
    var featureCount: Int { get }

    /// The parameters it was fitted with.
    var parameters: Parameters { get }

    /// Fits on `x` (rows = samples) and returns the fitted detector.
    static func fit(_ x: Matrix, parameters: Parameters, seed: UInt64) throws -> Self

    /// Raw outlyingness of each row of `x`; a row's score never depends on the other rows.
    func rawScores(_ x: Matrix) throws -> [Double]

    /// Fits and returns the raw scores of the training rows as well (a detector may do this faster
    /// than `fit` followed by `rawScores`).
    static func fitScoring(_ x: Matrix, parameters: Parameters, seed: UInt64) throws -> (Self, [Double])
}

extension Detector {
    public static func fitScoring(_ x: Matrix, parameters: Parameters, seed: UInt64) throws -> (Self, [Double]) {
        let detector = try fit(x, parameters: parameters, seed: seed)
        return (detector, try detector.rawScores(x))
    }

    /// Checks that `x` has the number of features this detector was fitted on.
    public func requireFeatureCount(_ x: Matrix) throws {
        guard x.cols == featureCount else {
            throw VigilError.featureCountMismatch(expected: featureCount, got: x.cols)
        }
    }
}

/// Settings of a detector: `Codable` so they travel in the model file, validated before fitting.
public protocol DetectorParameters: Sendable, Codable, Equatable {
    /// Throws `VigilError.invalidParameter` naming the first bad setting.
    func validate() throws
}

/// The backends Vigil has, by their wire names.
public enum Backend: String, CaseIterable, Codable, Sendable {
    case isolationForest = "isolation_forest"
    case ecod
    case copod
    case hbos
    case oneClassSVM = "one_class_svm"
    case mcd
    case localOutlierFactor = "local_outlier_factor"
    case knn
    case pca
    case cblof
    case loda
    case suod
    case autoencoder

    /// Parses a backend name, or throws listing the valid ones.
    public init(validating name: String) throws {
        guard let backend = Backend(rawValue: name) else {
            throw VigilError.unknownBackend(name, valid: Backend.allCases.map(\.rawValue))
        }
        self = backend
    }
}
