/// A lookup table that narrows a search in a sorted array of distinct finite doubles to a few
/// candidates, so a query costs about one cache miss in the table and one in the array instead of
/// the ~log2(n) misses of a plain binary search.
///
/// Doubles are mapped to unsigned keys with the same order (`RadixSort.orderedKey`); the key range
/// [key(v_0), key(v_last)] is cut into 2^s-wide buckets, at most about n/2 of them, and
/// `start[b]` = index of the first value whose bucket is ≥ b. Because the key follows the
/// exponent, heavy-tailed columns still spread over many buckets. A crowded bucket only makes its
/// search longer (binary search), never wrong. Derived from the values, never stored.
struct BucketIndex: Sendable {
    private let minKey: UInt64
    private let maxKey: UInt64
    private let shift: UInt64
    /// `start[b]` for b in 0...buckets (`start[buckets]` = n).
    private let start: [UInt32]

    /// Builds the table for `values` (sorted ascending, distinct, finite, −0 stored as +0, non-empty).
    init(sortedDistinct values: UnsafeBufferPointer<Double>) {
        let n = values.count
        precondition(n > 0 && n < Int(UInt32.max), "bucket index needs 1 ..< 2^32 − 1 values")
        let minKey = RadixSort.orderedKey(values[0])
        let maxKey = RadixSort.orderedKey(values[n - 1])
        self.minKey = minKey
        self.maxKey = maxKey
        let span = maxKey - minKey
        let target = UInt64(max(1, n / 2))
        var s: UInt64 = 0
        while s < 64 && (span >> s) >= target { s += 1 }
        shift = s
        let buckets = s < 64 ? Int(span >> s) + 1 : 1
        var start = [UInt32](repeating: 0, count: buckets + 1)
        start.withUnsafeMutableBufferPointer { t in
            var b = 0
            for i in 0..<n {
                let bucket = Int((RadixSort.orderedKey(values[i]) - minKey) >> s)
                while b <= bucket {
                    t[b] = UInt32(i)
                    b += 1
                }
            }
            while b <= buckets {
                t[b] = UInt32(n)
                b += 1
            }
        }
        self.start = start
    }

    /// Number of values ≤ x (x finite) in `values`, the array the index was built from.
    func countAtMost(_ x: Double, in values: UnsafeBufferPointer<Double>) -> Int {
        withLookup { lookup in
            let (lo, hi) = lookup.candidates(x, count: values.count)
            return Self.countAtMost(x, in: values, from: lo, to: hi)
        }
    }

    /// Calls `body` with a view of the table for a hot loop (no reference counting per query).
    func withLookup<R>(_ body: (Lookup) -> R) -> R {
        start.withUnsafeBufferPointer { t in
            body(Lookup(minKey: minKey, maxKey: maxKey, shift: shift, start: t.baseAddress!))
        }
    }

    /// The table seen through a pointer; valid only inside `withLookup`.
    struct Lookup {
        let minKey: UInt64
        let maxKey: UInt64
        let shift: UInt64
        let start: UnsafePointer<UInt32>

        /// The range lo..<hi of the n indexed values that may hold x's upper bound: every value
        /// before lo is ≤ x, every value from hi on is > x.
        @inline(__always)
        func candidates(_ x: Double, count n: Int) -> (lo: Int, hi: Int) {
            let key = RadixSort.orderedKey(x == 0 ? 0 : x)
            if key < minKey { return (0, 0) }
            if key >= maxKey { return (n, n) }
            let b = Int((key - minKey) >> shift)
            return (Int(start[b]), Int(start[b + 1]))
        }
    }

    /// lo + #{values in lo..<hi that are ≤ x}.
    @inline(__always)
    static func countAtMost(_ x: Double, in v: UnsafeBufferPointer<Double>, from lo: Int, to hi: Int) -> Int {
        var base = lo
        var length = hi - lo
        if length == 0 { return lo }
        while length > 1 {
            let half = length >> 1
            base = v[base + half] <= x ? base + half : base
            length -= half
        }
        return base + (v[base] <= x ? 1 : 0)
    }
}
