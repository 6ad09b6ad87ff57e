import Foundation

/// One-class SVM (Schölkopf et al. 2001) with an RBF kernel, as PyOD 3.6's `OCSVM` (which wraps
/// scikit-learn's libsvm `OneClassSVM`), with LlamaFarm's choice ν = contamination.
///
/// The dual is solved by `OneClassSMO` (libsvm's algorithm); the raw score of a row is
/// ρ − Σ_i α_i exp(−γ‖x_i − x‖²) over the support vectors (PyOD's inverted `decision_function`),
/// the same formula for training and new rows. The solver's time grows with the square of the row
/// count, so more than `maxRows` training rows are refused. NaN and ±∞ are refused.
public struct OneClassSVM: Detector, Equatable {
    /// Most training rows accepted (about a minute of solver time on two cores).
    public static let maxRows = 20_000

    /// The RBF kernel width.
    public enum Gamma: Sendable, Codable, Equatable {
        /// 1 / features (scikit-learn's and PyOD's `gamma="auto"`).
        case auto
        /// 1 / (features · Var(X)) (`gamma="scale"`).
        case scale
        /// A fixed positive value.
        case value(Double)
    }

    /// Settings: PyOD's `OCSVM(kernel="rbf", gamma="auto", tol=1e-3)` with ν = 0.1, LlamaFarm's default
    /// contamination (LlamaFarm passes ν = contamination; PyOD's own default is 0.5).
    public struct Parameters: DetectorParameters {
        /// Upper bound on the share of margin errors, lower bound on the share of support vectors
        /// (`nu`, default 0.1).
        public var nu: Double
        /// Kernel width (`gamma`, default auto = 1/features).
        public var gamma: Gamma
        /// Stopping tolerance on the KKT gap (`tol`, default 1e-3).
        public var tolerance: Double
        /// Kernel column cache (`cache_size`, default 200 MB as scikit-learn).
        public var cacheMegabytes: Int

        /// The defaults above unless overridden.
        public init(nu: Double = 0.1, gamma: Gamma = .auto, tolerance: Double = 1e-3, cacheMegabytes: Int = 200) {
            self.nu = nu
            self.gamma = gamma
            self.tolerance = tolerance
            self.cacheMegabytes = cacheMegabytes
        }

        public func validate() throws {
            guard nu > 0 && nu <= 1 else {
                throw VigilError.invalidParameter(name: "nu", value: "\(nu)", allowed: "in (0, 1]")
            }
            if case .value(let g) = gamma, !(g > 0 && g.isFinite) {
                throw VigilError.invalidParameter(name: "gamma", value: "\(g)", allowed: "a positive number, \"auto\" or \"scale\"")
            }
            guard tolerance > 0 && tolerance.isFinite else {
                throw VigilError.invalidParameter(name: "tol", value: "\(tolerance)", allowed: "a positive number")
            }
            guard cacheMegabytes >= 1 else {
                throw VigilError.invalidParameter(name: "cache_size", value: "\(cacheMegabytes)", allowed: "at least 1 (MB)")
            }
        }
    }

    /// Served as `one_class_svm`.
    public static let backend = Backend.oneClassSVM

    /// The parameters it was fitted with.
    public let parameters: Parameters
    /// The γ used.
    public let gamma: Double
    /// The offset ρ.
    public let rho: Double
    /// Rows with α > 0.
    public let supportVectors: Matrix
    /// Their α, aligned with the rows of `supportVectors`.
    @Packed public private(set) var coefficients: [Double]
    /// Solver iterations (for diagnostics).
    public let iterations: Int

    /// Number of features it was fitted on.
    public var featureCount: Int { supportVectors.cols }

    private init(parameters: Parameters, gamma: Double, rho: Double, supportVectors: Matrix, coefficients: [Double], iterations: Int) {
        self.parameters = parameters
        self.gamma = gamma
        self.rho = rho
        self.supportVectors = supportVectors
        _coefficients = Packed(wrappedValue: coefficients)
        self.iterations = iterations
    }

    private enum CodingKeys: String, CodingKey { case parameters, gamma, rho, rows, cols, supportVectors, coefficients, iterations }

    /// Decodes a stored model, refusing inconsistent shapes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows), cols = try c.decode(Int.self, forKey: .cols)
        let values = try c.decode(Packed<Double>.self, forKey: .supportVectors).wrappedValue
        let coefficients = try c.decode(Packed<Double>.self, forKey: .coefficients).wrappedValue
        guard rows > 0, cols > 0, values.count == rows * cols, coefficients.count == rows else {
            throw DecodingError.dataCorruptedError(forKey: .supportVectors, in: c, debugDescription: "support vectors do not match their shape")
        }
        self.init(parameters: try c.decode(Parameters.self, forKey: .parameters), gamma: try c.decode(Double.self, forKey: .gamma),
                  rho: try c.decode(Double.self, forKey: .rho), supportVectors: try Matrix(rows: rows, cols: cols, values: values),
                  coefficients: coefficients, iterations: try c.decode(Int.self, forKey: .iterations))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(gamma, forKey: .gamma)
        try c.encode(rho, forKey: .rho)
        try c.encode(supportVectors.rows, forKey: .rows)
        try c.encode(supportVectors.cols, forKey: .cols)
        try c.encode(Packed(wrappedValue: supportVectors.values), forKey: .supportVectors)
        try c.encode(Packed(wrappedValue: coefficients), forKey: .coefficients)
        try c.encode(iterations, forKey: .iterations)
    }

    /// Solves the dual on `x` and keeps the support vectors.
    public static func fit(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> OneClassSVM {
        try fitScoring(x, parameters: parameters, seed: seed).0
    }

    /// Fits and returns the training rows' scores ρ − G_t from the solver's final gradient G = Qα
    /// (the kernel sums the fit has already formed; equal to `rawScores(x)` up to the float32
    /// rounding of cached kernel columns, about 1e-6).
    public static func fitScoring(_ x: Matrix, parameters: Parameters = Parameters(), seed: UInt64 = 0) throws -> (OneClassSVM, [Double]) {
        try parameters.validate()
        guard x.rows > 0, x.cols > 0 else { throw VigilError.emptyData("one_class_svm needs at least one row and one column") }
        guard x.rows <= maxRows else {
            throw VigilError.invalidParameter(name: "rows", value: "\(x.rows)",
                allowed: "at most \(maxRows) for one_class_svm (solver time grows with rows²): subsample, or use another backend")
        }
        try x.requireFinite()
        let gamma: Double
        switch parameters.gamma {
        case .auto: gamma = 1 / Double(x.cols)
        case .value(let g): gamma = g
        case .scale:
            let n = Double(x.values.count)
            let mean = x.values.reduce(0, +) / n
            let variance = x.values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            gamma = variance > 0 ? 1 / (Double(x.cols) * variance) : 1
        }
        let solution = OneClassSMO.solve(x, gamma: gamma, nu: parameters.nu, tolerance: parameters.tolerance,
                                         cacheBytes: parameters.cacheMegabytes << 20)
        let support = solution.alpha.indices.filter { solution.alpha[$0] > 0 }
        let svm = OneClassSVM(parameters: parameters, gamma: gamma, rho: solution.rho, supportVectors: x.selectingRows(support),
                              coefficients: support.map { solution.alpha[$0] }, iterations: solution.iterations)
        return (svm, solution.gradient.map { solution.rho - $0 })
    }

    /// ρ − Σ α_i K(sv_i, x) per row.
    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        try x.requireFinite()
        var out = [Double](repeating: 0, count: x.rows)
        let cols = x.cols, count = supportVectors.rows, gamma = self.gamma, rho = self.rho
        out.withUnsafeMutableBufferPointer { o in
            x.values.withUnsafeBufferPointer { v in
                supportVectors.values.withUnsafeBufferPointer { s in
                    coefficients.withUnsafeBufferPointer { a in
                        nonisolated(unsafe) let o = o, v = v, s = s, a = a
                        Parallel.forEachChunk(x.rows, minChunk: 64) { range in
                            for r in range {
                                var sum = 0.0
                                for i in 0..<count {
                                    sum += a[i] * KernelColumnCache.kernel(v.baseAddress! + r * cols, s.baseAddress! + i * cols, cols: cols, gamma: gamma)
                                }
                                o[r] = rho - sum
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
