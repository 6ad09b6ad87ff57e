import XCTest
import Foundation
@testable import VigilCore

final class EnsembleTests: XCTestCase {
    /// Mean combination = the mean over members of (s_i − μ_i)/σ_i, with μ_i, σ_i the member's own
    /// training mean and population standard deviation: checked against ECOD and HBOS fitted alone.
    func testMeanOfStandardisedMemberScores() throws {
        let x = try ECODTests.sample(rows: 400, cols: 3, seed: 12)
        let parameters = Ensemble.Parameters(members: [.ecod(.init()), .hbos(.init())])
        let (ensemble, training) = try Ensemble.fitScoring(x, parameters: parameters, seed: 1)
        let ecod = try ECOD.fitScoring(x, parameters: .init(), seed: 0).1
        let hbos = try HBOS.fitScoring(x, parameters: .init(), seed: 0).1
        let z = [ecod, hbos].map { s in
            s.map { ($0 - Statistics.mean(s)) / Statistics.populationStd(s) }
        }
        for r in 0..<x.rows { XCTAssertEqual(training[r], (z[0][r] + z[1][r]) / 2, accuracy: 1e-12) }
        XCTAssertEqual(try ensemble.rawScores(x), training)
        XCTAssertEqual(Statistics.mean(training), 0, accuracy: 1e-12)
    }

    /// z-scores of one row from four members: [1, −2, 3, 0.5]. max → 3; aom with 2 buckets →
    /// (max(1, −2) + max(3, 0.5)) / 2 = 2; aom with 3 buckets (groups [1], [−2], [3, 0.5]) →
    /// (1 − 2 + 3)/3; mean → 0.625.
    func testCombinationsByHand() throws {
        let scores: [[Double]] = [[1], [-2], [3], [0.5]]
        func combined(_ c: Ensemble.Combination, buckets: Int = 5) -> Double {
            let p = Ensemble.Parameters(members: Array(repeating: .ecod(.init()), count: 4), combination: c, nBuckets: buckets)
            let e = Ensemble(parameters: p, featureCount: 1, members: [], scoreMeans: [0, 0, 0, 0], scoreScales: [1, 1, 1, 1])
            return e.combine(scores, rows: 1)[0]
        }
        XCTAssertEqual(combined(.mean), 0.625)
        XCTAssertEqual(combined(.max), 3)
        XCTAssertEqual(combined(.aom, buckets: 2), 2)
        XCTAssertEqual(combined(.aom, buckets: 3), 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(combined(.aom, buckets: 9), 0.625)
    }

    func testDeterministicAndRoundTripsThroughTheModelPayload() throws {
        let x = try ECODTests.sample(rows: 500, cols: 3, seed: 13)
        let parameters = Ensemble.Parameters(members: [.isolationForest(.init(nEstimators: 20)), .loda(.init()), .pca(.init())],
                                             combination: .aom, nBuckets: 2)
        let ensemble = try Ensemble.fit(x, parameters: parameters, seed: 3)
        XCTAssertEqual(try Ensemble.fit(x, parameters: parameters, seed: 3), ensemble)
        let encoded = try JSONEncoder().encode(AnyDetector.suod(ensemble))
        let decoded = try JSONDecoder().decode(AnyDetector.self, from: encoded)
        XCTAssertEqual(decoded, .suod(ensemble))
        XCTAssertEqual(try decoded.rawScores(x), try ensemble.rawScores(x))
        let settings = try JSONDecoder().decode(DetectorSettings.self, from: try JSONEncoder().encode(DetectorSettings.suod(parameters)))
        XCTAssertEqual(settings, .suod(parameters))
    }

    func testBadInputIsRefused() throws {
        let x = try ECODTests.sample(rows: 50, cols: 2, seed: 14)
        XCTAssertThrowsError(try Ensemble.fit(x, parameters: .init(members: []))) { error in
            guard case VigilError.invalidParameter("base_estimators", _, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Ensemble.fit(x, parameters: .init(members: [.suod(.init())]))) { error in
            guard case VigilError.invalidParameter("base_estimators", "suod", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Ensemble.fit(x, parameters: .init(members: [.cblof(.init(nClusters: 1))]))) { error in
            guard case VigilError.invalidParameter("n_clusters", "1", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Ensemble.fit(x, parameters: .init(nBuckets: 0))) { error in
            guard case VigilError.invalidParameter("n_buckets", "0", _) = error else { return XCTFail("\(error)") }
        }
        // A member's own row requirement surfaces with its parameter name.
        XCTAssertThrowsError(try Ensemble.fit(try Matrix([[1, 2], [3, 4]]), parameters: .init(members: [.cblof(.init())]))) { error in
            guard case VigilError.invalidParameter("n_clusters", "8", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Ensemble.fit(try Matrix([[1, .nan]]))) { error in
            guard case VigilError.nonFinite(0, "column 1", _) = error else { return XCTFail("\(error)") }
        }
        let ensemble = try Ensemble.fit(x)
        XCTAssertThrowsError(try ensemble.rawScores(try Matrix([[1]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 2, got: 1))
        }
    }
}
