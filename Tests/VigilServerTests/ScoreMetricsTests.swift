import NIOCore
@testable import VigilServer
import XCTest

final class ScoreMetricsTests: XCTestCase {
    /// The live rate covers only the newest `capacity` rows, across batches and within one larger
    /// than the window.
    func testRecentRateSlidesOverTheNewestRows() {
        var window = RecentRate(capacity: 4)
        XCTAssertEqual(window.rate, 0)
        window.add([true, false, false, false])
        XCTAssertEqual(window.rate, 0.25)
        window.add([true, true])  // window: false false true true
        XCTAssertEqual(window.rate, 0.5)
        window.add([true, true, true, true, true, false, true, false, false])  // window: false true false false
        XCTAssertEqual(window.rate, 0.25)
        window.add(CollectionOfOne(true))  // window: true false false true
        XCTAssertEqual(window.rate, 0.5)
        var partial = RecentRate(capacity: 1_000)
        partial.add([true, false, false])
        XCTAssertEqual(partial.rate, 1.0 / 3)
    }

    /// Totals count every row ever recorded; the rate gauge only the last 1,000; rows of one base
    /// name from several calls land in one series.
    func testRecordKeepsTotalsAndTheLiveRateOverTheWindow() {
        let metrics = ServiceMetrics()
        metrics.scores.record(model: "wire", trainingRate: 0.02, flagged: [Bool](repeating: true, count: 200))
        metrics.scores.record(model: "wire", trainingRate: 0.05, flagged: [Bool](repeating: false, count: 800))
        var text = String(buffer: metrics.exposition())
        XCTAssertEqual(sample(text, #"vigil_anomaly_rate{model="wire"}"#), 200.0 / 1_000)
        metrics.scores.record(model: "wire", trainingRate: 0.05, flagged: [Bool](repeating: false, count: 100))
        metrics.scores.record(model: "other", trainingRate: 0.1, flagged: [true])
        metrics.scores.record(model: "other", trainingRate: 0.1, flagged: [])
        text = String(buffer: metrics.exposition())
        XCTAssertEqual(sample(text, #"vigil_scores_total{model="wire"}"#), 1_100)
        XCTAssertEqual(sample(text, #"vigil_anomalies_total{model="wire"}"#), 200)
        XCTAssertEqual(sample(text, #"vigil_anomaly_rate{model="wire"}"#), 100.0 / 1_000)  // 100 flagged left in the window
        XCTAssertEqual(sample(text, #"vigil_training_anomaly_rate{model="wire"}"#), 0.05)
        XCTAssertEqual(sample(text, #"vigil_scores_total{model="other"}"#), 1)
        XCTAssertEqual(sample(text, #"vigil_anomaly_rate{model="other"}"#), 1)
    }

    /// Retrains are counted per model with their durations in the histogram.
    func testRecordRetrainCountsAndTimes() {
        let metrics = ServiceMetrics()
        metrics.scores.recordRetrain(model: "stream", seconds: 0.2)
        metrics.scores.recordRetrain(model: "stream", seconds: 40)
        let text = String(buffer: metrics.exposition())
        XCTAssertEqual(sample(text, #"vigil_stream_retrains_total{model="stream"}"#), 2)
        XCTAssertEqual(sample(text, #"vigil_stream_retrain_duration_seconds_count{model="stream"}"#), 2)
        XCTAssertEqual(sample(text, #"vigil_stream_retrain_duration_seconds_sum{model="stream"}"#), 40.2)
        XCTAssertEqual(sample(text, #"vigil_stream_retrain_duration_seconds_bucket{model="stream",le="0.25"}"#), 1)
        XCTAssertEqual(sample(text, #"vigil_stream_retrain_duration_seconds_bucket{model="stream",le="60.0"}"#), 2)
    }

    /// Two applications in one process keep separate counts.
    func testEachApplicationHasItsOwnRegistry() {
        let first = ServiceMetrics(), second = ServiceMetrics()
        first.scores.record(model: "m", trainingRate: 0, flagged: [false, true])
        XCTAssertEqual(sample(String(buffer: first.exposition()), #"vigil_scores_total{model="m"}"#), 2)
        XCTAssertNil(sample(String(buffer: second.exposition()), #"vigil_scores_total{model="m"}"#))
    }
}

/// The value of the sample line that starts with `series` (name and labels exactly as exported).
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
