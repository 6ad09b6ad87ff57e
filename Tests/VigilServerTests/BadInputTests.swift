import VigilCore
import VigilServer
import XCTest

final class BadInputTests: XCTestCase {
    /// A known path with a method it is not served with is 405 with `Allow` (FastAPI's answer);
    /// an unknown path stays 404.
    func testWrongMethodIs405WithAllow() async throws {
        try await TestService().run { client in
            let fit = try await client.call(.delete, "/v1/ml/anomaly/fit")
            XCTAssertEqual(fit.status, .methodNotAllowed, fit.text)
            XCTAssertEqual(fit.detail, "Method Not Allowed")
            XCTAssertEqual(fit.headers[.allow], "POST")
            let stream = try await client.call(.put, "/v1/ml/anomaly/stream/some-detector")
            XCTAssertEqual(stream.status, .methodNotAllowed, stream.text)
            XCTAssertEqual(stream.headers[.allow], "DELETE, GET")
            let health = try await client.call(.post, "/healthz")
            XCTAssertEqual(health.status, .methodNotAllowed, health.text)
            let unknown = try await client.call(.get, "/v1/ml/anomaly/nothing-here")
            XCTAssertEqual(unknown.status, .notFound, unknown.text)
            let deeper = try await client.call(.get, "/v1/ml/anomaly/stream/a/b/c")
            XCTAssertEqual(deeper.status, .notFound, deeper.text)
        }
    }

    func testMalformedJSONIsA422JSONInvalid() async throws {
        try await TestService().run { client in
            let reply = try await client.call(.post, "/v1/ml/anomaly/fit", #"{"data": [[1, 2]"#)
            XCTAssertEqual(reply.status, .unprocessableContent, reply.text)
            XCTAssertEqual(reply.issues.first?["type"] as? String, "json_invalid")
            XCTAssertEqual(reply.loc, ["body"])
            XCTAssertKeys(reply.issues.first ?? [:], ["type", "loc", "msg", "input"])
        }
    }

    func testWrongTypesAndMissingFieldsNameTheirLocation() async throws {
        try await TestService().run { client in
            let cell = try await client.call(.post, "/v1/ml/anomaly/fit", #"{"data": [[1, 2], [3, "x"]]}"#)
            XCTAssertEqual(cell.status, .unprocessableContent, cell.text)
            XCTAssertEqual(cell.issues.first?["type"] as? String, "float_type")
            XCTAssertEqual(cell.loc, ["body", "data", "1", "1"])
            XCTAssertEqual(cell.issues.first?["input"] as? String, "x")

            let contamination = try await client.call(.post, "/v1/ml/anomaly/fit", #"{"data": [[1]], "contamination": "high"}"#)
            XCTAssertEqual(contamination.status, .unprocessableContent)
            XCTAssertEqual(contamination.loc, ["body", "contamination"])
            XCTAssertEqual(contamination.issues.first?["msg"] as? String, "Input should be a valid number")

            let missing = try await client.call(.post, "/v1/ml/anomaly/score", #"{"model": "m"}"#)
            XCTAssertEqual(missing.status, .unprocessableContent)
            XCTAssertEqual(missing.issues.first?["type"] as? String, "missing")
            XCTAssertEqual(missing.loc, ["body", "data"])
            XCTAssertEqual(missing.issues.first?["msg"] as? String, "Field required")

            let notRows = try await client.call(.post, "/v1/ml/anomaly/fit", #"{"data": "abc"}"#)
            XCTAssertEqual(notRows.status, .unprocessableContent)
            XCTAssertEqual(notRows.loc, ["body", "data"])

            let ragged = try await client.call(.post, "/v1/ml/anomaly/fit", #"{"data": [[1, 2], [3]]}"#)
            XCTAssertEqual(ragged.status, .unprocessableContent)
            XCTAssertEqual(ragged.loc, ["body", "data", "1"])
        }
    }

    func testNaNAndInfinityAreRefused() async throws {
        try await TestService().run { client in
            // Python's json.dumps writes these tokens; they are not JSON.
            for token in ["NaN", "Infinity", "-Infinity"] {
                let reply = try await client.call(.post, "/v1/ml/anomaly/fit", #"{"data": [[1, \#(token)]]}"#)
                XCTAssertEqual(reply.status, .unprocessableContent, token)
                XCTAssertEqual(reply.issues.first?["type"] as? String, "json_invalid", token)
            }
            // Text that reads as a non-finite number in a numeric schema field.
            let records: [[String: Any]] = (0..<5).map { ["amount": $0 == 3 ? "nan" : "\($0)"] }
            let reply = try await client.call(.post, "/v1/ml/anomaly/fit", ["data": records, "schema": ["amount": "numeric"]])
            XCTAssertEqual(reply.status, .badRequest, reply.text)
            XCTAssertEqual(reply.detail, "row 3: field 'amount' holds nan; only finite numbers are accepted")
            let threshold = try await client.call(.post, "/v1/ml/anomaly/score", #"{"data": [[1]], "threshold": 1e999}"#)
            XCTAssertEqual(threshold.status, .unprocessableContent, threshold.text)
        }
    }

    func testEmptyDataAndNoSchemaForRecords() async throws {
        try await TestService().run { client in
            let empty = try await client.call(.post, "/v1/ml/anomaly/fit", ["data": [Any]()])
            XCTAssertEqual(empty.status, .badRequest)
            XCTAssertEqual(empty.detail, "data is empty: send at least one row")
            let noSchema = try await client.call(.post, "/v1/ml/anomaly/fit", ["data": [["a": 1], ["a": 2]]])
            XCTAssertEqual(noSchema.status, .badRequest)
            XCTAssertEqual(noSchema.detail, "Schema is required when fitting with dict-based data. Example: schema = {'time_ms': 'numeric', 'user_agent': 'hash'}")
            let badType = try await client.call(.post, "/v1/ml/anomaly/fit", ["data": [["a": 1]], "schema": ["a": "categorical"]])
            XCTAssertEqual(badType.status, .unprocessableContent)
            XCTAssertEqual(badType.loc, ["body", "schema"])
        }
    }

    func testUnknownModelBackendAndNormalization() async throws {
        try await TestService().run { client in
            let score = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "nope", "data": [[1]]])
            XCTAssertEqual(score.status, .badRequest)
            XCTAssertEqual(score.detail, "Model not fitted. Call /v1/anomaly/fit first or load a pre-trained model.")
            let detect = try await client.call(.post, "/v1/ml/anomaly/detect", ["model": "nope-latest", "data": [[1]]])
            XCTAssertEqual(detect.status, .badRequest)
            XCTAssertEqual(detect.detail, "Model not fitted. Call /v1/anomaly/fit first.")
            let load = try await client.call(.post, "/v1/ml/anomaly/load", ["model": "nope"])
            XCTAssertEqual(load.status, .notFound)
            XCTAssertEqual(load.detail, "Model 'nope' with backend 'isolation_forest' not found. Available models: []")
            let save = try await client.call(.post, "/v1/ml/anomaly/save", ["model": "nope", "backend": "ecod"])
            XCTAssertEqual(save.status, .notFound)
            XCTAssertEqual(save.detail, "Model 'nope' with backend 'ecod' and normalization 'standardization' not found in cache. Fit the model first with /v1/anomaly/fit")
            let delete = try await client.call(.delete, "/v1/ml/anomaly/models/nope_20250101_000000_ecod.vigil")
            XCTAssertEqual(delete.status, .notFound)
            XCTAssertEqual(delete.detail, "Model file not found: nope_20250101_000000_ecod.vigil")

            let backend = try await client.call(.post, "/v1/ml/anomaly/fit", ["backend": "lof", "data": [[1]]])
            XCTAssertEqual(backend.status, .unprocessableContent)
            XCTAssertEqual(backend.issues.first?["type"] as? String, "literal_error")
            XCTAssertEqual(backend.loc, ["body", "backend"])
            let names = Backend.allCases.map { "'\($0.rawValue)'" }
            XCTAssertEqual(backend.issues.first?["msg"] as? String,
                           "Input should be " + names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1])
            let normalization = try await client.call(.post, "/v1/ml/anomaly/score", ["normalization": "minmax", "data": [[1]]])
            XCTAssertEqual(normalization.status, .unprocessableContent)
            XCTAssertEqual(normalization.loc, ["body", "normalization"])
            for (c, type) in [(0.0, "greater_than"), (0.7, "less_than_equal")] {
                let reply = try await client.call(.post, "/v1/ml/anomaly/fit", ["contamination": c, "data": [[1]]])
                XCTAssertEqual(reply.status, .unprocessableContent)
                XCTAssertEqual(reply.issues.first?["type"] as? String, type)
            }
        }
    }

    func testRowsThatDoNotFitTheModel() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "two", "data": cloud()])
            let wide = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "two", "data": [[1, 2, 3]]])
            XCTAssertEqual(wide.status, .badRequest)
            XCTAssertEqual(wide.detail, "expected 2 feature columns, got 3")
            let records = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "two", "data": [["a": 1]]])
            XCTAssertEqual(records.status, .badRequest)
            XCTAssertEqual(records.detail, "No encoder found for model 'anomaly:isolation_forest:standardization:two'. "
                           + "Train with /v1/anomaly/fit using dict data first, or pass schema.")
            let otherNormalization = try await client.call(.post, "/v1/ml/anomaly/score",
                                                           ["model": "two", "normalization": "raw", "data": [[1, 2]]])
            XCTAssertEqual(otherNormalization.status, .badRequest)
        }
    }

    /// Finite rows so far from the training data that a detector's distance overflows are a 400
    /// naming the row, not a 500 from encoding infinity.
    func testScoresThatOverflowAreRefusedNamingTheRow() async throws {
        try await TestService().run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "k", "backend": "knn", "data": cloud()])
            XCTAssertEqual(fit.status, .ok, fit.text)
            for path in ["/v1/ml/anomaly/score", "/v1/ml/anomaly/detect"] {
                let reply = try await client.call(.post, path, ["model": "k", "backend": "knn",
                                                                "data": [[10.1, 20.1], [1e300, -1e300]]])
                XCTAssertEqual(reply.status, .badRequest, reply.text)
                XCTAssertEqual(reply.detail, "row 1: the model's score is inf, not a finite number: "
                               + "its values are too far from the training data for this detector")
            }
            let usual = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "k", "backend": "knn", "data": [[1e150, 0]]])
            XCTAssertEqual(usual.status, .ok, usual.text)
        }
    }

    func testBodyAndRowCapsAre413() async throws {
        var service = TestService()
        service.configuration.maxBodyBytes = 1024
        service.configuration.maxRows = 5
        try await service.run { client in
            let big = try await client.call(.post, "/v1/ml/anomaly/fit", ["data": (0..<200).map { [Double($0)] }])
            XCTAssertEqual(big.status, .contentTooLarge)
            XCTAssertEqual(big.detail, "Request body is larger than the limit of 1024 bytes")
            let many = try await client.call(.post, "/v1/ml/anomaly/score", ["data": (0..<6).map { [Double($0)] }])
            XCTAssertEqual(many.status, .contentTooLarge)
            XCTAssertEqual(many.detail, "data has 6 rows; at most 5 rows are accepted per request")
        }
    }

    func testAutoencoderSizeLimitsAre422NamingTheField() async throws {
        try await TestService().run { client in
            let cases: [([String: Any], [String])] = [
                (["epochs": 1001], ["body", "epochs"]),
                (["hidden_neurons": [8, 8, 8, 8, 8, 8, 8, 8, 8]], ["body", "hidden_neurons"]),
                (["hidden_neurons": [64, 4096]], ["body", "hidden_neurons", "1"]),
            ]
            for (extra, loc) in cases {
                let body = extra.merging(["backend": "autoencoder", "data": cloud()]) { a, _ in a }
                let r = try await client.call(.post, "/v1/ml/anomaly/fit", body)
                XCTAssertEqual(r.status, .unprocessableContent, r.text)
                XCTAssertEqual(r.loc, loc, r.text)
            }
            let none = try await client.call(.get, "/v1/ml/anomaly/models")
            XCTAssertEqual(none.object["total"] as? Int, 0, "a refused fit stores nothing")
        }
    }

    func testPathInjectionIsRefused() async throws {
        try await TestService().run { client in
            let delete = try await client.call(.delete, "/v1/ml/anomaly/models/..%2Fx")
            XCTAssertEqual(delete.status, .badRequest, delete.text)
            XCTAssertEqual(delete.detail, "Invalid filename: ../x")
            let dots = try await client.call(.delete, "/v1/ml/anomaly/models/..")
            XCTAssertEqual(dots.status, .badRequest, dots.text)
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "../x", "data": cloud()])
            XCTAssertEqual(fit.status, .badRequest)
            XCTAssertTrue(fit.detail?.hasPrefix("invalid model name '../x'") ?? false, fit.text)
            let score = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "../x", "data": [[1, 2]]])
            XCTAssertEqual(score.status, .badRequest)
        }
    }
}
