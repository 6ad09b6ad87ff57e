/// Exact Euclidean k-nearest-neighbour search over a training matrix: a k-d tree up to
/// `kdTreeMaxFeatures` features, a brute-force scan (with partial-distance cut-off) above that,
/// where trees stop pruning. Queries run in parallel over row chunks; results do not depend on
/// the number of threads.
///
/// Distances equal scikit-learn's `NearestNeighbors.kneighbors` (Euclidean) up to rounding; the
/// order of neighbours at exactly equal distance may differ.
public struct NearestNeighbourIndex: Sendable {
    /// Above this many features the brute-force scan is used.
    public static let kdTreeMaxFeatures = 40

    /// The training rows.
    public let training: Matrix
    private let tree: KDTree?

    /// Indexes the rows of `training`.
    public init(_ training: Matrix) {
        self.training = training
        tree = training.cols <= Self.kdTreeMaxFeatures ? KDTree(training) : nil
    }

    /// The `k` nearest training rows of each row of `queries`. With `excludingSelf`, `queries` must be
    /// the training matrix and row r never counts itself (scikit-learn's `kneighbors()` without X):
    /// then k ≤ rows − 1, else k ≤ rows.
    public func neighbours(of queries: Matrix, k: Int, excludingSelf: Bool) -> NeighbourTable {
        precondition(k >= 1 && k <= training.rows - (excludingSelf ? 1 : 0), "k out of range")
        precondition(queries.cols == training.cols, "feature count mismatch")
        var table = NeighbourTable(rows: queries.rows, k: k)
        let cols = training.cols
        table.distances.withUnsafeMutableBufferPointer { dist in
            table.indices.withUnsafeMutableBufferPointer { ids in
                queries.values.withUnsafeBufferPointer { q in
                    training.values.withUnsafeBufferPointer { t in
                        nonisolated(unsafe) let dist = dist, ids = ids, q = q, t = t
                        Parallel.forEachChunk(queries.rows, minChunk: 64) { range in
                            var best = NearestCandidates(k: k)
                            var offsets = [Double](repeating: 0, count: max(cols, 1))
                            offsets.withUnsafeMutableBufferPointer { off in
                                for r in range {
                                    best.reset()
                                    let query = q.baseAddress! + r * cols
                                    let excluded = excludingSelf ? r : -1
                                    if let tree {
                                        tree.search(query, excluded: excluded, best: &best, offsets: off.baseAddress!)
                                    } else {
                                        Self.scan(query, cols: cols, training: t, excluded: excluded, best: &best)
                                    }
                                    best.write(into: dist, ids, row: r)
                                }
                            }
                        }
                    }
                }
            }
        }
        return table
    }

    /// Offers every training row to `best`, abandoning a row's sum once it exceeds the current k-th.
    private static func scan(_ query: UnsafePointer<Double>, cols: Int, training t: UnsafeBufferPointer<Double>,
                             excluded: Int, best: inout NearestCandidates) {
        let rows = t.count / max(cols, 1)
        let block = 16
        for row in 0..<rows where row != excluded {
            let base = row * cols
            var d2 = 0.0
            var c = 0
            let limit = best.worst
            while c < cols {
                let end = min(cols, c + block)
                var s0 = 0.0, s1 = 0.0
                var j = c
                while j + 1 < end {
                    let a = query[j] - t[base + j], b = query[j + 1] - t[base + j + 1]
                    s0 += a * a; s1 += b * b
                    j += 2
                }
                if j < end { let a = query[j] - t[base + j]; s0 += a * a }
                d2 += s0 + s1
                if d2 >= limit { break }
                c = end
            }
            if d2 < limit { best.offer(d2, row) }
        }
    }
}
