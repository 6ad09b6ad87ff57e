import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP answer of a JSON-RPC node.
public struct RPCHTTPResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The body bytes.
    public var body: [UInt8]
    /// Seconds the node asked to wait (`Retry-After`), if it said.
    public var retryAfter: Double?

    /// An answer with `status` and `body`.
    public init(status: Int, body: [UInt8], retryAfter: Double? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// Why a POST got no HTTP answer.
public enum RPCTransportFailure: Error, Sendable {
    /// Nothing came back within the timeout.
    case timeout
    /// The connection could not be made or broke.
    case connection(String)
}

/// Sends one JSON-RPC body to a node and returns its HTTP answer.
public protocol RPCTransport: Sendable {
    /// POSTs `body` (JSON) and returns the answer, throwing `RPCTransportFailure` when none came.
    func post(_ body: [UInt8], timeout: Duration) async throws -> RPCHTTPResponse
}

/// JSON-RPC over HTTP(S) with async-http-client's shared client.
public struct HTTPRPCTransport: RPCTransport {
    /// The node's URL, e.g. `http://127.0.0.1:8545` or a provider's `https://…/v3/KEY`.
    public let url: String
    /// Largest answer accepted (a block's receipts on mainnet are a few MiB).
    public var maxResponseBytes = 256 << 20

    /// A transport to the node at `url`; throws when it is not an http(s) URL.
    public init(url: String) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host != nil else {
            throw EthereumError.invalidInput("the Ethereum node URL must be http:// or https://, got '\(url)'")
        }
        self.url = url
    }

    public func post(_ body: [UInt8], timeout: Duration) async throws -> RPCHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        let deadline = TimeAmount.nanoseconds(Int64(seconds * 1e9))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: deadline)
            let bytes = try await response.body.collect(upTo: maxResponseBytes)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
            return RPCHTTPResponse(status: Int(response.status.code), body: Array(buffer: bytes), retryAfter: retryAfter)
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { throw RPCTransportFailure.timeout }
            throw RPCTransportFailure.connection("\(error)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RPCTransportFailure.connection("\(error)")
        }
    }
}
