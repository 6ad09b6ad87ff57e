/// libsvm's solver for the one-class SVM dual (Schölkopf et al. 2001; Chang & Lin, *LIBSVM*, §4.1):
/// minimise ½ αᵀQα subject to 0 ≤ α_i ≤ 1, Σ α_i = ν·l, by sequential minimal optimisation with the
/// second-order working-set selection of Fan, Chen & Lin (2005), stopping when
/// max_{α_t<1} −G_t + max_{α_t>0} G_t < tol. ρ is the mean gradient over free α (midpoint of the
/// bounds if none is free); the decision function is Σ α_i K(x_i, x) − ρ.
enum OneClassSMO {
    struct Solution {
        var alpha: [Double]
        var rho: Double
        var iterations: Int
        /// G = Qα at the end: the training rows' Σ_i α_i K(x_i, x_t).
        var gradient: [Double]
    }

    static func solve(_ x: Matrix, gamma: Double, nu: Double, tolerance: Double, cacheBytes: Int) -> Solution {
        let l = x.rows
        var alpha = [Double](repeating: 0, count: l)
        let whole = Int(nu * Double(l))
        for i in 0..<min(whole, l) { alpha[i] = 1 }
        if whole < l { alpha[whole] = nu * Double(l) - Double(whole) }
        // G = Qα from the non-zero α (each row's sum in parallel, exact double kernels).
        var gradient = [Double](repeating: 0, count: l)
        let active = (0..<l).filter { alpha[$0] > 0 }
        gradient.withUnsafeMutableBufferPointer { g in
            x.values.withUnsafeBufferPointer { v in
                nonisolated(unsafe) let g = g, v = v
                let cols = x.cols
                Parallel.forEachChunk(l, minChunk: 256) { range in
                    for t in range {
                        var s = 0.0
                        for j in active {
                            s += alpha[j] * KernelColumnCache.kernel(v.baseAddress! + t * cols, v.baseAddress! + j * cols, cols: cols, gamma: gamma)
                        }
                        g[t] = s
                    }
                }
            }
        }
        let cache = KernelColumnCache(x, gamma: gamma, bytes: cacheBytes)
        let tau = 1e-12
        let maxIterations = max(10_000_000, 100 * l)
        var iterations = 0
        alpha.withUnsafeMutableBufferPointer { alpha in
            gradient.withUnsafeMutableBufferPointer { gradient in
                // Q_ii = K(x_i, x_i) = 1 for the RBF kernel.
                while iterations < maxIterations {
                    var gMax = -Double.infinity, i = -1
                    for t in 0..<l where alpha[t] < 1 && -gradient[t] >= gMax { gMax = -gradient[t]; i = t }
                    guard i >= 0 else { break }
                    let qi = cache.column(i)
                    var gMax2 = -Double.infinity, j = -1, best = Double.infinity
                    for t in 0..<l where alpha[t] > 0 {
                        let g = gradient[t]
                        if g >= gMax2 { gMax2 = g }
                        let diff = gMax + g
                        if diff > 0 {
                            let quad = 2 - 2 * Double(qi[t])
                            let objective = -(diff * diff) / (quad > 0 ? quad : tau)
                            if objective <= best { best = objective; j = t }
                        }
                    }
                    if gMax + gMax2 < tolerance || j < 0 { break }
                    iterations += 1
                    let qj = cache.column(j, pinned: i)
                    let qiNow = cache.column(i, pinned: j)
                    let (oldI, oldJ) = (alpha[i], alpha[j])
                    var quad = 2 - 2 * Double(qiNow[j])
                    if quad <= 0 { quad = tau }
                    let delta = (gradient[i] - gradient[j]) / quad
                    let sum = alpha[i] + alpha[j]
                    alpha[i] -= delta
                    alpha[j] += delta
                    if sum > 1 {
                        if alpha[i] > 1 { alpha[i] = 1; alpha[j] = sum - 1 }
                    } else if alpha[j] < 0 { alpha[j] = 0; alpha[i] = sum }
                    if sum > 1 {
                        if alpha[j] > 1 { alpha[j] = 1; alpha[i] = sum - 1 }
                    } else if alpha[i] < 0 { alpha[i] = 0; alpha[j] = sum }
                    let di = alpha[i] - oldI, dj = alpha[j] - oldJ
                    for t in 0..<l { gradient[t] += Double(qiNow[t]) * di + Double(qj[t]) * dj }
                }
            }
        }
        // ρ: mean gradient over free α, else the midpoint of the bounds.
        var upper = Double.infinity, lower = -Double.infinity, free = 0, freeSum = 0.0
        for t in 0..<l {
            if alpha[t] >= 1 { lower = max(lower, gradient[t]) }
            else if alpha[t] <= 0 { upper = min(upper, gradient[t]) }
            else { free += 1; freeSum += gradient[t] }
        }
        let rho = free > 0 ? freeSum / Double(free) : (upper + lower) / 2
        return Solution(alpha: alpha, rho: rho, iterations: iterations, gradient: gradient)
    }
}
