import XCTest
import Foundation
@testable import VigilCore

final class KNNTests: XCTestCase {
    /// Training 0, 1, 3, 6, 10 (one column), k = 2, each row against the others:
    ///   0 → {1, 3}   1 → {1, 2}   3 → {2, 3}   6 → {3, 4}   10 → {4, 7}
    /// largest = [3, 2, 3, 4, 7], mean = [2, 1.5, 2.5, 3.5, 5.5] (PyOD 3.6 `KNN(n_neighbors=2)`
    /// `decision_scores_` gives the same).
    func testHandComputedTrainingScores() throws {
        let x = try Matrix([[0], [1], [3], [6], [10]])
        let largest = try KNN.fitScoring(x, parameters: .init(nNeighbors: 2)).1
        XCTAssertEqual(largest, [3, 2, 3, 4, 7])
        let mean = try KNN.fitScoring(x, parameters: .init(nNeighbors: 2, method: .mean)).1
        XCTAssertEqual(mean, [2, 1.5, 2.5, 3.5, 5.5])
        // k = 3, median = the middle distance: 0 → {1,3,6}, 1 → {1,2,5}, 3 → {2,3,3}, 6 → {3,4,5}, 10 → {4,7,9}
        let median = try KNN.fitScoring(x, parameters: .init(nNeighbors: 3, method: .median)).1
        XCTAssertEqual(median, [3, 2, 3, 4, 7])
        // k = 2 median = mean of the two.
        XCTAssertEqual(try KNN.fitScoring(x, parameters: .init(nNeighbors: 2, method: .median)).1, mean)
    }

    /// New rows are scored against every training row, a copy of a training row included
    /// (PyOD's `decision_function`): 2 → {1, 1}, 3 → {0, 2}, 20 → {10, 14}.
    func testNewRowsAgainstAllTrainingRows() throws {
        let knn = try KNN.fit(try Matrix([[0], [1], [3], [6], [10]]), parameters: .init(nNeighbors: 2))
        XCTAssertEqual(try knn.rawScores(try Matrix([[2], [3], [20]])), [1, 2, 14])
    }

    /// Euclidean in two dimensions: the 3-4-5 triangle.
    func testEuclideanDistance() throws {
        let x = try Matrix([[0, 0], [3, 4], [6, 8]])
        XCTAssertEqual(try KNN.fitScoring(x, parameters: .init(nNeighbors: 1)).1, [5, 5, 5])
        XCTAssertEqual(try KNN.fitScoring(x, parameters: .init(nNeighbors: 2)).1, [10, 5, 10])
    }

    /// The k-d tree (few features) and the scan (many) give the distances a plain double loop gives,
    /// with and without the row itself, duplicates included.
    func testIndexMatchesExhaustiveSearch() throws {
        for cols in [3, 30] {
            var g = SeededGenerator(seed: UInt64(cols))
            var values = (0..<(400 * cols)).map { _ in (g.nextUnit() * 8).rounded() }
            for c in 0..<cols { values[cols + c] = values[c] }  // row 1 duplicates row 0
            let x = try Matrix(rows: 400, cols: cols, values: values)
            let index = NearestNeighbourIndex(x)
            for excluding in [true, false] {
                let table = index.neighbours(of: x, k: 7, excludingSelf: excluding)
                for r in stride(from: 0, to: 400, by: 13) {
                    var all = [Double]()
                    for t in 0..<400 where !(excluding && t == r) {
                        var s = 0.0
                        for c in 0..<cols { let d = x[r, c] - x[t, c]; s += d * d }
                        all.append(s.squareRoot())
                    }
                    all.sort()
                    XCTAssertEqual(Array(table.distances[(r * 7)..<(r * 7 + 7)]), Array(all.prefix(7)), "cols \(cols) row \(r)")
                }
            }
        }
    }

    func testDeterministicAndThreadIndependent() throws {
        var g = SeededGenerator(seed: 5)
        let x = try Matrix(rows: 500, cols: 4, values: (0..<2000).map { _ in g.nextUnit() })
        let a = try KNN.fitScoring(x).1
        Parallel.limitThreads(1)
        defer { Parallel.limitThreads(0) }
        XCTAssertEqual(try KNN.fitScoring(x).1, a)
    }

    func testModelRoundTrip() throws {
        let x = try Matrix([[0, 1], [1, 1], [3, 2], [6, 0], [10, 5], [2, 2]])
        let (knn, _) = try KNN.fitScoring(x, parameters: .init(nNeighbors: 3, method: .mean))
        let data = try JSONEncoder().encode(AnyDetector.knn(knn))
        let back = try JSONDecoder().decode(AnyDetector.self, from: data)
        XCTAssertEqual(back, .knn(knn))
        let probe = try Matrix([[4, 4], [0, 0]])
        XCTAssertEqual(try back.rawScores(probe), try knn.rawScores(probe))
    }

    func testBadInput() throws {
        let x = try Matrix([[0], [1], [2]])
        XCTAssertThrowsError(try KNN.fit(x, parameters: .init(nNeighbors: 3))) { error in
            guard case .invalidParameter(let name, _, _) = error as? VigilError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "n_neighbors")
        }
        XCTAssertThrowsError(try KNN.fit(x, parameters: .init(nNeighbors: 0)))
        XCTAssertThrowsError(try KNN.fit(try Matrix(rows: 0, cols: 2, values: []))) { error in
            guard case .emptyData = error as? VigilError else { return XCTFail("\(error)") }
        }
        let withNaN = try Matrix([[0, 1], [1, .nan], [2, 3], [4, 4], [5, 5], [6, 6], [7, 7]])
        XCTAssertThrowsError(try KNN.fit(withNaN)) { error in
            guard case .nonFinite(let row, let column, _) = error as? VigilError else { return XCTFail("\(error)") }
            XCTAssertEqual(row, 1)
            XCTAssertEqual(column, "column 1")
        }
        let knn = try KNN.fit(try Matrix([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]))
        XCTAssertThrowsError(try knn.rawScores(try Matrix([[.infinity, 0]])))
        XCTAssertThrowsError(try knn.rawScores(try Matrix([[0, 0, 0]])))
    }
}
