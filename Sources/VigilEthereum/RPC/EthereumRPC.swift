import Foundation

/// How an `EthereumRPC` talks to its node.
public struct RPCSettings: Sendable, Equatable {
    /// How long one HTTP request may take.
    public var timeout: Duration = .seconds(30)
    /// Tries per request (the first plus retries) on 429, 5xx, timeouts, dropped connections and malformed answers.
    public var maxAttempts = 5
    /// Wait before the first retry; doubled for each further one, up to `maxBackoff`.
    public var initialBackoff: Duration = .milliseconds(250)
    /// Longest wait between tries (also caps a node's `Retry-After`).
    public var maxBackoff: Duration = .seconds(8)
    /// HTTP requests per second to this node (a batch is one request); ≤ 0 for no limit.
    public var requestsPerSecond: Double = 25
    /// Calls per batched request; 1 sends every call alone.
    public var batchSize = 100

    /// The defaults: 30 s timeout, 5 tries, 25 requests/s, batches of 100.
    public init() {}
}

/// One JSON-RPC call: a method and its positional parameters.
public struct RPCCall: Sendable {
    public var method: String
    public var params: [JSONValue]

    /// `method(params…)`.
    public init(_ method: String, _ params: [JSONValue]) {
        self.method = method
        self.params = params
    }
}

/// Counts of what a client sent, for reports and benchmarks.
public struct RPCStatistics: Sendable, Equatable {
    /// HTTP requests sent, retries included.
    public var httpRequests = 0
    /// JSON-RPC calls answered (a batch of 100 counts 100).
    public var calls = 0
    /// Retries after a 429, 5xx, timeout, dropped connection or malformed answer.
    public var retries = 0

    /// Counts from their parts.
    public init(httpRequests: Int = 0, calls: Int = 0, retries: Int = 0) {
        self.httpRequests = httpRequests
        self.calls = calls
        self.retries = retries
    }
}

/// A JSON-RPC 2.0 client for one Ethereum node: batched requests where the node accepts them
/// (falling back to single calls when it answers a batch with an error), retries with exponential
/// backoff, a per-provider rate limit and a timeout per request.
public final class EthereumRPC: @unchecked Sendable {
    /// The settings it was made with.
    public let settings: RPCSettings
    private let transport: any RPCTransport
    private let limiter: RateLimiter
    private let lock = NSLock()
    private var nextID = 1
    private var stats = RPCStatistics()
    private var batchingWorks = true

    /// A client sending through `transport`.
    public init(transport: any RPCTransport, settings: RPCSettings = RPCSettings()) {
        self.transport = transport
        self.settings = settings
        self.limiter = RateLimiter(requestsPerSecond: settings.requestsPerSecond)
    }

    /// A client for the node at `url` (http or https).
    public convenience init(url: String, settings: RPCSettings = RPCSettings()) throws {
        self.init(transport: try HTTPRPCTransport(url: url), settings: settings)
    }

    /// What has been sent so far.
    public var statistics: RPCStatistics { lock.withLock { stats } }

    /// Calls `method` and returns its `result`, throwing the node's error as `EthereumError.rpc`.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        let id = takeIDs(1)
        let body = try Self.encode([Self.request(RPCCall(method, params), id: id)], single: true)
        let answer = try await send(body, label: method)
        guard let object = answer.object else { throw EthereumError.malformed(method: method, reason: "the answer is not a JSON object") }
        lock.withLock { stats.calls += 1 }
        return try Self.result(of: object, method: method)
    }

    /// Calls every entry, batched `settings.batchSize` to a request, and returns each call's result
    /// or error in order. Transport failures (after retries) throw.
    public func batch(_ calls: [RPCCall]) async throws -> [Result<JSONValue, EthereumError>] {
        var out = [Result<JSONValue, EthereumError>]()
        out.reserveCapacity(calls.count)
        var start = 0
        while start < calls.count {
            let useBatch = settings.batchSize > 1 && lock.withLock({ batchingWorks })
            let size = useBatch ? min(settings.batchSize, calls.count - start) : 1
            let chunk = Array(calls[start..<(start + size)])
            if size == 1 {
                do {
                    out.append(.success(try await call(chunk[0].method, chunk[0].params)))
                } catch let error as EthereumError {
                    if case .rpc = error { out.append(.failure(error)) } else { throw error }
                }
            } else if let answers = try await sendBatch(chunk) {
                out += answers
            } else {
                continue  // the node refused batches: this chunk goes again, one call at a time
            }
            start += size
        }
        return out
    }

    /// One batched request; `nil` when the node does not take batches (it answered an object).
    private func sendBatch(_ chunk: [RPCCall]) async throws -> [Result<JSONValue, EthereumError>]? {
        let first = takeIDs(chunk.count)
        let body = try Self.encode(chunk.enumerated().map { Self.request($1, id: first + $0) }, single: false)
        let label = "a batch of \(chunk.count) calls (\(chunk[0].method)…)"
        let answer = try await send(body, label: label)
        guard let items = answer.array else {
            lock.withLock { batchingWorks = false }
            return nil
        }
        var byID = [Int: [String: JSONValue]]()
        for item in items {
            guard let object = item.object, case .number(let n)? = object["id"] else { continue }
            byID[Int(n)] = object
        }
        lock.withLock { stats.calls += chunk.count }
        return chunk.enumerated().map { i, call in
            guard let object = byID[first + i] else {
                return .failure(.malformed(method: call.method, reason: "the batch answer has no entry with id \(first + i)"))
            }
            do {
                return .success(try Self.result(of: object, method: call.method))
            } catch let error as EthereumError {
                return .failure(error)
            } catch {
                return .failure(.malformed(method: call.method, reason: "\(error)"))
            }
        }
    }

    /// Sends `body`, retrying what may pass on a second try, and returns the parsed JSON.
    private func send(_ body: [UInt8], label: String) async throws -> JSONValue {
        var attempt = 0
        while true {
            attempt += 1
            try await limiter.acquire()
            lock.withLock { stats.httpRequests += 1 }
            let failure: EthereumError
            var retryAfter: Double?
            do {
                let response = try await transport.post(body, timeout: settings.timeout)
                retryAfter = response.retryAfter
                let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))
                if response.status == 200 {
                    if let parsed { return parsed }
                    failure = .malformed(method: label, reason: "the body is not JSON: \(Self.preview(response.body))")
                } else if response.status == 429 || response.status >= 500 {
                    failure = .http(method: label, status: response.status, body: Self.preview(response.body))
                } else if let parsed, parsed["error"] != nil || parsed.array != nil {
                    return parsed  // a JSON-RPC error sent with a 4xx status: the caller reports it
                } else {
                    throw EthereumError.http(method: label, status: response.status, body: Self.preview(response.body))
                }
            } catch RPCTransportFailure.timeout {
                let t = settings.timeout
                failure = .timeout(method: label, seconds: Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
            } catch RPCTransportFailure.connection(let reason) {
                failure = .transport(method: label, reason: reason)
            }
            guard attempt < settings.maxAttempts else { throw failure }
            lock.withLock { stats.retries += 1 }
            try await Task.sleep(for: backoff(attempt: attempt, retryAfter: retryAfter))
        }
    }

    /// The wait before retry `attempt` (1-based): `initialBackoff · 2^(attempt−1)`, or the node's
    /// `Retry-After`, never more than `maxBackoff`.
    func backoff(attempt: Int, retryAfter: Double?) -> Duration {
        let doubled = settings.initialBackoff * (1 << min(attempt - 1, 20))
        let wanted = retryAfter.map { Duration.milliseconds(Int64(max(0, $0) * 1000)) } ?? doubled
        return min(wanted, settings.maxBackoff)
    }

    private func takeIDs(_ n: Int) -> Int {
        lock.withLock {
            let first = nextID
            nextID += n
            return first
        }
    }

    private static func request(_ call: RPCCall, id: Int) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": .number(Double(id)), "method": .string(call.method), "params": .array(call.params)])
    }

    private static func encode(_ requests: [JSONValue], single: Bool) throws -> [UInt8] {
        let value: JSONValue = single ? requests[0] : .array(requests)
        return Array(try JSONEncoder().encode(value))
    }

    /// The `result` of one answer object, or its `error` as `EthereumError.rpc`.
    static func result(of object: [String: JSONValue], method: String) throws -> JSONValue {
        if let error = object["error"], error != .null {
            let code: Int
            if case .number(let n)? = error["code"] { code = Int(n) } else { code = 0 }
            let message = error["message"]?.string ?? "\(error)"
            throw EthereumError.rpc(method: method, code: code, message: message)
        }
        guard let result = object["result"] else {
            throw EthereumError.malformed(method: method, reason: "the answer has neither result nor error")
        }
        return result
    }

    private static func preview(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return body.count > 200 ? text + "…" : text
    }
}
