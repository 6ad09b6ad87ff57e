/// At most `requestsPerSecond` requests to one provider: each caller waits for the next free slot.
actor RateLimiter {
    private let interval: Duration?
    private var next = ContinuousClock.now

    /// A limiter allowing `requestsPerSecond` (≤ 0: no limit).
    init(requestsPerSecond: Double) {
        interval = requestsPerSecond > 0 ? .nanoseconds(Int64(1e9 / requestsPerSecond)) : nil
    }

    /// Returns when the caller may send its request.
    func acquire() async throws {
        guard let interval else { return }
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
