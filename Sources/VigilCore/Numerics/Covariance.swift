/// Sample covariance of the columns of a matrix.
public enum Covariance {
    /// The d × d sample covariance C = (X − x̄)ᵀ(X − x̄) / (n − 1) of `x` (n ≥ 2), row-major.
    ///
    /// Rows are summed in a fixed number of blocks that depends only on the shape (not on the
    /// thread count), and the blocks are added in order, so the result is the same on any machine.
    public static func matrix(_ x: Matrix) -> [Double] {
        let n = x.rows, d = x.cols
        guard n >= 2, d > 0 else { return [Double](repeating: 0, count: d * d) }
        var means = [Double](repeating: 0, count: d)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<n { for c in 0..<d { means[c] += v[r * d + c] } }
        }
        for c in 0..<d { means[c] /= Double(n) }
        let blocks = max(1, min((n + 1023) / 1024, 16, (1 << 24) / max(d * d, 1)))
        let step = (n + blocks - 1) / blocks
        var partial = [Double](repeating: 0, count: blocks * d * d)
        partial.withUnsafeMutableBufferPointer { p in
            nonisolated(unsafe) let p = p
            x.values.withUnsafeBufferPointer { v in
                means.withUnsafeBufferPointer { m in
                    Parallel.forEach(blocks) { b in
                        let acc = p.baseAddress! + b * d * d
                        let centred = UnsafeMutablePointer<Double>.allocate(capacity: d)
                        defer { centred.deallocate() }
                        for r in (b * step)..<min(n, (b + 1) * step) {
                            let row = v.baseAddress! + r * d
                            for c in 0..<d { centred[c] = row[c] - m[c] }
                            for i in 0..<d {
                                let ci = centred[i]
                                let rowAcc = acc + i * d
                                for j in i..<d { rowAcc[j] += ci * centred[j] }
                            }
                        }
                    }
                }
            }
        }
        var c = [Double](repeating: 0, count: d * d)
        for b in 0..<blocks {
            for i in 0..<d { for j in i..<d { c[i * d + j] += partial[b * d * d + i * d + j] } }
        }
        let denominator = Double(n - 1)
        for i in 0..<d {
            for j in i..<d {
                let value = c[i * d + j] / denominator
                c[i * d + j] = value
                c[j * d + i] = value
            }
        }
        return c
    }
}
