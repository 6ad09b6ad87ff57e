/// PCA outlier detector (Shyu et al. 2003) with PyOD 3.6's semantics (`pyod/models/pca.py`).
///
/// Fit: standardise X per column (`standardization=True`, scikit-learn's `StandardScaler`), take the
/// eigen-decomposition of the covariance C = Zᵀ_c Z_c / (n − 1) (Z_c = Z − column means), as
/// scikit-learn's `PCA()` does, with its sign rule (`svd_flip`: the largest-|·| entry of each
/// component is positive). Keep k = min(n, d) components v_1..v_k (or `n_components`), and the
/// last `n_selected_components` of them (all by default, i.e. those of smallest variance last).
///
/// Score of a row z (standardised): Σ_j ‖z − v_j‖₂ / w_j over the selected components, with
/// w_j = explained-variance ratio λ_j / Σλ (`weighted=True`) or 1. This is PyOD's
/// `cdist(X, selected_components_) / selected_w_components_` summed per row, for the training rows
/// and new rows alike.
///
/// One deviation, for degenerate data only: a ratio below ε = 2.2·10⁻¹⁶ (a constant or collinear
/// direction, where PyOD divides by 0 or by rounding noise) is raised to ε, so the score stays
/// finite and such a direction dominates it, as rounding noise makes it dominate in PyOD.
public struct PCA: Detector, Equatable {
    /// Settings; defaults are PyOD's `PCA()`.
    public struct Parameters: DetectorParameters {
        /// Components to keep (`n_components`, default nil = min(rows, features)).
        public var nComponents: Int?
        /// How many of the kept components, counted from the last (smallest variance), score rows
        /// (`n_selected_components`, default nil = all kept).
        public var nSelectedComponents: Int?
        /// Divide each distance by the component's explained-variance ratio (`weighted`, default true).
        public var weighted: Bool
        /// Standardise columns before PCA (`standardization`, default true).
        public var standardization: Bool

        /// PyOD's defaults unless overridden.
        public init(nComponents: Int? = nil, nSelectedComponents: Int? = nil, weighted: Bool = true,
                    standardization: Bool = true) {
            self.nComponents = nComponents
            self.nSelectedComponents = nSelectedComponents
            self.weighted = weighted
            self.standardization = standardization
        }

        public func validate() throws {
            if let k = nComponents, k < 1 {
                throw VigilError.invalidParameter(name: "n_components", value: "\(k)", allowed: "an integer ≥ 1 or null")
            }
            if let s = nSelectedComponents {
                guard s >= 1, s <= (nComponents ?? Int.max) else {
                    throw VigilError.invalidParameter(name: "n_selected_components", value: "\(s)",
                        allowed: "an integer in [1, n_components] or null")
                }
            }
        }
    }

    /// Served as `pca`.
    public static let backend = Backend.pca

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// The column standardisation learned at fit (nil when `standardization` is false).
    public let scaler: StandardScaler?
    /// The selected components, one unit vector per row (row-major, `weights.count` × features).
    public let components: [Double]
    /// Divisor of each selected component's distance (explained-variance ratio, or 1).
    public let weights: [Double]
    /// Explained-variance ratio of every kept component, largest first (for inspection).
    public let explainedVarianceRatio: [Double]

    /// The smallest divisor a component gets (see the type's note on degenerate data).
    static let weightFloor = Double.ulpOfOne

    /// Standardises, decomposes the covariance and keeps the selected components.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> PCA {
        try parameters.validate()
        try TrainingData.require(x, detector: "PCA")
        guard x.rows >= 2 else { throw VigilError.emptyData("PCA needs at least 2 rows, got \(x.rows)") }
        let n = x.rows, d = x.cols
        let available = min(n, d)
        let kept = parameters.nComponents ?? available
        guard kept <= available else {
            throw VigilError.invalidParameter(name: "n_components", value: "\(kept)",
                allowed: "at most min(rows, features) = \(available)")
        }
        let selected = parameters.nSelectedComponents ?? kept
        guard selected <= kept else {
            throw VigilError.invalidParameter(name: "n_selected_components", value: "\(selected)",
                allowed: "at most n_components = \(kept)")
        }
        let scaler = parameters.standardization ? StandardScaler(fitting: x) : nil
        // The covariance of the standardised columns is C_ij / (s_i s_j): no standardised copy needed.
        var covariance = Covariance.matrix(x)
        if let scaler {
            for i in 0..<d { for j in 0..<d { covariance[i * d + j] /= scaler.scales[i] * scaler.scales[j] } }
        }
        let eigen = SymmetricEigen(symmetric: covariance, order: d)
        let variances = eigen.values.map { max($0, 0) }
        let total = variances.reduce(0, +)
        let ratios = variances.map { total > 0 ? $0 / total : 0 }
        var components = [Double]()
        var weights = [Double]()
        for j in (kept - selected)..<kept {
            components += signFixed(Array(eigen.vectors[(j * d)..<((j + 1) * d)]))
            weights.append(parameters.weighted ? max(ratios[j], weightFloor) : 1)
        }
        return PCA(parameters: parameters, featureCount: d, scaler: scaler, components: components,
                   weights: weights, explainedVarianceRatio: Array(ratios.prefix(kept)))
    }

    init(parameters: Parameters, featureCount: Int, scaler: StandardScaler?, components: [Double],
         weights: [Double], explainedVarianceRatio: [Double]) {
        self.parameters = parameters
        self.featureCount = featureCount
        self.scaler = scaler
        self.components = components
        self.weights = weights
        self.explainedVarianceRatio = explainedVarianceRatio
    }

    /// Decodes a stored model, refusing components and weights that do not fit together.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let featureCount = try c.decode(Int.self, forKey: .featureCount)
        let scaler = try c.decodeIfPresent(StandardScaler.self, forKey: .scaler)
        let components = try c.decode([Double].self, forKey: .components)
        let weights = try c.decode([Double].self, forKey: .weights)
        guard featureCount > 0, !weights.isEmpty, components.count == weights.count * featureCount,
              weights.allSatisfy({ $0 > 0 && $0.isFinite }), components.allSatisfy(\.isFinite),
              scaler.map({ $0.means.count == featureCount }) ?? true else {
            throw DecodingError.dataCorruptedError(forKey: .components, in: c,
                debugDescription: "\(components.count) component values and \(weights.count) weights do not fit \(featureCount) features")
        }
        self.init(parameters: try c.decode(Parameters.self, forKey: .parameters), featureCount: featureCount,
                  scaler: scaler, components: components, weights: weights,
                  explainedVarianceRatio: try c.decode([Double].self, forKey: .explainedVarianceRatio))
    }

    /// scikit-learn's `svd_flip(u_based_decision=False)`: the first entry of largest magnitude
    /// becomes positive.
    static func signFixed(_ v: [Double]) -> [Double] {
        var best = 0
        for i in v.indices where abs(v[i]) > abs(v[best]) { best = i }
        return v[best] < 0 ? v.map { -$0 } : v
    }

    /// Σ_j ‖z − v_j‖ / w_j per row, z the standardised row; rows are scored in parallel.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        return scores(x)
    }

    /// Scores of raw rows `x`, each standardised on the fly (no standardised copy). Components are
    /// laid out feature-major so the inner loop runs over the components, contiguous in memory.
    func scores(_ x: Matrix) -> [Double] {
        let d = featureCount, k = weights.count
        // One table: components feature-major (d × k), 1/w_j (k), column means (d), column scales (d).
        var table = [Double](repeating: 0, count: d * k + k + 2 * d)
        for j in 0..<k { for c in 0..<d { table[c * k + j] = components[j * d + c] } }
        for j in 0..<k { table[d * k + j] = 1 / weights[j] }
        for c in 0..<d {
            table[d * k + k + c] = scaler?.means[c] ?? 0
            table[d * k + k + d + c] = scaler?.scales[c] ?? 1
        }
        var out = [Double](repeating: 0, count: x.rows)
        out.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            x.values.withUnsafeBufferPointer { xv in
                table.withUnsafeBufferPointer { t in
                    let v = t.baseAddress!, w = v + d * k, mean = w + k, scale = mean + d
                    Parallel.forEachChunk(x.rows, minChunk: 4096) { rows in
                        let work = UnsafeMutablePointer<Double>.allocate(capacity: k + d)
                        defer { work.deallocate() }
                        let sq = work, z = work + k
                        for r in rows {
                            let raw = xv.baseAddress! + r * d
                            for c in 0..<d { z[c] = (raw[c] - mean[c]) / scale[c] }
                            for j in 0..<k { sq[j] = 0 }
                            for c in 0..<d {
                                let zc = z[c], vc = v + c * k
                                for j in 0..<k {
                                    let diff = zc - vc[j]
                                    sq[j] += diff * diff
                                }
                            }
                            var s = 0.0
                            for j in 0..<k { s += sq[j].squareRoot() * w[j] }
                            out[r] = s
                        }
                    }
                }
            }
        }
        return out
    }
}
