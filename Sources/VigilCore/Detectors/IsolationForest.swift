/// Isolation Forest (Liu, Ting & Zhou 2008) with scikit-learn 1.9's semantics
/// (`sklearn/ensemble/_iforest.py`; `reference/algorithms.md` §1).
///
/// Each of T trees is grown on ψ rows drawn from X (ψ = min(256, n) by default) to depth
/// ceil(log2 ψ). A row's path length in a tree is h = depth of its leaf + c(n_leaf), and
/// s(x) = 2^(−E[h] / c(ψ)) with c(n) = 2(ln(n − 1) + γ) − 2(n − 1)/n. The raw score is s
/// (scikit-learn's `−score_samples`): 0.5 is average, → 1 anomalous. Values are compared as float32,
/// as scikit-learn casts X. NaN is accepted and routed as scikit-learn does; ±inf is refused.
/// Trees are grown and rows scored in parallel across cores; the same seed gives the same forest
/// whatever the thread count.
///
/// Seed: `fit(…, seed: s)` grows exactly the trees of
/// `sklearn.ensemble.IsolationForest(random_state=s)` on the same X (scikit-learn 1.9, NumPy's
/// legacy MT19937 `RandomState`, see `ForestDraws` and `IsolationTreeBuilder`), so the scores equal
/// scikit-learn's `-score_samples` to floating-point rounding. As NumPy, seeds above 2³² − 1 are
/// refused (`VigilError.invalidParameter`, name "seed").
public struct IsolationForest: Detector, Equatable {
    /// Subsample size per tree.
    public enum SampleSize: Sendable, Codable, Equatable {
        /// min(256, n).
        case auto
        /// Exactly this many rows (capped at n, as scikit-learn does with a warning).
        case count(Int)
        /// int(fraction · n), at least 1.
        case fraction(Double)
    }

    /// Features per tree.
    public enum FeatureCount: Sendable, Codable, Equatable {
        /// Exactly this many features.
        case count(Int)
        /// max(1, int(fraction · d)).
        case fraction(Double)
    }

    /// Settings; defaults are scikit-learn's `IsolationForest()`.
    public struct Parameters: DetectorParameters {
        /// Number of trees (`n_estimators`, default 100).
        public var nEstimators: Int
        /// Rows per tree (`max_samples`, default "auto").
        public var maxSamples: SampleSize
        /// Features per tree (`max_features`, default 1.0).
        public var maxFeatures: FeatureCount
        /// Draw rows with replacement (`bootstrap`, default false).
        public var bootstrap: Bool

        /// scikit-learn's defaults unless overridden.
        public init(nEstimators: Int = 100, maxSamples: SampleSize = .auto,
                    maxFeatures: FeatureCount = .fraction(1.0), bootstrap: Bool = false) {
            self.nEstimators = nEstimators
            self.maxSamples = maxSamples
            self.maxFeatures = maxFeatures
            self.bootstrap = bootstrap
        }

        public func validate() throws {
            guard nEstimators >= 1 else {
                throw VigilError.invalidParameter(name: "n_estimators", value: "\(nEstimators)", allowed: "an integer ≥ 1")
            }
            switch maxSamples {
            case .auto: break
            case .count(let c) where c >= 1: break
            case .fraction(let f) where f > 0 && f <= 1: break
            case .count(let c):
                throw VigilError.invalidParameter(name: "max_samples", value: "\(c)", allowed: "\"auto\", an integer ≥ 1 or a fraction in (0, 1]")
            case .fraction(let f):
                throw VigilError.invalidParameter(name: "max_samples", value: "\(f)", allowed: "\"auto\", an integer ≥ 1 or a fraction in (0, 1]")
            }
            switch maxFeatures {
            case .count(let c) where c >= 1: break
            case .fraction(let f) where f > 0 && f <= 1: break
            case .count(let c):
                throw VigilError.invalidParameter(name: "max_features", value: "\(c)", allowed: "an integer ≥ 1 or a fraction in (0, 1]")
            case .fraction(let f):
                throw VigilError.invalidParameter(name: "max_features", value: "\(f)", allowed: "an integer ≥ 1 or a fraction in (0, 1]")
            }
        }
    }

    public static let backend = Backend.isolationForest

    public let parameters: Parameters
    public let featureCount: Int
    /// Subsample size ψ actually used (`max_samples_`).
    public let sampleSize: Int
    /// Depth limit ceil(log2(max(ψ, 2))).
    public let depthLimit: Int
    /// The fitted trees.
    public let trees: [IsolationTree]
    private let compiled: CompiledForest?
    /// The trees as TreeSHAP sees them (derived, not stored).
    let shapTrees: [TreeSHAP.Tree]

    private enum CodingKeys: String, CodingKey {
        case parameters, featureCount, sampleSize, depthLimit, trees
    }

    init(parameters: Parameters, featureCount: Int, sampleSize: Int, depthLimit: Int, trees: [IsolationTree]) {
        self.parameters = parameters
        self.featureCount = featureCount
        self.sampleSize = sampleSize
        self.depthLimit = depthLimit
        self.trees = trees
        self.compiled = CompiledForest(trees: trees, depth: depthLimit)
        self.shapTrees = trees.map { $0.shapTree(sampleSize: sampleSize) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            parameters: try c.decode(Parameters.self, forKey: .parameters),
            featureCount: try c.decode(Int.self, forKey: .featureCount),
            sampleSize: try c.decode(Int.self, forKey: .sampleSize),
            depthLimit: try c.decode(Int.self, forKey: .depthLimit),
            trees: try c.decode([IsolationTree].self, forKey: .trees))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(featureCount, forKey: .featureCount)
        try c.encode(sampleSize, forKey: .sampleSize)
        try c.encode(depthLimit, forKey: .depthLimit)
        try c.encode(trees, forKey: .trees)
    }

    public static func == (a: IsolationForest, b: IsolationForest) -> Bool {
        a.parameters == b.parameters && a.featureCount == b.featureCount && a.sampleSize == b.sampleSize
            && a.depthLimit == b.depthLimit && a.trees == b.trees
    }

    /// Euler–Mascheroni constant γ.
    public static let eulerGamma = 0.577_215_664_901_532_860_6

    /// Average path length of an unsuccessful BST search, c(n): 0 for n ≤ 1, 1 for n = 2,
    /// 2(ln(n − 1) + γ) − 2(n − 1)/n otherwise (scikit-learn's `_average_path_length`).
    public static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n)
        return 2 * (log(m - 1) + eulerGamma) - 2 * (m - 1) / m
    }

    public static func fit(_ x: Matrix, parameters: Parameters, seed: UInt64) throws -> IsolationForest {
        try parameters.validate()
        guard let seed32 = UInt32(exactly: seed) else {
            throw VigilError.invalidParameter(name: "seed", value: "\(seed)", allowed: "an integer in 0...4294967295 (NumPy's RandomState range)")
        }
        guard x.rows > 0, x.cols > 0 else {
            throw VigilError.emptyData("Isolation Forest needs at least one row and one column")
        }
        let data = try float32Values(x)
        let n = x.rows, d = x.cols
        let psi: Int
        switch parameters.maxSamples {
        case .auto: psi = min(256, n)
        case .count(let c): psi = min(c, n)
        case .fraction(let f): psi = max(1, Int(f * Double(n)))
        }
        let featuresPerTree: Int
        switch parameters.maxFeatures {
        case .count(let c):
            guard c <= d else {
                throw VigilError.invalidParameter(name: "max_features", value: "\(c)", allowed: "at most the \(d) features of the data")
            }
            featuresPerTree = c
        case .fraction(let f): featuresPerTree = max(1, Int(f * Double(d)))
        }
        let depthLimit = Int(log2(Double(max(psi, 2))).rounded(.up))

        let forestDraws = ForestDraws(seed: seed32, rows: n, trees: parameters.nEstimators)
        let treeCount = parameters.nEstimators
        var trees = [IsolationTree](repeating: IsolationTree(), count: treeCount)
        trees.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let slots = out
            data.withUnsafeBufferPointer { xs in
                nonisolated(unsafe) let values = xs
                Parallel.forEach(treeCount) { t in
                    let bag = forestDraws.bag(tree: t, features: d, featuresPerTree: featuresPerTree,
                                              sampleSize: psi, bootstrap: parameters.bootstrap)
                    let builder = IsolationTreeBuilder(values: values, cols: d, features: bag.features, rows: bag.rows,
                                                       weights: bag.weights, targets: bag.rows.map { forestDraws.targets[$0] },
                                                       maxDepth: depthLimit)
                    slots[t] = builder.build(randomState: bag.splitterState)
                }
            }
        }
        return IsolationForest(parameters: parameters, featureCount: d, sampleSize: psi, depthLimit: depthLimit, trees: trees)
    }

    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        guard x.rows > 0 else { return [] }
        let data = try Self.float32Values(x)
        let n = x.rows, d = x.cols
        var sums = [Double](repeating: 0, count: n)
        sums.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let pathSums = out
            data.withUnsafeBufferPointer { xs in
                nonisolated(unsafe) let values = xs
                Parallel.forEachChunk(n, minChunk: 256) { range in
                    if let compiled, !Self.containsNaN(values, rows: range, cols: d) {
                        compiled.addPathLengths(values: values, cols: d, rows: range, into: pathSums)
                    } else {
                        for r in range {
                            let row = UnsafeBufferPointer(rebasing: values[(r * d)..<((r + 1) * d)])
                            var total = 0.0
                            for tree in trees { total += tree.pathLength(row: row) }
                            pathSums[r] = total
                        }
                    }
                }
            }
        }
        let denominator = Double(trees.count) * Self.averagePathLength(sampleSize)
        return sums.map { sum in
            // ψ = 1 gives c(ψ) = 0: scikit-learn sets the exponent to −1, i.e. s = 0.5.
            denominator == 0 ? 0.5 : pow(2, -sum / denominator)
        }
    }

    static func containsNaN(_ values: UnsafeBufferPointer<Float>, rows: Range<Int>, cols: Int) -> Bool {
        for i in (rows.lowerBound * cols)..<(rows.upperBound * cols) where values[i].isNaN { return true }
        return false
    }

    /// X cast to float32, refusing ±inf and values too large for float32 (as scikit-learn does).
    static func float32Values(_ x: Matrix) throws -> [Float] {
        var out = [Float](repeating: 0, count: x.values.count)
        var bad = -1
        x.values.withUnsafeBufferPointer { src in
            for i in 0..<src.count {
                let f = Float(src[i])
                if f.isInfinite { bad = i; break }
                out[i] = f
            }
        }
        if bad >= 0 {
            throw VigilError.nonFinite(row: bad / x.cols, column: "column \(bad % x.cols)", value: x.values[bad])
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
