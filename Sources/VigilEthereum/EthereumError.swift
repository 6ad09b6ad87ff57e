/// What can go wrong talking to an Ethereum node or decoding its answers; each case says what a
/// person needs to act on it (the method, the status, the node's message).
public enum EthereumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node answered a JSON-RPC error object.
    case rpc(method: String, code: Int, message: String)
    /// The node answered an HTTP status other than 200 (after the retries, for 429 and 5xx).
    case http(method: String, status: Int, body: String)
    /// No answer within the timeout (after the retries).
    case timeout(method: String, seconds: Double)
    /// The connection failed (after the retries).
    case transport(method: String, reason: String)
    /// The answer is not the JSON-RPC the method promises.
    case malformed(method: String, reason: String)
    /// A single block still holds more logs than the node will return.
    case rangeTooLarge(fromBlock: UInt64, toBlock: UInt64, message: String)
    /// A value that cannot be used (bad URL, bad hex, bad range).
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .rpc(method, code, message):
            return "the Ethereum node refused \(method): \(message) (JSON-RPC error \(code))"
        case let .http(method, status, body):
            let shown = body.count > 200 ? String(body.prefix(200)) + "…" : body
            return "the Ethereum node answered \(method) with HTTP \(status)\(shown.isEmpty ? "" : ": \(shown)")"
        case let .timeout(method, seconds):
            return "the Ethereum node did not answer \(method) within \(seconds) s"
        case let .transport(method, reason):
            return "cannot reach the Ethereum node for \(method): \(reason)"
        case let .malformed(method, reason):
            return "the Ethereum node's answer to \(method) is not valid JSON-RPC: \(reason)"
        case let .rangeTooLarge(from, to, message):
            return "the Ethereum node refuses eth_getLogs even for blocks \(from)–\(to): \(message)"
        case let .invalidInput(message):
            return message
        }
    }

    /// Whether the node said the answer would be too large (so a smaller block range may work).
    /// Providers word it differently: Infura "query returned more than 10000 results" (-32005),
    /// Alchemy "Log response size exceeded", others "block range is too large" / "limit exceeded".
    public var isResultTooLarge: Bool {
        guard case let .rpc(_, code, message) = self else { return false }
        if code == -32005 { return true }
        let text = message.lowercased()
        return ["too large", "too many", "more than", "exceed", "block range", "range is too", "response size", "limit"]
            .contains { text.contains($0) }
    }

    /// Whether the node does not offer the method (JSON-RPC -32601, or a message saying so).
    public var isMethodUnsupported: Bool {
        guard case let .rpc(_, code, message) = self else { return false }
        let text = message.lowercased()
        return code == -32601 || text.contains("not supported") || text.contains("does not exist")
            || text.contains("not found") || text.contains("unsupported") || text.contains("not available")
    }
}
