/// Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as PyTorch's `torch.optim.Adam`
/// (not AdamW), over one flat parameter vector.
///
/// Step t: g ← g + λ·θ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
/// θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
struct AdamOptimizer: Sendable {
    /// Learning rate.
    let learningRate: Float
    /// L2 penalty λ added to the gradient.
    let weightDecay: Float
    /// Decay of the first moment.
    let beta1: Float = 0.9
    /// Decay of the second moment.
    let beta2: Float = 0.999
    /// Added to the denominator.
    let epsilon: Float = 1e-8
    private var firstMoment: [Float]
    private var secondMoment: [Float]
    private var step = 0

    /// An optimizer for `count` parameters, moments zero.
    init(count: Int, learningRate: Float, weightDecay: Float) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        firstMoment = [Float](repeating: 0, count: count)
        secondMoment = [Float](repeating: 0, count: count)
    }

    /// One step: updates `parameters` from `gradients` (both `count` long; gradients are consumed).
    @_optimize(speed)
    mutating func update(_ parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
        step += 1
        let t = Double(step)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
        let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
        let (b1, b2, decay, eps) = (beta1, beta2, weightDecay, epsilon)
        let count = firstMoment.count
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                for i in 0..<count {
                    let g = gradients[i] + decay * parameters[i]
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    parameters[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
