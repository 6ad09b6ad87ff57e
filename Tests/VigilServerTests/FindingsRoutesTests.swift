import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import VigilCore
import VigilStore
import XCTest
@testable import VigilServer

/// The audit trail: every row a model flags becomes a stored finding, listed by `GET /v1/findings`.
final class FindingsRoutesTests: XCTestCase {
    /// Rows around (10, 100, 1), and two far away at the end.
    static func rows(_ n: Int, outliers: Bool = false) -> [[Double]] {
        var made = (0..<n).map { i -> [Double] in
            let a: Double = 10 + Double(i % 13) * 0.1
            let b: Double = 100 + Double(i % 17) * 0.5
            return [a, b, 1 + Double(i % 3) * 0.1]
        }
        if outliers { made += [[400, -900, 50], [-300, 2_000, -40]] }
        return made
    }

    func serve(findings: Bool = true, registry: InMemoryModelRegistry = InMemoryModelRegistry(),
               _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let dependencies = ServerDependencies(registry: registry, storeLocation: "memory", drift: DriftSettings(), findings: findings)
        let app = buildApplication(ServerConfiguration(), dependencies: dependencies, logger: Logger(label: "vigil-test"))
        try await app.test(.router, body)
    }

    func testEveryFlaggedRowOfScoreAndDetectIsAFinding() async throws {
        try await serve { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "audit", "backend": "ecod", "data": Self.rows(200)])
            XCTAssertEqual(fit.status, .ok, fit.text)
            let version = try XCTUnwrap(fit.object["model"] as? String)
            let probe = Self.rows(5, outliers: true)
            let scored = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "audit", "backend": "ecod", "data": probe])
            XCTAssertEqual(scored.status, .ok, scored.text)
            let items = try XCTUnwrap(scored.object["data"] as? [[String: Any]])
            let flagged = items.filter { $0["is_anomaly"] as? Bool == true }.compactMap { $0["index"] as? Int }
            XCTAssertTrue(flagged.contains(5) && flagged.contains(6), scored.text)

            let listed = try await client.call(.get, "/v1/findings")
            XCTAssertEqual(listed.status, .ok, listed.text)
            let findings = try XCTUnwrap(listed.object["data"] as? [[String: Any]])
            XCTAssertEqual(findings.count, flagged.count, listed.text)
            let threshold = try XCTUnwrap((scored.object["summary"] as? [String: Any])?["threshold"] as? Double)
            for finding in findings {
                XCTAssertEqual(finding["alert_id"] as? String, "ANOMALOUS-ROW")
                XCTAssertEqual(finding["model"] as? String, "audit")
                XCTAssertEqual(finding["model_version"] as? String, version)
                XCTAssertEqual(try XCTUnwrap(finding["threshold"] as? Double), threshold, accuracy: 1e-12)
                let metadata = try XCTUnwrap(finding["metadata"] as? [String: Any])
                XCTAssertEqual(metadata["route"] as? String, "/v1/ml/anomaly/score")
                let row = try XCTUnwrap(metadata["row_index"] as? Int)
                XCTAssertTrue(flagged.contains(row))
                XCTAssertEqual(try XCTUnwrap(finding["score"] as? Double), try XCTUnwrap(items[row]["score"] as? Double), accuracy: 1e-12)
                XCTAssertGreaterThanOrEqual(try XCTUnwrap(metadata["latency_ms"] as? Double), 0)
                let score = try XCTUnwrap(finding["score"] as? Double)
                XCTAssertEqual(finding["severity"] as? String, FindingsRecorder.severity(score: score, threshold: threshold).rawValue)
                XCTAssertNil(metadata["top_features"], "no explanation was asked for")
            }

            // detect with explain: the finding carries the top features and their contributions.
            let detected = try await client.call(.post, "/v1/ml/anomaly/detect",
                                                 ["model": "audit", "backend": "ecod", "data": [probe[5]], "explain": true])
            XCTAssertEqual(detected.status, .ok, detected.text)
            let newest = try await client.call(.get, "/v1/findings?limit=1")
            let top = try XCTUnwrap((newest.object["data"] as? [[String: Any]])?.first)
            let metadata = try XCTUnwrap(top["metadata"] as? [String: Any])
            XCTAssertEqual(metadata["route"] as? String, "/v1/ml/anomaly/detect")
            let features = try XCTUnwrap(metadata["top_features"] as? [[String: Any]], newest.text)
            XCTAssertFalse(features.isEmpty)
            let contributions = features.compactMap { $0["contribution"] as? Double }
            XCTAssertEqual(contributions, contributions.sorted(by: >), "top features are listed largest contribution first")
            XCTAssertTrue(Set(features.compactMap { $0["feature"] as? String }).isSubset(of: ["x0", "x1", "x2"]), newest.text)
        }
    }

    func testAFlaggedStreamPointAndAPredictAreFindings() async throws {
        try await serve { client in
            var last: Reply?
            for i in 0..<40 {
                last = try await client.call(.post, "/v1/ml/anomaly/stream",
                                             ["model": "feed", "min_samples": 30, "data": ["amount": 20 + Double(i % 7) * 0.3]])
            }
            XCTAssertEqual(last?.object["status"] as? String, "ready", last?.text ?? "")
            let spike = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "feed", "data": ["amount": 5_000.0]])
            let row = try XCTUnwrap((spike.object["results"] as? [[String: Any]])?.first)
            XCTAssertEqual(row["is_anomaly"] as? Bool, true, spike.text)

            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "seed", "backend": "isolation_forest",
                                                                          "data": Self.rows(200)])
            XCTAssertEqual(fit.status, .ok, fit.text)
            let predicted = try await client.call(.post, "/predict_isolation_forest", ["x0": 400.0, "x1": -900.0, "x2": 50.0])
            XCTAssertEqual(predicted.object["is_anomaly"] as? Bool, true, predicted.text)

            let listed = try await client.call(.get, "/v1/findings")
            let findings = try XCTUnwrap(listed.object["data"] as? [[String: Any]])
            let routes = findings.compactMap { ($0["metadata"] as? [String: Any])?["route"] as? String }
            XCTAssertTrue(routes.contains("/v1/ml/anomaly/stream"), listed.text)
            XCTAssertTrue(routes.contains("/predict"), listed.text)
            XCTAssertTrue(findings.contains { $0["model"] as? String == "feed" }, listed.text)
            XCTAssertTrue(findings.contains { $0["model"] as? String == "seed" }, listed.text)
        }
    }

    func testFindingsOffStoresNone() async throws {
        try await serve(findings: false) { client in
            _ = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "quiet", "backend": "ecod", "data": Self.rows(200)])
            let scored = try await client.call(.post, "/v1/ml/anomaly/score",
                                               ["model": "quiet", "backend": "ecod", "data": Self.rows(3, outliers: true)])
            XCTAssertEqual((scored.object["summary"] as? [String: Any])?["anomaly_count"] as? Int ?? 0 > 0, true, scored.text)
            let listed = try await client.call(.get, "/v1/findings")
            XCTAssertEqual(listed.object["total"] as? Int, 0, listed.text)
        }
    }

    /// While the registry refuses them, findings wait; past the capacity the oldest are dropped
    /// and counted on /metrics, and nothing is lost below it.
    func testAFullQueueDropsTheOldestAndCountsThem() async throws {
        let registry = InMemoryModelRegistry()
        let metrics = ServiceMetrics()
        let recorder = FindingsRecorder(registry: registry, metrics: metrics, capacity: 3)
        let scores = AnomalyModel.Scores(scores: [0.9, 0.95, 0.99, 0.2, 0.97, 0.98], rawScores: [9, 9.5, 9.9, 2, 9.7, 9.8],
                                         isAnomaly: [true, true, true, false, true, true], threshold: 0.5)
        recorder.record(source: .score, model: "m", version: "m_1", scores: scores, latencySeconds: 0.001)
        XCTAssertEqual(recorder.pending, 3)
        let text = String(buffer: metrics.exposition())
        XCTAssertTrue(text.contains("vigil_findings_dropped_total 2"), text)
        try await recorder.flush()
        let stored = try await registry.findings(FindingQuery())
        // The three newest flagged rows (2, 4, 5) are kept.
        XCTAssertEqual(Set(stored.map(\.finding.score)), [0.99, 0.97, 0.98])
        XCTAssertEqual(recorder.pending, 0)
    }
}
