import VigilCore
import VigilFeatures
import XCTest

final class PredictRoutesTests: XCTestCase {
    func testPredictScoresOneRecordWithTheNewestModelOrTheNamedOne() async throws {
        nonisolated(unsafe) let records: [[String: Any]] = (0..<40).map { i in ["amount": Double(i % 8) + 20, "country": ["de", "fr"][i % 2]] }
        try await TestService().run { client in
            let old = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "pay", "data": records,
                                                                          "schema": ["amount": "numeric", "country": "label"]])
            let new = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "pay2", "data": records,
                                                                          "schema": ["amount": "numeric", "country": "label"]])
            let newest = try XCTUnwrap(new.object["model"] as? String)
            let far = try await client.call(.post, "/predict_isolation_forest", ["amount": 5000.0, "country": "jp"])
            XCTAssertEqual(far.status, .ok, far.text)
            XCTAssertKeys(far.object, ["is_anomaly", "score", "model"])
            XCTAssertEqual(far.object["model"] as? String, newest)
            XCTAssertEqual(far.object["is_anomaly"] as? Bool, true)
            let usual = try await client.call(.post, "/predict_isolation_forest", ["amount": 23.0, "country": "de"])
            XCTAssertEqual(usual.object["is_anomaly"] as? Bool, false)
            XCTAssertLessThan(usual.object["score"] as? Double ?? 1, far.object["score"] as? Double ?? 0)

            let named = try await client.call(.post, "/predict_isolation_forest?model=pay-latest", ["amount": 23.0, "country": "de"])
            XCTAssertEqual(named.status, .ok, named.text)
            XCTAssertEqual(named.object["model"] as? String, old.object["model"] as? String)
        }
    }

    func testPredictWithoutAModelOrWithABadBody() async throws {
        try await TestService().run { client in
            let none = try await client.call(.post, "/predict_isolation_forest", ["amount": 1.0])
            XCTAssertEqual(none.status, .notFound)
            XCTAssertEqual(none.detail, "No isolation_forest model has been fitted yet: fit one with POST /v1/ml/anomaly/fit")
            let autoencoder = try await client.call(.post, "/predict_autoencoder", ["amount": 1.0])
            XCTAssertEqual(autoencoder.status, .notFound)
            XCTAssertEqual(autoencoder.detail, "No autoencoder model has been fitted yet: fit one with POST /v1/ml/anomaly/fit")
            let unknown = try await client.call(.post, "/predict_isolation_forest?model=ghost", ["amount": 1.0])
            XCTAssertEqual(unknown.status, .notFound)
            XCTAssertEqual(unknown.detail, "Model 'ghost' with backend 'isolation_forest' not found")

            _ = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "n", "data": cloud()])
            let list = try await client.call(.post, "/predict_isolation_forest", "[1, 2]")
            XCTAssertEqual(list.status, .unprocessableContent)
            // A numeric model reads the record's fields by feature name (x0, x1); a missing one is named.
            let numeric = try await client.call(.post, "/predict_isolation_forest", ["x0": 10.2, "x1": 20.1])
            XCTAssertEqual(numeric.status, .ok, numeric.text)
            let missing = try await client.call(.post, "/predict_isolation_forest", ["x0": 10.2])
            XCTAssertEqual(missing.status, .badRequest)
            XCTAssertTrue(missing.detail?.contains("'x1'") ?? false, missing.text)
        }
    }
}
