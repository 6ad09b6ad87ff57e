/// Fully connected autoencoder with PyOD 3.6's semantics (`pyod/models/auto_encoder.py`,
/// `base_dl.py`; `reference/algorithms.md` §6).
///
/// Features are standardised with the training mean μ and population std σ, x̃ = (x − μ)/(σ + 1e-8)
/// (`preprocessing`). The network d → 64 → 32 → 64 → d (for `hiddenNeurons` [64, 32]) has
/// Linear → BatchNorm1d → ReLU → Dropout(0.2) blocks and a plain Linear output; it is trained for
/// `epochs` passes of shuffled mini-batches of 32 (the last partial batch dropped) minimising the mean
/// squared reconstruction error with Adam (lr 1e-3, L2 weight decay 1e-5). The raw score of a row is
/// its Euclidean reconstruction error ‖x̃ − AE(x̃)‖ in evaluation mode (batch-norm running statistics,
/// no dropout), for the training rows as for new ones. Float32 throughout, as PyTorch; the same data
/// and seed give the same network whatever the thread count.
public struct AutoEncoder: Detector, Equatable {
    /// Settings; defaults are PyOD's `AutoEncoder()`.
    public struct Parameters: DetectorParameters {
        /// Encoder widths; the decoder mirrors all but the last (`hidden_neuron_list`, default [64, 32]).
        public var hiddenNeurons: [Int]
        /// Passes over the training data (`epoch_num`, default 10).
        public var epochs: Int
        /// Rows per mini-batch (`batch_size`, default 32).
        public var batchSize: Int
        /// Dropout probability after each hidden layer (`dropout_rate`, default 0.2).
        public var dropout: Double
        /// Adam learning rate (`lr`, default 1e-3).
        public var learningRate: Double
        /// L2 penalty added to the gradient (`weight_decay`, default 1e-5).
        public var weightDecay: Double
        /// Batch norm after each hidden Linear (`batch_norm`, default true).
        public var batchNorm: Bool
        /// Standardise features with the training mean and std (`preprocessing`, default true).
        public var preprocessing: Bool

        /// PyOD's defaults unless overridden.
        public init(hiddenNeurons: [Int] = [64, 32], epochs: Int = 10, batchSize: Int = 32, dropout: Double = 0.2,
                    learningRate: Double = 1e-3, weightDecay: Double = 1e-5, batchNorm: Bool = true,
                    preprocessing: Bool = true) {
            self.hiddenNeurons = hiddenNeurons
            self.epochs = epochs
            self.batchSize = batchSize
            self.dropout = dropout
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.batchNorm = batchNorm
            self.preprocessing = preprocessing
        }

        /// Widest layer accepted, to keep a typo from allocating gigabytes.
        public static let maxWidth = 65_536

        public func validate() throws {
            guard !hiddenNeurons.isEmpty, hiddenNeurons.allSatisfy({ $0 >= 1 && $0 <= Self.maxWidth }) else {
                throw VigilError.invalidParameter(name: "hidden_neurons", value: "\(hiddenNeurons)",
                                                  allowed: "a non-empty list of integers in 1…\(Self.maxWidth)")
            }
            guard epochs >= 1 else {
                throw VigilError.invalidParameter(name: "epochs", value: "\(epochs)", allowed: "an integer ≥ 1")
            }
            let smallestBatch = batchNorm ? 2 : 1
            guard batchSize >= smallestBatch else {
                throw VigilError.invalidParameter(name: "batch_size", value: "\(batchSize)",
                                                  allowed: "an integer ≥ \(smallestBatch)\(batchNorm ? " (batch norm needs two rows)" : "")")
            }
            guard dropout.isFinite, dropout >= 0, dropout < 1 else {
                throw VigilError.invalidParameter(name: "dropout", value: "\(dropout)", allowed: "a number in [0, 1)")
            }
            guard learningRate.isFinite, learningRate > 0 else {
                throw VigilError.invalidParameter(name: "learning_rate", value: "\(learningRate)", allowed: "a finite number > 0")
            }
            guard weightDecay.isFinite, weightDecay >= 0 else {
                throw VigilError.invalidParameter(name: "weight_decay", value: "\(weightDecay)", allowed: "a finite number ≥ 0")
            }
        }
    }

    public static let backend = Backend.autoencoder

    public let parameters: Parameters
    public let featureCount: Int
    /// Training mean per feature (0 without preprocessing).
    @Packed public private(set) var mean: [Double]
    /// Divisor per feature, σ + 1e-8 (1 without preprocessing).
    @Packed public private(set) var scale: [Double]
    /// The trained network.
    let network: AutoEncoderNetwork

    /// Added to σ before dividing, as PyOD's `TorchDataset`.
    public static let stdEpsilon = 1e-8

    public static func fit(_ x: Matrix, parameters: Parameters, seed: UInt64) throws -> AutoEncoder {
        try parameters.validate()
        guard x.rows > 0, x.cols > 0 else {
            throw VigilError.emptyData("the autoencoder needs at least one row and one column")
        }
        try x.requireFinite()
        guard x.rows >= parameters.batchSize else {
            throw VigilError.invalidParameter(
                name: "batch_size", value: "\(parameters.batchSize)",
                allowed: "at most the \(x.rows) training rows (every epoch trains on whole batches)")
        }
        let (mean, scale) = parameters.preprocessing
            ? Self.standardisation(x)
            : ([Double](repeating: 0, count: x.cols), [Double](repeating: 1, count: x.cols))
        let data = try Self.transformed(x, mean: mean, scale: scale)
        let widths = AutoEncoderNetwork.widths(features: x.cols, hidden: parameters.hiddenNeurons)
        var initGenerator = SeededGenerator(seed: SeededGenerator.derive(seed: seed, index: 0))
        let initial = AutoEncoderNetwork(widths: widths, batchNorm: parameters.batchNorm, generator: &initGenerator)
        let network = Self.train(initial, data: data, rows: x.rows, parameters: parameters, seed: seed)
        return AutoEncoder(parameters: parameters, featureCount: x.cols, mean: mean, scale: scale, network: network)
    }

    init(parameters: Parameters, featureCount: Int, mean: [Double], scale: [Double], network: AutoEncoderNetwork) {
        self.parameters = parameters
        self.featureCount = featureCount
        self._mean = Packed(wrappedValue: mean)
        self._scale = Packed(wrappedValue: scale)
        self.network = network
    }

    public func rawScores(_ x: Matrix) throws -> [Double] {
        try requireFeatureCount(x)
        guard x.rows > 0 else { return [] }
        try x.requireFinite()
        let data = try Self.transformed(x, mean: mean, scale: scale)
        return data.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return [] }
            return network.reconstructionErrors(base, rows: x.rows)
        }
    }

    /// Epochs of shuffled mini-batches (the last partial batch dropped), Adam after each batch.
    @_optimize(speed)
    static func train(_ initial: AutoEncoderNetwork, data: [Float], rows n: Int, parameters: Parameters, seed: UInt64) -> AutoEncoderNetwork {
        let d = initial.widths[0], batch = parameters.batchSize
        let trainer = AutoEncoderTrainer(widths: initial.widths, batchNorm: initial.batchNorm,
                                         batchSize: batch, dropout: Float(parameters.dropout))
        var optimizer = AdamOptimizer(count: trainer.parameterCount, learningRate: Float(parameters.learningRate),
                                      weightDecay: Float(parameters.weightDecay))
        var shuffle = SeededGenerator(seed: SeededGenerator.derive(seed: seed, index: 1))
        var dropout = SeededGenerator(seed: SeededGenerator.derive(seed: seed, index: 2))
        var weights = initial.parameters, statistics = initial.statistics
        var order = Array(0..<n)
        data.withUnsafeBufferPointer { x in
            weights.withUnsafeMutableBufferPointer { w in
                statistics.withUnsafeMutableBufferPointer { s in
                    guard let x = x.baseAddress, let w = w.baseAddress else { return }
                    // Without batch norm the statistics vector is empty; any pointer will do.
                    let stats = s.baseAddress ?? trainer.gradients
                    for _ in 0..<parameters.epochs {
                        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, shuffle.nextInt(below: i + 1)) }
                        for b in 0..<(n / batch) {
                            let input = trainer.input
                            for r in 0..<batch {
                                (input + r * d).update(from: x + order[b * batch + r] * d, count: d)
                            }
                            trainer.step(parameters: w, statistics: stats, generator: &dropout)
                            optimizer.update(w, gradients: trainer.gradients)
                        }
                    }
                }
            }
        }
        return AutoEncoderNetwork(widths: initial.widths, batchNorm: initial.batchNorm,
                                  parameters: weights, statistics: statistics)
    }

    /// Training mean and population std + 1e-8 per column.
    static func standardisation(_ x: Matrix) -> (mean: [Double], scale: [Double]) {
        var mean = [Double](repeating: 0, count: x.cols), squares = [Double](repeating: 0, count: x.cols)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<x.rows {
                for c in 0..<x.cols { mean[c] += v[r * x.cols + c] }
            }
            for c in 0..<x.cols { mean[c] /= Double(x.rows) }
            for r in 0..<x.rows {
                for c in 0..<x.cols {
                    let centred = v[r * x.cols + c] - mean[c]
                    squares[c] += centred * centred
                }
            }
        }
        let scale = squares.map { ($0 / Double(x.rows)).squareRoot() + stdEpsilon }
        return (mean, scale)
    }

    /// (x − mean)/scale as float32, refusing values that overflow float32 (naming the column).
    static func transformed(_ x: Matrix, mean: [Double], scale: [Double]) throws -> [Float] {
        var out = [Float](repeating: 0, count: x.values.count)
        var bad = -1
        x.values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<x.rows {
                    for c in 0..<x.cols {
                        let i = r * x.cols + c
                        let f = Float((v[i] - mean[c]) / scale[c])
                        if !f.isFinite, bad < 0 { bad = i }
                        o[i] = f
                    }
                }
            }
        }
        if bad >= 0 {
            throw VigilError.nonFinite(row: bad / x.cols, column: "column \(bad % x.cols)", value: x.values[bad])
        }
        return out
    }
}
