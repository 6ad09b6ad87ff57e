/// The share of flagged rows among the last `capacity` rows scored: a ring of flags with a running
/// count of the flagged ones, so adding a row is O(1) and reading the rate is one division.
struct RecentRate: Sendable {
    /// How many of the newest rows the rate covers.
    let capacity: Int
    private var flags: [Bool]
    private var next = 0
    private var filled = 0
    private var flaggedCount = 0

    /// An empty window over the last `capacity` rows (at least 1).
    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        flags = Array(repeating: false, count: self.capacity)
    }

    /// Flagged rows ÷ rows in the window; 0 before any row.
    var rate: Double { filled == 0 ? 0 : Double(flaggedCount) / Double(filled) }

    /// Appends `newFlags` in order, dropping the oldest rows past `capacity`.
    mutating func add(_ newFlags: some Collection<Bool>) {
        // Rows older than the last `capacity` of this batch would be evicted within it anyway.
        for flag in newFlags.suffix(capacity) {
            if filled == capacity {
                if flags[next] { flaggedCount -= 1 }
            } else {
                filled += 1
            }
            flags[next] = flag
            if flag { flaggedCount += 1 }
            next = next + 1 == capacity ? 0 : next + 1
        }
    }
}
