import Foundation
import GRDB
import XCTest
@testable import VigilStore

/// One registry implementation prepared for the shared suite: a fresh, empty store, a second
/// handle on the same store (another writer/process), and a way to damage a stored blob.
struct RegistryUnderTest {
    var label: String
    var registry: any ModelRegistry
    var openAnother: () async throws -> any ModelRegistry
    var corruptBlob: (String) async throws -> Void
    var cleanup: () async throws -> Void
}

/// A clock the tests move by hand, so version ids are predictable.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Date

    init(_ start: Date) { now = start }

    /// 2026-11-25 03:04:05.678 UTC.
    static let start = Date(timeIntervalSince1970: 1_795_575_845.678)

    func read() -> Date {
        lock.lock(); defer { lock.unlock() }
        return now
    }

    func advance(_ seconds: TimeInterval) {
        lock.lock(); defer { lock.unlock() }
        now += seconds
    }
}

enum RegistryFixtures {
    /// A small new version with `blob` bytes.
    static func version(_ name: String, backend: String = "isolation_forest", blob: [UInt8] = Array("model-bytes".utf8),
                        threshold: Double = 0.5) -> NewModelVersion {
        NewModelVersion(name: name, backend: backend, normalization: "standardization",
                        parameters: #"{"n_estimators":100}"#, schema: #"{"amount":"numeric"}"#,
                        featureNames: ["amount", "fee"], trainingRows: 200, trainingAnomalyRate: 0.1,
                        threshold: threshold, metrics: ["roc_auc": 0.93], description: "daily fraud model", blob: blob)
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-registry-\(UUID().uuidString)").path
    }

    /// Every implementation the suite runs against: in-memory, SQLite, and PostgreSQL when
    /// `VIGIL_TEST_POSTGRES_URL` is set.
    /// Each gets its own clock, starting at `TestClock.start`.
    static func allRegistries() async throws -> [(RegistryUnderTest, TestClock)] {
        var result = [(RegistryUnderTest, TestClock)]()
        var clock = TestClock(TestClock.start)
        let memory = InMemoryModelRegistry(clock: clock.read)
        result.append((RegistryUnderTest(
            label: "in-memory", registry: memory, openAnother: { memory },
            corruptBlob: { memory.corruptBlob(version: $0) }, cleanup: {}), clock))
        clock = TestClock(TestClock.start)

        let dir = temporaryDirectory()
        let sqlite = try SQLiteModelRegistry(dataDirectory: dir, clock: clock.read)
        result.append((RegistryUnderTest(
            label: "sqlite", registry: sqlite,
            openAnother: { try SQLiteModelRegistry(dataDirectory: dir, clock: clock.read) },
            corruptBlob: { version in
                let queue = try DatabaseQueue(path: sqlite.path)
                try await queue.write { db in
                    try db.execute(sql: "UPDATE model_blobs SET blob = CAST('tampered' AS BLOB) WHERE version = ?", arguments: [version])
                }
                try queue.close()
            },
            cleanup: {
                await sqlite.close()
                try? FileManager.default.removeItem(atPath: dir)
            }), clock))

        clock = TestClock(TestClock.start)
        if let postgres = try await PostgresTestSupport.registryUnderTest(clock: clock) {
            result.append((postgres, clock))
        }
        return result
    }
}

extension XCTestCase {
    /// Runs `body` against every registry implementation with a fresh store each.
    func forEachRegistry(file: StaticString = #filePath, line: UInt = #line,
                         _ body: (RegistryUnderTest, TestClock) async throws -> Void) async throws {
        for (subject, clock) in try await RegistryFixtures.allRegistries() {
            do {
                try await body(subject, clock)
            } catch {
                XCTFail("[\(subject.label)] \(error)", file: file, line: line)
            }
            try await subject.cleanup()
            await subject.registry.close()
        }
    }

    /// The registry error `body` throws, or a failure if it throws none or another kind.
    func registryError(_ label: String, file: StaticString = #filePath, line: UInt = #line,
                       _ body: () async throws -> Void) async -> RegistryError? {
        do {
            try await body()
            XCTFail("[\(label)] expected a RegistryError", file: file, line: line)
        } catch let error as RegistryError {
            return error
        } catch {
            XCTFail("[\(label)] expected a RegistryError, got \(error)", file: file, line: line)
        }
        return nil
    }
}
