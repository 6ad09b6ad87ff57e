import ArgumentParser
import Foundation
import VigilStore

/// Where the model registry lives: `--database-url` (PostgreSQL) or `--data-dir` (SQLite),
/// falling back to `VIGIL_DATABASE_URL`, `VIGIL_DATA_DIR`, then `./vigil-data`.
struct RegistryOptions: ParsableArguments {
    @Option(help: "Data directory of the SQLite registry (env VIGIL_DATA_DIR; default ./vigil-data).")
    var dataDir: String?

    @Option(help: "PostgreSQL registry URL, postgres://user:pass@host:port/db?sslmode=… (env VIGIL_DATABASE_URL).")
    var databaseURL: String?

    /// Opens the registry the options and environment name.
    func open() async throws -> any ModelRegistry {
        let env = ProcessInfo.processInfo.environment
        if dataDir != nil && databaseURL != nil {
            throw CLIError("give either --data-dir or --database-url, not both")
        }
        if let url = databaseURL ?? (dataDir == nil ? env["VIGIL_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } : nil) {
            return try await PostgresModelRegistry.connect(url: url)
        }
        let dir = dataDir ?? env["VIGIL_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? SQLiteModelRegistry.defaultDataDirectory
        return try SQLiteModelRegistry(dataDirectory: dir)
    }

    /// Runs `body` with the opened registry and closes it afterwards, whatever happens.
    func with<T>(_ body: (any ModelRegistry) async throws -> T) async throws -> T {
        let registry = try await open()
        do {
            let result = try await body(registry)
            await registry.close()
            return result
        } catch {
            await registry.close()
            throw error
        }
    }
}
