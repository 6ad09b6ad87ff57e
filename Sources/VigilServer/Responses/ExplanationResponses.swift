import VigilCore

/// One feature's part in a row's explanation.
public struct FeatureContribution: Encodable, Sendable, Equatable {
    /// Feature (column) name.
    public let feature: String
    /// The row's value of the feature as sent (encoded for object rows, before scaling).
    public let value: Double
    /// Its signed contribution to the explained output.
    public let contribution: Double
}

/// `explanation` of one row when a request asks `explain: true`: `base_value` plus the
/// contributions add up to `output_value`, the quantity `output` names — the raw score
/// (`raw_score`) for ECOD, COPOD, HBOS and the autoencoder, the mean path length
/// (`mean_path_length`, lower = more anomalous) for Isolation Forest. `top_features` names the
/// `top_k` features that push the row most towards "anomalous". `vigil score --explain` writes
/// the same object.
public struct RowExplanation: Encodable, Sendable, Equatable {
    /// What the contributions add up to (``ExplainedOutput``'s raw value).
    public let output: String
    /// The row's value of that output.
    public let outputValue: Double
    /// The part no feature accounts for.
    public let baseValue: Double
    /// One per feature, in column order.
    public let contributions: [FeatureContribution]
    /// The features pushing the row most towards anomalous, most first.
    public let topFeatures: [String]

    enum CodingKeys: String, CodingKey {
        case output, outputValue = "output_value", baseValue = "base_value", contributions, topFeatures = "top_features"
    }

    /// Top features listed unless a request says otherwise.
    static let defaultTopK = 5

    /// One explanation per row of `attributions`; `inputs` holds the values to show (same shape).
    public static func rows(_ attributions: Attributions, inputs: Matrix, featureNames: [String], topK: Int) -> [RowExplanation] {
        let d = attributions.features
        return (0..<attributions.rows).map { r in
            let base = r * d
            let contributions = (0..<d).map { j in
                FeatureContribution(feature: featureNames[j], value: inputs.values[base + j],
                                    contribution: attributions.contributions[base + j])
            }
            return RowExplanation(output: attributions.output.rawValue, outputValue: attributions.outputs[r],
                                  baseValue: attributions.baseValue, contributions: contributions,
                                  topFeatures: attributions.topFeatures(row: r, k: topK).map { featureNames[$0] })
        }
    }
}

/// The `explain` and `top_k` fields score, detect and stream requests share.
enum ExplainFields {
    /// `top_k` must be at least 1.
    static func topK(_ k: Int) throws -> Int {
        if k < 1 { throw ServiceError.validation([.atLeast([.key("top_k")], "1", input: Double(k))]) }
        return k
    }

    /// 400 naming `explain` when the backend cannot explain.
    static func requireExplainable(_ backend: Backend) throws {
        guard backend.isExplainable else {
            throw ServiceError.badRequest(VigilError.notExplainable(
                backend: backend.rawValue, explainable: AnyDetector.explainableBackends.map(\.rawValue)).description)
        }
    }
}
