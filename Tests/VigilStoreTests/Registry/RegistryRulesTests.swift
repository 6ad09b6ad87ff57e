import Foundation
import XCTest
@testable import VigilStore

/// The shared naming, id and checksum rules, against values worked out by hand or published.
final class RegistryRulesTests: XCTestCase {
    func testVersionIDsAreZeroPaddedUTCAndCountUpFromTwo() {
        // 2024-01-02 03:04:05 UTC = 1704164645 s since 1970 (date -u -d @1704164645).
        let date = Date(timeIntervalSince1970: 1_704_164_645.999)
        XCTAssertEqual(RegistryRules.versionID(name: "m", at: date) { _ in false }, "m_20240102_030405")
        let taken: Set = ["m_20240102_030405", "m_20240102_030405_2"]
        XCTAssertEqual(RegistryRules.versionID(name: "m", at: date) { taken.contains($0) }, "m_20240102_030405_3")
    }

    func testChecksumIsSHA256Hex() {
        // FIPS 180-2 / NIST test vectors.
        XCTAssertEqual(RegistryRules.checksum([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(RegistryRules.checksum(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testEditDistanceAndCloseNames() {
        // Levenshtein's textbook pair: kitten → sitting needs 3 edits.
        XCTAssertEqual(RegistryRules.editDistance(Array("kitten".utf8), Array("sitting".utf8)), 3)
        XCTAssertEqual(RegistryRules.editDistance([], Array("abc".utf8)), 3)
        let close = RegistryRules.closeNames(to: "fraud-dialy-latest", among: ["fraud-daily", "fraud-weekly", "sensor", "fraud-daily"])
        XCTAssertEqual(close, ["fraud-daily"])
        XCTAssertEqual(RegistryRules.closeNames(to: "xyz", among: ["fraud-daily"]), [])
        // A prefix of a longer name is suggested even when far in edits.
        XCTAssertEqual(RegistryRules.closeNames(to: "fraud", among: ["fraud-daily-eu-west"]), ["fraud-daily-eu-west"])
    }

    func testReferencesStripOnlyTheLatestSuffix() {
        XCTAssertEqual(RegistryRules.baseName(of: "fraud-daily-latest"), "fraud-daily")
        XCTAssertEqual(RegistryRules.baseName(of: "fraud-daily"), "fraud-daily")
        XCTAssertEqual(RegistryRules.baseName(of: "latest"), "latest")
    }
}
