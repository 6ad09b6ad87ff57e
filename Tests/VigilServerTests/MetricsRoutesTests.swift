import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import VigilServer
import XCTest

final class MetricsRoutesTests: XCTestCase {
    /// Ten rows inside the training cloud and two far outside it.
    static let rows: [[Double]] = cloud(10) + [[50, -40], [-30, 90]]

    /// After a fit, a score and a detect of known rows, `/metrics` counts each route under its
    /// template with its status, the rows scored and flagged, and the live and training rates.
    func testMetricsCountRequestsRowsAndRates() async throws {
        let service = TestService()
        let registry = service.registry
        try await service.run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "payments", "data": cloud()])
            XCTAssertEqual(fit.status, .ok, fit.text)
            let score = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "payments-latest", "data": Self.rows])
            XCTAssertEqual(score.status, .ok, score.text)
            let flags = try XCTUnwrap(score.object["data"] as? [[String: Any]]).map { $0["is_anomaly"] as? Bool ?? false }
            let flagged = flags.filter { $0 }.count
            XCTAssertEqual(flags.count, Self.rows.count)
            XCTAssertGreaterThanOrEqual(flagged, 2, "the two far rows are flagged: \(score.text)")
            XCTAssertLessThan(flagged, Self.rows.count)
            let detect = try await client.call(.post, "/v1/ml/anomaly/detect", ["model": "payments-latest", "data": Self.rows])
            XCTAssertEqual(detect.status, .ok, detect.text)
            XCTAssertEqual(detect.object["total_count"] as? Int, flagged)
            // Unknown route, and a known route template answering 404 for an unknown buffer.
            let unmatched = try await client.call(.get, "/no/such/route")
            XCTAssertEqual(unmatched.status, .notFound)
            let missing = try await client.call(.get, "/v1/ml/polars/buffers/missing-buffer")
            XCTAssertEqual(missing.status, .notFound)

            let metrics = try await client.call(.get, "/metrics")
            XCTAssertEqual(metrics.status, .ok)
            XCTAssertEqual(metrics.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            let text = metrics.text
            XCTAssertEqual(sample(text, #"vigil_http_requests_total{route="/v1/ml/anomaly/fit",method="POST",status="200"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_http_requests_total{route="/v1/ml/anomaly/score",method="POST",status="200"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_http_requests_total{route="/v1/ml/anomaly/detect",method="POST",status="200"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_http_requests_total{route="unmatched",method="GET",status="404"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_http_requests_total{route="/v1/ml/polars/buffers/{id}",method="GET",status="404"}"#), 1)
            XCTAssertFalse(text.contains("missing-buffer"), "raw paths never become labels")
            XCTAssertFalse(text.contains("/no/such/route"), "raw paths never become labels")
            XCTAssertEqual(sample(text, #"vigil_http_request_duration_seconds_count{route="/v1/ml/anomaly/score",method="POST"}"#), 1)
            let scoreSeconds = try XCTUnwrap(sample(text, #"vigil_http_request_duration_seconds_sum{route="/v1/ml/anomaly/score",method="POST"}"#))
            XCTAssertGreaterThan(scoreSeconds, 0)

            // Score and detect each scored every row; labelled by base name, not the version id.
            XCTAssertEqual(sample(text, #"vigil_scores_total{model="payments"}"#), Double(2 * Self.rows.count))
            XCTAssertEqual(sample(text, #"vigil_anomalies_total{model="payments"}"#), Double(2 * flagged))
            let rate = try XCTUnwrap(sample(text, #"vigil_anomaly_rate{model="payments"}"#))
            XCTAssertEqual(rate, Double(flagged) / Double(Self.rows.count), accuracy: 1e-12)
            let version = try await registry.load("payments-latest", backend: nil).0
            XCTAssertEqual(sample(text, #"vigil_training_anomaly_rate{model="payments"}"#), version.trainingAnomalyRate)
            XCTAssertFalse(text.contains(#"model="\#(version.version)""#), "versions never become labels")
        }
    }

    /// The one-record predict route counts its row under the model's base name too.
    func testPredictCountsItsRow() async throws {
        try await TestService().run { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "cards", "data": cloud()])
            XCTAssertEqual(fit.status, .ok, fit.text)
            let far = try await client.call(.post, "/predict_isolation_forest", ["x0": 50, "x1": -40])
            XCTAssertEqual(far.status, .ok, far.text)
            let flagged = try XCTUnwrap(far.object["is_anomaly"] as? Bool)
            XCTAssertTrue(flagged, far.text)
            let text = try await client.call(.get, "/metrics").text
            XCTAssertEqual(sample(text, #"vigil_scores_total{model="cards"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_anomalies_total{model="cards"}"#), flagged ? 1 : 0)
            XCTAssertEqual(sample(text, #"vigil_anomaly_rate{model="cards"}"#), flagged ? 1 : 0)
        }
    }

    /// An unreachable registry is counted under the route that met it, and under `/readyz`.
    func testRegistryFailuresAreCounted() async throws {
        let service = TestService()
        await service.registry.close()
        try await service.run { client in
            let ready = try await client.call(.get, "/readyz")
            XCTAssertEqual(ready.status, .serviceUnavailable)
            let score = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "gone", "data": [[1.0, 2.0]]])
            XCTAssertEqual(score.status, .serviceUnavailable, score.text)
            let text = try await client.call(.get, "/metrics").text
            XCTAssertEqual(sample(text, #"vigil_registry_errors_total{operation="/readyz"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_registry_errors_total{operation="/v1/ml/anomaly/score"}"#), 1)
            XCTAssertEqual(sample(text, #"vigil_http_requests_total{route="/readyz",method="GET",status="503"}"#), 1)
        }
    }

    /// Every answer carries an `X-Request-Id`: a sane incoming one echoed, else a fresh one per
    /// request; an unusable incoming one is replaced.
    func testRequestIdIsEchoedOrGenerated() async throws {
        try await TestService().run { client in
            let echoed = try await client.call(.get, "/healthz", headers: [.requestIDHeader: "trace-42/a.b"])
            XCTAssertEqual(echoed.headers[.requestIDHeader], "trace-42/a.b")
            let first = try await client.call(.get, "/healthz").headers[.requestIDHeader]
            let second = try await client.call(.get, "/healthz").headers[.requestIDHeader]
            XCTAssertFalse(first?.isEmpty ?? true)
            XCTAssertNotEqual(first, second)
            let unmatched = try await client.call(.get, "/nowhere", headers: [.requestIDHeader: "lost-1"])
            XCTAssertEqual(unmatched.status, .notFound)
            XCTAssertEqual(unmatched.headers[.requestIDHeader], "lost-1")
            for bad in [String(repeating: "x", count: 129), "has space", "tab\there"] {
                let replaced = try await client.call(.get, "/healthz", headers: [.requestIDHeader: bad]).headers[.requestIDHeader]
                XCTAssertNotEqual(replaced, bad)
                XCTAssertFalse(replaced?.isEmpty ?? true)
            }
        }
    }

    /// Only 1 to 128 visible ASCII characters are taken as a request id.
    func testAcceptedRequestIds() {
        typealias Middleware = RequestTelemetryMiddleware<VigilRequestContext>
        XCTAssertEqual(Middleware.acceptedID("a"), "a")
        XCTAssertEqual(Middleware.acceptedID(String(repeating: "~", count: 128)), String(repeating: "~", count: 128))
        for bad in [nil, "", String(repeating: "x", count: 129), "a b", "é", "a\u{7F}"] {
            XCTAssertNil(Middleware.acceptedID(bad), "\(String(describing: bad))")
        }
    }

    /// `--log-format json` lines carry the request id: the per-request line at debug level (with
    /// method, route, status and duration) and the error line of a 5xx answer.
    func testJSONLogLinesCarryTheRequestId() async throws {
        let lines = CapturedLines()
        var service = TestService()
        service.logger = Logger(label: "vigil-test") { label in
            var handler = JSONLogHandler(label: label) { lines.append($0) }
            handler.logLevel = .debug
            return handler
        }
        await service.registry.close()
        try await service.run { client in
            let ok = try await client.call(.get, "/healthz", headers: [.requestIDHeader: "req-ok-1"])
            XCTAssertEqual(ok.status, .ok)
            let failed = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "m", "data": [[1.0]]],
                                               headers: [.requestIDHeader: "req-fail-2"])
            XCTAssertEqual(failed.status, .serviceUnavailable)
            let plain = try await client.call(.get, "/healthz")
            let generated = try XCTUnwrap(plain.headers[.requestIDHeader])

            let objects = lines.objects()
            let okLine = try XCTUnwrap(objects.first { $0["request_id"] == "req-ok-1" && $0["level"] == "debug" })
            XCTAssertEqual(okLine["method"], "GET")
            XCTAssertEqual(okLine["route"], "/healthz")
            XCTAssertEqual(okLine["status"], "200")
            XCTAssertNotNil(okLine["duration_ms"].flatMap(Double.init))
            let errorLine = try XCTUnwrap(objects.first { $0["request_id"] == "req-fail-2" && $0["level"] == "error" })
            XCTAssertTrue(errorLine["message"]?.contains("/v1/ml/anomaly/score") ?? false, "\(errorLine)")
            let failLine = try XCTUnwrap(objects.first { $0["request_id"] == "req-fail-2" && $0["level"] == "debug" })
            XCTAssertEqual(failLine["status"], "503")
            XCTAssertNotNil(objects.first { $0["request_id"] == generated && $0["route"] == "/healthz" })
        }
    }
}

/// Log lines a test's JSON log handler wrote.
private final class CapturedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines = [Data]()

    /// Keeps one written line.
    func append(_ line: Data) {
        lock.withLock { lines.append(line) }
    }

    /// Every line so far, decoded as a JSON object of strings.
    func objects() -> [[String: String]] {
        lock.withLock { lines }.compactMap { try? JSONDecoder().decode([String: String].self, from: $0) }
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`, as the tests send and read it.
    fileprivate static let requestIDHeader = HTTPField.Name("X-Request-Id")!
}
