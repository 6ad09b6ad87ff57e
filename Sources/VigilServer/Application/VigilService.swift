import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import VigilStore

/// Starts the service the way `vigil serve` does.
public enum VigilService {
    /// Runs the application on `registry` until SIGTERM or SIGINT, printing where it listens once
    /// it accepts connections.
    public static func run(_ configuration: ServerConfiguration, registry: any ModelRegistry, logger: Logger) async throws {
        if let auth = configuration.auth { try await TokenVerifier(settings: auth).prepare() }
        let location = storeLocation(of: registry)
        let access = configuration.auth == nil ? "auth off" : "auth on"
        let server = try configuration.tls.map { try httpsServer($0) }
        let scheme = server == nil ? "http" : "https"
        let app = buildApplication(configuration, dependencies: ServerDependencies(registry: registry, storeLocation: location, drift: configuration.drift,
                                                                                      findings: configuration.findings),
                                   logger: logger, server: server) { host, port in
            let line = "vigil listening on \(scheme)://\(host):\(port) (registry: \(location); \(access))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runService()
    }

    /// How answers name the store: the SQLite file's absolute path, or the PostgreSQL server
    /// and database (no credentials).
    public static func storeLocation(of registry: any ModelRegistry) -> String {
        switch registry {
        case let sqlite as SQLiteModelRegistry:
            return URL(fileURLWithPath: sqlite.path).standardizedFileURL.path
        case let postgres as PostgresModelRegistry:
            let s = postgres.settings
            return "postgres://\(s.host):\(s.port)/\(s.database ?? s.username)"
        default:
            return "memory"
        }
    }
}
