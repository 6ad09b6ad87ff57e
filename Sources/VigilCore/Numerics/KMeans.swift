#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// k-means clustering with scikit-learn 1.9's `KMeans(n_clusters=k)` semantics
/// (`sklearn/cluster/_kmeans.py`): one k-means++ initialisation (`n_init="auto"`), then Lloyd
/// iterations until the labels stop changing or the total squared centre shift is ≤ tol·mean(var(X))
/// (tol = 1e-4), at most 300 iterations. A cluster that empties is moved to the row farthest from
/// its centre, as scikit-learn's `_relocate_empty_clusters_dense`.
///
/// k-means++ (Arthur & Vassilvitskii 2007, greedy variant): the first centre is a uniform row; each
/// next one is the best (lowest potential Σ min-distance²) of 2 + ⌊ln k⌋ rows drawn with probability
/// ∝ squared distance to the nearest chosen centre. The random stream is Vigil's, so the clusters
/// equal scikit-learn's in law, not bit for bit. Rows are assigned in parallel in fixed blocks and the
/// block sums added in order, so the result depends on the seed only, not on the thread count.
public struct KMeans: Sendable, Equatable {
    /// Cluster centres, row-major (k × features).
    public let centers: [Double]
    /// Number of clusters.
    public let clusterCount: Int
    /// Number of features.
    public let featureCount: Int
    /// The cluster of each training row.
    public let labels: [Int]
    /// Lloyd iterations run.
    public let iterations: Int

    static let blockRows = 4096

    /// Clusters the rows of `x` (n ≥ k ≥ 1, finite values are the caller's check).
    public static func fit(_ x: Matrix, clusters k: Int, seed: UInt64, maxIterations: Int = 300,
                           tolerance: Double = 1e-4) -> KMeans {
        let n = x.rows, d = x.cols
        precondition(k >= 1 && n >= k, "k-means needs 1 ≤ k ≤ rows")
        var rng = SeededGenerator(seed: seed)
        var centers = plusPlusCenters(x, k: k, rng: &rng)
        let tol = tolerance * meanColumnVariance(x)
        var labels = [Int](repeating: -1, count: n)
        var strict = false
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            let (newLabels, sums, counts) = assign(x, centers: centers, k: k)
            var newCenters = sums
            var weights = counts
            relocateEmpty(x, labels: newLabels, oldCenters: centers, newSums: &newCenters, counts: &weights, k: k)
            for c in 0..<k where weights[c] > 0 {
                for j in 0..<d { newCenters[c * d + j] /= Double(weights[c]) }
            }
            for c in 0..<k where weights[c] == 0 {  // nothing to relocate to: keep the old centre
                for j in 0..<d { newCenters[c * d + j] = centers[c * d + j] }
            }
            var shift = 0.0
            for i in 0..<(k * d) { shift += (newCenters[i] - centers[i]) * (newCenters[i] - centers[i]) }
            centers = newCenters
            if newLabels == labels {
                strict = true
                break
            }
            labels = newLabels
            if shift <= tol { break }
        }
        if !strict { labels = assign(x, centers: centers, k: k).labels }
        return KMeans(centers: centers, clusterCount: k, featureCount: d, labels: labels, iterations: iteration)
    }

    /// Index of the centre nearest to `row` (the first on ties) and the squared distance to it.
    @inlinable
    public static func nearest(_ row: UnsafePointer<Double>, centers: UnsafePointer<Double>, k: Int, d: Int) -> (Int, Double) {
        var best = 0, bestDistance = Double.infinity
        for c in 0..<k {
            let center = centers + c * d
            var s = 0.0
            for j in 0..<d {
                let diff = row[j] - center[j]
                s += diff * diff
            }
            if s < bestDistance {
                bestDistance = s
                best = c
            }
        }
        return (best, bestDistance)
    }

    /// Labels of every row and the per-cluster sums and counts, computed in fixed blocks.
    static func assign(_ x: Matrix, centers: [Double], k: Int) -> (labels: [Int], sums: [Double], counts: [Int]) {
        let n = x.rows, d = x.cols
        let blocks = (n + blockRows - 1) / blockRows
        var labels = [Int](repeating: 0, count: n)
        var sums = [Double](repeating: 0, count: blocks * k * d)
        var counts = [Int](repeating: 0, count: blocks * k)
        labels.withUnsafeMutableBufferPointer { l in
            sums.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { cnt in
                    nonisolated(unsafe) let (l, s, cnt) = (l, s, cnt)
                    x.values.withUnsafeBufferPointer { v in
                        centers.withUnsafeBufferPointer { cv in
                            Parallel.forEach(blocks) { b in
                                let blockSums = s.baseAddress! + b * k * d
                                for r in (b * blockRows)..<min(n, (b + 1) * blockRows) {
                                    let row = v.baseAddress! + r * d
                                    let (c, _) = nearest(row, centers: cv.baseAddress!, k: k, d: d)
                                    l[r] = c
                                    cnt[b * k + c] += 1
                                    for j in 0..<d { blockSums[c * d + j] += row[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
        var totalSums = [Double](repeating: 0, count: k * d)
        var totalCounts = [Int](repeating: 0, count: k)
        for b in 0..<blocks {
            for i in 0..<(k * d) { totalSums[i] += sums[b * k * d + i] }
            for c in 0..<k { totalCounts[c] += counts[b * k + c] }
        }
        return (labels, totalSums, totalCounts)
    }

    /// Moves each empty cluster onto the row farthest from its (old) centre, taking that row out of
    /// its own cluster's sums, as scikit-learn does.
    static func relocateEmpty(_ x: Matrix, labels: [Int], oldCenters: [Double], newSums: inout [Double],
                              counts: inout [Int], k: Int) {
        let empty = (0..<k).filter { counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        let d = x.cols
        var distances = [Double](repeating: 0, count: x.rows)
        for r in 0..<x.rows {
            var s = 0.0
            for j in 0..<d {
                let diff = x[r, j] - oldCenters[labels[r] * d + j]
                s += diff * diff
            }
            distances[r] = s
        }
        guard let farthest = distances.max(), farthest > 0 else { return }
        let far = distances.indices.sorted { distances[$0] > distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
        for (i, cluster) in empty.enumerated() where i < far.count {
            let r = far[i], old = labels[r]
            for j in 0..<d {
                newSums[old * d + j] -= x[r, j]
                newSums[cluster * d + j] = x[r, j]
            }
            counts[cluster] = 1
            counts[old] -= 1
        }
    }

    /// Mean over columns of the population variance (scikit-learn's `_tolerance` scale).
    static func meanColumnVariance(_ x: Matrix) -> Double {
        let scaler = StandardScaler(fitting: x)
        var total = 0.0
        for c in 0..<x.cols {
            var s = 0.0
            for r in 0..<x.rows {
                let dev = x[r, c] - scaler.means[c]
                s += dev * dev
            }
            total += s / Double(x.rows)
        }
        return total / Double(max(x.cols, 1))
    }

    /// Greedy k-means++ seeding.
    static func plusPlusCenters(_ x: Matrix, k: Int, rng: inout SeededGenerator) -> [Double] {
        let n = x.rows, d = x.cols
        var centers = [Double](repeating: 0, count: k * d)
        var chosen = rng.nextInt(below: n)
        for j in 0..<d { centers[j] = x[chosen, j] }
        var closest = squaredDistances(x, to: chosen)
        var potential = closest.reduce(0, +)
        let trials = 2 + Int(log(Double(k)))
        for c in 1..<max(k, 1) {
            var cumulative = [Double](repeating: 0, count: n)
            var running = 0.0
            for i in 0..<n {
                running += closest[i]
                cumulative[i] = running
            }
            var bestPotential = Double.infinity
            var bestDistances = closest
            for _ in 0..<trials {
                let target = rng.nextUnit() * potential
                var lo = 0, hi = n  // first index with cumulative ≥ target
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
                }
                let candidate = min(lo, n - 1)
                var distances = squaredDistances(x, to: candidate)
                var candidatePotential = 0.0
                for i in 0..<n {
                    distances[i] = min(distances[i], closest[i])
                    candidatePotential += distances[i]
                }
                if candidatePotential < bestPotential {
                    bestPotential = candidatePotential
                    bestDistances = distances
                    chosen = candidate
                }
            }
            for j in 0..<d { centers[c * d + j] = x[chosen, j] }
            closest = bestDistances
            potential = bestPotential
        }
        return centers
    }

    static func squaredDistances(_ x: Matrix, to row: Int) -> [Double] {
        let n = x.rows, d = x.cols
        var out = [Double](repeating: 0, count: n)
        x.values.withUnsafeBufferPointer { v in
            let center = v.baseAddress! + row * d
            for r in 0..<n {
                var s = 0.0
                for j in 0..<d {
                    let diff = v[r * d + j] - center[j]
                    s += diff * diff
                }
                out[r] = s
            }
        }
        return out
    }
}
