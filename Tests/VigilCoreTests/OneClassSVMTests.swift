import XCTest
import Foundation
@testable import VigilCore

final class OneClassSVMTests: XCTestCase {
    /// Two rows 0 and 1, ν = 0.5, γ = auto = 1: ν·l = 1 starts α = (1, 0); one SMO step moves
    /// δ = (G₁ − G₀)/(2 − 2K) = −½ with K = e^(−1), so α = (½, ½), both free, G = ½(1 + K) = ρ.
    /// Training scores ρ − Σ α K = 0; the new row 0.5 scores ρ − e^(−0.25).
    func testHandComputedTwoRows() throws {
        let svm = try OneClassSVM.fit(try Matrix([[0], [1]]), parameters: .init(nu: 0.5))
        let k = exp(-1.0)
        for a in svm.coefficients { XCTAssertEqual(a, 0.5, accuracy: 1e-7) }
        XCTAssertEqual(svm.rho, 0.5 * (1 + k), accuracy: 1e-7)
        let scores = try svm.rawScores(try Matrix([[0], [1], [0.5]]))
        XCTAssertEqual(scores[0], 0, accuracy: 1e-7)
        XCTAssertEqual(scores[1], 0, accuracy: 1e-7)
        XCTAssertEqual(scores[2], 0.5 * (1 + k) - exp(-0.25), accuracy: 1e-7)
    }

    /// Pinned from PyOD 3.6.7 `OCSVM(nu=0.1).fit(X)` (scikit-learn 1.9.1, libsvm): `decision_scores_`
    /// and `decision_function([[0, 0], [3, −3]])`, X = NumPy RandomState(5) normals 30 × 2 rounded to
    /// 0.1, row 0 set to (4, 4).
    func testMatchesPyOD() throws {
        let x = try Matrix(rows: 30, cols: 2, values: Self.data)
        let (svm, scores) = try OneClassSVM.fitScoring(x, parameters: .init(nu: 0.1), seed: 0)
        for (s, e) in zip(scores, Self.pyodNu01) { XCTAssertEqual(s, e, accuracy: 1e-5) }
        let newRows = try svm.rawScores(try Matrix([[0, 0], [3, -3]]))
        XCTAssertEqual(newRows[0], -0.010135175342704916, accuracy: 1e-5)
        XCTAssertEqual(newRows[1], 0.5629016907653368, accuracy: 1e-5)
    }

    /// Run to a KKT gap of 1e-9 both solvers reach the unique optimum: PyOD 3.6.7
    /// `OCSVM(nu=0.5, tol=1e-9)` on the same X. (At the default 1e-3 they stop at different points
    /// within that gap, about 5e-4 apart in score, because libsvm also shrinks.)
    func testConvergesToPyODsOptimum() throws {
        let x = try Matrix(rows: 30, cols: 2, values: Self.data)
        let (svm, scores) = try OneClassSVM.fitScoring(x, parameters: .init(nu: 0.5, tolerance: 1e-9), seed: 0)
        for (s, e) in zip(scores, Self.pyodNu05) { XCTAssertEqual(s, e, accuracy: 2e-6) }
        let newRows = try svm.rawScores(try Matrix([[0, 0], [3, -3]]))
        XCTAssertEqual(newRows[0], -0.31004781160521766, accuracy: 2e-6)
        XCTAssertEqual(newRows[1], 4.528168343085827, accuracy: 2e-6)
    }

    func testDeterministicAndRoundTrip() throws {
        var g = SeededGenerator(seed: 2)
        let x = try Matrix(rows: 400, cols: 3, values: (0..<1200).map { _ in g.nextUnit() })
        let (svm, scores) = try OneClassSVM.fitScoring(x, parameters: .init(), seed: 0)
        Parallel.limitThreads(1)
        defer { Parallel.limitThreads(0) }
        XCTAssertEqual(try OneClassSVM.fitScoring(x, parameters: .init(), seed: 0).1, scores)
        let back = try JSONDecoder().decode(AnyDetector.self, from: try JSONEncoder().encode(AnyDetector.oneClassSVM(svm)))
        XCTAssertEqual(back, .oneClassSVM(svm))
        XCTAssertEqual(try back.rawScores(x), try svm.rawScores(x))
        // Training scores come from the solver's gradient (float32 kernel columns).
        for (a, b) in zip(scores, try svm.rawScores(x)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testBadInput() throws {
        XCTAssertThrowsError(try OneClassSVM.fit(try Matrix(rows: 0, cols: 2, values: []))) { error in
            guard case .emptyData = error as? VigilError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try OneClassSVM.fit(try Matrix([[1, .nan]]))) { error in
            guard case .nonFinite(0, "column 1", _) = error as? VigilError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try OneClassSVM.fit(try Matrix([[1]]), parameters: .init(nu: 0)))
        XCTAssertThrowsError(try OneClassSVM.fit(try Matrix([[1]]), parameters: .init(gamma: .value(-1))))
        let tooMany = try Matrix(rows: OneClassSVM.maxRows + 1, cols: 1, values: [Double](repeating: 0, count: OneClassSVM.maxRows + 1))
        XCTAssertThrowsError(try OneClassSVM.fit(tooMany)) { error in
            guard case .invalidParameter("rows", "20001", _) = error as? VigilError else { return XCTFail("\(error)") }
        }
        let svm = try OneClassSVM.fit(try Matrix([[0], [1], [2]]))
        XCTAssertThrowsError(try svm.rawScores(try Matrix([[-.infinity]])))
        XCTAssertThrowsError(try svm.rawScores(try Matrix([[1, 2]])))
    }

    static let data: [Double] = [
        4.0, 4.0, 2.4, -0.3, 0.1, 1.6, -0.9, -0.6, 0.2, -0.3, -1.2, -0.2, -0.4, 0.6, -1.7, -0.7, 1.2, 1.9, -1.5, 0.6,
        -1.0, -0.9, -0.9, -0.4, 1.0, 0.7, 0.1, -0.4, 0.0, -0.1, 0.8, -0.6, -0.0, -0.1, -0.1, 0.2, 0.2, 1.3, -0.1, 1.6,
        -0.3, -0.5, 0.1, 0.4, 0.3, 1.3, 1.1, 0.5, -0.3, -0.1, 1.4, 0.2, -1.3, -0.7, -0.6, 1.2, -0.1, 2.3, 0.7, 0.1,
    ]
    static let pyodNu01: [Double] = [
        0.00017543569832711992, -8.413954312613825e-05, -0.06265316319469294, -0.050004477819129756, -0.004649746850559744,
        -0.09092490272993359, -0.01622064317261529, -0.00021143238265486364, -0.00013218277296056513, 0.00032991128425430283,
        -4.316381277291725e-06, -0.07098278164474026, -2.076704499498483e-05, -0.00035260268370873593, -0.010914913178139307,
        0.00014691974757519155, -0.010914913178139307, -0.010170304065966085, -0.04417042988409947, -0.04697197533901898,
        -0.010118035446795237, 0.0004377680238242254, -0.046283988050975, -0.00600742946081767, -0.027500371656155043,
        -0.03248110286975869, -0.043736811283285326, -0.00013219732664193629, -0.0001523948124380059, -0.01532918749470602,
    ]
    static let pyodNu05: [Double] = [
        3.55523474806098, 2.2768837229246106, -1.0820685680812403e-08, -0.0021413405900254645, -0.05072558863144305,
        2.4302723389268976e-08, -0.2796502933617093, 0.8563703753894791, 1.508427407578651, 1.008183382437605,
        0.41123198114241255, -0.14785421585630498, 1.9869439427111502e-10, 0.028838749058394342, -0.2575418338454627,
        0.6578452446688674, -0.2575418338454627, -0.37373563994619463, -0.23935959456753686, 0.04280982979582593,
        3.864143671705733e-09, -0.41723469592771245, -0.21357219763007507, 0.037457136780036926, -0.29013820776093446,
        0.3910117822483228, 0.30710626533737084, 0.15097798902756843, 1.1872462097018088, -0.21202974513208694,
    ]
}
