import XCTest
@testable import VigilEthereum

/// The loader's range halving, against a node that refuses more than `limit` blocks per eth_getLogs.
final class TransferLoaderTests: XCTestCase {
    private func loader(limit: UInt64, logsAt blocks: Set<UInt64>) -> (TransferLoader, ScriptedNode) {
        let node = ScriptedNode { request, _ in
            guard let filter = request["params"]?.array?.first, let from = filter["fromBlock"]?.string, let to = filter["toBlock"]?.string else {
                return ScriptedNode.json(ScriptedNode.error(request, code: -32602, "bad params"))
            }
            let a = try Hex.uint64(from), b = try Hex.uint64(to)
            if b - a + 1 > limit { return ScriptedNode.json(ScriptedNode.error(request, code: -32005, "query returned more than 10000 results")) }
            let logs: [JSONValue] = blocks.filter { (a...b).contains($0) }.sorted().map { n in
                .object(["address": .string("0x" + String(repeating: "1", count: 40)),
                         "topics": .array([.string(ABIDecoding.transferTopic),
                                           .string("0x" + String(repeating: "0", count: 24) + String(repeating: "a", count: 40)),
                                           .string("0x" + String(repeating: "0", count: 24) + String(repeating: "b", count: 40))]),
                         "data": .string("0x" + String(repeating: "0", count: 63) + "1"), "blockNumber": .string(Hex.quantity(n)),
                         "transactionHash": .string("0x\(n)"), "logIndex": .string("0x0")])
            }
            return ScriptedNode.json(ScriptedNode.result(request, .array(logs)))
        }
        var s = RPCSettings()
        s.requestsPerSecond = 0
        return (TransferLoader(rpc: EthereumRPC(transport: node, settings: s), chunkBlocks: 1000), node)
    }

    func testTooLargeRangesAreHalvedUntilTheNodeAnswers() async throws {
        let (loader, node) = loader(limit: 100, logsAt: [0, 99, 100, 250, 999])
        let transfers = try await loader.logs(from: 0, to: 999, progress: { _ in })
        XCTAssertEqual(transfers.map(\.blockNumber), [0, 99, 100, 250, 999])
        // 1000 → 500 → 250 → 125 → 62 refused/accepted: every asked range after the refusals is ≤ 100 blocks and they tile 0…999
        let ranges = try node.requests.compactMap { r -> (UInt64, UInt64)? in
            guard let f = r["params"]?.array?.first, let a = f["fromBlock"]?.string, let b = f["toBlock"]?.string else { return nil }
            return (try Hex.uint64(a), try Hex.uint64(b))
        }
        let accepted = ranges.filter { $0.1 - $0.0 + 1 <= 100 }
        XCTAssertEqual(accepted.first?.0, 0)
        XCTAssertEqual(accepted.last?.1, 999)
        for (prev, next) in zip(accepted, accepted.dropFirst()) { XCTAssertEqual(next.0, prev.1 + 1) }
        XCTAssertEqual(ranges.count - accepted.count, 4)  // 1000, 500, 250, 125 refused once each
    }

    func testASingleBlockTooLargeIsAClearError() async throws {
        let (loader, _) = loader(limit: 0, logsAt: [5])
        do {
            _ = try await loader.logs(from: 0, to: 10, progress: { _ in })
            XCTFail("expected an error")
        } catch let error as EthereumError {
            guard case .rangeTooLarge(let a, let b, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(a, 0)
            XCTAssertEqual(b, 0)
        }
    }

    func testResultTooLargeRecognisesProviderWordings() {
        for message in ["query returned more than 10000 results", "Log response size exceeded.", "block range is too large"] {
            XCTAssertTrue(EthereumError.rpc(method: "eth_getLogs", code: -32000, message: message).isResultTooLarge, message)
        }
        XCTAssertFalse(EthereumError.rpc(method: "eth_getLogs", code: -32000, message: "header not found").isResultTooLarge)
    }
}
