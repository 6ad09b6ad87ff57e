import Foundation
import Hummingbird
import VigilEthereum
import VigilStore

/// One stored finding as `GET /v1/findings` lists it; `metadata` is the stored JSON object.
struct FindingItem: Encodable, Sendable {
    let id: Int64
    let createdAt: String
    let alertID: String
    let severity: String
    let name: String
    let description: String
    let model: String
    let modelVersion: String
    let score: Double
    let threshold: Double
    let transactionHash: OrNull<String>
    let metadata: RawJSON

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", alertID = "alert_id", severity, name, description, model
        case modelVersion = "model_version", score, threshold, transactionHash = "transaction_hash", metadata
    }

    init(_ f: Finding, formatter: ISO8601DateFormatter) {
        id = f.id
        createdAt = formatter.string(from: f.finding.createdAt)
        alertID = f.finding.alertID
        severity = f.finding.severity.rawValue
        name = f.finding.name
        description = f.finding.description
        model = f.finding.modelName
        modelVersion = f.finding.modelVersion
        score = f.finding.score
        threshold = f.finding.threshold
        transactionHash = OrNull(f.finding.transactionHash)
        metadata = RawJSON(text: f.finding.metadata)
    }
}

/// `GET /v1/findings`: the matching findings, newest first.
struct FindingListResponse: ResponseEncodable, Sendable {
    let object = "list"
    let total: Int
    let data: [FindingItem]
}

/// A stored JSON object re-emitted as JSON (decoded into plain values, so the output stays valid).
struct RawJSON: Encodable, Sendable {
    let text: String

    func encode(to encoder: any Encoder) throws {
        let value = (try? JSONDecoder().decode(VigilEthereum.JSONValue.self, from: Data(text.utf8))) ?? .object([:])
        try value.encode(to: encoder)
    }
}

