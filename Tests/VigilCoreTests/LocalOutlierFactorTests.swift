import XCTest
import Foundation
@testable import VigilCore

final class LocalOutlierFactorTests: XCTestCase {
    /// Training 0, 1, 2, 10 with k = 1. Nearest other row: 0 → 1, 1 → 0 or 2 (both at 1), 2 → 1,
    /// 10 → 2 (at 8); k-dist = [1, 1, 1, 8]; reach = max(k-dist(o), d) gives lrd = [1, 1, 1, 1/8];
    /// LOF = lrd(neighbour)/lrd(row) = [1, 1, 1, 8].
    /// New rows: 5 → neighbour 2 at 3, reach max(1, 3) = 3, lrd 1/3, LOF 3; 0.5 → neighbour at 0.5,
    /// reach max(1, 0.5) = 1, LOF 1.
    func testHandComputed() throws {
        let (lof, training) = try LocalOutlierFactor.fitScoring(try Matrix([[0], [1], [2], [10]]), parameters: .init(nNeighbors: 1))
        for (s, e) in zip(training, [1.0, 1, 1, 8]) { XCTAssertEqual(s, e, accuracy: 1e-8) }
        XCTAssertEqual(lof.kDistances, [1, 1, 1, 8])
        for (s, e) in zip(try lof.rawScores(try Matrix([[5], [0.5]])), [3.0, 1]) { XCTAssertEqual(s, e, accuracy: 1e-8) }
    }

    /// Pinned from PyOD 3.6.7 (scikit-learn 1.9.1): `LOF(n_neighbors=3).fit(X).decision_scores_` and
    /// `decision_function([[2,2],[0,0],[10,10]])` on this X.
    func testMatchesPyOD() throws {
        let x = try Matrix([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [3, 3], [3, 4], [4, 3], [8, 0], [2, 1]])
        let pyod = [0.9674563090239818, 0.9674563090239818, 0.9674563090239818, 0.9674563090239818, 1.1081941875423977,
                    1.353028548673014, 1.353028548673014, 1.353028548673014, 2.781739467199897, 1.4278449987940771]
        let (lof, training) = try LocalOutlierFactor.fitScoring(x, parameters: .init(nNeighbors: 3))
        for (s, e) in zip(training, pyod) { XCTAssertEqual(s, e, accuracy: 1e-9) }
        let newRows = try lof.rawScores(try Matrix([[2, 2], [0, 0], [10, 10]]))
        for (s, e) in zip(newRows, [1.2925849669585248, 0.9674563090239818, 3.444678085668595]) {
            XCTAssertEqual(s, e, accuracy: 1e-9)
        }
    }

    func testDeterministicAndModelRoundTrip() throws {
        var g = SeededGenerator(seed: 8)
        let x = try Matrix(rows: 300, cols: 3, values: (0..<900).map { _ in g.nextUnit() })
        let (lof, scores) = try LocalOutlierFactor.fitScoring(x)
        XCTAssertEqual(try LocalOutlierFactor.fitScoring(x).1, scores)
        let back = try JSONDecoder().decode(AnyDetector.self, from: try JSONEncoder().encode(AnyDetector.localOutlierFactor(lof)))
        XCTAssertEqual(back, .localOutlierFactor(lof))
        let probe = try Matrix([[0.5, 0.5, 0.5], [2, 2, 2]])
        XCTAssertEqual(try back.rawScores(probe), try lof.rawScores(probe))
    }

    func testBadInput() throws {
        let x = try Matrix((0..<20).map { [Double($0)] })
        XCTAssertThrowsError(try LocalOutlierFactor.fit(x)) { error in  // default k = 20 needs 21 rows
            guard case .invalidParameter(let name, let value, _) = error as? VigilError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "n_neighbors")
            XCTAssertEqual(value, "20")
        }
        XCTAssertNoThrow(try LocalOutlierFactor.fit(x, parameters: .init(nNeighbors: 19)))
        XCTAssertThrowsError(try LocalOutlierFactor.fit(try Matrix(rows: 0, cols: 1, values: [])))
        XCTAssertThrowsError(try LocalOutlierFactor.fit(try Matrix([[1], [.infinity], [2]]), parameters: .init(nNeighbors: 1)))
        let lof = try LocalOutlierFactor.fit(x, parameters: .init(nNeighbors: 5))
        XCTAssertThrowsError(try lof.rawScores(try Matrix([[.nan]])))
    }
}
