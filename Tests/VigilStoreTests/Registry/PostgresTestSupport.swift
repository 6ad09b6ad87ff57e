import Foundation
import PostgresNIO
@testable import VigilStore

/// PostgreSQL for the shared suite, from `VIGIL_TEST_POSTGRES_URL`; each store is its own schema.
enum PostgresTestSupport {
    static var url: String? {
        let value = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_URL"]
        return value?.isEmpty == false ? value : nil
    }

    private static let reportedSkip = SkipNotice()

    /// Prints why PostgreSQL tests are skipped (once) and returns nil when no server is configured.
    static func configuredURL() -> String? {
        guard let url else {
            reportedSkip.once("PostgreSQL registry tests skipped: VIGIL_TEST_POSTGRES_URL is not set (.ci/run sets it)")
            return nil
        }
        return url
    }

    /// Settings for a fresh schema on the test server.
    static func freshSettings(url: String, timeout: Duration = .seconds(5)) throws -> PostgresSettings {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return try PostgresSettings(url: url, schema: String(schema), timeout: timeout)
    }

    /// Runs SQL on `registry`'s store (its schema) directly, bypassing the registry.
    static func execute(_ sql: String, on registry: PostgresModelRegistry) async throws {
        try await registry.client.withConnection { connection in
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: registry.logger) {}
        }
    }

    /// The PostgreSQL registry under test, or nil (with the reason printed once) when no server is configured.
    static func registryUnderTest(clock: TestClock) async throws -> RegistryUnderTest? {
        guard let url = configuredURL() else { return nil }
        let settings = try freshSettings(url: url)
        let registry = try await PostgresModelRegistry.connect(settings, clock: clock.read)
        return RegistryUnderTest(
            label: "postgres", registry: registry,
            openAnother: { try await PostgresModelRegistry.connect(settings, clock: clock.read) },
            corruptBlob: { version in
                try await execute("UPDATE model_blobs SET blob = 'tampered'::bytea WHERE version = '\(version)'", on: registry)
            },
            cleanup: {
                try await execute("DROP SCHEMA IF EXISTS \(settings.schema ?? "none") CASCADE", on: registry)
            })
    }
}

/// Prints a message the first time only.
final class SkipNotice: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func once(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        guard !done else { return }
        done = true
        print(message)
    }
}
