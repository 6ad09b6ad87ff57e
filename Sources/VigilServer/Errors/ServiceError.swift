import HTTPTypes

/// Errors the HTTP service answers with; each becomes `{"detail": ...}` (or FastAPI's 422 list)
/// with its status code.
public enum ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 400: the request is understood but cannot be served (LlamaFarm's `ValueError` cases).
    case badRequest(String)
    /// 404: the named model, version or file does not exist.
    case notFound(String)
    /// 409: the thing to create already exists.
    case conflict(String)
    /// 413: the body is larger than the configured cap.
    case bodyTooLarge(limit: Int)
    /// 413: more rows than one request may carry.
    case tooManyRows(count: Int, limit: Int)
    /// 422: the body does not match the request schema, one issue per field.
    case validation([ValidationIssue])
    /// 429 with `Retry-After`: a shared capacity (concurrent fits) is in use; retry later.
    case busy(String, retryAfterSeconds: Int)
    /// 503: the registry does not answer, or the request ran past the request timeout.
    case unavailable(String)
    /// 500: a fault of the service itself.
    case internalError(String)

    /// The HTTP status of the answer.
    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .bodyTooLarge, .tooManyRows: .contentTooLarge
        case .validation: .unprocessableContent
        case .busy: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .conflict(let m), .unavailable(let m), .internalError(let m), .busy(let m, _):
            return m
        case .bodyTooLarge(let limit):
            return "Request body is larger than the limit of \(limit) bytes"
        case .tooManyRows(let count, let limit):
            return "data has \(count) rows; at most \(limit) rows are accepted per request"
        case .validation(let issues):
            return issues.map { "\($0.loc.map(\.text).joined(separator: ".")): \($0.msg)" }.joined(separator: "; ")
        }
    }
}
