import XCTest
@testable import VigilCore

final class AnomalyModelTests: XCTestCase {
    func testShareFlaggedOnTrainingDataIsTheContamination() throws {
        let x = try gaussian(rows: 2000, cols: 4, seed: 21)
        for backend in Backend.allCases {
            for contamination in [0.01, 0.05, 0.2] {
                let (model, raw) = try AnomalyModel.fit(x, settings: .defaults(for: backend), contamination: contamination, seed: 1)
                // The training rows' scores from the fit (for neighbour detectors each row is left out
                // of its own neighbourhood, so re-scoring the same rows as new ones differs).
                let cut = model.calibrator.threshold
                let flagged = model.calibrator.normalize(raw).filter { $0 > cut }.count
                let expected = contamination * 2000
                XCTAssertEqual(Double(flagged), expected, accuracy: max(2, expected * 0.05), "\(backend) at \(contamination)")
                XCTAssertEqual(model.calibrator.trainingAnomalyRate, Double(flagged) / 2000, accuracy: 1e-12)
            }
        }
    }

    func testNormalizationsAndThresholdOverride() throws {
        let x = try gaussian(rows: 500, cols: 3, seed: 2)
        let (std, _) = try AnomalyModel.fit(x, settings: .defaults(for: .ecod), normalization: .standardization, contamination: 0.1)
        let s = try std.score(x)
        XCTAssertEqual(s.threshold, 0.5)
        XCTAssertTrue(s.scores.allSatisfy { $0 > 0 && $0 < 1 })
        let all = try std.score(x, threshold: 0)
        XCTAssertTrue(all.isAnomaly.allSatisfy { $0 })
        XCTAssertEqual(all.threshold, 0)
        let (raw, rawTraining) = try AnomalyModel.fit(x, settings: .defaults(for: .ecod), normalization: .raw, contamination: 0.1)
        XCTAssertEqual(try raw.score(x).scores, rawTraining)
    }

    func testBadInputIsRefusedWithTheColumnNamed() throws {
        let x = try Matrix([[1, 2], [3, .nan], [4, 5], [6, 7]])
        for backend in [Backend.ecod, .copod, .hbos] {
            XCTAssertThrowsError(try AnomalyModel.fit(x, featureNames: ["amount", "fee"], settings: .defaults(for: backend))) { error in
                guard case .nonFinite(let row, let column, let value) = error as? VigilError else { return XCTFail("\(error)") }
                XCTAssertEqual(row, 1)
                XCTAssertEqual(column, "fee")
                XCTAssertTrue(value.isNaN)
            }
        }
        XCTAssertNoThrow(try AnomalyModel.fit(x, featureNames: ["amount", "fee"], settings: .defaults(for: .isolationForest)))
        XCTAssertThrowsError(try AnomalyModel.fit(x, settings: .defaults(for: .ecod), contamination: 0.6))
        XCTAssertThrowsError(try AnomalyModel.fit(try Matrix(rows: 0, cols: 2, values: []), settings: .defaults(for: .hbos)))
        XCTAssertThrowsError(try Backend(validating: "lof")) { error in
            XCTAssertTrue("\(error)".contains("isolation_forest, ecod, copod, hbos"))
        }
        let (model, _) = try AnomalyModel.fit(try gaussian(rows: 50, cols: 2, seed: 1), settings: .defaults(for: .hbos))
        XCTAssertThrowsError(try model.score(try Matrix([[1, 2, 3]])))
    }
}
