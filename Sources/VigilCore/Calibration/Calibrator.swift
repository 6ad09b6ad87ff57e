/// How raw detector scores are turned into the scores a client sees.
public enum Normalization: String, CaseIterable, Codable, Sendable {
    /// Logistic of the distance from the contamination boundary in units of 2·IQR: 0.5 is the
    /// boundary that flags `contamination` of the training rows, → 1 strongly anomalous.
    case standardization
    /// Standard deviations from the training mean: (raw − mean) / std.
    case zscore
    /// The detector's raw score.
    case raw

    /// Parses a normalization name, or throws listing the valid ones.
    public init(validating name: String) throws {
        guard let n = Normalization(rawValue: name) else {
            throw VigilError.invalidParameter(
                name: "normalization", value: name,
                allowed: "one of " + Normalization.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = n
    }
}

/// Maps raw scores to normalised scores and decides `is_anomaly`, from the training raw scores.
///
/// Learned at fit from the training raw scores r (NumPy linear percentiles, population std):
/// - `standardization`: score = 1 / (1 + exp(−clip((raw − b) / (2·IQR), −700, 700))) with
///   b = percentile(r, 100·(1 − contamination)) — the contamination boundary, so the learned
///   threshold is exactly 0.5; IQR = p75 − p25 (0 → std, 0 → 1).
/// - `zscore`: (raw − mean) / std (std 0 → 1); threshold = percentile of the training z-scores.
/// - `raw`: threshold = percentile(r, 100·(1 − contamination)), as PyOD's `threshold_`.
/// `is_anomaly = score > threshold` (strict), an explicit threshold overrides the learned one.
public struct Calibrator: Sendable, Codable, Equatable {
    /// The normalization applied to raw scores.
    public let normalization: Normalization
    /// Share of training rows expected to be anomalous, in (0, 0.5].
    public let contamination: Double
    /// Median of the training raw scores.
    public let median: Double
    /// Interquartile range of the training raw scores (never 0).
    public let iqr: Double
    /// Mean of the training raw scores.
    public let mean: Double
    /// Population std of the training raw scores (never 0).
    public let std: Double
    /// The raw score at the contamination boundary: the (1 − contamination) percentile.
    public let rawBoundary: Double
    /// The learned threshold on the normalised scale.
    public let threshold: Double
    /// Number of training rows it was learned from.
    public let trainingRows: Int
    /// Share of training rows whose normalised score exceeds `threshold`.
    public let trainingAnomalyRate: Double

    /// Checks that `contamination` is in (0, 0.5].
    public static func validate(contamination: Double) throws {
        guard contamination.isFinite, contamination > 0, contamination <= 0.5 else {
            throw VigilError.invalidParameter(
                name: "contamination", value: "\(contamination)", allowed: "in (0, 0.5]")
        }
    }

    /// Learns the calibration from training raw scores.
    public init(trainingRawScores raw: [Double], normalization: Normalization, contamination: Double) throws {
        try Calibrator.validate(contamination: contamination)
        guard !raw.isEmpty else { throw VigilError.emptyData("no training scores to calibrate") }
        guard raw.allSatisfy(\.isFinite) else {
            throw VigilError.invalidParameter(
                name: "training scores", value: "non-finite", allowed: "finite raw scores")
        }
        let sorted = raw.withUnsafeBufferPointer { RadixSort.sorted($0) }
        let q = 100 * (1 - contamination)
        self.normalization = normalization
        self.contamination = contamination
        self.median = Statistics.percentile(sorted: sorted, 50)
        let spread = Statistics.percentile(sorted: sorted, 75) - Statistics.percentile(sorted: sorted, 25)
        let popStd = Statistics.populationStd(sorted)
        self.iqr = spread > 0 ? spread : (popStd > 0 ? popStd : 1)
        self.mean = Statistics.mean(sorted)
        self.std = popStd > 0 ? popStd : 1
        self.rawBoundary = Statistics.percentile(sorted: sorted, q)
        self.trainingRows = raw.count
        switch normalization {
        case .standardization:
            threshold = 0.5
        case .zscore:
            let m = mean, s = std
            threshold = Statistics.percentile(sorted: sorted.map { ($0 - m) / s }, q)
        case .raw:
            threshold = rawBoundary
        }
        // Share flagged on the training rows by the learned threshold.
        var flagged = 0
        let provisional = Calibrator.Parts(normalization: normalization, rawBoundary: rawBoundary, iqr: iqr, mean: mean, std: std)
        for r in sorted where provisional.normalize(r) > threshold { flagged += 1 }
        trainingAnomalyRate = Double(flagged) / Double(raw.count)
    }

    /// The normalised score of one raw score.
    @inlinable
    public func normalize(_ raw: Double) -> Double {
        Parts(normalization: normalization, rawBoundary: rawBoundary, iqr: iqr, mean: mean, std: std).normalize(raw)
    }

    /// Normalised scores of a batch.
    public func normalize(_ raw: [Double]) -> [Double] {
        let parts = Parts(normalization: normalization, rawBoundary: rawBoundary, iqr: iqr, mean: mean, std: std)
        return raw.map(parts.normalize)
    }

    /// The threshold in force: `override` if given, else the learned one.
    public func effectiveThreshold(_ override: Double?) -> Double { override ?? threshold }

    @usableFromInline
    struct Parts: Sendable {
        let normalization: Normalization
        let rawBoundary: Double
        let iqr: Double
        let mean: Double
        let std: Double

        @usableFromInline
        init(normalization: Normalization, rawBoundary: Double, iqr: Double, mean: Double, std: Double) {
            self.normalization = normalization
            self.rawBoundary = rawBoundary
            self.iqr = iqr
            self.mean = mean
            self.std = std
        }

        @usableFromInline
        func normalize(_ raw: Double) -> Double {
            switch normalization {
            case .standardization:
                let z = min(max((raw - rawBoundary) / (2 * iqr), -700), 700)
                return 1 / (1 + exp(-z))
            case .zscore:
                return (raw - mean) / std
            case .raw:
                return raw
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
