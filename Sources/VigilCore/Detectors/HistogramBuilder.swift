/// Builds HBOS's per-feature histograms exactly as `np.histogram(x, bins, density=True)` does, and
/// PyOD's "auto" bin count (`pyod/utils/utility.py` `get_optimal_n_bins`).
enum HistogramBuilder {
    /// Every feature with `bins` equal-width bins. Two passes over the rows (range, then counts),
    /// each parallel over row chunks; counts are integers, so the result does not depend on chunking.
    /// Throws `nonFinite` (first offending row and column) for NaN/±∞, detected in the first pass.
    static func fixedBins(_ x: Matrix, bins: Int, alpha: Double) throws -> [HBOS.Histogram] {
        let n = x.rows, d = x.cols
        let chunks = chunkRanges(rows: n)
        // Pass 1: per-feature minimum and maximum, and Σ (x − x), which is NaN once any x is NaN/±∞.
        var partialLow = [Double](repeating: .infinity, count: chunks.count * d)
        var partialHigh = [Double](repeating: -.infinity, count: chunks.count * d)
        var partialPoison = [Double](repeating: 0, count: chunks.count * d)
        x.values.withUnsafeBufferPointer { v in
            nonisolated(unsafe) let data = v.baseAddress!
            partialLow.withUnsafeMutableBufferPointer { lo in
                partialHigh.withUnsafeMutableBufferPointer { hi in
                    partialPoison.withUnsafeMutableBufferPointer { po in
                        nonisolated(unsafe) let lows = lo.baseAddress!, highs = hi.baseAddress!, poisons = po.baseAddress!
                        Parallel.forEach(chunks.count) { c in
                            let low = lows + c * d, high = highs + c * d, poison = poisons + c * d
                            for r in chunks[c] {
                                let row = data + r * d
                                for j in 0..<d {
                                    let value = row[j]
                                    low[j] = min(low[j], value)
                                    high[j] = max(high[j], value)
                                    poison[j] += value - value
                                }
                            }
                        }
                    }
                }
            }
        }
        if partialPoison.contains(where: \.isNaN) { try x.requireFinite() }
        var edges = [[Double]]()
        for j in 0..<d {
            var first = Double.infinity, last = -Double.infinity
            for c in 0..<chunks.count {
                first = min(first, partialLow[c * d + j])
                last = max(last, partialHigh[c * d + j])
            }
            edges.append(try binEdges(first: first, last: last, bins: bins, feature: j))
        }
        // Pass 2: counts per bin, with NumPy's index arithmetic and edge corrections.
        let flatEdges = edges.flatMap { $0 }
        let scales = edges.map { Double(bins) / ($0[bins] - $0[0]) }
        var partialCounts = [Int](repeating: 0, count: chunks.count * d * bins)
        x.values.withUnsafeBufferPointer { v in
            nonisolated(unsafe) let data = v.baseAddress!
            flatEdges.withUnsafeBufferPointer { e in
                nonisolated(unsafe) let allEdges = e.baseAddress!
                partialCounts.withUnsafeMutableBufferPointer { pc in
                    nonisolated(unsafe) let counts = pc.baseAddress!
                    Parallel.forEach(chunks.count) { c in
                        let chunkCounts = counts + c * d * bins
                        for r in chunks[c] {
                            let row = data + r * d
                            for j in 0..<d {
                                let k = binIndex(row[j], edges: allEdges + j * (bins + 1), bins: bins, scale: scales[j])
                                chunkCounts[j * bins + k] &+= 1
                            }
                        }
                    }
                }
            }
        }
        return (0..<d).map { j in
            var counts = [Int](repeating: 0, count: bins)
            for c in 0..<chunks.count {
                for k in 0..<bins { counts[k] += partialCounts[(c * d + j) * bins + k] }
            }
            return histogram(edges: edges[j], counts: counts, total: n, alpha: alpha)
        }
    }

    /// Every feature with its own bin count chosen by PyOD's `get_optimal_n_bins`; parallel over
    /// features. Counts come from the sorted column (#{x < e_k} by binary search), which equals
    /// NumPy's binning: [e_k, e_k+1), the last bin closed.
    static func automaticBins(_ x: Matrix, alpha: Double) throws -> [HBOS.Histogram] {
        let n = x.rows, d = x.cols
        let columns = x.columnMajorValues()
        var results = [Result<HBOS.Histogram, VigilError>?](repeating: nil, count: d)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let slots = out
            columns.withUnsafeBufferPointer { all in
                nonisolated(unsafe) let base = all.baseAddress!
                Parallel.forEach(d) { j in
                    let sorted = RadixSort.sorted(UnsafeBufferPointer(start: base + j * n, count: n))
                    slots[j] = sorted.withUnsafeBufferPointer { s in
                        Result { () throws(VigilError) -> HBOS.Histogram in
                            let bins = try optimalBinCount(sorted: s, feature: j)
                            let edges = try binEdges(first: s[0], last: s[n - 1], bins: bins, feature: j)
                            return histogram(edges: edges, counts: sortedCounts(s, edges: edges), total: n, alpha: alpha)
                        }
                    }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// Birgé–Rozenblac, as PyOD codes it: argmax over b = 1 ..< max(2, ⌊√n⌋) of
    /// Σ_k [c_k · ln(b·c_k/n + 1) − (b − 1 + (ln b)^2.5)] (penalty inside the sum, summed pairwise
    /// as NumPy does); the first b on ties.
    static func optimalBinCount(sorted s: UnsafeBufferPointer<Double>, feature: Int) throws(VigilError) -> Int {
        let n = s.count
        let upperBound = max(2, Int(Double(n).squareRoot()))
        var best = 1
        var bestLikelihood = -Double.infinity
        var terms = [Double]()
        for b in 1..<upperBound {
            let edges = try binEdges(first: s[0], last: s[n - 1], bins: b, feature: feature)
            let counts = sortedCounts(s, edges: edges)
            let penalty = Double(b - 1) + pow(log(Double(b)), 2.5)
            terms.removeAll(keepingCapacity: true)
            for c in counts {
                terms.append(Double(c) * log(Double(b * c) / Double(n) + 1) - penalty)
            }
            let likelihood = terms.withUnsafeBufferPointer { Statistics.numpyPairwiseSum($0) }
            if likelihood > bestLikelihood {
                best = b
                bestLikelihood = likelihood
            }
        }
        return best
    }

    /// `np.histogram` edges: linspace(first, last, bins + 1) as NumPy computes it (k · step + first,
    /// the last edge exactly `last`), over [first − 0.5, last + 0.5] for a constant feature.
    /// Refuses a range too wide to subtract or too narrow to give every bin a positive width.
    static func binEdges(first lowest: Double, last highest: Double, bins: Int, feature: Int) throws(VigilError) -> [Double] {
        var first = lowest, last = highest
        if first == last {
            first -= 0.5
            last += 0.5
        }
        let delta = last - first
        var edges = [Double](repeating: 0, count: bins + 1)
        let step = delta / Double(bins)
        for k in 0...bins {
            edges[k] = step == 0 ? (Double(k) / Double(bins)) * delta + first : Double(k) * step + first
        }
        edges[bins] = last
        let increasing = zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 }
        guard delta.isFinite, increasing else {
            throw VigilError.invalidParameter(
                name: "column \(feature) range", value: "\(lowest) … \(highest)",
                allowed: "wide enough for \(bins) bins of positive width and narrower than the largest Double")
        }
        return edges
    }

    /// The bin of a value inside [e_0, e_b], as `np.histogram` assigns it: the k with
    /// e_k ≤ x < e_k+1, the last bin closed. `scale` = b / (e_b − e_0) gives a guess that the edge
    /// comparisons then settle (NumPy does the same with one correction step).
    @inline(__always)
    static func binIndex(_ x: Double, edges e: UnsafePointer<Double>, bins: Int, scale: Double) -> Int {
        let guess = (x - e[0]) * scale
        var k = guess >= Double(bins - 1) ? bins - 1 : (guess > 0 ? Int(guess) : 0)
        while k > 0 && x < e[k] { k -= 1 }
        while k < bins - 1 && x >= e[k + 1] { k += 1 }
        return k
    }

    /// Bin counts of a sorted column: c_k = #{x < e_k+1} − #{x < e_k}, the last bin closed.
    static func sortedCounts(_ s: UnsafeBufferPointer<Double>, edges: [Double]) -> [Int] {
        let bins = edges.count - 1
        var counts = [Int](repeating: 0, count: bins)
        var below = 0  // #{x < e_k}; e_0 is the minimum (or lower), so 0
        for k in 0..<bins {
            let next = k == bins - 1 ? s.count : lowerBound(s, edges[k + 1])
            counts[k] = next - below
            below = next
        }
        return counts
    }

    /// #{values < t} in sorted `s`.
    private static func lowerBound(_ s: UnsafeBufferPointer<Double>, _ t: Double) -> Int {
        var lo = 0, hi = s.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if s[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// density_k = (count_k / width_k) / n (`np.histogram(..., density=True)`), ℓ_k = log2(density_k + α).
    static func histogram(edges: [Double], counts: [Int], total n: Int, alpha: Double) -> HBOS.Histogram {
        let density = counts.indices.map { k in (Double(counts[k]) / (edges[k + 1] - edges[k])) / Double(n) }
        return HBOS.Histogram(edges: edges, density: density, logDensity: density.map { log2($0 + alpha) })
    }

    /// Row ranges for the parallel passes: a few per thread, at least 4096 rows each.
    private static func chunkRanges(rows n: Int) -> [Range<Int>] {
        let pieces = max(1, min(Parallel.threadCount * 4, n / 4096))
        let step = (n + pieces - 1) / pieces
        return stride(from: 0, to: n, by: step).map { $0..<min(n, $0 + step) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
