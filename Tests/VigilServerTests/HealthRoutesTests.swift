import XCTest

final class HealthRoutesTests: XCTestCase {
    func testHealthAndReadiness() async throws {
        let service = TestService()
        try await service.run { client in
            let health = try await client.call(.get, "/healthz")
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(health.object["status"] as? String, "ok")
            let ready = try await client.call(.get, "/readyz")
            XCTAssertEqual(ready.status, .ok)
            XCTAssertEqual(ready.object["status"] as? String, "ready")
        }
    }

    func testReadinessFailsWhenTheRegistryIsClosed() async throws {
        let service = TestService()
        await service.registry.close()
        try await service.run { client in
            let ready = try await client.call(.get, "/readyz")
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertTrue(ready.detail?.hasPrefix("registry is not reachable") ?? false, ready.text)
            let health = try await client.call(.get, "/healthz")
            XCTAssertEqual(health.status, .ok)
        }
    }

    func testUnknownRouteIsADetail404() async throws {
        try await TestService().run { client in
            let reply = try await client.call(.get, "/v1/ml/anomaly/nothing-here")
            XCTAssertEqual(reply.status, .notFound)
            XCTAssertKeys(reply.object, ["detail"])
        }
    }
}
