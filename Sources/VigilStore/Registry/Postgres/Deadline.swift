import Foundation

/// Runs `body`, failing with `onTimeout()` after `limit` without waiting for `body` to notice its
/// cancellation (a query on a dead connection may not return for a long time).
func withDeadline<T: Sendable>(_ limit: Duration, onTimeout: @escaping @Sendable () -> any Error,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let gate = DeadlineGate<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            gate.arm(continuation)
            let work = Task {
                do { gate.finish(.success(try await body())) } catch { gate.finish(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if gate.finish(.failure(onTimeout())) { work.cancel() }
            }
            gate.onFinish { timer.cancel() }
        }
    } onCancel: {
        gate.finish(.failure(CancellationError()))
    }
}

/// Resumes a continuation exactly once, whichever of work, timer or cancellation comes first.
private final class DeadlineGate<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: Result<T, any Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let pending {
            lock.unlock()
            continuation.resume(with: pending)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func onFinish(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        if done {
            lock.unlock()
            action()
            return
        }
        cleanup = action
        lock.unlock()
    }

    /// Delivers `result` if nothing was delivered yet; returns whether it was.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !done else {
            lock.unlock()
            return false
        }
        done = true
        let continuation = self.continuation
        self.continuation = nil
        if continuation == nil { pending = result }
        let action = cleanup
        cleanup = nil
        lock.unlock()
        continuation?.resume(with: result)
        action?()
        return true
    }
}
