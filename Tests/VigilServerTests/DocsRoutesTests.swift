import Foundation
import Hummingbird
import HummingbirdTesting
@testable import VigilServer
import XCTest

final class DocsRoutesTests: XCTestCase {
    /// Every route the service has or is about to have, with its methods, as the document must list them.
    static let routes: [String: Set<String>] = {
        var routes: [String: Set<String>] = [
            "/healthz": ["get"], "/readyz": ["get"], "/metrics": ["get"],
            "/openapi.json": ["get"], "/docs": ["get"], "/docs/{asset}": ["get"],
            "/v1/ml/anomaly/fit": ["post"], "/v1/ml/anomaly/score": ["post"], "/v1/ml/anomaly/detect": ["post"],
            "/v1/ml/anomaly/save": ["post"], "/v1/ml/anomaly/load": ["post"], "/v1/ml/anomaly/models": ["get"],
            "/v1/ml/anomaly/models/{filename}": ["delete"], "/v1/ml/anomaly/models/{name}/drift": ["get"],
            "/v1/ml/anomaly/backends": ["get"],
            "/v1/ml/anomaly/stream": ["post"], "/v1/ml/anomaly/stream/detectors": ["get"],
            "/v1/ml/anomaly/stream/{model_id}": ["get", "delete"], "/v1/ml/anomaly/stream/{model_id}/reset": ["post"],
            "/predict_isolation_forest": ["post"], "/predict_autoencoder": ["post"],
            "/anomaly_detection/": ["post"], "/v1/findings": ["get"],
        ]
        for prefix in ["/v1/ml/polars", "/v1/ml/features"] {
            routes["\(prefix)/buffers"] = ["get", "post"]
            routes["\(prefix)/buffers/{buffer_id}"] = ["get", "delete"]
            routes["\(prefix)/buffers/{buffer_id}/clear"] = ["post"]
            routes["\(prefix)/buffers/{buffer_id}/data"] = ["get"]
            routes["\(prefix)/append"] = ["post"]
            routes["\(prefix)/features"] = ["post"]
        }
        return routes
    }()

    static let methods: Set = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func testDocumentIsOpenAPI31ListingEveryRouteWithItsMethods() async throws {
        try await TestService().run { client in
            let reply = try await client.call(.get, "/openapi.json")
            XCTAssertEqual(reply.status, .ok)
            let contentType = try await client.execute(uri: "/openapi.json", method: .get) { $0.headers[.contentType] }
            XCTAssertEqual(contentType, "application/json")
            let version = try XCTUnwrap(reply.object["openapi"] as? String, reply.text.prefix(200).description)
            XCTAssertTrue(version.hasPrefix("3.1."), version)
            let paths = try XCTUnwrap(reply.object["paths"] as? [String: [String: Any]])
            XCTAssertEqual(Set(paths.keys), Set(Self.routes.keys))
            for (path, expected) in Self.routes {
                let listed = Set(paths[path]?.keys.filter(Self.methods.contains) ?? [])
                XCTAssertEqual(listed, expected, path)
                for method in listed {
                    let operation = paths[path]?[method] as? [String: Any] ?? [:]
                    let responses = operation["responses"] as? [String: Any] ?? [:]
                    XCTAssertNotNil(responses["200"], "\(method) \(path) documents no 200")
                }
            }
        }
    }

    /// Statuses the routes answer with are documented, errors with the shared `{"detail"}` answers.
    func testErrorAnswersAreDocumented() async throws {
        try await TestService().run { client in
            let document = try await client.call(.get, "/openapi.json").object
            let paths = document["paths"] as? [String: [String: Any]] ?? [:]
            /// Status → the shared answer it refers to.
            func responses(_ method: String, _ path: String) -> [String: [String: String]] {
                let operation = paths[path]?[method] as? [String: Any]
                let all = operation?["responses"] as? [String: Any] ?? [:]
                return all.compactMapValues { $0 as? [String: String] }
            }
            XCTAssertEqual(responses("post", "/v1/ml/anomaly/fit")["422"]?["$ref"], "#/components/responses/ValidationFailed")
            XCTAssertEqual(responses("post", "/v1/ml/anomaly/fit")["413"]?["$ref"], "#/components/responses/TooLarge")
            XCTAssertEqual(responses("post", "/v1/ml/polars/buffers")["409"]?["$ref"], "#/components/responses/Conflict")
            XCTAssertEqual(responses("get", "/v1/ml/anomaly/stream/{model_id}")["404"]?["$ref"], "#/components/responses/NotFound")
            XCTAssertEqual(responses("get", "/readyz")["503"]?["$ref"], "#/components/responses/Unavailable")
            let components = document["components"] as? [String: [String: Any]] ?? [:]
            let issue = components["schemas"]?["ValidationIssue"] as? [String: Any]
            XCTAssertEqual(Set(issue?["required"] as? [String] ?? []), ["type", "loc", "msg", "input"])
            let backend = components["schemas"]?["Backend"] as? [String: Any]
            XCTAssertEqual(Set(backend?["enum"] as? [String] ?? []), Set(["isolation_forest", "ecod", "copod", "hbos",
                "one_class_svm", "mcd", "local_outlier_factor", "knn", "pca", "cblof", "loda", "suod", "autoencoder"]))
        }
    }

    func testDocsPageLoadsTheVendoredAssetsAndTheDocument() async throws {
        try await TestService().run { client in
            let (status, type, html) = try await client.execute(uri: "/docs", method: .get) { response in
                (response.status, response.headers[.contentType], String(buffer: response.body))
            }
            XCTAssertEqual(status, .ok)
            XCTAssertEqual(type, "text/html; charset=utf-8")
            XCTAssertTrue(html.contains(#"src="/docs/swagger-ui-bundle.js""#), html)
            XCTAssertTrue(html.contains(#"href="/docs/swagger-ui.css""#), html)
            XCTAssertTrue(html.contains(#"url: "/openapi.json""#), html)
            XCTAssertFalse(html.contains("http://") || html.contains("https://"), "the page must not load anything from elsewhere")
        }
    }

    func testEachAssetHasItsContentType() async throws {
        let expected = [
            ("swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle"),
            ("swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui"),
            ("LICENSE", "text/plain; charset=utf-8", "Apache License"),
        ]
        XCTAssertEqual(Set(expected.map(\.0)), Set(DocsFiles.assets))
        try await TestService().run { client in
            for (name, contentType, marker) in expected {
                let (status, type, text) = try await client.execute(uri: "/docs/\(name)", method: .get) { response in
                    (response.status, response.headers[.contentType], String(buffer: response.body))
                }
                XCTAssertEqual(status, .ok, name)
                XCTAssertEqual(type, contentType, name)
                XCTAssertTrue(text.contains(marker), "\(name) does not contain \(marker)")
            }
        }
    }

    func testUnknownAssetsAndTraversalAreDetail404s() async throws {
        try await TestService().run { client in
            for uri in ["/docs/nothing.js", "/docs/index.html", "/docs/..%2FPackage.swift", "/docs/..%2F..%2FPackage.swift",
                        "/docs/swagger-ui.css.map", "/docs/README.md"] {
                let reply = try await client.call(.get, uri)
                XCTAssertEqual(reply.status, .notFound, uri)
                XCTAssertKeys(reply.object, ["detail"])
                XCTAssertFalse(reply.text.contains("swift-tools-version"), uri)
            }
        }
    }

    /// Without the resource bundle every docs route is a 503 naming what is missing, and the other routes still work.
    func testMissingResourcesAre503() async throws {
        let missing = DocsFiles(directory: nil)
        let incomplete = DocsFiles(directory: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("no-such-docs"))
        for files in [missing, incomplete] {
            let router = Router(context: VigilRequestContext.self)
            router.add(middleware: ErrorMiddleware(metrics: ServiceMetrics()))
            DocsController(files: files).register(on: router)
            HealthController(ping: {}).register(on: router)
            try await Application(router: router).test(.router) { client in
                for uri in ["/openapi.json", "/docs", "/docs/swagger-ui.css"] {
                    let reply = try await client.call(.get, uri)
                    XCTAssertEqual(reply.status, .serviceUnavailable, uri)
                    XCTAssertTrue(reply.detail?.hasPrefix("The API documentation is") ?? false, reply.text)
                }
                let unknown = try await client.call(.get, "/docs/other.js")
                XCTAssertEqual(unknown.status, .notFound)
                let health = try await client.call(.get, "/healthz")
                XCTAssertEqual(health.status, .ok)
            }
        }
    }
}
