import Foundation

/// Log-determinant and (pseudo-)inverse of a symmetric positive semi-definite `p × p` matrix
/// stored row-major, as a covariance estimator needs them.
///
/// A positive definite matrix goes through a Cholesky factorisation; one that is not (a zero or
/// negative pivot) through a cyclic Jacobi eigen-decomposition, inverting the eigenvalues above
/// p · ε · max|λ| and zeroing the rest (SciPy's `pinvh` default cut-off), with log-determinant −∞.
public struct SymmetricMatrix: Sendable {
    /// Order p.
    public let order: Int
    /// The p × p values, row-major.
    public var values: [Double]

    /// Wraps `values` (p × p, row-major, symmetric).
    public init(order: Int, values: [Double]) {
        self.order = order
        self.values = values
    }

    /// ln det (−∞ when not positive definite) and the pseudo-inverse.
    public func logDeterminantAndPseudoInverse() -> (logDeterminant: Double, inverse: [Double]) {
        if let result = choleskyInverse() { return result }
        return (-.infinity, jacobiPseudoInverse())
    }

    /// Cholesky A = L Lᵀ; nil when a pivot is not positive.
    private func choleskyInverse() -> (Double, [Double])? {
        let p = order
        var l = values
        var logDet = 0.0
        for j in 0..<p {
            var diag = l[j * p + j]
            for k in 0..<j { diag -= l[j * p + k] * l[j * p + k] }
            guard diag > 0, diag.isFinite else { return nil }
            let ljj = diag.squareRoot()
            l[j * p + j] = ljj
            logDet += 2 * log(ljj)
            for i in (j + 1)..<max(p, j + 1) {
                var s = l[i * p + j]
                for k in 0..<j { s -= l[i * p + k] * l[j * p + k] }
                l[i * p + j] = s / ljj
            }
        }
        // inverse of L (lower triangular), then A⁻¹ = L⁻ᵀ L⁻¹.
        var li = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            li[j * p + j] = 1 / l[j * p + j]
            for i in (j + 1)..<max(p, j + 1) {
                var s = 0.0
                for k in j..<i { s -= l[i * p + k] * li[k * p + j] }
                li[i * p + j] = s / l[i * p + i]
            }
        }
        var inv = [Double](repeating: 0, count: p * p)
        for i in 0..<p {
            for j in i..<p {
                var s = 0.0
                for k in j..<p { s += li[k * p + i] * li[k * p + j] }
                inv[i * p + j] = s
                inv[j * p + i] = s
            }
        }
        return (logDet, inv)
    }

    /// Eigenvalues and eigenvectors (columns of the row-major result) by cyclic Jacobi rotations.
    public func eigen() -> (values: [Double], vectors: [Double]) {
        let p = order
        var a = values
        var v = [Double](repeating: 0, count: p * p)
        for i in 0..<p { v[i * p + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, total = 0.0
            for i in 0..<p {
                for j in 0..<p {
                    total += a[i * p + j] * a[i * p + j]
                    if i != j { off += a[i * p + j] * a[i * p + j] }
                }
            }
            if off <= 1e-30 * total || off == 0 { break }
            for q in 0..<p {
                for r in (q + 1)..<max(p, q + 1) {
                    let aqr = a[q * p + r]
                    if aqr == 0 { continue }
                    let theta = (a[r * p + r] - a[q * p + q]) / (2 * aqr)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<p {  // columns q, r
                        let akq = a[k * p + q], akr = a[k * p + r]
                        a[k * p + q] = c * akq - s * akr
                        a[k * p + r] = s * akq + c * akr
                    }
                    for k in 0..<p {  // rows q, r
                        let aqk = a[q * p + k], ark = a[r * p + k]
                        a[q * p + k] = c * aqk - s * ark
                        a[r * p + k] = s * aqk + c * ark
                    }
                    for k in 0..<p {
                        let vkq = v[k * p + q], vkr = v[k * p + r]
                        v[k * p + q] = c * vkq - s * vkr
                        v[k * p + r] = s * vkq + c * vkr
                    }
                }
            }
        }
        return ((0..<p).map { a[$0 * p + $0] }, v)
    }

    /// Σ over eigenvalues |λ| > p·ε·max|λ| of v vᵀ / λ.
    private func jacobiPseudoInverse() -> [Double] {
        let p = order
        let (lambda, v) = eigen()
        let cutoff = Double(p) * Double.ulpOfOne * (lambda.map(abs).max() ?? 0)
        var inv = [Double](repeating: 0, count: p * p)
        for e in 0..<p where abs(lambda[e]) > cutoff {
            let w = 1 / lambda[e]
            for i in 0..<p {
                let vi = v[i * p + e] * w
                for j in 0..<p { inv[i * p + j] += vi * v[j * p + e] }
            }
        }
        return inv
    }
}
