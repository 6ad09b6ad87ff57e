import XCTest
import Foundation
@testable import VigilCore

final class COPODTests: XCTestCase {
    /// X = [1, 2, 3, 4, 10] (n = 5), skewness > 0 so U_skew = U_r, O = max(U_r, (U_l + U_r)/2):
    ///   U_l = [ln 5, ln 2.5, ln(5/3), ln 1.25, 0], U_r = [0, ln 1.25, ln(5/3), ln 2.5, ln 5]
    ///   row 0: max(0, ln 5 / 2) = 0.80472       row 1: max(ln 1.25, (ln 2.5 + ln 1.25)/2) = 0.56972
    ///   row 2: ln(5/3) = 0.51083                row 3: max(ln 2.5, 0.56972) = 0.91629
    ///   row 4: max(ln 5, ln 5 / 2) = 1.60944
    func testHandComputedOneColumn() throws {
        let x = try Matrix([[1], [2], [3], [4], [10]])
        let expected = [log(5.0) / 2, (log(2.5) + log(1.25)) / 2, log(5.0 / 3), log(2.5), log(5.0)]
        let (copod, training) = try COPOD.fitScoring(x)
        for (s, e) in zip(training, expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        for (s, e) in zip(try copod.rawScores(x), expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// Mirrored data (−X) has negative skewness, so U_skew = U_l and the scores mirror too.
    func testNegativeSkewUsesTheLeftTail() throws {
        let (copod, scores) = try COPOD.fitScoring(try Matrix([[-1], [-2], [-3], [-4], [-10]]))
        XCTAssertEqual(copod.distributions[0].skewSign, -1)
        let positive = try COPOD.fitScoring(try Matrix([[1], [2], [3], [4], [10]])).1
        for (s, e) in zip(scores, positive) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// X = [1, 1, 2, 3]: U_l = [ln 2, ln 2, ln(4/3), 0], U_r = [0, 0, ln 2, ln 4], skew > 0:
    /// O = [ln 2 / 2, ln 2 / 2, ln 2, ln 4] (PyOD 3.6 gives the same).
    func testTies() throws {
        let scores = try COPOD.fitScoring(try Matrix([[1], [1], [2], [3]])).1
        let expected = [log(2.0) / 2, log(2.0) / 2, log(2.0), log(4.0)]
        for (s, e) in zip(scores, expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// Expected values from PyOD 3.6.7 `COPOD().fit(X).decision_scores_` on this X.
    func testMatchesPyODOnInlineData() throws {
        let x = try Matrix(ECODTests.inline)
        let pyod = [1.2503275033780696, 1.3862943611198906, 1.1631508098056809, 2.569856168185699,
                    2.772588722239781, 1.6150849157434797, 1.8767089876257537, 2.4260151319598084]
        let (copod, training) = try COPOD.fitScoring(x)
        for (s, e) in zip(training, pyod) { XCTAssertEqual(s, e, accuracy: 1e-12) }
        for (s, e) in zip(try copod.rawScores(x), pyod) { XCTAssertEqual(s, e, accuracy: 1e-12) }
    }

    /// Outside the training range the count is raised to 1 (F ≥ 1/n). Training [1, 2, 3, 4, 10]:
    ///   x = 100 → U_l = 0, U_r = ln 5 → O = max(ln 5, ln 5 / 2) = ln 5
    ///   x = −100 → U_l = ln 5, U_r = 0 → O = max(0, ln 5 / 2) = ln 5 / 2 (right-skewed: left tail halved)
    func testValuesOutsideTheTrainingRange() throws {
        let copod = try COPOD.fit(try Matrix([[1], [2], [3], [4], [10]]))
        let scores = try copod.rawScores(try Matrix([[100], [-100]]))
        XCTAssertEqual(scores[0], log(5.0), accuracy: 1e-12)
        XCTAssertEqual(scores[1], log(5.0) / 2, accuracy: 1e-12)
    }

    func testTrainingScoresEqualScoresAfterFitBitForBit() throws {
        let x = try ECODTests.sample(rows: 3000, cols: 4, seed: 21)
        let (fitted, training) = try COPOD.fitScoring(x)
        XCTAssertEqual(training, try fitted.rawScores(x))
        XCTAssertEqual(training, try COPOD.fit(x).rawScores(x))
    }

    func testARowsScoreDoesNotDependOnTheOtherRows() throws {
        let copod = try COPOD.fit(try ECODTests.sample(rows: 400, cols: 3, seed: 3))
        let batch = try ECODTests.sample(rows: 6000, cols: 3, seed: 4)
        let batchScores = try copod.rawScores(batch)
        for r in stride(from: 0, to: batch.rows, by: 113) {
            XCTAssertEqual(try copod.rawScores(batch.selectingRows([r]))[0], batchScores[r])
        }
    }

    func testNonFiniteEmptyAndWrongWidthAreRefused() throws {
        XCTAssertThrowsError(try COPOD.fit(try Matrix([[1, 2], [3, .infinity]]))) { error in
            guard case VigilError.nonFinite(let row, let column, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(row, 1)
            XCTAssertEqual(column, "column 1")
        }
        XCTAssertThrowsError(try COPOD.fit(try Matrix(rows: 0, cols: 2, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        let copod = try COPOD.fit(try Matrix([[1, 2], [3, 4]]))
        XCTAssertThrowsError(try copod.rawScores(try Matrix([[1]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 1))
        }
        XCTAssertThrowsError(try copod.rawScores(try Matrix([[1, .nan]]))) { error in
            guard case VigilError.nonFinite(0, "column 1", _) = error else { return XCTFail("\(error)") }
        }
    }

    func testCodableRoundTripAndDeterminism() throws {
        let x = try ECODTests.sample(rows: 700, cols: 2, seed: 8)
        let copod = try COPOD.fit(x)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // key order is otherwise unspecified
        let data = try encoder.encode(copod)
        let decoded = try JSONDecoder().decode(COPOD.self, from: data)
        XCTAssertEqual(decoded, copod)
        XCTAssertEqual(try decoded.rawScores(x), try copod.rawScores(x))
        XCTAssertEqual(data, try encoder.encode(try COPOD.fit(x)))
    }
}
