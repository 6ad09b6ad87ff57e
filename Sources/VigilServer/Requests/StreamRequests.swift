import VigilCore
import VigilFeatures

/// `POST /v1/ml/anomaly/stream` (reference §5.1): one point or a batch for the detector `model`,
/// with the settings a new detector is created with (an existing detector keeps its own).
struct StreamRequest: Decodable, Sendable {
    var model: String = "default-stream"
    var data: [Record]
    var backend: String = Backend.ecod.rawValue
    var minSamples: Int = 50
    var retrainInterval: Int = 100
    var windowSize: Int = 1000
    var contamination: Double = 0.1
    var threshold: Double = 0.5
    var rollingWindows: [Int]?
    var includeLags: Bool = false
    var lagPeriods: [Int]?
    /// Vigil's addition: per-feature contributions for each scored point.
    var explain: Bool = false
    /// Features named in each explanation's `top_features`.
    var topK: Int = RowExplanation.defaultTopK

    private enum CodingKeys: String, CodingKey {
        case model, data, backend, minSamples = "min_samples", retrainInterval = "retrain_interval", windowSize = "window_size"
        case contamination, threshold, rollingWindows = "rolling_windows", includeLags = "include_lags", lagPeriods = "lag_periods"
        case explain, topK = "top_k"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? model
        // One object is one point; an array is a batch.
        if let one = try? c.decode(Record.self, forKey: .data) {
            data = [one]
        } else {
            data = try c.decode([Record].self, forKey: .data)
        }
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? backend
        minSamples = try c.decodeIfPresent(Int.self, forKey: .minSamples) ?? minSamples
        retrainInterval = try c.decodeIfPresent(Int.self, forKey: .retrainInterval) ?? retrainInterval
        windowSize = try c.decodeIfPresent(Int.self, forKey: .windowSize) ?? windowSize
        contamination = try c.decodeIfPresent(Double.self, forKey: .contamination) ?? contamination
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? threshold
        rollingWindows = try c.decodeIfPresent([Int].self, forKey: .rollingWindows)
        includeLags = try c.decodeIfPresent(Bool.self, forKey: .includeLags) ?? includeLags
        lagPeriods = try c.decodeIfPresent([Int].self, forKey: .lagPeriods)
        explain = try c.decodeIfPresent(Bool.self, forKey: .explain) ?? explain
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? topK
    }

    /// The settings a new detector gets, checked as pydantic checks LlamaFarm's (422 naming the
    /// field), plus Vigil's upper bounds that keep one detector's memory and fit time bounded.
    func configuration() throws -> StreamConfiguration {
        let backend = try AnomalyFields.backend(backend)
        let contamination = try AnomalyFields.contamination(contamination)
        try Self.within("window_size", windowSize, StreamConfiguration.minimumWindowSize, StreamConfiguration.maximumWindowSize)
        try Self.within("min_samples", minSamples, StreamConfiguration.minimumSamples, windowSize, upperName: "window_size")
        try Self.within("retrain_interval", retrainInterval, StreamConfiguration.minimumRetrainInterval,
                        StreamConfiguration.maximumRetrainInterval)
        if threshold < 0 { throw ServiceError.validation([.atLeast([.key("threshold")], "0", input: threshold)]) }
        if threshold > 1 { throw ServiceError.validation([.atMost([.key("threshold")], "1", input: threshold)]) }
        let windows = rollingWindows ?? []
        let lags = includeLags ? (lagPeriods ?? [1, 2, 3]) : []
        for (field, list) in [("rolling_windows", windows), ("lag_periods", lags)] {
            guard list.count <= StreamConfiguration.maximumFeatureWindows else {
                throw ServiceError.validation([.tooLong([.key(field)], limit: StreamConfiguration.maximumFeatureWindows)])
            }
            for (i, w) in list.enumerated() {
                try Self.within(field, w, 1, windowSize, upperName: "window_size", index: i)
                guard list.firstIndex(of: w) == i else {
                    throw ServiceError.validation([ValidationIssue(
                        type: "value_error", loc: [.key(field), .index(i)], msg: "Value error, \(w) is listed twice",
                        input: .number(Double(w)))])
                }
            }
        }
        return StreamConfiguration(backend: backend, minSamples: minSamples, retrainInterval: retrainInterval,
                                   windowSize: windowSize, contamination: contamination, threshold: threshold,
                                   rollingWindows: windows, lagPeriods: lags)
    }

    /// 422 unless `lower ≤ value ≤ upper`; `upperName` names an upper bound that is another field.
    private static func within(_ field: String, _ value: Int, _ lower: Int, _ upper: Int, upperName: String? = nil,
                               index: Int? = nil) throws {
        let loc: [ValidationIssue.Step] = [.key(field)] + (index.map { [.index($0)] } ?? [])
        if value < lower { throw ServiceError.validation([.atLeast(loc, "\(lower)", input: Double(value))]) }
        if value > upper {
            throw ServiceError.validation([.atMost(loc, "\(upper)\(upperName.map { " (\($0))" } ?? "")", input: Double(value))])
        }
    }
}
