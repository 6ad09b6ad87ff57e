import Foundation

/// The metric handles of each label set, made on first use and then reused, so recording a value
/// costs one dictionary lookup under a lock instead of building labels and asking the Prometheus
/// registry every time.
final class SeriesCache<Key: Hashable & Sendable, Series: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var series = [Key: Series]()
    private let make: @Sendable (Key) -> Series

    /// A cache that makes a key's handles with `make` the first time the key is seen.
    init(make: @escaping @Sendable (Key) -> Series) {
        self.make = make
    }

    /// The handles of `key`, made now if this is its first use.
    subscript(key: Key) -> Series {
        lock.withLock {
            if let known = series[key] { return known }
            let made = make(key)
            series[key] = made
            return made
        }
    }
}
