import XCTest
import Foundation
@testable import VigilCore

final class HBOSTests: XCTestCase {
    /// X = [0, 0, 1, 2, 10], 10 bins: edges 0, 1, …, 10 (width 1), bins [k, k+1), the last closed.
    /// counts [2, 1, 1, 0, 0, 0, 0, 0, 0, 1] → density = count / (5 · 1) = [0.4, 0.2, 0.2, 0 × 6, 0.2]
    /// ℓ = log2(density + 0.1) = [−1, log2 0.3 = −1.73697, −1.73697, log2 0.1 = −3.32193 × 6, −1.73697].
    /// Scores use digitize(right=True), k = #{edges < x}: x = 0 → k = 0, inside the reach → ℓ_0;
    /// x = 1 → k = 1 → ℓ_0 (the lower bin, though the histogram counted it in bin 1); x = 2 → ℓ_1;
    /// x = 10 → ℓ_9. So the training scores are −ℓ = [1, 1, 1, 1.73697, 1.73697].
    func testHandComputedOneColumn() throws {
        let x = try Matrix([[0], [0], [1], [2], [10]])
        let hbos = try HBOS.fit(x)
        let h = hbos.histograms[0]
        XCTAssertEqual(h.edges, (0...10).map(Double.init))
        XCTAssertEqual(h.density, [0.4, 0.2, 0.2, 0, 0, 0, 0, 0, 0, 0.2])
        XCTAssertEqual(h.logDensity[0], -1)
        let l03 = -log2(0.3), l01 = -log2(0.1)
        let expected = [1, 1, 1, l03, l03]
        for (s, e) in zip(try hbos.rawScores(x), expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        XCTAssertEqual(try HBOS.fitScoring(x, parameters: .init(), seed: 0).1, try hbos.rawScores(x))

        // Outside the edges, within tol · width = 0.5 the outer bin counts, beyond it min ℓ:
        // 10.4 → ℓ_9; 10.6 → min ℓ; −0.5 → ℓ_0; −0.51 → min ℓ; 5 (k = 5) → ℓ_4; 0.5 (k = 1) → ℓ_0.
        // PyOD 3.6.7 `decision_function` gives [1.73697, 3.32193, 1, 3.32193, 3.32193, 1].
        let probe = try Matrix([[10.4], [10.6], [-0.5], [-0.51], [5], [0.5]])
        let probeExpected = [l03, l01, 1, l01, l01, 1]
        for (s, e) in zip(try hbos.rawScores(probe), probeExpected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// Two features add. The second is constant 5: range [4.5, 5.5], edges 4.5, 4.6, …, 5.5 with
    /// e_5 = 5.0 exactly, so the histogram counts all five rows in bin [5.0, 5.1) (density 10), but
    /// digitize(right=True) gives k = #{edges < 5} = 5 and looks up ℓ_4 = log2(0 + 0.1): PyOD's
    /// right-closed lookup on a left-closed histogram.
    func testSecondFeatureAddsItsLogDensity() throws {
        let x = try Matrix([[0, 5], [0, 5], [1, 5], [2, 5], [10, 5]])
        let hbos = try HBOS.fit(x)
        let constant = hbos.histograms[1]
        XCTAssertEqual(constant.edges.first, 4.5)
        XCTAssertEqual(constant.edges[5], 5.0)
        XCTAssertEqual(constant.edges.last, 5.5)
        XCTAssertEqual(constant.density[5], 10, accuracy: 1e-9)
        let firstColumn = try Matrix([[0], [0], [1], [2], [10]])
        let single = try HBOS.fit(firstColumn).rawScores(firstColumn)
        let scores = try hbos.rawScores(x)
        for (s, e) in zip(scores, single) { XCTAssertEqual(s, e - log2(0.1), accuracy: 1e-12) }
    }

    /// Expected values from PyOD 3.6.7 `HBOS().fit(X).decision_scores_` (and `n_bins=3`) on this X,
    /// and `decision_function` on four new rows.
    func testMatchesPyODOnInlineData() throws {
        let x = try Matrix(ECODTests.inline)
        let pyod10 = [2.0962605415180535, 1.5851264526550661, 1.5851264526550661, 2.8950534500722327,
                      2.6920416565715777, 2.733690462133345, 2.8950534500722336, 3.5324833706875256]
        let pyod3 = [3.038966059522836, 3.038966059522836, 3.038966059522836, 3.9990166794751283,
                     4.0004919117082, 3.038966059522836, 3.9990166794751283, 4.545106288551994]
        let hbos = try HBOS.fit(x)
        for (s, e) in zip(try hbos.rawScores(x), pyod10) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        for (s, e) in zip(try HBOS.fit(x, parameters: .init(nBins: .count(3))).rawScores(x), pyod3) {
            XCTAssertEqual(s, e, accuracy: 1e-12)
        }
        let probe = try Matrix([[5.0, 10], [-2.0, 31], [1.0, 20], [3.6, 8.9]])
        let pyodNew = [4.836501267717121, 5.943416471633633, 3.39248137471267, 4.702408372129836]
        for (s, e) in zip(try hbos.rawScores(probe), pyodNew) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// PyOD 3.6.7 `HBOS(n_bins="auto")` on 400 rows built from integers (exact in both languages)
    /// picks 3 and 1 bins; scores of rows 0, 1, 2, 399 as PyOD's `decision_scores_`.
    func testAutomaticBinCountMatchesPyOD() throws {
        let rows = (0..<400).map { i -> [Double] in
            [pow(Double((i * 7919) % 1009), 2) / 1000, Double((i * 104_729) % 997) / 7]
        }
        let x = try Matrix(rows)
        let hbos = try HBOS.fit(x, parameters: .init(nBins: .auto))
        XCTAssertEqual(hbos.histograms.map(\.binCount), [3, 1])
        let scores = try hbos.rawScores(x)
        let pyod = [6.5206110910673765, 6.537209392332642, 6.534978143049035, 6.5206110910673765]
        for (r, e) in zip([0, 1, 2, 399], pyod) { XCTAssertEqual(scores[r], e, accuracy: 1e-12) }
        let defaults = [6.49680642294059, 6.532161123948137, 6.529682657664955, 6.53738523505129]
        let tenBins = try HBOS.fit(x).rawScores(x)
        for (r, e) in zip([0, 1, 2, 399], defaults) { XCTAssertEqual(tenBins[r], e, accuracy: 1e-12) }
    }

    func testParametersFollowPyODRangesAndSpelling() throws {
        XCTAssertEqual(HBOS.Parameters(), HBOS.Parameters(nBins: .count(10), alpha: 0.1, tol: 0.5))
        let x = try Matrix([[1], [2]])
        for bad in [HBOS.Parameters(nBins: .count(1)), .init(alpha: 0), .init(alpha: 1), .init(tol: 0), .init(tol: 1)] {
            XCTAssertThrowsError(try HBOS.fit(x, parameters: bad)) { error in
                guard case VigilError.invalidParameter = error else { return XCTFail("\(error)") }
            }
        }
        let encoded = try JSONEncoder().encode([HBOS.BinCount.count(7), .auto])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), "[7,\"auto\"]")
        XCTAssertEqual(try JSONDecoder().decode([HBOS.BinCount].self, from: Data("[12,\"AUTO\"]".utf8)), [.count(12), .auto])
        XCTAssertThrowsError(try JSONDecoder().decode(HBOS.BinCount.self, from: Data("\"many\"".utf8)))
    }

    func testTooNarrowARangeIsRefusedLikeNumPy() throws {
        // 1e10 and 1e10 + 2e-6 are a few ulps apart: no 10 bins of positive width (NumPy raises too).
        let x = try Matrix([[1e10], [1e10 + 2e-6]])
        XCTAssertThrowsError(try HBOS.fit(x)) { error in
            guard case VigilError.invalidParameter(let name, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "column 0 range")
        }
    }

    func testARowsScoreDoesNotDependOnTheOtherRows() throws {
        let hbos = try HBOS.fit(try ECODTests.sample(rows: 1000, cols: 3, seed: 31))
        let batch = try ECODTests.sample(rows: 3000, cols: 3, seed: 32)
        let scores = try hbos.rawScores(batch)
        for r in stride(from: 0, to: batch.rows, by: 101) {
            XCTAssertEqual(try hbos.rawScores(batch.selectingRows([r]))[0], scores[r])
        }
    }

    func testNonFiniteEmptyAndWrongWidthAreRefused() throws {
        XCTAssertThrowsError(try HBOS.fit(try Matrix([[1, 2], [3, 4], [.nan, 1]]))) { error in
            guard case VigilError.nonFinite(2, "column 0", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try HBOS.fit(try Matrix(rows: 0, cols: 1, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        let hbos = try HBOS.fit(try Matrix([[1, 2], [3, 4]]))
        XCTAssertThrowsError(try hbos.rawScores(try Matrix([[1, 2, 3]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 3))
        }
        XCTAssertThrowsError(try hbos.rawScores(try Matrix([[1, -.infinity]]))) { error in
            guard case VigilError.nonFinite(0, "column 1", _) = error else { return XCTFail("\(error)") }
        }
    }

    func testCodableRoundTripAndDeterminism() throws {
        let x = try ECODTests.sample(rows: 2000, cols: 4, seed: 41)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // key order is otherwise unspecified
        for parameters in [HBOS.Parameters(), .init(nBins: .auto, alpha: 0.2, tol: 0.3)] {
            let hbos = try HBOS.fit(x, parameters: parameters)
            let data = try encoder.encode(hbos)
            let decoded = try JSONDecoder().decode(HBOS.self, from: data)
            XCTAssertEqual(decoded, hbos)
            XCTAssertEqual(try decoded.rawScores(x), try hbos.rawScores(x))
            XCTAssertEqual(data, try encoder.encode(try HBOS.fit(x, parameters: parameters)))
        }
    }

    /// Counting the parallel chunks' histograms must not depend on how rows are split.
    func testThreadCountDoesNotChangeTheModel() throws {
        let x = try ECODTests.sample(rows: 50_000, cols: 3, seed: 51)
        let parallel = try HBOS.fit(x)
        Parallel.limitThreads(1)
        defer { Parallel.limitThreads(0) }
        XCTAssertEqual(try HBOS.fit(x), parallel)
    }
}
