extension Matrix {
    /// The values column after column (`out[c * rows + r]` = `self[r, c]`), transposed in
    /// cache-sized row blocks in parallel: one pass instead of a strided gather per column.
    func columnMajorValues() -> [Double] {
        let n = rows, d = cols
        guard n > 0, d > 0 else { return [] }
        return [Double](unsafeUninitializedCapacity: n * d) { out, initialized in
            nonisolated(unsafe) let target = out.baseAddress!
            values.withUnsafeBufferPointer { v in
                nonisolated(unsafe) let source = v.baseAddress!
                Parallel.forEachChunk(n, minChunk: 8192) { range in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(start + 256, range.upperBound)
                        for c in 0..<d {
                            let column = target + c * n
                            for r in start..<end { column[r] = source[r * d + c] }
                        }
                        start = end
                    }
                }
            }
            initialized = n * d
        }
    }
}
