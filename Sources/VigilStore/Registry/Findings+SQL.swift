import Foundation

/// The SQL both relational stores use for findings (column order shared by insert and select).
enum FindingSQL {
    static let columns = "created_at_ms, alert_id, severity, name, description, model_name, model_version, score, threshold, metadata, transaction_hash"

    /// A finding from its stored columns (in `columns` order, after the id).
    static func finding(id: Int64, createdAtMs: Int64, alertID: String, severity: String, name: String, description: String,
                        modelName: String, modelVersion: String, score: Double, threshold: Double, metadata: String,
                        transactionHash: String?) -> Finding {
        Finding(id: id, finding: NewFinding(
            alertID: alertID, severity: FindingSeverity(rawValue: severity) ?? .info, name: name, description: description,
            modelName: modelName, modelVersion: modelVersion, score: score, threshold: threshold, metadata: metadata,
            transactionHash: transactionHash, createdAt: RegistryRules.date(milliseconds: createdAtMs)))
    }
}
