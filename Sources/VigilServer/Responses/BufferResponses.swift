import Hummingbird
import VigilFeatures

/// `POST buffers` (reference §6.1).
struct BufferCreatedResponse: ResponseEncodable, Sendable {
    let object = "buffer_created"
    let bufferId: String
    let windowSize: Int
    let status = "created"

    enum CodingKeys: String, CodingKey { case object, bufferId = "buffer_id", windowSize = "window_size", status }
}

/// `GET buffers/{id}` (reference §6.3): the buffer's stats object.
extension FeatureBuffer.Stats: ResponseEncodable {}

/// `GET buffers` (reference §6.2).
struct BufferListResponse: ResponseEncodable, Sendable {
    let object = "list"
    let total: Int
    let data: [FeatureBuffer.Stats]
}

/// `DELETE buffers/{id}` (reference §6.4).
struct BufferDeletedResponse: ResponseEncodable, Sendable {
    let deleted = true
    let bufferId: String

    enum CodingKeys: String, CodingKey { case deleted, bufferId = "buffer_id" }
}

/// `POST buffers/{id}/clear` (reference §6.5).
struct BufferClearedResponse: ResponseEncodable, Sendable {
    let cleared = true
    let bufferId: String
    let size: Int

    enum CodingKeys: String, CodingKey { case cleared, bufferId = "buffer_id", size }
}

/// `POST append` (reference §6.6).
struct AppendResponse: ResponseEncodable, Sendable {
    let object = "append_result"
    let bufferId: String
    let appended: Int
    let bufferSize: Int
    let avgAppendMs: Double

    enum CodingKeys: String, CodingKey {
        case object, bufferId = "buffer_id", appended, bufferSize = "buffer_size", avgAppendMs = "avg_append_ms"
    }
}

/// `polars_data`: rows (raw or with features) as objects, for `POST features` and `GET buffers/{id}/data`.
struct BufferDataResponse: ResponseEncodable, Sendable {
    let object = "polars_data"
    let bufferId: String
    let rows: Int
    let columns: [String]
    let data: [Record]

    enum CodingKeys: String, CodingKey { case object, bufferId = "buffer_id", rows, columns, data }

    init(bufferId: String, table: FeatureTable) {
        self.bufferId = bufferId
        rows = table.rows.count
        columns = table.columns
        data = table.records
    }
}
