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

/// `window(seconds:)` finds the first block of a time span by block timestamps.
final class TimeWindowTests: XCTestCase {
    /// A chain whose block n has timestamp `time(n)`, newest block `head`.
    private func loader(head: UInt64, time: @escaping @Sendable (UInt64) -> UInt64) -> (TransferLoader, ScriptedNode) {
        let node = ScriptedNode { request, _ in
            if request["method"]?.string == "eth_blockNumber" { return ScriptedNode.json(ScriptedNode.result(request, .string(Hex.quantity(head)))) }
            let n = try Hex.uint64(request["params"]?.array?.first?.string ?? "")
            return ScriptedNode.json(ScriptedNode.result(request, .object(["timestamp": .string(Hex.quantity(time(n)))])))
        }
        var s = RPCSettings()
        s.requestsPerSecond = 0
        return (TransferLoader(rpc: EthereumRPC(transport: node, settings: s)), node)
    }

    func testTwelveSecondBlocks() async throws {
        let (loader, node) = loader(head: 20_000) { 1_700_000_000 + 12 * $0 }
        let (first, last) = try await loader.window(seconds: 3600, maxBlocks: 10_000)
        XCTAssertEqual(last, 20_000)
        XCTAssertEqual(first, 20_000 - 299)  // 300 blocks: the one exactly an hour older is outside
        XCTAssertLessThan(node.requests.count, 20)
    }

    func testIrregularBlockTimes() async throws {
        // 2 s blocks up to 5,000, then 12 s blocks (a rollup that changed its block time)
        let time: @Sendable (UInt64) -> UInt64 = { n in n <= 5_000 ? 2 * n : 10_000 + 12 * (n - 5_000) }
        let (loader, _) = loader(head: 5_100, time: time)
        let (first, _) = try await loader.window(seconds: 1_300, maxBlocks: 10_000)
        // newest time 11,200; the window holds times > 9,900: blocks 4,951 (9,902) onwards
        XCTAssertEqual(first, 4_951)
        XCTAssertGreaterThan(time(first), 11_200 - 1_300)
        XCTAssertLessThanOrEqual(time(first - 1), 11_200 - 1_300)
    }

    func testAWindowOlderThanTheChainStartsAtGenesis() async throws {
        let (loader, _) = loader(head: 50) { 1_000 + 12 * $0 }
        let (first, last) = try await loader.window(seconds: 86_400, maxBlocks: 10_000)
        XCTAssertEqual(first, 0)
        XCTAssertEqual(last, 50)
    }

    func testAWindowOfMoreThanMaxBlocksIsRefused() async throws {
        let (loader, _) = loader(head: 100_000) { 12 * $0 }
        do {
            _ = try await loader.window(seconds: 2 * 86_400, maxBlocks: 10_000)
            XCTFail("expected an error")
        } catch EthereumError.invalidInput(let message) {
            XCTAssertTrue(message.contains("10000 blocks"), message)
        }
    }
}
