/// Per-column standardisation z = (x − mean) / scale, as scikit-learn's `StandardScaler()`.
///
/// `scale` is the population standard deviation (ddof = 0); a column scikit-learn deems constant
/// (variance ≤ n·ε·var + (n·ε·mean)², `_is_constant_feature`) gets scale 1, so it maps to ≈ 0.
public struct StandardScaler: Sendable, Codable, Equatable {
    /// Column means of the data it was fitted on.
    public let means: [Double]
    /// Column scales (population standard deviations, 1 for constant columns).
    public let scales: [Double]

    /// Learns the column means and scales of `x` (two passes per column, for accuracy).
    public init(fitting x: Matrix) {
        let n = x.rows, d = x.cols
        var means = [Double](repeating: 0, count: d)
        var variances = [Double](repeating: 0, count: d)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<n { for c in 0..<d { means[c] += v[r * d + c] } }
            for c in 0..<d { means[c] /= Double(max(n, 1)) }
            for r in 0..<n {
                for c in 0..<d {
                    let dev = v[r * d + c] - means[c]
                    variances[c] += dev * dev
                }
            }
        }
        let eps = Double.ulpOfOne, count = Double(max(n, 1))
        self.means = means
        self.scales = (0..<d).map { c in
            let variance = variances[c] / count
            let bound = count * eps * variance + (count * means[c] * eps) * (count * means[c] * eps)
            return variance <= bound ? 1 : variance.squareRoot()
        }
    }

    /// Restores a scaler from stored means and scales (same length, positive finite scales).
    public init(means: [Double], scales: [Double]) throws {
        guard means.count == scales.count, scales.allSatisfy({ $0 > 0 && $0.isFinite }),
              means.allSatisfy(\.isFinite) else {
            throw VigilError.invalidParameter(name: "scaler", value: "\(means.count) means, \(scales.count) scales",
                                              allowed: "as many finite means as positive finite scales")
        }
        self.means = means
        self.scales = scales
    }

    /// Decodes a stored scaler, refusing inconsistent values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(means: try c.decode([Double].self, forKey: .means),
                      scales: try c.decode([Double].self, forKey: .scales))
    }
}
