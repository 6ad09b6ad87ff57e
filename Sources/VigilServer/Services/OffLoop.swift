import Dispatch

/// Runs CPU-heavy work (fitting, large batches) on a global dispatch queue, so neither a NIO
/// event loop thread nor the cooperative pool is held while it runs.
enum OffLoop {
    /// The result of `body`, computed on a global queue.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
