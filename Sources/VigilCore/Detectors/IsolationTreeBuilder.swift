/// Grows one isolation tree exactly as scikit-learn 1.9 grows its
/// `ExtraTreeRegressor(max_features=1, splitter="random")` on one bag (`reference/algorithms.md` §1.3):
/// the depth-first builder of `sklearn/tree/_tree.pyx`, the random splitter of `_splitter.pyx`
/// (`node_split_random`), the dense partitioner of `_partitioner.pyx` and the squared-error criterion
/// of `_criterion.pyx`, step for step, so the same random words give the same tree.
///
/// - Nodes are taken from a stack (right child pushed before left); a node is a leaf at the depth
///   limit, with fewer than 2 rows, when its target impurity is ≤ ε (`EPSILON`, 2⁻⁵²), when no split
///   is found, or when the split's impurity improvement + ε < 0.
/// - Features are drawn by the splitter's Fisher–Yates over one `features` array shared by the whole
///   tree, with its known / drawn / found constant bookkeeping and the `constant_features` copy-back.
///   A feature is constant when all its values are NaN, or when it has no NaN and
///   max ≤ min + 1e-7 computed in float32.
/// - Threshold t = (max − min) · r / (2³¹ − 1) + min with r from the splitter's xorshift
///   (`our_rand_r`); with NaNs a second draw picks their side (`r % 2 == 1` → left); t == max → min.
///   Rows are partitioned by x ≤ t; a split leaving one side empty ends the search (leaf).
/// - Without NaNs at a split, NaN at scoring goes to the side that received more rows (ties → right).
struct IsolationTreeBuilder {
    /// The data as float32, row-major `rows × cols` (all rows of X, as scikit-learn keeps them).
    let values: UnsafeBufferPointer<Float>
    let cols: Int
    /// Global column of each of the tree's features, in the order the tree sees them.
    let features: [Int]
    /// The bag: distinct rows with non-zero weight, ascending, with their weights and dummy targets.
    let rows: [Int]
    let weights: [Double]
    let targets: [Double]
    let maxDepth: Int

    /// scikit-learn's `EPSILON` in `_tree.pyx` (`np.finfo('double').eps`).
    static let epsilon = 0x1p-52
    /// `FEATURE_THRESHOLD`, a float32 constant added in float32.
    static let featureThreshold: Float = 1e-7
    /// `RAND_R_MAX`.
    static let randMax: UInt32 = 2_147_483_647

    /// The splitter's state: `our_rand_r`, a 32-bit xorshift (13, 17, 5) reduced mod 2³¹.
    struct SplitterRandom {
        var state: UInt32
        mutating func next() -> UInt32 {
            if state == 0 { state = 1 }
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return state % (IsolationTreeBuilder.randMax + 1)
        }
        /// `rand_int(low, high)`: low + r mod (high − low).
        mutating func int(_ low: Int, _ high: Int) -> Int { low + Int(next()) % (high - low) }
    }

    private struct Pending {
        var start: Int
        var end: Int
        var depth: Int
        var parent: Int
        var isLeft: Bool
        var impurity: Double
        var constantCount: Int
    }

    /// Mutable state of one growth: the splitter's arrays, as in `Splitter`.
    private struct Growth {
        var samples: [Int]
        var featureValues: [Float]
        var order: [Int]
        var constant: [Int]
        var random: SplitterRandom
    }

    /// Grows the tree; `randomState` is the splitter's initial `rand_r_state`.
    func build(randomState: UInt32) -> IsolationTree {
        var tree = IsolationTree()
        let k = features.count
        var g = Growth(samples: Array(0..<rows.count), featureValues: [Float](repeating: 0, count: rows.count),
                       order: Array(0..<k), constant: [Int](repeating: 0, count: k),
                       random: SplitterRandom(state: randomState))
        let totalWeight = weights.reduce(0, +)
        var stack = [Pending(start: 0, end: rows.count, depth: 0, parent: -1, isLeft: false, impurity: .infinity, constantCount: 0)]
        var first = true
        while var item = stack.popLast() {
            let count = item.end - item.start
            var isLeaf = item.depth >= maxDepth || count < 2
            var sums = NodeSums()
            if !isLeaf || first { sums = nodeSums(g.samples, item.start, item.end) }
            if first {
                item.impurity = sums.impurity
                first = false
            }
            isLeaf = isLeaf || item.impurity <= Self.epsilon
            var split: Split?
            if !isLeaf {
                split = findSplit(&g, item: &item, sums: sums, totalWeight: totalWeight)
                if let s = split, s.improvement + Self.epsilon < 0 { split = nil }
                isLeaf = split == nil
            }
            let node = tree.appendNode()
            if item.parent >= 0 {
                if item.isLeft { tree.left[item.parent] = Int32(node) } else { tree.right[item.parent] = Int32(node) }
            }
            guard let s = split, !isLeaf else {
                // scikit-learn's score: (node depth counted from 1) + c(n) − 1, in that order.
                tree.pathLength[node] = (Double(item.depth + 1) + IsolationForest.averagePathLength(count)) - 1.0
                continue
            }
            tree.feature[node] = Int32(features[s.feature])
            tree.threshold[node] = floatRoundedDown(s.threshold)
            tree.missingGoesLeft[node] = s.missingGoesLeft
            stack.append(Pending(start: s.position, end: item.end, depth: item.depth + 1, parent: node, isLeft: false,
                                 impurity: s.impurityRight, constantCount: item.constantCount))
            stack.append(Pending(start: item.start, end: s.position, depth: item.depth + 1, parent: node, isLeft: true,
                                 impurity: s.impurityLeft, constantCount: item.constantCount))
        }
        return tree
    }

    private struct Split {
        var feature: Int
        var threshold: Double
        var missingGoesLeft: Bool
        var position: Int
        var impurityLeft: Double
        var impurityRight: Double
        var improvement: Double
    }

    /// Σ w·y, Σ (w·y)·y and Σ w over a node, in sample order (`RegressionCriterion.init`).
    struct NodeSums {
        var sum = 0.0
        var squares = 0.0
        var weight = 0.0
        /// `MSE.node_impurity`: Σ(w·y²)/W − (Σ w·y / W)².
        var impurity: Double {
            let mean = sum / weight
            return squares / weight - mean * mean
        }
    }

    private func nodeSums(_ samples: [Int], _ start: Int, _ end: Int) -> NodeSums {
        var s = NodeSums()
        for p in start..<end {
            let i = samples[p]
            let wy = weights[i] * targets[i]
            s.sum += wy
            s.squares += wy * targets[i]
            s.weight += weights[i]
        }
        return s
    }

    /// `node_split_random` with `max_features = 1`; updates `item.constantCount`.
    private func findSplit(_ g: inout Growth, item: inout Pending, sums: NodeSums, totalWeight: Double) -> Split? {
        let start = item.start, end = item.end
        let knownConstants = item.constantCount
        var totalConstants = knownConstants
        var foundConstants = 0, drawnConstants = 0, visited = 0
        var fi = features.count
        var best: Split?
        while fi > totalConstants && (visited < 1 || visited <= foundConstants + drawnConstants) {
            visited += 1
            var fj = g.random.int(drawnConstants, fi - foundConstants)
            if fj < knownConstants {
                g.order.swapAt(drawnConstants, fj)
                drawnConstants += 1
                continue
            }
            fj += foundConstants
            let feature = g.order[fj]
            let column = features[feature]
            // find_min_max: values copied in sample order; NaNs counted.
            var minV: Float = .infinity, maxV: Float = -.infinity
            var missing = 0, seen = false
            for p in start..<end {
                let v = values[rows[g.samples[p]] * cols + column]
                g.featureValues[p] = v
                if v.isNaN {
                    missing += 1
                } else if !seen {
                    minV = v
                    maxV = v
                    seen = true
                } else if v < minV {
                    minV = v
                } else if v > maxV {
                    maxV = v
                }
            }
            if end - start == missing || (maxV <= minV + Self.featureThreshold && missing == 0) {
                g.order.swapAt(fj, totalConstants)
                foundConstants += 1
                totalConstants += 1
                continue
            }
            fi -= 1
            g.order.swapAt(fi, fj)
            let lo = Double(minV), hi = Double(maxV)
            var threshold = (hi - lo) * Double(g.random.next()) / Double(Self.randMax) + lo
            let missingLeft = missing > 0 ? g.random.int(0, 2) != 0 : false
            if threshold == hi { threshold = lo }
            // partition_samples: x ≤ t (NaN: the drawn side) stays, others are swapped to the end.
            var left = start, right = end
            while left < right {
                let v = g.featureValues[left]
                if v.isNaN ? missingLeft : Double(v) <= threshold {
                    left += 1
                } else {
                    right -= 1
                    g.featureValues.swapAt(left, right)
                    g.samples.swapAt(left, right)
                }
            }
            let position = right
            let leftCount = position - start, rightCount = end - position
            if leftCount < 1 || rightCount < 1 { continue }
            let (impurityLeft, impurityRight, leftWeight, rightWeight) = childImpurities(g.samples, start, position, end, sums)
            let improvement = (sums.weight / totalWeight)
                * (item.impurity - rightWeight / sums.weight * impurityRight - leftWeight / sums.weight * impurityLeft)
            best = Split(feature: feature, threshold: threshold,
                         missingGoesLeft: missing > 0 ? missingLeft : leftCount > rightCount,
                         position: position, impurityLeft: impurityLeft, impurityRight: impurityRight,
                         improvement: improvement)
        }
        // Known constants keep their original order for siblings and children; newly found ones are
        // appended to the shared list.
        for i in 0..<knownConstants { g.order[i] = g.constant[i] }
        for i in knownConstants..<(knownConstants + foundConstants) { g.constant[i] = g.order[i] }
        item.constantCount = totalConstants
        return best
    }

    /// `criterion.update(pos)` from a reset at `start` (summing the shorter way) and
    /// `MSE.children_impurity`.
    private func childImpurities(_ samples: [Int], _ start: Int, _ pos: Int, _ end: Int,
                                 _ sums: NodeSums) -> (Double, Double, Double, Double) {
        var sumLeft = 0.0, weightLeft = 0.0
        if pos - start <= end - pos {
            for p in start..<pos {
                let i = samples[p]
                sumLeft += weights[i] * targets[i]
                weightLeft += weights[i]
            }
        } else {
            sumLeft = sums.sum
            weightLeft = sums.weight
            var p = end - 1
            while p >= pos {
                let i = samples[p]
                sumLeft -= weights[i] * targets[i]
                weightLeft -= weights[i]
                p -= 1
            }
        }
        let weightRight = sums.weight - weightLeft
        let sumRight = sums.sum - sumLeft
        var squaresLeft = 0.0
        for p in start..<pos {
            let i = samples[p]
            squaresLeft += weights[i] * targets[i] * targets[i]
        }
        let squaresRight = sums.squares - squaresLeft
        let meanLeft = sumLeft / weightLeft, meanRight = sumRight / weightRight
        return (squaresLeft / weightLeft - meanLeft * meanLeft,
                squaresRight / weightRight - meanRight * meanRight,
                weightLeft, weightRight)
    }
}
