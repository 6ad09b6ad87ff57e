import Dispatch
import Hummingbird

/// Gives every request a deadline `timeout` from its start: heavy work run through ``OffLoop``
/// past it is abandoned and the request answered 503 (see ``RequestDeadline``).
struct RequestTimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let nanoseconds = UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
        let deadline = RequestDeadline(due: DispatchTime.now() + .nanoseconds(Int(nanoseconds)), timeout: timeout)
        return try await RequestDeadline.$current.withValue(deadline) {
            try await next(request, context)
        }
    }
}
