/// How ECOD and COPOD combine a value's left and right tail scores into its outlyingness O_ij.
enum TailCombination: Sendable {
    /// ECOD: O = max(U_l, U_r, U_skew).
    case ecod
    /// COPOD: O = max(U_skew, (U_l + U_r) / 2).
    case copod
}

extension EmpiricalDistribution {
    /// U = −ln(count / n), the tail score of a count; one expression everywhere, so training and
    /// new rows get identical values.
    @inline(__always)
    static func tailScore(_ count: Int, of n: Double) -> Double {
        -log(Double(count) / n)
    }

    /// O_ij from the two tail scores: U_skew = w_l·U_l + w_r·U_r, then ECOD max(U_l, U_r, U_skew)
    /// or COPOD max(U_skew, (U_l + U_r)/2).
    @inline(__always)
    static func outlyingness(ul: Double, ur: Double, wl: Double, wr: Double, ecod: Bool) -> Double {
        let uSkew = wl * ul + wr * ur
        return ecod ? max(max(ul, ur), uSkew) : max(uSkew, (ul + ur) / 2)
    }

    /// U_skew's weights (w_l, w_r): (1, 0) for s < 0, (0, 1) for s > 0, (1, 1) for s = 0, which is
    /// PyOD's U_l·(−sign(s − 1)) + U_r·sign(s + 1) exactly.
    var skewWeights: (left: Double, right: Double) {
        (skewSign <= 0 ? 1 : 0, skewSign >= 0 ? 1 : 0)
    }

    /// `tailScore(k, of: n)` for k = 0 … n (entry 0 is +∞ and never read), computed in parallel.
    private static func tailScoreTable(n: Int) -> [Double] {
        let nD = Double(n)
        return [Double](unsafeUninitializedCapacity: n + 1) { t, initialized in
            nonisolated(unsafe) let out = t
            Parallel.forEachChunk(n + 1, minChunk: 65_536) { range in
                for k in range { out[k] = tailScore(k, of: nD) }
            }
            initialized = n + 1
        }
    }

    /// Checks `x` for fitting: at least one row and column, all finite.
    private static func requireFittable(_ x: Matrix, detector: String) throws {
        guard x.rows > 0, x.cols > 0 else {
            throw VigilError.emptyData("\(detector) needs at least one row and one column")
        }
        guard x.rows < Int(UInt32.max) else {
            throw VigilError.invalidParameter(name: "rows", value: "\(x.rows)", allowed: "fewer than \(UInt32.max)")
        }
        try x.requireFinite()
    }

    /// One distribution per column of `x`, sorted in parallel over columns. Refuses empty data and
    /// NaN/±∞ (naming row and column); `detector` names the caller in the message.
    static func fitColumns(_ x: Matrix, detector: String) throws -> [EmpiricalDistribution] {
        try requireFittable(x, detector: detector)
        let n = x.rows, d = x.cols
        let columns = x.columnMajorValues()
        var fitted = [EmpiricalDistribution?](repeating: nil, count: d)
        fitted.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let slots = out
            columns.withUnsafeBufferPointer { all in
                nonisolated(unsafe) let base = all.baseAddress!
                Parallel.forEach(d) { j in
                    let column = UnsafeBufferPointer(start: base + j * n, count: n)
                    slots[j] = EmpiricalDistribution(column: column, numpyPairwise: d == 1)
                }
            }
        }
        return fitted.map { $0! }
    }

    /// Fits one distribution per column and scores the training rows from the sort itself: a run
    /// of equal values v_a = … = v_{b−1} in sorted order has #{≤} = b and #{≥} = n − a (PyOD's
    /// ECDFs with ties), so no search is needed. Equal, bit for bit, to `scores` of the same rows.
    static func fitScoring(_ x: Matrix, detector: String, combination: TailCombination) throws -> ([EmpiricalDistribution], [Double]) {
        try requireFittable(x, detector: detector)
        let n = x.rows, d = x.cols
        let isECOD = combination == .ecod
        let table = tailScoreTable(n: n)
        var fitted = [EmpiricalDistribution?](repeating: nil, count: d)
        let scores = fitted.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let slots = out
            return table.withUnsafeBufferPointer { u in
                nonisolated(unsafe) let tailScores = u
                return sumOverColumns(x) { j, column, target in
                    let (sorted, rows) = RadixSort.sortedWithRows(column)
                    let distribution = EmpiricalDistribution(
                        sorted: sorted, skewness: skewness(of: column, numpyPairwise: d == 1))
                    let (wl, wr) = distribution.skewWeights
                    sorted.withUnsafeBufferPointer { s in
                        rows.withUnsafeBufferPointer { r in
                            var a = 0
                            while a < n {
                                var b = a + 1
                                while b < n && s[b] == s[a] { b += 1 }
                                let o = outlyingness(ul: tailScores[b], ur: tailScores[n - a], wl: wl, wr: wr, ecod: isECOD)
                                for t in a..<b { target[Int(r[t])] = o }
                                a = b
                            }
                        }
                    }
                    slots[j] = distribution
                }
            }
        }
        return (fitted.map { $0! }, scores)
    }

    /// Row sums Σ_j O_ij, where `fill(j, column j of x, target)` writes O_rj to `target[r]`
    /// (columns in parallel, each into its own n-long slice, so the scattered writes stay within
    /// one column); each row then adds its columns in order, exactly as the search path does.
    private static func sumOverColumns(
        _ x: Matrix,
        _ fill: (Int, UnsafeBufferPointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> [Double] {
        let n = x.rows, d = x.cols
        let columns = x.columnMajorValues()
        let perColumn = [Double](unsafeUninitializedCapacity: n * d) { o, initialized in
            nonisolated(unsafe) let target = o.baseAddress!
            columns.withUnsafeBufferPointer { all in
                nonisolated(unsafe) let source = all.baseAddress!
                Parallel.forEach(d) { j in
                    fill(j, UnsafeBufferPointer(start: source + j * n, count: n), target + j * n)
                }
            }
            initialized = n * d
        }
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            nonisolated(unsafe) let sums = out.baseAddress!
            perColumn.withUnsafeBufferPointer { o in
                nonisolated(unsafe) let values = o.baseAddress!
                Parallel.forEachChunk(n, minChunk: 16_384) { range in
                    for r in range { sums[r] = 0 }
                    for j in 0..<d {
                        let column = values + j * n
                        for r in range { sums[r] += column[r] }
                    }
                }
            }
            initialized = n
        }
    }

    /// Rows scored per column before moving to the next column (keeps that block of x in cache).
    private static let rowBlock = 1024
    /// Values looked up together, phase by phase, so their cache misses overlap.
    private static let lanes = 32
    /// Batches of at least this many rows, and at least 1/`mergeFraction` of the training rows,
    /// are scored by sort-and-merge instead of one search per value (same results).
    static let mergeMinimumRows = 4096
    static let mergeFraction = 32

    /// Σ_j O_ij for every row of `x` (finite, `distributions.count` columns, all distributions
    /// of one training set), each value scored against its column's training distribution.
    /// Each row's sum runs over the columns in order, so a score does not depend on the other
    /// rows, on chunking, or on which of the two equivalent paths ran.
    static func scores(_ x: Matrix, distributions: [EmpiricalDistribution], combination: TailCombination) -> [Double] {
        let n = x.rows
        guard n > 0 else { return [] }
        let trainingRows = distributions.first?.sampleCount ?? 0
        if n >= mergeMinimumRows, n * mergeFraction >= trainingRows {
            return mergeScores(x, distributions: distributions, combination: combination)
        }
        return searchScores(x, distributions: distributions, combination: combination)
    }

    /// Σ_j O_ij for a large batch: each column of `x` is sorted and merged with the sorted
    /// training values, which costs less than one search per value once the batch is a sizeable
    /// fraction of the training set. Gives exactly the counts, hence the scores, of the searches.
    private static func mergeScores(_ x: Matrix, distributions: [EmpiricalDistribution],
                                    combination: TailCombination) -> [Double] {
        let rowCount = x.rows
        let isECOD = combination == .ecod
        let n = distributions[0].sampleCount
        let table = tailScoreTable(n: n)
        return table.withUnsafeBufferPointer { u in
            nonisolated(unsafe) let tailScores = u
            return sumOverColumns(x) { j, column, target in
                let distribution = distributions[j]
                let (wl, wr) = distribution.skewWeights
                let (sorted, rows) = RadixSort.sortedWithRows(column)
                distribution.values.withUnsafeBufferPointer { v in
                    distribution.countAtMost.withUnsafeBufferPointer { c in
                        sorted.withUnsafeBufferPointer { s in
                            rows.withUnsafeBufferPointer { r in
                                let m = v.count
                                var k = 0  // distinct training values ≤ the current value
                                var a = 0
                                while a < rowCount {
                                    let value = s[a]
                                    var b = a + 1
                                    while b < rowCount && s[b] == value { b += 1 }
                                    while k < m && v[k] <= value { k += 1 }
                                    let (atMost, atLeast) = tailCounts(distinctAtMost: k, x: value, values: v, counts: c, n: n)
                                    let o = outlyingness(ul: tailScores[atMost], ur: tailScores[atLeast], wl: wl, wr: wr, ecod: isECOD)
                                    for t in a..<b { target[Int(r[t])] = o }
                                    a = b
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Σ_j O_ij for a small batch: one search per value (bucket index, then binary search),
    /// parallel over row chunks.
    private static func searchScores(_ x: Matrix, distributions: [EmpiricalDistribution],
                                     combination: TailCombination) -> [Double] {
        let n = x.rows, d = x.cols
        var out = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { outBuffer in
            nonisolated(unsafe) let scores = outBuffer.baseAddress!
            x.values.withUnsafeBufferPointer { xBuffer in
                nonisolated(unsafe) let data = xBuffer.baseAddress!
                Parallel.forEachChunk(n, minChunk: 4096) { range in
                    let scratch = LookupScratch(lanes: Self.lanes)
                    defer { scratch.deallocate() }
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(start + Self.rowBlock, range.upperBound)
                        for j in 0..<d {
                            distributions[j].addOutlyingness(
                                combination, x: data, cols: d, column: j, rows: start..<end,
                                scores: scores, scratch: scratch)
                        }
                        start = end
                    }
                }
            }
        }
        return out
    }

    /// Per-thread buffers for a group of lookups.
    private struct LookupScratch {
        let probes: UnsafeMutablePointer<Double>
        let low: UnsafeMutablePointer<Int>
        let high: UnsafeMutablePointer<Int>

        init(lanes: Int) {
            probes = .allocate(capacity: lanes)
            low = .allocate(capacity: lanes)
            high = .allocate(capacity: lanes)
        }

        func deallocate() {
            probes.deallocate()
            low.deallocate()
            high.deallocate()
        }
    }

    /// Adds O_ij of column `column` to `scores[r]` for each row r in `rows`. Lookups go in groups
    /// and in phases (bucket, then values, then counts) so the memory accesses of a group overlap.
    private func addOutlyingness(_ combination: TailCombination, x: UnsafePointer<Double>, cols: Int, column: Int,
                                 rows: Range<Int>, scores: UnsafeMutablePointer<Double>, scratch: LookupScratch) {
        let n = sampleCount
        let nD = Double(n)
        let (wl, wr) = skewWeights
        let isECOD = combination == .ecod
        let probes = scratch.probes, low = scratch.low, high = scratch.high
        let body = { (lookup: BucketIndex.Lookup?) in
            values.withUnsafeBufferPointer { v in
                countAtMost.withUnsafeBufferPointer { c in
                    let m = v.count
                    var r = rows.lowerBound
                    while r < rows.upperBound {
                        let g = min(Self.lanes, rows.upperBound - r)
                        for k in 0..<g {
                            let value = x[(r + k) * cols + column]
                            probes[k] = value
                            let (lo, hi) = lookup?.candidates(value, count: m) ?? (0, m)
                            low[k] = lo
                            high[k] = hi
                        }
                        for k in 0..<g {
                            low[k] = BucketIndex.countAtMost(probes[k], in: v, from: low[k], to: high[k])
                        }
                        for k in 0..<g {
                            let (atMost, atLeast) = Self.tailCounts(distinctAtMost: low[k], x: probes[k], values: v, counts: c, n: n)
                            scores[r + k] += Self.outlyingness(ul: Self.tailScore(atMost, of: nD), ur: Self.tailScore(atLeast, of: nD),
                                                               wl: wl, wr: wr, ecod: isECOD)
                        }
                        r += g
                    }
                }
            }
        }
        if let index { index.withLookup { body($0) } } else { body(nil) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
