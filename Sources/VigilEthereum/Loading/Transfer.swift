import BigInt

/// One ERC20 `Transfer(address indexed from, address indexed to, uint256 value)` log.
public struct Transfer: Sendable, Equatable {
    /// The block that holds it.
    public var blockNumber: UInt64
    /// Its transaction.
    public var transactionHash: String
    /// Its position among the block's logs; with the hash, what makes a transfer unique.
    public var logIndex: UInt64
    /// The token contract (lowercase hex).
    public var token: String
    /// Sender and receiver (lowercase hex).
    public var from: String, to: String
    /// The amount in the token's base units.
    public var rawValue: BigUInt

    /// Decodes a log object of `eth_getLogs`; `nil` when it is not an ERC20 Transfer (ERC721
    /// Transfers index the token id as a fourth topic and carry no data).
    public init?(log: JSONValue) throws {
        guard let topics = log["topics"]?.array?.compactMap(\.string), topics.count == 3,
              topics[0].lowercased() == ABIDecoding.transferTopic,
              let data = log["data"]?.string, (try? Hex.bytes(data).count) == 32 else { return nil }
        if case .bool(true)? = log["removed"] { return nil }
        guard let block = log["blockNumber"]?.string, let hash = log["transactionHash"]?.string,
              let index = log["logIndex"]?.string, let address = log["address"]?.string else {
            throw EthereumError.malformed(method: "eth_getLogs", reason: "a log lacks blockNumber, transactionHash, logIndex or address")
        }
        blockNumber = try Hex.uint64(block)
        transactionHash = hash.lowercased()
        logIndex = try Hex.uint64(index)
        token = address.lowercased()
        from = try ABIDecoding.address(topic: topics[1])
        to = try ABIDecoding.address(topic: topics[2])
        rawValue = try Hex.bigUInt(data)
    }
}

/// What `name()`, `symbol()` and `decimals()` answered; `nil` for each the token lacks.
public struct TokenMetadata: Sendable, Equatable {
    public var name: String?
    public var symbol: String?
    public var decimals: Int?

    /// Metadata from its three answers.
    public init(name: String?, symbol: String?, decimals: Int?) {
        self.name = name
        self.symbol = symbol
        self.decimals = decimals
    }

    /// Whether any of the three is unknown.
    public var isIncomplete: Bool { name == nil || symbol == nil || decimals == nil }

    /// Decimals used to scale amounts: the token's, or 18 (the common ERC20 choice) when unknown.
    public var scalingDecimals: Int { decimals ?? 18 }
}

/// A transfer with what the scan learned about it: block time, gas paid and token metadata.
public struct LoadedTransfer: Sendable {
    public var transfer: Transfer
    /// The block's timestamp (seconds since 1970), if the block was found.
    public var timestamp: UInt64?
    /// `gasUsed` and `effectiveGasPrice` of the transaction's receipt, if it was found.
    public var gasUsed: BigUInt?, effectiveGasPrice: BigUInt?
    /// The token's metadata.
    public var metadata: TokenMetadata

    /// The amount in token units, exact.
    public var amount: TokenAmount { TokenAmount(raw: transfer.rawValue, decimals: metadata.scalingDecimals) }

    /// Gas paid by the transaction in ETH (gasUsed × effectiveGasPrice / 1e18), exact as a decimal.
    public var gasCost: TokenAmount? {
        guard let gasUsed, let effectiveGasPrice else { return nil }
        return TokenAmount(raw: gasUsed * effectiveGasPrice, decimals: 18)
    }

    /// The token's symbol, else its contract address.
    public var tokenLabel: String { metadata.symbol ?? transfer.token }
}
