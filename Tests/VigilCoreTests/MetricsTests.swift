import XCTest
@testable import VigilCore

final class MetricsTests: XCTestCase {
    func testROCAUCMatchesScikitLearnExamples() throws {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        XCTAssertEqual(try Metrics.rocAUC(labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]), 0.75, accuracy: 1e-12)
        // Ties count half: pairs (0.5 vs 0.5) ×2 → 0.5 each, (0.9 vs both) → 1 each: 3/4.
        XCTAssertEqual(try Metrics.rocAUC(labels: [0, 1, 0, 1], scores: [0.5, 0.5, 0.5, 0.9]), 0.75, accuracy: 1e-12)
        XCTAssertEqual(try Metrics.rocAUC(labels: [1, 0, 1, 0], scores: [3, 3, 3, 3]), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try Metrics.rocAUC(labels: [0, 0, 1], scores: [1, 2, 3]), 1.0, accuracy: 1e-12)
    }

    func testAveragePrecisionMatchesScikitLearnExample() throws {
        // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333…
        XCTAssertEqual(try Metrics.averagePrecision(labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]), 5.0 / 6.0, accuracy: 1e-12)
        // One tie group holding everything: precision = prevalence.
        XCTAssertEqual(try Metrics.averagePrecision(labels: [1, 0, 0, 0], scores: [1, 1, 1, 1]), 0.25, accuracy: 1e-12)
    }

    func testClassificationCounts() throws {
        let r = try Metrics.classification(labels: [1, 1, 0, 0, 1], predicted: [true, false, true, false, true])
        XCTAssertEqual(r.precision, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(r.recall, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(r.f1, 2.0 / 3.0, accuracy: 1e-12)
        let none = try Metrics.classification(labels: [0, 1], predicted: [false, false])
        XCTAssertEqual(none.precision, 0)
        XCTAssertEqual(none.f1, 0)
    }

    func testBadLabelsAreRefused() {
        XCTAssertThrowsError(try Metrics.rocAUC(labels: [0, 0], scores: [1, 2]))
        XCTAssertThrowsError(try Metrics.rocAUC(labels: [0, 2], scores: [1, 2]))
        XCTAssertThrowsError(try Metrics.rocAUC(labels: [0, 1, 1], scores: [1, 2]))
        XCTAssertThrowsError(try Metrics.averagePrecision(labels: [0, 0], scores: [1, 2]))
    }
}

final class CalibratorTests: XCTestCase {
    let raw: [Double] = (0..<100).map { Double($0) }

    func testPercentileIsNumPyLinear() {
        // np.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) == [1, 1.75, 2.5, 3.7, 4]
        let s: [Double] = [1, 2, 3, 4]
        XCTAssertEqual(Statistics.percentile(sorted: s, 0), 1)
        XCTAssertEqual(Statistics.percentile(sorted: s, 25), 1.75, accuracy: 1e-12)
        XCTAssertEqual(Statistics.percentile(sorted: s, 50), 2.5, accuracy: 1e-12)
        XCTAssertEqual(Statistics.percentile(sorted: s, 90), 3.7, accuracy: 1e-12)
        XCTAssertEqual(Statistics.percentile(sorted: s, 100), 4)
    }

    func testStandardizationIsCentredOnTheContaminationBoundary() throws {
        let c = try Calibrator(trainingRawScores: raw, normalization: .standardization, contamination: 0.1)
        XCTAssertEqual(c.threshold, 0.5)
        XCTAssertEqual(c.rawBoundary, 89.1, accuracy: 1e-9) // np.percentile(range(100), 90)
        XCTAssertEqual(c.normalize(89.1), 0.5, accuracy: 1e-12)
        XCTAssertGreaterThan(c.normalize(99), 0.5)
        XCTAssertLessThan(c.normalize(10), 0.5)
        XCTAssertEqual(c.iqr, 49.5, accuracy: 1e-12)
        // 90…99 exceed 89.1: 10 % flagged.
        XCTAssertEqual(c.trainingAnomalyRate, 0.1, accuracy: 1e-12)
        let scores = c.normalize(raw)
        XCTAssertTrue(scores.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertEqual(zip(scores, scores.dropFirst()).allSatisfy { $0 <= $1 }, true)
    }

    func testZScoreAndRawThresholds() throws {
        let z = try Calibrator(trainingRawScores: raw, normalization: .zscore, contamination: 0.05)
        XCTAssertEqual(z.mean, 49.5, accuracy: 1e-12)
        XCTAssertEqual(z.std, Statistics.populationStd(raw), accuracy: 1e-12)
        XCTAssertEqual(z.normalize(49.5), 0, accuracy: 1e-12)
        XCTAssertEqual(z.threshold, (94.05 - 49.5) / z.std, accuracy: 1e-9)
        let r = try Calibrator(trainingRawScores: raw, normalization: .raw, contamination: 0.05)
        XCTAssertEqual(r.threshold, 94.05, accuracy: 1e-9)
        XCTAssertEqual(r.normalize(3.25), 3.25)
        XCTAssertEqual(r.effectiveThreshold(7), 7)
        XCTAssertEqual(r.effectiveThreshold(nil), r.threshold)
    }

    func testConstantScoresDoNotDivideByZero() throws {
        let c = try Calibrator(trainingRawScores: Array(repeating: 0.5, count: 10), normalization: .standardization, contamination: 0.1)
        XCTAssertEqual(c.iqr, 1)
        XCTAssertEqual(c.normalize(0.5), 0.5)
        XCTAssertEqual(c.trainingAnomalyRate, 0)
        let z = try Calibrator(trainingRawScores: Array(repeating: 2, count: 10), normalization: .zscore, contamination: 0.1)
        XCTAssertEqual(z.std, 1)
    }

    func testContaminationOutsideRangeIsRefused() {
        for bad in [0, -0.1, 0.51, 1, .nan] {
            XCTAssertThrowsError(try Calibrator(trainingRawScores: raw, normalization: .raw, contamination: bad)) { error in
                guard case .invalidParameter(let name, _, _) = error as? VigilError else { return XCTFail("\(error)") }
                XCTAssertEqual(name, "contamination")
            }
        }
        XCTAssertNoThrow(try Calibrator(trainingRawScores: raw, normalization: .raw, contamination: 0.5))
        XCTAssertThrowsError(try Normalization(validating: "sigmoid"))
    }
}
