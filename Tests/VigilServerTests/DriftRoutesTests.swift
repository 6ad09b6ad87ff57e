import Foundation
import HummingbirdTesting
import Logging
import VigilCore
import VigilFeatures
import VigilStore
import XCTest
@testable import VigilServer

final class DriftRoutesTests: XCTestCase {
    static let statusKeys: Set = ["object", "model", "version", "status", "drifting", "reasons", "window", "rows", "min_rows",
                                  "anomaly_rate", "training_anomaly_rate", "anomaly_rate_limit", "psi_limit", "score_psi", "features"]

    /// `n` rows of three independent columns (uniform-ish sums), `shift` added to column 0.
    static func rows(_ n: Int, seed: UInt64, shift: Double = 0) -> [[Double]] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in
            [g.nextUnit() + g.nextUnit() + shift, 5 * (g.nextUnit() + g.nextUnit()), g.nextUnit() - g.nextUnit()]
        }
    }

    /// The service with a 200-row drift window judged from 100 rows.
    func service() -> TestService {
        var service = TestService()
        service.configuration.drift = DriftSettings(window: 200, minimumRows: 100)
        return service
    }

    /// The drift answer of `model`, with its keys checked.
    private static func drift(_ client: any TestClientProtocol, _ model: String, file: StaticString = #filePath, line: UInt = #line) async throws -> [String: Any] {
        let reply = try await client.call(.get, "/v1/ml/anomaly/models/\(model)/drift")
        XCTAssertEqual(reply.status, .ok, reply.text, file: file, line: line)
        XCTAssertKeys(reply.object, Self.statusKeys, file: file, line: line)
        return reply.object
    }

    private static func psi(_ status: [String: Any], _ feature: String) -> Double {
        let features = status["features"] as? [[String: Any]] ?? []
        return features.first { $0["feature"] as? String == feature }?["psi"] as? Double ?? .nan
    }

    func testScoringThatShiftsHalfwayFlipsTheModelToDriftingAndShowsOnMetrics() async throws {
        try await service().run { client in
            for model in ["shifting", "steady"] {
                let fit = try await client.call(.post, "/v1/ml/anomaly/fit",
                                                ["model": model, "backend": "ecod", "data": Self.rows(2000, seed: 1)])
                XCTAssertEqual(fit.status, .ok, fit.text)
            }
            // Known but never scored: collecting, nothing measured.
            let fresh = try await Self.drift(client, "shifting")
            XCTAssertEqual(fresh["status"] as? String, "collecting")
            XCTAssertEqual(fresh["rows"] as? Int, 0)
            XCTAssertTrue(fresh["version"] is NSNull)

            // First half: the training distribution, in batches of 50.
            var seed: UInt64 = 10
            for _ in 0..<6 {
                seed += 1
                for model in ["shifting", "steady"] {
                    let r = try await client.call(.post, "/v1/ml/anomaly/score",
                                                  ["model": model, "backend": "ecod", "data": Self.rows(50, seed: seed)])
                    XCTAssertEqual(r.status, .ok, r.text)
                }
            }
            let before = try await Self.drift(client, "shifting")
            XCTAssertEqual(before["status"] as? String, "stable", "\(before)")
            XCTAssertEqual(before["drifting"] as? Bool, false)
            XCTAssertEqual(before["rows"] as? Int, 200)
            XCTAssertEqual(before["window"] as? Int, 200)
            XCTAssertTrue((before["version"] as? String)?.hasPrefix("shifting_") ?? false)
            XCTAssertLessThan(Self.psi(before, "x0"), 0.25)
            let rateBefore = try XCTUnwrap(before["anomaly_rate"] as? Double)

            // Second half: column 0 moves by 1.5 (its training range is [0, 2]).
            for _ in 0..<6 {
                seed += 1
                let r = try await client.call(.post, "/v1/ml/anomaly/score",
                                              ["model": "shifting", "backend": "ecod", "data": Self.rows(50, seed: seed, shift: 1.5)])
                XCTAssertEqual(r.status, .ok, r.text)
                let steady = try await client.call(.post, "/v1/ml/anomaly/score",
                                                   ["model": "steady", "backend": "ecod", "data": Self.rows(50, seed: seed)])
                XCTAssertEqual(steady.status, .ok, steady.text)
            }
            let after = try await Self.drift(client, "shifting")
            XCTAssertEqual(after["status"] as? String, "drifting", "\(after)")
            XCTAssertEqual(after["drifting"] as? Bool, true)
            XCTAssertGreaterThan(Self.psi(after, "x0"), 0.25)
            XCTAssertLessThan(Self.psi(after, "x1"), 0.25)
            XCTAssertLessThan(Self.psi(after, "x2"), 0.25)
            XCTAssertGreaterThan(after["anomaly_rate"] as? Double ?? 0, rateBefore)
            let reasons = Set(after["reasons"] as? [String] ?? [])
            XCTAssertTrue(reasons.isSuperset(of: ["anomaly_rate", "feature_psi:x0"]), "\(reasons)")
            XCTAssertFalse(reasons.contains("feature_psi:x1"))

            let steady = try await Self.drift(client, "steady")
            XCTAssertEqual(steady["status"] as? String, "stable", "\(steady)")
            XCTAssertEqual(steady["reasons"] as? [String], [])
            for feature in ["x0", "x1", "x2"] { XCTAssertLessThan(Self.psi(steady, feature), 0.25) }

            let metrics = try await client.call(.get, "/metrics")
            XCTAssertTrue(metrics.text.contains(#"vigil_model_drifting{model="shifting"} 1"#), metrics.text)
            XCTAssertTrue(metrics.text.contains(#"vigil_model_drifting{model="steady"} 0"#), metrics.text)
            XCTAssertTrue(metrics.text.contains(#"vigil_model_drift_rows{model="shifting"} 200"#), metrics.text)
            let psiLine = metrics.text.split(separator: "\n").first { $0.hasPrefix(#"vigil_model_feature_psi{model="shifting",feature="x0"}"#) }
            let exported = Double(psiLine?.split(separator: " ").last ?? "") ?? .nan
            XCTAssertEqual(exported, Self.psi(after, "x0"), accuracy: 1e-9)
        }
    }

    func testUnknownModelIs404() async throws {
        try await service().run { client in
            let reply = try await client.call(.get, "/v1/ml/anomaly/models/nobody/drift")
            XCTAssertEqual(reply.status, .notFound, reply.text)
            XCTAssertTrue(reply.detail?.contains("nobody") ?? false, reply.text)
            let odd = try await client.call(.get, "/v1/ml/anomaly/models/..%2Fx/drift")
            XCTAssertEqual(odd.status, .notFound, odd.text)
        }
    }

    func testStreamShiftFlipsDriftingAndCanRetrainEarly() async throws {
        for retrainOnDrift in [false, true] {
            let metrics = ServiceMetrics(drift: DriftSettings(window: 200, minimumRows: 100, retrainStreamsOnDrift: retrainOnDrift))
            let registry = InMemoryModelRegistry()
            let service = StreamService(registry: registry, scoreMetrics: metrics.scores, drift: metrics.drift,
                                        findings: FindingsRecorder(registry: registry, metrics: metrics))
            let detector = try await service.detector("sensor", configuration: StreamConfiguration(
                backend: .ecod, minSamples: 300, retrainInterval: 100_000, windowSize: 1000, contamination: 0.1, threshold: 0.5,
                rollingWindows: [], lagPeriods: []), firstPoint: ["a": .number(0)])
            func points(_ rows: [[Double]]) -> [Record] {
                rows.map { ["a": .number($0[0]), "b": .number($0[1]), "c": .number($0[2])] }
            }
            _ = try await service.feed(points(Self.rows(300, seed: 1)), to: detector)
            _ = try await service.feed(points(Self.rows(250, seed: 2)), to: detector)
            let first = try XCTUnwrap(metrics.drift.status(model: "sensor"))
            XCTAssertFalse(first.status.drifting)
            XCTAssertEqual(first.status.rows, 200)
            XCTAssertEqual(detector.stats.modelVersion, 1)
            _ = try await service.feed(points(Self.rows(250, seed: 3, shift: 1.5)), to: detector)
            await service.waitForRetrains()
            if retrainOnDrift {
                // The drift started a retrain long before the 100,000-point interval; points scored
                // by the new version start its window afresh.
                XCTAssertGreaterThanOrEqual(detector.stats.modelVersion, 2)
                _ = try await service.feed(points(Self.rows(10, seed: 4, shift: 1.5)), to: detector)
                let status = try XCTUnwrap(metrics.drift.status(model: "sensor"))
                XCTAssertNotEqual(status.version, first.version)
            } else {
                XCTAssertEqual(detector.stats.modelVersion, 1)
                let status = try XCTUnwrap(metrics.drift.status(model: "sensor"))
                XCTAssertTrue(status.status.drifting)
                XCTAssertTrue(status.status.reasons.contains(.featurePSI(0)), "\(status.status.reasons)")
            }
        }
    }
}
