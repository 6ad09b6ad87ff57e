import Foundation
import GRDB
import XCTest
@testable import VigilStore

/// What only the SQLite store does: files, reopening, locks and permissions.
final class SQLiteModelRegistryTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = RegistryFixtures.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testVersionsSurviveReopeningAndTheFileIsWAL() async throws {
        let first = try SQLiteModelRegistry(dataDirectory: dir)
        let saved = try await first.save(RegistryFixtures.version("m", blob: [9, 8, 7]))
        await first.close()
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/registry.sqlite"))
        let again = try SQLiteModelRegistry(dataDirectory: dir)
        let (version, blob) = try await again.load("m-latest")
        XCTAssertEqual(version, saved)
        XCTAssertEqual(blob, [9, 8, 7])
        let mode = try await again.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        await again.close()
    }

    func testDataDirectoryThatIsAFileIsReported() throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir))
        XCTAssertThrowsError(try SQLiteModelRegistry(dataDirectory: dir)) { error in
            guard case RegistryError.storageUnavailable(let store, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(store, dir)
            XCTAssertTrue(reason.contains("not a directory"), reason)
        }
    }

    func testWriteLockedByAnotherProcessFailsThenRecovers() async throws {
        let registry = try SQLiteModelRegistry(dataDirectory: dir, busyTimeout: 0.2)
        // Another connection holds the write lock, as a stuck writer in another process would.
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: registry.path, configuration: unsafe)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let error = await registryError("sqlite") { _ = try await registry.save(RegistryFixtures.version("m")) }
        guard case .storageUnavailable(let store, let reason)? = error else { return XCTFail(String(describing: error)) }
        XCTAssertEqual(store, registry.path)
        XCTAssertTrue(reason.contains("locked"), reason)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try blocker.close()
        let saved = try await registry.save(RegistryFixtures.version("m"))
        let got1 = try await registry.resolve("m").version
        XCTAssertEqual(got1, saved.version)
        await registry.close()
    }

    func testReadOnlyDatabaseFileFailsThenRecovers() async throws {
        guard geteuid() != 0 else {
            print("skipped testReadOnlyDatabaseFileFailsThenRecovers: running as root, file permissions do not bind")
            return
        }
        let registry = try SQLiteModelRegistry(dataDirectory: dir)
        _ = try await registry.save(RegistryFixtures.version("m"))
        await registry.close()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: dir + "/registry.sqlite")
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/registry.sqlite")
        }
        do {
            let readOnly = try SQLiteModelRegistry(dataDirectory: dir)
            let error = await registryError("sqlite") { _ = try await readOnly.save(RegistryFixtures.version("m")) }
            guard case .storageUnavailable? = error else { return XCTFail(String(describing: error)) }
            await readOnly.close()
        } catch {
            guard case RegistryError.storageUnavailable = error else { return XCTFail("\(error)") }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/registry.sqlite")
        let writable = try SQLiteModelRegistry(dataDirectory: dir)
        _ = try await writable.save(RegistryFixtures.version("m"))
        let got2 = try await writable.list().count
        XCTAssertEqual(got2, 2)
        await writable.close()
    }

    func testStoreMigratedByANewerVigilIsRefused() async throws {
        let registry = try SQLiteModelRegistry(dataDirectory: dir)
        try await registry.pool.write { db in
            try db.execute(sql: "INSERT INTO vigil_migrations (id, name, applied_at_ms) VALUES (999, 'future', 0)")
        }
        await registry.close()
        XCTAssertThrowsError(try SQLiteModelRegistry(dataDirectory: dir)) { error in
            guard case RegistryError.newerSchema(_, let found, let supported) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(found, 999)
            XCTAssertEqual(supported, RegistryMigrations.latest)
        }
    }

    func testMigrationsAreRecordedOnceAcrossOpens() async throws {
        for _ in 0..<2 { await (try SQLiteModelRegistry(dataDirectory: dir)).close() }
        let queue = try DatabaseQueue(path: dir + "/registry.sqlite")
        let ids = try await queue.read { db in try Int.fetchAll(db, sql: "SELECT id FROM vigil_migrations ORDER BY id") }
        XCTAssertEqual(ids, RegistryMigrations.all.map(\.id))
        try queue.close()
    }
}
