/// One isolation tree as a flat node array (scikit-learn's `ExtraTreeRegressor` with
/// `max_features=1`, `splitter="random"`, grown on one subsample).
///
/// Node `i` is a leaf when `feature[i] < 0`; its `pathLength[i]` is the number of edges from the
/// root plus c(n_leaf), the average path length of the rows it still holds.
public struct IsolationTree: Sendable, Codable, Equatable {
    /// Split feature (global column index), or −1 for a leaf.
    @Packed public var feature: [Int32]
    /// Split threshold, rounded down to `Float` so that `Float(x) <= threshold` decides exactly
    /// as scikit-learn's float32 value against its double threshold.
    @Packed public var threshold: [Float]
    /// Left child index (x ≤ threshold), −1 for a leaf.
    @Packed public var left: [Int32]
    /// Right child index, −1 for a leaf.
    @Packed public var right: [Int32]
    /// Whether NaN goes left at this split.
    @Packed public var missingGoesLeft: [Bool]
    /// Leaf path length h = depth + c(n_leaf); 0 for internal nodes.
    @Packed public var pathLength: [Double]

    init() {
        feature = []
        threshold = []
        left = []
        right = []
        missingGoesLeft = []
        pathLength = []
    }

    /// Number of nodes.
    public var nodeCount: Int { feature.count }

    /// Depth (edges) of the deepest leaf.
    public var maxDepth: Int { TreeSHAP.depth(feature: feature, left: left, right: right) }

    mutating func appendNode() -> Int {
        feature.append(-1)
        threshold.append(0)
        left.append(-1)
        right.append(-1)
        missingGoesLeft.append(false)
        pathLength.append(0)
        return feature.count - 1
    }

    /// Path length of one row given as `Float` values (NaN follows the stored direction).
    @inlinable
    func pathLength(row: UnsafeBufferPointer<Float>) -> Double {
        var node = 0
        while feature[node] >= 0 {
            let v = row[Int(feature[node])]
            let goLeft = v.isNaN ? missingGoesLeft[node] : v <= threshold[node]
            node = Int(goLeft ? left[node] : right[node])
        }
        return pathLength[node]
    }
}

/// The largest `Float` that is ≤ `t`: comparing a float32 value with it decides as comparing with `t`.
@inlinable
func floatRoundedDown(_ t: Double) -> Float {
    let f = Float(t)
    if f.isInfinite && t.isFinite { return t > 0 ? Float.greatestFiniteMagnitude : -Float.greatestFiniteMagnitude }
    return Double(f) > t ? f.nextDown : f
}
