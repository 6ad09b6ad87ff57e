import Foundation
import Logging

/// Everything `vigil serve` is configured with besides the registry: where it listens, how it logs
/// and how much one request may carry.
public struct ServerConfiguration: Sendable, Equatable {
    /// How log lines are written.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// `swift-log`'s plain text lines.
        case text
        /// One JSON object per line.
        case json
    }

    /// Address to bind (default loopback only).
    public var host: String
    /// TCP port; 0 asks the system for a free one.
    public var port: Int
    /// Lowest level logged.
    public var logLevel: Logger.Level
    /// Text or JSON log lines.
    public var logFormat: LogFormat
    /// Largest request body accepted, in bytes (larger → 413).
    public var maxBodyBytes: Int
    /// Most rows one request may send (more → 413).
    public var maxRows: Int
    /// How bearer tokens are checked; `nil` serves every route without one.
    public var auth: AuthSettings?
    /// The per-client request limit; `nil` is no limit.
    public var rateLimit: RateLimitSettings?
    /// PEM certificate chain and key to serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN); `nil` is plain HTTP.
    public var tls: TLSFiles?
    /// Longest a request may take before it is answered 503; `nil` is no limit.
    public var requestTimeout: Duration?
    /// Most fits (batch fit requests) running at once; more are answered 429 with `Retry-After`.
    public var maxConcurrentFits: Int
    /// The Ethereum node `POST /anomaly_detection/` scans (from `VIGIL_ETH_*` by default).
    public var ethereum: EthereumSettings
    /// The drift window and limits.
    public var drift: DriftSettings
    /// Whether every flagged row is stored as a finding (the audit trail of `GET /v1/findings`).
    public var findings = true

    /// The embedded defaults: 127.0.0.1:14345, info, text, 16 MiB, 100,000 rows, plain HTTP,
    /// 300 s per request, as many concurrent fits as cores.
    public init(host: String = "127.0.0.1", port: Int = 14345, logLevel: Logger.Level = .info, logFormat: LogFormat = .text,
                maxBodyBytes: Int = 16 * 1024 * 1024, maxRows: Int = 100_000,
                auth: AuthSettings? = nil, rateLimit: RateLimitSettings? = nil, tls: TLSFiles? = nil,
                requestTimeout: Duration? = .seconds(300), maxConcurrentFits: Int = ProcessInfo.processInfo.activeProcessorCount,
                ethereum: EthereumSettings = .fromEnvironment(), drift: DriftSettings = DriftSettings()) {
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.maxBodyBytes = maxBodyBytes
        self.maxRows = maxRows
        self.auth = auth
        self.rateLimit = rateLimit
        self.tls = tls
        self.requestTimeout = requestTimeout
        self.maxConcurrentFits = max(1, maxConcurrentFits)
        self.ethereum = ethereum
        self.drift = drift
    }
}

/// The PEM files `--tls-cert` and `--tls-key` name.
public struct TLSFiles: Sendable, Equatable {
    /// Certificate chain, leaf first.
    public var certificate: String
    /// Private key of the leaf certificate.
    public var key: String

    /// Files at these paths.
    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
