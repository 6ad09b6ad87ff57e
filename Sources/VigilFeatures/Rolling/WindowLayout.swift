/// Where each entity's rolling state lives inside ``EntityWindow``'s two flat arrays, and where
/// each feature goes in an output row. All capacities are powers of two so positions are masks.
struct WindowLayout: Sendable, Equatable {
    let columns: Int
    let windows: [Int]
    let lags: [Int]
    let spans: Int
    let wantMean: Bool, wantStd: Bool, wantMin: Bool, wantMax: Bool
    /// Ring length per column (≥ every window and lag), a power of two.
    let ring: Int
    /// Deque capacity per window (≥ the window), a power of two.
    let dequeCapacity: [Int]
    /// Offset of window j's two deques (min, then max) inside a column's deque block.
    let dequeOffset: [Int]
    let dequeBlock: Int
    let statsPerWindow: Int
    /// Output values per column (count-window stats, lags, time sum and mean).
    let outPerColumn: Int
    let featureCount: Int

    /// Doubles per slot: last time, events seen, last-seen tick, then per column the ring and
    /// the window sums (6 per window).
    var doubleStride: Int { 3 + columns * doublesPerColumn }
    var doublesPerColumn: Int { ring + 6 * windows.count }
    /// 32-bit ints per slot: one spare (so the array is never empty), then per column the deques
    /// and (min head, min count, max head, max count) per window.
    var intStride: Int { 1 + columns * intsPerColumn }
    var intsPerColumn: Int { dequeBlock + 4 * windows.count }

    init(_ options: RollingOptions) {
        columns = options.columns.count
        windows = options.windows
        lags = options.lags
        spans = options.timeWindows.count
        let stats = options.orderedStats
        wantMean = stats.contains(.mean)
        wantStd = stats.contains(.std)
        wantMin = stats.contains(.min)
        wantMax = stats.contains(.max)
        statsPerWindow = stats.count
        ring = Self.powerOfTwo(atLeast: max((windows + lags).max() ?? 1, 1))
        let needDeques = wantMin || wantMax
        dequeCapacity = windows.map { needDeques ? Self.powerOfTwo(atLeast: $0) : 0 }
        var offsets = [Int](), total = 0
        for c in dequeCapacity {
            offsets.append(total)
            total += 2 * c
        }
        dequeOffset = offsets
        dequeBlock = total
        outPerColumn = windows.count * statsPerWindow + lags.count + 2 * spans
        featureCount = columns * outPerColumn + spans + (options.timestampField != nil ? 1 : 0)
    }

    static func powerOfTwo(atLeast n: Int) -> Int {
        var p = 1
        while p < n { p <<= 1 }
        return p
    }
}
