import Foundation
import Hummingbird
import Logging
import NIOCore
import VigilCore
import VigilFeatures
import VigilStore

/// Turns every error a route throws into `{"detail": ...}` with its status: the service's own
/// errors as they say, the core, features and model-file errors as 400, anything else as 500.
/// Registry failures are counted in `vigil_registry_errors_total` under the request's route.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where registry failures are counted.
    let metrics: ServiceMetrics
    /// The router's routes, to tell a wrong method (405) from an unknown path (404).
    var allowed: AllowedMethods?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            // Hummingbird marks a request no route matched with the endpoint path "NotFound".
            if context.endpointPath == nil || context.endpointPath == "NotFound", let allowed, (error as? HTTPError)?.status == .notFound {
                let methods = allowed.methods(for: request.uri.path)
                if !methods.isEmpty, !methods.contains(request.method) {
                    return ErrorBody.response(status: .methodNotAllowed, detail: "Method Not Allowed",
                                              headers: [.allow: methods.map(\.rawValue).joined(separator: ", ")])
                }
            }
            let mapped = Self.serviceError(for: error)
            if let registryError = error as? RegistryError, Self.isStoreFailure(registryError) {
                metrics.recordRegistryError(operation: ServiceMetrics.routeLabel(context.endpointPath))
            }
            if mapped.status.code >= 500 {
                context.logger.error("\(request.method) \(request.uri.path): \(error)")
            }
            return ErrorBody.response(for: mapped)
        }
    }

    /// The service error `error` stands for.
    static func serviceError(for error: any Error) -> ServiceError {
        switch error {
        case let e as ServiceError: return e
        case let e as HTTPError where e.status == .notFound: return .notFound(e.body ?? "Not Found")
        case let e as HTTPError where e.status == .methodNotAllowed: return .badRequest("Method Not Allowed")
        case let e as HTTPError: return .badRequest(e.body ?? e.status.reasonPhrase)
        case is NIOTooManyBytesError: return .bodyTooLarge(limit: 0)
        case let e as VigilError: return .badRequest(e.description)
        case let e as FeatureError: return .badRequest(e.description)
        case let e as ModelFileError: return .badRequest(e.description)
        case let e as RegistryError: return registryError(e)
        default: return .internalError("\(error)")
        }
    }

    /// Whether `error` is the store failing (unreachable, too new, corrupted) rather than a request
    /// asking for something wrong.
    static func isStoreFailure(_ error: RegistryError) -> Bool {
        switch error {
        case .storageUnavailable, .newerSchema, .checksumMismatch: true
        case .notFound, .invalidName, .invalidField, .invalidURL: false
        }
    }

    /// Unknown versions are 404, bad names 400, an unreachable store 503, a corrupted blob 500.
    static func registryError(_ error: RegistryError) -> ServiceError {
        switch error {
        case .notFound: .notFound(error.description)
        case .invalidName, .invalidField, .invalidURL: .badRequest(error.description)
        case .storageUnavailable, .newerSchema: .unavailable(error.description)
        case .checksumMismatch: .internalError(error.description)
        }
    }
}

/// The JSON bodies of error answers.
enum ErrorBody {
    private struct Detail: Encodable { let detail: String }
    private struct Issues: Encodable { let detail: [ValidationIssue] }

    /// The answer for `error`.
    static func response(for error: ServiceError) -> Response {
        let encoder = VigilRequestContext.encoder
        let data: Data
        if case .validation(let issues) = error {
            data = (try? encoder.encode(Issues(detail: issues))) ?? Data()
        } else {
            data = (try? encoder.encode(Detail(detail: error.description))) ?? Data()
        }
        if case .busy(_, let seconds) = error {
            return response(status: error.status, json: data, headers: [.retryAfter: String(seconds)])
        }
        return response(status: error.status, json: data)
    }

    /// `{"detail": message}` with `status` and `headers` added (auth and rate-limit answers).
    static func response(status: HTTPResponse.Status, detail message: String, headers: HTTPFields = [:]) -> Response {
        let data = (try? VigilRequestContext.encoder.encode(Detail(detail: message))) ?? Data()
        return response(status: status, json: data, headers: headers)
    }

    /// `data` as a JSON answer with `status`.
    private static func response(status: HTTPResponse.Status, json data: Data, headers extra: HTTPFields = [:]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
