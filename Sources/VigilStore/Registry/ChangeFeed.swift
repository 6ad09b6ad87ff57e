import Foundation

/// Fans registry changes out to every `changes()` stream of one registry. The source that
/// produces them (a poller, a listener) runs only while someone is subscribed.
final class ChangeFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers = [UUID: AsyncStream<RegistryChange>.Continuation]()
    private var source: Task<Void, Never>?
    private var closed = false

    /// A new stream of changes; `makeSource` starts the producer when this is the first subscriber.
    func subscribe(makeSource: () -> Task<Void, Never>? = { nil }) -> AsyncStream<RegistryChange> {
        let (stream, continuation) = AsyncStream<RegistryChange>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = UUID()
        lock.lock()
        if closed {
            lock.unlock()
            continuation.finish()
            return stream
        }
        subscribers[id] = continuation
        if source == nil { source = makeSource() }
        lock.unlock()
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        lock.lock()
        subscribers[id] = nil
        var stopped: Task<Void, Never>?
        if subscribers.isEmpty {
            stopped = source
            source = nil
        }
        lock.unlock()
        stopped?.cancel()
    }

    /// Delivers a change to every subscriber.
    func publish(_ change: RegistryChange) {
        lock.lock()
        let targets = Array(subscribers.values)
        lock.unlock()
        for continuation in targets { continuation.yield(change) }
    }

    /// Ends every stream and the source; later subscriptions end at once.
    func finish() {
        lock.lock()
        closed = true
        let targets = Array(subscribers.values)
        subscribers.removeAll()
        let stopped = source
        source = nil
        lock.unlock()
        stopped?.cancel()
        for continuation in targets { continuation.finish() }
    }
}
