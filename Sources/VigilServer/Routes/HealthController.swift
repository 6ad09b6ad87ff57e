import Hummingbird

/// `GET /healthz` (the process answers) and `GET /readyz` (the registry answers too).
struct HealthController<Context: RequestContext> {
    /// Succeeds when the registry answers.
    let ping: @Sendable () async throws -> Void

    private struct Status: ResponseEncodable {
        let status: String
    }

    /// Adds the routes to `router`.
    func register(on router: Router<Context>) {
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz") { _, _ -> Status in
            do {
                try await ping()
            } catch {
                throw ServiceError.unavailable("registry is not reachable: \(error)")
            }
            return Status(status: "ready")
        }
    }
}
