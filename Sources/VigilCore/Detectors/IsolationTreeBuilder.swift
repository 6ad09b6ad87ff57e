/// Grows one isolation tree on a subsample, with scikit-learn 1.9's random-splitter rules
/// (`sklearn/tree/_splitter.pyx` `node_split_random`, `reference/algorithms.md` §1.3):
/// - a node is a leaf at the depth limit, with fewer than 2 rows, or when every feature is constant;
/// - features are drawn uniformly without replacement; a constant feature (max ≤ min + 1e-7 over the
///   node's rows) is remembered for the subtree and another is drawn (it does not use up the budget);
/// - threshold t = min + (max − min)·u, u ∈ [0, 1); if t == max then t = min; x ≤ t goes left;
/// - NaNs at a split go to one side chosen with probability ½ (the side is stored); a node whose
///   rows held no NaN sends NaN to the child that received more rows (ties → right). When the
///   non-NaN values are all on one side, the NaNs go to the other side.
struct IsolationTreeBuilder {
    /// Subsample values, row-major `rows × features.count`, as float32 (scikit-learn casts X).
    let data: [Float]
    let rows: Int
    /// Global column index of each local feature.
    let features: [Int]
    let maxDepth: Int

    static let featureThreshold: Double = 1e-7

    func build(generator: inout SeededGenerator) -> IsolationTree {
        var tree = IsolationTree()
        let k = features.count
        var index = Array(0..<rows)
        struct Pending {
            var node: Int
            var start: Int
            var end: Int
            var depth: Int
            var constant: [Bool]
        }
        let root = tree.appendNode()
        var stack = [Pending(node: root, start: 0, end: rows, depth: 0, constant: [Bool](repeating: false, count: k))]
        var candidates = [Int]()
        candidates.reserveCapacity(k)

        data.withUnsafeBufferPointer { x in
            while var item = stack.popLast() {
                let count = item.end - item.start
                if item.depth >= maxDepth || count < 2 {
                    tree.pathLength[item.node] = Double(item.depth) + IsolationForest.averagePathLength(count)
                    continue
                }
                // Draw features until one is not constant on this node.
                candidates.removeAll(keepingCapacity: true)
                for f in 0..<k where !item.constant[f] { candidates.append(f) }
                var chosen = -1
                var lo = 0.0, hi = 0.0, nanCount = 0
                var remaining = candidates.count
                while remaining > 0 {
                    let pick = generator.nextInt(below: remaining)
                    let f = candidates[pick]
                    candidates.swapAt(pick, remaining - 1)
                    remaining -= 1
                    var minV = Float.infinity, maxV = -Float.infinity, nans = 0
                    for p in item.start..<item.end {
                        let v = x[index[p] * k + f]
                        if v.isNaN { nans += 1; continue }
                        if v < minV { minV = v }
                        if v > maxV { maxV = v }
                    }
                    let allNaN = nans == count
                    let flat = Double(maxV) <= Double(minV) + Self.featureThreshold
                    if allNaN || (flat && nans == 0) {
                        item.constant[f] = true
                        continue
                    }
                    chosen = f
                    lo = Double(minV)
                    hi = Double(maxV)
                    nanCount = nans
                    break
                }
                if chosen < 0 {
                    tree.pathLength[item.node] = Double(item.depth) + IsolationForest.averagePathLength(count)
                    continue
                }
                var t = lo + (hi - lo) * generator.nextUnit()
                if t == hi { t = lo }
                let nanLeftDraw = nanCount > 0 ? generator.nextInt(below: 2) == 0 : false
                let stored = floatRoundedDown(t)

                // Partition the non-NaN rows: x ≤ t first; NaNs are kept at the end.
                var write = item.start
                var nanStart = item.end
                var p = item.start
                while p < nanStart {
                    let v = x[index[p] * k + chosen]
                    if v.isNaN {
                        nanStart -= 1
                        index.swapAt(p, nanStart)
                    } else {
                        if v <= stored { index.swapAt(p, write); write += 1 }
                        p += 1
                    }
                }
                let leftNonNaN = write - item.start
                let rightNonNaN = nanStart - write
                let nanLeft: Bool
                if nanCount == 0 {
                    // Scoring-time NaN goes to the side with more training rows, ties to the right.
                    nanLeft = leftNonNaN > rightNonNaN
                } else if leftNonNaN == 0 {
                    nanLeft = true
                } else if rightNonNaN == 0 {
                    nanLeft = false
                } else {
                    nanLeft = nanLeftDraw
                }
                // Lay out [left rows | right rows] with NaNs placed on their side.
                var splitAt = write
                if nanCount > 0 && nanLeft {
                    // Move the NaN block (at the end) to just after the left block.
                    var a = write, b = nanStart
                    while b < item.end { index.swapAt(a, b); a += 1; b += 1 }
                    splitAt = write + nanCount
                }
                let leftNode = tree.appendNode()
                let rightNode = tree.appendNode()
                tree.feature[item.node] = Int32(features[chosen])
                tree.threshold[item.node] = stored
                tree.left[item.node] = Int32(leftNode)
                tree.right[item.node] = Int32(rightNode)
                tree.missingGoesLeft[item.node] = nanLeft
                stack.append(Pending(node: rightNode, start: splitAt, end: item.end, depth: item.depth + 1, constant: item.constant))
                stack.append(Pending(node: leftNode, start: item.start, end: splitAt, depth: item.depth + 1, constant: item.constant))
            }
        }
        return tree
    }
}
