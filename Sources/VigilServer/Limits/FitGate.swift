import Foundation

/// Bounds the fits that run at once (`--max-concurrent-fits`): a fit over the limit is answered
/// 429 with `Retry-After` rather than queued, so a burst of large fits cannot starve scoring of
/// CPU and memory. A slot is held until the fit's computation ends, even when its request was
/// abandoned at the request timeout.
final class FitGate: @unchecked Sendable {
    /// Most fits at once.
    let limit: Int
    private let lock = NSLock()
    private var running = 0

    /// A gate admitting `limit` fits at once.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot, or throws `busy` (429) when all are taken. Pair with `leave()`.
    func enter() throws {
        let admitted = lock.withLock { () -> Bool in
            guard running < limit else { return false }
            running += 1
            return true
        }
        guard admitted else {
            throw ServiceError.busy("\(limit) fits are already running (--max-concurrent-fits); retry shortly", retryAfterSeconds: 1)
        }
    }

    /// Gives a slot back.
    func leave() {
        lock.withLock { running -= 1 }
    }

    /// Fits running now.
    var inUse: Int { lock.withLock { running } }
}
