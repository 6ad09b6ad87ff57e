import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import VigilServer
import VigilStore
import XCTest

/// The real router over an in-memory registry, and JSON helpers for the tests.
struct TestService {
    var configuration = ServerConfiguration()
    let registry = InMemoryModelRegistry()
    /// The application's logger; tests that read log lines give it their own handler.
    var logger = Logger(label: "vigil-test")

    /// Runs `body` against the application's router.
    func run(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let dependencies = ServerDependencies(registry: registry, storeLocation: "/tmp/vigil-test/registry.sqlite",
                                              drift: configuration.drift)
        let app = buildApplication(configuration, dependencies: dependencies, logger: logger)
        try await app.test(.router, body)
    }
}

/// A decoded JSON answer.
struct Reply: @unchecked Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: Any?
    let text: String

    /// The top-level object (empty when the body is not one).
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// `detail` when it is a string.
    var detail: String? { object["detail"] as? String }
    /// `detail` when it is FastAPI's issue list.
    var issues: [[String: Any]] { object["detail"] as? [[String: Any]] ?? [] }
    /// The first issue's `loc`, every step as text.
    var loc: [String] { (issues.first?["loc"] as? [Any] ?? []).map { "\($0)" } }
}

extension TestClientProtocol {
    /// Sends `body` (a JSON value, or raw text when a `String`) with `headers` added, and decodes the answer.
    func call(_ method: HTTPRequest.Method, _ uri: String, _ body: Any? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var buffer: ByteBuffer?
        if let text = body as? String {
            buffer = ByteBuffer(string: text)
        } else if let body {
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers.append(contentsOf: extra)
        return try await execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            let text = String(buffer: response.body)
            return Reply(status: response.status, headers: response.headers,
                         json: try? JSONSerialization.jsonObject(with: Data(text.utf8)), text: text)
        }
    }
}

/// Deterministic training rows: a tight 2-D cloud around (10, 20).
func cloud(_ n: Int = 40) -> [[Double]] {
    (0..<n).map { (i: Int) -> [Double] in
        let a: Double = 10 + Double(i % 7) * 0.1
        let b: Double = 20 + Double(i % 5) * 0.1
        return [a, b]
    }
}

/// Asserts that `object` has exactly `keys`.
func XCTAssertKeys(_ object: [String: Any], _ keys: Set<String>, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(Set(object.keys), keys, file: file, line: line)
}
