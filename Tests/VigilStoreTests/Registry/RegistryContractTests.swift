import Foundation
import VigilCore
import XCTest
@testable import VigilStore

/// The behaviour every `ModelRegistry` shares, run against each implementation.
final class RegistryContractTests: XCTestCase {
    func testSaveNamesVersionByUTCSecondAndLoadsTheSameBytes() async throws {
        try await forEachRegistry { s, _ in
            let saved = try await s.registry.save(RegistryFixtures.version("fraud-daily", blob: Array("abc".utf8)))
            // TestClock.start is 2026-11-25 03:04:05.678 UTC.
            XCTAssertEqual(saved.version, "fraud-daily_20261125_030405", s.label)
            XCTAssertEqual(saved.name, "fraud-daily", s.label)
            XCTAssertEqual(saved.createdAt, Date(timeIntervalSince1970: 1_795_575_845.678), s.label)
            // SHA-256("abc") from FIPS 180-2, appendix B.1.
            XCTAssertEqual(saved.checksum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", s.label)
            XCTAssertEqual(saved.sizeBytes, 3, s.label)
            XCTAssertFalse(saved.promoted, s.label)
            let (loaded, blob) = try await s.registry.load(saved.version)
            XCTAssertEqual(blob, Array("abc".utf8), s.label)
            XCTAssertEqual(loaded, saved, s.label)
            XCTAssertEqual(loaded.metrics, ["roc_auc": 0.93], s.label)
            XCTAssertEqual(loaded.featureNames, ["amount", "fee"], s.label)
            XCTAssertEqual(loaded.schema, #"{"amount":"numeric"}"#, s.label)
            XCTAssertEqual(loaded.parameters, #"{"n_estimators":100}"#, s.label)
        }
    }

    func testCheckpointsAreReplacedListedAndDeleted() async throws {
        try await forEachRegistry { s, _ in
            let empty = try await s.registry.checkpoints()
            XCTAssertEqual(empty, [], s.label)
            let at = Date(timeIntervalSince1970: 1_795_575_845.678)
            try await s.registry.saveCheckpoint(StreamCheckpoint(id: "sensor-stream", data: [1, 2, 3], updatedAt: at))
            try await s.registry.saveCheckpoint(StreamCheckpoint(id: "other", data: [9], updatedAt: at.addingTimeInterval(1)))
            try await s.registry.saveCheckpoint(StreamCheckpoint(id: "sensor-stream", data: [4, 5], updatedAt: at.addingTimeInterval(2)))
            let listed = try await s.registry.checkpoints()
            XCTAssertEqual(listed.map(\.id), ["other", "sensor-stream"], s.label)
            XCTAssertEqual(listed.last?.data, [4, 5], s.label)
            XCTAssertEqual(listed.last?.updatedAt, at.addingTimeInterval(2), s.label)
            let deleted = try await s.registry.deleteCheckpoint(id: "sensor-stream")
            let again = try await s.registry.deleteCheckpoint(id: "sensor-stream")
            XCTAssertTrue(deleted, s.label)
            XCTAssertFalse(again, s.label)
            let left = try await s.registry.checkpoints()
            XCTAssertEqual(left.map(\.id), ["other"], s.label)
            do {
                try await s.registry.saveCheckpoint(StreamCheckpoint(id: "../x", data: [1]))
                XCTFail("a path-like id must be refused (\(s.label))")
            } catch RegistryError.invalidName {}
        }
    }

    /// The compare-and-swap write replicas use: only over the stamp the writer last saw.
    func testConditionalCheckpointWritesOnlyOverTheExpectedStamp() async throws {
        try await forEachRegistry { s, _ in
            let at = Date(timeIntervalSince1970: 1_795_575_845.678)
            let missing = try await s.registry.checkpointStamp(id: "keep")
            XCTAssertNil(missing, s.label)
            let none = try await s.registry.checkpoint(id: "keep")
            XCTAssertNil(none, s.label)
            let first = StreamCheckpoint(id: "keep", data: [1], updatedAt: at)
            let created = try await s.registry.saveCheckpoint(first, ifStamp: nil)
            XCTAssertTrue(created, s.label)
            let stamp = try await s.registry.checkpointStamp(id: "keep")
            XCTAssertEqual(stamp, 1_795_575_845_678, s.label)
            XCTAssertEqual(stamp, first.stamp, s.label)
            // A second creator, and a writer holding an older stamp, are refused and change nothing.
            let twice = try await s.registry.saveCheckpoint(StreamCheckpoint(id: "keep", data: [2], updatedAt: at.addingTimeInterval(1)), ifStamp: nil)
            XCTAssertFalse(twice, s.label)
            let stale = try await s.registry.saveCheckpoint(StreamCheckpoint(id: "keep", data: [3], updatedAt: at.addingTimeInterval(2)),
                                                            ifStamp: first.stamp - 1)
            XCTAssertFalse(stale, s.label)
            let unchanged = try await s.registry.checkpoint(id: "keep")
            XCTAssertEqual(unchanged?.data, [1], s.label)
            // The holder of the current stamp writes.
            let next = StreamCheckpoint(id: "keep", data: [4], updatedAt: at.addingTimeInterval(0.001))
            let replaced = try await s.registry.saveCheckpoint(next, ifStamp: first.stamp)
            XCTAssertTrue(replaced, s.label)
            let now = try await s.registry.checkpoint(id: "keep")
            XCTAssertEqual(now?.data, [4], s.label)
            XCTAssertEqual(now?.stamp, 1_795_575_845_679, s.label)
        }
    }

    func testSavesInOneSecondGetCounterSuffixesAndListNewestFirst() async throws {
        try await forEachRegistry { s, _ in
            var ids = [String]()
            for _ in 0..<3 { ids.append(try await s.registry.save(RegistryFixtures.version("m")).version) }
            XCTAssertEqual(ids, ["m_20261125_030405", "m_20261125_030405_2", "m_20261125_030405_3"], s.label)
            let listed = try await s.registry.list(name: "m", backend: nil).map(\.version)
            XCTAssertEqual(listed, ids.reversed(), s.label)
        }
    }

    func testLatestAndBareNameResolveToNewestVersion() async throws {
        try await forEachRegistry { s, clock in
            let first = try await s.registry.save(RegistryFixtures.version("m", threshold: 0.1))
            clock.advance(61)
            let second = try await s.registry.save(RegistryFixtures.version("m", threshold: 0.2))
            XCTAssertEqual(second.version, "m_20261125_030506", s.label)
            _ = try await s.registry.save(RegistryFixtures.version("other"))
            let latest = try await s.registry.resolve("m-latest")
            XCTAssertEqual(latest.version, second.version, s.label)
            let got1 = try await s.registry.resolve("m").version
            XCTAssertEqual(got1, second.version, s.label)
            let got2 = try await s.registry.resolve(first.version).threshold
            XCTAssertEqual(got2, 0.1, s.label)
            let got3 = try await s.registry.load("m-latest").version.threshold
            XCTAssertEqual(got3, 0.2, s.label)
        }
    }

    func testBackendFiltersLatestAndList() async throws {
        try await forEachRegistry { s, clock in
            let forest = try await s.registry.save(RegistryFixtures.version("m", backend: "isolation_forest"))
            clock.advance(1)
            let ecod = try await s.registry.save(RegistryFixtures.version("m", backend: "ecod"))
            let got4 = try await s.registry.resolve("m-latest", backend: nil).version
            XCTAssertEqual(got4, ecod.version, s.label)
            let got5 = try await s.registry.resolve("m-latest", backend: "isolation_forest").version
            XCTAssertEqual(got5, forest.version, s.label)
            let got6 = try await s.registry.list(name: nil, backend: "ecod").map(\.version)
            XCTAssertEqual(got6, [ecod.version], s.label)
            let error = await registryError(s.label) { _ = try await s.registry.resolve("m-latest", backend: "hbos") }
            guard case .notFound(_, let backend, _)? = error else { return XCTFail("[\(s.label)] \(String(describing: error))") }
            XCTAssertEqual(backend, "hbos", s.label)
        }
    }

    func testOverwriteReplacesNewestVersionInPlace() async throws {
        try await forEachRegistry { s, clock in
            let older = try await s.registry.save(RegistryFixtures.version("m", blob: [1]))
            clock.advance(1)
            let newest = try await s.registry.save(RegistryFixtures.version("m", blob: [2]))
            clock.advance(1)
            let replaced = try await s.registry.save(RegistryFixtures.version("m", blob: [3, 3]), overwrite: true)
            XCTAssertEqual(replaced.version, newest.version, s.label)
            XCTAssertEqual(replaced.sizeBytes, 2, s.label)
            let got7 = try await s.registry.list(name: "m", backend: nil).map(\.version)
            XCTAssertEqual(got7, [newest.version, older.version], s.label)
            let got8 = try await s.registry.load("m-latest").blob
            XCTAssertEqual(got8, [3, 3], s.label)
            let got9 = try await s.registry.load(older.version).blob
            XCTAssertEqual(got9, [1], s.label)
            // Overwrite of a name with no versions creates the first one.
            let fresh = try await s.registry.save(RegistryFixtures.version("new-name"), overwrite: true)
            XCTAssertEqual(fresh.version, "new-name_20261125_030407", s.label)
        }
    }

    func testPromoteRollsLatestBackUntilTheNextSave() async throws {
        try await forEachRegistry { s, clock in
            let old = try await s.registry.save(RegistryFixtures.version("m", blob: [1]))
            clock.advance(1)
            let bad = try await s.registry.save(RegistryFixtures.version("m", blob: [2]))
            let promoted = try await s.registry.promote(version: old.version)
            XCTAssertTrue(promoted.promoted, s.label)
            let latest = try await s.registry.load("m-latest")
            XCTAssertEqual(latest.version.version, old.version, s.label)
            XCTAssertEqual(latest.blob, [1], s.label)
            XCTAssertTrue(latest.version.promoted, s.label)
            let got10 = try await s.registry.resolve(bad.version).promoted
            XCTAssertFalse(got10, s.label)
            let got11 = try await s.registry.list(name: "m", backend: nil).map(\.promoted)
            XCTAssertEqual(got11, [false, true], s.label)
            clock.advance(1)
            let next = try await s.registry.save(RegistryFixtures.version("m", blob: [3]))
            let got12 = try await s.registry.resolve("m-latest").version
            XCTAssertEqual(got12, next.version, s.label)
            let got13 = try await s.registry.resolve(old.version).promoted
            XCTAssertFalse(got13, s.label)
        }
    }

    func testDeleteOneVersionAndAllVersionsOfAName() async throws {
        try await forEachRegistry { s, clock in
            let a = try await s.registry.save(RegistryFixtures.version("m"))
            clock.advance(1)
            let b = try await s.registry.save(RegistryFixtures.version("m"))
            clock.advance(1)
            let c = try await s.registry.save(RegistryFixtures.version("m"))
            _ = try await s.registry.save(RegistryFixtures.version("keep"))
            _ = try await s.registry.promote(version: c.version)
            try await s.registry.delete(version: c.version)
            let got14 = try await s.registry.resolve("m-latest").version
            XCTAssertEqual(got14, b.version, s.label)
            let gone = await registryError(s.label) { _ = try await s.registry.load(c.version) }
            guard case .notFound? = gone else { return XCTFail("[\(s.label)] \(String(describing: gone))") }
            let got15 = try await s.registry.deleteAll(name: "m")
            XCTAssertEqual(got15, 2, s.label)
            let got16 = try await s.registry.list(name: "m", backend: nil)
            XCTAssertEqual(got16, [], s.label)
            let got17 = try await s.registry.list().map(\.name)
            XCTAssertEqual(got17, ["keep"], s.label)
            let got18 = try await s.registry.deleteAll(name: "m")
            XCTAssertEqual(got18, 0, s.label)
            let missing = await registryError(s.label) { try await s.registry.delete(version: a.version) }
            guard case .notFound? = missing else { return XCTFail("[\(s.label)] \(String(describing: missing))") }
        }
    }

    func testRealModelFileRoundTripsAndScoresTheSame() async throws {
        let x = try Matrix(rows: 40, cols: 2, values: (0..<80).map { Double(($0 * 37) % 23) + ($0 == 0 ? 400 : 0) })
        let fitted = try AnomalyModel.fit(x, featureNames: ["a", "b"], settings: .defaults(for: .isolationForest),
                                          normalization: .standardization, contamination: 0.1, seed: 7)
        try await forEachRegistry { s, _ in
            let new = try NewModelVersion(name: "forest", model: fitted.model, metrics: ["roc_auc": 1])
            XCTAssertEqual(new.backend, "isolation_forest", s.label)
            XCTAssertEqual(new.trainingRows, 40, s.label)
            let saved = try await s.registry.save(new)
            let (version, model) = try await s.registry.loadModel("forest-latest")
            XCTAssertEqual(version, saved, s.label)
            XCTAssertEqual(model, fitted.model, s.label)
            XCTAssertEqual(try model.score(x).rawScores, try fitted.model.score(x).rawScores, s.label)
        }
    }

    func testPingAnswersWhileOpen() async throws {
        try await forEachRegistry { s, _ in
            try await s.registry.ping()
        }
    }
}
