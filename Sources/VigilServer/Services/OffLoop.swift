import Dispatch
import Foundation

/// Runs CPU-heavy work (fitting, large batches) on a global dispatch queue, so neither a NIO
/// event loop thread nor the cooperative pool is held while it runs.
enum OffLoop {
    /// The result of `body`, computed on a global queue. Within a request that has a deadline
    /// (``RequestDeadline``), the caller gets 503 once the deadline passes; the work itself cannot
    /// be interrupted and finishes in the background, its result dropped.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let deadline = RequestDeadline.current
        return try await withCheckedThrowingContinuation { continuation in
            let answer = AnswerOnce(continuation)
            let timer = deadline.map { deadline in
                Timer(DispatchWorkItem { answer.resume(with: .failure(deadline.expired)) }, after: deadline.remaining)
            }
            DispatchQueue.global(qos: .userInitiated).async {
                let result = Result { try body() }
                timer?.cancel()
                answer.resume(with: result)
            }
        }
    }
}

/// A scheduled work item, cancelled when the work it guards ends first (a cancelled item never
/// runs, and is dropped by the queue).
private final class Timer: @unchecked Sendable {
    private let item: DispatchWorkItem

    init(_ item: DispatchWorkItem, after delay: DispatchTimeInterval) {
        self.item = item
        DispatchQueue.global().asyncAfter(deadline: .now() + delay, execute: item)
    }

    func cancel() {
        item.cancel()
    }
}

/// A continuation resumed by whichever of the work and the deadline comes first.
private final class AnswerOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = continuation
    }

    func resume(with result: Result<T, any Error>) {
        let taken = lock.withLock { () -> CheckedContinuation<T, any Error>? in
            defer { continuation = nil }
            return continuation
        }
        taken?.resume(with: result)
    }
}

/// When the request being served must be answered by (`--request-timeout`), as a task-local
/// value set by ``RequestTimeoutMiddleware``.
struct RequestDeadline: Sendable {
    /// The moment the answer is due.
    let due: DispatchTime
    /// The configured timeout, for the message.
    let timeout: Duration

    /// The deadline of the request this task serves; `nil` outside one or without a timeout.
    @TaskLocal static var current: RequestDeadline?

    /// Time left until `due` (zero when past).
    var remaining: DispatchTimeInterval {
        let now = DispatchTime.now().uptimeNanoseconds
        return .nanoseconds(due.uptimeNanoseconds > now ? Int(due.uptimeNanoseconds - now) : 0)
    }

    /// The 503 a request past its deadline gets.
    var expired: ServiceError {
        .unavailable("The request took longer than the request timeout (\(timeout.components.seconds) s) and was abandoned; "
                     + "nothing was saved. Send less data or raise --request-timeout.")
    }
}
