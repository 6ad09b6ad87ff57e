import Foundation

/// A bounded map that forgets its least recently used entry when full; safe to share between tasks.
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    /// Most entries kept.
    public let capacity: Int
    private let lock = NSLock()
    private var nodes = [Node]()
    private var index = [Key: Int]()
    private var newest: Int?
    private var oldest: Int?

    /// An empty cache holding at most `capacity` (≥ 1) entries.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Number of entries.
    public var count: Int { lock.withLock { index.count } }

    /// The value for `key`, marking it most recently used.
    public func value(for key: Key) -> Value? {
        lock.withLock {
            guard let i = index[key] else { return nil }
            moveToFront(i)
            return nodes[i].value
        }
    }

    /// Stores `value` for `key` as most recently used, evicting the least recently used entry when full.
    public func set(_ value: Value, for key: Key) {
        lock.withLock {
            if let i = index[key] {
                nodes[i].value = value
                moveToFront(i)
                return
            }
            let slot: Int
            if index.count == capacity, let victim = oldest {
                unlink(victim)
                index[nodes[victim].key] = nil
                nodes[victim] = Node(key: key, value: value)
                slot = victim
            } else {
                nodes.append(Node(key: key, value: value))
                slot = nodes.count - 1
            }
            index[key] = slot
            linkFront(slot)
        }
    }

    private func unlink(_ i: Int) {
        let (newer, older) = (nodes[i].newer, nodes[i].older)
        if let newer { nodes[newer].older = older } else { newest = older }
        if let older { nodes[older].newer = newer } else { oldest = newer }
        nodes[i].newer = nil
        nodes[i].older = nil
    }

    private func linkFront(_ i: Int) {
        nodes[i].older = newest
        nodes[i].newer = nil
        if let newest { nodes[newest].newer = i }
        newest = i
        if oldest == nil { oldest = i }
    }

    private func moveToFront(_ i: Int) {
        guard newest != i else { return }
        unlink(i)
        linkFront(i)
    }
}
