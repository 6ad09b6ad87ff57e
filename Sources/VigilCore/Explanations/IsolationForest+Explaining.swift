extension IsolationForest: FeatureExplaining {
    /// Isolation Forest explains its mean path length E[h(x)] (lower = more anomalous).
    public var explainedOutput: ExplainedOutput { .meanPathLength }

    /// Exact TreeSHAP of the mean path length E[h(x)] = (1/T) Σ_t h_t(x), where a leaf's h is its
    /// depth plus c(n_leaf) (scikit-learn's path length). Each node's cover is the number of
    /// training rows of its tree's subsample that reached it (n_leaf is recovered from the stored
    /// leaf path length, internal nodes add their children). φ_0 is the forest's expected path
    /// length; φ_0 + Σ_j φ_j = E[h(x)], and the raw score is 2^(−E[h(x)] / c(ψ)). Values are
    /// compared as float32, as in scoring; NaN follows each split's stored direction.
    public func explain(_ x: Matrix) throws -> Attributions {
        try requireFeatureCount(x)
        let values = try Self.float32Values(x).map(Double.init)
        let rounded = try Matrix(rows: x.rows, cols: x.cols, values: values)
        let scale = 1 / Double(max(trees.count, 1))
        let (base, phi) = TreeSHAP.explain(trees: shapTrees, scale: scale, rounded)
        var outputs = [Double](repeating: 0, count: x.rows)
        rounded.values.withUnsafeBufferPointer { v in
            for r in 0..<x.rows {
                let row = UnsafeBufferPointer(rebasing: v[(r * x.cols)..<((r + 1) * x.cols)])
                var total = 0.0
                for tree in shapTrees { total += tree.predict(row) }
                outputs[r] = total * scale
            }
        }
        return Attributions(output: .meanPathLength, baseValue: base, rows: x.rows, features: x.cols,
                            contributions: phi, outputs: outputs)
    }
}

extension IsolationTree {
    /// The tree for TreeSHAP: thresholds widened to Double (float32 inputs compare the same),
    /// leaf values = path lengths, covers = training rows per node.
    func shapTree(sampleSize: Int) -> TreeSHAP.Tree {
        let n = nodeCount
        var cover = [Double](repeating: 0, count: n)
        var depth = [Int](repeating: 0, count: n)
        // Children always come after their parent: depths forwards, covers backwards.
        for i in 0..<n where feature[i] >= 0 {
            depth[Int(left[i])] = depth[i] + 1
            depth[Int(right[i])] = depth[i] + 1
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            if feature[i] < 0 {
                cover[i] = Double(Self.leafRows(pathLength: pathLength[i], depth: depth[i], sampleSize: sampleSize))
            } else {
                cover[i] = cover[Int(left[i])] + cover[Int(right[i])]
            }
        }
        // The arrays have one length and children follow parents, as the builder makes them.
        return TreeSHAP.Tree(unchecked: feature, threshold: threshold.map(Double.init), left: left, right: right,
                                  missingGoesLeft: missingGoesLeft, value: pathLength, cover: cover)
    }

    /// The n ≥ 1 whose leaf path length (depth + 1 + c(n)) − 1 is `pathLength`: c is increasing,
    /// so a binary search over 1 … sampleSize finds it (the closest, should rounding differ).
    static func leafRows(pathLength: Double, depth: Int, sampleSize: Int) -> Int {
        func length(_ n: Int) -> Double { (Double(depth + 1) + IsolationForest.averagePathLength(n)) - 1.0 }
        var low = 1, high = max(sampleSize, 1)
        while low < high {
            let mid = (low + high) / 2
            if length(mid) < pathLength { low = mid + 1 } else { high = mid }
        }
        if low > 1, abs(length(low - 1) - pathLength) < abs(length(low) - pathLength) { return low - 1 }
        return low
    }
}
