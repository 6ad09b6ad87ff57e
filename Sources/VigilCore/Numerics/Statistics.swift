/// Descriptive statistics shared by calibration, metrics and detectors.
public enum Statistics {
    /// The `q`-th percentile (0…100) of `sorted` (ascending) with linear interpolation,
    /// as NumPy's default `np.percentile(a, q)`.
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "percentile of no values")
        let n = sorted.count
        if n == 1 { return sorted[0] }
        let position = q / 100 * Double(n - 1)
        let lower = min(max(Int(position.rounded(.down)), 0), n - 1)
        let upper = min(lower + 1, n - 1)
        let fraction = position - Double(lower)
        let a = sorted[lower], b = sorted[upper]
        // NumPy's lerp: symmetric form keeps results monotone and exact at the ends.
        return fraction < 0.5 ? a + (b - a) * fraction : b - (b - a) * (1 - fraction)
    }

    /// The `q`-th percentile (0…100) of unsorted `values`, linear interpolation.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        percentile(sorted: values.sorted(), q)
    }

    /// Arithmetic mean.
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Population standard deviation (ddof = 0), as `np.std`.
    public static func populationStd(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let m = mean(values)
        var sum = 0.0
        for v in values { sum += (v - m) * (v - m) }
        return (sum / Double(values.count)).squareRoot()
    }
}
