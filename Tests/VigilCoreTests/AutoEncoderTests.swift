import Foundation
import XCTest
@testable import VigilCore

final class AutoEncoderTests: XCTestCase {
    private func randomFloats(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float((2 * g.nextUnit() - 1) * scale) }
    }

    private func gaussian(rows: Int, cols: Int, seed: UInt64) throws -> Matrix {
        var g = SeededGenerator(seed: seed)
        var values = [Double]()
        for _ in 0..<(rows * cols) {
            let u1 = max(g.nextUnit(), 1e-12), u2 = g.nextUnit()
            values.append((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
        }
        return try Matrix(rows: rows, cols: cols, values: values)
    }

    /// Asserts |numeric − analytic| ≤ 2e-3 + 3e-2·|analytic| for every index.
    private func assertGradientsClose(_ analytic: [Float], _ numeric: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.count, numeric.count)
        for i in 0..<analytic.count {
            let tolerance = 2e-3 + 3e-2 * abs(analytic[i])
            XCTAssertEqual(analytic[i], numeric[i], accuracy: tolerance, "\(what)[\(i)]", file: file, line: line)
        }
    }

    /// (f(v + h·eᵢ) − f(v − h·eᵢ)) / 2h for every index i; `values` is restored.
    private func centralDifferences(_ values: inout [Float], h: Float = 1e-2, _ f: ([Float]) -> Float) -> [Float] {
        (0..<values.count).map { i in
            let saved = values[i]
            values[i] = saved + h
            let up = f(values)
            values[i] = saved - h
            let down = f(values)
            values[i] = saved
            return (up - down) / (2 * h)
        }
    }

    // MARK: - Kernels and layers

    /// Checked against the textbook triple loop, below and above the parallel threshold, and with
    /// one and several threads (the results must be identical, not just close).
    func testSgemmMatchesNaiveProducts() {
        for (m, k, n) in [(3, 5, 4), (64, 70, 40)] {
            let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2), bias = randomFloats(n, seed: 3)
            var c = [Float](repeating: .nan, count: m * n)
            Sgemm.multiply(a, b, into: &c, m: m, k: k, n: n, bias: bias)
            for i in 0..<m {
                for j in 0..<n {
                    var s = bias[j]
                    for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                    XCTAssertEqual(c[i * n + j], s, accuracy: 1e-4)
                }
            }
            // Aᵀ·B with A (m×k), B (m×n).
            let bm = randomFloats(m * n, seed: 4)
            var t = [Float](repeating: .nan, count: k * n)
            Sgemm.multiplyTransposedLeft(a, bm, into: &t, m: m, k: k, n: n)
            for p in 0..<k {
                for j in 0..<n {
                    var s: Float = 0
                    for i in 0..<m { s += a[i * k + p] * bm[i * n + j] }
                    XCTAssertEqual(t[p * n + j], s, accuracy: 1e-4)
                }
            }
            defer { Parallel.limitThreads(0) }
            Parallel.limitThreads(1)
            var c1 = [Float](repeating: 0, count: m * n), t1 = [Float](repeating: 0, count: k * n)
            Sgemm.multiply(a, b, into: &c1, m: m, k: k, n: n, bias: bias)
            Sgemm.multiplyTransposedLeft(a, bm, into: &t1, m: m, k: k, n: n)
            Parallel.limitThreads(3)
            var c3 = [Float](repeating: 0, count: m * n), t3 = [Float](repeating: 0, count: k * n)
            Sgemm.multiply(a, b, into: &c3, m: m, k: k, n: n, bias: bias)
            Sgemm.multiplyTransposedLeft(a, bm, into: &t3, m: m, k: k, n: n)
            XCTAssertEqual(c1, c3)
            XCTAssertEqual(t1, t3)
            XCTAssertEqual(c1, c)
        }
    }

    /// f(z, γ, β) = Σ r ⊙ (γ·x̂(z) + β) with fixed random r: backward's dz, dγ, dβ against central
    /// differences of f.
    func testBatchNormGradientMatchesFiniteDifferences() {
        let rows = 5, width = 3
        let z0 = randomFloats(rows * width, seed: 11, scale: 2)
        let r = randomFloats(rows * width, seed: 12)
        var gamma = randomFloats(width, seed: 13).map { $0 + 1.5 }
        var beta = randomFloats(width, seed: 14)

        func f(_ z: [Float], _ gamma: [Float], _ beta: [Float]) -> Float {
            var xhat = z, mean = [Float](repeating: 0, count: width), inv = mean
            var rm = mean, rv = mean
            BatchNorm.normaliseTraining(&xhat, rows: rows, width: width, mean: &mean, inverseStd: &inv,
                                        runningMean: &rm, runningVariance: &rv)
            var total: Float = 0
            for i in 0..<(rows * width) { total += r[i] * (gamma[i % width] * xhat[i] + beta[i % width]) }
            return total
        }
        var xhat = z0, mean = [Float](repeating: 0, count: width), inv = mean, rm = mean, rv = mean
        BatchNorm.normaliseTraining(&xhat, rows: rows, width: width, mean: &mean, inverseStd: &inv,
                                    runningMean: &rm, runningVariance: &rv)
        // dy = r for f; backward turns it into dz.
        var dz = r, dGamma = [Float](repeating: 0, count: width), dBeta = dGamma
        BatchNorm.backward(&dz, normalised: xhat, rows: rows, width: width, inverseStd: inv, gamma: gamma,
                           gammaGradient: &dGamma, betaGradient: &dBeta)
        var z = z0
        assertGradientsClose(dz, centralDifferences(&z) { f($0, gamma, beta) }, "dz")
        assertGradientsClose(dGamma, centralDifferences(&gamma) { f(z0, $0, beta) }, "dγ")
        assertGradientsClose(dBeta, centralDifferences(&beta) { f(z0, gamma, $0) }, "dβ")
        // Batch statistics by hand for column 0, and the running update with momentum 0.1 from (0, 0).
        let column = (0..<rows).map { Double(z0[$0 * width]) }
        let mu = column.reduce(0, +) / Double(rows)
        let biased = column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(rows)
        XCTAssertEqual(Double(inv[0]), 1 / (biased + 1e-5).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(Double(rm[0]), 0.1 * mu, accuracy: 1e-6)
        XCTAssertEqual(Double(rv[0]), 0.1 * biased * Double(rows) / Double(rows - 1), accuracy: 1e-5)
    }

    /// The whole network's loss gradient (every dense weight and bias, γ and β of every layer)
    /// against central differences of the training loss, with and without batch norm and dropout
    /// (the dropout draws are replayed from the same seed at every evaluation).
    func testNetworkGradientMatchesFiniteDifferences() {
        let widths = [3, 5, 2, 5, 3], rows = 6
        for (batchNorm, dropout) in [(true, Float(0)), (true, Float(0.3)), (false, Float(0.2))] {
            var g = SeededGenerator(seed: 5)
            let network = AutoEncoderNetwork(widths: widths, batchNorm: batchNorm, generator: &g)
            let trainer = AutoEncoderTrainer(widths: widths, batchNorm: batchNorm, batchSize: rows, dropout: dropout)
            let batch = randomFloats(rows * 3, seed: 21, scale: 1.5)
            var parameters = network.parameters
            let statistics = network.statistics

            func loss(_ p: [Float]) -> Float {
                var stats = statistics.isEmpty ? [Float(0)] : statistics
                var drops = SeededGenerator(seed: 77)
                trainer.input.update(from: batch, count: batch.count)
                return trainer.step(parameters: p, statistics: &stats, generator: &drops)
            }
            _ = loss(parameters)
            let analytic = Array(UnsafeBufferPointer(start: trainer.gradients, count: trainer.parameterCount))
            // h small enough that no ReLU input crosses zero within ±h.
            let numeric = centralDifferences(&parameters, h: 1e-3, loss)
            assertGradientsClose(analytic, numeric, "batch norm \(batchNorm), dropout \(dropout)")
            XCTAssertTrue(analytic.contains { abs($0) > 1e-3 })
        }
    }

    /// First step: m = 0.1·g′, v = 0.001·g′², corrections 0.1 and √0.001, so θ moves by
    /// lr·g′/(|g′| + 1e-8) where g′ = g + λθ. θ = 1, g = 0.5, λ = 0.1, lr = 0.1: g′ = 0.6, θ → 0.9.
    /// θ = −2, g = 0: g′ = −0.2, θ → −1.9. Second step with g = 0 on the first: g′ = 0.09,
    /// m = 0.9·0.06 + 0.1·0.09 = 0.063, v = 0.999·0.00036 + 0.001·0.0081 = 0.00036774,
    /// θ = 0.9 − (0.1/0.19)·0.063/(√0.00036774/√0.001999 + 1e-8).
    func testAdamStepsMatchHandComputedValues() {
        var adam = AdamOptimizer(count: 2, learningRate: 0.1, weightDecay: 0.1)
        var theta: [Float] = [1, -2]
        var grad: [Float] = [0.5, 0]
        adam.update(&theta, gradients: &grad)
        XCTAssertEqual(theta[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(theta[1], -1.9, accuracy: 1e-6)
        grad = [0, 0]
        adam.update(&theta, gradients: &grad)
        let expected = 0.9 - (0.1 / 0.19) * 0.063 / ((0.00036774).squareRoot() / (0.001999).squareRoot() + 1e-8)
        XCTAssertEqual(Double(theta[0]), expected, accuracy: 1e-5)
    }

    /// Initial weights stay within PyTorch's bounds: hidden U(±√(6/fan_in)), last layer and biases
    /// U(±1/√fan_in); γ = 1, β = 0, running variance 1.
    func testInitialisationBounds() {
        var g = SeededGenerator(seed: 3)
        let network = AutoEncoderNetwork(widths: [10, 64, 32, 64, 10], batchNorm: true, generator: &g)
        for layer in network.layers {
            let fanIn = Float(layer.inputs)
            let bound = layer.isHidden ? (6 / fanIn).squareRoot() : 1 / fanIn.squareRoot()
            let w = network.parameters[layer.weightOffset..<(layer.weightOffset + layer.inputs * layer.outputs)]
            XCTAssertLessThanOrEqual(w.map(abs).max() ?? 0, bound)
            XCTAssertGreaterThan(w.map(abs).max() ?? 0, 0.9 * bound)
            let b = network.parameters[layer.biasOffset..<(layer.biasOffset + layer.outputs)]
            XCTAssertLessThanOrEqual(b.map(abs).max() ?? 0, 1 / fanIn.squareRoot())
            if layer.hasBatchNorm {
                XCTAssertEqual(Array(network.parameters[layer.gammaOffset..<(layer.gammaOffset + layer.outputs)]),
                               [Float](repeating: 1, count: layer.outputs))
                XCTAssertEqual(Array(network.statistics[layer.runningVarianceOffset..<(layer.runningVarianceOffset + layer.outputs)]),
                               [Float](repeating: 1, count: layer.outputs))
            }
        }
        XCTAssertEqual(network.layers.map(\.outputs), [64, 32, 64, 10])
        XCTAssertEqual(network.layers.map(\.hasBatchNorm), [true, true, true, false])
    }

    // MARK: - Detector

    /// 300 rows on a line x₂ = x₁, x₃ = −x₁ (plus small noise) and one row far off that line but
    /// inside the per-feature ranges: the network learns the line, so that row reconstructs worst.
    func testOffManifoldRowScoresHighest() throws {
        var g = SeededGenerator(seed: 8)
        var rows = [[Double]]()
        for _ in 0..<300 {
            let t = 4 * g.nextUnit() - 2
            rows.append([t, t + 0.05 * (g.nextUnit() - 0.5), -t + 0.05 * (g.nextUnit() - 0.5)])
        }
        rows.append([1.5, -1.5, 1.5])
        let x = try Matrix(rows)
        let (model, training) = try AutoEncoder.fitScoring(x, parameters: .init(epochs: 20), seed: 1)
        XCTAssertEqual(training.firstIndex(of: training.max()!), 300)
        XCTAssertEqual(training, try model.rawScores(x))
        XCTAssertEqual(model.network.widths, [3, 64, 32, 64, 3])
        let probe = try model.rawScores(try Matrix([[1, 1, -1], [1, -1, 1]]))
        XCTAssertLessThan(probe[0], probe[1])
        // A row's score does not depend on the other rows scored with it.
        XCTAssertEqual(try model.rawScores(try Matrix([[1, -1, 1]]))[0], probe[1])
    }

    func testSameSeedSameModelWhateverTheThreadCount() throws {
        // 70 features: the 32 × 70 × 64 products cross the parallel threshold.
        let x = try gaussian(rows: 80, cols: 70, seed: 4)
        let p = AutoEncoder.Parameters(epochs: 1)
        defer { Parallel.limitThreads(0) }
        Parallel.limitThreads(1)
        let one = try AutoEncoder.fit(x, parameters: p, seed: 9)
        Parallel.limitThreads(4)
        let four = try AutoEncoder.fit(x, parameters: p, seed: 9)
        XCTAssertEqual(one, four)
        XCTAssertEqual(try one.rawScores(x), try four.rawScores(x))
        let other = try AutoEncoder.fit(x, parameters: p, seed: 10)
        XCTAssertNotEqual(one.network.parameters, other.network.parameters)
    }

    func testPreprocessingStandardisesWithPopulationStd() throws {
        let x = try Matrix([[1, 5], [3, 5], [5, 5], [7, 5]])
        let p = AutoEncoder.Parameters(hiddenNeurons: [2], epochs: 1, batchSize: 2)
        let model = try AutoEncoder.fit(x, parameters: p, seed: 0)
        // Column 0: mean 4, population variance (9 + 1 + 1 + 9)/4 = 5; column 1 constant.
        XCTAssertEqual(model.mean, [4, 5])
        XCTAssertEqual(model.scale[0], 5.0.squareRoot() + 1e-8, accuracy: 1e-15)
        XCTAssertEqual(model.scale[1], 1e-8)
        let raw = try AutoEncoder.fit(x, parameters: .init(hiddenNeurons: [2], epochs: 1, batchSize: 2, preprocessing: false), seed: 0)
        XCTAssertEqual(raw.mean, [0, 0])
        XCTAssertEqual(raw.scale, [1, 1])
    }

    func testModelRoundTripThroughJSON() throws {
        let x = try gaussian(rows: 64, cols: 3, seed: 6)
        let (detector, scores) = try AnyDetector.fitScoring(x, settings: .autoencoder(.init(hiddenNeurons: [8, 4], epochs: 2)), seed: 2)
        let data = try JSONEncoder().encode(detector)
        let back = try JSONDecoder().decode(AnyDetector.self, from: data)
        XCTAssertEqual(back, detector)
        XCTAssertEqual(try back.rawScores(x), scores)
        XCTAssertEqual(back.backend, .autoencoder)
        // Weights travel packed, not as a JSON list of numbers.
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(text.contains("\"parameters\":["))
        let settings = try JSONDecoder().decode(DetectorSettings.self, from: try JSONEncoder().encode(DetectorSettings.autoencoder(.init(epochs: 100))))
        XCTAssertEqual(settings, .autoencoder(.init(epochs: 100)))
    }

    // MARK: - Bad input

    func testBadInputIsRefusedWithTheReason() throws {
        let ok = try gaussian(rows: 40, cols: 2, seed: 1)
        XCTAssertThrowsError(try AutoEncoder.fit(try Matrix(rows: 0, cols: 2, values: []), parameters: .init(), seed: 0)) {
            guard case .emptyData = $0 as? VigilError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try AutoEncoder.fit(try Matrix(rows: 40, cols: 0, values: []), parameters: .init(), seed: 0)) {
            guard case .emptyData = $0 as? VigilError else { return XCTFail("\($0)") }
        }
        var nan = ok
        nan[3, 1] = .nan
        XCTAssertThrowsError(try AutoEncoder.fit(nan, parameters: .init(), seed: 0)) {
            guard case .nonFinite(3, "column 1", let v) = $0 as? VigilError, v.isNaN else { return XCTFail("\($0)") }
        }
        var inf = ok
        inf[5, 0] = -.infinity
        XCTAssertThrowsError(try AutoEncoder.fit(inf, parameters: .init(), seed: 0)) {
            XCTAssertEqual($0 as? VigilError, .nonFinite(row: 5, column: "column 0", value: -.infinity))
        }
        // Fewer rows than one batch: nothing would be trained.
        XCTAssertThrowsError(try AutoEncoder.fit(try gaussian(rows: 20, cols: 2, seed: 1), parameters: .init(), seed: 0)) {
            guard case .invalidParameter("batch_size", "32", let allowed) = $0 as? VigilError else { return XCTFail("\($0)") }
            XCTAssertTrue(allowed.contains("20 training rows"))
        }
        // Values that overflow float32 without preprocessing.
        var huge = ok
        huge[0, 0] = 1e300
        XCTAssertThrowsError(try AutoEncoder.fit(huge, parameters: .init(preprocessing: false), seed: 0)) {
            XCTAssertEqual($0 as? VigilError, .nonFinite(row: 0, column: "column 0", value: 1e300))
        }
        let bad: [(AutoEncoder.Parameters, String)] = [
            (.init(hiddenNeurons: []), "hidden_neurons"), (.init(hiddenNeurons: [64, 0]), "hidden_neurons"),
            (.init(epochs: 0), "epochs"), (.init(batchSize: 1), "batch_size"), (.init(batchSize: 0, batchNorm: false), "batch_size"),
            (.init(dropout: 1), "dropout"), (.init(dropout: -0.1), "dropout"), (.init(learningRate: 0), "learning_rate"),
            (.init(learningRate: .nan), "learning_rate"), (.init(weightDecay: -1), "weight_decay"),
        ]
        for (p, name) in bad {
            XCTAssertThrowsError(try AutoEncoder.fit(ok, parameters: p, seed: 0), name) {
                guard case .invalidParameter(let got, _, _) = $0 as? VigilError else { return XCTFail("\($0)") }
                XCTAssertEqual(got, name)
            }
        }
        // Batch size 1 is fine without batch norm.
        XCTAssertNoThrow(try AutoEncoder.fit(ok, parameters: .init(hiddenNeurons: [4], epochs: 1, batchSize: 1, batchNorm: false), seed: 0))

        let model = try AutoEncoder.fit(ok, parameters: .init(hiddenNeurons: [4], epochs: 1), seed: 0)
        XCTAssertThrowsError(try model.rawScores(try gaussian(rows: 3, cols: 3, seed: 1))) {
            XCTAssertEqual($0 as? VigilError, .featureCountMismatch(expected: 2, got: 3))
        }
        XCTAssertThrowsError(try model.rawScores(try Matrix([[0, .infinity]]))) {
            XCTAssertEqual($0 as? VigilError, .nonFinite(row: 0, column: "column 1", value: .infinity))
        }
        XCTAssertEqual(try model.rawScores(try Matrix(rows: 0, cols: 2, values: [])), [])
    }
}
