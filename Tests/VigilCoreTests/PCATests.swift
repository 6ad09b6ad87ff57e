import XCTest
import Foundation
@testable import VigilCore

final class PCATests: XCTestCase {
    static let inline: [[Double]] = [
        [1, 2, 0.5], [2, 3.5, 1], [3, 6.5, 0], [4, 8, 2], [5, 10.5, 1.5], [6, 11, 3], [7, 15, 2.5], [2.5, 9, 0.5],
    ]

    /// Expected values from PyOD 3.6.7 (scikit-learn 1.9.1): `PCA().fit(X)` on `inline`,
    /// `decision_scores_`, `decision_function([[0,0,0],[4,2,1]])`, `components_` and
    /// `explained_variance_ratio_`.
    func testMatchesPyODOnInlineData() throws {
        let x = try Matrix(Self.inline)
        let pca = try PCA.fit(x)
        let training = [250.05959813339132, 180.15265687332118, 168.25040342315046, 117.86196635214306,
                        123.83532705037621, 227.22743388819217, 280.6294410083978, 175.7269110522718]
        for (s, e) in zip(try pca.rawScores(x), training) { XCTAssertEqual(s, e, accuracy: 1e-9 * e) }
        let fresh = try pca.rawScores(try Matrix([[0, 0, 0], [4, 2, 1]]))
        XCTAssertEqual(fresh[0], 330.7700789879608, accuracy: 1e-9)
        XCTAssertEqual(fresh[1], 126.36329542042694, accuracy: 1e-9)
        let components: [Double] = [0.607535343880745, 0.574545083831472, 0.5484512308134525,
                                    -0.14119985276536298, -0.601371104669727, 0.7863939191317237,
                                    0.7816414827238534, -0.5552033331252604, -0.28422851963139933]
        for (a, b) in zip(pca.components, components) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let ratios = [0.8785567021120219, 0.11021282896389496, 0.0112304689240832]
        for (a, b) in zip(pca.explainedVarianceRatio, ratios) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }

    /// PyOD `PCA(standardization=False, weighted=False, n_selected_components=1)`: the distance of
    /// each raw row to the last (smallest-variance) component only.
    func testUnweightedLastComponentMatchesPyOD() throws {
        let x = try Matrix(Self.inline)
        let pca = try PCA.fit(x, parameters: .init(nSelectedComponents: 1, weighted: false, standardization: false))
        let expected = [2.5193391392126347, 4.268935178874186, 7.126696661426087, 9.240577838721702,
                        11.742707946190679, 12.928331466960323, 16.76471476469477, 9.461472460202357]
        XCTAssertEqual(pca.weights, [1])
        for (s, e) in zip(try pca.rawScores(x), expected) { XCTAssertEqual(s, e, accuracy: 1e-9) }
    }

    /// [[2, 1], [1, 2]] has eigenvalues 3 and 1 with vectors (1, 1)/√2 and (1, −1)/√2; a random
    /// symmetric 6 × 6 satisfies A·v = λ·v with orthonormal vectors.
    func testSymmetricEigenByHandAndByDefinition() throws {
        let two = SymmetricEigen(symmetric: [2, 1, 1, 2], order: 2)
        XCTAssertEqual(two.values[0], 3, accuracy: 1e-14)
        XCTAssertEqual(two.values[1], 1, accuracy: 1e-14)
        let fixed = PCA.signFixed(Array(two.vectors[0..<2]))
        XCTAssertEqual(fixed[0], 0.5.squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(fixed[1], 0.5.squareRoot(), accuracy: 1e-14)
        var g = SeededGenerator(seed: 5)
        let n = 6
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { a[i * n + j] = g.nextUnit() * 2 - 1; a[j * n + i] = a[i * n + j] } }
        let eig = SymmetricEigen(symmetric: a, order: n)
        XCTAssertEqual(eig.values, eig.values.sorted(by: >))
        for k in 0..<n {
            for i in 0..<n {
                var av = 0.0
                for j in 0..<n { av += a[i * n + j] * eig.vectors[k * n + j] }
                XCTAssertEqual(av, eig.values[k] * eig.vectors[k * n + i], accuracy: 1e-12)
            }
            for l in 0..<n {
                var dot = 0.0
                for j in 0..<n { dot += eig.vectors[k * n + j] * eig.vectors[l * n + j] }
                XCTAssertEqual(dot, k == l ? 1 : 0, accuracy: 1e-12)
            }
        }
    }

    /// A constant column gives a zero-variance direction: the score stays finite (the weight floor).
    func testConstantColumnKeepsScoresFinite() throws {
        let x = try Matrix([[1, 5], [2, 5], [3, 5], [4, 5], [10, 5]])
        let pca = try PCA.fit(x)
        XCTAssertEqual(pca.weights.last, PCA.weightFloor)
        XCTAssertTrue(try pca.rawScores(x).allSatisfy(\.isFinite))
    }

    func testDeterministicAndRoundTripsThroughTheModelPayload() throws {
        let x = try ECODTests.sample(rows: 500, cols: 4, seed: 7)
        let pca = try PCA.fit(x)
        XCTAssertEqual(try PCA.fit(x), pca)
        XCTAssertEqual(try PCA.fitScoring(x, parameters: .init(), seed: 0).1, try pca.rawScores(x))
        let encoded = try JSONEncoder().encode(AnyDetector.pca(pca))
        let decoded = try JSONDecoder().decode(AnyDetector.self, from: encoded)
        XCTAssertEqual(decoded, .pca(pca))
        XCTAssertEqual(try decoded.rawScores(x), try pca.rawScores(x))
    }

    func testBadInputIsRefused() throws {
        XCTAssertThrowsError(try PCA.fit(try Matrix(rows: 0, cols: 3, values: []))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PCA.fit(try Matrix([[1, 2]]))) { error in
            guard case VigilError.emptyData = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PCA.fit(try Matrix([[1, 2], [3, .nan]]))) { error in
            guard case VigilError.nonFinite(1, "column 1", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PCA.fit(try Matrix(Self.inline), parameters: .init(nComponents: 4))) { error in
            guard case VigilError.invalidParameter("n_components", "4", _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PCA.fit(try Matrix(Self.inline), parameters: .init(nComponents: 2, nSelectedComponents: 3))) { error in
            guard case VigilError.invalidParameter("n_selected_components", "3", _) = error else { return XCTFail("\(error)") }
        }
        let pca = try PCA.fit(try Matrix(Self.inline))
        XCTAssertThrowsError(try pca.rawScores(try Matrix([[1, 2]]))) { error in
            XCTAssertEqual(error as? VigilError, .featureCountMismatch(expected: 3, got: 2))
        }
        XCTAssertThrowsError(try pca.rawScores(try Matrix([[1, .infinity, 2]]))) { error in
            guard case VigilError.nonFinite(0, "column 1", _) = error else { return XCTFail("\(error)") }
        }
    }
}
