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
    /// The drift window and limits.
    public var drift: DriftSettings

    /// The embedded defaults: 127.0.0.1:14345, info, text, 16 MiB, 100,000 rows.
    public init(host: String = "127.0.0.1", port: Int = 14345, logLevel: Logger.Level = .info, logFormat: LogFormat = .text,
                maxBodyBytes: Int = 16 * 1024 * 1024, maxRows: Int = 100_000,
                auth: AuthSettings? = nil, rateLimit: RateLimitSettings? = nil, drift: DriftSettings = DriftSettings()) {
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.maxBodyBytes = maxBodyBytes
        self.maxRows = maxRows
        self.auth = auth
        self.rateLimit = rateLimit
        self.drift = drift
    }
}
