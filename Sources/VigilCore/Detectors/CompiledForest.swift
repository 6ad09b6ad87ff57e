/// Isolation trees re-laid as perfect binary trees for branch-free batch scoring.
///
/// Every tree becomes 2^D − 1 internal slots (feature, float32 threshold) and 2^D leaf slots
/// (path length), D = the depth limit. A leaf shallower than D is padded with splits that always go
/// left, carrying its path length down, so every row takes exactly D steps:
/// slot ← 2·slot + 1 + (x[f] > t). Rows are walked in blocks, level by level, which keeps many
/// independent walks in flight. Only used for NaN-free rows and D ≤ 12; other rows take the
/// node-by-node path.
struct CompiledForest: Sendable {
    let depth: Int
    let treeCount: Int
    let internalCount: Int
    let leafCount: Int
    /// Internal slots, tree after tree.
    let nodes: [Split]
    let leafValue: [Double]

    /// One internal slot: 8 bytes, read with one load.
    struct Split: Sendable {
        var threshold: Float
        var feature: Int32
    }

    static let maxDepth = 12
    static let blockRows = 64

    init?(trees: [IsolationTree], depth: Int) {
        guard depth >= 1, depth <= Self.maxDepth, !trees.isEmpty else { return nil }
        for tree in trees where tree.maxDepth > depth { return nil }
        self.depth = depth
        treeCount = trees.count
        internalCount = (1 << depth) - 1
        leafCount = 1 << depth
        var nodes = [Split](repeating: Split(threshold: .infinity, feature: 0), count: trees.count * internalCount)
        var leafValue = [Double](repeating: 0, count: trees.count * leafCount)
        for (t, tree) in trees.enumerated() {
            let internalBase = t * internalCount
            let leafBase = t * leafCount
            // (tree node, perfect slot, level)
            var stack: [(Int, Int, Int)] = [(0, 0, 0)]
            while let (node, slot, level) = stack.popLast() {
                if level == depth {
                    leafValue[leafBase + slot - internalCount] = tree.pathLength[node]
                    continue
                }
                if tree.feature[node] < 0 {
                    // Padding: always left; the right subtree is unreachable but filled alike.
                    stack.append((node, 2 * slot + 1, level + 1))
                    stack.append((node, 2 * slot + 2, level + 1))
                } else {
                    nodes[internalBase + slot] = Split(threshold: tree.threshold[node], feature: tree.feature[node])
                    stack.append((Int(tree.left[node]), 2 * slot + 1, level + 1))
                    stack.append((Int(tree.right[node]), 2 * slot + 2, level + 1))
                }
            }
        }
        self.nodes = nodes
        self.leafValue = leafValue
    }

    /// Writes Σ_trees h(x) for each row in `rows` (NaN-free) into `sums`.
    func addPathLengths(values: UnsafeBufferPointer<Float>, cols: Int, rows: Range<Int>,
                        into sums: UnsafeMutableBufferPointer<Double>) {
        let block = Self.blockRows
        let slot = UnsafeMutablePointer<Int>.allocate(capacity: block)
        let total = UnsafeMutablePointer<Double>.allocate(capacity: block)
        let rowStart = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: block)
        defer {
            slot.deallocate()
            total.deallocate()
            rowStart.deallocate()
        }
        nodes.withUnsafeBufferPointer { nodeBuffer in
            leafValue.withUnsafeBufferPointer { leaves in
                let allNodes = nodeBuffer.baseAddress!
                let allLeaves = leaves.baseAddress!
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let count = min(block, rows.upperBound - start)
                    for i in 0..<count {
                        total[i] = 0
                        rowStart[i] = values.baseAddress! + (start + i) * cols
                    }
                    for t in 0..<treeCount {
                        let tree = allNodes + t * internalCount
                        for i in 0..<count { slot[i] = 0 }
                        for _ in 0..<depth {
                            for i in 0..<count {
                                let s = slot[i]
                                let split = tree[s]
                                let v = rowStart[i][Int(split.feature)]
                                slot[i] = 2 &* s &+ 1 &+ Int(truncatingIfNeeded: (v > split.threshold) ? 1 : 0)
                            }
                        }
                        let leafBase = allLeaves + (t * leafCount - internalCount)
                        for i in 0..<count { total[i] += leafBase[slot[i]] }
                    }
                    for i in 0..<count { sums[start + i] = total[i] }
                    start += count
                }
            }
        }
    }
}
