/// Eigen-decomposition of a real symmetric matrix: A = V · diag(λ) · Vᵀ.
///
/// Householder reduction to tridiagonal form followed by the implicit QL algorithm with Wilkinson
/// shifts (the classic `tred2` / `tql2` pair, Bowdler, Martin, Reinsch & Wilkinson 1968), which is
/// what LAPACK's `dsyev` family computes up to rounding. Eigenvalues are returned in descending
/// order; eigenvector `i` is row `i` of `vectors` (unit length), so `vectors` has the layout of
/// scikit-learn's `components_`. Signs are left as the algorithm produces them; callers that need a
/// convention (such as `PCA`) fix it themselves.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues, largest first.
    public let values: [Double]
    /// Unit eigenvectors, one per row, in the order of `values` (row-major, n × n).
    public let vectors: [Double]
    /// Order of the matrix.
    public let order: Int

    /// Decomposes the symmetric `n × n` matrix `a` (row-major; only symmetry is assumed, not checked).
    public init(symmetric a: [Double], order n: Int) {
        precondition(a.count == n * n, "matrix of \(a.count) values is not \(n) × \(n)")
        order = n
        guard n > 0 else {
            values = []
            vectors = []
            return
        }
        var v = a
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        Self.tridiagonalize(&v, &d, &e, n)
        // QL rotations touch two columns of V at a time: run them on Vᵀ so they touch two rows.
        var w = Self.transposed(v, n)
        Self.diagonalize(&w, &d, &e, n)
        let order = (0..<n).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var sortedVectors = [Double](repeating: 0, count: n * n)
        for (to, from) in order.enumerated() {
            for k in 0..<n { sortedVectors[to * n + k] = w[from * n + k] }
        }
        values = order.map { d[$0] }
        vectors = sortedVectors
    }

    private static func transposed(_ m: [Double], _ n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { t[j * n + i] = m[i * n + j] } }
        return t
    }

    /// Householder reduction of `v` (in place) to tridiagonal form; on return `v` holds the
    /// accumulated orthogonal transform, `d` the diagonal and `e` the sub-diagonal (e[0] = 0).
    private static func tridiagonalize(_ v: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
        v.withUnsafeMutableBufferPointer { v in
            for j in 0..<n { d[j] = v[(n - 1) * n + j] }
            var i = n - 1
            while i > 0 {
                var scale = 0.0, h = 0.0
                for k in 0..<i { scale += abs(d[k]) }
                if scale == 0 {
                    e[i] = d[i - 1]
                    for j in 0..<i {
                        d[j] = v[(i - 1) * n + j]
                        v[i * n + j] = 0
                        v[j * n + i] = 0
                    }
                } else {
                    for k in 0..<i {
                        d[k] /= scale
                        h += d[k] * d[k]
                    }
                    var f = d[i - 1]
                    var g = h.squareRoot()
                    if f > 0 { g = -g }
                    e[i] = scale * g
                    h -= f * g
                    d[i - 1] = f - g
                    for j in 0..<i { e[j] = 0 }
                    for j in 0..<i {
                        f = d[j]
                        v[j * n + i] = f
                        g = e[j] + v[j * n + j] * f
                        var k = j + 1
                        while k < i {
                            g += v[k * n + j] * d[k]
                            e[k] += v[k * n + j] * f
                            k += 1
                        }
                        e[j] = g
                    }
                    f = 0
                    for j in 0..<i {
                        e[j] /= h
                        f += e[j] * d[j]
                    }
                    let hh = f / (h + h)
                    for j in 0..<i { e[j] -= hh * d[j] }
                    for j in 0..<i {
                        f = d[j]
                        g = e[j]
                        for k in j..<i { v[k * n + j] -= f * e[k] + g * d[k] }
                        d[j] = v[(i - 1) * n + j]
                        v[i * n + j] = 0
                    }
                }
                d[i] = h
                i -= 1
            }
            // Accumulate the transformations.
            for i in 0..<(n - 1) {
                v[(n - 1) * n + i] = v[i * n + i]
                v[i * n + i] = 1
                let h = d[i + 1]
                if h != 0 {
                    for k in 0...i { d[k] = v[k * n + i + 1] / h }
                    for j in 0...i {
                        var g = 0.0
                        for k in 0...i { g += v[k * n + i + 1] * v[k * n + j] }
                        for k in 0...i { v[k * n + j] -= g * d[k] }
                    }
                }
                for k in 0...i { v[k * n + i + 1] = 0 }
            }
            for j in 0..<n {
                d[j] = v[(n - 1) * n + j]
                v[(n - 1) * n + j] = 0
            }
            v[(n - 1) * n + n - 1] = 1
            e[0] = 0
        }
    }

    /// Implicit QL iterations on the tridiagonal (d, e); `w` (= Vᵀ, rows are vectors) is rotated
    /// along. On return `d` holds the eigenvalues (unsorted) and row i of `w` the i-th vector.
    private static func diagonalize(_ w: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
        for i in 1..<max(n, 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0, tst1 = 0.0
        let eps = Double.ulpOfOne
        w.withUnsafeMutableBufferPointer { w in
            for l in 0..<n {
                tst1 = max(tst1, abs(d[l]) + abs(e[l]))
                var m = l
                while m < n - 1 && abs(e[m]) > eps * tst1 { m += 1 }
                if m > l {
                    var iterations = 0
                    repeat {
                        iterations += 1
                        var g = d[l]
                        var p = (d[l + 1] - g) / (2 * e[l])
                        var r = (p * p + 1).squareRoot()
                        if p < 0 { r = -r }
                        d[l] = e[l] / (p + r)
                        d[l + 1] = e[l] * (p + r)
                        let dl1 = d[l + 1]
                        var h = g - d[l]
                        var i = l + 2
                        while i < n {
                            d[i] -= h
                            i += 1
                        }
                        f += h
                        p = d[m]
                        var c = 1.0, c2 = 1.0, c3 = 1.0
                        let el1 = e[l + 1]
                        var s = 0.0, s2 = 0.0
                        i = m - 1
                        while i >= l {
                            c3 = c2
                            c2 = c
                            s2 = s
                            g = c * e[i]
                            h = c * p
                            r = hypot(p, e[i])
                            e[i + 1] = s * r
                            s = e[i] / r
                            c = p / r
                            p = c * d[i] - s * g
                            d[i + 1] = h + s * (c * g + s * d[i])
                            let a = w.baseAddress! + (i + 1) * n, b = w.baseAddress! + i * n
                            for k in 0..<n {
                                let hk = a[k]
                                a[k] = s * b[k] + c * hk
                                b[k] = c * b[k] - s * hk
                            }
                            i -= 1
                        }
                        p = -s * s2 * c3 * el1 * e[l] / dl1
                        e[l] = s * p
                        d[l] = c * p
                    } while abs(e[l]) > eps * tst1 && iterations < 64
                }
                d[l] += f
                e[l] = 0
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
