import XCTest
import Foundation
@testable import VigilCore

final class DriftReferenceTests: XCTestCase {
    /// 0 … 99 in 10 bins: cuts at sorted[10k] = 10, 20, …, 90; bin k holds cut_{k−1} < v ≤ cut_k, so
    /// bin 0 holds 0 … 10 (11 values), bins 1–8 ten each, bin 9 holds 91 … 99 (9 values).
    func testDecileBinsAndTheirTrainingShares() {
        let h = DriftReference.Histogram(values: (0..<100).reversed().map(Double.init), bins: 10)
        XCTAssertEqual(h.cuts, [10, 20, 30, 40, 50, 60, 70, 80, 90])
        XCTAssertEqual(h.proportions, [0.11] + [Double](repeating: 0.1, count: 8) + [0.09])
        XCTAssertEqual(h.bin(-5), 0)
        XCTAssertEqual(h.bin(10), 0)
        XCTAssertEqual(h.bin(10.5), 1)
        XCTAssertEqual(h.bin(90), 8)
        XCTAssertEqual(h.bin(1e9), 9)
        XCTAssertNil(h.bin(.nan))
    }

    func testRepeatedCutsMergeAndNaNIsLeftOut() {
        let constant = DriftReference.Histogram(values: [Double](repeating: 3, count: 50) + [.nan], bins: 10)
        XCTAssertEqual(constant.cuts, [3])
        XCTAssertEqual(constant.proportions, [1, 0])
        let twoValues = DriftReference.Histogram(values: [0, 0, 0, 1], bins: 10)
        XCTAssertEqual(twoValues.cuts, [0, 1])
        XCTAssertEqual(twoValues.proportions, [0.75, 0.25, 0])
        let empty = DriftReference.Histogram(values: [.nan], bins: 10)
        XCTAssertEqual(empty.cuts, [])
        XCTAssertEqual(empty.proportions, [0])
    }

    /// PSI = Σ (a − e) ln(a / e): 0.4 ln 1.8 + 0.4 ln 5 for a = (0.9, 0.1) against e = (0.5, 0.5).
    func testPSIByHand() {
        func psi(_ counts: [Int], _ expected: [Double]) -> Double {
            counts.withUnsafeBufferPointer { DriftReference.psi(expected: expected, counts: $0, total: counts.reduce(0, +)) }
        }
        XCTAssertEqual(psi([90, 10], [0.5, 0.5]), 0.4 * log(1.8) + 0.4 * log(5), accuracy: 1e-12)
        XCTAssertEqual(psi([50, 50], [0.5, 0.5]), 0)
        // An empty bin counts as 1e-4, so the value stays finite.
        XCTAssertEqual(psi([100, 0], [0.5, 0.5]), 0.5 * log(2) + (0.5 - 1e-4) * log(0.5 / 1e-4), accuracy: 1e-12)
        XCTAssertEqual(psi([0, 0], [0.5, 0.5]), 0)
    }

    func testFitKeepsOneHistogramPerFeatureAndOneForTheScore() throws {
        var g = SeededGenerator(seed: 4)
        let x = try Matrix(rows: 500, cols: 3, values: (0..<1500).map { _ in g.nextUnit() })
        let (model, raw) = try AnomalyModel.fit(x, settings: .ecod(.init()))
        let drift = try XCTUnwrap(model.drift)
        XCTAssertEqual(drift.features.count, 3)
        XCTAssertEqual(drift.trainingRows, 500)
        XCTAssertEqual(drift.score, DriftReference.Histogram(values: raw, bins: 10))
        XCTAssertEqual(drift.features[1], DriftReference.Histogram(values: x.column(1), bins: 10))
        for h in drift.features + [drift.score] {
            XCTAssertEqual(h.binCount, 10)
            XCTAssertEqual(h.proportions.reduce(0, +), 1, accuracy: 1e-12)
        }
    }
}
