import Foundation
import Logging
import PostgresNIO

/// The shared registry for several `vigil serve` replicas: PostgreSQL through a postgres-nio
/// connection pool. Writes are serialised by a transaction-scoped advisory lock, so version ids,
/// overwrite and the change log stay consistent across processes; changes are announced with NOTIFY.
public final class PostgresModelRegistry: ModelRegistry {
    /// How the registry reaches the server.
    public let settings: PostgresSettings
    let client: PostgresClient
    private let runner: Task<Void, Never>
    private let listener = ListenerSlot()
    let feed = ChangeFeed()
    private let clock: @Sendable () -> Date
    let logger = Logger(label: "vigil.registry", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The NOTIFY channel writers announce changes on (one per schema).
    var channel: String { "vigil_registry_" + (settings.schema ?? "default") }
    /// The advisory lock key that serialises writers of this store.
    private var lockKey: String { "vigil.registry." + (settings.schema ?? "default") }

    private init(settings: PostgresSettings, clock: @escaping @Sendable () -> Date) {
        self.settings = settings
        self.clock = clock
        let client = PostgresClient(configuration: settings.clientConfiguration())
        self.client = client
        runner = Task { await client.run() }
    }

    /// Connects to the server at `settings` and applies pending migrations.
    public static func connect(_ settings: PostgresSettings, clock: @escaping @Sendable () -> Date = { Date() }) async throws -> PostgresModelRegistry {
        let registry = PostgresModelRegistry(settings: settings, clock: clock)
        do {
            try await registry.migrate()
        } catch {
            await registry.close()
            throw error
        }
        await registry.startListening()
        return registry
    }

    /// Connects to the server a `postgres://` URL names and applies pending migrations.
    public static func connect(url: String, tls: PostgresSettings.TLSMode? = nil, schema: String? = nil) async throws -> PostgresModelRegistry {
        try await connect(PostgresSettings(url: url, tls: tls, schema: schema))
    }

    // MARK: Running operations

    /// Runs `body` with a deadline, mapping server and connection failures to `storageUnavailable`.
    func withServer<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let store = settings.storeName
        let timeout = settings.timeout
        do {
            return try await withDeadline(timeout, onTimeout: {
                RegistryError.storageUnavailable(store: store, reason: "the server did not answer within \(timeout) (down or unreachable)")
            }, body)
        } catch {
            throw Self.storageError(error, store: store)
        }
    }

    /// Maps a postgres-nio error to `storageUnavailable` with the server's message or the connection failure.
    static func storageError(_ error: any Error, store: String) -> any Error {
        if error is RegistryError || error is CancellationError { return error }
        if let transaction = error as? PostgresTransactionError {
            let cause = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? transaction.rollbackError
            return cause.map { storageError($0, store: store) }
                ?? RegistryError.storageUnavailable(store: store, reason: "transaction failed")
        }
        guard let psql = error as? PSQLError else {
            return RegistryError.storageUnavailable(store: store, reason: "\(error)")
        }
        if let message = psql.serverInfo?[.message] {
            let state = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return RegistryError.storageUnavailable(store: store, reason: message + state)
        }
        let cause = psql.underlying.map { ": \($0)" } ?? ""
        return RegistryError.storageUnavailable(store: store, reason: "\(psql.code)\(cause)")
    }

    /// Runs `body` in a transaction holding the store's writer lock.
    func writing<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let key = lockKey
        return try await withServer { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(key)))", logger: logger)
                return try await body(connection)
            }
        }
    }

    private func migrate() async throws {
        let schema = settings.schema
        let store = settings.storeName
        try await writing { [logger] connection in
            if let schema {
                try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)", logger: logger)
            }
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS vigil_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)",
                logger: logger)
            var applied = 0
            for try await (id) in try await connection.query("SELECT COALESCE(MAX(id), 0) FROM vigil_migrations", logger: logger).decode(Int.self) {
                applied = id
            }
            for migration in try RegistryMigrations.pending(after: applied, store: store) {
                for statement in migration.postgres {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = RegistryRules.milliseconds(Date())
                try await connection.query(
                    "INSERT INTO vigil_migrations (id, name, applied_at_ms) VALUES (\(migration.id), \(migration.name), \(now))",
                    logger: logger)
            }
        }
    }

    // MARK: Rows

    static func record(_ row: PostgresRow) throws -> VersionRecord {
        let c = row.makeRandomAccess()
        return VersionRecord(
            name: try c[0].decode(String.self), version: try c[1].decode(String.self), backend: try c[2].decode(String.self),
            normalization: try c[3].decode(String.self), parameters: try c[4].decode(String.self),
            schema: try c[5].decode(String?.self), featureNames: try c[6].decode(String.self),
            trainingRows: try c[7].decode(Int.self), trainingAnomalyRate: try c[8].decode(Double.self),
            threshold: try c[9].decode(Double.self), metrics: try c[10].decode(String.self),
            description: try c[11].decode(String?.self), createdAtMilliseconds: try c[12].decode(Int64.self),
            sizeBytes: try c[13].decode(Int.self), checksum: try c[14].decode(String.self), promoted: try c[15].decode(Bool.self))
    }

    func versions(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [ModelVersion] {
        var result = [ModelVersion]()
        for try await row in try await connection.query(query, logger: logger) {
            result.append(try Self.record(row).metadata(store: settings.storeName))
        }
        return result
    }

    func strings(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [String] {
        var result = [String]()
        for try await (value) in try await connection.query(query, logger: logger).decode(String.self) { result.append(value) }
        return result
    }

    func notFound(_ connection: PostgresConnection, _ reference: String, backend: String?) async throws -> RegistryError {
        let candidates = try await strings(connection, "SELECT name FROM model_versions UNION SELECT version FROM model_versions")
        return .notFound(reference: reference, backend: backend, closeNames: RegistryRules.closeNames(to: reference, among: candidates))
    }

    func recordChange(_ connection: PostgresConnection, _ kind: RegistryChange.Kind, name: String, version: String) async throws {
        let keep = RegistryMigrations.changeLogLength
        try await connection.query("""
            WITH added AS (INSERT INTO registry_changes (kind, name, version) VALUES (\(kind.rawValue), \(name), \(version)) RETURNING id)
            DELETE FROM registry_changes WHERE id <= (SELECT id FROM added) - \(keep)
            """, logger: logger)
        try await connection.query("SELECT pg_notify(\(channel), \(version))", logger: logger)
    }

    // MARK: ModelRegistry

    public func save(_ new: NewModelVersion, overwrite: Bool) async throws -> ModelVersion {
        try RegistryRules.validate(new)
        let now = RegistryRules.milliseconds(clock())
        let checksum = RegistryRules.checksum(new.blob)
        let blob = Data(new.blob)
        let store = settings.storeName
        return try await writing { [self] connection in
            try await connection.query("DELETE FROM model_promotions WHERE name = \(new.name)", logger: logger)
            let newest = overwrite
                ? try await strings(connection, "SELECT version FROM model_versions WHERE name = \(new.name) ORDER BY seq DESC LIMIT 1").first
                : nil
            var id = newest ?? ""
            if newest == nil {
                let stamp = RegistryRules.versionID(name: new.name, at: RegistryRules.date(milliseconds: now)) { _ in false }
                let taken = Set(try await strings(connection, "SELECT version FROM model_versions WHERE version LIKE \(stamp + "%")"))
                id = RegistryRules.versionID(name: new.name, at: RegistryRules.date(milliseconds: now)) { taken.contains($0) }
            }
            let r = try VersionRecord(new, version: id, createdAtMilliseconds: now, checksum: checksum)
            if newest != nil {
                try await connection.query("""
                    UPDATE model_versions SET backend = \(r.backend), normalization = \(r.normalization), parameters = \(r.parameters),
                    schema_json = \(r.schema), feature_names = \(r.featureNames), training_rows = \(r.trainingRows),
                    training_anomaly_rate = \(r.trainingAnomalyRate), threshold = \(r.threshold), metrics = \(r.metrics),
                    description = \(r.description), created_at_ms = \(r.createdAtMilliseconds), size_bytes = \(r.sizeBytes),
                    checksum = \(r.checksum) WHERE version = \(id)
                    """, logger: logger)
                try await connection.query("UPDATE model_blobs SET blob = \(blob) WHERE version = \(id)", logger: logger)
            } else {
                try await connection.query("""
                    INSERT INTO model_versions (name, version, backend, normalization, parameters, schema_json, feature_names,
                    training_rows, training_anomaly_rate, threshold, metrics, description, created_at_ms, size_bytes, checksum)
                    VALUES (\(r.name), \(id), \(r.backend), \(r.normalization), \(r.parameters), \(r.schema), \(r.featureNames),
                    \(r.trainingRows), \(r.trainingAnomalyRate), \(r.threshold), \(r.metrics), \(r.description),
                    \(r.createdAtMilliseconds), \(r.sizeBytes), \(r.checksum))
                    """, logger: logger)
                try await connection.query("INSERT INTO model_blobs (version, blob) VALUES (\(id), \(blob))", logger: logger)
            }
            try await recordChange(connection, .saved, name: new.name, version: id)
            return try r.metadata(store: store)
        }
    }

    func resolve(_ connection: PostgresConnection, _ reference: String, backend: String?) async throws -> ModelVersion {
        let columns = VersionRecord.columns, join = VersionRecord.promotionJoin
        if let exact = try await versions(connection, """
            SELECT \(unescaped: columns) FROM model_versions v \(unescaped: join)
            WHERE v.version = \(reference) AND (\(backend)::text IS NULL OR v.backend = \(backend))
            """).first {
            return exact
        }
        let name = RegistryRules.baseName(of: reference)
        if let latest = try await versions(connection, """
            SELECT \(unescaped: columns) FROM model_versions v \(unescaped: join)
            WHERE v.name = \(name) AND (\(backend)::text IS NULL OR v.backend = \(backend))
            ORDER BY (p.version IS NOT NULL) DESC, v.seq DESC LIMIT 1
            """).first {
            return latest
        }
        throw try await notFound(connection, reference, backend: backend)
    }

    public func resolve(_ reference: String, backend: String?) async throws -> ModelVersion {
        try RegistryRules.validate(reference: reference)
        return try await withServer { [self] in
            try await client.withConnection { try await self.resolve($0, reference, backend: backend) }
        }
    }

    public func load(_ reference: String, backend: String?) async throws -> (version: ModelVersion, blob: [UInt8]) {
        try RegistryRules.validate(reference: reference)
        let store = settings.storeName
        let (version, blob) = try await withServer { [self] in
            try await client.withConnection { connection -> (ModelVersion, [UInt8]) in
                let version = try await self.resolve(connection, reference, backend: backend)
                var blob: [UInt8]?
                for try await (data) in try await connection.query(
                    "SELECT blob FROM model_blobs WHERE version = \(version.version)", logger: logger).decode(Data.self) {
                    blob = [UInt8](data)
                }
                guard let blob else { throw RegistryError.storageUnavailable(store: store, reason: "blob of \(version.version) is missing") }
                return (version, blob)
            }
        }
        try RegistryRules.verify(blob, of: version)
        return (version, blob)
    }

    public func list(name: String?, backend: String?) async throws -> [ModelVersion] {
        if let name { try RegistryRules.validate(name: name) }
        return try await withServer { [self] in
            try await client.withConnection { connection in
                try await versions(connection, """
                    SELECT \(unescaped: VersionRecord.columns) FROM model_versions v \(unescaped: VersionRecord.promotionJoin)
                    WHERE (\(name)::text IS NULL OR v.name = \(name)) AND (\(backend)::text IS NULL OR v.backend = \(backend))
                    ORDER BY v.seq DESC
                    """)
            }
        }
    }

    public func delete(version: String) async throws {
        try RegistryRules.validate(reference: version)
        try await writing { [self] connection in
            guard let name = try await strings(connection, "SELECT name FROM model_versions WHERE version = \(version)").first else {
                throw try await notFound(connection, version, backend: nil)
            }
            try await connection.query("DELETE FROM model_versions WHERE version = \(version)", logger: logger)
            try await recordChange(connection, .deleted, name: name, version: version)
        }
    }

    public func deleteAll(name: String) async throws -> Int {
        try RegistryRules.validate(name: name)
        return try await writing { [self] connection in
            let doomed = try await strings(connection, "SELECT version FROM model_versions WHERE name = \(name) ORDER BY seq")
            try await connection.query("DELETE FROM model_versions WHERE name = \(name)", logger: logger)
            for v in doomed { try await recordChange(connection, .deleted, name: name, version: v) }
            return doomed.count
        }
    }

    public func promote(version: String) async throws -> ModelVersion {
        try RegistryRules.validate(reference: version)
        return try await writing { [self] connection in
            guard let name = try await strings(connection, "SELECT name FROM model_versions WHERE version = \(version)").first else {
                throw try await notFound(connection, version, backend: nil)
            }
            try await connection.query("""
                INSERT INTO model_promotions (name, version) VALUES (\(name), \(version))
                ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version
                """, logger: logger)
            try await recordChange(connection, .promoted, name: name, version: version)
            return try await resolve(connection, version, backend: nil)
        }
    }

    public func saveCheckpoint(_ checkpoint: StreamCheckpoint) async throws {
        try RegistryRules.validate(name: checkpoint.id)
        let data = Data(checkpoint.data), ms = RegistryRules.milliseconds(checkpoint.updatedAt)
        try await withServer { [client, logger] in
            try await client.query("""
                INSERT INTO stream_checkpoints (stream_id, data, updated_at_ms) VALUES (\(checkpoint.id), \(data), \(ms))
                ON CONFLICT (stream_id) DO UPDATE SET data = EXCLUDED.data, updated_at_ms = EXCLUDED.updated_at_ms
                """, logger: logger)
        }
    }

    public func checkpoints() async throws -> [StreamCheckpoint] {
        try await withServer { [client, logger] in
            var found = [StreamCheckpoint]()
            for try await (id, data, ms) in try await client.query(
                "SELECT stream_id, data, updated_at_ms FROM stream_checkpoints ORDER BY updated_at_ms, stream_id",
                logger: logger).decode((String, Data, Int64).self) {
                found.append(StreamCheckpoint(id: id, data: [UInt8](data), updatedAt: RegistryRules.date(milliseconds: ms)))
            }
            return found
        }
    }

    public func checkpoint(id: String) async throws -> StreamCheckpoint? {
        try RegistryRules.validate(name: id)
        return try await withServer { [client, logger] in
            for try await (data, ms) in try await client.query(
                "SELECT data, updated_at_ms FROM stream_checkpoints WHERE stream_id = \(id)", logger: logger).decode((Data, Int64).self) {
                return StreamCheckpoint(id: id, data: [UInt8](data), updatedAt: RegistryRules.date(milliseconds: ms))
            }
            return nil
        }
    }

    public func checkpointStamp(id: String) async throws -> Int64? {
        try RegistryRules.validate(name: id)
        return try await withServer { [client, logger] in
            for try await (ms) in try await client.query(
                "SELECT updated_at_ms FROM stream_checkpoints WHERE stream_id = \(id)", logger: logger).decode(Int64.self) {
                return ms
            }
            return nil
        }
    }

    public func saveCheckpoint(_ checkpoint: StreamCheckpoint, ifStamp expected: Int64?) async throws -> Bool {
        try RegistryRules.validate(name: checkpoint.id)
        let data = Data(checkpoint.data), ms = checkpoint.stamp
        return try await withServer { [client, logger] in
            let rows = if let expected {
                try await client.query("""
                    UPDATE stream_checkpoints SET data = \(data), updated_at_ms = \(ms)
                    WHERE stream_id = \(checkpoint.id) AND updated_at_ms = \(expected) RETURNING stream_id
                    """, logger: logger)
            } else {
                try await client.query("""
                    INSERT INTO stream_checkpoints (stream_id, data, updated_at_ms) VALUES (\(checkpoint.id), \(data), \(ms))
                    ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id
                    """, logger: logger)
            }
            var wrote = false
            for try await _ in rows { wrote = true }
            return wrote
        }
    }

    public func deleteCheckpoint(id: String) async throws -> Bool {
        try RegistryRules.validate(name: id)
        return try await withServer { [client, logger] in
            var deleted = false
            for try await _ in try await client.query(
                "DELETE FROM stream_checkpoints WHERE stream_id = \(id) RETURNING stream_id", logger: logger) {
                deleted = true
            }
            return deleted
        }
    }

    public func saveFindings(_ findings: [NewFinding]) async throws -> [Finding] {
        try FindingRules.validate(findings)
        guard !findings.isEmpty else { return [] }
        return try await withServer { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                var saved = [Finding]()
                saved.reserveCapacity(findings.count)
                for f in findings {
                    let ms = RegistryRules.milliseconds(f.createdAt), severity = f.severity.rawValue
                    for try await id in try await connection.query("""
                        INSERT INTO findings (\(unescaped: FindingSQL.columns)) VALUES (\(ms), \(f.alertID), \(severity), \(f.name),
                            \(f.description), \(f.modelName), \(f.modelVersion), \(f.score), \(f.threshold), \(f.metadata),
                            \(f.transactionHash)) RETURNING id
                        """, logger: logger).decode(Int64.self) {
                        saved.append(Finding(id: id, finding: f))
                    }
                }
                return saved
            }
        }
    }

    public func findings(_ query: FindingQuery) async throws -> [Finding] {
        // NULL parameters switch a condition off, so one statement serves every query.
        let since = query.since.map(RegistryRules.milliseconds), severity = query.severity?.rawValue, limit = Int64(query.limit)
        return try await withServer { [client, logger] in
            var found = [Finding]()
            let rows = try await client.query("""
                SELECT id, \(unescaped: FindingSQL.columns) FROM findings
                WHERE (\(since)::BIGINT IS NULL OR created_at_ms >= \(since)) AND (\(severity)::TEXT IS NULL OR severity = \(severity))
                ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            for try await (id, ms, alert, sev, name, description, model, version, score, threshold, metadata, hash) in rows.decode(
                (Int64, Int64, String, String, String, String, String, String, Double, Double, String, String?).self) {
                found.append(FindingSQL.finding(id: id, createdAtMs: ms, alertID: alert, severity: sev, name: name, description: description,
                                                modelName: model, modelVersion: version, score: score, threshold: threshold,
                                                metadata: metadata, transactionHash: hash))
            }
            return found
        }
    }

    public func ping() async throws {
        try await withServer { [client, logger] in
            try await client.withConnection { connection in
                for try await _ in try await connection.query("SELECT 1 FROM vigil_migrations LIMIT 1", logger: logger) {}
            }
        }
    }

    /// Starts the change listener and waits (up to the timeout) until it is listening.
    private func startListening() async {
        let (signal, ready) = AsyncStream<Void>.makeStream()
        let task = Task { [client, channel, logger, feed] in
            await Self.listen(client: client, channel: channel, logger: logger, feed: feed) { ready.yield() }
        }
        listener.set(task)
        _ = try? await withServer {
            for await _ in signal { break }
        }
    }

    public func close() async {
        feed.finish()
        listener.cancel()
        runner.cancel()
        await runner.value
    }
}

/// Holds the listener task so `close()` can stop it.
final class ListenerSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func set(_ task: Task<Void, Never>) {
        lock.lock(); defer { lock.unlock() }
        self.task = task
    }

    /// Cancels the listener without waiting: it may be blocked on a dead connection until the
    /// pool shuts down.
    func cancel() {
        lock.lock()
        let running = task
        task = nil
        lock.unlock()
        running?.cancel()
    }
}
