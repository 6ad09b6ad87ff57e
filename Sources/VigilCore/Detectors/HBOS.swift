/// HBOS, Histogram-Based Outlier Score (Goldstein & Dengel 2012), with PyOD 3.6's semantics
/// (`pyod/models/hbos.py`, static bins; `reference/algorithms.md` §5).
///
/// Fit, per feature: `np.histogram(x, bins, density=True)`, i.e. edges = linspace(min, max, b + 1)
/// ([min − 0.5, max + 0.5] for a constant feature), bins [e_k, e_k+1) with the last one closed,
/// density_k = count_k / (n · width_k); ℓ_k = log2(density_k + α).
/// Score of a value x: k = #{edges < x} (`np.digitize(x, edges, right=True)`); 1 ≤ k ≤ b gives
/// ℓ_{k−1}; below the first edge (k = 0) it is ℓ_0 if e_0 − x ≤ tol · width_0, else min ℓ; above the
/// last edge (k = b + 1) it is ℓ_{b−1} if x − e_b ≤ tol · width_{b−1}, else min ℓ.
/// Raw score = −Σ_j ℓ(x_j). A row's score never depends on other rows. NaN and ±∞ are refused.
public struct HBOS: Detector, Equatable {
    /// Number of bins per feature (PyOD's `n_bins`).
    public enum BinCount: Sendable, Codable, Equatable {
        /// The same number of bins for every feature (PyOD requires > 2; Vigil accepts ≥ 2).
        case count(Int)
        /// Per feature, the Birgé–Rozenblac choice as PyOD's `get_optimal_n_bins`: b in
        /// 1 ..< max(2, ⌊√n⌋) maximising Σ_k [c_k · ln(b·c_k/n + 1) − (b − 1 + (ln b)^2.5)].
        case auto

        /// Decodes PyOD's spelling: an integer or the string "auto".
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let count = try? container.decode(Int.self) {
                self = .count(count)
                return
            }
            let text = try container.decode(String.self)
            guard text.lowercased() == "auto" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "n_bins must be an integer or \"auto\", got \"\(text)\"")
            }
            self = .auto
        }

        /// Encodes as an integer or "auto".
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .count(let count): try container.encode(count)
            case .auto: try container.encode("auto")
            }
        }
    }

    /// Settings; defaults are PyOD's `HBOS()` (`contamination` belongs to the Calibrator).
    public struct Parameters: DetectorParameters {
        /// Bins per feature (`n_bins`, default 10).
        public var nBins: BinCount
        /// Added to each density before the log, so empty bins stay finite (`alpha`, default 0.1).
        public var alpha: Double
        /// How far outside the outer edges, in bin widths, a value still takes the outer bin's
        /// density (`tol`, default 0.5).
        public var tol: Double

        /// PyOD's defaults unless overridden.
        public init(nBins: BinCount = .count(10), alpha: Double = 0.1, tol: Double = 0.5) {
            self.nBins = nBins
            self.alpha = alpha
            self.tol = tol
        }

        /// PyOD's ranges: alpha and tol in (0, 1); Vigil accepts n_bins ≥ 2 (PyOD: > 2).
        public func validate() throws {
            if case .count(let count) = nBins, count < 2 {
                throw VigilError.invalidParameter(name: "n_bins", value: "\(count)", allowed: "an integer ≥ 2 or \"auto\"")
            }
            guard alpha > 0, alpha < 1 else {
                throw VigilError.invalidParameter(name: "alpha", value: "\(alpha)", allowed: "in (0, 1)")
            }
            guard tol > 0, tol < 1 else {
                throw VigilError.invalidParameter(name: "tol", value: "\(tol)", allowed: "in (0, 1)")
            }
        }
    }

    /// One feature's fitted histogram.
    public struct Histogram: Sendable, Codable, Equatable {
        /// Bin edges e_0 < … < e_b (`bin_edges_`).
        public let edges: [Double]
        /// density_k = count_k / (n · (e_{k+1} − e_k)) (`hist_`).
        public let density: [Double]
        /// ℓ_k = log2(density_k + α), a value's contribution (with its sign flipped) to the score.
        public let logDensity: [Double]

        /// Number of bins b.
        public var binCount: Int { density.count }
    }

    /// Served as `hbos`.
    public static let backend = Backend.hbos

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// One histogram per feature, in column order.
    public let histograms: [Histogram]
    /// The histograms laid out for scoring (derived, not stored).
    let table: HistogramTable

    private enum CodingKeys: String, CodingKey {
        case parameters, featureCount, histograms
    }

    init(parameters: Parameters, histograms: [Histogram]) {
        self.parameters = parameters
        self.featureCount = histograms.count
        self.histograms = histograms
        self.table = HistogramTable(histograms, tol: parameters.tol)
    }

    /// Decodes a stored model, refusing histograms that are inconsistent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let parameters = try c.decode(Parameters.self, forKey: .parameters)
        let histograms = try c.decode([Histogram].self, forKey: .histograms)
        let featureCount = try c.decode(Int.self, forKey: .featureCount)
        let consistent = featureCount == histograms.count && featureCount > 0 && histograms.allSatisfy { h in
            h.binCount >= 1 && h.edges.count == h.binCount + 1 && h.logDensity.count == h.binCount
                && h.edges.allSatisfy(\.isFinite) && zip(h.edges, h.edges.dropFirst()).allSatisfy { $0 < $1 }
        }
        guard consistent else {
            throw DecodingError.dataCorruptedError(forKey: .histograms, in: c,
                debugDescription: "HBOS histograms are inconsistent: need \(featureCount) histograms with b + 1 increasing finite edges and b densities")
        }
        try parameters.validate()
        self.init(parameters: parameters, histograms: histograms)
    }

    /// Same parameters and histograms (the derived scoring table is ignored).
    public static func == (a: HBOS, b: HBOS) -> Bool {
        a.parameters == b.parameters && a.featureCount == b.featureCount && a.histograms == b.histograms
    }

    /// Builds one histogram per feature (parallel over row chunks, or over features for "auto").
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> HBOS {
        try parameters.validate()
        guard x.rows > 0, x.cols > 0 else {
            throw VigilError.emptyData("HBOS needs at least one row and one column")
        }
        let histograms: [Histogram]
        switch parameters.nBins {
        case .count(let bins):
            histograms = try HistogramBuilder.fixedBins(x, bins: bins, alpha: parameters.alpha)
        case .auto:
            try x.requireFinite()
            histograms = try HistogramBuilder.automaticBins(x, alpha: parameters.alpha)
        }
        return HBOS(parameters: parameters, histograms: histograms)
    }

    /// −Σ_j ℓ(x_ij) per row; parallel over row chunks.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        return try table.scores(x)
    }
}

/// HBOS's histograms laid out flat for scoring: all edges and all ℓ in two arrays, and per
/// feature the constants a lookup needs.
struct HistogramTable: Sendable {
    /// One feature's scoring constants.
    struct Feature: Sendable {
        /// Offsets of its edges and ℓ in the flat arrays.
        let edgeStart: Int
        let logStart: Int
        /// Number of bins b.
        let bins: Int
        /// b / (e_b − e_0), to guess a value's bin before checking it against the edges.
        let scale: Double
        /// (e_1 − e_0) · tol and (e_b − e_{b−1}) · tol, as PyOD compares `dist <= bin_width * tol`.
        let lowReach: Double
        let highReach: Double
        /// min_k ℓ_k, for values beyond the reach.
        let minimumLog: Double
    }

    private let edges: [Double]
    private let logDensity: [Double]
    private let features: [Feature]

    init(_ histograms: [HBOS.Histogram], tol: Double) {
        edges = histograms.flatMap(\.edges)
        logDensity = histograms.flatMap(\.logDensity)
        var features = [Feature]()
        var edgeStart = 0, logStart = 0
        for h in histograms {
            let b = h.binCount, e = h.edges
            features.append(Feature(
                edgeStart: edgeStart, logStart: logStart, bins: b, scale: Double(b) / (e[b] - e[0]),
                lowReach: (e[1] - e[0]) * tol, highReach: (e[b] - e[b - 1]) * tol,
                minimumLog: h.logDensity.min() ?? 0))
            edgeStart += e.count
            logStart += b
        }
        self.features = features
    }

    /// −Σ_j ℓ(x_ij) for every row of `x` (one column per histogram), parallel over row blocks
    /// (each block feature by feature, so a feature's constants stay in registers). Throws
    /// `nonFinite` for NaN/±∞, detected on the way rather than by a separate pass: x − x is 0 for
    /// a finite x and NaN otherwise, so adding it leaves finite rows' sums unchanged.
    func scores(_ x: Matrix) throws -> [Double] {
        let n = x.rows, d = x.cols
        guard n > 0 else { return [] }
        let scores = [Double](unsafeUninitializedCapacity: n) { out, initialized in
            nonisolated(unsafe) let sums = out.baseAddress!
            x.values.withUnsafeBufferPointer { v in
                nonisolated(unsafe) let data = v.baseAddress!
                edges.withUnsafeBufferPointer { e in
                    logDensity.withUnsafeBufferPointer { l in
                        features.withUnsafeBufferPointer { f in
                            nonisolated(unsafe) let allEdges = e.baseAddress!, allLogs = l.baseAddress!
                            nonisolated(unsafe) let constants = f.baseAddress!
                            Parallel.forEachChunk(n, minChunk: 8192) { range in
                                var start = range.lowerBound
                                while start < range.upperBound {
                                    let end = min(start + 256, range.upperBound)
                                    for r in start..<end { sums[r] = 0 }
                                    for j in 0..<d {
                                        let feature = constants[j]
                                        let edges = allEdges + feature.edgeStart, logs = allLogs + feature.logStart
                                        for r in start..<end {
                                            let value = data[r * d + j]
                                            sums[r] += Self.logDensity(of: value, feature, edges: edges, logs: logs) + (value - value)
                                        }
                                    }
                                    for r in start..<end { sums[r] = -sums[r] }
                                    start = end
                                }
                            }
                        }
                    }
                }
            }
            initialized = n
        }
        if scores.contains(where: \.isNaN) { try x.requireFinite() }
        return scores
    }

    /// Every term −ℓ_j(x_ij) of finite `x` (one column per histogram) with the row sums, added in
    /// column order so that they equal `scores` bit for bit.
    func terms(_ x: Matrix) -> Attributions {
        let n = x.rows, d = x.cols
        var terms = [Double](repeating: 0, count: n * d)
        var sums = [Double](repeating: 0, count: n)
        edges.withUnsafeBufferPointer { e in
            logDensity.withUnsafeBufferPointer { l in
                for r in 0..<n {
                    var total = 0.0
                    for j in 0..<d {
                        let feature = features[j]
                        let term = -Self.logDensity(of: x.values[r * d + j], feature, edges: e.baseAddress! + feature.edgeStart,
                                                    logs: l.baseAddress! + feature.logStart)
                        terms[r * d + j] = term
                        total += term
                    }
                    sums[r] = total
                }
            }
        }
        return Attributions(output: .rawScore, baseValue: 0, rows: n, features: d, contributions: terms, outputs: sums)
    }

    /// ℓ of value x on a feature: k = #{edges < x} (`np.digitize(x, edges, right=True)`), then
    /// ℓ_{k−1} inside, the outer bin's ℓ within tol bin widths outside, min ℓ farther out.
    @inline(__always)
    private static func logDensity(of x: Double, _ f: Feature, edges e: UnsafePointer<Double>,
                                   logs l: UnsafePointer<Double>) -> Double {
        let b = f.bins
        if x <= e[0] {
            return e[0] - x <= f.lowReach ? l[0] : f.minimumLog
        }
        if x > e[b] {
            return x - e[b] <= f.highReach ? l[b - 1] : f.minimumLog
        }
        // e_0 < x ≤ e_b: guess k ≈ ⌈(x − e_0) · scale⌉ from the bin width, then settle it on the
        // edges (e_{k−1} < x ≤ e_k, 1 ≤ k ≤ b).
        let guess = (x - e[0]) * f.scale
        var k = guess < Double(b - 1) ? Int(guess) + 1 : b
        while k > 1 && e[k - 1] >= x { k -= 1 }
        while k < b && e[k] < x { k += 1 }
        return l[k - 1]
    }
}
