/// What a detector's feature attributions add up to.
public enum ExplainedOutput: String, Sendable, Codable, CaseIterable {
    /// The detector's raw score (`raw_score` in answers): higher = more anomalous.
    case rawScore = "raw_score"
    /// Isolation Forest's mean path length E[h(x)] over its trees, from which the raw score is
    /// 2^(−E[h] / c(ψ)): lower = more anomalous.
    case meanPathLength = "mean_path_length"

    /// +1 when a larger output is more anomalous, −1 when a smaller one is.
    public var anomalyDirection: Double {
        switch self {
        case .rawScore: 1
        case .meanPathLength: -1
        }
    }
}

/// Signed per-feature contributions for a batch of rows, with a base value such that, for every
/// row r, `baseValue + Σ_j contribution(r, j) = outputs[r]` (up to floating-point rounding), where
/// `outputs` is the quantity `output` names. Contributions are stored row-major.
public struct Attributions: Sendable, Equatable {
    /// The quantity the contributions add up to.
    public let output: ExplainedOutput
    /// The part of the output no feature accounts for (the same for every row): 0 for the
    /// detectors whose score is a sum over features, the expected output over the training data
    /// for TreeSHAP.
    public let baseValue: Double
    /// Number of rows.
    public let rows: Int
    /// Number of features.
    public let features: Int
    /// rows × features contributions, row after row.
    public let contributions: [Double]
    /// The model's output (what `output` names) for each row.
    public let outputs: [Double]

    /// Wraps computed attributions; `contributions.count` must be rows × features.
    public init(output: ExplainedOutput, baseValue: Double, rows: Int, features: Int, contributions: [Double], outputs: [Double]) {
        precondition(contributions.count == rows * features && outputs.count == rows, "attribution shape")
        self.output = output
        self.baseValue = baseValue
        self.rows = rows
        self.features = features
        self.contributions = contributions
        self.outputs = outputs
    }

    /// The contributions of row `r`, in feature order.
    public func contributions(row r: Int) -> ArraySlice<Double> {
        contributions[(r * features)..<((r + 1) * features)]
    }

    /// Indices of the `k` features of row `r` that push its output most towards "anomalous"
    /// (largest `contribution × output.anomalyDirection` first; ties by column order).
    public func topFeatures(row r: Int, k: Int) -> [Int] {
        let direction = output.anomalyDirection
        let row = contributions(row: r)
        let base = r * features
        let order = (0..<features).sorted { a, b in
            let ca = row[base + a] * direction, cb = row[base + b] * direction
            return ca != cb ? ca > cb : a < b
        }
        return Array(order.prefix(max(0, k)))
    }
}

/// A fitted detector that can say how much each feature contributed to a row's score.
///
/// `explain(x)` returns, for each row, contributions φ_j and a base value φ_0 with
/// φ_0 + Σ_j φ_j = the row's `explainedOutput` exactly (to floating-point rounding):
/// - ECOD, COPOD: φ_j = O_ij, the feature's tail term; φ_0 = 0; output = raw score.
/// - HBOS: φ_j = −ℓ_j(x_j), the feature's negated log-density; φ_0 = 0; output = raw score.
/// - AutoEncoder: φ_j = e_j² / ‖e‖, the feature's share of the squared reconstruction error
///   e = x̃ − AE(x̃) scaled so that the shares add up to ‖e‖ (0 when ‖e‖ = 0); φ_0 = 0;
///   output = raw score.
/// - Isolation Forest: exact path-dependent TreeSHAP (Lundberg et al. 2020) of the mean path
///   length E[h(x)] over the trees; φ_0 = the forest's expected path length over its training
///   subsamples; output = mean path length (raw score = 2^(−output / c(ψ))).
public protocol FeatureExplaining: Detector {
    /// The quantity the contributions add up to.
    var explainedOutput: ExplainedOutput { get }
    /// Attributions of every row of `x` (same input checks as `rawScores`).
    func explain(_ x: Matrix) throws -> Attributions
}
