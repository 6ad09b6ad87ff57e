/// FastMCD (Rousseeuw & Van Driessen 1999) as scikit-learn 1.9's `fast_mcd` runs it
/// (`sklearn/covariance/_robust_covariance.py`): the raw minimum-covariance-determinant location and
/// covariance of h = ⌈(n + p + 1)/2⌉ rows.
///
/// - p = 1: the shortest half (exact).
/// - n ≤ 500: 30 random h-subsets, 2 C-steps each; the 10 lowest determinants are iterated to
///   convergence (≤ 30 C-steps) and the best kept.
/// - n > 500: ⌊n/300⌋ disjoint random subsets of ⌊n/⌊n/300⌋⌋ rows, max(10, ⌊500/subsets⌋) trials of 2
///   C-steps on each, 10 best per subset; those are iterated on a random merged set of min(1500, n)
///   rows (10 best kept when n > 1500) and, when n ≥ 1500, finally on all rows.
/// A C-step replaces the subset by the h rows closest in Mahalanobis distance; it never increases
/// the determinant. Trials run in parallel, each from its own derived seed.
enum FastMCD {
    struct Result {
        var estimate: CovarianceEstimate
        var support: ArraySlice<Int>
        var squaredDistances: [Double]
    }

    /// The raw MCD estimate of `x` (rows × p), h = `support` rows.
    static func fit(_ x: Matrix, support h: Int, seed: UInt64) -> Result {
        let n = x.rows, p = x.cols
        if p == 1 { return shortestHalf(x, support: h) }
        var g = SeededGenerator(seed: seed)
        if n <= 500 {
            let best = candidates(x, h: h, trials: .random(30, seed: SeededGenerator.derive(seed: seed, index: 0)), iterations: 2, keep: 10)
            return candidates(x, h: h, trials: .from(best.map(\.estimate)), iterations: 30, keep: 1)[0]
        }
        let subsets = n / 300
        let subsetRows = n / subsets
        let shuffled = permutation(n, &g)
        let hSubset = Int((Double(subsetRows) * (Double(h) / Double(n))).rounded(.up))
        let trials = max(10, 500 / subsets)
        var starts = [[CovarianceEstimate]](repeating: [], count: subsets)
        starts.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            Parallel.forEach(subsets) { i in
                let rows = x.selectingRows(Array(shuffled[(i * subsetRows)..<((i + 1) * subsetRows)]))
                out[i] = candidates(rows, h: hSubset, trials: .random(trials, seed: SeededGenerator.derive(seed: seed, index: i + 1)),
                                    iterations: 2, keep: 10, parallel: false).map(\.estimate)
            }
        }
        let mergedRows = min(1500, n)
        let hMerged = Int((Double(mergedRows) * (Double(h) / Double(n))).rounded(.up))
        let selection = Array(permutation(n, &g).prefix(mergedRows))
        let merged = candidates(x.selectingRows(selection), h: hMerged, trials: .from(starts.flatMap { $0 }),
                                iterations: 30, keep: n > 1500 ? 10 : 1)
        if n < 1500 {
            // The merged set is all rows, permuted: map its support and distances back.
            var distances = [Double](repeating: 0, count: n)
            for (i, r) in selection.enumerated() { distances[r] = merged[0].squaredDistances[i] }
            return Result(estimate: merged[0].estimate, support: ArraySlice(merged[0].support.map { selection[$0] }),
                          squaredDistances: distances)
        }
        return candidates(x, h: h, trials: .from(merged.map(\.estimate)), iterations: 30, keep: 1)[0]
    }

    enum Trials {
        /// `count` starts from random h-subsets.
        case random(Int, seed: UInt64)
        /// One start from each estimate.
        case from([CovarianceEstimate])
    }

    /// Runs C-steps from each start and returns the `keep` results with the lowest determinants
    /// (ties in start order), as scikit-learn's `select_candidates`.
    static func candidates(_ x: Matrix, h: Int, trials: Trials, iterations: Int, keep: Int, parallel: Bool = true) -> [Result] {
        let count: Int
        switch trials {
        case .random(let c, _): count = c
        case .from(let starts): count = starts.count
        }
        var results = [Result?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            let run = { (t: Int) in
                switch trials {
                case .random(_, let seed):
                    var g = SeededGenerator(seed: SeededGenerator.derive(seed: seed, index: t))
                    let start = permutation(x.rows, &g).prefix(h)
                    out[t] = cSteps(x, h: h, start: .subset(start), iterations: iterations)
                case .from(let starts):
                    out[t] = cSteps(x, h: h, start: .estimate(starts[t]), iterations: iterations)
                }
            }
            if parallel { Parallel.forEach(count, run) } else { for t in 0..<count { run(t) } }
        }
        let done = results.compactMap { $0 }
        let order = done.indices.sorted {
            (done[$0].estimate.logDeterminant, $0) < (done[$1].estimate.logDeterminant, $1)
        }
        return order.prefix(keep).map { done[$0] }
    }

    enum Start {
        case subset(ArraySlice<Int>)
        case estimate(CovarianceEstimate)
    }

    /// scikit-learn's `_c_step`, including which estimate it returns when the determinant stops falling.
    static func cSteps(_ x: Matrix, h: Int, start: Start, iterations: Int) -> Result {
        x.values.withUnsafeBufferPointer { v in
            let p = x.cols
            var support: ArraySlice<Int>
            var distances = [Double]()
            switch start {
            case .subset(let s): support = s
            case .estimate(let e):
                distances = CovarianceEstimate.squaredDistances(v, cols: p, location: e.location, precision: e.precision)
                support = CovarianceEstimate.smallest(h, of: distances)
            }
            var current = CovarianceEstimate.of(v, cols: p, support: support)
            var precision = current.precision
            var previous: (CovarianceEstimate, ArraySlice<Int>, [Double])?
            var remaining = iterations
            var previousDet = Double.infinity
            while current.logDeterminant < previousDet && remaining > 0 && current.logDeterminant != -.infinity {
                previous = (current, support, distances)
                previousDet = current.logDeterminant
                precision = current.precision
                distances = CovarianceEstimate.squaredDistances(v, cols: p, location: current.location, precision: precision)
                support = CovarianceEstimate.smallest(h, of: distances)
                current = CovarianceEstimate.of(v, cols: p, support: support)
                remaining -= 1
            }
            let det = current.logDeterminant
            let finalDistances = CovarianceEstimate.squaredDistances(v, cols: p, location: current.location, precision: precision)
            var result = Result(estimate: current, support: support, squaredDistances: finalDistances)
            let close = abs(det - previousDet) <= 1e-8 + 1e-5 * abs(previousDet)
            if det != -.infinity, !close, det > previousDet, let previous {
                result = Result(estimate: previous.0, support: previous.1, squaredDistances: previous.2)
            }
            if remaining == 0 { result = Result(estimate: current, support: support, squaredDistances: finalDistances) }
            return result
        }
    }

    /// One feature: the midpoint of the shortest window of h sorted values; support = the h rows
    /// closest to it; variance = their population variance.
    static func shortestHalf(_ x: Matrix, support h: Int) -> Result {
        let n = x.rows
        let values = x.values
        var location: Double
        var support: ArraySlice<Int>
        if h < n {
            let sorted = values.sorted()
            var best = Double.infinity
            for i in 0..<(n - h) { best = min(best, sorted[i + h] - sorted[i]) }
            var sum = 0.0, count = 0.0
            for i in 0..<(n - h) where sorted[i + h] - sorted[i] == best {
                sum += 0.5 * (sorted[i + h] + sorted[i]); count += 1
            }
            location = sum / count
            support = CovarianceEstimate.smallest(h, of: values.map { abs($0 - location) })
        } else {
            location = values.reduce(0, +) / Double(n)
            support = ArraySlice(0..<n)
        }
        let chosen = support.map { values[$0] }
        let mean = chosen.reduce(0, +) / Double(chosen.count)
        let variance = chosen.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(chosen.count)
        let estimate = CovarianceEstimate(location: [location], covariance: [variance])
        let distances = values.map { ($0 - location) * ($0 - location) * estimate.precision[0] }
        return Result(estimate: estimate, support: support, squaredDistances: distances)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    static func permutation(_ n: Int, _ g: inout SeededGenerator) -> [Int] {
        var a = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, g.nextInt(below: i + 1)) }
        }
        return a
    }
}
