import XCTest
import Foundation
@testable import VigilCore

final class ECODTests: XCTestCase {
    /// X = [1, 2, 3, 4, 10], one column, n = 5.
    /// F_left  = #{≤ x}/5 = [0.2, 0.4, 0.6, 0.8, 1.0] → U_l = [ln 5, ln 2.5, ln(5/3), ln 1.25, 0]
    /// F_right = #{≥ x}/5 = [1.0, 0.8, 0.6, 0.4, 0.2] → U_r = [0, ln 1.25, ln(5/3), ln 2.5, ln 5]
    /// mean 4, deviations −3, −2, −1, 0, 6: m3 = (−27 − 8 − 1 + 0 + 216)/5 = 36 > 0, so U_skew = U_r
    /// and O = max(U_l, U_r, U_r) = [ln 5, ln 2.5, ln(5/3), ln 2.5, ln 5].
    func testHandComputedOneColumn() throws {
        let x = try Matrix([[1], [2], [3], [4], [10]])
        let expected = [log(5.0), log(2.5), log(5.0 / 3), log(2.5), log(5.0)]
        let (ecod, training) = try ECOD.fitScoring(x)
        XCTAssertEqual(ecod.distributions[0].skewSign, 1)
        XCTAssertEqual(ecod.distributions[0].values, [1, 2, 3, 4, 10])
        XCTAssertEqual(ecod.distributions[0].countAtMost, [1, 2, 3, 4, 5])
        for (s, e) in zip(training, expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        for (s, e) in zip(try ecod.rawScores(x), expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// X = [1, 1, 2, 3]: F_left = [0.5, 0.5, 0.75, 1], F_right = [1, 1, 0.5, 0.25] (ties share the
    /// count), skew > 0, O = max(U_l, U_r) = [ln 2, ln 2, ln 2, ln 4]; PyOD 3.6 gives the same.
    func testTiesShareTheirCount() throws {
        let x = try Matrix([[1], [1], [2], [3]])
        let (ecod, scores) = try ECOD.fitScoring(x)
        XCTAssertEqual(ecod.distributions[0].countAtMost, [2, 3, 4])
        XCTAssertEqual(ecod.distributions[0].tailCounts(1).atMost, 2)
        XCTAssertEqual(ecod.distributions[0].tailCounts(1).atLeast, 4)
        let expected = [log(2.0), log(2.0), log(2.0), log(4.0)]
        for (s, e) in zip(scores, expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// A constant column has SciPy skewness NaN → 0, so O = U_l + U_r = −ln 1 − ln 1 = 0.
    func testConstantColumnAddsNothing() throws {
        let x = try Matrix([[1, 5], [2, 5], [3, 5], [4, 5], [10, 5]])
        let (ecod, scores) = try ECOD.fitScoring(x)
        XCTAssertEqual(ecod.distributions[1].skewness, 0)
        XCTAssertEqual(ecod.distributions[1].skewSign, 0)
        let oneColumn = try ECOD.fitScoring(try Matrix([[1], [2], [3], [4], [10]])).1
        XCTAssertEqual(scores, oneColumn)
    }

    /// Expected values from PyOD 3.6.7 `ECOD().fit(X).decision_scores_` on this X
    /// (SciPy skewness of the columns: 0.1934, 2.0529).
    func testMatchesPyODOnInlineData() throws {
        let x = try Matrix(Self.inline)
        let pyod = [2.367123614131617, 1.3862943611198906, 1.3862943611198906, 3.060270794691562,
                    2.772588722239781, 1.9616585060234524, 2.367123614131617, 3.465735902799726]
        let (ecod, training) = try ECOD.fitScoring(x)
        for (s, e) in zip(training, pyod) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        for (s, e) in zip(try ecod.rawScores(x), pyod) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        XCTAssertEqual(ecod.distributions[0].skewness, 0.1934003081892144, accuracy: 1e-12)
        XCTAssertEqual(ecod.distributions[1].skewness, 2.052933047705048, accuracy: 1e-12)
    }

    /// New values are searched in the training column; outside the range the count is raised to 1.
    /// Training [1, 2, 3, 4, 10] (n = 5):
    ///   x = 2.5 → #{≤} = 2, #{≥} = 3 → U_l = ln 2.5, U_r = ln(5/3) → O = ln 2.5
    ///   x = −100 → #{≤} = 0 → 1, #{≥} = 5 → U_l = ln 5, U_r = 0 → O = ln 5
    ///   x = 100 → #{≤} = 5, #{≥} = 0 → 1 → O = ln 5
    ///   x = 4 → #{≤} = 4, #{≥} = 2 → O = max(ln 1.25, ln 2.5) = ln 2.5
    func testNewValuesAreScoredAgainstTheTrainingColumn() throws {
        let ecod = try ECOD.fit(try Matrix([[1], [2], [3], [4], [10]]))
        let scores = try ecod.rawScores(try Matrix([[2.5], [-100], [100], [4]]))
        let expected = [log(2.5), log(5.0), log(5.0), log(2.5)]
        for (s, e) in zip(scores, expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        let probabilities = ecod.distributions[0].tailProbabilities(-100)
        XCTAssertEqual(probabilities.left, 0.2)
        XCTAssertEqual(probabilities.right, 1.0)
    }

    func testTrainingScoresEqualScoresAfterFitBitForBit() throws {
        let x = try Self.sample(rows: 3000, cols: 4, seed: 11)
        let (fitted, training) = try ECOD.fitScoring(x)
        XCTAssertEqual(training, try fitted.rawScores(x))
        XCTAssertEqual(training, try ECOD.fit(x).rawScores(x))
    }

    func testARowsScoreDoesNotDependOnTheOtherRows() throws {
        let ecod = try ECOD.fit(try Self.sample(rows: 500, cols: 3, seed: 1))
        // 5000 rows take the sort-and-merge path, one row the search path: same values.
        let batch = try Self.sample(rows: 5000, cols: 3, seed: 2)
        let batchScores = try ecod.rawScores(batch)
        for r in stride(from: 0, to: batch.rows, by: 97) {
            XCTAssertEqual(try ecod.rawScores(batch.selectingRows([r]))[0], batchScores[r])
        }
        let small = batch.selectingRows(Array(0..<50))
        XCTAssertEqual(try ecod.rawScores(small), Array(batchScores[0..<50]))
        XCTAssertEqual(try ecod.rawScores(batch.selectingRows(Array((0..<50).reversed()))),
                       Array(batchScores[0..<50].reversed()))
    }

    func testNonFiniteValuesAreRefusedNamingRowAndColumn() throws {
        var rows = [[Double]](repeating: [1, 2], count: 4)
        rows[2][1] = .nan
        XCTAssertThrowsError(try ECOD.fit(try Matrix(rows))) { error in
            guard case VigilError.nonFinite(let row, let column, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(row, 2)
            XCTAssertEqual(column, "column 1")
        }
        let ecod = try ECOD.fit(try Matrix([[1, 2], [3, 4]]))
        XCTAssertThrowsError(try ecod.rawScores(try Matrix([[1, 2], [-Double.infinity, 0]]))) { error in
            guard case VigilError.nonFinite(let row, let column, let value) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(row, 1)
            XCTAssertEqual(column, "column 0")
            XCTAssertEqual(value, -.infinity)
        }
    }

    func testEmptyDataIsRefused() throws {
        XCTAssertThrowsError(try ECOD.fit(try Matrix(rows: 0, cols: 3, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ECOD.fitScoring(try Matrix(rows: 4, cols: 0, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
    }

    func testWrongFeatureCountIsRefused() throws {
        let ecod = try ECOD.fit(try Matrix([[1, 2], [3, 4]]))
        XCTAssertThrowsError(try ecod.rawScores(try Matrix([[1, 2, 3]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 3))
        }
        XCTAssertEqual(try ecod.rawScores(try Matrix(rows: 0, cols: 2, values: [])), [])
    }

    func testCodableRoundTripGivesIdenticalScores() throws {
        let x = try Self.sample(rows: 800, cols: 3, seed: 5)
        let ecod = try ECOD.fit(x)
        let data = try JSONEncoder().encode(ecod)
        let decoded = try JSONDecoder().decode(ECOD.self, from: data)
        XCTAssertEqual(decoded, ecod)
        let probe = try Self.sample(rows: 300, cols: 3, seed: 6)
        XCTAssertEqual(try decoded.rawScores(probe), try ecod.rawScores(probe))
        XCTAssertEqual(try decoded.rawScores(x), try ecod.rawScores(x))
    }

    func testInconsistentModelIsRefusedWhenDecoding() throws {
        let ecod = try ECOD.fit(try Matrix([[1], [2], [3]]))
        var json = String(decoding: try JSONEncoder().encode(ecod), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"sampleCount\":3", with: "\"sampleCount\":4")
        XCTAssertThrowsError(try JSONDecoder().decode(ECOD.self, from: Data(json.utf8)))
    }

    func testSameDataGivesTheSameModel() throws {
        let x = try Self.sample(rows: 2000, cols: 5, seed: 9)
        let a = try ECOD.fit(x), b = try ECOD.fit(x)
        XCTAssertEqual(a, b)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // key order is otherwise unspecified
        XCTAssertEqual(try encoder.encode(a), try encoder.encode(b))
        XCTAssertEqual(try ECOD.fitScoring(x).1, try ECOD.fitScoring(x).1)
    }

    /// 8 × 2 with ties in both columns, shared with the COPOD and HBOS tests.
    static let inline: [[Double]] = [[0.5, 10], [1.2, 12], [0.9, 11], [3.4, 10],
                                     [1.2, 30], [0.7, 13], [2.2, 10], [-1.0, 14]]

    /// Skewed, tied and negative values: exp of a uniform, rounded, with a sign.
    static func sample(rows: Int, cols: Int, seed: UInt64) throws -> Matrix {
        var g = SeededGenerator(seed: seed)
        var values = [Double]()
        for i in 0..<(rows * cols) {
            let u = Double(g.next() >> 11) / Double(1 << 53)
            let v = exp(4 * u) - 3
            values.append(i % cols == 0 ? (v * 4).rounded() / 4 : v)
        }
        return try Matrix(rows: rows, cols: cols, values: values)
    }
}
