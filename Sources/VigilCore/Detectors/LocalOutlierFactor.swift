/// Local Outlier Factor (Breunig, Kriegel, Ng & Sander 2000) with PyOD 3.6's semantics
/// (`pyod/models/lof.py`, which wraps scikit-learn's `LocalOutlierFactor(novelty=True)`, Euclidean).
///
/// With N_k(p) the k nearest training rows of p and k-dist(o) the distance from training row o to
/// its k-th nearest other training row: reach(p, o) = max(k-dist(o), d(p, o)),
/// lrd(p) = 1 / (mean_{o ∈ N_k(p)} reach(p, o) + 1e-10) and the raw score
/// LOF(p) = mean_{o ∈ N_k(p)} lrd(o) / lrd(p) (PyOD's `−negative_outlier_factor_`). Training rows
/// leave themselves out of N_k; new rows are compared with all training rows (`decision_function`).
/// NaN and ±∞ are refused.
public struct LocalOutlierFactor: Detector, Equatable {
    /// Settings; defaults are PyOD's `LOF()` (n_neighbors 20).
    public struct Parameters: DetectorParameters {
        /// Neighbourhood size (`n_neighbors`, default 20).
        public var nNeighbors: Int

        /// PyOD's defaults unless overridden.
        public init(nNeighbors: Int = 20) { self.nNeighbors = nNeighbors }

        public func validate() throws {
            guard nNeighbors >= 1 else {
                throw VigilError.invalidParameter(name: "n_neighbors", value: "\(nNeighbors)", allowed: "an integer ≥ 1")
            }
        }
    }

    /// Served as `local_outlier_factor`.
    public static let backend = Backend.localOutlierFactor

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// The training rows and their index.
    public let training: IndexedTrainingSet
    /// k-dist of each training row (distance to its k-th nearest other training row).
    @Packed public private(set) var kDistances: [Double]
    /// Local reachability density of each training row.
    @Packed public private(set) var densities: [Double]

    /// Number of features it was fitted on.
    public var featureCount: Int { training.matrix.cols }

    private init(parameters: Parameters, training: IndexedTrainingSet, kDistances: [Double], densities: [Double]) {
        self.parameters = parameters
        self.training = training
        _kDistances = Packed(wrappedValue: kDistances)
        _densities = Packed(wrappedValue: densities)
    }

    private enum CodingKeys: String, CodingKey { case parameters, training, kDistances, densities }

    /// Decodes a stored model, refusing per-row arrays that do not match the training rows.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let parameters = try c.decode(Parameters.self, forKey: .parameters)
        let training = try c.decode(IndexedTrainingSet.self, forKey: .training)
        let kd = try c.decode(Packed<Double>.self, forKey: .kDistances).wrappedValue
        let lrd = try c.decode(Packed<Double>.self, forKey: .densities).wrappedValue
        guard kd.count == training.matrix.rows, lrd.count == training.matrix.rows,
              parameters.nNeighbors >= 1, parameters.nNeighbors < training.matrix.rows else {
            throw DecodingError.dataCorruptedError(forKey: .densities, in: c,
                debugDescription: "LOF arrays do not match \(training.matrix.rows) training rows")
        }
        self.init(parameters: parameters, training: training, kDistances: kd, densities: lrd)
    }

    /// Fits and returns the training rows' LOF, each row left out of its own neighbourhood.
    public static func fitScoring(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> (LocalOutlierFactor, [Double]) {
        try parameters.validate()
        try IndexedTrainingSet.validateTraining(x, neighbours: parameters.nNeighbors, detector: "local_outlier_factor")
        let training = IndexedTrainingSet(x)
        let k = parameters.nNeighbors
        let table = training.index.neighbours(of: x, k: k, excludingSelf: true)
        var kDistances = [Double](repeating: 0, count: x.rows)
        for r in 0..<x.rows { kDistances[r] = table.distances[r * k + k - 1] }
        let densities = reachabilityDensities(table, kDistances: kDistances)
        let lof = LocalOutlierFactor(parameters: parameters, training: training, kDistances: kDistances, densities: densities)
        return (lof, lof.factors(table, densities: densities))
    }

    /// Fits: indexes the rows and records each one's k-dist and density.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> LocalOutlierFactor {
        try fitScoring(x, parameters: parameters, seed: seed).0
    }

    /// LOF of new rows against all training rows.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        guard x.rows > 0 else { return [] }
        let table = training.index.neighbours(of: x, k: parameters.nNeighbors, excludingSelf: false)
        return factors(table, densities: Self.reachabilityDensities(table, kDistances: kDistances))
    }

    /// lrd of each row of `table`: 1 / (mean reach distance + 1e-10), as scikit-learn.
    private static func reachabilityDensities(_ table: NeighbourTable, kDistances: [Double]) -> [Double] {
        let k = table.k
        var out = [Double](repeating: 0, count: table.rows)
        for r in 0..<table.rows {
            var sum = 0.0
            for j in 0..<k {
                sum += max(kDistances[table.indices[r * k + j]], table.distances[r * k + j])
            }
            out[r] = 1 / (sum / Double(k) + 1e-10)
        }
        return out
    }

    /// mean over the neighbours of lrd(neighbour) / lrd(row).
    private func factors(_ table: NeighbourTable, densities rowDensities: [Double]) -> [Double] {
        let k = table.k
        var out = [Double](repeating: 0, count: table.rows)
        for r in 0..<table.rows {
            var sum = 0.0
            for j in 0..<k { sum += densities[table.indices[r * k + j]] / rowDensities[r] }
            out[r] = sum / Double(k)
        }
        return out
    }
}
