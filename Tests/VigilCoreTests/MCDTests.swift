import XCTest
import Foundation
@testable import VigilCore

final class MCDTests: XCTestCase {
    /// SciPy 1.16: chi2(1).ppf(0.975), chi2(10).ppf(0.5), chi2(3).cdf(2.5), chi2(12).cdf(30);
    /// chi2(2).cdf(x) = 1 − e^(−x/2) in closed form.
    func testChiSquared() {
        XCTAssertEqual(ChiSquared(degrees: 1).quantile(0.975), 5.023886187314888, accuracy: 1e-10)
        XCTAssertEqual(ChiSquared(degrees: 10).quantile(0.5), 9.34181776559197, accuracy: 1e-10)
        XCTAssertEqual(ChiSquared(degrees: 3).cdf(2.5), 0.5247089166569795, accuracy: 1e-13)
        XCTAssertEqual(ChiSquared(degrees: 12).cdf(30), 0.997207570667299, accuracy: 1e-13)
        XCTAssertEqual(ChiSquared(degrees: 2).cdf(3), 1 - exp(-1.5), accuracy: 1e-14)
    }

    /// [[4, 2], [2, 3]]: det 8, inverse [[3, −2], [−2, 4]] / 8. [[1, 1], [1, 1]] is singular:
    /// log-det −∞, pseudo-inverse [[1, 1], [1, 1]] / 4 (eigenvalue 2 on (1, 1)/√2).
    func testLogDeterminantAndPseudoInverse() {
        let (logDet, inv) = SymmetricMatrix(order: 2, values: [4, 2, 2, 3]).logDeterminantAndPseudoInverse()
        XCTAssertEqual(logDet, log(8), accuracy: 1e-14)
        for (a, b) in zip(inv, [3.0 / 8, -2.0 / 8, -2.0 / 8, 4.0 / 8]) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        let (singularDet, pinv) = SymmetricMatrix(order: 2, values: [1, 1, 1, 1]).logDeterminantAndPseudoInverse()
        XCTAssertEqual(singularDet, -.infinity)
        for a in pinv { XCTAssertEqual(a, 0.25, accuracy: 1e-14) }
    }

    /// One feature is exact (no random subsets). Pinned from PyOD 3.6.7 `MCD().fit(X).decision_scores_`
    /// (scikit-learn 1.9.1) for X = 1…7, 100: h = 5, shortest window midpoint 4 (raw and final location).
    func testOneFeatureMatchesPyOD() throws {
        let x = try Matrix([[1], [2], [3], [4], [5], [6], [7], [100]])
        let pyod = [1.9152544321059985, 0.8512241920471104, 0.2128060480117776, 0.0, 0.2128060480117776,
                    0.8512241920471104, 1.9152544321059985, 1961.2205384765425]
        let (mcd, scores) = try MCD.fitScoring(x, parameters: .init(), seed: 1)
        XCTAssertEqual(mcd.location, [4])
        for (s, e) in zip(scores, pyod) { XCTAssertEqual(s, e, accuracy: 1e-9 * max(1, e)) }
    }

    /// 60 rows, 2 features, two planted outliers; PyOD 3.6.7 `MCD(random_state=s)` gives the same
    /// scores for s = 0…19 (the optimum is unambiguous), so any seed of ours must find it too.
    /// Data: NumPy RandomState(3) normals (second draw of 60 × 2) · [[1, .5], [0, 1]], rounded to 0.1.
    func testTwoFeaturesMatchPyOD() throws {
        let x = try Matrix(rows: 60, cols: 2, values: Self.data)
        for seed in [1, 2, 3] as [UInt64] {
            let (mcd, scores) = try MCD.fitScoring(x, parameters: .init(), seed: seed)
            for (s, e) in zip(scores, Self.pyod) { XCTAssertEqual(s, e, accuracy: 1e-8 * max(1, e)) }
            XCTAssertEqual(mcd.location[0], -0.23888888888888889, accuracy: 1e-12)
            XCTAssertEqual(mcd.location[1], -0.10555555555555556, accuracy: 1e-12)
            let newRows = try mcd.rawScores(try Matrix([[0, 0], [3, -3]]))
            XCTAssertEqual(newRows[0], 0.10675761531478666, accuracy: 1e-10)
            XCTAssertEqual(newRows[1], 40.71942027107743, accuracy: 1e-8)
        }
    }

    /// More than 500 rows takes the subset path; the same seed gives the same model, any thread count.
    func testDeterministicOnTheSubsetPathAndRoundTrip() throws {
        var g = SeededGenerator(seed: 4)
        let x = try Matrix(rows: 700, cols: 3, values: (0..<2100).map { _ in g.nextUnit() + (g.nextUnit() < 0.05 ? 5 : 0) })
        let (a, scores) = try MCD.fitScoring(x, parameters: .init(), seed: 9)
        Parallel.limitThreads(1)
        defer { Parallel.limitThreads(0) }
        let (b, again) = try MCD.fitScoring(x, parameters: .init(), seed: 9)
        XCTAssertEqual(a, b)
        XCTAssertEqual(scores, again)
        let back = try JSONDecoder().decode(AnyDetector.self, from: try JSONEncoder().encode(AnyDetector.mcd(a)))
        XCTAssertEqual(back, .mcd(a))
        XCTAssertEqual(try back.rawScores(x), scores)
    }

    func testBadInput() throws {
        XCTAssertThrowsError(try MCD.fit(try Matrix(rows: 0, cols: 2, values: []))) { error in
            guard case .emptyData = error as? VigilError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try MCD.fit(try Matrix([[1, 2]])))
        XCTAssertThrowsError(try MCD.fit(try Matrix([[1, 2], [3, .nan], [4, 5]]))) { error in
            guard case .nonFinite(1, "column 1", _) = error as? VigilError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try MCD.fit(try Matrix(rows: 3, cols: 201, values: [Double](repeating: 1, count: 603)))) { error in
            guard case .invalidParameter("features", _, _) = error as? VigilError else { return XCTFail("\(error)") }
        }
        // Over half the rows identical: the central covariance is 0.
        XCTAssertThrowsError(try MCD.fit(try Matrix([[1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [2, 3], [4, 1]]))) { error in
            guard case .invalidParameter("support_fraction", _, _) = error as? VigilError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try MCD.fit(try Matrix([[1], [2], [3]]), parameters: .init(supportFraction: 1.5)))
        let mcd = try MCD.fit(try Matrix(rows: 60, cols: 2, values: Self.data))
        XCTAssertThrowsError(try mcd.rawScores(try Matrix([[.infinity, 0]])))
    }

    static let data: [Double] = [
        6.0, 6.0, -5.0, 7.0, 0.1, 1.2, -0.0, -0.9, -2.9, -2.4, -0.6, -0.8, -1.0, -0.1, -0.6, -0.4, 0.7, -0.5, -0.3, 2.0,
        0.9, -0.9, -0.1, 0.5, 1.2, 0.8, -0.5, -1.0, 0.6, 0.6, -0.5, -0.4, -0.4, 0.5, -0.7, 0.1, 0.9, 0.9, -0.8, 0.9,
        -0.7, 0.1, -0.8, -2.1, 0.2, 0.4, -0.1, 0.2, -0.6, -1.1, -0.2, 1.8, 0.8, -0.1, 0.6, -0.2, -0.5, 0.6, -0.5, -1.9,
        -0.9, -0.4, 0.1, 1.3, -0.7, 0.4, 0.4, 0.1, 0.8, 0.9, -0.9, 0.6, -1.2, -0.6, 0.0, 0.4, -0.7, -0.4, -0.1, 0.9,
        -0.8, -0.3, -0.3, -1.4, 2.7, 1.3, -1.5, 0.7, -1.1, -0.2, 0.9, -0.2, -0.4, -0.8, -0.1, -1.7, -1.2, -0.8, 1.0, 1.2,
        1.7, 1.6, -0.5, -0.4, -2.0, -2.0, -1.0, -0.2, 0.6, -0.2, -0.6, -1.8, -0.1, 0.2, 0.4, -0.6, 2.0, 2.2, -0.1, -0.6,
    ]
    static let pyod: [Double] = [
        87.37100232390883, 139.30745859389557, 1.8118513755610357, 1.0455320179961056, 14.913685283473047,
        0.5930951630833903, 1.204172615122453, 0.2685242389532906, 2.369898841870292, 5.348100138840924,
        4.310815413635012, 0.38937060572511867, 3.984070166619097, 0.8547834197448984, 1.4667440967355083,
        0.1683151954338858, 0.5801689384883121, 0.5825014621082316, 2.7606071698990933, 2.3913249194937083,
        0.5825014621082316, 4.2410588867812, 0.4835052908836375, 0.1084398414463285, 1.083548179238281,
        4.202280212995966, 2.2301950975463587, 1.5454875749285146, 0.9062953782093662, 3.4725024758655896,
        0.8177349571479957, 2.0977455941515806, 0.9682180946199795, 0.7673126593481422, 2.4074399010658083,
        1.945413782382313, 1.7381445788758225, 0.30120506169358563, 0.4101638804121105, 1.0933113888399268,
        0.5903917549620282, 1.9016754031178853, 16.191453618760363, 5.047625960651226, 1.4673246659382382,
        2.802198967638663, 0.5120474024757631, 3.246181955202467, 1.8305727954522337, 3.608684067036674,
        7.9875501776333815, 0.1683151954338858, 7.396147598567056, 1.140477700598816, 1.5454875749285146,
        3.051354627124078, 0.1084398414463285, 1.440893147078377, 11.607623086916128, 0.39444277618116375,
    ]
}
