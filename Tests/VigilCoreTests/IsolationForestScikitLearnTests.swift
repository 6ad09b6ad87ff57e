import XCTest
@testable import VigilCore

/// Vigil's Isolation Forest against scikit-learn 1.9.1 fitted with the same `random_state`: the
/// pinned `-score_samples` values come from `bench/iforest_fixtures.py`.
final class IsolationForestScikitLearnTests: XCTestCase {
    typealias Fixture = IsolationForestScikitLearnFixtures.Case

    /// X of a fixture, rebuilt exactly as `bench/iforest_fixtures.py` builds it.
    static func matrix(_ c: Fixture) throws -> Matrix {
        var rs = LegacyRandomState(seed: c.dataSeed)
        var x = (0..<(c.rows * c.cols)).map { _ in
            let u = rs.randomSample()
            return c.quantize > 0 ? (u * c.quantize).rounded(.down) : u * 10.0 - 5.0
        }
        for i in 0..<c.rows {
            for j in c.constant { x[i * c.cols + j] = 3.5 }
            for j in c.nearConstant { x[i * c.cols + j] = i % 2 == 0 ? 1.0 : Double(Float(1).nextUp) }
        }
        if c.repeatFrom > 0 {
            for i in c.repeatFrom..<c.rows {
                for j in 0..<c.cols { x[i * c.cols + j] = x[(i % c.repeatFrom) * c.cols + j] }
            }
        }
        if c.nanEvery > 0 {
            for t in stride(from: 0, to: x.count, by: c.nanEvery) { x[t] = .nan }
        }
        return try Matrix(rows: c.rows, cols: c.cols, values: x)
    }

    func check(_ name: String) throws {
        let c = try XCTUnwrap(IsolationForestScikitLearnFixtures.cases.first { $0.name == name })
        let x = try Self.matrix(c)
        let forest = try IsolationForest.fit(x, parameters: c.parameters, seed: c.seed)
        XCTAssertEqual(forest.sampleSize, c.sampleSize)
        let scores = try forest.rawScores(x.selectingRows(c.pinnedRows))
        XCTAssertEqual(scores.count, c.scores.count)
        var worst = 0.0
        for (ours, theirs) in zip(scores, c.scores) { worst = max(worst, abs(ours - theirs) / theirs) }
        XCTAssertLessThanOrEqual(worst, 1e-12, "\(name): largest relative difference \(worst)")
    }

    func testSmallDataSetWholeSampleMatchesScikitLearn() throws { try check("small") }
    func testNaNConstantAndFloat32NearConstantColumnsMatchScikitLearn() throws { try check("nanAndConstants") }
    func testDuplicateRowsAndReservoirSamplingMatchScikitLearn() throws { try check("duplicates") }
    func testFeatureSubsetsAndFractionalSampleSizeMatchScikitLearn() throws { try check("maxFeatures") }
    func testBootstrapWithNaNAndTheLargestSeedMatchesScikitLearn() throws { try check("bootstrap") }
    func testBootstrapWithFeatureSubsetsMatchesScikitLearn() throws { try check("bootstrapMaxFeatures") }
    func testTwoRowsMatchScikitLearn() throws { try check("tiny") }
    func testTrackingSelectionOnManyRowsMatchesScikitLearn() throws { try check("large") }

    func testThreadCountDoesNotChangeTheForest() throws {
        let c = try XCTUnwrap(IsolationForestScikitLearnFixtures.cases.first { $0.name == "nanAndConstants" })
        let x = try Self.matrix(c)
        let parallel = try IsolationForest.fit(x, parameters: c.parameters, seed: c.seed)
        Parallel.limitThreads(1)
        defer { Parallel.limitThreads(0) }
        let serial = try IsolationForest.fit(x, parameters: c.parameters, seed: c.seed)
        XCTAssertEqual(parallel, serial)
    }

    func testTreeSeedsComeFromAFreshStateNotAfterTheDummyTarget() {
        // IsolationForest(n_estimators=5, random_state=7).fit(X of 300 rows)._seeds in scikit-learn 1.9.1.
        let draws = ForestDraws(seed: 7, rows: 300, trees: 5)
        XCTAssertEqual(draws.treeSeeds, [327_741_615, 976_413_892, 1_202_242_073, 1_369_975_286, 1_882_953_283])
        // numpy.random.RandomState(7).uniform(size=3): the dummy target of the first three rows.
        XCTAssertEqual(Array(draws.targets.prefix(3)), [0.07630828937395717, 0.7799187922401146, 0.4384092314408935])
    }

    func testSeedsBeyondNumPysRangeAreRefused() throws {
        let x = try Matrix([[1], [2], [3]])
        XCTAssertThrowsError(try IsolationForest.fit(x, parameters: .init(), seed: 1 << 32)) { error in
            guard case .invalidParameter(let name, let value, _) = error as? VigilError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "seed")
            XCTAssertEqual(value, "4294967296")
        }
    }
}
