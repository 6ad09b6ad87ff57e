/// A location, covariance and the derived log-determinant and precision of a set of rows.
struct CovarianceEstimate: Sendable {
    var location: [Double]
    var covariance: [Double]
    var logDeterminant: Double
    var precision: [Double]

    /// Mean and maximum-likelihood covariance (divided by the count) of the rows `support` of `x`.
    static func of(_ x: UnsafeBufferPointer<Double>, cols p: Int, support: ArraySlice<Int>) -> CovarianceEstimate {
        var mean = [Double](repeating: 0, count: p)
        for r in support { for c in 0..<p { mean[c] += x[r * p + c] } }
        let h = Double(support.count)
        for c in 0..<p { mean[c] /= h }
        var cov = [Double](repeating: 0, count: p * p)
        var centered = [Double](repeating: 0, count: p)
        for r in support {
            for c in 0..<p { centered[c] = x[r * p + c] - mean[c] }
            for i in 0..<p {
                let ci = centered[i]
                for j in i..<p { cov[i * p + j] += ci * centered[j] }
            }
        }
        for i in 0..<p {
            for j in i..<p {
                cov[i * p + j] /= h
                cov[j * p + i] = cov[i * p + j]
            }
        }
        return CovarianceEstimate(location: mean, covariance: cov)
    }

    /// Wraps a location and covariance, computing log-determinant and (pseudo-)inverse.
    init(location: [Double], covariance: [Double]) {
        self.location = location
        self.covariance = covariance
        let (logDet, precision) = SymmetricMatrix(order: location.count, values: covariance).logDeterminantAndPseudoInverse()
        logDeterminant = logDet
        self.precision = precision
    }

    /// Squared Mahalanobis distance of every row of `x` to `location` under `precision`.
    static func squaredDistances(_ x: UnsafeBufferPointer<Double>, cols p: Int, location: [Double], precision: [Double]) -> [Double] {
        let n = x.count / p
        var out = [Double](repeating: 0, count: n)
        var centered = [Double](repeating: 0, count: p)
        precision.withUnsafeBufferPointer { m in
            for r in 0..<n {
                for c in 0..<p { centered[c] = x[r * p + c] - location[c] }
                // cᵀMc for symmetric M: Σ_i c_i (M_ii c_i + 2 Σ_{j>i} M_ij c_j).
                var s = 0.0
                for i in 0..<p {
                    var t = 0.0
                    for j in (i + 1)..<max(p, i + 1) { t += m[i * p + j] * centered[j] }
                    s += centered[i] * (m[i * p + i] * centered[i] + 2 * t)
                }
                out[r] = s
            }
        }
        return out
    }

    /// Indices of the `h` smallest values of `d` (ties broken by position), in no particular order.
    static func smallest(_ h: Int, of d: [Double]) -> ArraySlice<Int> {
        var order = Array(0..<d.count)
        var lo = 0, hi = d.count - 1
        let nth = h - 1
        while lo < hi {
            let pivotIndex = order[(lo + hi) / 2]
            let pivot = d[pivotIndex]
            var i = lo, j = hi
            while i <= j {
                while d[order[i]] < pivot || (d[order[i]] == pivot && order[i] < pivotIndex) { i += 1 }
                while d[order[j]] > pivot || (d[order[j]] == pivot && order[j] > pivotIndex) { j -= 1 }
                if i <= j { order.swapAt(i, j); i += 1; j -= 1 }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { break }
        }
        return order[0..<h]
    }
}
