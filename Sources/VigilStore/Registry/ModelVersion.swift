import Foundation

/// Metadata of one stored model version (everything but the blob).
public struct ModelVersion: Sendable, Codable, Equatable {
    /// Base name the version was saved under, e.g. `fraud-daily`.
    public var name: String
    /// Version id: `name_YYYYMMDD_HHMMSS` (UTC), with `_2`, `_3` … when several land in one second.
    public var version: String
    /// Detector backend, e.g. `isolation_forest`.
    public var backend: String
    /// Score normalization the model was calibrated with.
    public var normalization: String
    /// Detector parameters as JSON text.
    public var parameters: String
    /// Input schema as JSON text, stored opaquely (the features module owns its type).
    public var schema: String?
    /// Feature names in column order.
    public var featureNames: [String]
    /// Rows the model was trained on.
    public var trainingRows: Int
    /// Share of training rows flagged at the learned threshold.
    public var trainingAnomalyRate: Double
    /// Learned threshold on the normalised score.
    public var threshold: Double
    /// Quality figures measured at fit, e.g. `roc_auc` when labels were given.
    public var metrics: [String: Double]
    /// Free-text description.
    public var description: String?
    /// When the version was saved (UTC, millisecond precision).
    public var createdAt: Date
    /// Blob size in bytes.
    public var sizeBytes: Int
    /// SHA-256 of the blob, lowercase hex; verified on every load.
    public var checksum: String
    /// True when this version was promoted and so is what `name-latest` returns.
    public var promoted: Bool

    /// Creates a version's metadata.
    public init(name: String, version: String, backend: String, normalization: String, parameters: String,
                schema: String?, featureNames: [String], trainingRows: Int, trainingAnomalyRate: Double,
                threshold: Double, metrics: [String: Double], description: String?, createdAt: Date,
                sizeBytes: Int, checksum: String, promoted: Bool) {
        self.name = name
        self.version = version
        self.backend = backend
        self.normalization = normalization
        self.parameters = parameters
        self.schema = schema
        self.featureNames = featureNames
        self.trainingRows = trainingRows
        self.trainingAnomalyRate = trainingAnomalyRate
        self.threshold = threshold
        self.metrics = metrics
        self.description = description
        self.createdAt = createdAt
        self.sizeBytes = sizeBytes
        self.checksum = checksum
        self.promoted = promoted
    }
}

/// What a caller hands to `ModelRegistry.save`: the descriptive fields and the model blob.
public struct NewModelVersion: Sendable, Equatable {
    /// Base name, `[A-Za-z0-9_.-]`, no `..`.
    public var name: String
    /// Detector backend.
    public var backend: String
    /// Score normalization.
    public var normalization: String
    /// Detector parameters as JSON text.
    public var parameters: String
    /// Input schema as JSON text, if any.
    public var schema: String?
    /// Feature names in column order.
    public var featureNames: [String]
    /// Rows the model was trained on.
    public var trainingRows: Int
    /// Share of training rows flagged at the learned threshold, in [0, 1].
    public var trainingAnomalyRate: Double
    /// Learned threshold on the normalised score.
    public var threshold: Double
    /// Quality figures measured at fit.
    public var metrics: [String: Double]
    /// Free-text description.
    public var description: String?
    /// The model bytes (Vigil's model file format).
    public var blob: [UInt8]

    /// Creates a new version to save.
    public init(name: String, backend: String, normalization: String, parameters: String, schema: String? = nil,
                featureNames: [String], trainingRows: Int, trainingAnomalyRate: Double, threshold: Double,
                metrics: [String: Double] = [:], description: String? = nil, blob: [UInt8]) {
        self.name = name
        self.backend = backend
        self.normalization = normalization
        self.parameters = parameters
        self.schema = schema
        self.featureNames = featureNames
        self.trainingRows = trainingRows
        self.trainingAnomalyRate = trainingAnomalyRate
        self.threshold = threshold
        self.metrics = metrics
        self.description = description
        self.blob = blob
    }

    /// The stored metadata of this version once it has an id, a time and a checksum.
    func metadata(version: String, createdAt: Date, checksum: String, promoted: Bool = false) -> ModelVersion {
        ModelVersion(name: name, version: version, backend: backend, normalization: normalization,
                     parameters: parameters, schema: schema, featureNames: featureNames,
                     trainingRows: trainingRows, trainingAnomalyRate: trainingAnomalyRate, threshold: threshold,
                     metrics: metrics, description: description, createdAt: createdAt, sizeBytes: blob.count,
                     checksum: checksum, promoted: promoted)
    }
}

/// One change to a registry, as `ModelRegistry.changes()` reports it.
public struct RegistryChange: Sendable, Equatable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Codable {
        /// A version was saved (or overwritten in place).
        case saved
        /// A version was deleted.
        case deleted
        /// A version was promoted to be what `name-latest` returns.
        case promoted
    }

    /// What happened.
    public var kind: Kind
    /// Base name of the model.
    public var name: String
    /// The version concerned.
    public var version: String

    /// Creates a change record.
    public init(kind: Kind, name: String, version: String) {
        self.kind = kind
        self.name = name
        self.version = version
    }
}
