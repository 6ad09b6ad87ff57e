extension Statistics {
    /// Sum of `values` in NumPy's order for a contiguous float64 reduction (`np.sum(a)`, and
    /// `np.sum(a, axis=0)` of an `(n, 1)` array): pairwise, with eight running partial sums in
    /// blocks of at most 128 values (NumPy `pairwise_sum`).
    ///
    /// Used where a result's sign or an `argmax` tie must come out as NumPy's does (the skewness
    /// sign of ECOD/COPOD, HBOS's "auto" bin count); the value differs from a left-to-right sum
    /// only by rounding.
    static func numpyPairwiseSum(_ values: UnsafeBufferPointer<Double>) -> Double {
        guard let base = values.baseAddress else { return 0 }
        return pairwise(base, values.count)
    }

    private static func pairwise(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
        if n < 8 {
            var sum = -0.0
            for i in 0..<n { sum += a[i] }
            return sum
        }
        if n <= 128 {
            var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3]
            var r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
            var i = 8
            let whole = n - n % 8
            while i < whole {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
                i += 8
            }
            var sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n {
                sum += a[i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a, half) + pairwise(a + half, n - half)
    }
}
