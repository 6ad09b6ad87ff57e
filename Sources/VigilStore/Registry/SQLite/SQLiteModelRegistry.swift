import Foundation
import GRDB

/// The embedded registry: one SQLite file, `<data-dir>/registry.sqlite`, in WAL mode with full
/// synchronous commits, shared safely by several processes on one machine.
public final class SQLiteModelRegistry: ModelRegistry {
    /// The data directory used when none is given.
    public static let defaultDataDirectory = "./vigil-data"
    /// The database file name inside the data directory.
    public static let fileName = "registry.sqlite"

    /// Path of the database file.
    public let path: String
    let pool: DatabasePool
    private let clock: @Sendable () -> Date
    /// How often `changes()` polls `PRAGMA data_version`.
    let pollInterval: Duration
    let feed = ChangeFeed()

    /// Opens (creating if needed) the registry in `dataDirectory` and applies pending migrations.
    /// `busyTimeout` is how long a write waits for another process's write to finish.
    public init(dataDirectory: String = SQLiteModelRegistry.defaultDataDirectory, busyTimeout: TimeInterval = 5,
                pollInterval: Duration = .milliseconds(100), clock: @escaping @Sendable () -> Date = { Date() }) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dataDirectory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw RegistryError.storageUnavailable(store: dataDirectory, reason: "the data directory path is a file, not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw RegistryError.storageUnavailable(store: dataDirectory, reason: "cannot create the data directory: \(error.localizedDescription)")
            }
        }
        path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        self.clock = clock
        self.pollInterval = pollInterval
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw Self.storageError(error, store: path)
        }
        try migrate()
    }

    /// Maps a database error to `storageUnavailable`, passing registry errors through.
    static func storageError(_ error: any Error, store: String) -> any Error {
        if error is RegistryError { return error }
        if let db = error as? DatabaseError {
            return RegistryError.storageUnavailable(store: store, reason: db.message ?? "\(db.resultCode)")
        }
        return RegistryError.storageUnavailable(store: store, reason: "\(error)")
    }

    private func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw RegistryError.storageUnavailable(store: self.path, reason: "transaction returned nothing") }
                return result
            }
        } catch {
            throw Self.storageError(error, store: path)
        }
    }

    private func reading<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.storageError(error, store: path)
        }
    }

    private func migrate() throws {
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "CREATE TABLE IF NOT EXISTS vigil_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)")
                    let applied = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM vigil_migrations") ?? 0
                    for migration in try RegistryMigrations.pending(after: applied, store: path) {
                        for statement in migration.sqlite { try db.execute(sql: statement) }
                        try db.execute(sql: "INSERT INTO vigil_migrations (id, name, applied_at_ms) VALUES (?, ?, ?)",
                                       arguments: [migration.id, migration.name, RegistryRules.milliseconds(Date())])
                    }
                    return .commit
                }
            }
        } catch {
            throw Self.storageError(error, store: path)
        }
    }

    static func record(_ row: Row) throws -> VersionRecord {
        VersionRecord(
            name: try row.decode(atIndex: 0), version: try row.decode(atIndex: 1), backend: try row.decode(atIndex: 2),
            normalization: try row.decode(atIndex: 3), parameters: try row.decode(atIndex: 4), schema: try row.decode(atIndex: 5),
            featureNames: try row.decode(atIndex: 6), trainingRows: try row.decode(atIndex: 7),
            trainingAnomalyRate: try row.decode(atIndex: 8), threshold: try row.decode(atIndex: 9),
            metrics: try row.decode(atIndex: 10), description: try row.decode(atIndex: 11),
            createdAtMilliseconds: try row.decode(atIndex: 12), sizeBytes: try row.decode(atIndex: 13),
            checksum: try row.decode(atIndex: 14), promoted: try row.decode(atIndex: 15))
    }

    private func fetchVersions(_ db: Database, where condition: String, _ arguments: StatementArguments,
                               order: String = "v.seq DESC", limit: Int? = nil) throws -> [ModelVersion] {
        let sql = "SELECT \(VersionRecord.columns) FROM model_versions v \(VersionRecord.promotionJoin) WHERE \(condition) ORDER BY \(order)"
            + (limit.map { " LIMIT \($0)" } ?? "")
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Self.record($0).metadata(store: path) }
    }

    private func recordChange(_ db: Database, _ kind: RegistryChange.Kind, name: String, version: String) throws {
        try db.execute(sql: "INSERT INTO registry_changes (kind, name, version) VALUES (?, ?, ?)",
                       arguments: [kind.rawValue, name, version])
        try db.execute(sql: "DELETE FROM registry_changes WHERE id <= last_insert_rowid() - ?",
                       arguments: [RegistryMigrations.changeLogLength])
    }

    private func notFound(_ db: Database, _ reference: String, backend: String?) throws -> RegistryError {
        let candidates = try String.fetchAll(db, sql: "SELECT DISTINCT name FROM model_versions")
            + String.fetchAll(db, sql: "SELECT version FROM model_versions")
        return .notFound(reference: reference, backend: backend,
                         closeNames: RegistryRules.closeNames(to: reference, among: candidates))
    }

    public func save(_ new: NewModelVersion, overwrite: Bool) async throws -> ModelVersion {
        try RegistryRules.validate(new)
        let now = RegistryRules.milliseconds(clock())
        let checksum = RegistryRules.checksum(new.blob)
        let blob = Data(new.blob)
        return try await writing { db in
            try db.execute(sql: "DELETE FROM model_promotions WHERE name = ?", arguments: [new.name])
            let newest = overwrite
                ? try String.fetchOne(db, sql: "SELECT version FROM model_versions WHERE name = ? ORDER BY seq DESC LIMIT 1", arguments: [new.name])
                : nil
            let id = try newest ?? RegistryRules.versionID(name: new.name, at: RegistryRules.date(milliseconds: now)) { candidate in
                try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM model_versions WHERE version = ?)", arguments: [candidate]) ?? false
            }
            let r = try VersionRecord(new, version: id, createdAtMilliseconds: now, checksum: checksum)
            let values: StatementArguments = [r.name, r.version, r.backend, r.normalization, r.parameters, r.schema,
                                              r.featureNames, r.trainingRows, r.trainingAnomalyRate, r.threshold,
                                              r.metrics, r.description, r.createdAtMilliseconds, r.sizeBytes, r.checksum]
            if newest != nil {
                try db.execute(sql: """
                    UPDATE model_versions SET name = ?, version = ?, backend = ?, normalization = ?, parameters = ?,
                    schema_json = ?, feature_names = ?, training_rows = ?, training_anomaly_rate = ?, threshold = ?,
                    metrics = ?, description = ?, created_at_ms = ?, size_bytes = ?, checksum = ? WHERE version = ?
                    """, arguments: values + [id])
                try db.execute(sql: "UPDATE model_blobs SET blob = ? WHERE version = ?", arguments: [blob, id])
            } else {
                try db.execute(sql: """
                    INSERT INTO model_versions (name, version, backend, normalization, parameters, schema_json,
                    feature_names, training_rows, training_anomaly_rate, threshold, metrics, description,
                    created_at_ms, size_bytes, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: values)
                try db.execute(sql: "INSERT INTO model_blobs (version, blob) VALUES (?, ?)", arguments: [id, blob])
            }
            try self.recordChange(db, .saved, name: new.name, version: id)
            return try r.metadata(store: self.path)
        }
    }

    private func resolve(_ db: Database, _ reference: String, backend: String?) throws -> ModelVersion {
        let backendFilter = backend == nil ? "" : " AND v.backend = ?"
        let backendArgs: StatementArguments = backend.map { [$0] } ?? []
        if let exact = try fetchVersions(db, where: "v.version = ?" + backendFilter, [reference] + backendArgs).first {
            return exact
        }
        let name = RegistryRules.baseName(of: reference)
        let latest = try fetchVersions(db, where: "v.name = ?" + backendFilter, [name] + backendArgs,
                                       order: "(p.version IS NOT NULL) DESC, v.seq DESC", limit: 1)
        if let latest = latest.first { return latest }
        throw try notFound(db, reference, backend: backend)
    }

    public func resolve(_ reference: String, backend: String?) async throws -> ModelVersion {
        try RegistryRules.validate(reference: reference)
        return try await reading { db in try self.resolve(db, reference, backend: backend) }
    }

    public func load(_ reference: String, backend: String?) async throws -> (version: ModelVersion, blob: [UInt8]) {
        try RegistryRules.validate(reference: reference)
        let (version, data) = try await reading { db in
            let version = try self.resolve(db, reference, backend: backend)
            guard let data = try Data.fetchOne(db, sql: "SELECT blob FROM model_blobs WHERE version = ?", arguments: [version.version]) else {
                throw RegistryError.storageUnavailable(store: self.path, reason: "blob of \(version.version) is missing")
            }
            return (version, data)
        }
        let blob = [UInt8](data)
        try RegistryRules.verify(blob, of: version)
        return (version, blob)
    }

    public func list(name: String?, backend: String?) async throws -> [ModelVersion] {
        if let name { try RegistryRules.validate(name: name) }
        return try await reading { db in
            var conditions = ["1 = 1"]
            var arguments: StatementArguments = []
            if let name { conditions.append("v.name = ?"); arguments += [name] }
            if let backend { conditions.append("v.backend = ?"); arguments += [backend] }
            return try self.fetchVersions(db, where: conditions.joined(separator: " AND "), arguments)
        }
    }

    public func delete(version: String) async throws {
        try RegistryRules.validate(reference: version)
        try await writing { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM model_versions WHERE version = ?", arguments: [version]) else {
                throw try self.notFound(db, version, backend: nil)
            }
            try db.execute(sql: "DELETE FROM model_versions WHERE version = ?", arguments: [version])
            try self.recordChange(db, .deleted, name: name, version: version)
        }
    }

    public func deleteAll(name: String) async throws -> Int {
        try RegistryRules.validate(name: name)
        return try await writing { db in
            let versions = try String.fetchAll(db, sql: "SELECT version FROM model_versions WHERE name = ? ORDER BY seq", arguments: [name])
            try db.execute(sql: "DELETE FROM model_versions WHERE name = ?", arguments: [name])
            for v in versions { try self.recordChange(db, .deleted, name: name, version: v) }
            return versions.count
        }
    }

    public func promote(version: String) async throws -> ModelVersion {
        try RegistryRules.validate(reference: version)
        return try await writing { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM model_versions WHERE version = ?", arguments: [version]) else {
                throw try self.notFound(db, version, backend: nil)
            }
            try db.execute(sql: "INSERT INTO model_promotions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version",
                           arguments: [name, version])
            try self.recordChange(db, .promoted, name: name, version: version)
            guard let promoted = try self.fetchVersions(db, where: "v.version = ?", [version]).first else {
                throw try self.notFound(db, version, backend: nil)
            }
            return promoted
        }
    }

    /// Runs SQLite's `PRAGMA integrity_check`; throws `storageUnavailable` listing the problems.
    public func checkIntegrity() async throws {
        let problems = try await reading { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        guard problems == ["ok"] else {
            throw RegistryError.storageUnavailable(store: path, reason: "integrity check failed: \(problems.prefix(3).joined(separator: "; "))")
        }
    }

    public func saveCheckpoint(_ checkpoint: StreamCheckpoint) async throws {
        try RegistryRules.validate(name: checkpoint.id)
        let data = Data(checkpoint.data), ms = RegistryRules.milliseconds(checkpoint.updatedAt)
        try await writing { db in
            try db.execute(sql: """
                INSERT INTO stream_checkpoints (stream_id, data, updated_at_ms) VALUES (?, ?, ?)
                ON CONFLICT(stream_id) DO UPDATE SET data = excluded.data, updated_at_ms = excluded.updated_at_ms
                """, arguments: [checkpoint.id, data, ms])
        }
    }

    public func checkpoints() async throws -> [StreamCheckpoint] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT stream_id, data, updated_at_ms FROM stream_checkpoints ORDER BY updated_at_ms, stream_id").map { row in
                StreamCheckpoint(id: try row.decode(atIndex: 0), data: [UInt8](try row.decode(atIndex: 1) as Data),
                                 updatedAt: RegistryRules.date(milliseconds: try row.decode(atIndex: 2)))
            }
        }
    }

    public func checkpoint(id: String) async throws -> StreamCheckpoint? {
        try RegistryRules.validate(name: id)
        return try await reading { db in
            try Row.fetchOne(db, sql: "SELECT data, updated_at_ms FROM stream_checkpoints WHERE stream_id = ?", arguments: [id]).map { row in
                StreamCheckpoint(id: id, data: [UInt8](try row.decode(atIndex: 0) as Data),
                                 updatedAt: RegistryRules.date(milliseconds: try row.decode(atIndex: 1)))
            }
        }
    }

    public func checkpointStamp(id: String) async throws -> Int64? {
        try RegistryRules.validate(name: id)
        return try await reading { db in
            try Int64.fetchOne(db, sql: "SELECT updated_at_ms FROM stream_checkpoints WHERE stream_id = ?", arguments: [id])
        }
    }

    public func saveCheckpoint(_ checkpoint: StreamCheckpoint, ifStamp expected: Int64?) async throws -> Bool {
        try RegistryRules.validate(name: checkpoint.id)
        let data = Data(checkpoint.data), ms = checkpoint.stamp
        return try await writing { db in
            if let expected {
                try db.execute(sql: "UPDATE stream_checkpoints SET data = ?, updated_at_ms = ? WHERE stream_id = ? AND updated_at_ms = ?",
                               arguments: [data, ms, checkpoint.id, expected])
            } else {
                try db.execute(sql: "INSERT INTO stream_checkpoints (stream_id, data, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT(stream_id) DO NOTHING",
                               arguments: [checkpoint.id, data, ms])
            }
            return db.changesCount > 0
        }
    }

    public func deleteCheckpoint(id: String) async throws -> Bool {
        try RegistryRules.validate(name: id)
        return try await writing { db in
            try db.execute(sql: "DELETE FROM stream_checkpoints WHERE stream_id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func saveFindings(_ findings: [NewFinding]) async throws -> [Finding] {
        try FindingRules.validate(findings)
        guard !findings.isEmpty else { return [] }
        return try await writing { db in
            let statement = try db.makeStatement(sql: "INSERT INTO findings (\(FindingSQL.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            return try findings.map { f in
                try statement.execute(arguments: [
                    RegistryRules.milliseconds(f.createdAt), f.alertID, f.severity.rawValue, f.name, f.description,
                    f.modelName, f.modelVersion, f.score, f.threshold, f.metadata, f.transactionHash,
                ])
                return Finding(id: db.lastInsertedRowID, finding: f)
            }
        }
    }

    public func findings(_ query: FindingQuery) async throws -> [Finding] {
        var conditions = [String](), arguments = StatementArguments()
        if let since = query.since {
            conditions.append("created_at_ms >= ?")
            _ = arguments.append(contentsOf: [RegistryRules.milliseconds(since)])
        }
        if let severity = query.severity {
            conditions.append("severity = ?")
            _ = arguments.append(contentsOf: [severity.rawValue])
        }
        _ = arguments.append(contentsOf: [query.limit])
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT id, \(FindingSQL.columns) FROM findings \(filter) ORDER BY id DESC LIMIT ?"
        return try await reading { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                FindingSQL.finding(
                    id: try row.decode(atIndex: 0), createdAtMs: try row.decode(atIndex: 1), alertID: try row.decode(atIndex: 2),
                    severity: try row.decode(atIndex: 3), name: try row.decode(atIndex: 4), description: try row.decode(atIndex: 5),
                    modelName: try row.decode(atIndex: 6), modelVersion: try row.decode(atIndex: 7), score: try row.decode(atIndex: 8),
                    threshold: try row.decode(atIndex: 9), metadata: try row.decode(atIndex: 10), transactionHash: try row.decode(atIndex: 11))
            }
        }
    }

    public func ping() async throws {
        _ = try await reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vigil_migrations") }
    }

    public func close() async {
        feed.finish()
        try? pool.close()
    }
}
