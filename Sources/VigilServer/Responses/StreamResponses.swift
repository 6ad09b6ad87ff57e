import Hummingbird

/// A streaming detector's counters (reference §5.4): the 12 fields LlamaFarm returns.
struct StreamStats: Encodable, Sendable, Equatable {
    let modelId: String
    let backend: String
    let status: String
    let modelVersion: Int
    let samplesCollected: Int
    let totalProcessed: Int
    let samplesSinceRetrain: Int
    let minSamples: Int
    let retrainInterval: Int
    let windowSize: Int
    let threshold: Double
    let isReady: Bool

    enum CodingKeys: String, CodingKey {
        case modelId = "model_id", backend, status, modelVersion = "model_version", samplesCollected = "samples_collected"
        case totalProcessed = "total_processed", samplesSinceRetrain = "samples_since_retrain", minSamples = "min_samples"
        case retrainInterval = "retrain_interval", windowSize = "window_size", threshold, isReady = "is_ready"
    }
}

/// One point's answer in `streaming_result`: nulls while collecting (and for the point that
/// completes the cold start); `explanation` only for scored points of a request with `explain`.
struct StreamedRow: Encodable, Sendable {
    let index: Int
    let score: Double?
    let isAnomaly: Bool?
    let rawScore: Double?
    let samplesUntilReady: Int
    var explanation: RowExplanation? = nil

    enum CodingKeys: String, CodingKey {
        case index, score, isAnomaly = "is_anomaly", rawScore = "raw_score", samplesUntilReady = "samples_until_ready"
        case explanation
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(score, forKey: .score)
        try c.encode(isAnomaly, forKey: .isAnomaly)
        try c.encode(rawScore, forKey: .rawScore)
        try c.encode(samplesUntilReady, forKey: .samplesUntilReady)
        try c.encodeIfPresent(explanation, forKey: .explanation)
    }
}

/// `POST /v1/ml/anomaly/stream`'s answer (reference §5.1).
struct StreamResponse: ResponseEncodable, Sendable {
    let object = "streaming_result"
    let model: String
    let status: String
    let results: [StreamedRow]
    let modelVersion: Int
    let samplesCollected: Int
    let samplesUntilReady: Int
    let threshold: Double

    enum CodingKeys: String, CodingKey {
        case object, model, status, results, modelVersion = "model_version", samplesCollected = "samples_collected"
        case samplesUntilReady = "samples_until_ready", threshold
    }
}

/// `GET /v1/ml/anomaly/stream/detectors`.
struct StreamListResponse: ResponseEncodable, Sendable {
    let object = "list"
    let total: Int
    let data: [StreamStats]

    enum CodingKeys: String, CodingKey { case object, total, data }
}

/// `GET /v1/ml/anomaly/stream/{model_id}`: `streaming_detector` and the counters at top level.
struct StreamDetectorResponse: ResponseEncodable, Sendable {
    let stats: StreamStats

    private enum Key: String, CodingKey { case object }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode("streaming_detector", forKey: .object)
        try stats.encode(to: encoder)
    }
}

/// `DELETE /v1/ml/anomaly/stream/{model_id}`.
struct StreamDeleteResponse: ResponseEncodable, Sendable {
    let object = "delete_result"
    let model: String
    let deleted = true

    enum CodingKeys: String, CodingKey { case object, model, deleted }
}

/// `POST /v1/ml/anomaly/stream/{model_id}/reset`.
struct StreamResetResponse: ResponseEncodable, Sendable {
    let object = "reset_result"
    let model: String
    let status = "collecting"
    let reset = true

    enum CodingKeys: String, CodingKey { case object, model, status, reset }
}
