/// A fully connected autoencoder d → h₁ → … → h_k → … → h₁ → d in float32, as PyOD's
/// `AutoEncoderModel`: every layer but the last is Linear → BatchNorm1d → ReLU → Dropout, the last is
/// a plain Linear.
///
/// All trainable numbers live in one flat vector (`parameters`) and the batch-norm running
/// statistics in another (`statistics`), laid out by `LayerLayout`; both are stored packed in the
/// model file.
struct AutoEncoderNetwork: Sendable, Equatable, Codable {
    /// Layer widths [d, h₁, …, h_k, …, h₁, d].
    let widths: [Int]
    /// Whether hidden layers have batch norm.
    let batchNorm: Bool
    /// Weights, biases, γ and β of every layer.
    @Packed var parameters: [Float]
    /// Running mean and variance of every batch-norm layer.
    @Packed var statistics: [Float]

    /// The layers' positions in `parameters` and `statistics`.
    var layers: [LayerLayout] { LayerLayout.layouts(widths: widths, batchNorm: batchNorm).layers }

    /// Widths [d, h₁, …, h_k, h_{k−1}, …, h₁, d] for `hidden` = [h₁, …, h_k] (PyOD mirrors all but the last).
    static func widths(features: Int, hidden: [Int]) -> [Int] {
        [features] + hidden + hidden.dropLast().reversed() + [features]
    }

    /// A network with the given numbers (lengths must match `LayerLayout.layouts`).
    init(widths: [Int], batchNorm: Bool, parameters: [Float], statistics: [Float]) {
        self.widths = widths
        self.batchNorm = batchNorm
        _parameters = Packed(wrappedValue: parameters)
        _statistics = Packed(wrappedValue: statistics)
    }

    /// A freshly initialised network, as PyTorch initialises PyOD's model: hidden layers' W ~
    /// U(±√(6/fan_in)) (`kaiming_uniform_`, a = 0), the last layer's W ~ U(±1/√fan_in) (Linear's
    /// default, kaiming a = √5); every bias ~ U(±1/√fan_in); γ = 1, β = 0; running mean 0, variance 1.
    init(widths: [Int], batchNorm: Bool, generator g: inout SeededGenerator) {
        self.widths = widths
        self.batchNorm = batchNorm
        let (layers, parameterCount, statisticsCount) = LayerLayout.layouts(widths: widths, batchNorm: batchNorm)
        var p = [Float](repeating: 0, count: parameterCount)
        var s = [Float](repeating: 0, count: statisticsCount)
        for layer in layers {
            let fanIn = Double(layer.inputs)
            let weightBound = layer.isHidden ? (6 / fanIn).squareRoot() : 1 / fanIn.squareRoot()
            let biasBound = 1 / fanIn.squareRoot()
            for i in 0..<(layer.inputs * layer.outputs) {
                p[layer.weightOffset + i] = Float((2 * g.nextUnit() - 1) * weightBound)
            }
            for i in 0..<layer.outputs { p[layer.biasOffset + i] = Float((2 * g.nextUnit() - 1) * biasBound) }
            if layer.hasBatchNorm {
                for i in 0..<layer.outputs {
                    p[layer.gammaOffset + i] = 1
                    s[layer.runningVarianceOffset + i] = 1
                }
            }
        }
        _parameters = Packed(wrappedValue: p)
        _statistics = Packed(wrappedValue: s)
    }

    /// Rows scored together by one thread.
    static let scoringBlock = 256

    /// Euclidean reconstruction error ‖x − AE(x)‖ of every row of `x` (rows × widths[0]) in
    /// evaluation mode (running statistics, no dropout); blocks of rows run in parallel. With
    /// `squaredErrors` (rows × widths[0]), each (x_j − AE(x)_j)² is written there as well.
    @_optimize(speed)
    func reconstructionErrors(_ x: UnsafePointer<Float>, rows: Int, squaredErrors: UnsafeMutablePointer<Double>? = nil) -> [Double] {
        let layers = self.layers
        let d = widths[0], widest = widths.max() ?? d
        // Batch norm folded into one scale and shift per column, ReLU after it.
        var folded = [(scale: [Float], shift: [Float])?](repeating: nil, count: layers.count)
        parameters.withUnsafeBufferPointer { p in
            statistics.withUnsafeBufferPointer { s in
                guard let p = p.baseAddress else { return }
                for (l, layer) in layers.enumerated() where layer.hasBatchNorm {
                    guard let s = s.baseAddress else { continue }
                    folded[l] = BatchNorm.evaluationScaleShift(
                        gamma: p + layer.gammaOffset, beta: p + layer.betaOffset,
                        runningMean: s + layer.runningOffset, runningVariance: s + layer.runningVarianceOffset,
                        width: layer.outputs)
                }
            }
        }
        var errors = [Double](repeating: 0, count: rows)
        let blocks = (rows + Self.scoringBlock - 1) / Self.scoringBlock
        nonisolated(unsafe) let x = x
        nonisolated(unsafe) let squaredErrors = squaredErrors
        errors.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            parameters.withUnsafeBufferPointer { p in
                nonisolated(unsafe) let p = p
                Parallel.forEachChunk(blocks) { blockRange in
                    var current = [Float](repeating: 0, count: Self.scoringBlock * widest)
                    var next = [Float](repeating: 0, count: Self.scoringBlock * widest)
                    for block in blockRange {
                        let start = block * Self.scoringBlock
                        let count = min(Self.scoringBlock, rows - start)
                        current.withUnsafeMutableBufferPointer { cur in
                            next.withUnsafeMutableBufferPointer { nxt in
                                guard var a = cur.baseAddress, var z = nxt.baseAddress, let p = p.baseAddress else { return }
                                a.update(from: x + start * d, count: count * d)
                                for (l, layer) in layers.enumerated() {
                                    Sgemm.multiply(a, p + layer.weightOffset, into: z, m: count,
                                                   k: layer.inputs, n: layer.outputs, bias: p + layer.biasOffset,
                                                   parallel: false)
                                    if layer.isHidden {
                                        Self.activate(z, count: count, width: layer.outputs, folded: folded[l])
                                    }
                                    swap(&a, &z)
                                }
                                for r in 0..<count {
                                    let original = x + (start + r) * d, rebuilt = a + r * d
                                    var sum = 0.0
                                    for j in 0..<d {
                                        let diff = Double(original[j] - rebuilt[j])
                                        sum += diff * diff
                                        squaredErrors?[(start + r) * d + j] = diff * diff
                                    }
                                    out[start + r] = sum.squareRoot()
                                }
                            }
                        }
                    }
                }
            }
        }
        return errors
    }

    /// Evaluation-mode batch norm (when present) and ReLU, in place.
    @_optimize(speed)
    private static func activate(_ z: UnsafeMutablePointer<Float>, count: Int, width: Int, folded: (scale: [Float], shift: [Float])?) {
        if let folded {
            folded.scale.withUnsafeBufferPointer { scale in
                folded.shift.withUnsafeBufferPointer { shift in
                    for r in 0..<count {
                        let row = z + r * width
                        for c in 0..<width { row[c] = max(0, row[c] * scale[c] + shift[c]) }
                    }
                }
            }
        } else {
            for i in 0..<(count * width) { z[i] = max(0, z[i]) }
        }
    }
}
