import Foundation
import XCTest
@testable import VigilEthereum

/// A node in memory: answers each POST with what `answer` says, and records what it got.
final class ScriptedNode: RPCTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var received = [JSONValue]()
    let answer: @Sendable (JSONValue, Int) throws -> RPCHTTPResponse

    init(answer: @escaping @Sendable (JSONValue, Int) throws -> RPCHTTPResponse) { self.answer = answer }

    var requests: [JSONValue] { lock.withLock { received } }

    func post(_ body: [UInt8], timeout: Duration) async throws -> RPCHTTPResponse {
        let request = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        let n = lock.withLock { received.append(request); return received.count }
        return try answer(request, n)
    }

    static func json(_ value: JSONValue, status: Int = 200) -> RPCHTTPResponse {
        RPCHTTPResponse(status: status, body: Array(try! JSONEncoder().encode(value)))
    }

    static func result(_ request: JSONValue, _ result: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": request["id"] ?? .null, "result": result])
    }

    static func error(_ request: JSONValue, code: Int, _ message: String) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": request["id"] ?? .null,
                 "error": .object(["code": .number(Double(code)), "message": .string(message)])])
    }
}

final class RPCClientTests: XCTestCase {
    private func settings() -> RPCSettings {
        var s = RPCSettings()
        s.initialBackoff = .milliseconds(1)
        s.maxBackoff = .milliseconds(5)
        s.requestsPerSecond = 0
        return s
    }

    func testRetries429And5xxThenSucceeds() async throws {
        let node = ScriptedNode { request, n in
            if n == 1 { return RPCHTTPResponse(status: 429, body: Array("slow down".utf8), retryAfter: 0) }
            if n == 2 { return RPCHTTPResponse(status: 502, body: []) }
            if n == 3 { return RPCHTTPResponse(status: 200, body: Array("{\"jsonrpc\":".utf8)) }
            return ScriptedNode.json(ScriptedNode.result(request, .string("0x10")))
        }
        let rpc = EthereumRPC(transport: node, settings: settings())
        let answer = try await rpc.call("eth_blockNumber")
        XCTAssertEqual(answer, .string("0x10"))
        XCTAssertEqual(rpc.statistics.httpRequests, 4)
        XCTAssertEqual(rpc.statistics.retries, 3)
    }

    func testGivesUpWithTheLastFailure() async throws {
        let node = ScriptedNode { _, _ in RPCHTTPResponse(status: 503, body: Array("down".utf8)) }
        var s = settings()
        s.maxAttempts = 3
        let rpc = EthereumRPC(transport: node, settings: s)
        do {
            _ = try await rpc.call("eth_blockNumber")
            XCTFail("expected an error")
        } catch let error as EthereumError {
            XCTAssertEqual(error, .http(method: "eth_blockNumber", status: 503, body: "down"))
        }
        XCTAssertEqual(node.requests.count, 3)
    }

    func testTimeoutIsRetriedThenReported() async throws {
        let node = ScriptedNode { _, _ in throw RPCTransportFailure.timeout }
        var s = settings()
        s.maxAttempts = 2
        s.timeout = .milliseconds(50)
        let rpc = EthereumRPC(transport: node, settings: s)
        do {
            _ = try await rpc.call("eth_getLogs")
            XCTFail("expected an error")
        } catch let error as EthereumError {
            XCTAssertEqual(error, .timeout(method: "eth_getLogs", seconds: 0.05))
        }
        XCTAssertEqual(node.requests.count, 2)
    }

    func testBatchAnswersAreMatchedByIdWhateverTheirOrder() async throws {
        let node = ScriptedNode { request, _ in
            let answers = (request.array ?? []).reversed().map { r in ScriptedNode.result(r, r["params"]?.array?.first ?? .null) }
            return ScriptedNode.json(.array(answers))
        }
        let rpc = EthereumRPC(transport: node, settings: settings())
        let results = try await rpc.batch((0..<5).map { RPCCall("echo", [.string("v\($0)")]) })
        XCTAssertEqual(try results.map { try $0.get() }, (0..<5).map { .string("v\($0)") })
        XCTAssertEqual(node.requests.count, 1)
    }

    func testANodeWithoutBatchesGetsSingleCalls() async throws {
        let node = ScriptedNode { request, _ in
            if request.array != nil { return ScriptedNode.json(ScriptedNode.error(.null, code: -32600, "batch requests are not supported")) }
            return ScriptedNode.json(ScriptedNode.result(request, request["params"]?.array?.first ?? .null))
        }
        let rpc = EthereumRPC(transport: node, settings: settings())
        let results = try await rpc.batch((0..<3).map { RPCCall("echo", [.number(Double($0))]) })
        XCTAssertEqual(try results.map { try $0.get() }, [.number(0), .number(1), .number(2)])
        XCTAssertEqual(node.requests.count, 4)  // the refused batch, then one request per call
        _ = try await rpc.batch([RPCCall("echo", [.number(9)]), RPCCall("echo", [.number(8)])])
        XCTAssertEqual(node.requests.count, 6)  // remembered: no second batch attempt
    }

    func testBackoffDoublesAndIsCapped() {
        var s = RPCSettings()
        s.initialBackoff = .milliseconds(100)
        s.maxBackoff = .seconds(1)
        let rpc = EthereumRPC(transport: ScriptedNode { _, _ in throw RPCTransportFailure.timeout }, settings: s)
        XCTAssertEqual(rpc.backoff(attempt: 1, retryAfter: nil), .milliseconds(100))
        XCTAssertEqual(rpc.backoff(attempt: 3, retryAfter: nil), .milliseconds(400))
        XCTAssertEqual(rpc.backoff(attempt: 10, retryAfter: nil), .seconds(1))
        XCTAssertEqual(rpc.backoff(attempt: 1, retryAfter: 0.25), .milliseconds(250))
        XCTAssertEqual(rpc.backoff(attempt: 1, retryAfter: 60), .seconds(1))
    }
}
