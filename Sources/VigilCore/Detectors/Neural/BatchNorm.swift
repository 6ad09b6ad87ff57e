/// Batch normalisation over the rows of a batch, as PyTorch's `BatchNorm1d` (eps 1e-5,
/// momentum 0.1, affine).
///
/// Training: per column c, μ = mean of the batch, σ² = biased variance, x̂ = (z − μ)/√(σ² + ε),
/// y = γ·x̂ + β; the running statistics move by r ← (1 − m)·r + m·batch value, the variance with the
/// unbiased σ²·n/(n − 1). Evaluation: y = γ·(z − r_μ)/√(r_σ² + ε) + β. Backward (Ioffe & Szegedy
/// 2015): dβ = Σ dy, dγ = Σ dy·x̂, dz = γ/√(σ² + ε) · (dy − dβ/n − x̂·dγ/n).
enum BatchNorm {
    /// ε added to the variance.
    static let epsilon: Float = 1e-5
    /// Weight of the newest batch in the running statistics.
    static let momentum: Float = 0.1

    /// Replaces z (rows × width) by x̂, writes 1/√(σ² + ε) per column into `inverseStd` and moves
    /// the running statistics. `mean` is scratch of `width` values. Needs rows ≥ 2.
    @_optimize(speed)
    static func normaliseTraining(
        _ z: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        mean: UnsafeMutablePointer<Float>, inverseStd: UnsafeMutablePointer<Float>,
        runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>
    ) {
        let n = Float(rows)
        mean.update(repeating: 0, count: width)
        for r in 0..<rows { Sgemm.addScaled(z + r * width, 1, into: mean, count: width) }
        for c in 0..<width { mean[c] /= n }
        // inverseStd holds Σ (z − μ)² until the last step.
        inverseStd.update(repeating: 0, count: width)
        for r in 0..<rows {
            let row = z + r * width
            for c in 0..<width {
                let centred = row[c] - mean[c]
                inverseStd[c] += centred * centred
            }
        }
        let keep = 1 - momentum
        for c in 0..<width {
            let variance = inverseStd[c] / n
            runningMean[c] = keep * runningMean[c] + momentum * mean[c]
            runningVariance[c] = keep * runningVariance[c] + momentum * (inverseStd[c] / (n - 1))
            inverseStd[c] = 1 / (variance + epsilon).squareRoot()
        }
        for r in 0..<rows {
            let row = z + r * width
            for c in 0..<width { row[c] = (row[c] - mean[c]) * inverseStd[c] }
        }
    }

    /// Turns dy (rows × width) into dz in place and writes dγ, dβ.
    @_optimize(speed)
    static func backward(
        _ gradient: UnsafeMutablePointer<Float>, normalised: UnsafePointer<Float>, rows: Int, width: Int,
        inverseStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        gammaGradient: UnsafeMutablePointer<Float>, betaGradient: UnsafeMutablePointer<Float>
    ) {
        gammaGradient.update(repeating: 0, count: width)
        betaGradient.update(repeating: 0, count: width)
        for r in 0..<rows {
            let dy = gradient + r * width, xhat = normalised + r * width
            for c in 0..<width {
                betaGradient[c] += dy[c]
                gammaGradient[c] += dy[c] * xhat[c]
            }
        }
        let scaleN = 1 / Float(rows)
        for r in 0..<rows {
            let dy = gradient + r * width, xhat = normalised + r * width
            for c in 0..<width {
                dy[c] = gamma[c] * inverseStd[c] * (dy[c] - betaGradient[c] * scaleN - xhat[c] * gammaGradient[c] * scaleN)
            }
        }
    }

    /// The evaluation transform folded into y = z·scale + shift per column.
    static func evaluationScaleShift(
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>, width: Int
    ) -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: width), shift = [Float](repeating: 0, count: width)
        for c in 0..<width {
            scale[c] = gamma[c] / (runningVariance[c] + epsilon).squareRoot()
            shift[c] = beta[c] - runningMean[c] * scale[c]
        }
        return (scale, shift)
    }
}
