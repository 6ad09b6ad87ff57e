import VigilCore
import VigilFeatures

/// The fields every anomaly request shares, with LlamaFarm's defaults and its 422 checks.
enum AnomalyFields {
    /// `backend` must be one Vigil has (LlamaFarm types it as a `Literal`).
    static func backend(_ name: String) throws -> Backend {
        guard let backend = Backend(rawValue: name) else {
            throw ServiceError.validation([.literal("backend", value: name, allowed: Backend.allCases.map(\.rawValue))])
        }
        return backend
    }

    /// `normalization` must be one of the three.
    static func normalization(_ name: String) throws -> Normalization {
        guard let n = Normalization(rawValue: name) else {
            throw ServiceError.validation([.literal("normalization", value: name, allowed: Normalization.allCases.map(\.rawValue))])
        }
        return n
    }

    /// `contamination` in (0, 0.5], as pydantic's `gt=0, le=0.5`.
    static func contamination(_ c: Double) throws -> Double {
        if !(c > 0) {
            throw ServiceError.validation([ValidationIssue(type: "greater_than", loc: [.key("contamination")],
                                                           msg: "Input should be greater than 0", input: .number(c))])
        }
        if !(c <= 0.5) {
            throw ServiceError.validation([.atMost([.key("contamination")], "0.5", input: c)])
        }
        return c
    }

    /// `threshold`, when given, must be a finite number.
    static func threshold(_ t: Double?) throws -> Double? {
        if let t, !t.isFinite {
            throw ServiceError.validation([ValidationIssue(type: "finite_number", loc: [.key("threshold")],
                                                           msg: "Input should be a finite number", input: .number(t))])
        }
        return t
    }
}

/// `POST /v1/ml/anomaly/fit`.
struct FitRequest: Decodable, Sendable {
    var model: String = "default"
    var backend: String = Backend.isolationForest.rawValue
    var data: Rows
    var schema: Schema?
    var contamination: Double = 0.1
    var normalization: String = Normalization.standardization.rawValue
    var epochs: Int = 100
    var batchSize: Int = 32
    var hiddenNeurons: [Int]?
    var overwrite: Bool = false
    var description: String?

    private enum CodingKeys: String, CodingKey {
        case model, backend, data, schema, contamination, normalization, epochs, batchSize = "batch_size"
        case hiddenNeurons = "hidden_neurons", overwrite, description
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? model
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? backend
        data = try c.decode(Rows.self, forKey: .data)
        schema = try c.decodeIfPresent(Schema.self, forKey: .schema)
        contamination = try c.decodeIfPresent(Double.self, forKey: .contamination) ?? contamination
        normalization = try c.decodeIfPresent(String.self, forKey: .normalization) ?? normalization
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        hiddenNeurons = try c.decodeIfPresent([Int].self, forKey: .hiddenNeurons)
        overwrite = try c.decodeIfPresent(Bool.self, forKey: .overwrite) ?? overwrite
        description = try c.decodeIfPresent(String.self, forKey: .description)
    }
}

/// `POST /v1/ml/anomaly/score` and `/detect` (`schema` is accepted and ignored, as LlamaFarm does:
/// the encoder fitted with the model is used). Vigil adds `explain` (per-feature contributions
/// for each row) and `top_k` (features named in `top_features`, default 5).
struct ScoreRequest: Decodable, Sendable {
    var model: String = "default"
    var backend: String = Backend.isolationForest.rawValue
    var data: Rows
    var normalization: String = Normalization.standardization.rawValue
    var threshold: Double?
    var explain: Bool = false
    var topK: Int = RowExplanation.defaultTopK

    private enum CodingKeys: String, CodingKey { case model, backend, data, normalization, threshold, explain, topK = "top_k" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? model
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? backend
        data = try c.decode(Rows.self, forKey: .data)
        normalization = try c.decodeIfPresent(String.self, forKey: .normalization) ?? normalization
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        explain = try c.decodeIfPresent(Bool.self, forKey: .explain) ?? explain
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? topK
    }
}

/// `POST /v1/ml/anomaly/save`.
struct SaveRequest: Decodable, Sendable {
    var model: String
    var backend: String = Backend.isolationForest.rawValue
    var normalization: String = Normalization.standardization.rawValue
    var description: String?

    private enum CodingKeys: String, CodingKey { case model, backend, normalization, description }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? backend
        normalization = try c.decodeIfPresent(String.self, forKey: .normalization) ?? normalization
        description = try c.decodeIfPresent(String.self, forKey: .description)
    }
}

/// `POST /v1/ml/anomaly/load`.
struct LoadRequest: Decodable, Sendable {
    var model: String
    var backend: String = Backend.isolationForest.rawValue

    private enum CodingKeys: String, CodingKey { case model, backend }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? backend
    }
}
