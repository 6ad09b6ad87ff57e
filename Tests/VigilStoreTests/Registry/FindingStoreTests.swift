import Foundation
import XCTest
@testable import VigilStore

/// Findings in every registry: saved all together, listed newest first, filtered by time and
/// severity, limited; bad ones refused without saving any of the batch.
final class FindingStoreTests: XCTestCase {
    private func finding(_ n: Int, severity: FindingSeverity, at: Date, hash: String? = nil) -> NewFinding {
        NewFinding(alertID: "ANOMALOUS-TOKEN-TRANSFERS-TX", severity: severity, name: "finding \(n)", description: "row \(n)",
                   modelName: "erc20-transfers", modelVersion: "erc20-transfers_20261125_030405", score: 0.5 + Double(n) / 100,
                   threshold: 0.5, metadata: #"{"prediction":"anomaly","n":\#(n)}"#, transactionHash: hash, createdAt: at)
    }

    func testSavedFindingsAreListedNewestFirstAndFiltered() async throws {
        try await forEachRegistry { s, _ in
            let at = Date(timeIntervalSince1970: 1_795_575_845.678)
            let empty = try await s.registry.findings(FindingQuery())
            XCTAssertEqual(empty, [], s.label)
            let saved = try await s.registry.saveFindings([
                finding(1, severity: .critical, at: at, hash: "0xaa"),
                finding(2, severity: .info, at: at.addingTimeInterval(60)),
                finding(3, severity: .critical, at: at.addingTimeInterval(120), hash: "0xcc"),
            ])
            XCTAssertEqual(saved.map(\.id), saved.map(\.id).sorted(), s.label)
            XCTAssertEqual(Set(saved.map(\.id)).count, 3, s.label)
            let all = try await s.registry.findings(FindingQuery())
            XCTAssertEqual(all.map(\.finding.name), ["finding 3", "finding 2", "finding 1"], s.label)
            XCTAssertEqual(all.last?.finding, saved.first?.finding, s.label)
            XCTAssertEqual(all.last?.finding.createdAt, at, s.label)
            XCTAssertEqual(all.first?.finding.transactionHash, "0xcc", s.label)
            XCTAssertNil(all[1].finding.transactionHash, s.label)
            let critical = try await s.registry.findings(FindingQuery(severity: .critical))
            XCTAssertEqual(critical.map(\.finding.name), ["finding 3", "finding 1"], s.label)
            let recent = try await s.registry.findings(FindingQuery(since: at.addingTimeInterval(60)))
            XCTAssertEqual(recent.map(\.finding.name), ["finding 3", "finding 2"], s.label)
            let one = try await s.registry.findings(FindingQuery(since: at, severity: .critical, limit: 1))
            XCTAssertEqual(one.map(\.finding.name), ["finding 3"], s.label)
        }
    }

    func testABadFindingSavesNoneOfItsBatch() async throws {
        try await forEachRegistry { s, _ in
            let at = Date(timeIntervalSince1970: 1_795_575_845.678)
            var bad = finding(2, severity: .low, at: at)
            bad.metadata = "[1, 2]"
            do {
                try await s.registry.saveFindings([finding(1, severity: .info, at: at), bad])
                XCTFail("metadata that is not a JSON object must be refused (\(s.label))")
            } catch RegistryError.invalidField(let field, _, _) {
                XCTAssertEqual(field, "metadata", s.label)
            }
            var nan = finding(3, severity: .low, at: at)
            nan.score = .nan
            do {
                try await s.registry.saveFindings([nan])
                XCTFail("a NaN score must be refused (\(s.label))")
            } catch RegistryError.invalidField(let field, _, _) {
                XCTAssertEqual(field, "score", s.label)
            }
            let stored = try await s.registry.findings(FindingQuery())
            XCTAssertEqual(stored, [], s.label)
        }
    }
}
