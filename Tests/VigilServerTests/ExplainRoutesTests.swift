import Foundation
import VigilCore
import XCTest

final class ExplainRoutesTests: XCTestCase {
    static let explanationKeys: Set = ["output", "output_value", "base_value", "contributions", "top_features"]

    /// Three columns: a tight cloud, with the rows to score far out on one column each.
    static let train: [[Double]] = (0..<60).map { (i: Int) -> [Double] in
        [10 + Double(i % 7) * 0.1, 20 + Double(i % 5) * 0.1, Double(i % 3)]
    }
    static let probe: [[Double]] = [[10.3, 20.2, 1], [90, 20.1, 1], [10.2, -70, 2]]

    /// Checks one row's explanation: keys, values as sent, additivity, top features.
    private static func checkExplanation(_ row: [String: Any], sent: [Double], output: String, topK: Int,
                                  file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let explanation = try XCTUnwrap(row["explanation"] as? [String: Any], "\(row)", file: file, line: line)
        XCTAssertKeys(explanation, Self.explanationKeys, file: file, line: line)
        XCTAssertEqual(explanation["output"] as? String, output, file: file, line: line)
        let contributions = try XCTUnwrap(explanation["contributions"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(contributions.map { $0["feature"] as? String }, ["x0", "x1", "x2"], file: file, line: line)
        for (j, c) in contributions.enumerated() {
            XCTAssertKeys(c, ["feature", "value", "contribution"], file: file, line: line)
            XCTAssertEqual(c["value"] as? Double ?? .nan, sent[j], accuracy: 1e-12, file: file, line: line)
        }
        let base = try XCTUnwrap(explanation["base_value"] as? Double, file: file, line: line)
        let value = try XCTUnwrap(explanation["output_value"] as? Double, file: file, line: line)
        let total = contributions.reduce(base) { $0 + ($1["contribution"] as? Double ?? .nan) }
        XCTAssertEqual(total, value, accuracy: 1e-9 * max(1, abs(value)), file: file, line: line)
        XCTAssertEqual((explanation["top_features"] as? [String])?.count, topK, file: file, line: line)
        return explanation
    }

    func testScoreExplainsEveryRowOfASumDetector() async throws {
        try await TestService().run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "why", "backend": "ecod", "data": Self.train])
            XCTAssertEqual(fit.status, .ok, fit.text)
            let plain = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "why", "backend": "ecod", "data": Self.probe])
            let plainRows = try XCTUnwrap(plain.object["data"] as? [[String: Any]])
            XCTAssertTrue(plainRows.allSatisfy { $0["explanation"] == nil }, "no explanation unless asked")

            let score = try await client.call(.post, "/v1/ml/anomaly/score",
                                              ["model": "why", "backend": "ecod", "data": Self.probe, "explain": true, "top_k": 1])
            XCTAssertEqual(score.status, .ok, score.text)
            XCTAssertKeys(score.object, AnomalyRoutesTests.listKeys)
            let rows = try XCTUnwrap(score.object["data"] as? [[String: Any]])
            XCTAssertEqual(rows.count, 3)
            for (i, row) in rows.enumerated() {
                XCTAssertKeys(row, ["index", "score", "is_anomaly", "raw_score", "explanation"])
                let explanation = try Self.checkExplanation(row, sent: Self.probe[i], output: "raw_score", topK: 1)
                // ECOD's output is its raw score, with no base.
                XCTAssertEqual(explanation["output_value"] as? Double ?? .nan, row["raw_score"] as? Double ?? 0, accuracy: 1e-9)
                XCTAssertEqual(explanation["base_value"] as? Double, 0)
                // Scores are the same with or without the explanation.
                XCTAssertEqual(row["score"] as? Double, plainRows[i]["score"] as? Double)
            }
            // The far column of each far row is its top feature.
            XCTAssertEqual((rows[1]["explanation"] as? [String: Any])?["top_features"] as? [String], ["x0"])
            XCTAssertEqual((rows[2]["explanation"] as? [String: Any])?["top_features"] as? [String], ["x1"])
        }
    }

    func testIsolationForestExplainsItsMeanPathLengthAndDetectExplainsFlaggedRows() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "trees", "data": Self.train])
            let score = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "trees", "data": Self.probe, "explain": true])
            XCTAssertEqual(score.status, .ok, score.text)
            let rows = try XCTUnwrap(score.object["data"] as? [[String: Any]])
            let c = IsolationForest.averagePathLength(60)  // ψ = min(256, 60)
            for (i, row) in rows.enumerated() {
                let explanation = try Self.checkExplanation(row, sent: Self.probe[i], output: "mean_path_length", topK: 3)
                let pathLength = try XCTUnwrap(explanation["output_value"] as? Double)
                XCTAssertEqual(pow(2, -pathLength / c), row["raw_score"] as? Double ?? .nan, accuracy: 1e-12)
                XCTAssertGreaterThan(explanation["base_value"] as? Double ?? 0, 0)
            }
            // Shorter paths are more anomalous: the far column's contribution is negative and listed first.
            let far = try XCTUnwrap(rows[1]["explanation"] as? [String: Any])
            XCTAssertEqual((far["top_features"] as? [String])?.first, "x0")
            XCTAssertLessThan((far["contributions"] as? [[String: Any]])?[0]["contribution"] as? Double ?? 0, 0)

            // A threshold between the near row's score and the far rows' flags only the far rows.
            let scores = rows.map { $0["score"] as? Double ?? .nan }
            XCTAssertLessThan(scores[0], min(scores[1], scores[2]))
            let cut = (scores[0] + min(scores[1], scores[2])) / 2
            let detect = try await client.call(.post, "/v1/ml/anomaly/detect",
                                               ["model": "trees", "data": Self.probe, "explain": true, "threshold": cut])
            XCTAssertEqual(detect.status, .ok, detect.text)
            let found = try XCTUnwrap(detect.object["data"] as? [[String: Any]])
            XCTAssertEqual(found.map { $0["index"] as? Int }, [1, 2])
            for row in found {
                XCTAssertKeys(row, ["index", "score", "raw_score", "explanation"])
                _ = try Self.checkExplanation(row, sent: Self.probe[row["index"] as? Int ?? 0], output: "mean_path_length", topK: 3)
            }
        }
    }

    func testExplainRefusesBackendsThatCannotAndBadFields() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "near", "backend": "knn", "data": Self.train])
            let refused = try await client.call(.post, "/v1/ml/anomaly/score",
                                                ["model": "near", "backend": "knn", "data": Self.probe, "explain": true])
            XCTAssertEqual(refused.status, .badRequest, refused.text)
            XCTAssertTrue(refused.detail?.hasPrefix("explain: backend 'knn'") ?? false, refused.text)
            // Without explain the same model scores.
            let fine = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "near", "backend": "knn", "data": Self.probe])
            XCTAssertEqual(fine.status, .ok, fine.text)

            _ = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "why", "backend": "hbos", "data": Self.train])
            let zero = try await client.call(.post, "/v1/ml/anomaly/score",
                                             ["model": "why", "backend": "hbos", "data": Self.probe, "explain": true, "top_k": 0])
            XCTAssertEqual(zero.status, .unprocessableContent, zero.text)
            XCTAssertEqual(zero.loc, ["body", "top_k"])
            let wrongType = try await client.call(.post, "/v1/ml/anomaly/score",
                                                  ["model": "why", "backend": "hbos", "data": Self.probe, "explain": "yes"])
            XCTAssertEqual(wrongType.status, .unprocessableContent, wrongType.text)
            XCTAssertEqual(wrongType.loc, ["body", "explain"])
            // top_k beyond the feature count lists every feature.
            let wide = try await client.call(.post, "/v1/ml/anomaly/score",
                                             ["model": "why", "backend": "hbos", "data": Self.probe, "explain": true, "top_k": 50])
            XCTAssertEqual(wide.status, .ok, wide.text)
            let rows = try XCTUnwrap(wide.object["data"] as? [[String: Any]])
            _ = try Self.checkExplanation(rows[0], sent: Self.probe[0], output: "raw_score", topK: 3)
            // NaN has no JSON spelling; ±inf in a row is refused as without explain.
            let infinite = try await client.call(.post, "/v1/ml/anomaly/score",
                                                 #"{"model": "why", "backend": "hbos", "data": [[1e999, 1, 1]], "explain": true}"#)
            XCTAssertTrue([.badRequest, .unprocessableContent].contains(infinite.status), infinite.text)
            // An unknown model is the same 400 as without explain.
            let unknown = try await client.call(.post, "/v1/ml/anomaly/score",
                                                ["model": "nobody", "backend": "hbos", "data": Self.probe, "explain": true])
            XCTAssertEqual(unknown.status, .badRequest, unknown.text)
        }
    }

    func testStreamExplainsScoredPointsAndRefusesUnexplainableBackends() async throws {
        try await TestService().run { client in
            let points: [[String: Double]] = (0..<30).map { (i: Int) -> [String: Double] in
                ["a": 10 + Double(i % 7) * 0.1, "b": 20 + Double(i % 5) * 0.1]
            }
            let warm = try await client.call(.post, "/v1/ml/anomaly/stream",
                                             ["model": "s", "data": points, "min_samples": 20, "explain": true])
            XCTAssertEqual(warm.status, .ok, warm.text)
            let results = try XCTUnwrap(warm.object["results"] as? [[String: Any]])
            // Collecting points and the one that completes the cold start carry no explanation.
            XCTAssertTrue(results[0..<20].allSatisfy { $0["explanation"] == nil })
            for row in results[20...] {
                let explanation = try XCTUnwrap(row["explanation"] as? [String: Any], "\(row)")
                XCTAssertKeys(explanation, Self.explanationKeys)
                let contributions = try XCTUnwrap(explanation["contributions"] as? [[String: Any]])
                XCTAssertEqual(contributions.map { $0["feature"] as? String }, ["a", "b"])
                let base = explanation["base_value"] as? Double ?? .nan
                let total = contributions.reduce(base) { (sum: Double, c: [String: Any]) -> Double in sum + (c["contribution"] as? Double ?? .nan) }
                XCTAssertEqual(total, row["raw_score"] as? Double ?? .nan, accuracy: 1e-9)
            }
            let refused = try await client.call(.post, "/v1/ml/anomaly/stream",
                                                ["model": "s-knn", "backend": "knn", "data": points, "explain": true])
            XCTAssertEqual(refused.status, .badRequest, refused.text)
            XCTAssertTrue(refused.detail?.hasPrefix("explain:") ?? false, refused.text)
            // The refused request made no detector.
            let missing = try await client.call(.get, "/v1/ml/anomaly/stream/s-knn")
            XCTAssertEqual(missing.status, .notFound, missing.text)
        }
    }
}
