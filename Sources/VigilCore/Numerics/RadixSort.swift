/// Least-significant-digit radix sorts of `Double` columns (8-bit digits over the IEEE-754 bit
/// pattern mapped to an order-preserving unsigned key), several times faster than a comparison
/// sort on large columns. Only the bits that vary between the smallest and largest key are sorted.
enum RadixSort {
    private static let digitBits = 8
    private static let buckets = 1 << digitBits
    /// Below this many values a comparison sort is as fast.
    private static let smallInput = 512

    /// `values` sorted ascending. Values must not be NaN; −0 sorts just before +0.
    static func sorted(_ values: UnsafeBufferPointer<Double>) -> [Double] {
        let n = values.count
        if n < smallInput { return values.sorted() }
        let (minKey, maxKey) = keyRange(values)
        var keys = [UInt64](unsafeUninitializedCapacity: n) { k, initialized in
            for i in 0..<n { k[i] = orderedKey(values[i]) &- minKey }
            initialized = n
        }
        sortBits(&keys, from: 0, to: bitWidth(maxKey &- minKey))
        return keys.withUnsafeBufferPointer { k in
            [Double](unsafeUninitializedCapacity: n) { v, initialized in
                for i in 0..<n { v[i] = value(ofKey: k[i] &+ minKey) }
                initialized = n
            }
        }
    }

    /// `values` sorted ascending together with the row each came from (`rows[i]` is the index in
    /// `values` of the i-th smallest; ties in no particular order). Values must not be NaN.
    ///
    /// Each item is one 64-bit word: the key (minus the smallest key) in the high bits, the row in
    /// the low ⌈log2 n⌉ bits. When the key range needs more bits than are left, the lowest key bits
    /// are dropped for the radix passes and runs of equal truncated keys are then sorted by value.
    static func sortedWithRows(_ values: UnsafeBufferPointer<Double>) -> (sorted: [Double], rows: [UInt32]) {
        let n = values.count
        precondition(n < Int(UInt32.max), "too many values to sort with 32-bit row numbers")
        if n < smallInput {
            let order = (0..<n).sorted { values[$0] < values[$1] }
            return (order.map { values[$0] }, order.map { UInt32($0) })
        }
        let (minKey, maxKey) = keyRange(values)
        let rowBits = bitWidth(UInt64(n - 1))
        let rowMask = (UInt64(1) << rowBits) - 1
        let spanBits = bitWidth(maxKey &- minKey)
        let dropped = max(0, spanBits - (64 - rowBits))
        var items = [UInt64](unsafeUninitializedCapacity: n) { it, initialized in
            for i in 0..<n {
                it[i] = ((orderedKey(values[i]) &- minKey) &>> UInt64(dropped)) &<< UInt64(rowBits) | UInt64(i)
            }
            initialized = n
        }
        sortBits(&items, from: rowBits, to: rowBits + spanBits - dropped)
        var rows = [UInt32]()
        let sorted = [Double](unsafeUninitializedCapacity: n) { s, sortedCount in
            rows = [UInt32](unsafeUninitializedCapacity: n) { r, rowCount in
                items.withUnsafeBufferPointer { it in
                    if dropped == 0 {
                        // The whole key is in the item: no need to read the values again.
                        for i in 0..<n {
                            r[i] = UInt32(truncatingIfNeeded: it[i] & rowMask)
                            s[i] = value(ofKey: (it[i] &>> UInt64(rowBits)) &+ minKey)
                        }
                    } else {
                        for i in 0..<n {
                            let row = Int(truncatingIfNeeded: it[i] & rowMask)
                            r[i] = UInt32(truncatingIfNeeded: row)
                            s[i] = values[row]
                        }
                        sortTruncatedRuns(items: it, sorted: s, rows: r, rowBits: rowBits)
                    }
                }
                rowCount = n
            }
            sortedCount = n
        }
        return (sorted, rows)
    }

    /// Orders each run of items with equal truncated keys by value (they are adjacent already).
    private static func sortTruncatedRuns(items: UnsafeBufferPointer<UInt64>, sorted s: UnsafeMutableBufferPointer<Double>,
                                          rows r: UnsafeMutableBufferPointer<UInt32>, rowBits: Int) {
        let n = items.count
        var a = 0
        while a < n {
            let prefix = items[a] >> UInt64(rowBits)
            var b = a + 1
            while b < n && items[b] >> UInt64(rowBits) == prefix { b += 1 }
            if b - a > 1 {
                var ordered = true
                for k in (a + 1)..<b where s[k] < s[k - 1] {
                    ordered = false
                    break
                }
                if !ordered {
                    let run = (a..<b).map { (s[$0], r[$0]) }.sorted { $0.0 < $1.0 }
                    for (offset, pair) in run.enumerated() {
                        s[a + offset] = pair.0
                        r[a + offset] = pair.1
                    }
                }
            }
            a = b
        }
    }

    /// Buckets up to this size are finished by LSD passes (they fit in cache); larger ones are
    /// split again on the next digit.
    private static let cacheSizedBucket = 65_536

    /// Stable sort of `items` by their bits low..<high: most-significant-digit passes split the
    /// items into buckets until each fits in cache, then least-significant-digit passes finish
    /// each bucket (8 bits per pass; a pass where every item has the same digit is skipped).
    private static func sortBits(_ items: inout [UInt64], from low: Int, to high: Int) {
        let n = items.count
        guard high > low, n > 1 else { return }
        // Scratch space: every slot is written before it is read.
        let spare = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { spare.deallocate() }
        items.withUnsafeMutableBufferPointer { a in
            if msdSort(a.baseAddress!, scratch: spare, count: n, from: low, to: high) {
                a.baseAddress!.update(from: spare, count: n)
            }
        }
    }

    /// Sorts `count` items at `data` by bits low..<high, using `scratch` (same size). Returns
    /// true when the sorted items are left in `scratch` rather than `data`.
    private static func msdSort(_ data: UnsafeMutablePointer<UInt64>, scratch: UnsafeMutablePointer<UInt64>,
                                count n: Int, from low: Int, to high: Int) -> Bool {
        guard high > low, n > 1 else { return false }
        if n <= cacheSizedBucket || high - low <= digitBits {
            return lsdSort(data, spare: scratch, count: n, from: low, to: high)
        }
        let top = high - digitBits
        let mask = UInt64(buckets - 1)
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: 2 * buckets + 1)
        defer { starts.deallocate() }
        starts.initialize(repeating: 0, count: 2 * buckets + 1)
        for i in 0..<n { starts[Int(truncatingIfNeeded: (data[i] &>> UInt64(top)) & mask)] &+= 1 }
        if (0..<buckets).contains(where: { starts[$0] == n }) {
            // Every item has this digit: nothing to split, go to the next one.
            return msdSort(data, scratch: scratch, count: n, from: low, to: top)
        }
        var offset = 0
        for d in 0..<buckets {
            let c = starts[d]
            starts[d] = offset
            starts[buckets + 1 + d] = offset
            offset += c
        }
        starts[buckets] = n
        let next = starts + buckets + 1
        for i in 0..<n {
            let item = data[i]
            let d = Int(truncatingIfNeeded: (item &>> UInt64(top)) & mask)
            let slot = next[d]
            scratch[slot] = item
            next[d] = slot &+ 1
        }
        // Each bucket now sits in `scratch`: sort it there, with `data` as its scratch, and make
        // sure it ends in `data`.
        for d in 0..<buckets {
            let start = starts[d], count = starts[d + 1] - start
            guard count > 0 else { continue }
            if !msdSort(scratch + start, scratch: data + start, count: count, from: low, to: top) {
                (data + start).update(from: scratch + start, count: count)
            }
        }
        return false
    }

    /// Stable LSD sort of `count` items at `items` by bits low..<high, alternating with `spare`.
    /// Returns true when the sorted items ended up in `spare` (an odd number of passes ran).
    private static func lsdSort(_ items: UnsafeMutablePointer<UInt64>, spare: UnsafeMutablePointer<UInt64>,
                                count n: Int, from low: Int, to high: Int) -> Bool {
        guard high > low, n > 1 else { return false }
        let passes = (high - low + digitBits - 1) / digitBits
        let histogram = UnsafeMutablePointer<Int>.allocate(capacity: buckets * passes)
        defer { histogram.deallocate() }
        histogram.initialize(repeating: 0, count: buckets * passes)
        let mask = UInt64(buckets - 1)
        for i in 0..<n {
            var key = items[i] &>> UInt64(low)
            var counts = histogram
            for _ in 0..<passes {
                counts[Int(truncatingIfNeeded: key & mask)] &+= 1
                key = key &>> UInt64(digitBits)
                counts += buckets
            }
        }
        var from = items, to = spare
        var inSpare = false
        for p in 0..<passes {
            let counts = histogram + p * buckets
            guard prefixSums(counts, total: n) else { continue }
            let shift = UInt64(low + p * digitBits)
            for i in 0..<n {
                let item = from[i]
                let digit = Int(truncatingIfNeeded: (item &>> shift) & mask)
                let slot = counts[digit]
                to[slot] = item
                counts[digit] = slot &+ 1
            }
            swap(&from, &to)
            inSpare.toggle()
        }
        return inSpare
    }

    /// Turns a digit histogram into bucket start offsets; false (and unchanged) when one digit
    /// holds every item, so the pass would not change the order.
    private static func prefixSums(_ counts: UnsafeMutablePointer<Int>, total n: Int) -> Bool {
        for b in 0..<buckets where counts[b] != 0 {
            if counts[b] == n { return false }
            break
        }
        var offset = 0
        for b in 0..<buckets {
            let c = counts[b]
            counts[b] = offset
            offset += c
        }
        return true
    }

    private static func keyRange(_ values: UnsafeBufferPointer<Double>) -> (UInt64, UInt64) {
        var lo = UInt64.max, hi = UInt64.min
        for x in values {
            let key = orderedKey(x)
            lo = min(lo, key)
            hi = max(hi, key)
        }
        return (lo, hi)
    }

    /// Number of bits needed to write `x` (0 for 0).
    private static func bitWidth(_ x: UInt64) -> Int { 64 - x.leadingZeroBitCount }

    /// Maps a double to an unsigned integer with the same order (negatives: all bits flipped;
    /// positives: sign bit set).
    @inline(__always)
    static func orderedKey(_ x: Double) -> UInt64 {
        let bits = x.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    /// The inverse of `orderedKey`.
    @inline(__always)
    static func value(ofKey key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }
}
