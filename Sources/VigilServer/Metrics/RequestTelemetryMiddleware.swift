import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id, then counts, times and logs it once answered.
///
/// The id is the incoming `X-Request-Id` when it is sane (see ``RequestTelemetryMiddleware/acceptedID(_:)``),
/// else Hummingbird's own request id. It goes back in the `X-Request-Id` response header and into
/// the request logger's metadata as `request_id`, so every line logged while serving the request
/// (the error middleware's included) carries it. Add this middleware first, outside the error
/// middleware, so that it sees the status the client gets.
struct RequestTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Longest incoming request id accepted.
    static var maxIDLength: Int { 128 }

    /// Where requests are counted.
    let metrics: ServiceMetrics

    /// Serves `request` with its id in the logger, then counts it, logs it and adds the id header.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let id = Self.acceptedID(request.headers[.requestID]) ?? context.id
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            finish(request, context: context, status: response.status, since: started)
            return response
        } catch {
            // The error middleware answers every error; this is only for one thrown around it.
            finish(request, context: context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError, since: started)
            throw error
        }
    }

    /// `value` when it is 1 to 128 visible ASCII characters (`!` through `~`), else `nil`.
    static func acceptedID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= maxIDLength,
              value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return value
    }

    /// Counts the request and logs its line at debug level.
    private func finish(_ request: Request, context: Context, status: HTTPResponse.Status, since started: ContinuousClock.Instant) {
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        let route = ServiceMetrics.routeLabel(context.endpointPath)
        metrics.recordRequest(route: route, method: request.method.rawValue, status: status.code, seconds: seconds)
        context.logger.debug("\(request.method) \(route) \(status.code)", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route), "path": .string(request.uri.path),
            "status": .stringConvertible(status.code), "duration_ms": .stringConvertible(seconds * 1000),
        ])
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: the header a request id travels in, both ways.
    static let requestID = HTTPField.Name("X-Request-Id")!
}
