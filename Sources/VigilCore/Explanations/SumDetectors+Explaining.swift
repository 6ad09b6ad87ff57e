extension ECOD: FeatureExplaining {
    /// ECOD explains its raw score.
    public var explainedOutput: ExplainedOutput { .rawScore }

    /// φ_j = O_ij = max(U_l, U_r, U_skew) of feature j, φ_0 = 0: the raw score is their sum.
    public func explain(_ x: Matrix) throws -> Attributions {
        try requireFeatureCount(x)
        try x.requireFinite()
        return EmpiricalDistribution.tailTerms(x, distributions: distributions, ecod: true)
    }
}

extension COPOD: FeatureExplaining {
    /// COPOD explains its raw score.
    public var explainedOutput: ExplainedOutput { .rawScore }

    /// φ_j = O_ij = max(U_skew, (U_l + U_r)/2) of feature j, φ_0 = 0: the raw score is their sum.
    public func explain(_ x: Matrix) throws -> Attributions {
        try requireFeatureCount(x)
        try x.requireFinite()
        return EmpiricalDistribution.tailTerms(x, distributions: distributions, ecod: false)
    }
}

extension EmpiricalDistribution {
    /// Every O_ij of `x` against its column's training distribution, with the row sums (added in
    /// column order, as scoring adds them, so they equal the raw scores bit for bit).
    static func tailTerms(_ x: Matrix, distributions: [EmpiricalDistribution], ecod: Bool) -> Attributions {
        let n = x.rows, d = x.cols
        var terms = [Double](repeating: 0, count: n * d)
        var sums = [Double](repeating: 0, count: n)
        for j in 0..<d {
            let distribution = distributions[j]
            let (wl, wr) = distribution.skewWeights
            let count = Double(distribution.sampleCount)
            for r in 0..<n {
                let (atMost, atLeast) = distribution.tailCounts(x.values[r * d + j])
                terms[r * d + j] = outlyingness(ul: tailScore(atMost, of: count), ur: tailScore(atLeast, of: count),
                                                wl: wl, wr: wr, ecod: ecod)
            }
        }
        for r in 0..<n {
            var total = 0.0
            for j in 0..<d { total += terms[r * d + j] }
            sums[r] = total
        }
        return Attributions(output: .rawScore, baseValue: 0, rows: n, features: d, contributions: terms, outputs: sums)
    }
}

extension HBOS: FeatureExplaining {
    /// HBOS explains its raw score.
    public var explainedOutput: ExplainedOutput { .rawScore }

    /// φ_j = −ℓ_j(x_j), feature j's negated log2 density, φ_0 = 0: the raw score −Σ_j ℓ_j is
    /// their sum.
    public func explain(_ x: Matrix) throws -> Attributions {
        try requireFeatureCount(x)
        try x.requireFinite()
        return table.terms(x)
    }
}

extension AutoEncoder: FeatureExplaining {
    /// The autoencoder explains its raw score ‖e‖.
    public var explainedOutput: ExplainedOutput { .rawScore }

    /// With e = x̃ − AE(x̃) in the standardised space, φ_j = e_j² / ‖e‖ (feature j's squared
    /// reconstruction error, scaled so the terms add up to the raw score ‖e‖; 0 when ‖e‖ = 0),
    /// φ_0 = 0.
    public func explain(_ x: Matrix) throws -> Attributions {
        try requireFeatureCount(x)
        try x.requireFinite()
        let n = x.rows, d = x.cols
        guard n > 0 else {
            return Attributions(output: .rawScore, baseValue: 0, rows: 0, features: d, contributions: [], outputs: [])
        }
        let data = try Self.transformed(x, mean: mean, scale: scale)
        var squared = [Double](repeating: 0, count: n * d)
        let norms = squared.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { v in
                network.reconstructionErrors(v.baseAddress!, rows: n, squaredErrors: out.baseAddress!)
            }
        }
        for r in 0..<n where norms[r] > 0 {
            for j in 0..<d { squared[r * d + j] /= norms[r] }
        }
        return Attributions(output: .rawScore, baseValue: 0, rows: n, features: d, contributions: squared, outputs: norms)
    }
}
