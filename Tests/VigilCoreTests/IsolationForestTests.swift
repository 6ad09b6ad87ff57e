import XCTest
import Foundation
@testable import VigilCore

final class IsolationForestTests: XCTestCase {
    func testAveragePathLengthMatchesScikitLearnReferenceValues() {
        XCTAssertEqual(IsolationForest.averagePathLength(0), 0)
        XCTAssertEqual(IsolationForest.averagePathLength(1), 0)
        XCTAssertEqual(IsolationForest.averagePathLength(2), 1)
        XCTAssertEqual(IsolationForest.averagePathLength(3), 1.2073923576, accuracy: 1e-10)
        XCTAssertEqual(IsolationForest.averagePathLength(4), 1.8516559071, accuracy: 1e-10)
        XCTAssertEqual(IsolationForest.averagePathLength(10), 3.7488804845, accuracy: 1e-10)
        XCTAssertEqual(IsolationForest.averagePathLength(100), 8.3646710301, accuracy: 1e-10)
        XCTAssertEqual(IsolationForest.averagePathLength(256), 10.2447709201, accuracy: 1e-10)
    }

    func testIdenticalRowsScoreOneHalfEverywhere() throws {
        let x = try Matrix(rows: 300, cols: 3, values: Array(repeating: [1.5, -2, 7], count: 300).flatMap { $0 })
        let forest = try IsolationForest.fit(x, parameters: .init(), seed: 7)
        XCTAssertEqual(forest.sampleSize, 256)
        XCTAssertTrue(forest.trees.allSatisfy { $0.nodeCount == 1 })
        let probe = try Matrix([[1.5, -2, 7], [100, 100, 100], [-5, 0, 0]])
        for s in try forest.rawScores(probe) { XCTAssertEqual(s, 0.5, accuracy: 1e-12) }
    }

    func testDepthLimitAndSubsampleFollowScikitLearn() throws {
        let x = try gaussian(rows: 1000, cols: 4, seed: 1)
        let forest = try IsolationForest.fit(x, parameters: .init(nEstimators: 20), seed: 3)
        XCTAssertEqual(forest.sampleSize, 256)
        XCTAssertEqual(forest.depthLimit, 8)
        XCTAssertTrue(forest.trees.allSatisfy { $0.maxDepth <= 8 })
        let small = try IsolationForest.fit(try gaussian(rows: 100, cols: 2, seed: 1), parameters: .init(nEstimators: 5), seed: 3)
        XCTAssertEqual(small.sampleSize, 100)
        XCTAssertEqual(small.depthLimit, 7)
        let fraction = try IsolationForest.fit(x, parameters: .init(nEstimators: 5, maxSamples: .fraction(0.1)), seed: 3)
        XCTAssertEqual(fraction.sampleSize, 100)
        let capped = try IsolationForest.fit(x, parameters: .init(nEstimators: 5, maxSamples: .count(5000)), seed: 3)
        XCTAssertEqual(capped.sampleSize, 1000)
        XCTAssertEqual(capped.depthLimit, 10)
    }

    func testOutlierScoresHigherThanInliers() throws {
        var rows = (try gaussian(rows: 500, cols: 2, seed: 11)).values
        rows += [8, 8, -9, 7]
        let x = try Matrix(rows: 502, cols: 2, values: rows)
        let forest = try IsolationForest.fit(x, parameters: .init(), seed: 1)
        let scores = try forest.rawScores(x)
        let inlierMax = scores[0..<500].sorted()[475]
        XCTAssertGreaterThan(scores[500], inlierMax)
        XCTAssertGreaterThan(scores[501], inlierMax)
        XCTAssertGreaterThan(scores[500], 0.6)
        XCTAssertTrue(scores.allSatisfy { $0 > 0 && $0 < 1 })
    }

    func testSameSeedSameForestDifferentSeedDifferentForest() throws {
        let x = try gaussian(rows: 400, cols: 3, seed: 5)
        let a = try IsolationForest.fit(x, parameters: .init(), seed: 42)
        let b = try IsolationForest.fit(x, parameters: .init(), seed: 42)
        let c = try IsolationForest.fit(x, parameters: .init(), seed: 43)
        XCTAssertEqual(a, b)
        XCTAssertEqual(try a.rawScores(x), try b.rawScores(x))
        XCTAssertNotEqual(try a.rawScores(x), try c.rawScores(x))
    }

    func testCompiledLayoutAgreesWithNodeWalk() throws {
        let x = try gaussian(rows: 3000, cols: 5, seed: 9)
        let forest = try IsolationForest.fit(x, parameters: .init(nEstimators: 30), seed: 2)
        let fast = try forest.rawScores(x)
        let floats = try IsolationForest.float32Values(x)
        let c = IsolationForest.averagePathLength(forest.sampleSize) * Double(forest.trees.count)
        floats.withUnsafeBufferPointer { values in
            for r in stride(from: 0, to: 3000, by: 37) {
                let row = UnsafeBufferPointer(rebasing: values[(r * 5)..<((r + 1) * 5)])
                let slow = pow(2, -forest.trees.reduce(0) { $0 + $1.pathLength(row: row) } / c)
                XCTAssertEqual(fast[r], slow, accuracy: 1e-12)
            }
        }
    }

    func testScoreOfARowDoesNotDependOnTheBatch() throws {
        let x = try gaussian(rows: 600, cols: 3, seed: 4)
        let forest = try IsolationForest.fit(x, parameters: .init(), seed: 8)
        let all = try forest.rawScores(x)
        let one = try forest.rawScores(x.selectingRows([123]))
        XCTAssertEqual(all[123], one[0])
    }

    func testNaNIsAcceptedAndRoutedWhileInfinityIsRefused() throws {
        var values = (try gaussian(rows: 400, cols: 2, seed: 3)).values
        for r in stride(from: 0, to: 400, by: 10) { values[r * 2] = .nan }
        let x = try Matrix(rows: 400, cols: 2, values: values)
        let forest = try IsolationForest.fit(x, parameters: .init(), seed: 1)
        let scores = try forest.rawScores(try Matrix([[.nan, 0.1], [0.2, .nan], [.nan, .nan]]))
        XCTAssertTrue(scores.allSatisfy { $0.isFinite && $0 > 0 && $0 < 1 })
        let bad = try Matrix([[1, 2], [3, .infinity]])
        XCTAssertThrowsError(try IsolationForest.fit(bad, parameters: .init(), seed: 1)) { error in
            XCTAssertEqual(error as? VigilError, .nonFinite(row: 1, column: "column 1", value: .infinity))
        }
        XCTAssertThrowsError(try forest.rawScores(bad))
    }

    func testMaxFeaturesAndBootstrap() throws {
        let x = try gaussian(rows: 500, cols: 6, seed: 2)
        let forest = try IsolationForest.fit(x, parameters: .init(nEstimators: 10, maxFeatures: .count(2), bootstrap: true), seed: 1)
        for tree in forest.trees {
            let used = Set(tree.feature.filter { $0 >= 0 })
            XCTAssertLessThanOrEqual(used.count, 2)
        }
        XCTAssertEqual(try forest.rawScores(x).count, 500)
    }

    func testInvalidParametersAndShapes() throws {
        let x = try gaussian(rows: 50, cols: 2, seed: 1)
        XCTAssertThrowsError(try IsolationForest.fit(x, parameters: .init(nEstimators: 0), seed: 1))
        XCTAssertThrowsError(try IsolationForest.fit(x, parameters: .init(maxSamples: .fraction(1.5)), seed: 1))
        XCTAssertThrowsError(try IsolationForest.fit(x, parameters: .init(maxFeatures: .count(3)), seed: 1))
        XCTAssertThrowsError(try IsolationForest.fit(try Matrix(rows: 0, cols: 2, values: []), parameters: .init(), seed: 1)) { error in
            guard case .emptyData = error as? VigilError else { return XCTFail("\(error)") }
        }
        let forest = try IsolationForest.fit(x, parameters: .init(), seed: 1)
        XCTAssertThrowsError(try forest.rawScores(try Matrix([[1, 2, 3]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 3))
        }
    }

    func testCodableRoundTripGivesIdenticalScores() throws {
        let x = try gaussian(rows: 300, cols: 3, seed: 6)
        let forest = try IsolationForest.fit(x, parameters: .init(nEstimators: 25), seed: 5)
        let data = try JSONEncoder().encode(forest)
        let back = try JSONDecoder().decode(IsolationForest.self, from: data)
        XCTAssertEqual(back, forest)
        XCTAssertEqual(try back.rawScores(x), try forest.rawScores(x))
    }
}

/// Standard normal rows from a seeded Box–Muller, for tests.
func gaussian(rows: Int, cols: Int, seed: UInt64) throws -> Matrix {
    var g = SeededGenerator(seed: seed)
    var values = [Double]()
    values.reserveCapacity(rows * cols)
    for _ in 0..<(rows * cols) {
        let u = max(g.nextUnit(), 1e-300), v = g.nextUnit()
        values.append((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
    }
    return try Matrix(rows: rows, cols: cols, values: values)
}
