#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LODA, Lightweight On-line Detector of Anomalies (Pevný 2016), with PyOD 3.6's semantics
/// (`pyod/models/loda.py`, integer `n_bins`).
///
/// Fit: R = `n_random_cuts` sparse random projections w_i ∈ ℝ^d with ⌊√d⌋ non-zero N(0, 1) entries
/// (the other d − ⌊√d⌋ set to 0 at random positions). For each, a NumPy-style histogram
/// (`np.histogram(w_i·X, bins=n_bins)`: equal-width bins over [min, max], ±0.5 when min = max)
/// whose counts get +10⁻¹² and are normalised to sum 1 → p_i.
///
/// Score of a row x: (1/R) Σ_i −(1/R)·ln p_i[b_i(x)], with b_i(x) = PyOD's
/// `np.searchsorted(limits_i[:n_bins − 1], w_i·x, side="left")` — i.e. the number of the first
/// n_bins − 1 bin edges strictly below w_i·x. (That index is one bin to the right of the bin the
/// value was counted in, except at the minimum; PyOD does this, so Vigil does too.) Training rows and
/// new rows are scored alike; values outside the training range fall in the first or last bin.
/// The projections come from Vigil's seeded stream (same seed → same model), not NumPy's.
public struct LODA: Detector, Equatable {
    /// Settings; defaults are PyOD's `LODA()`.
    public struct Parameters: DetectorParameters {
        /// Bins per histogram (`n_bins`, default 10).
        public var nBins: Int
        /// Number of random projections (`n_random_cuts`, default 100).
        public var nRandomCuts: Int

        /// PyOD's defaults unless overridden.
        public init(nBins: Int = 10, nRandomCuts: Int = 100) {
            self.nBins = nBins
            self.nRandomCuts = nRandomCuts
        }

        public func validate() throws {
            guard nBins >= 1 else {
                throw VigilError.invalidParameter(name: "n_bins", value: "\(nBins)", allowed: "an integer ≥ 1")
            }
            guard nRandomCuts >= 1 else {
                throw VigilError.invalidParameter(name: "n_random_cuts", value: "\(nRandomCuts)", allowed: "an integer ≥ 1")
            }
        }
    }

    /// Served as `loda`.
    public static let backend = Backend.loda

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// Projection vectors, row-major (cuts × features), mostly zeros.
    public let projections: [Double]
    /// Bin edges per cut, row-major (cuts × (bins + 1)).
    public let limits: [Double]
    /// −ln p of each bin per cut, row-major (cuts × bins).
    public let negativeLogDensity: [Double]

    /// Draws the projections and builds one histogram per projection, cuts in parallel.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> LODA {
        try parameters.validate()
        try TrainingData.require(x, detector: "LODA")
        let d = x.cols, cuts = parameters.nRandomCuts, bins = parameters.nBins
        let nonZero = Int(Double(d).squareRoot())
        var rng = SeededGenerator(seed: seed)
        var projections = [Double](repeating: 0, count: cuts * d)
        for i in 0..<cuts {
            for j in 0..<d { projections[i * d + j] = rng.nextGaussian() }
            var positions = Array(0..<d)
            positions.shuffle(using: &rng)
            for j in positions.prefix(d - nonZero) { projections[i * d + j] = 0 }
        }
        var limits = [Double](repeating: 0, count: cuts * (bins + 1))
        var negLog = [Double](repeating: 0, count: cuts * bins)
        let sparse = SparseCuts(projections: projections, cuts: cuts, features: d)
        limits.withUnsafeMutableBufferPointer { lim in
            negLog.withUnsafeMutableBufferPointer { nl in
                nonisolated(unsafe) let (lim, nl) = (lim, nl)
                Parallel.forEach(cuts) { i in
                    var projected = [Double](repeating: 0, count: x.rows)
                    projected.withUnsafeMutableBufferPointer { out in sparse.project(x, cut: i, into: out) }
                    let (edges, counts) = histogram(projected, bins: bins)
                    let total = counts.reduce(0.0) { $0 + (Double($1) + 1e-12) }
                    for b in 0...bins { lim[i * (bins + 1) + b] = edges[b] }
                    for b in 0..<bins { nl[i * bins + b] = -log((Double(counts[b]) + 1e-12) / total) }
                }
            }
        }
        return LODA(parameters: parameters, featureCount: d, projections: projections, limits: limits,
                    negativeLogDensity: negLog)
    }

    init(parameters: Parameters, featureCount: Int, projections: [Double], limits: [Double], negativeLogDensity: [Double]) {
        self.parameters = parameters
        self.featureCount = featureCount
        self.projections = projections
        self.limits = limits
        self.negativeLogDensity = negativeLogDensity
    }

    /// Decodes a stored model, refusing arrays whose sizes do not match the parameters.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let parameters = try c.decode(Parameters.self, forKey: .parameters)
        let featureCount = try c.decode(Int.self, forKey: .featureCount)
        let projections = try c.decode([Double].self, forKey: .projections)
        let limits = try c.decode([Double].self, forKey: .limits)
        let negLog = try c.decode([Double].self, forKey: .negativeLogDensity)
        let cuts = parameters.nRandomCuts, bins = parameters.nBins
        guard (try? parameters.validate()) != nil, featureCount > 0, projections.count == cuts * featureCount,
              limits.count == cuts * (bins + 1), negLog.count == cuts * bins,
              (projections + limits + negLog).allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .projections, in: c,
                debugDescription: "projection, edge and density arrays do not fit \(cuts) cuts × \(bins) bins × \(featureCount) features")
        }
        self.init(parameters: parameters, featureCount: featureCount, projections: projections, limits: limits,
                  negativeLogDensity: negLog)
    }

    /// `np.histogram(values, bins)` with equal-width bins: edges (linspace over [min, max], widened
    /// by 0.5 each side when min = max) and counts (the last bin closed on the right).
    static func histogram(_ values: [Double], bins: Int) -> (edges: [Double], counts: [Int]) {
        var first = values.min() ?? 0, last = values.max() ?? 0
        if first == last {
            first -= 0.5
            last += 0.5
        }
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        var counts = [Int](repeating: 0, count: bins)
        let width = last - first
        values.withUnsafeBufferPointer { v in
            edges.withUnsafeBufferPointer { e in
                counts.withUnsafeMutableBufferPointer { n in
                    for value in v {
                        var b = Int((value - first) / width * Double(bins))
                        if b == bins { b -= 1 }
                        if value < e[b] { b -= 1 } else if b != bins - 1 && value >= e[b + 1] { b += 1 }
                        n[b] += 1
                    }
                }
            }
        }
        return (edges, counts)
    }

    /// PyOD's bin index `searchsorted(edges[:bins − 1], p, side="left")`: how many of the first
    /// bins − 1 edges lie strictly below p. Found from p's own bin (computed as NumPy's histogram does,
    /// then checked against the edges), so it costs O(1) instead of a scan. `binsPerUnit` is
    /// bins / (last edge − first edge).
    @inline(__always)
    static func edgesBelow(_ p: Double, edges e: UnsafePointer<Double>, bins: Int, binsPerUnit: Double) -> Int {
        guard p > e[0] else { return 0 }
        guard p < e[bins] else { return bins - 1 }
        var j = Int((p - e[0]) * binsPerUnit)  // an estimate; the loops below make it exact
        j = Swift.min(Swift.max(j, 0), bins - 1)
        while j > 0 && p < e[j] { j -= 1 }
        while j < bins - 1 && p >= e[j + 1] { j += 1 }
        // e[j] ≤ p < e[j + 1]: edges 0..<j are below p, and e[j] too unless p equals it.
        return Swift.min(p > e[j] ? j + 1 : j, bins - 1)
    }

    /// (1/R²) Σ_i −ln p_i[b_i(x)] per row, rows in parallel.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        let d = featureCount, cuts = parameters.nRandomCuts, bins = parameters.nBins
        let sparse = SparseCuts(projections: projections, cuts: cuts, features: d)
        let scale = 1 / (Double(cuts) * Double(cuts))
        let perUnit = (0..<cuts).map { i in Double(bins) / (limits[i * (bins + 1) + bins] - limits[i * (bins + 1)]) }
        var scores = [Double](repeating: 0, count: x.rows)
        scores.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            x.values.withUnsafeBufferPointer { v in
                limits.withUnsafeBufferPointer { lim in
                    negativeLogDensity.withUnsafeBufferPointer { nl in
                        sparse.starts.withUnsafeBufferPointer { starts in
                            sparse.features.withUnsafeBufferPointer { features in
                                sparse.weights.withUnsafeBufferPointer { weights in
                                    perUnit.withUnsafeBufferPointer { perUnit in
                                        Parallel.forEachChunk(x.rows, minChunk: 1024) { rows in
                                            for r in rows {
                                                let row = v.baseAddress! + r * d
                                                var s = 0.0
                                                for i in 0..<cuts {
                                                    var p = 0.0
                                                    for t in starts[i]..<starts[i + 1] { p += weights[t] * row[features[t]] }
                                                    let b = Self.edgesBelow(p, edges: lim.baseAddress! + i * (bins + 1), bins: bins,
                                                                            binsPerUnit: perUnit[i])
                                                    s += nl[i * bins + b]
                                                }
                                                out[r] = s * scale
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return scores
    }
}

/// The non-zero (feature, weight) pairs of each LODA projection, in feature order: the projection
/// of a row is Σ weight·x[feature] over its pairs, summed in this order at fit and at scoring alike.
struct SparseCuts: Sendable {
    /// Pairs of cut i are at starts[i]..<starts[i + 1].
    let starts: [Int]
    /// Feature index of each pair.
    let features: [Int]
    /// Weight of each pair.
    let weights: [Double]

    init(projections: [Double], cuts: Int, features d: Int) {
        var starts = [0], features = [Int](), weights = [Double]()
        for i in 0..<cuts {
            for j in 0..<d where projections[i * d + j] != 0 {
                features.append(j)
                weights.append(projections[i * d + j])
            }
            starts.append(features.count)
        }
        self.starts = starts
        self.features = features
        self.weights = weights
    }

    /// w_i · x for every row of `x`, into `out`.
    func project(_ x: Matrix, cut i: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let d = x.cols
        x.values.withUnsafeBufferPointer { v in
            features.withUnsafeBufferPointer { f in
                weights.withUnsafeBufferPointer { w in
                    let lo = starts[i], hi = starts[i + 1]
                    for r in 0..<x.rows {
                        let row = v.baseAddress! + r * d
                        var p = 0.0
                        for t in lo..<hi { p += w[t] * row[f[t]] }
                        out[r] = p
                    }
                }
            }
        }
    }
}
