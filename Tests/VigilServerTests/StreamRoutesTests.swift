import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import VigilCore
import VigilStore
import XCTest
@testable import VigilServer

/// A stream trainer that blocks every fit after the first until the test opens the gate.
final class GatedTrainer: @unchecked Sendable {
    private let lock = NSLock()
    private var fits = 0
    private let gate = DispatchSemaphore(value: 0)

    /// Number of fits started.
    var started: Int { lock.withLock { fits } }

    /// Lets one held fit finish.
    func open() { gate.signal() }

    /// The trainer: the standard fit, held at the gate from the second call on.
    var trainer: StreamTrainer {
        { [self] window, names, configuration in
            let n = lock.withLock { fits += 1; return fits }
            if n > 1 { gate.wait() }
            return try StreamService.standardTrainer(window, names, configuration)
        }
    }
}

/// A score carried from one test application to the next.
final class ScoreBox: @unchecked Sendable {
    var value = 0.0
}

final class StreamRoutesTests: XCTestCase {
    static let resultKeys: Set = ["object", "model", "status", "results", "model_version", "samples_collected",
                                  "samples_until_ready", "threshold"]
    static let rowKeys: Set = ["index", "score", "is_anomaly", "raw_score", "samples_until_ready"]
    static let statsKeys: Set = ["model_id", "backend", "status", "model_version", "samples_collected", "total_processed",
                                 "samples_since_retrain", "min_samples", "retrain_interval", "window_size", "threshold", "is_ready"]

    /// Point `i` of a steady sensor: temperature near 20, humidity near 50.
    static func point(_ i: Int) -> [String: Any] {
        ["temperature": 20 + Double(i % 7) * 0.3, "humidity": 50 + Double(i % 5) * 0.5, "sensor": "a"]
    }

    func run(registry: InMemoryModelRegistry = InMemoryModelRegistry(), trainer: @escaping StreamTrainer = StreamService.standardTrainer,
             ownershipCheck: Duration = .seconds(1),
             _ body: @escaping @Sendable (any TestClientProtocol, StreamService) async throws -> Void) async throws {
        try await Self.replica(registry: registry, trainer: trainer, ownershipCheck: ownershipCheck, body)
    }

    /// One service (a replica) on `registry`, driven by `body`.
    static func replica(registry: InMemoryModelRegistry, trainer: @escaping StreamTrainer = StreamService.standardTrainer,
                        ownershipCheck: Duration,
                        _ body: @escaping @Sendable (any TestClientProtocol, StreamService) async throws -> Void) async throws {
        let dependencies = ServerDependencies(registry: registry, storeLocation: "memory", streamTrainer: trainer,
                                              streamOwnershipCheck: ownershipCheck)
        let app = buildApplication(ServerConfiguration(), dependencies: dependencies, logger: Logger(label: "vigil-test"))
        try await app.test(.router) { client in try await body(client, dependencies.streams) }
    }

    func testColdStartThenScoresEveryPointLikeADirectFit() async throws {
        try await run { client, _ in
            for i in 0..<9 {
                let r = try await client.call(.post, "/v1/ml/anomaly/stream",
                                              ["model": "sensor-stream", "data": Self.point(i), "min_samples": 10])
                XCTAssertEqual(r.status, .ok, r.text)
                XCTAssertKeys(r.object, Self.resultKeys)
                XCTAssertEqual(r.object["object"] as? String, "streaming_result")
                XCTAssertEqual(r.object["status"] as? String, "collecting")
                XCTAssertEqual(r.object["model_version"] as? Int, 0)
                XCTAssertEqual(r.object["samples_collected"] as? Int, i + 1)
                XCTAssertEqual(r.object["samples_until_ready"] as? Int, 9 - i)
                XCTAssertEqual(r.object["threshold"] as? Double, 0.5)
                let row = try XCTUnwrap((r.object["results"] as? [[String: Any]])?.first)
                XCTAssertKeys(row, Self.rowKeys)
                XCTAssertTrue(row["score"] is NSNull && row["is_anomaly"] is NSNull && row["raw_score"] is NSNull, r.text)
                XCTAssertEqual(row["samples_until_ready"] as? Int, 9 - i)
            }
            // The tenth point completes the cold start: the model is fitted, the point itself is not scored.
            let trigger = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "sensor-stream", "data": Self.point(9)])
            XCTAssertEqual(trigger.object["status"] as? String, "ready", trigger.text)
            XCTAssertEqual(trigger.object["model_version"] as? Int, 1)
            XCTAssertEqual(trigger.object["samples_until_ready"] as? Int, 0)
            let triggerRow = try XCTUnwrap((trigger.object["results"] as? [[String: Any]])?.first)
            XCTAssertTrue(triggerRow["score"] is NSNull, trigger.text)

            // Later points are scored by ECOD fitted on the ten points (columns sorted: humidity, temperature).
            let window = try Matrix((0..<10).map { (i: Int) -> [Double] in
                let humidity: Double = 50 + Double(i % 5) * 0.5
                let temperature: Double = 20 + Double(i % 7) * 0.3
                return [humidity, temperature]
            })
            let direct = try AnomalyModel.fit(window, featureNames: ["humidity", "temperature"], settings: .defaults(for: .ecod),
                                              normalization: .standardization, contamination: 0.1, seed: 42).model
            let probe = try await client.call(.post, "/v1/ml/anomaly/stream",
                                              ["model": "sensor-stream", "data": [Self.point(3), ["temperature": 95.0, "humidity": 5.0]]])
            XCTAssertEqual(probe.status, .ok, probe.text)
            let rows = try XCTUnwrap(probe.object["results"] as? [[String: Any]])
            let expected = try direct.score(try Matrix([[50 + 1.5, 20 + 0.9], [5, 95]]), threshold: 0.5)
            XCTAssertEqual(rows.map { $0["index"] as? Int }, [0, 1])
            for (i, row) in rows.enumerated() {
                XCTAssertEqual(row["raw_score"] as? Double ?? .nan, expected.rawScores[i], accuracy: 1e-12)
                XCTAssertEqual(row["score"] as? Double ?? .nan, expected.scores[i], accuracy: 1e-12)
                XCTAssertEqual(row["is_anomaly"] as? Bool, expected.isAnomaly[i])
                XCTAssertEqual(row["samples_until_ready"] as? Int, 0)
            }
            XCTAssertEqual(rows[1]["is_anomaly"] as? Bool, true)
        }
    }

    func testRetrainsInTheBackgroundAndSavesEachModelToTheRegistry() async throws {
        let registry = InMemoryModelRegistry()
        try await run(registry: registry) { client, streams in
            let batch = (0..<10).map(Self.point)
            _ = try await client.call(.post, "/v1/ml/anomaly/stream",
                                      ["model": "s", "data": batch, "min_samples": 10, "retrain_interval": 10, "window_size": 50])
            for round in 0..<2 {
                let r = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "s", "data": batch])
                XCTAssertEqual(r.status, .ok, r.text)
                await streams.waitForRetrains()
                let stats = try await client.call(.get, "/v1/ml/anomaly/stream/s")
                XCTAssertEqual(stats.object["model_version"] as? Int, 2 + round, stats.text)
                XCTAssertEqual(stats.object["status"] as? String, "ready")
                XCTAssertEqual(stats.object["samples_collected"] as? Int, 20 + 10 * round)
            }
            let metrics = try await client.call(.get, "/metrics")
            XCTAssertTrue(metrics.text.contains(#"vigil_stream_retrains_total{model="s"} 2"#), metrics.text)
            XCTAssertTrue(metrics.text.contains(#"vigil_scores_total{model="s"} 20"#), metrics.text)
            let versions = try await registry.list(name: "s", backend: "ecod")
            XCTAssertEqual(versions.count, 3)
            XCTAssertEqual(versions.first?.featureNames, ["humidity", "temperature"])
            XCTAssertEqual(versions.first?.trainingRows, 30)
        }
    }

    func testScoringContinuesWithTheOldModelWhileASlowRetrainRuns() async throws {
        let gated = GatedTrainer()
        try await run(trainer: gated.trainer) { client, streams in
            let settings: [String: Any] = ["model": "slow", "min_samples": 10, "retrain_interval": 10]
            _ = try await client.call(.post, "/v1/ml/anomaly/stream", settings.merging(["data": (0..<10).map(Self.point)]) { a, _ in a })
            // Ten more points schedule a retrain, which blocks at the gate.
            _ = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "slow", "data": (10..<20).map(Self.point)])
            for _ in 0..<200 where gated.started < 2 { try await Task.sleep(for: .milliseconds(5)) }
            XCTAssertEqual(gated.started, 2)
            for i in 20..<25 {
                let r = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "slow", "data": Self.point(i)])
                XCTAssertEqual(r.status, .ok, r.text)
                XCTAssertEqual(r.object["status"] as? String, "retraining", r.text)
                XCTAssertEqual(r.object["model_version"] as? Int, 1)
                let row = try XCTUnwrap((r.object["results"] as? [[String: Any]])?.first)
                XCTAssertNotNil(row["score"] as? Double, r.text)
            }
            gated.open()
            await streams.waitForRetrains()
            let after = try await client.call(.get, "/v1/ml/anomaly/stream/slow")
            XCTAssertEqual(after.object["model_version"] as? Int, 2, after.text)
            XCTAssertEqual(after.object["status"] as? String, "ready")
        }
    }

    func testDetectorsListGetResetAndDelete() async throws {
        try await run { client, _ in
            let empty = try await client.call(.get, "/v1/ml/anomaly/stream/detectors")
            XCTAssertEqual(empty.object["total"] as? Int, 0)
            _ = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "b", "data": (0..<12).map(Self.point), "min_samples": 10,
                                                                       "backend": "hbos"])
            _ = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "a", "data": Self.point(0)])
            let list = try await client.call(.get, "/v1/ml/anomaly/stream/detectors")
            XCTAssertKeys(list.object, ["object", "total", "data"])
            XCTAssertEqual(list.object["total"] as? Int, 2)
            let items = try XCTUnwrap(list.object["data"] as? [[String: Any]])
            XCTAssertEqual(items.map { $0["model_id"] as? String }, ["a", "b"])
            XCTAssertKeys(items[1], Self.statsKeys)
            XCTAssertEqual(items[1]["backend"] as? String, "hbos")
            XCTAssertEqual(items[1]["is_ready"] as? Bool, true)
            XCTAssertEqual(items[1]["total_processed"] as? Int, 12)
            XCTAssertEqual(items[1]["samples_since_retrain"] as? Int, 2)
            XCTAssertEqual(items[0]["min_samples"] as? Int, 50)
            XCTAssertEqual(items[0]["window_size"] as? Int, 1000)
            XCTAssertEqual(items[0]["retrain_interval"] as? Int, 100)

            let one = try await client.call(.get, "/v1/ml/anomaly/stream/b")
            XCTAssertKeys(one.object, Self.statsKeys.union(["object"]))
            XCTAssertEqual(one.object["object"] as? String, "streaming_detector")

            let reset = try await client.call(.post, "/v1/ml/anomaly/stream/b/reset")
            XCTAssertEqual(reset.status, .ok, reset.text)
            XCTAssertEqual(reset.object as NSDictionary, ["object": "reset_result", "model": "b", "status": "collecting", "reset": true])
            let afterReset = try await client.call(.get, "/v1/ml/anomaly/stream/b")
            XCTAssertEqual(afterReset.object["status"] as? String, "collecting")
            XCTAssertEqual(afterReset.object["model_version"] as? Int, 0)
            XCTAssertEqual(afterReset.object["samples_collected"] as? Int, 0)

            let deleted = try await client.call(.delete, "/v1/ml/anomaly/stream/b")
            XCTAssertEqual(deleted.object as NSDictionary, ["object": "delete_result", "model": "b", "deleted": true])
            for (method, path) in [(HTTPRequest.Method.get, "/v1/ml/anomaly/stream/b"), (.delete, "/v1/ml/anomaly/stream/b"),
                                   (.post, "/v1/ml/anomaly/stream/b/reset")] {
                let gone = try await client.call(method, path)
                XCTAssertEqual(gone.status, .notFound, path)
                XCTAssertEqual(gone.detail, "Streaming detector not found: b")
            }
            let injected = try await client.call(.get, "/v1/ml/anomaly/stream/..%2Fx")
            XCTAssertEqual(injected.status, .badRequest, injected.text)
            XCTAssertEqual(injected.detail, "Invalid model_id: ../x")
        }
    }

    func testBadStreamRequests() async throws {
        try await run { client, _ in
            func post(_ body: Any) async throws -> Reply { try await client.call(.post, "/v1/ml/anomaly/stream", body) }
            let cases: [([String: Any], String)] = [
                (["data": Self.point(0), "window_size": 10], "window_size"),
                (["data": Self.point(0), "window_size": 1_000_000], "window_size"),
                (["data": Self.point(0), "min_samples": 5], "min_samples"),
                (["data": Self.point(0), "min_samples": 200, "window_size": 100], "min_samples"),
                (["data": Self.point(0), "retrain_interval": 0], "retrain_interval"),
                (["data": Self.point(0), "threshold": 1.5], "threshold"),
                (["data": Self.point(0), "contamination": 0.9], "contamination"),
                (["data": Self.point(0), "backend": "prophet"], "backend"),
                (["data": Self.point(0), "rolling_windows": [0]], "rolling_windows"),
                (["data": Self.point(0), "include_lags": true, "lag_periods": [2, 2]], "lag_periods"),
                (["data": "x"], "data"),
                (["data": [1, 2]], "data"),
                (["model": "m"], "data"),
            ]
            for (body, field) in cases {
                let r = try await post(body)
                XCTAssertEqual(r.status, .unprocessableContent, "\(body): \(r.text)")
                XCTAssertEqual(r.loc.dropFirst().first, field, "\(body): \(r.text)")
            }
            let empty = try await post(["data": [] as [Any]])
            XCTAssertEqual(empty.status, .badRequest)
            XCTAssertEqual(empty.detail, "data is empty: send one point or a list of points")
            let words = try await post(["model": "w", "data": ["city": "Oslo"]])
            XCTAssertEqual(words.status, .badRequest)
            XCTAssertEqual(words.detail?.hasPrefix("data[0] has no numeric field"), true, words.text)
            let path = try await post(["model": "../etc", "data": Self.point(0)])
            XCTAssertEqual(path.status, .badRequest)
            XCTAssertEqual(path.detail, "Invalid model_id: ../etc")
            let nan = try await post(#"{"data": {"temperature": NaN}}"#)
            XCTAssertEqual(nan.status, .unprocessableContent, nan.text)
            let list = try await client.call(.get, "/v1/ml/anomaly/stream/detectors")
            XCTAssertEqual(list.object["total"] as? Int, 0, "a refused request creates no detector")
        }
    }

    func testRollingFeaturesExtendEachPoint() async throws {
        let registry = InMemoryModelRegistry()
        try await run(registry: registry) { client, _ in
            let r = try await client.call(.post, "/v1/ml/anomaly/stream",
                                          ["model": "roll", "data": (0..<12).map { ["amount": Double($0)] }, "min_samples": 10,
                                           "rolling_windows": [3], "include_lags": true, "lag_periods": [1]])
            XCTAssertEqual(r.status, .ok, r.text)
            let version = try await registry.resolve("roll-latest")
            XCTAssertEqual(version.featureNames, ["amount", "amount_rolling_mean_3", "amount_rolling_std_3", "amount_rolling_min_3",
                                                  "amount_rolling_max_3", "amount_lag_1"])
        }
    }

    /// A request to the detector `keep` (rolling window 2) with `points`.
    static func keep(_ points: Range<Int>) -> [String: Any] {
        ["model": "keep", "min_samples": 10, "retrain_interval": 15, "rolling_windows": [2], "data": points.map(point)]
    }

    /// The score of the last point in a stream answer.
    static func lastScore(_ reply: Reply) throws -> Double {
        try XCTUnwrap(((reply.object["results"] as? [[String: Any]])?.last?["score"]) as? Double, reply.text)
    }

    func testARestartedServiceResumesEachDetectorFromItsCheckpoint() async throws {
        let registry = InMemoryModelRegistry()
        try await run(registry: registry) { client, streams in
            let r = try await client.call(.post, "/v1/ml/anomaly/stream", Self.keep(0..<14))
            XCTAssertEqual(r.object["status"] as? String, "ready", r.text)
            await streams.shutdown()
        }
        let resumed = ScoreBox()
        try await run(registry: registry) { client, _ in
            let stats = try await client.call(.get, "/v1/ml/anomaly/stream/keep")
            XCTAssertEqual(stats.status, .ok, stats.text)
            XCTAssertEqual(stats.object["status"] as? String, "ready")
            XCTAssertEqual(stats.object["model_version"] as? Int, 1)
            XCTAssertEqual(stats.object["samples_collected"] as? Int, 14)
            XCTAssertEqual(stats.object["total_processed"] as? Int, 14)
            XCTAssertEqual(stats.object["samples_since_retrain"] as? Int, 4)
            let next = try await client.call(.post, "/v1/ml/anomaly/stream", ["model": "keep", "data": Self.point(14)])
            XCTAssertEqual(next.object["model_version"] as? Int, 1, next.text)
            resumed.value = try Self.lastScore(next)
        }
        // An uninterrupted run of the same points gives the same score: same model, same rolling state.
        try await run { client, _ in
            let r = try await client.call(.post, "/v1/ml/anomaly/stream", Self.keep(0..<15))
            XCTAssertEqual(try Self.lastScore(r), resumed.value, accuracy: 1e-12)
        }
    }

    /// Two replicas on one registry. B, asked for a stream it does not hold, resumes it from A's
    /// checkpoint. A, still holding its copy, cannot overwrite B's newer checkpoint, and on its next
    /// check continues from B's state: the scores are those of one uninterrupted run.
    func testAnotherReplicaTakesAStreamOverAndTheStaleCopyYields() async throws {
        let registry = InMemoryModelRegistry()
        let scores = ScoreBox(), total = ScoreBox()
        // A checks ownership only hourly, so it keeps using its stale copy until its write is refused.
        try await run(registry: registry, ownershipCheck: .seconds(3600)) { a, streamsA in
            let first = try await a.call(.post, "/v1/ml/anomaly/stream", Self.keep(0..<14))
            XCTAssertEqual(first.object["status"] as? String, "ready", first.text)
            await streamsA.checkpointChanged()
            try await Self.replica(registry: registry, ownershipCheck: .zero) { b, streamsB in
                let viaB = try await b.call(.post, "/v1/ml/anomaly/stream", ["model": "keep", "data": Self.point(14)])
                XCTAssertEqual(viaB.object["model_version"] as? Int, 1, viaB.text)
                let stats = try await b.call(.get, "/v1/ml/anomaly/stream/keep")
                XCTAssertEqual(stats.object["total_processed"] as? Int, 15, stats.text)
                await streamsB.checkpointChanged()
            }
            // A's copy is stale (14 points); its point and its checkpoint write must not win.
            _ = try await a.call(.post, "/v1/ml/anomaly/stream", ["model": "keep", "data": Self.point(99)])
            await streamsA.checkpointChanged()
            let saved = try await registry.checkpoint(id: "keep")
            let stored = try XCTUnwrap(saved)
            let state = try StreamService.decoder.decode(StreamCheckpointState.self, from: Data(stored.data))
            XCTAssertEqual(state.totalProcessed, 15, "the replica that lost the stream overwrote the new owner's checkpoint")
            // Refused once, A resumes B's state on its next use.
            let back = try await a.call(.post, "/v1/ml/anomaly/stream", ["model": "keep", "data": Self.point(15)])
            scores.value = try Self.lastScore(back)
            let after = try await a.call(.get, "/v1/ml/anomaly/stream/keep")
            total.value = Double(try XCTUnwrap(after.object["total_processed"] as? Int, after.text))
        }
        XCTAssertEqual(total.value, 16)
        try await run { client, _ in
            let r = try await client.call(.post, "/v1/ml/anomaly/stream", Self.keep(0..<16))
            XCTAssertEqual(try Self.lastScore(r), scores.value, accuracy: 1e-12)
        }
    }

    /// A stream deleted through one replica is gone from another that held it, once it checks.
    func testADeleteThroughOneReplicaReachesTheOther() async throws {
        let registry = InMemoryModelRegistry()
        try await run(registry: registry, ownershipCheck: .zero) { a, streamsA in
            _ = try await a.call(.post, "/v1/ml/anomaly/stream", Self.keep(0..<12))
            await streamsA.checkpointChanged()
            try await Self.replica(registry: registry, ownershipCheck: .zero) { b, _ in
                let held = try await b.call(.get, "/v1/ml/anomaly/stream/keep")
                XCTAssertEqual(held.status, .ok, held.text)
                let deleted = try await b.call(.delete, "/v1/ml/anomaly/stream/keep")
                XCTAssertEqual(deleted.status, .ok, deleted.text)
            }
            let gone = try await a.call(.get, "/v1/ml/anomaly/stream/keep")
            XCTAssertEqual(gone.status, .notFound, gone.text)
        }
    }
}
