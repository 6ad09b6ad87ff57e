import HTTPTypes
import Hummingbird

/// Refuses requests whose bearer token is missing or invalid (401) or lacks the route's role (403).
///
/// It runs on the router, so Hummingbird has already matched the route: `context.endpointPath`
/// is the route template (`/v1/ml/anomaly/models/{filename}`), and the decision is by method and
/// template (see ``Role/required(method:route:)``). Requests matching no route pass on and get
/// their 404. The token's `sub` is kept in the context for the rate limit.
struct AuthMiddleware: RouterMiddleware {
    /// Checks the tokens.
    let verifier: TokenVerifier

    /// Serves the request when its token holds the role the route needs.
    func handle(_ request: Request, context: VigilRequestContext,
                next: (Request, VigilRequestContext) async throws -> Response) async throws -> Response {
        guard let route = context.endpointPath, let needed = Role.required(method: request.method, route: route) else {
            return try await next(request, context)
        }
        do {
            let identity = try await authenticate(request)
            guard let held = identity.highest, held >= needed else { throw AuthFailure.forbidden(needed: needed) }
            var context = context
            context.subject = identity.subject
            return try await next(request, context)
        } catch let failure as AuthFailure {
            return Self.response(for: failure)
        }
    }

    /// The identity of the request's bearer token.
    private func authenticate(_ request: Request) async throws(AuthFailure) -> TokenIdentity {
        guard let header = request.headers[.authorization] else { throw .missing }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .invalid("Authorization must be 'Bearer <token>'") }
        return try await verifier.verify(parts[1].trimmingCharacters(in: .whitespaces))
    }

    /// 401 with `WWW-Authenticate: Bearer` (and `error="invalid_token"` when a token was sent),
    /// or 403 naming the role needed.
    static func response(for failure: AuthFailure) -> Response {
        switch failure {
        case .missing:
            return ErrorBody.response(status: .unauthorized, detail: "Not authenticated: send Authorization: Bearer <token>",
                                      headers: [.wwwAuthenticate: "Bearer"])
        case .invalid(let reason):
            return ErrorBody.response(status: .unauthorized, detail: "Invalid token: \(reason)",
                                      headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        case .forbidden(let needed):
            return ErrorBody.response(status: .forbidden, detail: "This route needs the '\(needed.rawValue)' role")
        }
    }
}
