import Foundation

/// A version's metadata as the SQL stores hold it: lists and maps as JSON text, time as
/// milliseconds since 1970 (UTC). Both SQL registries map their rows through it.
struct VersionRecord {
    var name: String
    var version: String
    var backend: String
    var normalization: String
    var parameters: String
    var schema: String?
    var featureNames: String
    var trainingRows: Int
    var trainingAnomalyRate: Double
    var threshold: Double
    var metrics: String
    var description: String?
    var createdAtMilliseconds: Int64
    var sizeBytes: Int
    var checksum: String
    var promoted: Bool

    /// The columns of `model_versions` in the order `init(row)` implementations read them.
    static let columns = "v.name, v.version, v.backend, v.normalization, v.parameters, v.schema_json, v.feature_names, "
        + "v.training_rows, v.training_anomaly_rate, v.threshold, v.metrics, v.description, v.created_at_ms, "
        + "v.size_bytes, v.checksum, (p.version IS NOT NULL) AS promoted"
    /// The join that supplies the `promoted` column.
    static let promotionJoin = "LEFT JOIN model_promotions p ON p.name = v.name AND p.version = v.version"
}

extension VersionRecord {
    /// The record of a new version about to be stored.
    init(_ new: NewModelVersion, version: String, createdAtMilliseconds: Int64, checksum: String) throws {
        name = new.name
        self.version = version
        backend = new.backend
        normalization = new.normalization
        parameters = new.parameters
        schema = new.schema
        featureNames = try Self.json(new.featureNames)
        trainingRows = new.trainingRows
        trainingAnomalyRate = new.trainingAnomalyRate
        threshold = new.threshold
        metrics = try Self.json(new.metrics)
        description = new.description
        self.createdAtMilliseconds = createdAtMilliseconds
        sizeBytes = new.blob.count
        self.checksum = checksum
        promoted = false
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The public metadata; `store` names the registry in errors about unreadable rows.
    func metadata(store: String) throws -> ModelVersion {
        let decoder = JSONDecoder()
        guard let names = try? decoder.decode([String].self, from: Data(featureNames.utf8)),
              let metricValues = try? decoder.decode([String: Double].self, from: Data(metrics.utf8)) else {
            throw RegistryError.storageUnavailable(store: store, reason: "metadata of \(version) is not valid JSON")
        }
        return ModelVersion(
            name: name, version: version, backend: backend, normalization: normalization, parameters: parameters,
            schema: schema, featureNames: names, trainingRows: trainingRows, trainingAnomalyRate: trainingAnomalyRate,
            threshold: threshold, metrics: metricValues, description: description,
            createdAt: RegistryRules.date(milliseconds: createdAtMilliseconds), sizeBytes: sizeBytes,
            checksum: checksum, promoted: promoted)
    }
}
