import VigilCore

/// `POST /anomaly_detection/`: the seed app's request, plus `contamination` and `group_by_transaction`.
public struct ScanRequest: Decodable, Sendable {
    /// First and last block, inclusive.
    public var startBlock: UInt64
    public var endBlock: UInt64
    /// When > 0, the blocks of this many seconds up to the newest (by block timestamps) replace the range.
    public var timeIntervalInSeconds: Double = 0
    /// Score with the newest `erc20-transfers` model instead of fitting one on the loaded transfers.
    public var usePreTrainedModel = false
    /// Share of transfers a fit flags (the seed's 0.001).
    public var contamination = 0.001
    /// One entry per transaction (`token2value`) instead of one per transfer.
    public var groupByTransaction = false

    private enum CodingKeys: String, CodingKey {
        case startBlock = "start_block", endBlock = "end_block", timeIntervalInSeconds = "time_interval_in_seconds"
        case usePreTrainedModel = "use_pre_trained_model", contamination, groupByTransaction = "group_by_transaction"
    }

    /// A request for blocks `startBlock...endBlock`.
    public init(startBlock: UInt64, endBlock: UInt64, timeIntervalInSeconds: Double = 0, usePreTrainedModel: Bool = false,
                contamination: Double = 0.001, groupByTransaction: Bool = false) {
        self.startBlock = startBlock
        self.endBlock = endBlock
        self.timeIntervalInSeconds = timeIntervalInSeconds
        self.usePreTrainedModel = usePreTrainedModel
        self.contamination = contamination
        self.groupByTransaction = groupByTransaction
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startBlock = try c.decode(UInt64.self, forKey: .startBlock)
        endBlock = try c.decode(UInt64.self, forKey: .endBlock)
        timeIntervalInSeconds = try c.decodeIfPresent(Double.self, forKey: .timeIntervalInSeconds) ?? 0
        usePreTrainedModel = try c.decodeIfPresent(Bool.self, forKey: .usePreTrainedModel) ?? false
        contamination = try c.decodeIfPresent(Double.self, forKey: .contamination) ?? 0.001
        groupByTransaction = try c.decodeIfPresent(Bool.self, forKey: .groupByTransaction) ?? false
    }
}

/// One flagged transfer in the answer (the seed's fields, then the exact value and where it is).
public struct FlaggedTransfer: Encodable, Sendable, Equatable {
    public let transactionHash: String
    /// Token units (the nearest double; `value_exact` has every digit).
    public let value: Double
    /// The token's symbol, else its contract address.
    public let token: String
    /// gasUsed × effectiveGasPrice in ETH.
    public let gasCost: Double
    public let anomalyScore: Double
    public let etherscanLink: String
    public let valueExact: String
    public let gasCostExact: String
    public let tokenAddress: String
    public let blockNumber: UInt64
    public let logIndex: UInt64

    enum CodingKeys: String, CodingKey {
        case transactionHash = "transaction_hash", value, token, gasCost = "gas_cost", anomalyScore = "anomaly_score"
        case etherscanLink = "etherscan_link", valueExact = "value_exact", gasCostExact = "gas_cost_exact"
        case tokenAddress = "token_address", blockNumber = "block_number", logIndex = "log_index"
    }
}

/// One flagged transaction in the grouped answer: its flagged transfers' values by token.
public struct FlaggedTransaction: Encodable, Sendable, Equatable {
    public let transactionHash: String
    public let token2value: [String: Double]
    public let gasCost: Double
    /// The highest score of its transfers.
    public let anomalyScore: Double
    public let etherscanLink: String

    enum CodingKeys: String, CodingKey {
        case transactionHash = "transaction_hash", token2value, gasCost = "gas_cost", anomalyScore = "anomaly_score"
        case etherscanLink = "etherscan_link"
    }
}
