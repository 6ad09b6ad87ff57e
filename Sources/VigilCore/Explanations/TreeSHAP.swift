/// Exact path-dependent TreeSHAP (Lundberg, Erion et al. 2020, "From local explanations to global
/// understanding with explainable AI for trees", Algorithm 2) over a plain tree representation, so
/// that every tree model (Isolation Forest, boosted or bagged trees) shares one routine.
///
/// For a tree f and a row x, the value of a feature set S is E[f(x) | x_S] estimated by following
/// x on the features in S and, at every other split, both children weighted by their training
/// cover (r_child / r_node). φ_j is feature j's Shapley value of that game; φ_0 = v(∅) is the
/// cover-weighted mean of the leaf values, and φ_0 + Σ_j φ_j = f(x). The algorithm tracks, along
/// each root-to-leaf path, the features met so far with their "zero" fraction (share of cover that
/// flows this way when the feature is unknown) and "one" fraction (1 when x goes this way), and the
/// weights of every subset size, in O(L·D²) per tree (L leaves, D depth).
public enum TreeSHAP {
    /// One binary regression tree as flat node arrays. Node 0 is the root; node i is a leaf when
    /// `feature[i] < 0`. A row goes left when `x[feature] <= threshold` (scikit-learn's rule), and
    /// NaN goes left when `missingGoesLeft`.
    public struct Tree: Sendable, Equatable, Codable {
        /// Split column, or −1 for a leaf.
        public let feature: [Int32]
        /// Split threshold.
        public let threshold: [Double]
        /// Left child (x ≤ threshold), −1 for a leaf.
        public let left: [Int32]
        /// Right child, −1 for a leaf.
        public let right: [Int32]
        /// Where NaN goes at each split.
        public let missingGoesLeft: [Bool]
        /// The tree's output at each leaf (internal nodes' entries are not read).
        public let value: [Double]
        /// Training weight (row count, or sum of weights) that reached each node; a node's cover
        /// should be its children's sum.
        public let cover: [Double]

        /// A tree from its node arrays (all of one length, children indices valid).
        public init(feature: [Int32], threshold: [Double], left: [Int32], right: [Int32],
                    missingGoesLeft: [Bool]? = nil, value: [Double], cover: [Double]) throws {
            let n = feature.count
            guard n > 0, threshold.count == n, left.count == n, right.count == n, value.count == n, cover.count == n,
                  (missingGoesLeft?.count ?? n) == n else {
                throw VigilError.shapeMismatch(expected: "\(n) entries in every node array", got: "arrays of different lengths")
            }
            for i in 0..<n where feature[i] >= 0 {
                guard left[i] > Int32(i), right[i] > Int32(i), Int(left[i]) < n, Int(right[i]) < n else {
                    throw VigilError.invalidParameter(name: "tree", value: "node \(i)", allowed: "children after their parent and inside the tree")
                }
            }
            self.init(unchecked: feature, threshold: threshold, left: left, right: right,
                      missingGoesLeft: missingGoesLeft ?? [Bool](repeating: true, count: n), value: value, cover: cover)
        }

        private enum CodingKeys: String, CodingKey {
            case feature, threshold, left, right, missingGoesLeft, value, cover
        }

        /// Decodes a tree, checking its arrays as `init(feature:…)` does (`missingGoesLeft` optional).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(feature: try c.decode([Int32].self, forKey: .feature), threshold: try c.decode([Double].self, forKey: .threshold),
                          left: try c.decode([Int32].self, forKey: .left), right: try c.decode([Int32].self, forKey: .right),
                          missingGoesLeft: try c.decodeIfPresent([Bool].self, forKey: .missingGoesLeft),
                          value: try c.decode([Double].self, forKey: .value), cover: try c.decode([Double].self, forKey: .cover))
        }

        /// A tree whose arrays the caller knows to be consistent.
        init(unchecked feature: [Int32], threshold: [Double], left: [Int32], right: [Int32],
             missingGoesLeft: [Bool], value: [Double], cover: [Double]) {
            self.feature = feature
            self.threshold = threshold
            self.left = left
            self.right = right
            self.missingGoesLeft = missingGoesLeft
            self.value = value
            self.cover = cover
            maxDepth = TreeSHAP.depth(feature: feature, left: left, right: right)
        }

        /// Number of nodes.
        public var nodeCount: Int { feature.count }

        /// Edges from the root to the deepest leaf.
        public let maxDepth: Int

        /// The leaf value x reaches.
        public func predict(_ x: UnsafeBufferPointer<Double>) -> Double {
            var node = 0
            while feature[node] >= 0 { node = child(node, x) }
            return value[node]
        }

        /// φ_0: the cover-weighted mean of the leaf values, E(node) = Σ_child r_child·E(child) / r_node
        /// (the value of the empty coalition in path-dependent TreeSHAP).
        public var expectedValue: Double { expected(0) }

        private func expected(_ node: Int) -> Double {
            if feature[node] < 0 { return value[node] }
            let l = Int(left[node]), r = Int(right[node])
            let total = cover[l] + cover[r]
            guard total > 0 else { return 0.5 * (expected(l) + expected(r)) }
            return (cover[l] * expected(l) + cover[r] * expected(r)) / total
        }

        @inline(__always)
        func child(_ node: Int, _ x: UnsafeBufferPointer<Double>) -> Int {
            let v = x[Int(feature[node])]
            let goLeft = v.isNaN ? missingGoesLeft[node] : v <= threshold[node]
            return Int(goLeft ? left[node] : right[node])
        }
    }

    /// Edges from the root to the deepest leaf of a flat tree (node i a leaf when `feature[i] < 0`).
    static func depth(feature: [Int32], left: [Int32], right: [Int32]) -> Int {
        var deepest = 0
        var stack: [(Int, Int)] = [(0, 0)]
        while let (node, depth) = stack.popLast() {
            if feature[node] < 0 {
                deepest = max(deepest, depth)
            } else {
                stack.append((Int(left[node]), depth + 1))
                stack.append((Int(right[node]), depth + 1))
            }
        }
        return deepest
    }

    /// One entry of the feature path: the feature, its zero and one fractions, and the weight of
    /// the subsets of the size this position stands for.
    struct PathElement {
        var feature: Int32
        var zero: Double
        var one: Double
        var weight: Double
    }

    /// Scratch for one thread: the path segments of every recursion level.
    public struct Workspace {
        var path: [PathElement]

        /// Room for trees up to `depth` levels deep.
        public init(depth: Int) {
            let d = max(depth, 0) + 2
            path = [PathElement](repeating: PathElement(feature: -1, zero: 0, one: 0, weight: 0), count: d * (d + 1) / 2 + d)
        }

        mutating func reserve(depth: Int) {
            let d = depth + 2
            let needed = d * (d + 1) / 2 + d
            if path.count < needed { path += [PathElement](repeating: path.first ?? PathElement(feature: -1, zero: 0, one: 0, weight: 0), count: needed - path.count) }
        }
    }

    /// Adds `scale · φ_j(x)` of `tree` to `phi[j]` for every feature j (`phi` has one entry per
    /// column of x). `workspace` must have room for the tree's depth.
    public static func addContributions(of tree: Tree, row x: UnsafeBufferPointer<Double>, scale: Double,
                                        into phi: UnsafeMutablePointer<Double>, workspace: inout Workspace) {
        if tree.feature[0] < 0 { return }  // a single leaf: every feature contributes 0
        workspace.reserve(depth: tree.maxDepth)
        tree.feature.withUnsafeBufferPointer { feature in
            tree.threshold.withUnsafeBufferPointer { threshold in
                tree.left.withUnsafeBufferPointer { left in
                    tree.right.withUnsafeBufferPointer { right in
                        tree.missingGoesLeft.withUnsafeBufferPointer { missing in
                            tree.value.withUnsafeBufferPointer { value in
                                tree.cover.withUnsafeBufferPointer { cover in
                                    workspace.path.withUnsafeMutableBufferPointer { path in
                                        let view = NodeView(feature: feature, threshold: threshold, left: left, right: right,
                                                            missingGoesLeft: missing, value: value, cover: cover)
                                        recurse(view, node: 0, row: x, phi: phi, scale: scale, path: path.baseAddress!,
                                                count: 0, zero: 1, one: 1, splitFeature: -1)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The node arrays as raw buffers for the recursion.
    struct NodeView {
        let feature: UnsafeBufferPointer<Int32>
        let threshold: UnsafeBufferPointer<Double>
        let left: UnsafeBufferPointer<Int32>
        let right: UnsafeBufferPointer<Int32>
        let missingGoesLeft: UnsafeBufferPointer<Bool>
        let value: UnsafeBufferPointer<Double>
        let cover: UnsafeBufferPointer<Double>
    }

    /// RECURSE of Algorithm 2: `path[0..<count]` is this call's own copy of the parent's path; the
    /// call extends it with (splitFeature, zero, one), then either credits the leaf's value to the
    /// path's features or descends into both children with the next segment after its own.
    private static func recurse(_ t: NodeView, node: Int, row x: UnsafeBufferPointer<Double>,
                                phi: UnsafeMutablePointer<Double>, scale: Double, path: UnsafeMutablePointer<PathElement>,
                                count parentCount: Int, zero: Double, one: Double, splitFeature: Int32) {
        var count = parentCount
        extend(path, count: &count, zero: zero, one: one, feature: splitFeature)
        let f = t.feature[node]
        if f < 0 {
            let leafValue = t.value[node] * scale
            for i in 1..<count {
                let element = path[i]
                let w = unwoundSum(path, count: count, index: i)
                phi[Int(element.feature)] += w * (element.one - element.zero) * leafValue
            }
            return
        }
        let v = x[Int(f)]
        let goLeft = v.isNaN ? t.missingGoesLeft[node] : v <= t.threshold[node]
        let hot = Int(goLeft ? t.left[node] : t.right[node])
        let cold = Int(goLeft ? t.right[node] : t.left[node])
        var incomingZero = 1.0, incomingOne = 1.0
        var k = 1
        while k < count && path[k].feature != f { k += 1 }
        if k < count {
            incomingZero = path[k].zero
            incomingOne = path[k].one
            unwind(path, count: &count, index: k)
        }
        let nodeCover = t.cover[node]
        let hotShare = nodeCover > 0 ? t.cover[hot] / nodeCover : 0
        let coldShare = nodeCover > 0 ? t.cover[cold] / nodeCover : 0
        let next = path + count + 1
        next.update(from: path, count: count)
        recurse(t, node: hot, row: x, phi: phi, scale: scale, path: next, count: count,
                zero: incomingZero * hotShare, one: incomingOne, splitFeature: f)
        // A cold child with no cover carries no weight either way: skipping it changes nothing
        // and avoids dividing by its zero fraction.
        if incomingZero * coldShare > 0 {
            next.update(from: path, count: count)
            recurse(t, node: cold, row: x, phi: phi, scale: scale, path: next, count: count,
                    zero: incomingZero * coldShare, one: 0, splitFeature: f)
        }
    }

    /// EXTEND: appends (feature, zero, one) and updates the subset-size weights.
    @inline(__always)
    private static func extend(_ path: UnsafeMutablePointer<PathElement>, count: inout Int,
                               zero: Double, one: Double, feature: Int32) {
        let l = count
        path[l] = PathElement(feature: feature, zero: zero, one: one, weight: l == 0 ? 1 : 0)
        let denominator = Double(l + 1)
        var i = l - 1
        while i >= 0 {
            path[i + 1].weight += one * path[i].weight * Double(i + 1) / denominator
            path[i].weight = zero * path[i].weight * Double(l - i) / denominator
            i -= 1
        }
        count = l + 1
    }

    /// UNWIND: removes element `index` from the path, undoing its EXTEND on the weights.
    @inline(__always)
    private static func unwind(_ path: UnsafeMutablePointer<PathElement>, count: inout Int, index: Int) {
        let l = count - 1
        let one = path[index].one, zero = path[index].zero
        let size = Double(l + 1)
        var carried = path[l].weight
        var j = l - 1
        while j >= 0 {
            if one != 0 {
                let previous = path[j].weight
                path[j].weight = carried * size / (Double(j + 1) * one)
                carried = previous - path[j].weight * zero * Double(l - j) / size
            } else {
                path[j].weight = path[j].weight * size / (zero * Double(l - j))
            }
            j -= 1
        }
        for m in index..<l {
            path[m].feature = path[m + 1].feature
            path[m].zero = path[m + 1].zero
            path[m].one = path[m + 1].one
        }
        count = l
    }

    /// UNWOUNDSUM: Σ of the weights the path would have without element `index`, without
    /// changing it.
    @inline(__always)
    private static func unwoundSum(_ path: UnsafeMutablePointer<PathElement>, count: Int, index: Int) -> Double {
        let l = count - 1
        let one = path[index].one, zero = path[index].zero
        let size = Double(l + 1)
        var total = 0.0
        if one != 0 {
            var carried = path[l].weight
            var j = l - 1
            while j >= 0 {
                let w = carried * size / (Double(j + 1) * one)
                total += w
                carried = path[j].weight - w * zero * Double(l - j) / size
                j -= 1
            }
        } else {
            var j = l - 1
            while j >= 0 {
                total += path[j].weight * size / (zero * Double(l - j))
                j -= 1
            }
        }
        return total
    }

    /// SHAP values of an additive ensemble f(x) = bias + Σ_t scale·tree_t(x) for every row of `x`:
    /// rows × columns contributions and φ_0 = bias + Σ_t scale·E[tree_t], parallel over rows.
    public static func explain(trees: [Tree], scale: Double, bias: Double = 0, _ x: Matrix) -> (baseValue: Double, contributions: [Double]) {
        let base = trees.reduce(bias) { $0 + scale * $1.expectedValue }
        let n = x.rows, d = x.cols
        let depth = trees.map(\.maxDepth).max() ?? 0
        var phi = [Double](repeating: 0, count: n * d)
        phi.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let target = out.baseAddress!
            x.values.withUnsafeBufferPointer { v in
                nonisolated(unsafe) let values = v
                Parallel.forEachChunk(n, minChunk: 8) { range in
                    var workspace = Workspace(depth: depth)
                    for r in range {
                        let row = UnsafeBufferPointer(rebasing: values[(r * d)..<((r + 1) * d)])
                        for tree in trees {
                            addContributions(of: tree, row: row, scale: scale, into: target + r * d, workspace: &workspace)
                        }
                    }
                }
            }
        }
        return (base, phi)
    }
}

extension TreeSHAP {
    /// An additive tree ensemble f(x) = bias + scale · Σ_t tree_t(x): a boosted model
    /// (scale = learning rate, bias = initial prediction), a bagged one (scale = 1/T, bias = 0)
    /// or a single tree.
    public struct Ensemble: Sendable, Equatable, Codable {
        /// The trees.
        public var trees: [Tree]
        /// Factor applied to every tree's output.
        public var scale: Double
        /// Constant added to the sum.
        public var bias: Double

        /// An ensemble of `trees`.
        public init(trees: [Tree], scale: Double = 1, bias: Double = 0) {
            self.trees = trees
            self.scale = scale
            self.bias = bias
        }

        /// f(x) for each row of `x`.
        public func predict(_ x: Matrix) -> [Double] {
            x.values.withUnsafeBufferPointer { v in
                (0..<x.rows).map { r in
                    let row = UnsafeBufferPointer(rebasing: v[(r * x.cols)..<((r + 1) * x.cols)])
                    return trees.reduce(0) { $0 + $1.predict(row) } * scale + bias
                }
            }
        }

        /// SHAP values of every row (rows × columns) and φ_0, with φ_0 + Σ_j φ_j = f(x).
        public func explain(_ x: Matrix) throws -> (baseValue: Double, contributions: [Double]) {
            for tree in trees {
                if let f = tree.feature.max(), Int(f) >= x.cols {
                    throw VigilError.featureCountMismatch(expected: Int(f) + 1, got: x.cols)
                }
            }
            return TreeSHAP.explain(trees: trees, scale: scale, bias: bias, x)
        }
    }
}
