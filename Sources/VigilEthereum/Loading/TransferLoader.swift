import BigInt
import Foundation

/// How far a scan has got, for progress bars.
public struct LoadProgress: Sendable {
    /// The step running: "logs", "blocks", "receipts" or "tokens".
    public var phase: String
    /// Units done and in all (blocks for "logs", requests' items for the others).
    public var done: Int, total: Int
}

/// Loads the ERC20 transfers of a block range from any JSON-RPC node: `eth_getLogs` in chunks
/// (halved when the node says the answer is too large), block timestamps, receipts by block
/// (`eth_getBlockReceipts`, falling back to `eth_getTransactionReceipt`), and token metadata
/// through a bounded LRU cache shared by every scan of this loader.
public final class TransferLoader: @unchecked Sendable {
    /// The node.
    public let rpc: EthereumRPC
    /// Blocks asked for in one `eth_getLogs` at first.
    public var chunkBlocks: UInt64
    /// Whole blocks' receipts asked in one batched request (a mainnet block's receipts are about a
    /// megabyte of JSON, and providers cap answer sizes).
    public var receiptBlocksPerRequest: Int
    /// Token metadata by contract address.
    public let metadataCache: LRUCache<String, TokenMetadata>
    private let lock = NSLock()
    /// Whether the node has `eth_getBlockReceipts`; `nil` until it has been asked.
    private var blockReceipts: Bool?

    /// A loader over `rpc`, asking `chunkBlocks` blocks per `eth_getLogs` and `receiptBlocksPerRequest`
    /// blocks' receipts per request, caching `metadataCapacity` tokens.
    public init(rpc: EthereumRPC, chunkBlocks: UInt64 = 2_000, receiptBlocksPerRequest: Int = 10, metadataCapacity: Int = 10_000) {
        self.rpc = rpc
        self.chunkBlocks = max(1, chunkBlocks)
        self.receiptBlocksPerRequest = max(1, receiptBlocksPerRequest)
        self.metadataCache = LRUCache(capacity: metadataCapacity)
    }

    /// The newest block number.
    public func latestBlock() async throws -> UInt64 {
        guard let text = try await rpc.call("eth_blockNumber").string else {
            throw EthereumError.malformed(method: "eth_blockNumber", reason: "the result is not a hex string")
        }
        return try Hex.uint64(text)
    }

    /// The blocks of the last `seconds`: from the first block whose timestamp is later than the
    /// newest block's minus `seconds`, to the newest. Found by binary search over block timestamps
    /// (`eth_getBlockByNumber`, about log2(`maxBlocks`) calls); throws `invalidInput` when the
    /// window holds more than `maxBlocks` blocks.
    public func window(seconds: Double, maxBlocks: UInt64) async throws -> (UInt64, UInt64) {
        let newest = try await latestBlock()
        let cutoff = Double(try await timestamp(of: newest)) - seconds
        let span = max(1, maxBlocks)
        var before = newest >= span ? newest - span : 0  // one block more than may be scanned
        if Double(try await timestamp(of: before)) > cutoff {
            guard before == 0 else {
                throw EthereumError.invalidInput("the last \(seconds) s hold more than \(span) blocks, the most one scan covers")
            }
            return (0, newest)
        }
        // time(before) ≤ cutoff < time(newest) (seconds > 0): the first block of the window is in (before, newest]
        var first = newest
        while first - before > 1 {
            let middle = before + (first - before) / 2
            if Double(try await timestamp(of: middle)) > cutoff { first = middle } else { before = middle }
        }
        return (first, newest)
    }

    /// The timestamp of block `number`.
    func timestamp(of number: UInt64) async throws -> UInt64 {
        let block = try await rpc.call("eth_getBlockByNumber", [.string(Hex.quantity(number)), .bool(false)])
        guard let text = block["timestamp"]?.string else {
            throw EthereumError.malformed(method: "eth_getBlockByNumber", reason: "block \(number) has no timestamp")
        }
        return try Hex.uint64(text)
    }

    /// Every ERC20 transfer in blocks `from...to` (inclusive), unique by (transaction, log index),
    /// in chain order, with timestamps, gas and metadata.
    public func load(from: UInt64, to: UInt64, progress: @Sendable (LoadProgress) -> Void = { _ in }) async throws -> [LoadedTransfer] {
        guard from <= to else { throw EthereumError.invalidInput("start block \(from) is after end block \(to)") }
        let transfers = try await logs(from: from, to: to, progress: progress)
        let blocks = Array(Set(transfers.map(\.blockNumber))).sorted()
        let times = try await timestamps(blocks, progress: progress)
        let gas = try await receipts(blocks: blocks, transactions: Array(Set(transfers.map(\.transactionHash))).sorted(), progress: progress)
        let tokens = try await metadata(Array(Set(transfers.map(\.token))).sorted(), progress: progress)
        return transfers.map { t in
            let receipt = gas[t.transactionHash]
            return LoadedTransfer(transfer: t, timestamp: times[t.blockNumber], gasUsed: receipt?.0, effectiveGasPrice: receipt?.1,
                                  metadata: tokens[t.token] ?? TokenMetadata(name: nil, symbol: nil, decimals: nil))
        }
    }

    /// The Transfer logs of `from...to`, asked in chunks; a chunk the node finds too large is halved.
    func logs(from: UInt64, to: UInt64, progress: @Sendable (LoadProgress) -> Void) async throws -> [Transfer] {
        var found = [Transfer]()
        var seen = Set<String>()
        var start = from, size = chunkBlocks
        let total = Int(to - from + 1)
        progress(LoadProgress(phase: "logs", done: 0, total: total))
        while start <= to {
            let end = to - start >= size - 1 ? start + size - 1 : to
            let filter: JSONValue = .object([
                "fromBlock": .string(Hex.quantity(start)), "toBlock": .string(Hex.quantity(end)),
                "topics": .array([.string(ABIDecoding.transferTopic)]),
            ])
            let answer: JSONValue
            do {
                answer = try await rpc.call("eth_getLogs", [filter])
            } catch let error as EthereumError where error.isResultTooLarge {
                guard end > start else {
                    if case let .rpc(_, _, message) = error { throw EthereumError.rangeTooLarge(fromBlock: start, toBlock: end, message: message) }
                    throw error
                }
                size = max(1, (end - start + 1) / 2)
                continue
            }
            guard let logs = answer.array else { throw EthereumError.malformed(method: "eth_getLogs", reason: "the result is not a list") }
            for log in logs {
                guard let transfer = try Transfer(log: log) else { continue }
                if seen.insert("\(transfer.transactionHash)#\(transfer.logIndex)").inserted { found.append(transfer) }
            }
            progress(LoadProgress(phase: "logs", done: Int(end - from + 1), total: total))
            if end == to { break }
            start = end + 1
        }
        return found.sorted { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }
    }

    /// Timestamps of `blocks` by `eth_getBlockByNumber`.
    func timestamps(_ blocks: [UInt64], progress: @Sendable (LoadProgress) -> Void) async throws -> [UInt64: UInt64] {
        let answers = try await batches(blocks.map { RPCCall("eth_getBlockByNumber", [.string(Hex.quantity($0)), .bool(false)]) },
                                        phase: "blocks", progress: progress)
        var out = [UInt64: UInt64]()
        for (block, answer) in zip(blocks, answers) {
            if let text = try answer.get()["timestamp"]?.string { out[block] = try Hex.uint64(text) }
        }
        return out
    }

    /// (gasUsed, effectiveGasPrice) by transaction hash: whole blocks' receipts when the node has
    /// `eth_getBlockReceipts`, else one `eth_getTransactionReceipt` per transaction.
    func receipts(blocks: [UInt64], transactions: [String],
                  progress: @Sendable (LoadProgress) -> Void) async throws -> [String: (BigUInt, BigUInt)] {
        var out = [String: (BigUInt, BigUInt)]()
        let wanted = Set(transactions)
        if lock.withLock({ blockReceipts != false }), let first = blocks.first {
            // The first block is asked alone until the node has shown it has the method, so a node
            // without it costs one refused call, not one per block.
            var answers = [Result<JSONValue, EthereumError>]()
            var rest = blocks[...]
            if lock.withLock({ blockReceipts == nil }) {
                do {
                    answers.append(.success(try await rpc.call("eth_getBlockReceipts", [.string(Hex.quantity(first))])))
                    lock.withLock { blockReceipts = true }
                    rest = rest.dropFirst()
                } catch let error as EthereumError where error.isMethodUnsupported {
                    lock.withLock { blockReceipts = false }
                }
            }
            if lock.withLock({ blockReceipts == true }) {
                answers += try await batches(rest.map { RPCCall("eth_getBlockReceipts", [.string(Hex.quantity($0))]) },
                                             phase: "receipts", progress: progress, limit: receiptBlocksPerRequest)
                for answer in answers {
                    for receipt in try answer.get().array ?? [] {
                        if let (hash, gas) = try Self.gas(of: receipt), wanted.contains(hash) { out[hash] = gas }
                    }
                }
                return out
            }
        }
        let answers = try await batches(transactions.map { RPCCall("eth_getTransactionReceipt", [.string($0)]) },
                                        phase: "receipts", progress: progress)
        for answer in answers {
            if let (hash, gas) = try Self.gas(of: try answer.get()) { out[hash] = gas }
        }
        return out
    }

    /// `calls` in batches of the client's batch size (at most `limit`), telling `progress` after each.
    private func batches(_ calls: [RPCCall], phase: String, progress: @Sendable (LoadProgress) -> Void,
                         limit: Int = .max) async throws -> [Result<JSONValue, EthereumError>] {
        var out = [Result<JSONValue, EthereumError>]()
        out.reserveCapacity(calls.count)
        let size = max(1, min(rpc.settings.batchSize, limit))
        progress(LoadProgress(phase: phase, done: 0, total: calls.count))
        var start = 0
        while start < calls.count {
            let end = min(calls.count, start + size)
            out += try await rpc.batch(Array(calls[start..<end]))
            progress(LoadProgress(phase: phase, done: end, total: calls.count))
            start = end
        }
        return out
    }

    /// A receipt's transaction hash and gas, `nil` for a null receipt; a receipt without
    /// `effectiveGasPrice` (nodes before the London fork) is `nil` too: its gas cost is unknown.
    static func gas(of receipt: JSONValue) throws -> (String, (BigUInt, BigUInt))? {
        guard receipt != .null else { return nil }
        guard let hash = receipt["transactionHash"]?.string, let used = receipt["gasUsed"]?.string else {
            throw EthereumError.malformed(method: "receipts", reason: "a receipt lacks transactionHash or gasUsed")
        }
        guard let price = receipt["effectiveGasPrice"]?.string else { return nil }
        return (hash.lowercased(), (try Hex.bigUInt(used), try Hex.bigUInt(price)))
    }

    /// Metadata of `tokens`, from the cache or by `eth_call` of name(), symbol() and decimals().
    func metadata(_ tokens: [String], progress: @Sendable (LoadProgress) -> Void) async throws -> [String: TokenMetadata] {
        var out = [String: TokenMetadata]()
        var missing = [String]()
        for token in tokens {
            if let known = metadataCache.value(for: token) { out[token] = known } else { missing.append(token) }
        }
        let selectors = [ABIDecoding.nameSelector, ABIDecoding.symbolSelector, ABIDecoding.decimalsSelector]
        let calls = missing.flatMap { token in
            selectors.map { RPCCall("eth_call", [.object(["to": .string(token), "data": .string($0)]), .string("latest")]) }
        }
        let answers = try await rpc.batch(calls)
        for (i, token) in missing.enumerated() {
            // A revert or an empty answer means the token lacks that function: unknown, not an error.
            let data: [[UInt8]?] = (0..<3).map { k in
                guard case .success(let value) = answers[3 * i + k], let text = value.string else { return nil }
                return try? Hex.bytes(text)
            }
            let meta = TokenMetadata(name: data[0].flatMap(ABIDecoding.text), symbol: data[1].flatMap(ABIDecoding.text),
                                     decimals: data[2].flatMap(ABIDecoding.decimals))
            metadataCache.set(meta, for: token)
            out[token] = meta
        }
        progress(LoadProgress(phase: "tokens", done: tokens.count, total: tokens.count))
        return out
    }
}
