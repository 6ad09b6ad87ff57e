import Foundation
import Hummingbird
import NIOCore
import VigilFeatures

/// Reads a request body as JSON with the service's limits, turning every failure into the
/// answer FastAPI would give: 413 over the byte cap, 422 with an issue list for bad JSON or a
/// field of the wrong type.
struct JSONBody {
    /// Largest body accepted, in bytes.
    let maxBytes: Int

    /// Collects the body (at most `maxBytes`) and decodes `T`.
    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw ServiceError.bodyTooLarge(limit: maxBytes)
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else {
            throw ServiceError.validation([ValidationIssue(type: "missing", loc: [], msg: "Field required")])
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ServiceError.validation([ValidationIssue.from(error, body: data)])
        } catch let error as FeatureError {
            // A schema entry that names no known type or policy.
            throw ServiceError.validation([ValidationIssue(type: "value_error", loc: [.key("schema")], msg: "Value error, \(error)")])
        }
    }
}
