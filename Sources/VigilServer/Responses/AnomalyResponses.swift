import Hummingbird
import VigilFeatures

/// An optional field written as JSON `null` when absent (synthesized `Encodable` would leave it
/// out), so answers always carry every key LlamaFarm's do.
struct OrNull<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    let value: Wrapped?

    init(_ value: Wrapped?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}

/// `fit_result`: LlamaFarm's runtime fields plus the server's versioning fields (reference §4.1).
struct FitResponse: ResponseEncodable, Sendable {
    struct ModelParams: Encodable, Sendable {
        let backend: String
        let contamination: Double
        let threshold: Double
        let inputDim: Int

        enum CodingKeys: String, CodingKey { case backend, contamination, threshold, inputDim = "input_dim" }
    }

    struct EncoderInfo: Encodable, Sendable {
        let schema: Schema
        let features: [String]
    }

    let object = "fit_result"
    let model: String
    let backend: String
    let samplesFitted: Int
    let trainingTimeMs: Double
    let modelParams: ModelParams
    let encoder: OrNull<EncoderInfo>
    let savedPath: String
    let status = "fitted"
    let baseName: String
    let versionedName: String
    let overwrite: Bool

    enum CodingKeys: String, CodingKey {
        case object, model, backend, samplesFitted = "samples_fitted", trainingTimeMs = "training_time_ms"
        case modelParams = "model_params", encoder, savedPath = "saved_path", status, baseName = "base_name"
        case versionedName = "versioned_name", overwrite
    }

}

/// One scored row of `/score` (`explanation` only when the request asked for one).
struct ScoredRow: Encodable, Sendable {
    let index: Int
    let score: Double
    let isAnomaly: Bool
    let rawScore: Double
    var explanation: RowExplanation? = nil

    enum CodingKeys: String, CodingKey { case index, score, isAnomaly = "is_anomaly", rawScore = "raw_score", explanation }
}

/// The answer of `/score` and `/detect` (reference §4.2, §4.3): rows, their count, the resolved
/// model version and a summary.
struct BatchResponse<Row: Encodable & Sendable, Summary: Encodable & Sendable>: ResponseEncodable, Sendable {
    let object = "list"
    let data: [Row]
    let totalCount: Int
    let model: String
    let backend: String
    let summary: Summary

    enum CodingKeys: String, CodingKey { case object, data, totalCount = "total_count", model, backend, summary }
}

/// `/score`'s summary.
struct ScoreSummary: Encodable, Sendable {
    let totalPoints: Int
    let anomalyCount: Int
    let anomalyRate: Double
    let threshold: Double

    enum CodingKeys: String, CodingKey {
        case totalPoints = "total_points", anomalyCount = "anomaly_count", anomalyRate = "anomaly_rate", threshold
    }
}

/// `/detect`'s summary.
struct DetectSummary: Encodable, Sendable {
    let anomaliesDetected: Int
    let threshold: Double

    enum CodingKeys: String, CodingKey { case anomaliesDetected = "anomalies_detected", threshold }
}

/// `/score`'s answer.
typealias ScoreResponse = BatchResponse<ScoredRow, ScoreSummary>
/// `/detect`'s answer: only flagged rows.
typealias DetectResponse = BatchResponse<DetectedRow, DetectSummary>

/// One flagged row of `/detect` (no `is_anomaly`: every row listed is one; `explanation` only
/// when the request asked for one).
struct DetectedRow: Encodable, Sendable {
    let index: Int
    let score: Double
    let rawScore: Double
    var explanation: RowExplanation? = nil

    enum CodingKeys: String, CodingKey { case index, score, rawScore = "raw_score", explanation }
}

/// `save_result` (reference §4.4).
struct SaveResponse: ResponseEncodable, Sendable {
    let object = "save_result"
    let model: String
    let backend: String
    let filename: String
    let path: String
    let encoderPath: OrNull<String>
    let status = "saved"

    enum CodingKeys: String, CodingKey { case object, model, backend, filename, path, encoderPath = "encoder_path", status }

}

/// `load_result` (reference §4.5).
struct LoadResponse: ResponseEncodable, Sendable {
    struct EncoderSchema: Encodable, Sendable {
        let features: Schema
    }

    let object = "load_result"
    let model: String
    let backend: String
    let normalization: String
    let filename: String
    let isFitted = true
    let threshold: Double
    let encoderLoaded: Bool
    let encoderSchema: OrNull<EncoderSchema>
    let status = "loaded"

    enum CodingKeys: String, CodingKey {
        case object, model, backend, normalization, filename, isFitted = "is_fitted", threshold
        case encoderLoaded = "encoder_loaded", encoderSchema = "encoder_schema", status
    }

}

/// One stored version in `GET /models`, the LlamaFarm server's shape (reference §4.6).
struct ModelListItem: Encodable, Sendable {
    let name: String
    let filename: String
    let baseName: String
    let backend: String
    let path: String
    let sizeBytes: Int
    let created: String
    let isVersioned: Bool
    let description: String?

    enum CodingKeys: String, CodingKey {
        case name, filename, baseName = "base_name", backend, path, sizeBytes = "size_bytes", created
        case isVersioned = "is_versioned", description
    }
}

/// `GET /models`.
struct ModelListResponse: ResponseEncodable, Sendable {
    let object = "list"
    let total: Int
    let data: [ModelListItem]
}

/// `DELETE /models/{filename}`.
struct DeleteModelResponse: ResponseEncodable, Sendable {
    let object = "delete_result"
    let filename: String
    let deleted = true
}

/// `GET /backends`.
struct BackendListResponse: ResponseEncodable, Sendable {
    let object = "list"
    let total: Int
    let categories: [String]
    let data: [BackendCatalog.Entry]
}

/// `POST /predict_<backend>`'s answer.
struct PredictResponse: ResponseEncodable, Sendable {
    let isAnomaly: Bool
    let score: Double
    let model: String

    enum CodingKeys: String, CodingKey { case isAnomaly = "is_anomaly", score, model }
}
