/// An ensemble of detectors, served under LlamaFarm's backend name `suod`.
///
/// Semantics of PyOD 3.6's `SUOD` combination step (`pyod/models/suod.py`; `reference/algorithms.md`
/// §7), without SUOD's speed devices (random projection, pseudo-supervised approximation), which
/// only approximate the members' scores: every member is fitted on the same rows (members in
/// parallel, member i with seed `memberSeed(seed, i)`); member i's raw scores s_i are
/// standardised with the mean μ_i and population standard deviation σ_i of its own training scores,
/// z_i = (s_i − μ_i) / σ_i (σ_i = 0 → 1), and the z_i of a row are combined by
/// - `mean` (default, PyOD's "average"): (1/m) Σ_i z_i;
/// - `max` (PyOD's "maximization"): max_i z_i;
/// - `aom`, average of maximum (Aggarwal & Sathe 2015; PyOD's `aom(method="static")`): the members,
///   in order, are split into `n_buckets` consecutive groups (sizes differing by at most one) and the
///   groups' maxima are averaged.
///
/// The default members are the set with the best mean ROC AUC on the ADBench sets
/// (`bench/ensemble_selection.py`, `docs/benchmarks.md` §5); any backend except `suod` can be a member.
public struct Ensemble: Detector, Equatable {
    /// How standardised member scores are combined.
    public enum Combination: String, Sendable, Codable, Equatable, CaseIterable {
        /// Mean of the members' z-scores.
        case mean
        /// Largest of the members' z-scores.
        case max
        /// Average over member groups of the group's largest z-score.
        case aom
    }

    /// Settings: the members (backends with their parameters) and the combination.
    public struct Parameters: DetectorParameters {
        /// The member detectors, each with its own parameters (`base_estimators`).
        public var members: [DetectorSettings]
        /// Combination of the standardised scores (`combination`, default mean).
        public var combination: Combination
        /// Groups for `aom` (`n_buckets`, PyOD default 5; capped at the member count).
        public var nBuckets: Int

        /// The default members: Isolation Forest, HBOS and CBLOF with their own defaults. Of every
        /// set of two or more of the backends isolation_forest, ecod, copod, hbos, pca, cblof and loda,
        /// combined by mean, this one has the best mean ROC AUC over the 31 ADBench sets (0.732,
        /// against 0.720 for the best single backend, Isolation Forest, and 0.710 for LlamaFarm's
        /// IsolationForest + HBOS + COPOD); `bench/ensemble_selection.py` reruns the choice.
        public static let defaultMembers: [DetectorSettings] = [
            .isolationForest(.init()), .hbos(.init()), .cblof(.init()),
        ]

        /// The default members, mean combination, unless overridden.
        public init(members: [DetectorSettings] = Parameters.defaultMembers, combination: Combination = .mean,
                    nBuckets: Int = 5) {
            self.members = members
            self.combination = combination
            self.nBuckets = nBuckets
        }

        public func validate() throws {
            guard !members.isEmpty else {
                throw VigilError.invalidParameter(name: "base_estimators", value: "[]", allowed: "at least one member")
            }
            for member in members {
                if member.backend == .suod {
                    throw VigilError.invalidParameter(name: "base_estimators", value: "suod",
                                                      allowed: "any backend except suod itself")
                }
                try member.validate()
            }
            guard nBuckets >= 1 else {
                throw VigilError.invalidParameter(name: "n_buckets", value: "\(nBuckets)", allowed: "an integer ≥ 1")
            }
        }
    }

    /// Served as `suod`.
    public static let backend = Backend.suod

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// Number of features it was fitted on.
    public let featureCount: Int
    /// The fitted members, in the order of `parameters.members`.
    public let members: [AnyDetector]
    /// Mean of each member's training scores.
    public let scoreMeans: [Double]
    /// Population standard deviation of each member's training scores (1 where it was 0).
    public let scoreScales: [Double]

    /// Fits the members in parallel and records their training-score scales.
    /// Member i's seed: derived from the ensemble's seed and kept in 0...2³²−1, the range every
    /// backend accepts (Isolation Forest takes NumPy's `RandomState` seeds).
    static func memberSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: SeededGenerator.derive(seed: seed, index: index)))
    }

    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> Ensemble {
        try fitScoring(x, parameters: parameters, seed: seed).0
    }

    /// Fits and returns the combined training scores (each member scores its training rows once).
    public static func fitScoring(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> (Ensemble, [Double]) {
        try parameters.validate()
        try TrainingData.require(x, detector: "suod")
        let m = parameters.members.count
        var results = [Result<(AnyDetector, [Double]), any Error>?](repeating: nil, count: m)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            Parallel.forEach(m) { i in
                out[i] = Result {
                    try AnyDetector.fitScoring(x, settings: parameters.members[i],
                                               seed: Ensemble.memberSeed(seed, i))
                }
            }
        }
        var members = [AnyDetector](), training = [[Double]](), means = [Double](), scales = [Double]()
        for result in results {
            guard let result else { continue }
            let (detector, scores) = try result.get()
            members.append(detector)
            training.append(scores)
            means.append(Statistics.mean(scores))
            let std = Statistics.populationStd(scores)
            scales.append(std > 0 && std.isFinite ? std : 1)
        }
        let ensemble = Ensemble(parameters: parameters, featureCount: x.cols, members: members,
                                scoreMeans: means, scoreScales: scales)
        return (ensemble, ensemble.combine(training, rows: x.rows))
    }

    init(parameters: Parameters, featureCount: Int, members: [AnyDetector], scoreMeans: [Double], scoreScales: [Double]) {
        self.parameters = parameters
        self.featureCount = featureCount
        self.members = members
        self.scoreMeans = scoreMeans
        self.scoreScales = scoreScales
    }

    /// Decodes a stored model, refusing members that do not match the parameters.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let parameters = try c.decode(Parameters.self, forKey: .parameters)
        let featureCount = try c.decode(Int.self, forKey: .featureCount)
        let members = try c.decode([AnyDetector].self, forKey: .members)
        let means = try c.decode([Double].self, forKey: .scoreMeans)
        let scales = try c.decode([Double].self, forKey: .scoreScales)
        guard members.count == parameters.members.count, means.count == members.count, scales.count == members.count,
              zip(members, parameters.members).allSatisfy({ $0.backend == $1.backend && $0.featureCount == featureCount }),
              means.allSatisfy(\.isFinite), scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DecodingError.dataCorruptedError(forKey: .members, in: c,
                debugDescription: "\(members.count) members and \(means.count) scales do not match \(parameters.members.count) settings on \(featureCount) features")
        }
        self.init(parameters: parameters, featureCount: featureCount, members: members, scoreMeans: means, scoreScales: scales)
    }

    /// Each member's raw scores, standardised with its training mean and scale, combined per row.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        return combine(try members.map { try $0.rawScores(x) }, rows: x.rows)
    }

    /// Standardises member score vectors and combines them per row.
    func combine(_ memberScores: [[Double]], rows: Int) -> [Double] {
        let m = memberScores.count
        let buckets = Swift.min(Swift.max(parameters.nBuckets, 1), m)
        var out = [Double](repeating: 0, count: rows)
        var z = [Double](repeating: 0, count: m)
        for r in 0..<rows {
            for i in 0..<m { z[i] = (memberScores[i][r] - scoreMeans[i]) / scoreScales[i] }
            switch parameters.combination {
            case .mean:
                out[r] = z.reduce(0, +) / Double(m)
            case .max:
                out[r] = z.max() ?? 0
            case .aom:
                var total = 0.0
                for b in 0..<buckets {
                    let group = z[(b * m / buckets)..<((b + 1) * m / buckets)]
                    total += group.max() ?? 0
                }
                out[r] = total / Double(buckets)
            }
        }
        return out
    }
}
