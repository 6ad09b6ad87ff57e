import Foundation
import HTTPTypes
import Hummingbird

/// Token buckets by client: each holds up to `burst` tokens, refilled at `rate` a second; a
/// request takes one.
final class TokenBuckets: @unchecked Sendable {
    /// One client's bucket.
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// Most clients remembered; beyond it, full buckets are forgotten.
    static let maxClients = 10_000

    /// The limit applied.
    let settings: RateLimitSettings
    /// Guards `buckets`.
    private let lock = NSLock()
    /// Buckets by client key.
    private var buckets: [String: Bucket] = [:]

    /// Buckets for `settings`.
    init(settings: RateLimitSettings) {
        self.settings = settings
    }

    /// Takes a token for `client`: `nil` when allowed, else the whole seconds until one is free.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        let rate = settings.rate, burst = Double(settings.burst)
        return lock.withLock {
            if buckets.count >= Self.maxClients, buckets[client] == nil {
                buckets = buckets.filter { Self.refilled($0.value, now: now, rate: rate, burst: burst) < burst }
            }
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = Self.refilled(bucket, now: now, rate: rate, burst: burst)
            bucket.updated = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }

    /// `bucket`'s tokens at `now`.
    private static func refilled(_ bucket: Bucket, now: ContinuousClock.Instant, rate: Double, burst: Double) -> Double {
        let elapsed = (now - bucket.updated).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        return min(burst, bucket.tokens + seconds * rate)
    }
}

/// Answers 429 with `Retry-After` when a client is over its rate: clients are the token's `sub`
/// when authenticated, else the peer address. `/healthz` and `/readyz` are never limited.
struct RateLimitMiddleware: RouterMiddleware {
    /// The buckets.
    let buckets: TokenBuckets

    /// Serves the request when the client has a token left.
    func handle(_ request: Request, context: VigilRequestContext,
                next: (Request, VigilRequestContext) async throws -> Response) async throws -> Response {
        if let route = context.endpointPath, route == "/healthz" || route == "/readyz" {
            return try await next(request, context)
        }
        let client = context.subject.map { "sub:\($0)" } ?? "ip:\(context.peer ?? "unknown")"
        guard let wait = buckets.take(client) else { return try await next(request, context) }
        return ErrorBody.response(status: .tooManyRequests, detail: "Rate limit exceeded: retry in \(wait) s",
                                  headers: [.retryAfter: String(wait)])
    }
}
