import XCTest
import Foundation
@testable import VigilCore

final class LODATests: XCTestCase {
    /// NumPy 2.4: `np.histogram([3, -1, 2.5, 0, 7, 7, 1], bins=4)` → counts [2, 2, 1, 2], edges
    /// [-1, 1, 3, 5, 7] (the maximum falls in the last, closed bin); a constant input is widened by 0.5.
    func testHistogramMatchesNumPy() {
        let (edges, counts) = LODA.histogram([3, -1, 2.5, 0, 7, 7, 1], bins: 4)
        XCTAssertEqual(edges, [-1, 1, 3, 5, 7])
        XCTAssertEqual(counts, [2, 2, 1, 2])
        let constant = LODA.histogram([2, 2, 2], bins: 2)
        XCTAssertEqual(constant.edges, [1.5, 2, 2.5])
        XCTAssertEqual(constant.counts, [0, 3])
    }

    /// One column, one cut, two bins, X = [0, 1, 2, 3, 10]; the projection is w·x with w ≠ 0.
    /// w > 0: edges [0, 5w, 10w], counts [4, 1]; PyOD's bin index is #{edges[0..<1] < w·x}, so x = 0
    /// reads bin 0 (p = 4/5) and every other row bin 1 (p = 1/5).
    /// w < 0: edges [10w, 5w, 0], counts [1, 4]; x = 10 reads bin 0 (p = 1/5), the others bin 1 (4/5),
    /// which here is their own bin.
    /// Score = −ln p (R = 1); the 10⁻¹² smoothing moves these by < 10⁻¹¹.
    func testOneCutByHand() throws {
        let x = try Matrix([[0], [1], [2], [3], [10]])
        for seed: UInt64 in 0..<6 {
            let loda = try LODA.fit(x, parameters: .init(nBins: 2, nRandomCuts: 1), seed: seed)
            let w = loda.projections[0]
            XCTAssertNotEqual(w, 0)
            let low = -log(0.8), high = -log(0.2)
            let expected = w > 0 ? [low, high, high, high, high] : [low, low, low, low, high]
            for (s, e) in zip(try loda.rawScores(x), expected) { XCTAssertEqual(s, e, accuracy: 1e-10) }
        }
    }

    /// The O(1) bin lookup equals PyOD's `searchsorted(edges[:bins − 1], p, "left")` (a count of
    /// the first bins − 1 edges strictly below p), on, between and outside the edges.
    func testBinLookupEqualsSearchsorted() {
        let edges: [Double] = [-1, 1, 3, 5, 7]
        let probes: [Double] = [-5, -1, -0.5, 0.999, 1, 1.0000001, 2, 3, 4.5, 5, 6, 7, 9]
        edges.withUnsafeBufferPointer { e in
            for p in probes {
                let expected = edges.prefix(3).filter { $0 < p }.count
                XCTAssertEqual(LODA.edgesBelow(p, edges: e.baseAddress!, bins: 4, binsPerUnit: 0.5), expected, "p = \(p)")
            }
        }
    }

    /// ⌊√d⌋ non-zero weights per projection (d = 10 → 3), as PyOD.
    func testProjectionsAreSparseLikePyOD() throws {
        let x = try ECODTests.sample(rows: 200, cols: 10, seed: 2)
        let loda = try LODA.fit(x, seed: 9)
        for i in 0..<100 {
            XCTAssertEqual(loda.projections[(i * 10)..<((i + 1) * 10)].filter { $0 != 0 }.count, 3)
        }
    }

    func testDeterministicAndRoundTripsThroughTheModelPayload() throws {
        let x = try ECODTests.sample(rows: 500, cols: 5, seed: 6)
        let loda = try LODA.fit(x, seed: 21)
        XCTAssertEqual(try LODA.fit(x, seed: 21), loda)
        XCTAssertNotEqual(try LODA.fit(x, seed: 22), loda)
        let decoded = try JSONDecoder().decode(AnyDetector.self, from: try JSONEncoder().encode(AnyDetector.loda(loda)))
        XCTAssertEqual(decoded, .loda(loda))
        XCTAssertEqual(try decoded.rawScores(x), try loda.rawScores(x))
    }

    func testBadInputIsRefused() throws {
        XCTAssertThrowsError(try LODA.fit(try Matrix(rows: 0, cols: 2, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try LODA.fit(try Matrix([[1, 2], [.infinity, 3]]))) { error in
            guard case VigilError.nonFinite(1, "column 0", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try LODA.fit(try Matrix([[1], [2]]), parameters: .init(nBins: 0))) { error in
            guard case VigilError.invalidParameter("n_bins", "0", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try LODA.fit(try Matrix([[1], [2]]), parameters: .init(nRandomCuts: 0))) { error in
            guard case VigilError.invalidParameter("n_random_cuts", "0", _) = error else { return XCTFail("\(error)") }
        }
        let loda = try LODA.fit(try Matrix([[1, 2], [2, 1], [3, 3]]))
        XCTAssertThrowsError(try loda.rawScores(try Matrix([[1]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 1))
        }
    }
}
