import Foundation
import XCTest
@testable import VigilStore

/// Bad input, corruption, concurrent writers and change notification, against each implementation.
final class RegistryFaultTests: XCTestCase {
    func testUnknownNameListsCloseNames() async throws {
        try await forEachRegistry { s, _ in
            let saved = try await s.registry.save(RegistryFixtures.version("fraud-daily"))
            _ = try await s.registry.save(RegistryFixtures.version("sensor"))
            let error = await registryError(s.label) { _ = try await s.registry.resolve("fraud-dialy-latest") }
            guard case .notFound(let reference, _, let close)? = error else { return XCTFail("[\(s.label)] \(String(describing: error))") }
            XCTAssertEqual(reference, "fraud-dialy-latest", s.label)
            XCTAssertEqual(close.first, "fraud-daily", s.label)
            XCTAssertFalse(close.contains("sensor"), s.label)
            XCTAssertTrue(error?.description.contains("did you mean: fraud-daily") == true, s.label)
            // A mistyped version id suggests the version.
            let typo = String(saved.version.dropLast()) + "9"
            let versionError = await registryError(s.label) { _ = try await s.registry.load(typo) }
            guard case .notFound(_, _, let near)? = versionError else { return XCTFail("[\(s.label)] \(String(describing: versionError))") }
            XCTAssertTrue(near.contains(saved.version), "[\(s.label)] \(near)")
            // Nothing alike: no suggestions.
            let far = await registryError(s.label) { _ = try await s.registry.resolve("zzz") }
            XCTAssertEqual(far, .notFound(reference: "zzz", backend: nil, closeNames: []), s.label)
        }
    }

    func testBadNamesAreRejectedEverywhere() async throws {
        let bad = ["a/b", "..", "../etc", "a..b", ".", "a b", "naïve", "", "x;drop", "m-latest", String(repeating: "n", count: 129)]
        try await forEachRegistry { s, _ in
            for name in bad {
                let onSave = await registryError(s.label) { _ = try await s.registry.save(RegistryFixtures.version(name)) }
                guard case .invalidName(let got, _)? = onSave else { XCTFail("[\(s.label)] save \(name): \(String(describing: onSave))"); continue }
                XCTAssertEqual(got, name == "m-latest" ? "m-latest" : name, s.label)
            }
            for reference in ["a/b", "../x-latest", "a b"] {
                let onLoad = await registryError(s.label) { _ = try await s.registry.load(reference) }
                guard case .invalidName? = onLoad else { XCTFail("[\(s.label)] load \(reference): \(String(describing: onLoad))"); continue }
            }
            let onDelete = await registryError(s.label) { _ = try await s.registry.deleteAll(name: "../x") }
            guard case .invalidName? = onDelete else { return XCTFail("[\(s.label)] \(String(describing: onDelete))") }
            let got1 = try await s.registry.list()
            XCTAssertEqual(got1, [], s.label)
            // Names with every allowed character class are fine.
            _ = try await s.registry.save(RegistryFixtures.version("Fraud_v2.1-eu"))
        }
    }

    func testUnusableFieldsAreRejectedWithTheirName() async throws {
        var cases = [(String, NewModelVersion)]()
        var v = RegistryFixtures.version("m"); v.threshold = .nan; cases.append(("threshold", v))
        v = RegistryFixtures.version("m"); v.threshold = .infinity; cases.append(("threshold", v))
        v = RegistryFixtures.version("m"); v.metrics = ["roc_auc": .nan]; cases.append(("metrics.roc_auc", v))
        v = RegistryFixtures.version("m"); v.trainingAnomalyRate = 1.5; cases.append(("training_anomaly_rate", v))
        v = RegistryFixtures.version("m"); v.trainingRows = -1; cases.append(("training_rows", v))
        v = RegistryFixtures.version("m"); v.parameters = "{not json"; cases.append(("parameters", v))
        v = RegistryFixtures.version("m"); v.schema = "[1,"; cases.append(("schema", v))
        v = RegistryFixtures.version("m"); v.backend = "iso/forest"; cases.append(("backend", v))
        v = RegistryFixtures.version("m"); v.blob = []; cases.append(("blob", v))
        try await forEachRegistry { s, _ in
            for (field, new) in cases {
                let error = await registryError(s.label) { _ = try await s.registry.save(new) }
                guard case .invalidField(let got, _, _)? = error else { XCTFail("[\(s.label)] \(field): \(String(describing: error))"); continue }
                XCTAssertEqual(got, field, s.label)
            }
            let got2 = try await s.registry.list()
            XCTAssertEqual(got2, [], s.label)
        }
    }

    func testCorruptedBlobFailsClearlyWhileOtherVersionsLoad() async throws {
        try await forEachRegistry { s, clock in
            let damaged = try await s.registry.save(RegistryFixtures.version("m", blob: Array("first".utf8)))
            clock.advance(1)
            let intact = try await s.registry.save(RegistryFixtures.version("m", blob: Array("second".utf8)))
            try await s.corruptBlob(damaged.version)
            let error = await registryError(s.label) { _ = try await s.registry.load(damaged.version) }
            guard case .checksumMismatch(let version, let expected, let actual)? = error else {
                return XCTFail("[\(s.label)] \(String(describing: error))")
            }
            XCTAssertEqual(version, damaged.version, s.label)
            XCTAssertEqual(expected, damaged.checksum, s.label)
            XCTAssertNotEqual(actual, expected, s.label)
            XCTAssertTrue(error?.description.contains("corrupted") == true, s.label)
            let got3 = try await s.registry.load("m-latest").blob
            XCTAssertEqual(got3, Array("second".utf8), s.label)
            let got4 = try await s.registry.load(intact.version).version
            XCTAssertEqual(got4, intact, s.label)
            let got5 = try await s.registry.resolve(damaged.version).version
            XCTAssertEqual(got5, damaged.version, s.label)
        }
    }

    func testTwoWritersSavingOneNameAtOnceKeepBothVersions() async throws {
        try await forEachRegistry { s, _ in
            let other = try await s.openAnother()
            let writers: [any ModelRegistry] = [s.registry, other]
            let saved = try await withThrowingTaskGroup(of: [String].self) { group in
                for (w, registry) in writers.enumerated() {
                    group.addTask {
                        var ids = [String]()
                        for i in 0..<5 {
                            ids.append(try await registry.save(RegistryFixtures.version("shared", blob: [UInt8(w), UInt8(i)])).version)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            if other as AnyObject !== s.registry as AnyObject { await other.close() }
            XCTAssertEqual(Set(saved).count, 10, "[\(s.label)] \(saved)")
            let listed = try await s.registry.list(name: "shared", backend: nil)
            XCTAssertEqual(Set(listed.map(\.version)), Set(saved), s.label)
            for version in listed { _ = try await s.registry.load(version.version) }
        }
    }

    func testChangesReportSavesPromotionsAndDeletesFromAnotherWriter() async throws {
        try await forEachRegistry { s, clock in
            let stream = s.registry.changes()
            let writer = try await s.openAnother()
            let a = try await writer.save(RegistryFixtures.version("m"))
            clock.advance(1)
            let b = try await writer.save(RegistryFixtures.version("m"))
            _ = try await writer.promote(version: a.version)
            try await writer.delete(version: b.version)
            let received = try await Self.first(4, of: stream, within: .seconds(5))
            if writer as AnyObject !== s.registry as AnyObject { await writer.close() }
            XCTAssertEqual(received, [
                RegistryChange(kind: .saved, name: "m", version: a.version),
                RegistryChange(kind: .saved, name: "m", version: b.version),
                RegistryChange(kind: .promoted, name: "m", version: a.version),
                RegistryChange(kind: .deleted, name: "m", version: b.version),
            ], s.label)
        }
    }

    /// The first `count` elements of `stream`, or a timeout error.
    static func first(_ count: Int, of stream: AsyncStream<RegistryChange>, within limit: Duration) async throws -> [RegistryChange] {
        try await withThrowingTaskGroup(of: [RegistryChange]?.self) { group in
            group.addTask {
                var got = [RegistryChange]()
                for await change in stream {
                    got.append(change)
                    if got.count == count { break }
                }
                return got
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw RegistryError.storageUnavailable(store: "test", reason: "no \(count) changes within \(limit)") }
            return first
        }
    }
}
