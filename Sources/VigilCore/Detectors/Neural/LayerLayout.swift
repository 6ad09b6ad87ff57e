/// Where one dense layer's numbers live in a network's flat parameter and statistics vectors.
///
/// A layer maps `inputs` features to `outputs`: weights W (inputs × outputs, row-major, so a batch
/// X (rows × inputs) maps to X·W + b), bias b; a hidden layer with batch norm also has the scale γ
/// and shift β (trainable, in the parameter vector) and the running mean and variance (in the
/// statistics vector).
struct LayerLayout: Sendable, Equatable {
    /// Input width.
    let inputs: Int
    /// Output width.
    let outputs: Int
    /// Whether the layer is followed by batch norm, ReLU and dropout (all but the last layer).
    let isHidden: Bool
    /// Whether the layer has batch norm.
    let hasBatchNorm: Bool
    /// Offset of W in the parameter vector.
    let weightOffset: Int
    /// Offset of b in the parameter vector.
    let biasOffset: Int
    /// Offset of γ (β follows it) in the parameter vector; only meaningful with batch norm.
    let gammaOffset: Int
    /// Offset of β in the parameter vector.
    var betaOffset: Int { gammaOffset + outputs }
    /// Offset of the running mean (the running variance follows it) in the statistics vector.
    let runningOffset: Int
    /// Offset of the running variance in the statistics vector.
    var runningVarianceOffset: Int { runningOffset + outputs }

    /// Lays out the layers for widths [d, h₁, …, h_k, …, d]: every layer but the last is hidden.
    /// Returns the layers, the parameter count and the statistics count.
    static func layouts(widths: [Int], batchNorm: Bool) -> (layers: [LayerLayout], parameterCount: Int, statisticsCount: Int) {
        var layers = [LayerLayout]()
        var parameters = 0, statistics = 0
        for l in 0..<(widths.count - 1) {
            let inputs = widths[l], outputs = widths[l + 1]
            let hidden = l < widths.count - 2
            let norm = hidden && batchNorm
            let weightOffset = parameters
            let biasOffset = weightOffset + inputs * outputs
            parameters = biasOffset + outputs
            let gammaOffset = parameters
            if norm { parameters += 2 * outputs }
            let runningOffset = statistics
            if norm { statistics += 2 * outputs }
            layers.append(LayerLayout(
                inputs: inputs, outputs: outputs, isHidden: hidden, hasBatchNorm: norm,
                weightOffset: weightOffset, biasOffset: biasOffset, gammaOffset: gammaOffset,
                runningOffset: runningOffset))
        }
        return (layers, parameters, statistics)
    }
}
