/// A fitted detector with its calibration and feature names: what gets saved, loaded and served.
public struct AnomalyModel: Sendable, Codable, Equatable {
    /// The fitted detector.
    public let detector: AnyDetector
    /// Raw → normalised score and the threshold.
    public let calibrator: Calibrator
    /// Names of the feature columns, in the order the detector expects them.
    public let featureNames: [String]
    /// The seed it was fitted with.
    public let seed: UInt64
    /// The training data's feature and score histograms, for drift monitoring (`nil` for models
    /// saved before Vigil kept them).
    public let drift: DriftReference?

    /// The backend of the detector.
    public var backend: Backend { detector.backend }

    /// Scores of one batch: normalised score, raw score and the yes/no at the threshold.
    public struct Scores: Sendable, Equatable {
        /// Normalised scores.
        public var scores: [Double]
        /// Raw detector scores.
        public var rawScores: [Double]
        /// `score > threshold`.
        public var isAnomaly: [Bool]
        /// The threshold applied.
        public var threshold: Double
    }

    /// Wraps a fitted detector and calibration.
    public init(detector: AnyDetector, calibrator: Calibrator, featureNames: [String], seed: UInt64, drift: DriftReference? = nil) {
        self.detector = detector
        self.calibrator = calibrator
        self.featureNames = featureNames
        self.seed = seed
        self.drift = drift
    }

    /// Fits `settings` on `x` and learns the calibration from the training rows' raw scores.
    /// Returns the model and the training raw scores. The model keeps a `DriftReference` of `x`
    /// and the training raw scores.
    public static func fit(_ x: Matrix, featureNames: [String]? = nil, settings: DetectorSettings,
                           normalization: Normalization = .standardization, contamination: Double = 0.1,
                           seed: UInt64 = 42) throws -> (model: AnomalyModel, trainingRawScores: [Double]) {
        try Calibrator.validate(contamination: contamination)
        try settings.validate()
        guard x.rows > 0, x.cols > 0 else {
            throw VigilError.emptyData("no rows to fit on")
        }
        let names = featureNames ?? (0..<x.cols).map { "x\($0)" }
        guard names.count == x.cols else {
            throw VigilError.featureCountMismatch(expected: names.count, got: x.cols)
        }
        let (detector, raw) = try naming(names) { try AnyDetector.fitScoring(x, settings: settings, seed: seed) }
        let calibrator = try Calibrator(trainingRawScores: raw, normalization: normalization, contamination: contamination)
        let drift = DriftReference(x: x, rawScores: raw)
        return (AnomalyModel(detector: detector, calibrator: calibrator, featureNames: names, seed: seed, drift: drift), raw)
    }

    /// Scores `x` (columns in `featureNames` order); `threshold` overrides the learned one.
    public func score(_ x: Matrix, threshold: Double? = nil) throws -> Scores {
        guard x.cols == featureNames.count else {
            throw VigilError.featureCountMismatch(expected: featureNames.count, got: x.cols)
        }
        let raw = try Self.naming(featureNames) { try detector.rawScores(x) }
        let scores = calibrator.normalize(raw)
        let cut = calibrator.effectiveThreshold(threshold)
        return Scores(scores: scores, rawScores: raw, isAnomaly: scores.map { $0 > cut }, threshold: cut)
    }

    /// Runs `body`, renaming the column of a non-finite-value error from its index to its feature name.
    /// (Each detector checks its input in the same pass it reads it: Isolation Forest accepts NaN as
    /// scikit-learn does, every backend refuses ±inf, the others NaN too.)
    static func naming<T>(_ featureNames: [String], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch VigilError.nonFinite(let row, let column, let value) {
            if column.hasPrefix("column "), let index = Int(column.dropFirst(7)), index < featureNames.count {
                throw VigilError.nonFinite(row: row, column: featureNames[index], value: value)
            }
            throw VigilError.nonFinite(row: row, column: column, value: value)
        }
    }
}
