import VigilCore
import VigilFeatures
import VigilServer
import VigilStore
import XCTest

final class AnomalyRoutesTests: XCTestCase {
    static let fitKeys: Set = ["object", "model", "backend", "samples_fitted", "training_time_ms", "model_params", "encoder",
                               "saved_path", "status", "base_name", "versioned_name", "overwrite"]
    static let listKeys: Set = ["object", "data", "total_count", "model", "backend", "summary"]

    /// The scores computed in process the way the service must: robust scaler, default detector, seed 42.
    func direct(_ train: [[Double]], _ rows: [[Double]], backend: Backend = .isolationForest) throws -> AnomalyModel.Scores {
        let x = try Matrix(train)
        let pipeline = try FeaturePipeline.fit(x, scaler: .robust)
        let (model, _) = try AnomalyModel.fit(try pipeline.transform(x), featureNames: pipeline.featureNames,
                                              settings: .defaults(for: backend), normalization: .standardization,
                                              contamination: 0.1, seed: 42)
        return try model.score(try pipeline.transform(try Matrix(rows)))
    }

    func testFitThenScoreAndDetectWithLatest() async throws {
        let expected = try direct(cloud(), [[10.3, 20.2], [50, -40]])
        try await TestService().run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "sensor", "data": cloud()])
            XCTAssertEqual(fit.status, .ok, fit.text)
            XCTAssertKeys(fit.object, Self.fitKeys)
            let version = try XCTUnwrap(fit.object["model"] as? String)
            XCTAssertNotNil(version.range(of: #"^sensor_\d{8}_\d{6}(_\d+)?$"#, options: .regularExpression), version)
            XCTAssertEqual(fit.object["object"] as? String, "fit_result")
            XCTAssertEqual(fit.object["versioned_name"] as? String, version)
            XCTAssertEqual(fit.object["base_name"] as? String, "sensor")
            XCTAssertEqual(fit.object["overwrite"] as? Bool, false)
            XCTAssertEqual(fit.object["samples_fitted"] as? Int, 40)
            XCTAssertEqual(fit.object["status"] as? String, "fitted")
            XCTAssertTrue(fit.object["encoder"] is NSNull)
            XCTAssertTrue((fit.object["saved_path"] as? String)?.hasSuffix("#" + version) ?? false)
            XCTAssertTrue(fit.text.contains(#""saved_path":"/tmp/vigil-test/registry.sqlite#"#), fit.text)  // slashes unescaped
            let params = try XCTUnwrap(fit.object["model_params"] as? [String: Any])
            XCTAssertKeys(params, ["backend", "contamination", "threshold", "input_dim"])
            XCTAssertEqual(params["input_dim"] as? Int, 2)
            XCTAssertEqual(params["threshold"] as? Double, 0.5)  // standardization's boundary, by definition

            let score = try await client.call(.post, "/v1/ml/anomaly/score",
                                              ["model": "sensor-latest", "data": [[10.3, 20.2], [50, -40]]])
            XCTAssertEqual(score.status, .ok, score.text)
            XCTAssertKeys(score.object, Self.listKeys)
            XCTAssertEqual(score.object["model"] as? String, version)
            XCTAssertEqual(score.object["backend"] as? String, "isolation_forest")
            XCTAssertEqual(score.object["total_count"] as? Int, 2)
            let rows = try XCTUnwrap(score.object["data"] as? [[String: Any]])
            for (i, row) in rows.enumerated() {
                XCTAssertKeys(row, ["index", "score", "is_anomaly", "raw_score"])
                XCTAssertEqual(row["index"] as? Int, i)
                XCTAssertEqual(row["score"] as? Double ?? .nan, expected.scores[i], accuracy: 1e-12)
                XCTAssertEqual(row["raw_score"] as? Double ?? .nan, expected.rawScores[i], accuracy: 1e-12)
                XCTAssertEqual(row["is_anomaly"] as? Bool, expected.isAnomaly[i])
            }
            XCTAssertEqual(rows[1]["is_anomaly"] as? Bool, true)
            XCTAssertEqual(rows[0]["is_anomaly"] as? Bool, false)
            let summary = try XCTUnwrap(score.object["summary"] as? [String: Any])
            XCTAssertKeys(summary, ["total_points", "anomaly_count", "anomaly_rate", "threshold"])
            XCTAssertEqual(summary["anomaly_count"] as? Int, 1)
            XCTAssertEqual(summary["anomaly_rate"] as? Double, 0.5)

            // A threshold between the two rows' scores flags only the outlier.
            let cut = (expected.scores[0] + expected.scores[1]) / 2
            let detect = try await client.call(.post, "/v1/ml/anomaly/detect",
                                               ["model": "sensor-latest", "data": [[10.3, 20.2], [50, -40]], "threshold": cut])
            XCTAssertEqual(detect.status, .ok, detect.text)
            XCTAssertKeys(detect.object, Self.listKeys)
            let found = try XCTUnwrap(detect.object["data"] as? [[String: Any]])
            guard found.count == 1 else { return XCTFail("expected one flagged row: \(detect.text)") }
            XCTAssertKeys(found[0], ["index", "score", "raw_score"])
            XCTAssertEqual(found[0]["index"] as? Int, 1)
            let detectSummary = try XCTUnwrap(detect.object["summary"] as? [String: Any])
            XCTAssertKeys(detectSummary, ["anomalies_detected", "threshold"])
            // (JSONSerialization's parser may differ from the sent value in the last bit.)
            XCTAssertEqual(detectSummary["threshold"] as? Double ?? .nan, cut, accuracy: 1e-12)
        }
    }

    func testEveryBackendFitsAndResolvesLatest() async throws {
        try await TestService().run { client in
            for backend in Backend.allCases {
                let fit = try await client.call(.post, "/v1/ml/anomaly/fit",
                                                ["model": "m", "backend": backend.rawValue, "data": cloud(), "normalization": "zscore"])
                XCTAssertEqual(fit.status, .ok, fit.text)
                let score = try await client.call(.post, "/v1/ml/anomaly/score",
                                                  ["model": "m-latest", "backend": backend.rawValue, "normalization": "zscore",
                                                   "data": [[10.2, 20.1]]])
                XCTAssertEqual(score.status, .ok, "\(backend): \(score.text)")
                XCTAssertEqual(score.object["model"] as? String, fit.object["model"] as? String)
                XCTAssertEqual(score.object["backend"] as? String, backend.rawValue)
            }
        }
    }

    func testRecordsWithASchemaScoreAsAtFitAsRecordsAndAsEncodedNumbers() async throws {
        nonisolated(unsafe) let records: [[String: Any]] = (0..<30).map { i in ["amount": Double(i % 6) + 10, "country": ["de", "fr"][i % 2], "note": "x"] }
        let schema = ["amount": "numeric", "country": "label"]
        nonisolated(unsafe) let probe: [[String: Any]] = [["amount": 11.0, "country": "fr"], ["amount": 900.0, "country": "jp"]]
        // Direct: the same pipeline in process.
        func record(_ r: [String: Any]) -> Record {
            r.compactMapValues { v -> FieldValue? in
                if let d = v as? Double { return .number(d) }
                return (v as? String).map(FieldValue.string)
            }
        }
        let pipeline = try FeaturePipeline.fit(records: records.map(record), schema: try Schema(types: schema))
        let (model, _) = try AnomalyModel.fit(try pipeline.transform(records: records.map(record)), featureNames: pipeline.featureNames,
                                              settings: .defaults(for: .ecod), seed: 42)
        let expected = try model.score(try pipeline.transform(records: probe.map(record)))
        let encoded = try XCTUnwrap(pipeline.encoder).transform(probe.map(record))

        try await TestService().run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit",
                                            ["model": "pay", "backend": "ecod", "data": records, "schema": schema])
            XCTAssertEqual(fit.status, .ok, fit.text)
            let encoder = try XCTUnwrap(fit.object["encoder"] as? [String: Any])
            XCTAssertKeys(encoder, ["schema", "features"])
            XCTAssertEqual(encoder["features"] as? [String], ["amount", "country"])
            XCTAssertEqual((fit.object["model_params"] as? [String: Any])?["input_dim"] as? Int, 2)

            let byRecords = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "pay", "backend": "ecod", "data": probe])
            let byNumbers = try await client.call(.post, "/v1/ml/anomaly/score",
                                                  ["model": "pay", "backend": "ecod", "data": [encoded.row(0), encoded.row(1)]])
            for reply in [byRecords, byNumbers] {
                XCTAssertEqual(reply.status, .ok, reply.text)
                let rows = try XCTUnwrap(reply.object["data"] as? [[String: Any]])
                let scores = rows.map { $0["score"] as? Double ?? .nan }
                XCTAssertEqual(scores.count, expected.scores.count)
                for (got, want) in zip(scores, expected.scores) { XCTAssertEqual(got, want, accuracy: 1e-12) }
            }
        }
    }

    func testSaveLoadListAndDelete() async throws {
        try await TestService().run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit",
                                            ["model": "api", "backend": "hbos", "data": cloud(), "description": "nightly"])
            let version = try XCTUnwrap(fit.object["model"] as? String)
            let filename = version + "_hbos.vigil"

            let save = try await client.call(.post, "/v1/ml/anomaly/save", ["model": "api", "backend": "hbos"])
            XCTAssertEqual(save.status, .ok, save.text)
            XCTAssertKeys(save.object, ["object", "model", "backend", "filename", "path", "encoder_path", "status"])
            XCTAssertEqual(save.object["object"] as? String, "save_result")
            XCTAssertEqual(save.object["filename"] as? String, filename)
            XCTAssertTrue(save.object["encoder_path"] is NSNull)
            XCTAssertEqual(save.object["status"] as? String, "saved")

            let load = try await client.call(.post, "/v1/ml/anomaly/load", ["model": "api-latest", "backend": "hbos"])
            XCTAssertEqual(load.status, .ok, load.text)
            XCTAssertKeys(load.object, ["object", "model", "backend", "normalization", "filename", "is_fitted", "threshold",
                                        "encoder_loaded", "encoder_schema", "status"])
            XCTAssertEqual(load.object["model"] as? String, version)
            XCTAssertEqual(load.object["normalization"] as? String, "standardization")
            XCTAssertEqual(load.object["encoder_loaded"] as? Bool, false)
            XCTAssertEqual(load.object["status"] as? String, "loaded")

            let list = try await client.call(.get, "/v1/ml/anomaly/models")
            XCTAssertEqual(list.status, .ok)
            XCTAssertKeys(list.object, ["object", "total", "data"])
            XCTAssertEqual(list.object["total"] as? Int, 1)
            let item = try XCTUnwrap((list.object["data"] as? [[String: Any]])?.first)
            XCTAssertKeys(item, ["name", "filename", "base_name", "backend", "path", "size_bytes", "created", "is_versioned", "description"])
            XCTAssertEqual(item["filename"] as? String, filename)
            XCTAssertEqual(item["base_name"] as? String, "api")
            XCTAssertEqual(item["description"] as? String, "nightly")
            XCTAssertEqual(item["is_versioned"] as? Bool, true)

            let delete = try await client.call(.delete, "/v1/ml/anomaly/models/\(filename)")
            XCTAssertEqual(delete.status, .ok, delete.text)
            XCTAssertKeys(delete.object, ["object", "filename", "deleted"])
            XCTAssertEqual(delete.object["deleted"] as? Bool, true)
            let after = try await client.call(.get, "/v1/ml/anomaly/models")
            XCTAssertEqual(after.object["total"] as? Int, 0)
            let gone = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "api", "backend": "hbos", "data": [[1, 2]]])
            XCTAssertEqual(gone.status, .badRequest)
        }
    }

    func testOverwriteReplacesTheNewestVersionAndDefaultCreatesOne() async throws {
        try await TestService().run { client in
            let first = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "o", "data": cloud()])
            let second = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "o", "data": cloud()])
            XCTAssertNotEqual(first.object["model"] as? String, second.object["model"] as? String)
            let third = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "o", "data": cloud(), "overwrite": true])
            XCTAssertEqual(third.object["model"] as? String, second.object["model"] as? String)
            XCTAssertEqual(third.object["overwrite"] as? Bool, true)
            let list = try await client.call(.get, "/v1/ml/anomaly/models")
            XCTAssertEqual(list.object["total"] as? Int, 2)
        }
    }

    func testBackendsListsWhatVigilHasInLlamaFarmsOrderAndWords() async throws {
        try await TestService().run { client in
            let reply = try await client.call(.get, "/v1/ml/anomaly/backends")
            XCTAssertEqual(reply.status, .ok)
            XCTAssertKeys(reply.object, ["object", "total", "categories", "data"])
            let data = try XCTUnwrap(reply.object["data"] as? [[String: Any]])
            XCTAssertEqual(reply.object["total"] as? Int, Backend.allCases.count)
            XCTAssertEqual(Set(data.compactMap { $0["backend"] as? String }), Set(Backend.allCases.map(\.rawValue)))
            // LlamaFarm's order: legacy first, then fast (copod, ecod, hbos by name).
            let order = data.compactMap { $0["backend"] as? String }
            XCTAssertEqual(order.first, "isolation_forest")
            if let c = order.firstIndex(of: "copod"), let e = order.firstIndex(of: "ecod"), let h = order.firstIndex(of: "hbos") {
                XCTAssertLessThan(c, e)
                XCTAssertLessThan(e, h)
            }
            let forest = data[0]
            XCTAssertKeys(forest, ["backend", "name", "description", "category", "speed", "memory", "parameters", "best_for", "is_legacy"])
            XCTAssertEqual(forest["name"] as? String, "Isolation Forest")
            XCTAssertEqual(forest["description"] as? String, "Tree-based ensemble method. Fast and effective default choice.")
            XCTAssertEqual(forest["best_for"] as? String, "General purpose, high-dimensional data")
            XCTAssertEqual(forest["parameters"] as? [String], ["n_estimators", "max_samples", "contamination"])
            XCTAssertEqual(forest["is_legacy"] as? Bool, true)
            XCTAssertEqual((reply.object["categories"] as? [String])?.first, "legacy")
        }
    }
}

final class ModelCacheRoutesTests: XCTestCase {
    /// A version saved by another writer (here: straight into the registry) is what `-latest`
    /// scores with once the registry's change feed has reached the cache.
    func testLatestFollowsVersionsSavedByAnotherWriter() async throws {
        let service = TestService()
        let registry = service.registry
        try await service.run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "shared", "backend": "ecod", "data": cloud()])
            let first = try XCTUnwrap(fit.object["model"] as? String)
            let warm = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "shared-latest", "backend": "ecod", "data": [[10, 20]]])
            XCTAssertEqual(warm.object["model"] as? String, first)

            let x = try Matrix(cloud(30))
            let pipeline = try FeaturePipeline.fit(x)
            let (model, _) = try AnomalyModel.fit(try pipeline.transform(x), featureNames: pipeline.featureNames, settings: .defaults(for: .ecod))
            var new = try NewModelVersion(name: "shared", model: model)
            new.blob = try ModelFile.encode(model, pipeline: pipeline)
            let saved = try await registry.save(new)
            XCTAssertNotEqual(saved.version, first)

            var seen: String?
            for _ in 0..<100 {
                let reply = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "shared-latest", "backend": "ecod", "data": [[10, 20]]])
                seen = reply.object["model"] as? String
                if seen == saved.version { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            XCTAssertEqual(seen, saved.version)
        }
    }

    func testAutoencoderFieldsAndOneClassSVMNuReachTheDetector() async throws {
        try await TestService().run { client in
            // epochs, batch_size and hidden_neurons reach the autoencoder: a bad one is named.
            let zero = try await client.call(.post, "/v1/ml/anomaly/fit",
                                             ["model": "ae", "backend": "autoencoder", "data": cloud(), "epochs": 0])
            XCTAssertEqual(zero.status, .badRequest, zero.text)
            XCTAssertTrue(zero.detail?.contains("epochs") ?? false, zero.text)
            let wide = try await client.call(.post, "/v1/ml/anomaly/fit",
                                             ["model": "ae", "backend": "autoencoder", "data": cloud(), "batch_size": 400])
            XCTAssertEqual(wide.status, .badRequest, wide.text)
            XCTAssertTrue(wide.detail?.contains("batch_size") ?? false, wide.text)
            let hidden = try await client.call(.post, "/v1/ml/anomaly/fit",
                                               ["model": "ae", "backend": "autoencoder", "data": cloud(), "hidden_neurons": [0]])
            XCTAssertEqual(hidden.status, .badRequest, hidden.text)
            XCTAssertTrue(hidden.detail?.contains("hidden") ?? false, hidden.text)
            let small = try await client.call(.post, "/v1/ml/anomaly/fit",
                                              ["model": "ae", "backend": "autoencoder", "data": cloud(), "epochs": 2,
                                               "batch_size": 8, "hidden_neurons": [4, 2]])
            XCTAssertEqual(small.status, .ok, small.text)
            // one_class_svm takes nu = contamination, as LlamaFarm passes it.
            let svm = try await client.call(.post, "/v1/ml/anomaly/fit",
                                            ["model": "svm", "backend": "one_class_svm", "data": cloud(), "contamination": 0.2])
            XCTAssertEqual(svm.status, .ok, svm.text)
        }
    }
}
