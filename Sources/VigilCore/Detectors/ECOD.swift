/// ECOD, Empirical-Cumulative-distribution-based Outlier Detection (Li et al. 2022), with PyOD 3.6's
/// semantics (`pyod/models/ecod.py`; `reference/algorithms.md` §3).
///
/// Per feature j, with the training ECDFs F_left(x) = #{train ≤ x}/n and F_right(x) = #{train ≥ x}/n:
/// U_l = −ln F_left(x_ij), U_r = −ln F_right(x_ij), U_skew = U_l if the training skewness of j is
/// negative, U_r if positive, U_l + U_r if zero; O_ij = max(U_l, U_r, U_skew) and the raw score is
/// Σ_j O_ij. On the training rows this equals PyOD's `decision_scores_`.
///
/// Unlike PyOD's `decision_function`, new rows are scored against the training distributions only
/// (no re-ranking of training + new rows), so a row's score never depends on the rest of its batch;
/// counts are raised to at least 1 outside the training range (see `EmpiricalDistribution`).
/// NaN and ±∞ are refused.
public struct ECOD: Detector, Equatable {
    /// ECOD's settings: none. PyOD's only parameter, `contamination`, belongs to the Calibrator.
    public struct Parameters: DetectorParameters {
        /// PyOD's `ECOD()`.
        public init() {}

        /// Nothing to check.
        public func validate() throws {}
    }

    /// Served as `ecod`.
    public static let backend = Backend.ecod

    /// The (empty) parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// One training distribution per feature, in column order.
    public let distributions: [EmpiricalDistribution]

    init(parameters: Parameters, distributions: [EmpiricalDistribution]) {
        self.parameters = parameters
        self.featureCount = distributions.count
        self.distributions = distributions
    }

    /// Decodes a stored model, refusing distributions that do not fit together.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let distributions = try c.decode([EmpiricalDistribution].self, forKey: .distributions)
        let featureCount = try c.decode(Int.self, forKey: .featureCount)
        guard featureCount == distributions.count, featureCount > 0,
              distributions.allSatisfy({ $0.sampleCount == distributions[0].sampleCount }) else {
            throw DecodingError.dataCorruptedError(forKey: .featureCount, in: c,
                debugDescription: "expected \(featureCount) distributions of one training set, got \(distributions.count)")
        }
        self.init(parameters: try c.decode(Parameters.self, forKey: .parameters), distributions: distributions)
    }

    /// Sorts each training column (in parallel) and records its skewness.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> ECOD {
        try parameters.validate()
        return ECOD(parameters: parameters, distributions: try EmpiricalDistribution.fitColumns(x, detector: "ECOD"))
    }

    /// Fits and returns the training rows' scores, taken from the sort (ranks) instead of
    /// searches: the same values, bit for bit, as `fit` followed by `rawScores(x)`.
    public static func fitScoring(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> (ECOD, [Double]) {
        try parameters.validate()
        let (distributions, scores) = try EmpiricalDistribution.fitScoring(x, detector: "ECOD", combination: .ecod)
        return (ECOD(parameters: parameters, distributions: distributions), scores)
    }

    /// Σ_j max(U_l, U_r, U_skew) per row, against the training distributions.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        return EmpiricalDistribution.scores(x, distributions: distributions, combination: .ecod)
    }
}
