import Foundation
import Hummingbird
import VigilStore

/// `POST /anomaly_detection/` (the seed app's Ethereum scan) and `GET /v1/findings`.
struct EthereumController<Context: RequestContext> {
    /// The scanner, or why there is none (no node configured).
    let scanner: Result<EthereumScanner, ServiceError>
    let registry: any ModelRegistry
    /// Flagged rows waiting to be stored; stored before the findings are read.
    let findings: FindingsRecorder
    let body: JSONBody

    /// Adds the routes to `router`.
    func register(on router: Router<Context>) {
        router.post("anomaly_detection") { request, _ in
            let scan = try await body.decode(ScanRequest.self, from: request)
            _ = try EthereumScanner.check(scan)
            let result = try await scanner.get().scan(scan)
            return scan.groupByTransaction ? ScanAnswer.transactions(result.flaggedTransactions) : .transfers(result.flagged)
        }
        router.get("v1/findings") { request, _ in
            let query = try Self.query(request.uri.queryParameters)
            // The trail includes every request already answered.
            try await findings.flush()
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let found = try await registry.findings(query).map { FindingItem($0, formatter: formatter) }
            return FindingListResponse(total: found.count, data: found)
        }
    }

    /// `since` (ISO 8601 or Unix seconds), `severity` and `limit` (1–10,000, default 100); a bad one is a 400 naming it.
    static func query(_ parameters: Parameters) throws -> FindingQuery {
        var since: Date?
        if let text = parameters.get("since"), !text.isEmpty {
            if let seconds = Double(text), seconds.isFinite {
                since = Date(timeIntervalSince1970: seconds)
            } else {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let plain = ISO8601DateFormatter()
                guard let date = formatter.date(from: text) ?? plain.date(from: text) else {
                    throw ServiceError.badRequest("since must be an ISO 8601 time (2026-01-31T12:00:00Z) or Unix seconds, got '\(text)'")
                }
                since = date
            }
        }
        var severity: FindingSeverity?
        if let text = parameters.get("severity"), !text.isEmpty {
            guard let s = FindingSeverity(rawValue: text) else {
                throw ServiceError.badRequest("severity must be one of \(FindingSeverity.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            severity = s
        }
        var limit = 100
        if let text = parameters.get("limit"), !text.isEmpty {
            guard let n = Int(text), (1...10_000).contains(n) else {
                throw ServiceError.badRequest("limit must be an integer from 1 to 10000, got '\(text)'")
            }
            limit = n
        }
        return FindingQuery(since: since, severity: severity, limit: limit)
    }
}

/// The scan's answer: a JSON list of flagged transfers, or of flagged transactions.
enum ScanAnswer: ResponseEncodable, Sendable {
    case transfers([FlaggedTransfer])
    case transactions([FlaggedTransaction])

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .transfers(let list): try list.encode(to: encoder)
        case .transactions(let list): try list.encode(to: encoder)
        }
    }
}
