import Foundation

/// How much a finding needs attention, as detection bots grade alerts.
public enum FindingSeverity: String, Sendable, CaseIterable, Codable {
    case critical, high, medium, low, info
}

/// A finding to store: one scored item (an Ethereum transfer, a scored row) that a model judged,
/// with the judgement and what produced it.
public struct NewFinding: Sendable, Equatable {
    /// What kind of alert, e.g. `ANOMALOUS-TOKEN-TRANSFERS-TX`.
    public var alertID: String
    public var severity: FindingSeverity
    /// Short title.
    public var name: String
    /// One sentence on what was seen.
    public var description: String
    /// The model's name and exact version.
    public var modelName: String, modelVersion: String
    /// The item's score and the threshold it was compared with.
    public var score: Double, threshold: Double
    /// Anything else as a JSON object's text (prediction, timings, explanation features, …).
    public var metadata: String
    /// The Ethereum transaction, for findings about one.
    public var transactionHash: String?
    /// When it was found.
    public var createdAt: Date

    /// A finding from its parts; `metadata` must be a JSON object's text.
    public init(alertID: String, severity: FindingSeverity, name: String, description: String, modelName: String,
                modelVersion: String, score: Double, threshold: Double, metadata: String = "{}",
                transactionHash: String? = nil, createdAt: Date = Date()) {
        self.alertID = alertID
        self.severity = severity
        self.name = name
        self.description = description
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.score = score
        self.threshold = threshold
        self.metadata = metadata
        self.transactionHash = transactionHash
        self.createdAt = createdAt
    }
}

/// A stored finding: its id (increasing in store order) and what was stored.
public struct Finding: Sendable, Equatable {
    public var id: Int64
    public var finding: NewFinding
}

/// Which findings `ModelRegistry.findings(_:)` returns.
public struct FindingQuery: Sendable, Equatable {
    /// Only those created at or after this time.
    public var since: Date?
    /// Only those of this severity.
    public var severity: FindingSeverity?
    /// At most this many, newest first.
    public var limit: Int

    /// A query; `limit` is clamped to 1…10,000.
    public init(since: Date? = nil, severity: FindingSeverity? = nil, limit: Int = 100) {
        self.since = since
        self.severity = severity
        self.limit = min(max(limit, 1), 10_000)
    }
}

enum FindingRules {
    /// Throws `invalidField` when a finding cannot be stored as given (non-finite numbers, a
    /// metadata text that is not a JSON object).
    static func validate(_ findings: [NewFinding]) throws {
        for f in findings {
            guard f.score.isFinite, f.threshold.isFinite else {
                throw RegistryError.invalidField(field: "score", value: "\(f.score), threshold \(f.threshold)", reason: "not a finite number")
            }
            guard (try? JSONSerialization.jsonObject(with: Data(f.metadata.utf8))) is [String: Any] else {
                throw RegistryError.invalidField(field: "metadata", value: String(f.metadata.prefix(80)), reason: "not a JSON object")
            }
        }
    }
}
