import XCTest
import Foundation
@testable import VigilCore

final class ExplanationTests: XCTestCase {
    /// Rows from a seeded generator: a correlated Gaussian-ish cloud plus a few far points.
    private func data(rows: Int, cols: Int, seed: UInt64) throws -> Matrix {
        var g = SeededGenerator(seed: seed)
        var values = [Double]()
        for r in 0..<rows {
            let shared = g.nextUnit() - 0.5
            for c in 0..<cols {
                var v = shared * Double(c + 1) + (g.nextUnit() - 0.5) + (g.nextUnit() - 0.5)
                if r % 37 == 0 && c == r % cols { v += 6 }
                values.append(v)
            }
        }
        return try Matrix(rows: rows, cols: cols, values: values)
    }

    /// base + Σ contributions equals every row's output within 1e-9 relative.
    private func assertAdditive(_ a: Attributions, file: StaticString = #filePath, line: UInt = #line) {
        for r in 0..<a.rows {
            let total = a.contributions(row: r).reduce(a.baseValue, +)
            let tolerance = 1e-9 * max(1, abs(a.outputs[r]))
            XCTAssertEqual(total, a.outputs[r], accuracy: tolerance, "row \(r)", file: file, line: line)
        }
    }

    func testSumDetectorsAreAdditiveAndExplainTheirRawScores() throws {
        let train = try data(rows: 300, cols: 5, seed: 1)
        let test = try data(rows: 80, cols: 5, seed: 2)
        let detectors: [any FeatureExplaining] = [
            try ECOD.fit(train), try COPOD.fit(train), try HBOS.fit(train),
            try HBOS.fit(train, parameters: .init(nBins: .auto)),
        ]
        for detector in detectors {
            let a = try detector.explain(test)
            XCTAssertEqual(a.output, .rawScore)
            XCTAssertEqual(a.baseValue, 0)
            assertAdditive(a)
            // The row sums are the raw scores themselves, bit for bit.
            XCTAssertEqual(a.outputs, try detector.rawScores(test), "\(type(of: detector))")
            // A far value's own feature carries the largest share of its score.
            let far = 37, farFeature = 37 % 5
            XCTAssertEqual(a.topFeatures(row: far, k: 1), [farFeature], "\(type(of: detector))")
        }
    }

    func testAutoEncoderSharesOfTheReconstructionErrorAddUpToTheRawScore() throws {
        let train = try data(rows: 256, cols: 4, seed: 3)
        let ae = try AutoEncoder.fit(train, parameters: .init(hiddenNeurons: [8, 4], epochs: 3), seed: 7)
        let test = try data(rows: 40, cols: 4, seed: 4)
        let a = try ae.explain(test)
        XCTAssertEqual(a.output, .rawScore)
        assertAdditive(a)
        let raw = try ae.rawScores(test)
        for r in 0..<test.rows {
            XCTAssertEqual(a.outputs[r], raw[r], accuracy: 1e-12 * max(1, raw[r]))
            XCTAssertTrue(a.contributions(row: r).allSatisfy { $0 >= 0 }, "squared errors are never negative")
        }
    }

    func testIsolationForestTreeSHAPAddsUpToTheMeanPathLength() throws {
        let train = try data(rows: 400, cols: 6, seed: 5)
        var test = try data(rows: 30, cols: 6, seed: 6)
        test[3, 2] = .nan  // NaN follows each split's stored direction, in scoring and explaining alike
        for parameters in [IsolationForest.Parameters(nEstimators: 25),
                           IsolationForest.Parameters(nEstimators: 10, maxSamples: .count(64), maxFeatures: .count(3), bootstrap: true)] {
            let forest = try IsolationForest.fit(train, parameters: parameters, seed: 11)
            let a = try forest.explain(test)
            XCTAssertEqual(a.output, .meanPathLength)
            assertAdditive(a)
            // The explained output is the path length the raw score is made of: s = 2^(−E[h] / c(ψ)).
            let raw = try forest.rawScores(test)
            let c = IsolationForest.averagePathLength(forest.sampleSize)
            for r in 0..<test.rows {
                XCTAssertEqual(pow(2, -a.outputs[r] / c), raw[r], accuracy: 1e-12)
            }
            // φ_0 lies between the shallowest and the deepest possible mean path length.
            XCTAssertGreaterThan(a.baseValue, 0)
            XCTAssertLessThan(a.baseValue, Double(forest.depthLimit) + c)
        }
        // Feature columns a forest never splits on get exactly 0.
        let narrow = try IsolationForest.fit(train, parameters: .init(nEstimators: 5, maxFeatures: .count(1)), seed: 3)
        let used = Set(narrow.trees.flatMap { $0.feature.filter { $0 >= 0 }.map(Int.init) })
        let a = try narrow.explain(test)
        for r in 0..<test.rows {
            for j in 0..<6 where !used.contains(j) { XCTAssertEqual(a.contributions(row: r)[r * 6 + j], 0) }
        }
    }

    func testLeafRowCountIsRecoveredFromThePathLength() {
        for depth in [0, 3, 8] {
            for n in [1, 2, 3, 4, 17, 255, 256] {
                let length = (Double(depth + 1) + IsolationForest.averagePathLength(n)) - 1.0
                XCTAssertEqual(IsolationTree.leafRows(pathLength: length, depth: depth, sampleSize: 256), n)
            }
        }
    }

    // MARK: TreeSHAP against the definition

    /// A random tree: random splits down to `depth`, random leaf values, covers from random leaf counts.
    private func randomTree(features: Int, depth: Int, g: inout SeededGenerator) throws -> TreeSHAP.Tree {
        var feature = [Int32](), threshold = [Double](), left = [Int32](), right = [Int32](), value = [Double](), missing = [Bool]()
        func grow(_ level: Int) -> Int {
            let node = feature.count
            feature.append(-1); threshold.append(0); left.append(-1); right.append(-1); missing.append(false)
            value.append(Double(g.nextInt(below: 2001)) / 100 - 10)
            if level < depth && (level < 2 || g.nextUnit() < 0.7) {
                feature[node] = Int32(g.nextInt(below: features))
                threshold[node] = g.nextUnit() * 2 - 1
                missing[node] = g.nextUnit() < 0.5
                let l = grow(level + 1)
                let r = grow(level + 1)
                left[node] = Int32(l)
                right[node] = Int32(r)
            }
            return node
        }
        _ = grow(0)
        var cover = [Double](repeating: 0, count: feature.count)
        for i in stride(from: feature.count - 1, through: 0, by: -1) {
            cover[i] = feature[i] < 0 ? Double(1 + g.nextInt(below: 20)) : cover[Int(left[i])] + cover[Int(right[i])]
        }
        return try TreeSHAP.Tree(feature: feature, threshold: threshold, left: left, right: right,
                                 missingGoesLeft: missing, value: value, cover: cover)
    }

    /// v(S): follow x on the features in S, average the children by cover elsewhere.
    private func coalitionValue(_ t: TreeSHAP.Tree, _ x: [Double], _ known: Set<Int>, node: Int = 0) -> Double {
        if t.feature[node] < 0 { return t.value[node] }
        let f = Int(t.feature[node]), l = Int(t.left[node]), r = Int(t.right[node])
        if known.contains(f) {
            let goLeft = x[f].isNaN ? t.missingGoesLeft[node] : x[f] <= t.threshold[node]
            return coalitionValue(t, x, known, node: goLeft ? l : r)
        }
        return (t.cover[l] * coalitionValue(t, x, known, node: l) + t.cover[r] * coalitionValue(t, x, known, node: r)) / t.cover[node]
    }

    /// Shapley values by enumerating every coalition.
    private func bruteForceShapley(_ t: TreeSHAP.Tree, _ x: [Double]) -> [Double] {
        let m = x.count
        func factorial(_ k: Int) -> Double { k <= 1 ? 1 : Double(k) * factorial(k - 1) }
        var phi = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let others = (0..<m).filter { $0 != j }
            for mask in 0..<(1 << others.count) {
                var s = Set<Int>()
                for (b, f) in others.enumerated() where mask & (1 << b) != 0 { s.insert(f) }
                let weight = factorial(s.count) * factorial(m - s.count - 1) / factorial(m)
                phi[j] += weight * (coalitionValue(t, x, s.union([j])) - coalitionValue(t, x, s))
            }
        }
        return phi
    }

    func testTreeSHAPEqualsShapleyValuesByEnumeration() throws {
        var g = SeededGenerator(seed: 99)
        let m = 5
        for trial in 0..<40 {
            let tree = try randomTree(features: m, depth: 2 + trial % 6, g: &g)
            for _ in 0..<5 {
                var x = (0..<m).map { _ in g.nextUnit() * 2.4 - 1.2 }
                if g.nextUnit() < 0.2 { x[g.nextInt(below: m)] = .nan }
                let expected = bruteForceShapley(tree, x)
                var phi = [Double](repeating: 0, count: m)
                var workspace = TreeSHAP.Workspace(depth: 1)
                x.withUnsafeBufferPointer { row in
                    phi.withUnsafeMutableBufferPointer { out in
                        TreeSHAP.addContributions(of: tree, row: row, scale: 1, into: out.baseAddress!, workspace: &workspace)
                    }
                }
                for j in 0..<m { XCTAssertEqual(phi[j], expected[j], accuracy: 1e-9, "trial \(trial), feature \(j)") }
                XCTAssertEqual(tree.expectedValue, coalitionValue(tree, x, []), accuracy: 1e-9)
                let prediction = x.withUnsafeBufferPointer { tree.predict($0) }
                XCTAssertEqual(phi.reduce(tree.expectedValue, +), prediction, accuracy: 1e-9)
            }
        }
    }

    /// A scikit-learn gradient-boosted regressor and shap's TreeExplainer answers on it
    /// (`TreeSHAPFixture`, written by scripts/treeshap-check.sh): equal within 1e-6.
    func testTreeSHAPEqualsTheShapPackageOnABoostedModel() throws {
        struct Case: Decodable {
            let ensemble: TreeSHAP.Ensemble
            let x: [[Double]]
            let shapValues: [[Double]]
            let expectedValue: Double

            enum CodingKeys: String, CodingKey { case ensemble, x, shapValues = "shap_values", expectedValue = "expected_value" }
        }
        let fixture = try JSONDecoder().decode(Case.self, from: Data(TreeSHAPFixture.json.utf8))
        XCTAssertEqual(fixture.ensemble.trees.count, 25)
        let x = try Matrix(fixture.x)
        let (base, phi) = try fixture.ensemble.explain(x)
        XCTAssertEqual(base, fixture.expectedValue, accuracy: 1e-6)
        let predictions = fixture.ensemble.predict(x)
        for r in 0..<x.rows {
            for j in 0..<x.cols { XCTAssertEqual(phi[r * x.cols + j], fixture.shapValues[r][j], accuracy: 1e-6, "row \(r), feature \(j)") }
            XCTAssertEqual(phi[(r * x.cols)..<((r + 1) * x.cols)].reduce(base, +), predictions[r], accuracy: 1e-9 * max(1, abs(predictions[r])))
        }
        // A row narrower than the trees' features is refused, not read past its end.
        XCTAssertThrowsError(try fixture.ensemble.explain(try Matrix(rows: 1, cols: 2, values: [0, 0])))
    }

    func testTreeRefusesInconsistentArrays() {
        XCTAssertThrowsError(try TreeSHAP.Tree(feature: [0, -1], threshold: [0, 0], left: [1, -1], right: [2, -1],
                                               value: [0, 1], cover: [2, 1]))
        XCTAssertThrowsError(try TreeSHAP.Tree(feature: [-1], threshold: [0, 0], left: [-1], right: [-1], value: [0], cover: [1]))
    }

    func testModelsOfOtherBackendsRefuseToExplainNamingExplain() throws {
        let train = try data(rows: 100, cols: 3, seed: 8)
        let (model, _) = try AnomalyModel.fit(train, settings: .knn(.init()))
        XCTAssertThrowsError(try model.explain(train)) { error in
            guard case VigilError.notExplainable(let backend, let explainable) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(backend, "knn")
            XCTAssertTrue(explainable.contains("isolation_forest"))
            XCTAssertTrue("\(error)".hasPrefix("explain:"))
        }
        for backend in Backend.allCases {
            XCTAssertEqual(backend.isExplainable, AnyDetector.explainableBackends.contains(backend))
        }
    }

    func testModelExplanationRefusesInfinityNamingTheFeature() throws {
        let train = try data(rows: 100, cols: 3, seed: 9)
        let (model, _) = try AnomalyModel.fit(train, featureNames: ["a", "b", "c"], settings: .ecod(.init()))
        var bad = try data(rows: 2, cols: 3, seed: 10)
        bad[1, 1] = .infinity
        XCTAssertThrowsError(try model.explain(bad)) { error in
            XCTAssertEqual(error as? VigilError, .nonFinite(row: 1, column: "b", value: .infinity))
        }
        XCTAssertThrowsError(try model.explain(try Matrix(rows: 1, cols: 2, values: [0, 0])))
    }
}
