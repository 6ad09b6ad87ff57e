import XCTest
import Foundation
@testable import VigilCore

final class CBLOFTests: XCTestCase {
    /// Ten rows around (0.5, 0.5) and two around (10.5, 10).
    static let twoGroups: [[Double]] = [
        [0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [0.2, 0.8], [0.8, 0.2], [0.4, 0.9], [0.9, 0.4], [0.6, 0.6],
        [10, 10], [11, 10],
    ]

    /// With n_clusters = 2 the clusters are the two groups. Sizes 10 and 2: α fails (10/12 < 0.9), β
    /// holds (10/2 ≥ 5), so the first group is large. Its mean is (0.54, 0.54): row (0, 0) scores
    /// √(2·0.54²) = 0.76368; the small group's rows score their distance to (0.54, 0.54), e.g.
    /// (10, 10) → √2 · 9.46 = 13.37846. PyOD 3.6.7 `CBLOF(n_clusters=2, random_state=0, 1, 2)` gives
    /// these `decision_scores_` and `decision_function([[5, 5], [10.5, 10]])`.
    func testTwoGroupsMatchHandAndPyOD() throws {
        let x = try Matrix(Self.twoGroups)
        let expected = [0.7636753236814711, 0.7093659140387283, 0.7093659140387276, 0.650538238691624,
                        0.05656854249492354, 0.4280186911806536, 0.4280186911806542, 0.38626415831655914,
                        0.3862641583165597, 0.08485281374238594, 13.37846030004948, 14.10330457729677]
        for seed: UInt64 in [0, 1, 2] {
            let cblof = try CBLOF.fit(x, parameters: .init(nClusters: 2), seed: seed)
            XCTAssertEqual(cblof.clusterSizes.sorted(), [2, 10])
            for (s, e) in zip(try cblof.rawScores(x), expected) { XCTAssertEqual(s, e, accuracy: 1e-12) }
            let fresh = try cblof.rawScores(try Matrix([[5, 5], [10.5, 10]]))
            XCTAssertEqual(fresh[0], 6.307392488184004, accuracy: 1e-12)
            XCTAssertEqual(fresh[1], 13.736564344842565, accuracy: 1e-12)
        }
    }

    /// `use_weights` multiplies by the cluster size: (0, 0) → 10 · 0.76368, (10, 10) → 2 · 13.37846.
    func testWeightsMultiplyByClusterSize() throws {
        let cblof = try CBLOF.fit(try Matrix(Self.twoGroups), parameters: .init(nClusters: 2, useWeights: true))
        let scores = try cblof.rawScores(try Matrix([[0, 0], [10, 10]]))
        XCTAssertEqual(scores[0], 7.636753236814711, accuracy: 1e-12)
        XCTAssertEqual(scores[1], 2 * 13.37846030004948, accuracy: 1e-12)
    }

    /// PyOD's split rule on cluster sizes (n = 100): sizes [50, 45, 3, 2] → α at 2 (95 ≥ 90), β at
    /// 2 (45/3 = 15 ≥ 5) → 2 large; [30, 30, 30, 10] → α at 3 only → 3 large; [60, 10, 10, 10, 10]
    /// → α at 4, β at 1 → no common split, α first → 4 large; [50, 50] → neither (PyOD raises) → all large.
    func testLargeSmallSplitFollowsPyOD() throws {
        XCTAssertEqual(CBLOF.largeClusters(sizes: [3, 50, 2, 45], rows: 100, alpha: 0.9, beta: 5), [false, true, false, true])
        XCTAssertEqual(CBLOF.largeClusters(sizes: [30, 30, 30, 10], rows: 100, alpha: 0.9, beta: 5), [true, true, true, false])
        XCTAssertEqual(CBLOF.largeClusters(sizes: [60, 10, 10, 10, 10], rows: 100, alpha: 0.9, beta: 5),
                       [true, true, true, true, false])
        XCTAssertEqual(CBLOF.largeClusters(sizes: [50, 50], rows: 100, alpha: 0.9, beta: 5), [true, true])
    }

    /// k-means on three separated groups finds their means whatever the seed or thread count.
    func testKMeansFindsSeparatedGroupsDeterministically() throws {
        var rows = [[Double]]()
        for (cx, cy) in [(0.0, 0.0), (20.0, 0.0), (0.0, 20.0)] {
            for i in 0..<30 { rows.append([cx + Double(i % 5) * 0.1, cy + Double(i / 5) * 0.1]) }
        }
        let x = try Matrix(rows)
        let kmeans = KMeans.fit(x, clusters: 3, seed: 11)
        var found = (0..<3).map { [kmeans.centers[$0 * 2], kmeans.centers[$0 * 2 + 1]] }
        found.sort { ($0[0], $0[1]) < ($1[0], $1[1]) }
        let expected = [[0.2, 0.25], [0.2, 20.25], [20.2, 0.25]]
        for (f, e) in zip(found, expected) {
            XCTAssertEqual(f[0], e[0], accuracy: 1e-12)
            XCTAssertEqual(f[1], e[1], accuracy: 1e-12)
        }
        let big = try ECODTests.sample(rows: 9000, cols: 3, seed: 3)
        let parallel = KMeans.fit(big, clusters: 8, seed: 4)
        Parallel.limitThreads(1)
        defer { Parallel.limitThreads(0) }
        XCTAssertEqual(KMeans.fit(big, clusters: 8, seed: 4), parallel)
    }

    func testDeterministicAndRoundTripsThroughTheModelPayload() throws {
        let x = try ECODTests.sample(rows: 600, cols: 3, seed: 8)
        let cblof = try CBLOF.fit(x, seed: 5)
        XCTAssertEqual(try CBLOF.fit(x, seed: 5), cblof)
        let decoded = try JSONDecoder().decode(AnyDetector.self, from: try JSONEncoder().encode(AnyDetector.cblof(cblof)))
        XCTAssertEqual(decoded, .cblof(cblof))
        XCTAssertEqual(try decoded.rawScores(x), try cblof.rawScores(x))
    }

    func testBadInputIsRefused() throws {
        XCTAssertThrowsError(try CBLOF.fit(try Matrix([[1, 2], [2, 3], [3, 4]]))) { error in
            guard case VigilError.invalidParameter("n_clusters", "8", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CBLOF.fit(try Matrix(rows: 0, cols: 2, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CBLOF.fit(try Matrix(Self.twoGroups + [[.nan, 1]]), parameters: .init(nClusters: 2))) { error in
            guard case VigilError.nonFinite(12, "column 0", _) = error else { return XCTFail("\(error)") }
        }
        for bad in [CBLOF.Parameters(nClusters: 1), .init(alpha: 1), .init(beta: 1)] {
            XCTAssertThrowsError(try bad.validate())
        }
        let cblof = try CBLOF.fit(try Matrix(Self.twoGroups), parameters: .init(nClusters: 2))
        XCTAssertThrowsError(try cblof.rawScores(try Matrix([[1, 2, 3]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 3))
        }
    }
}
