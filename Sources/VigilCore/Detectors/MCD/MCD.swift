/// Minimum Covariance Determinant detector (Rousseeuw 1984; FastMCD, Rousseeuw & Van Driessen 1999)
/// with PyOD 3.6's semantics (`pyod/models/mcd.py`, which wraps scikit-learn 1.9's `MinCovDet`).
///
/// Fit: the raw MCD estimate of h = ⌈(n + p + 1)/2⌉ rows (`FastMCD`); its distances are divided by
/// the consistency factor c(α) = α / F_{χ²(p+2)}(F⁻¹_{χ²(p)}(α)), α = h/n; the rows with corrected
/// squared distance below F⁻¹_{χ²(p)}(0.975) give the re-weighted location μ and covariance
/// Σ = c(0.975) · (their maximum-likelihood covariance). The raw score of a row is its squared
/// Mahalanobis distance (x − μ)ᵀ Σ⁺ (x − μ) (PyOD's `decision_scores_` / `decision_function`),
/// Σ⁺ the pseudo-inverse. Deterministic per seed (the random subsets differ from NumPy's, so
/// results agree with PyOD's in distribution, not bit for bit). NaN and ±∞ are refused; more than
/// `maxFeatures` features are refused (each C-step inverts a p × p matrix).
public struct MCD: Detector, Equatable {
    /// Most features MCD accepts.
    public static let maxFeatures = 200

    /// Settings; defaults are PyOD's `MCD()`.
    public struct Parameters: DetectorParameters {
        /// Share of rows in the raw MCD support (`support_fraction`; nil = (n + p + 1)/2 rows).
        public var supportFraction: Double?

        /// PyOD's defaults unless overridden.
        public init(supportFraction: Double? = nil) { self.supportFraction = supportFraction }

        public func validate() throws {
            if let f = supportFraction, !(f > 0 && f <= 1) {
                throw VigilError.invalidParameter(name: "support_fraction", value: "\(f)", allowed: "in (0, 1], or unset")
            }
        }
    }

    /// Served as `mcd`.
    public static let backend = Backend.mcd

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// Re-weighted robust location μ.
    public let location: [Double]
    /// Pseudo-inverse of the re-weighted covariance, p × p row-major.
    @Packed public private(set) var precision: [Double]

    private init(parameters: Parameters, location: [Double], precision: [Double]) {
        self.parameters = parameters
        featureCount = location.count
        self.location = location
        _precision = Packed(wrappedValue: precision)
    }

    private enum CodingKeys: String, CodingKey { case parameters, featureCount, location, precision }

    /// Decodes a stored model, refusing inconsistent shapes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let location = try c.decode([Double].self, forKey: .location)
        let precision = try c.decode(Packed<Double>.self, forKey: .precision).wrappedValue
        guard try c.decode(Int.self, forKey: .featureCount) == location.count, !location.isEmpty,
              precision.count == location.count * location.count else {
            throw DecodingError.dataCorruptedError(forKey: .precision, in: c, debugDescription: "MCD shapes do not agree")
        }
        self.init(parameters: try c.decode(Parameters.self, forKey: .parameters), location: location, precision: precision)
    }

    /// Fits the robust location and covariance.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> MCD {
        try parameters.validate()
        guard x.rows > 0, x.cols > 0 else { throw VigilError.emptyData("mcd needs at least one row and one column") }
        try x.requireFinite()
        guard x.rows >= 2 else {
            throw VigilError.invalidParameter(name: "rows", value: "\(x.rows)", allowed: "at least 2 for mcd")
        }
        guard x.cols <= maxFeatures else {
            throw VigilError.invalidParameter(name: "features", value: "\(x.cols)", allowed: "at most \(maxFeatures) for mcd")
        }
        let n = x.rows, p = x.cols
        let h = parameters.supportFraction.map { max(1, Int($0 * Double(n))) }
            ?? min(Int((0.5 * Double(n + p + 1)).rounded(.up)), n)
        let raw = FastMCD.fit(x, support: h, seed: seed)
        if h < n && raw.estimate.covariance.allSatisfy({ abs($0) <= 1e-8 }) {
            throw VigilError.invalidParameter(name: "support_fraction", value: parameters.supportFraction.map { "\($0)" } ?? "default",
                allowed: "larger: the covariance of the \(h) most central rows is 0 (too many identical rows)")
        }
        let correction = consistencyFactor(features: p, alpha: Double(h) / Double(n))
        let cut = ChiSquared(degrees: Double(p)).quantile(0.975)
        let kept = ArraySlice(raw.squaredDistances.indices.filter { raw.squaredDistances[$0] / correction < cut })
        let reweighted = x.values.withUnsafeBufferPointer { v in
            CovarianceEstimate.of(v, cols: p, support: kept.isEmpty ? raw.support : kept)
        }
        let factor = consistencyFactor(features: p, alpha: 0.975)
        let final = CovarianceEstimate(location: reweighted.location, covariance: reweighted.covariance.map { $0 * factor })
        return MCD(parameters: parameters, location: final.location, precision: final.precision)
    }

    /// c(α) = α / F_{χ²(p+2)}(F⁻¹_{χ²(p)}(α)); 1 when α = 1.
    static func consistencyFactor(features p: Int, alpha: Double) -> Double {
        guard alpha < 1 else { return 1 }
        let q = ChiSquared(degrees: Double(p)).quantile(alpha)
        return alpha / ChiSquared(degrees: Double(p + 2)).cdf(q)
    }

    /// Squared Mahalanobis distance of each row to the robust location.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        var out = [Double](repeating: 0, count: x.rows)
        let p = featureCount
        out.withUnsafeMutableBufferPointer { o in
            x.values.withUnsafeBufferPointer { v in
                nonisolated(unsafe) let o = o, v = v
                Parallel.forEachChunk(x.rows, minChunk: 2048) { range in
                    let part = UnsafeBufferPointer(rebasing: v[(range.lowerBound * p)..<(range.upperBound * p)])
                    let d = CovarianceEstimate.squaredDistances(part, cols: p, location: location, precision: precision)
                    for (i, r) in range.enumerated() { o[r] = d[i] }
                }
            }
        }
        return out
    }
}
