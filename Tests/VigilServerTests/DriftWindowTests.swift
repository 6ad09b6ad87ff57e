import VigilCore
import XCTest
@testable import VigilServer

final class DriftWindowTests: XCTestCase {
    /// After many rows, a window's counts are those of its last `capacity` rows only.
    func testEvictionLeavesExactlyTheLastRows() throws {
        var g = SeededGenerator(seed: 12)
        let train = try Matrix(rows: 400, cols: 2, values: (0..<800).map { _ in g.nextUnit() })
        let reference = DriftReference(x: train, rawScores: (0..<400).map { _ in g.nextUnit() })
        let rows = try Matrix(rows: 537, cols: 2, values: (0..<1074).map { i in g.nextUnit() + (i > 600 ? 0.7 : 0) })
        let raw = (0..<537).map { _ in g.nextUnit() * 2 }
        let flags = (0..<537).map { $0 % 5 == 0 }
        var sliding = DriftWindow(reference: reference, capacity: 100)
        for r in 0..<537 { sliding.add(rows, row: r, rawScore: raw[r], flagged: flags[r]) }
        var fresh = DriftWindow(reference: reference, capacity: 100)
        for r in 437..<537 { fresh.add(rows, row: r, rawScore: raw[r], flagged: flags[r]) }
        XCTAssertEqual(sliding.filled, 100)
        XCTAssertEqual(sliding.anomalyRate, fresh.anomalyRate)
        XCTAssertEqual(sliding.anomalyRate, 0.2)
        for v in 0...2 { XCTAssertEqual(sliding.psi(variable: v), fresh.psi(variable: v)) }
        XCTAssertGreaterThan(sliding.psi(variable: 0) ?? 0, 0.25)
    }

    func testVerdictNeedsEnoughRowsAndNamesEveryLimitCrossed() throws {
        let train = try Matrix(rows: 100, cols: 1, values: (0..<100).map(Double.init))
        let reference = DriftReference(x: train, rawScores: (0..<100).map(Double.init))
        var window = DriftWindow(reference: reference, capacity: 50)
        let shifted = try Matrix(rows: 1, cols: 1, values: [1000])
        let settings = DriftSettings(window: 50, minimumRows: 20)
        for _ in 0..<19 { window.add(shifted, row: 0, rawScore: 1000, flagged: true) }
        XCTAssertFalse(window.status(trainingRate: 0.1, settings: settings).drifting, "19 rows are too few to judge")
        window.add(shifted, row: 0, rawScore: 1000, flagged: true)
        let status = window.status(trainingRate: 0.1, settings: settings)
        XCTAssertEqual(status.reasons, [.anomalyRate, .featurePSI(0), .scorePSI])
        // Without a reference only the rate is judged.
        var bare = DriftWindow(reference: nil, capacity: 50)
        for _ in 0..<20 { bare.add(shifted, row: 0, rawScore: 1000, flagged: false) }
        let quiet = bare.status(trainingRate: 0.1, settings: settings)
        XCTAssertEqual(quiet.reasons, [])
        XCTAssertNil(quiet.scorePSI)
        XCTAssertEqual(quiet.featurePSI, [])
    }
}
