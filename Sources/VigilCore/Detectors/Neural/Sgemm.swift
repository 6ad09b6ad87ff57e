/// Single-precision matrix products over contiguous row-major buffers, for the dense layers.
///
/// Every output element is accumulated by one thread in one fixed order (the inner index
/// ascending), so results do not depend on how many threads split the work: large products are
/// split by fixed blocks of output rows, small ones run on the calling thread. Products are written
/// as row updates `c[i, :] += a[i, p] · b[p, :]`, which the compiler vectorises over the contiguous
/// output row; a zero coefficient (common after ReLU and dropout) skips its row update, which
/// leaves every finite result unchanged.
enum Sgemm {
    /// Multiply-adds below this count run on the calling thread (thread hand-off costs more).
    static let parallelThreshold = 1 << 17

    /// C (m×n) = A (m×k) · B (k×n), plus `bias` (n) on every row when given. `parallel: false`
    /// keeps it on the calling thread (for callers that are already one of several workers).
    @_optimize(speed)
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int, bias: UnsafePointer<Float>? = nil, parallel: Bool = true
    ) {
        nonisolated(unsafe) let (a, b, c, bias) = (a, b, c, bias)
        splitRows(m, work: parallel ? m * k * n : 0) { rows in
            for i in rows {
                let ci = c + i * n
                if let bias { ci.update(from: bias, count: n) } else { ci.update(repeating: 0, count: n) }
                let ai = a + i * k
                for p in 0..<k {
                    let coefficient = ai[p]
                    if coefficient == 0 { continue }
                    addScaled(b + p * n, coefficient, into: ci, count: n)
                }
            }
        }
    }

    /// C (k×n) = Aᵀ · B for A (m×k) and B (m×n): the weight gradient Xᵀ·dZ. The sum over the m
    /// rows runs in ascending order for every element.
    @_optimize(speed)
    static func multiplyTransposedLeft(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int
    ) {
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        splitRows(k, work: m * k * n) { outRows in
            (c + outRows.lowerBound * n).update(repeating: 0, count: outRows.count * n)
            for i in 0..<m {
                let ai = a + i * k, bi = b + i * n
                for p in outRows {
                    let coefficient = ai[p]
                    if coefficient == 0 { continue }
                    addScaled(bi, coefficient, into: c + p * n, count: n)
                }
            }
        }
    }

    /// Writes the transpose of `source` (rows×cols) into `target` (cols×rows).
    @_optimize(speed)
    static func transpose(_ source: UnsafePointer<Float>, rows: Int, cols: Int, into target: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for c in 0..<cols { target[c * rows + r] = source[r * cols + c] }
        }
    }

    /// y[0..<count] += alpha · x[0..<count].
    @inline(__always)
    @_optimize(speed)
    static func addScaled(_ x: UnsafePointer<Float>, _ alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { y[j] += alpha * x[j] }
    }

    /// Runs `body` over `0..<count` in fixed contiguous blocks, in parallel when `work` is large.
    private static func splitRows(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        if work < parallelThreshold || count < 2 {
            body(0..<count)
        } else {
            Parallel.forEachChunk(count, minChunk: 1, body)
        }
    }
}
