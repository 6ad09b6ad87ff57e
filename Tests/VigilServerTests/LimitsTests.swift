import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import VigilStore
import XCTest
@testable import VigilServer

/// The abuse limits besides the rate limit: concurrent fits and the request timeout.
final class LimitsTests: XCTestCase {
    static func rows(_ n: Int) -> [[Double]] {
        (0..<n).map { i -> [Double] in
            let a: Double = 10 + Double(i % 13) * 0.1
            let b: Double = 100 + Double(i % 17) * 0.5
            return [a, b, Double(i % 5)]
        }
    }

    func serve(_ configuration: ServerConfiguration, gate: FitGate? = nil, registry: InMemoryModelRegistry,
               _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var dependencies = ServerDependencies(registry: registry, storeLocation: "memory")
        dependencies.fitGate = gate
        let app = buildApplication(configuration, dependencies: dependencies, logger: Logger(label: "vigil-test"))
        try await app.test(.router, body)
    }

    /// With every fit slot taken, a fit is answered 429 with Retry-After and saves nothing; once a
    /// slot is free the same fit succeeds. Scoring is not gated.
    func testAFitOverTheConcurrentLimitIs429WithRetryAfter() async throws {
        let gate = FitGate(limit: 1)
        let registry = InMemoryModelRegistry()
        try await serve(ServerConfiguration(maxConcurrentFits: 1), gate: gate, registry: registry) { client in
            let fit: [String: Any] = ["model": "gated", "data": Self.rows(100)]
            let first = try await client.call(.post, "/v1/ml/anomaly/fit", fit)
            XCTAssertEqual(first.status, .ok, first.text)
            try gate.enter()  // another fit holds the only slot
            let refused = try await client.call(.post, "/v1/ml/anomaly/fit", fit)
            XCTAssertEqual(refused.status, .tooManyRequests, refused.text)
            XCTAssertEqual(refused.headers[.retryAfter], "1")
            XCTAssertTrue(refused.detail?.contains("--max-concurrent-fits") ?? false, refused.text)
            let scored = try await client.call(.post, "/v1/ml/anomaly/score", ["model": "gated", "data": Self.rows(3)])
            XCTAssertEqual(scored.status, .ok, scored.text)
            gate.leave()
            let again = try await client.call(.post, "/v1/ml/anomaly/fit", fit)
            XCTAssertEqual(again.status, .ok, again.text)
            XCTAssertEqual(gate.inUse, 0)
        }
        let versions = try await registry.list(name: "gated", backend: nil)
        XCTAssertEqual(versions.count, 2, "the refused fit must not have saved a version")
    }

    /// A fit still computing at the request's deadline is answered 503 naming the timeout, and its
    /// model is not saved when the computation ends; its fit slot is held until then.
    func testAFitPastTheRequestTimeoutIs503AndSavesNothing() async throws {
        let gate = FitGate(limit: 4)
        let registry = InMemoryModelRegistry()
        let configuration = ServerConfiguration(requestTimeout: .nanoseconds(1))
        try await serve(configuration, gate: gate, registry: registry) { client in
            let late = try await client.call(.post, "/v1/ml/anomaly/fit",
                                             ["model": "late", "backend": "isolation_forest", "data": Self.rows(5_000)])
            XCTAssertEqual(late.status, .serviceUnavailable, late.text)
            XCTAssertTrue(late.detail?.contains("request timeout") ?? false, late.text)
            // The abandoned computation finishes in the background and gives its slot back.
            let deadline = Date().addingTimeInterval(60)
            while gate.inUse > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertEqual(gate.inUse, 0)
        }
        let versions = try await registry.list(name: "late", backend: nil)
        XCTAssertEqual(versions, [], "an abandoned fit must not save a version")
    }

    /// Cheap requests are not affected by the deadline machinery.
    func testRequestsWithinTheTimeoutAreServed() async throws {
        try await serve(ServerConfiguration(requestTimeout: .seconds(30)), registry: InMemoryModelRegistry()) { client in
            let fit = try await client.call(.post, "/v1/ml/anomaly/fit", ["model": "quick", "data": Self.rows(5_000)])
            XCTAssertEqual(fit.status, .ok, fit.text)
        }
    }
}
