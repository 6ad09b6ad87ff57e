/// The training-mode pass of an `AutoEncoderNetwork` over one mini-batch: forward with batch
/// statistics and dropout, mean-squared reconstruction loss (PyTorch's `MSELoss`, the mean over
/// rows and features), and backward into one flat gradient vector laid out like the parameters.
///
/// All buffers are allocated once for the batch size; a step allocates nothing. Per hidden layer the
/// forward keeps x̂ (the batch-normalised pre-activation, or z without batch norm) and a gate
/// (0 where ReLU or dropout zeroed the value, 1/(1 − p) otherwise), so that the layer output is
/// y·gate and dy = d(out)·gate.
final class AutoEncoderTrainer {
    /// The layers being trained.
    let layers: [LayerLayout]
    /// Rows per batch.
    let batchSize: Int
    /// Dropout probability p.
    let dropout: Float
    /// Number of parameters (length of `gradients`).
    let parameterCount: Int

    private let storage: UnsafeMutablePointer<Float>
    private let storageCount: Int
    /// Layer inputs: activations[0] is the batch, activations[l + 1] the output of layer l.
    private var activations: [UnsafeMutablePointer<Float>] = []
    private var normalised: [UnsafeMutablePointer<Float>] = []
    private var gates: [UnsafeMutablePointer<Float>] = []
    private var inverseStds: [UnsafeMutablePointer<Float>] = []
    private let meanScratch: UnsafeMutablePointer<Float>
    private let gradientA: UnsafeMutablePointer<Float>
    private let gradientB: UnsafeMutablePointer<Float>
    private let transposed: UnsafeMutablePointer<Float>
    /// d(loss)/d(parameters) after `step`.
    let gradients: UnsafeMutablePointer<Float>

    /// Buffers for a network of `widths` and batches of `batchSize` rows.
    init(widths: [Int], batchNorm: Bool, batchSize: Int, dropout: Float) {
        let (layers, parameterCount, _) = LayerLayout.layouts(widths: widths, batchNorm: batchNorm)
        self.layers = layers
        self.batchSize = batchSize
        self.dropout = dropout
        self.parameterCount = parameterCount
        let widest = widths.max() ?? 0
        let widestWeights = layers.map { $0.inputs * $0.outputs }.max() ?? 0
        var sizes = widths.map { batchSize * $0 }                       // activations
        sizes += layers.map { batchSize * $0.outputs }                  // normalised
        sizes += layers.map { batchSize * $0.outputs }                  // gates
        sizes += layers.map { $0.outputs }                              // inverse std
        sizes += [widest, batchSize * widest, batchSize * widest, widestWeights, parameterCount]
        storageCount = sizes.reduce(0, +)
        storage = .allocate(capacity: storageCount)
        storage.initialize(repeating: 0, count: storageCount)
        var cursor = storage
        func take(_ n: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += n }
            return cursor
        }
        activations = widths.map { take(batchSize * $0) }
        normalised = layers.map { take(batchSize * $0.outputs) }
        gates = layers.map { take(batchSize * $0.outputs) }
        inverseStds = layers.map { take($0.outputs) }
        meanScratch = take(widest)
        gradientA = take(batchSize * widest)
        gradientB = take(batchSize * widest)
        transposed = take(widestWeights)
        gradients = take(parameterCount)
    }

    deinit { storage.deallocate() }

    /// Where to write the batch (batchSize × d) before `step`.
    var input: UnsafeMutablePointer<Float> { activations[0] }

    /// The reconstruction of the last batch (batchSize × d) after `step`.
    var output: UnsafePointer<Float> { UnsafePointer(activations[layers.count]) }

    /// Forward and backward on the batch in `input`: fills `gradients`, moves the running statistics
    /// and returns the loss. Dropout draws come from `generator`.
    @discardableResult
    @_optimize(speed)
    func step(parameters p: UnsafePointer<Float>, statistics s: UnsafeMutablePointer<Float>,
              generator g: inout SeededGenerator) -> Float {
        let rows = batchSize
        for (l, layer) in layers.enumerated() {
            let z = layer.isHidden ? normalised[l] : activations[l + 1]
            Sgemm.multiply(activations[l], p + layer.weightOffset, into: z, m: rows,
                           k: layer.inputs, n: layer.outputs, bias: p + layer.biasOffset)
            guard layer.isHidden else { continue }
            if layer.hasBatchNorm {
                BatchNorm.normaliseTraining(z, rows: rows, width: layer.outputs, mean: meanScratch,
                                            inverseStd: inverseStds[l], runningMean: s + layer.runningOffset,
                                            runningVariance: s + layer.runningVarianceOffset)
            }
            activate(layer: layer, index: l, parameters: p, generator: &g)
        }
        // Loss and its gradient: L = Σ (x̂ − x)² / (rows·d), dL/dx̂ = 2(x̂ − x)/(rows·d).
        let d = layers[layers.count - 1].outputs, count = rows * d
        let target = activations[0], reconstruction = activations[layers.count]
        let scale = 2 / Float(count)
        var loss: Float = 0
        for i in 0..<count {
            let diff = reconstruction[i] - target[i]
            loss += diff * diff
            gradientA[i] = scale * diff
        }
        backward(parameters: p)
        return loss / Float(count)
    }

    /// y = γ·x̂ + β (or y = z), then output = y·gate with the gate drawn for ReLU and dropout.
    @_optimize(speed)
    private func activate(layer: LayerLayout, index l: Int, parameters p: UnsafePointer<Float>, generator g: inout SeededGenerator) {
        let width = layer.outputs, xhat = normalised[l], gate = gates[l], out = activations[l + 1]
        let keepScale = dropout > 0 ? 1 / (1 - dropout) : 1
        // Dropout keeps a value when a 24-bit uniform draw is ≥ p.
        let threshold = UInt64((Double(dropout) * 16_777_216).rounded(.up))
        for r in 0..<batchSize {
            let row = r * width
            for c in 0..<width {
                let y = layer.hasBatchNorm ? p[layer.gammaOffset + c] * xhat[row + c] + p[layer.betaOffset + c] : xhat[row + c]
                var keep = true
                if dropout > 0 { keep = (g.next() >> 40) >= threshold }
                let factor: Float = (y > 0 && keep) ? keepScale : 0
                gate[row + c] = factor
                out[row + c] = y * factor
            }
        }
    }

    /// Backpropagates the output gradient in `gradientA` through all layers into `gradients`.
    @_optimize(speed)
    private func backward(parameters p: UnsafePointer<Float>) {
        let rows = batchSize
        var current = gradientA, spare = gradientB
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l], width = layer.outputs
            if layer.isHidden {
                // current holds d(layer output); through the gate to dy, then batch norm to dz.
                let gate = gates[l]
                for i in 0..<(rows * width) { current[i] *= gate[i] }
                if layer.hasBatchNorm {
                    BatchNorm.backward(current, normalised: normalised[l], rows: rows, width: width,
                                       inverseStd: inverseStds[l], gamma: p + layer.gammaOffset,
                                       gammaGradient: gradients + layer.gammaOffset,
                                       betaGradient: gradients + layer.betaOffset)
                }
            }
            Sgemm.multiplyTransposedLeft(activations[l], current, into: gradients + layer.weightOffset,
                                         m: rows, k: layer.inputs, n: width)
            let biasGradient = gradients + layer.biasOffset
            biasGradient.update(repeating: 0, count: width)
            for r in 0..<rows { Sgemm.addScaled(current + r * width, 1, into: biasGradient, count: width) }
            if l > 0 {
                Sgemm.transpose(p + layer.weightOffset, rows: layer.inputs, cols: width, into: transposed)
                Sgemm.multiply(current, transposed, into: spare, m: rows, k: width, n: layer.inputs)
                swap(&current, &spare)
            }
        }
    }
}
