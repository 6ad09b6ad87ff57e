import Foundation
import XCTest
@testable import VigilStore

/// What only the PostgreSQL store does: URLs, an unreachable or restarted server, concurrent
/// first connections. Tests needing a server read `VIGIL_TEST_POSTGRES_URL`.
final class PostgresModelRegistryTests: XCTestCase {
    func testURLsAreParsedWithTLSModeSchemaAndDefaults() throws {
        let s = try PostgresSettings(url: "postgres://risk:p%40ss@db.internal:6543/models?sslmode=require&schema=fraud")
        XCTAssertEqual(s.host, "db.internal")
        XCTAssertEqual(s.port, 6543)
        XCTAssertEqual(s.username, "risk")
        XCTAssertEqual(s.password, "p@ss")
        XCTAssertEqual(s.database, "models")
        XCTAssertEqual(s.tls, .require)
        XCTAssertEqual(s.schema, "fraud")
        XCTAssertFalse(s.storeName.contains("p@ss"))
        let d = try PostgresSettings(url: "postgresql://localhost")
        XCTAssertEqual(d.port, 5432)
        XCTAssertEqual(d.username, "postgres")
        XCTAssertNil(d.database)
        XCTAssertEqual(d.tls, .prefer)
        XCTAssertEqual(try PostgresSettings(url: "postgres://h/db?sslmode=disable", tls: .verifyFull).tls, .verifyFull)
    }

    func testUnusableURLsAreRejectedWithoutShowingThePassword() {
        let cases: [(String, String)] = [
            ("mysql://u:secret@h/db", "scheme"),
            ("postgres://u:secret@h/db?sslmode=always", "sslmode"),
            ("postgres://u:secret@h/db?schema=Bad-Name", "schema"),
            ("postgres:///db", "no host"),
            ("not a url", "not a URL"),
        ]
        for (url, needle) in cases {
            XCTAssertThrowsError(try PostgresSettings(url: url), url) { error in
                guard case RegistryError.invalidURL(let shown, let reason) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(needle) || "\(error)".contains(needle), "\(url): \(reason)")
                XCTAssertFalse(shown.contains("secret"), shown)
            }
        }
    }

    func testServerThatDoesNotListenIsReportedWithinTheTimeout() async throws {
        // Port 1 on loopback: nothing listens there.
        let settings = try PostgresSettings(url: "postgres://vigil@127.0.0.1:1/db?sslmode=disable", timeout: .seconds(2))
        let started = ContinuousClock.now
        do {
            let registry = try await PostgresModelRegistry.connect(settings)
            await registry.close()
            XCTFail("connected to a closed port")
        } catch let RegistryError.storageUnavailable(store, reason) {
            XCTAssertEqual(store, "postgres://vigil@127.0.0.1:1/db")
            XCTAssertFalse(reason.isEmpty)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
    }

    func testServerGoneFailsClearlyAndRecoversWhenItReturns() async throws {
        guard let url = PostgresTestSupport.configuredURL() else { return }
        guard let ctl = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_CTL"], !ctl.isEmpty else {
            print("skipped testServerGoneFailsClearlyAndRecoversWhenItReturns: VIGIL_TEST_POSTGRES_CTL is not set (.ci/run sets it)")
            return
        }
        let registry = try await PostgresModelRegistry.connect(PostgresTestSupport.freshSettings(url: url, timeout: .seconds(2)))
        let before = try await registry.save(RegistryFixtures.version("m"))
        try shell("\(ctl) -m fast -w stop")
        var restarted = false
        defer { if !restarted { try? shell("\(ctl) -w -t 30 start") } }
        let error = await registryError("postgres") { _ = try await registry.save(RegistryFixtures.version("m")) }
        guard case .storageUnavailable(let store, let reason)? = error else { return XCTFail(String(describing: error)) }
        XCTAssertTrue(store.hasPrefix("postgres://"), store)
        XCTAssertFalse(reason.isEmpty)
        let pingError = await registryError("postgres") { try await registry.ping() }
        guard case .storageUnavailable? = pingError else { return XCTFail(String(describing: pingError)) }
        try shell("\(ctl) -w -t 30 start")
        restarted = true
        // The pool reconnects on its own; allow it a few attempts.
        var after: ModelVersion?
        let deadline = ContinuousClock.now + .seconds(20)
        while after == nil, ContinuousClock.now < deadline {
            after = try? await registry.save(RegistryFixtures.version("m"))
            if after == nil { try await Task.sleep(for: .milliseconds(250)) }
        }
        XCTAssertNotNil(after, "no recovery within 20 s of the server's return")
        let got1 = Set(try await registry.list(name: "m", backend: nil).map(\.version))
        XCTAssertEqual(got1, Set([before.version, after?.version].compactMap { $0 }))
        try await PostgresTestSupport.execute("DROP SCHEMA \(registry.settings.schema ?? "none") CASCADE", on: registry)
        await registry.close()
    }

    func testReplicasStartingTogetherMigrateOnce() async throws {
        guard let url = PostgresTestSupport.configuredURL() else { return }
        let settings = try PostgresTestSupport.freshSettings(url: url)
        let replicas = try await withThrowingTaskGroup(of: PostgresModelRegistry.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresModelRegistry.connect(settings) } }
            return try await group.reduce(into: [PostgresModelRegistry]()) { $0.append($1) }
        }
        var ids = [Int]()
        try await replicas[0].client.withConnection { connection in
            for try await (id) in try await connection.query("SELECT id FROM vigil_migrations ORDER BY id", logger: replicas[0].logger).decode(Int.self) {
                ids.append(id)
            }
        }
        XCTAssertEqual(ids, RegistryMigrations.all.map(\.id))
        try await PostgresTestSupport.execute("DROP SCHEMA \(settings.schema ?? "none") CASCADE", on: replicas[0])
        for r in replicas { await r.close() }
    }

    /// Runs `command` with /bin/sh and waits for it with waitpid (pg_ctl start leaves a daemon
    /// behind, which Foundation's Process may keep waiting on).
    private func shell(_ command: String) throws {
        var pid = pid_t()
        let words: [String] = ["/bin/sh", "-c", command + " </dev/null >/dev/null 2>&1"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else {
            throw RegistryError.storageUnavailable(store: "test server", reason: "cannot run `\(command)`")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw RegistryError.storageUnavailable(store: "test server", reason: "`\(command)` exited with status \(status)")
        }
    }

}
