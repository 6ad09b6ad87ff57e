/// CBLOF, Cluster-Based Local Outlier Factor (He, Xu & Deng 2003), with PyOD 3.6's semantics
/// (`pyod/models/cblof.py`).
///
/// Fit: k-means (`KMeans`, scikit-learn's defaults) on the raw rows with k = `n_clusters`. Clusters
/// are sorted by size, largest first (ties: lower cluster index first); the split b is the first
/// i in 1..<k where both (α) the i largest clusters hold ≥ α·n rows and (β) |C_i| / |C_{i+1}| ≥ β,
/// else the first i meeting α alone, else β alone. Clusters before b are "large". Where no i meets
/// either rule PyOD raises "Could not form valid cluster separation"; Vigil then treats every
/// cluster as large (each row scores its distance to its own centre), so evenly spread data still
/// gets a model.
///
/// Score of a row x with nearest centre c(x): ‖x − c(x)‖ if its cluster is large, else the distance
/// to the nearest large-cluster centre; times |C_c(x)| when `use_weights` (PyOD default false).
/// Training rows are scored with their final k-means cluster, new rows with their nearest centre
/// (PyOD's `clustering_estimator_.predict`) — the same thing, since k-means ends with an assignment.
public struct CBLOF: Detector, Equatable {
    /// Settings; defaults are PyOD's `CBLOF()`.
    public struct Parameters: DetectorParameters {
        /// Number of k-means clusters (`n_clusters`, default 8).
        public var nClusters: Int
        /// Share of rows the large clusters must hold (`alpha`, default 0.9), in (0, 1).
        public var alpha: Double
        /// Size ratio between the last large and first small cluster (`beta`, default 5), > 1.
        public var beta: Double
        /// Multiply each score by its cluster's size (`use_weights`, default false).
        public var useWeights: Bool

        /// PyOD's defaults unless overridden.
        public init(nClusters: Int = 8, alpha: Double = 0.9, beta: Double = 5, useWeights: Bool = false) {
            self.nClusters = nClusters
            self.alpha = alpha
            self.beta = beta
            self.useWeights = useWeights
        }

        public func validate() throws {
            guard nClusters >= 2 else {
                throw VigilError.invalidParameter(name: "n_clusters", value: "\(nClusters)", allowed: "an integer ≥ 2")
            }
            guard alpha > 0, alpha < 1 else {
                throw VigilError.invalidParameter(name: "alpha", value: "\(alpha)", allowed: "in (0, 1)")
            }
            guard beta > 1, beta.isFinite else {
                throw VigilError.invalidParameter(name: "beta", value: "\(beta)", allowed: "a finite number > 1")
            }
        }
    }

    /// Served as `cblof`.
    public static let backend = Backend.cblof

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// k-means centres, row-major (clusters × features).
    public let centers: [Double]
    /// Training rows per cluster.
    public let clusterSizes: [Int]
    /// Whether each cluster is large.
    public let isLarge: [Bool]

    /// Clusters the rows and splits the clusters into large and small.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> CBLOF {
        try parameters.validate()
        try TrainingData.require(x, detector: "CBLOF", minRows: parameters.nClusters, parameter: "n_clusters")
        let k = parameters.nClusters
        let kmeans = KMeans.fit(x, clusters: k, seed: seed)
        var sizes = [Int](repeating: 0, count: k)
        for label in kmeans.labels { sizes[label] += 1 }
        let large = largeClusters(sizes: sizes, rows: x.rows, alpha: parameters.alpha, beta: parameters.beta)
        return CBLOF(parameters: parameters, featureCount: x.cols, centers: kmeans.centers,
                     clusterSizes: sizes, isLarge: large)
    }

    /// PyOD's `_set_small_large_clusters`: which clusters are large.
    static func largeClusters(sizes: [Int], rows: Int, alpha: Double, beta: Double) -> [Bool] {
        let k = sizes.count
        let order = sizes.indices.sorted { sizes[$0] > sizes[$1] || (sizes[$0] == sizes[$1] && $0 < $1) }
        var alphaSplits = [Int](), betaSplits = [Int]()
        var cumulative = 0
        for i in 1..<k {
            cumulative += sizes[order[i - 1]]
            if Double(cumulative) >= Double(rows) * alpha { alphaSplits.append(i) }
            if Double(sizes[order[i - 1]]) >= beta * Double(sizes[order[i]]) { betaSplits.append(i) }
        }
        let split = alphaSplits.first(where: betaSplits.contains) ?? alphaSplits.first ?? betaSplits.first ?? k
        var large = [Bool](repeating: false, count: k)
        for i in 0..<split { large[order[i]] = true }
        return large
    }

    init(parameters: Parameters, featureCount: Int, centers: [Double], clusterSizes: [Int], isLarge: [Bool]) {
        self.parameters = parameters
        self.featureCount = featureCount
        self.centers = centers
        self.clusterSizes = clusterSizes
        self.isLarge = isLarge
    }

    /// Decodes a stored model, refusing centres, sizes and flags that do not fit together.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let featureCount = try c.decode(Int.self, forKey: .featureCount)
        let centers = try c.decode([Double].self, forKey: .centers)
        let sizes = try c.decode([Int].self, forKey: .clusterSizes)
        let large = try c.decode([Bool].self, forKey: .isLarge)
        guard featureCount > 0, !sizes.isEmpty, sizes.count == large.count, large.contains(true),
              centers.count == sizes.count * featureCount, centers.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .centers, in: c,
                debugDescription: "\(centers.count) centre values, \(sizes.count) sizes and \(large.count) flags do not fit \(featureCount) features")
        }
        self.init(parameters: try c.decode(Parameters.self, forKey: .parameters), featureCount: featureCount,
                  centers: centers, clusterSizes: sizes, isLarge: large)
    }

    /// Distance to the own (large) or nearest large (small) cluster centre, per row, in parallel.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        let d = featureCount, k = clusterSizes.count
        let largeIndices = isLarge.indices.filter { isLarge[$0] }
        let largeCenters = largeIndices.flatMap { centers[($0 * d)..<(($0 + 1) * d)] }
        var scores = [Double](repeating: 0, count: x.rows)
        scores.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            x.values.withUnsafeBufferPointer { v in
                centers.withUnsafeBufferPointer { cv in
                    largeCenters.withUnsafeBufferPointer { lv in
                        Parallel.forEachChunk(x.rows, minChunk: 2048) { rows in
                            for r in rows {
                                let row = v.baseAddress! + r * d
                                let (cluster, own) = KMeans.nearest(row, centers: cv.baseAddress!, k: k, d: d)
                                var s = isLarge[cluster] ? own
                                    : KMeans.nearest(row, centers: lv.baseAddress!, k: largeIndices.count, d: d).1
                                s = s.squareRoot()
                                if parameters.useWeights { s *= Double(clusterSizes[cluster]) }
                                out[r] = s
                            }
                        }
                    }
                }
            }
        }
        return scores
    }
}
