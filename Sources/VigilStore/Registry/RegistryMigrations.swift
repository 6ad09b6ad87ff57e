/// The registry's schema as an ordered list of migrations, each in both SQL dialects; a store
/// records the ids it has applied in `vigil_migrations` and applies the rest in order on open.
/// Later tables are added by appending to `all`.
struct RegistryMigration: Sendable {
    /// Position in the list, from 1; never reused.
    var id: Int
    /// What the migration does.
    var name: String
    /// Statements for SQLite.
    var sqlite: [String]
    /// Statements for PostgreSQL.
    var postgres: [String]
}

enum RegistryMigrations {
    /// Every migration, oldest first.
    static let all: [RegistryMigration] = [
        RegistryMigration(
            id: 1, name: "model versions, blobs, promotions and the change log",
            sqlite: [
                """
                CREATE TABLE model_versions (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                    backend TEXT NOT NULL, normalization TEXT NOT NULL, parameters TEXT NOT NULL, schema_json TEXT,
                    feature_names TEXT NOT NULL, training_rows INTEGER NOT NULL, training_anomaly_rate REAL NOT NULL,
                    threshold REAL NOT NULL, metrics TEXT NOT NULL, description TEXT, created_at_ms INTEGER NOT NULL,
                    size_bytes INTEGER NOT NULL, checksum TEXT NOT NULL)
                """,
                "CREATE INDEX model_versions_by_name ON model_versions(name, seq)",
                """
                CREATE TABLE model_blobs (
                    version TEXT PRIMARY KEY REFERENCES model_versions(version) ON DELETE CASCADE ON UPDATE CASCADE,
                    blob BLOB NOT NULL)
                """,
                """
                CREATE TABLE model_promotions (
                    name TEXT PRIMARY KEY,
                    version TEXT NOT NULL REFERENCES model_versions(version) ON DELETE CASCADE)
                """,
                """
                CREATE TABLE registry_changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL)
                """,
            ],
            postgres: [
                """
                CREATE TABLE model_versions (
                    seq BIGSERIAL PRIMARY KEY, version TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                    backend TEXT NOT NULL, normalization TEXT NOT NULL, parameters TEXT NOT NULL, schema_json TEXT,
                    feature_names TEXT NOT NULL, training_rows BIGINT NOT NULL, training_anomaly_rate DOUBLE PRECISION NOT NULL,
                    threshold DOUBLE PRECISION NOT NULL, metrics TEXT NOT NULL, description TEXT, created_at_ms BIGINT NOT NULL,
                    size_bytes BIGINT NOT NULL, checksum TEXT NOT NULL)
                """,
                "CREATE INDEX model_versions_by_name ON model_versions(name, seq)",
                """
                CREATE TABLE model_blobs (
                    version TEXT PRIMARY KEY REFERENCES model_versions(version) ON DELETE CASCADE ON UPDATE CASCADE,
                    blob BYTEA NOT NULL)
                """,
                """
                CREATE TABLE model_promotions (
                    name TEXT PRIMARY KEY,
                    version TEXT NOT NULL REFERENCES model_versions(version) ON DELETE CASCADE)
                """,
                """
                CREATE TABLE registry_changes (
                    id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL)
                """,
            ]),
        RegistryMigration(
            id: 2, name: "streaming detector checkpoints",
            sqlite: ["CREATE TABLE stream_checkpoints (stream_id TEXT PRIMARY KEY, data BLOB NOT NULL, updated_at_ms INTEGER NOT NULL)"],
            postgres: ["CREATE TABLE stream_checkpoints (stream_id TEXT PRIMARY KEY, data BYTEA NOT NULL, updated_at_ms BIGINT NOT NULL)"]),
        RegistryMigration(
            id: 3, name: "findings",
            sqlite: [
                """
                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at_ms INTEGER NOT NULL, alert_id TEXT NOT NULL,
                    severity TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL, model_name TEXT NOT NULL,
                    model_version TEXT NOT NULL, score REAL NOT NULL, threshold REAL NOT NULL, metadata TEXT NOT NULL,
                    transaction_hash TEXT)
                """,
                "CREATE INDEX findings_by_time ON findings(created_at_ms, id)",
                "CREATE INDEX findings_by_severity ON findings(severity, created_at_ms)",
            ],
            postgres: [
                """
                CREATE TABLE findings (
                    id BIGSERIAL PRIMARY KEY, created_at_ms BIGINT NOT NULL, alert_id TEXT NOT NULL,
                    severity TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL, model_name TEXT NOT NULL,
                    model_version TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, threshold DOUBLE PRECISION NOT NULL,
                    metadata TEXT NOT NULL, transaction_hash TEXT)
                """,
                "CREATE INDEX findings_by_time ON findings(created_at_ms, id)",
                "CREATE INDEX findings_by_severity ON findings(severity, created_at_ms)",
            ]),
    ]

    /// The newest migration id this build knows.
    static var latest: Int { all.last?.id ?? 0 }

    /// The migrations after `applied`, or `newerSchema` if the store is ahead of this build.
    static func pending(after applied: Int, store: String) throws -> [RegistryMigration] {
        guard applied <= latest else {
            throw RegistryError.newerSchema(store: store, found: applied, supported: latest)
        }
        return all.filter { $0.id > applied }
    }

    /// How many change-log rows a store keeps (older ones are pruned on write).
    static let changeLogLength = 1000
}
