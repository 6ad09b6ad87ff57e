import Foundation
import HummingbirdTesting
import VigilServer
import VigilStore
import XCTest

/// `POST /anomaly_detection/` checks that need no node, and `GET /v1/findings`.
final class EthereumRoutesTests: XCTestCase {
    private func service(rpcURL: String? = nil) -> TestService {
        var service = TestService()
        service.configuration.ethereum = EthereumSettings(rpcURL: rpcURL)
        return service
    }

    func testRequestIsCheckedBeforeTheNode() async throws {
        try await service().run { client in
            let missing = try await client.call(.post, "/anomaly_detection/", ["start_block": 1])
            XCTAssertEqual(missing.status, .unprocessableContent)
            XCTAssertEqual(missing.loc, ["body", "end_block"])
            let wrongType = try await client.call(.post, "/anomaly_detection/", ["start_block": "one", "end_block": 2])
            XCTAssertEqual(wrongType.status, .unprocessableContent)
            XCTAssertEqual(wrongType.loc, ["body", "start_block"])
            let negative = try await client.call(.post, "/anomaly_detection/", ["start_block": -1, "end_block": 2])
            XCTAssertEqual(negative.status, .unprocessableContent)
            let reversed = try await client.call(.post, "/anomaly_detection/", ["start_block": 10, "end_block": 9])
            XCTAssertEqual(reversed.status, .badRequest)
            XCTAssertTrue(reversed.detail?.contains("start_block") ?? false, reversed.text)
            let contamination = try await client.call(.post, "/anomaly_detection/", ["start_block": 1, "end_block": 2, "contamination": 0.9])
            XCTAssertEqual(contamination.status, .unprocessableContent)
            XCTAssertEqual(contamination.loc, ["body", "contamination"])
            let nan = try await client.call(.post, "/anomaly_detection/", #"{"start_block": 1, "end_block": 2, "contamination": NaN}"#)
            XCTAssertEqual(nan.status, .unprocessableContent)
            let empty = try await client.call(.post, "/anomaly_detection/", "")
            XCTAssertEqual(empty.status, .unprocessableContent)
        }
    }

    func testWithoutANodeTheScanSaysHowToConfigureOne() async throws {
        try await service().run { client in
            for path in ["/anomaly_detection/", "/anomaly_detection"] {
                let reply = try await client.call(.post, path, ["start_block": 1, "end_block": 2])
                XCTAssertEqual(reply.status, .serviceUnavailable, path)
                XCTAssertTrue(reply.detail?.contains("VIGIL_ETH_RPC_URL") ?? false, reply.text)
            }
        }
        try await service(rpcURL: "ftp://node").run { client in
            let reply = try await client.call(.post, "/anomaly_detection/", ["start_block": 1, "end_block": 2])
            XCTAssertEqual(reply.status, .serviceUnavailable)
            XCTAssertTrue(reply.detail?.contains("http") ?? false, reply.text)
        }
    }

    func testANodeThatDoesNotAnswerIsA503NamingIt() async throws {
        var service = service(rpcURL: "http://127.0.0.1:9")  // discard port: nothing listens
        service.configuration.ethereum.rpc.maxAttempts = 2
        service.configuration.ethereum.rpc.initialBackoff = .milliseconds(10)
        service.configuration.ethereum.rpc.requestsPerSecond = 0
        service.configuration.ethereum.rpc.timeout = .seconds(1)  // the HTTP client retries a refused connection until then
        try await service.run { client in
            let reply = try await client.call(.post, "/anomaly_detection/", ["start_block": 1, "end_block": 2])
            XCTAssertEqual(reply.status, .serviceUnavailable)
            XCTAssertTrue(reply.detail?.contains("127.0.0.1:9") ?? false, reply.text)
            let findings = try await client.call(.get, "/v1/findings")
            XCTAssertEqual(findings.object["total"] as? Int, 0, "nothing is stored when the node fails")
        }
    }

    func testFindingsAreListedWithFilters() async throws {
        let service = service()
        let at = Date(timeIntervalSince1970: 1_795_575_845)
        try await service.registry.saveFindings([
            NewFinding(alertID: "NORMAL-TOKEN-TRANSFERS-TX", severity: .info, name: "n", description: "d", modelName: "erc20-transfers",
                       modelVersion: "v1", score: 0.2, threshold: 0.5, metadata: #"{"prediction":"normal"}"#, transactionHash: "0x01", createdAt: at),
            NewFinding(alertID: "ANOMALOUS-TOKEN-TRANSFERS-TX", severity: .critical, name: "a", description: "d", modelName: "erc20-transfers",
                       modelVersion: "v1", score: 0.9, threshold: 0.5, metadata: #"{"prediction":"anomaly","anomaly_score":0.9}"#,
                       transactionHash: "0x02", createdAt: at.addingTimeInterval(10)),
        ])
        try await service.run { client in
            let all = try await client.call(.get, "/v1/findings")
            XCTAssertEqual(all.status, .ok)
            let data = all.object["data"] as? [[String: Any]] ?? []
            XCTAssertEqual(data.map { $0["alert_id"] as? String }, ["ANOMALOUS-TOKEN-TRANSFERS-TX", "NORMAL-TOKEN-TRANSFERS-TX"])
            XCTAssertEqual((data.first?["metadata"] as? [String: Any])?["anomaly_score"] as? Double, 0.9)
            XCTAssertEqual(data.first?["transaction_hash"] as? String, "0x02")
            let critical = try await client.call(.get, "/v1/findings?severity=critical")
            XCTAssertEqual((critical.object["data"] as? [[String: Any]])?.count, 1)
            let since = try await client.call(.get, "/v1/findings?since=\(Int(at.timeIntervalSince1970) + 5)")
            XCTAssertEqual((since.object["data"] as? [[String: Any]])?.first?["severity"] as? String, "critical")
            XCTAssertEqual(since.object["total"] as? Int, 1)
            let iso = try await client.call(.get, "/v1/findings?since=2026-11-25T03:04:10Z&limit=5")
            XCTAssertEqual(iso.object["total"] as? Int, 1)
            for bad in ["severity=loud", "since=yesterday", "limit=0", "limit=x", "since=nan"] {
                let reply = try await client.call(.get, "/v1/findings?\(bad)")
                XCTAssertEqual(reply.status, .badRequest, bad)
                XCTAssertTrue(reply.detail?.contains(String(bad.prefix { $0 != "=" })) ?? false, reply.text)
            }
        }
    }
}
