import Foundation
import PostgresNIO

/// How to reach the PostgreSQL registry: parsed from a `postgres://user:password@host:port/db`
/// URL whose query may carry `sslmode` (disable | prefer | require | verify-full) and `schema`.
public struct PostgresSettings: Sendable, Equatable {
    /// Transport security, with libpq's meanings.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, certificate not verified (libpq's default).
        case prefer
        /// TLS always, certificate not verified.
        case require
        /// TLS always, certificate and host name verified against the system's trust roots.
        case verifyFull = "verify-full"
    }

    /// Server host name or address.
    public var host: String
    /// Server port.
    public var port: Int
    /// User name.
    public var username: String
    /// Password, if any.
    public var password: String?
    /// Database name (default: the user name).
    public var database: String?
    /// Transport security.
    public var tls: TLSMode
    /// Schema holding the registry's tables (default: the server's `search_path`, usually `public`).
    public var schema: String?
    /// How long one operation may wait for the server before failing as unavailable.
    public var timeout: Duration
    /// Most connections the pool opens.
    public var maximumConnections: Int

    /// Parses a `postgres://` or `postgresql://` URL; `tls` and `schema`, when given, override the URL's.
    public init(url: String, tls: TLSMode? = nil, schema: String? = nil, timeout: Duration = .seconds(5),
                maximumConnections: Int = 10) throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme else {
            throw RegistryError.invalidURL(url: Self.redacted(url), reason: "not a URL")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw RegistryError.invalidURL(url: Self.redacted(url), reason: "scheme must be postgres:// or postgresql://, got \(scheme)://")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw RegistryError.invalidURL(url: Self.redacted(url), reason: "no host")
        }
        self.host = host
        port = parts.port ?? 5432
        guard (1...65535).contains(port) else {
            throw RegistryError.invalidURL(url: Self.redacted(url), reason: "port \(port) is out of range")
        }
        username = parts.user?.removingPercentEncoding ?? "postgres"
        password = parts.password?.removingPercentEncoding
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = path.isEmpty ? nil : path.removingPercentEncoding
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        if let tls {
            self.tls = tls
        } else if let mode = query["sslmode"] {
            guard let parsed = TLSMode(rawValue: mode) else {
                throw RegistryError.invalidURL(url: Self.redacted(url),
                                               reason: "sslmode '\(mode)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.tls = parsed
        } else {
            self.tls = .prefer
        }
        self.schema = schema ?? query["schema"]
        if let s = self.schema {
            guard let first = s.unicodeScalars.first, first == "_" || ("a"..."z").contains(first),
                  s.unicodeScalars.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }),
                  s.count <= 63 else {
                throw RegistryError.invalidURL(url: Self.redacted(url), reason: "schema '\(s)' must match [a-z_][a-z0-9_]{0,62}")
            }
        }
        guard timeout > .zero else { throw RegistryError.invalidURL(url: Self.redacted(url), reason: "timeout must be positive") }
        self.timeout = timeout
        guard maximumConnections >= 2 else {
            throw RegistryError.invalidURL(url: Self.redacted(url), reason: "at least 2 connections are needed (one listens for changes)")
        }
        self.maximumConnections = maximumConnections
    }

    /// `url` with any password replaced by `***`, for messages.
    public static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    /// The store's name in messages: `postgres://user@host:port/db`, never the password.
    public var storeName: String {
        "postgres://\(username)@\(host):\(port)/\(database ?? username)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    /// The postgres-nio client configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tlsSetting: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(unverified)
        case .require: tlsSetting = .require(unverified)
        case .verifyFull: tlsSetting = .require(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                  database: database, tls: tlsSetting)
        config.options.maximumConnections = maximumConnections
        config.options.connectTimeout = timeout
        if let schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        return config
    }
}
