/// A k-d tree over training rows for exact Euclidean k-nearest-neighbour queries in low dimensions
/// (Friedman, Bentley & Finkel 1977; incremental box distance of Arya & Mount 1993).
///
/// Rows are copied in tree order into one contiguous buffer; each node splits its range at the
/// median of its widest dimension, leaves hold at most `leafSize` rows.
struct KDTree: Sendable {
    struct Node: Sendable {
        /// Range of `points` rows (tree order) under this node.
        var start: Int32
        var end: Int32
        /// Split dimension, −1 for a leaf.
        var dimension: Int32
        /// Children (left = values ≤ split); unused for a leaf.
        var left: Int32
        var right: Int32
        var split: Double
    }

    let cols: Int
    /// Training rows in tree order, row-major.
    let points: [Double]
    /// Original row index of each tree-order row.
    let order: [Int]
    let nodes: [Node]
    static let leafSize = 24

    init(_ x: Matrix) {
        cols = x.cols
        var order = Array(0..<x.rows)
        var nodes = [Node]()
        nodes.reserveCapacity(2 * x.rows / Self.leafSize + 2)
        x.values.withUnsafeBufferPointer { v in
            order.withUnsafeMutableBufferPointer { o in
                _ = Self.build(v, cols: x.cols, order: o, start: 0, end: x.rows, nodes: &nodes)
            }
        }
        var points = [Double](repeating: 0, count: x.rows * x.cols)
        for (t, r) in order.enumerated() {
            for c in 0..<x.cols { points[t * x.cols + c] = x.values[r * x.cols + c] }
        }
        self.points = points
        self.order = order
        self.nodes = nodes
    }

    /// Builds the subtree over `order[start..<end]`, returning its node index.
    private static func build(_ v: UnsafeBufferPointer<Double>, cols: Int, order: UnsafeMutableBufferPointer<Int>,
                              start: Int, end: Int, nodes: inout [Node]) -> Int32 {
        let id = Int32(nodes.count)
        nodes.append(Node(start: Int32(start), end: Int32(end), dimension: -1, left: -1, right: -1, split: 0))
        guard end - start > leafSize else { return id }
        var bestDim = 0, bestSpread = -1.0
        for c in 0..<cols {
            var lo = Double.infinity, hi = -Double.infinity
            for t in start..<end {
                let value = v[order[t] * cols + c]
                lo = min(lo, value); hi = max(hi, value)
            }
            if hi - lo > bestSpread { bestSpread = hi - lo; bestDim = c }
        }
        guard bestSpread > 0 else { return id }  // all rows equal: one leaf
        let mid = (start + end) / 2
        select(v, cols: cols, dim: bestDim, order: order, lo: start, hi: end - 1, nth: mid)
        let split = v[order[mid] * cols + bestDim]
        let left = build(v, cols: cols, order: order, start: start, end: mid, nodes: &nodes)
        let right = build(v, cols: cols, order: order, start: mid, end: end, nodes: &nodes)
        nodes[Int(id)].dimension = Int32(bestDim)
        nodes[Int(id)].left = left
        nodes[Int(id)].right = right
        nodes[Int(id)].split = split
        return id
    }

    /// Quickselect: afterwards order[nth] holds the nth smallest value of `dim` in [lo, hi], with
    /// smaller-or-equal values before it and greater-or-equal after.
    private static func select(_ v: UnsafeBufferPointer<Double>, cols: Int, dim: Int,
                               order: UnsafeMutableBufferPointer<Int>, lo: Int, hi: Int, nth: Int) {
        var lo = lo, hi = hi
        while lo < hi {
            let pivot = v[order[(lo + hi) / 2] * cols + dim]
            var i = lo, j = hi
            while i <= j {
                while v[order[i] * cols + dim] < pivot { i += 1 }
                while v[order[j] * cols + dim] > pivot { j -= 1 }
                if i <= j { order.swapAt(i, j); i += 1; j -= 1 }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { return }
        }
    }

    /// Offers every training row to `best` in order of the tree search for `query`, skipping the
    /// training row `excluded` (−1 for none). `offsets` is scratch of length `cols`, all zero.
    func search(_ query: UnsafePointer<Double>, excluded: Int, best: inout NearestCandidates,
                offsets: UnsafeMutablePointer<Double>) {
        nodes.withUnsafeBufferPointer { n in
            points.withUnsafeBufferPointer { p in
                order.withUnsafeBufferPointer { o in
                    visit(0, lowerBound: 0, query, excluded, &best, offsets, n, p, o)
                }
            }
        }
    }

    private func visit(_ id: Int, lowerBound: Double, _ q: UnsafePointer<Double>, _ excluded: Int,
                       _ best: inout NearestCandidates, _ offsets: UnsafeMutablePointer<Double>,
                       _ n: UnsafeBufferPointer<Node>, _ p: UnsafeBufferPointer<Double>, _ o: UnsafeBufferPointer<Int>) {
        let node = n[id]
        if node.dimension < 0 {
            for t in Int(node.start)..<Int(node.end) {
                var d2 = 0.0
                let base = t * cols
                for c in 0..<cols {
                    let diff = q[c] - p[base + c]
                    d2 += diff * diff
                }
                let row = o[t]
                if row != excluded { best.offer(d2, row) }
            }
            return
        }
        let dim = Int(node.dimension)
        let diff = q[dim] - node.split
        let (near, far) = diff <= 0 ? (Int(node.left), Int(node.right)) : (Int(node.right), Int(node.left))
        visit(near, lowerBound: lowerBound, q, excluded, &best, offsets, n, p, o)
        let old = offsets[dim]
        let farBound = lowerBound - old * old + diff * diff
        if farBound < best.worst {
            offsets[dim] = diff
            visit(far, lowerBound: farBound, q, excluded, &best, offsets, n, p, o)
            offsets[dim] = old
        }
    }
}
