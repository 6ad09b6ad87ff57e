import Foundation
import VigilEthereum

/// Where and how `POST /anomaly_detection/` and `vigil eth scan` reach an Ethereum node.
public struct EthereumSettings: Sendable, Equatable {
    /// The node's JSON-RPC URL (`VIGIL_ETH_RPC_URL`); `nil` answers the route with 503.
    public var rpcURL: String?
    /// The block explorer whose transaction pages the answers link (`VIGIL_ETH_EXPLORER_URL`).
    public var explorerURL: String
    /// Most blocks one scan may cover (`VIGIL_ETH_MAX_BLOCKS`).
    public var maxBlocks: UInt64
    /// Blocks asked for in one `eth_getLogs` before any halving (`VIGIL_ETH_LOG_CHUNK`).
    public var logChunkBlocks: UInt64
    /// Blocks whose receipts are asked in one request (`VIGIL_ETH_RECEIPT_BLOCKS`).
    public var receiptBlocksPerRequest: Int
    /// Timeout, retries, rate limit (`VIGIL_ETH_RPS`, `VIGIL_ETH_TIMEOUT_S`) and batch size (`VIGIL_ETH_BATCH`).
    public var rpc: RPCSettings

    /// Settings from their parts; defaults: etherscan.io, 10,000 blocks, log chunks of 2,000 blocks,
    /// receipts of 10 blocks a request, the RPC defaults.
    public init(rpcURL: String? = nil, explorerURL: String = "https://etherscan.io", maxBlocks: UInt64 = 10_000,
                logChunkBlocks: UInt64 = 2_000, receiptBlocksPerRequest: Int = 10, rpc: RPCSettings = RPCSettings()) {
        self.rpcURL = rpcURL
        self.explorerURL = explorerURL
        self.maxBlocks = maxBlocks
        self.logChunkBlocks = logChunkBlocks
        self.receiptBlocksPerRequest = receiptBlocksPerRequest
        self.rpc = rpc
    }

    /// Settings read from `VIGIL_ETH_*` variables; unset or unreadable ones keep their defaults.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> EthereumSettings {
        var s = EthereumSettings()
        if let url = environment["VIGIL_ETH_RPC_URL"], !url.isEmpty { s.rpcURL = url }
        if let url = environment["VIGIL_ETH_EXPLORER_URL"], !url.isEmpty { s.explorerURL = url }
        if let n = environment["VIGIL_ETH_MAX_BLOCKS"].flatMap(UInt64.init), n > 0 { s.maxBlocks = n }
        if let n = environment["VIGIL_ETH_LOG_CHUNK"].flatMap(UInt64.init), n > 0 { s.logChunkBlocks = n }
        if let n = environment["VIGIL_ETH_RECEIPT_BLOCKS"].flatMap(Int.init), n > 0 { s.receiptBlocksPerRequest = n }
        if let r = environment["VIGIL_ETH_RPS"].flatMap(Double.init), r >= 0 { s.rpc.requestsPerSecond = r }
        if let t = environment["VIGIL_ETH_TIMEOUT_S"].flatMap(Double.init), t > 0 { s.rpc.timeout = .milliseconds(Int64(t * 1000)) }
        if let b = environment["VIGIL_ETH_BATCH"].flatMap(Int.init), b > 0 { s.rpc.batchSize = b }
        if let a = environment["VIGIL_ETH_ATTEMPTS"].flatMap(Int.init), a > 0 { s.rpc.maxAttempts = a }
        return s
    }
}
