import Foundation
import XCTest

/// Collects a child process's stdout lines as they arrive.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()

    init(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self, !chunk.isEmpty else { return }
            self.lock.lock()
            self.buffer.append(chunk)
            self.lock.unlock()
        }
    }

    /// Complete lines so far.
    var lines: [String] {
        lock.lock(); defer { lock.unlock() }
        let text = String(decoding: buffer, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])
        return complete.split(separator: "\n").map(String.init)
    }

    /// The first line satisfying `predicate`, waiting up to `seconds`.
    func wait(seconds: Double, for predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = lines.first(where: predicate) { return line }
            usleep(5_000)
        }
        return nil
    }
}

/// Several `vigil` processes on one registry: SIGKILL during saves, and watching another's saves.
extension CLITests {
    func start(_ args: [String]) throws -> (Process, LineCollector) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = args
        process.currentDirectoryURL = workDir
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let collector = LineCollector(out)
        try process.run()
        return (process, collector)
    }

    /// A process saving in a loop is killed with SIGKILL at random moments 25 times; every version
    /// it reported saved must load and verify, and the registry must pass SQLite's integrity check.
    func testVersionsReportedSavedSurviveSIGKILL() throws {
        let dir = workDir.appendingPathComponent("crash").path
        var reported = [String]()
        var killsAfterASave = 0
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<25 {
            let (process, lines) = try start(["models", "save-loop", "--data-dir", dir, "--name", "crash", "--max-bytes", "400000"])
            // Wait for the process to be saving, then kill it at a random moment.
            _ = lines.wait(seconds: 10) { $0.hasPrefix("saved ") }
            usleep(UInt32.random(in: 0...150_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal)
            let saved = lines.lines.filter { $0.hasPrefix("saved ") }.map { String($0.split(separator: " ")[1]) }
            if !saved.isEmpty { killsAfterASave += 1 }
            reported += saved
        }
        XCTAssertGreaterThanOrEqual(killsAfterASave, 20, "most kills should land while the loop is saving")
        let verified = try vigil("models", "verify", "--data-dir", dir)
        XCTAssertEqual(verified.code, 0, verified.stderr)
        let listed = Set(try vigil("models", "list", "--json", "--data-dir", dir).stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["version"] as? String
        })
        XCTAssertFalse(reported.isEmpty)
        XCTAssertTrue(Set(reported).isSubset(of: listed), "lost: \(Set(reported).subtracting(listed).sorted())")
        XCTAssertTrue(verified.stdout.contains("verified \(listed.count) of \(listed.count)"), verified.stdout)
        // The registry still takes new versions.
        XCTAssertEqual(try vigil("models", "save-loop", "--data-dir", dir, "--name", "crash", "--count", "1").code, 0)
    }

    /// One process watches, another saves: the change arrives within one second.
    func assertWatchSeesOtherProcessSave(_ store: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let (watcher, lines) = try start(["models", "watch", "--count", "1"] + store)
        defer { if watcher.isRunning { watcher.terminate() } }
        XCTAssertNotNil(lines.wait(seconds: 20) { $0 == "watching" }, "watcher did not start", file: file, line: line)
        let saver = try vigil(arguments: ["models", "save-loop", "--name", "watched", "--count", "1"] + store)
        XCTAssertEqual(saver.code, 0, saver.stderr, file: file, line: line)
        let savedParts = saver.stdout.split(separator: " ")
        guard savedParts.count == 3, let savedAt = Int64(savedParts[2].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return XCTFail("unexpected saver output: \(saver.stdout)", file: file, line: line)
        }
        let version = String(savedParts[1])
        let seen = lines.wait(seconds: 5) { $0.hasPrefix("saved watched \(version) ") }
        guard let seen, let seenAt = Int64(seen.split(separator: " ")[3]) else {
            return XCTFail("watcher saw nothing within 5 s: \(lines.lines)", file: file, line: line)
        }
        XCTAssertLessThan(seenAt - savedAt, 1000, "change seen \(seenAt - savedAt) ms after the save", file: file, line: line)
        watcher.waitUntilExit()
        XCTAssertEqual(watcher.terminationStatus, 0, file: file, line: line)
    }

    func testWatchSeesAnotherProcessSaveOnSQLite() throws {
        try assertWatchSeesOtherProcessSave(["--data-dir", workDir.appendingPathComponent("watched").path])
    }

    func testWatchSeesAnotherProcessSaveOnPostgreSQL() throws {
        guard let url = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_URL"], !url.isEmpty else {
            print("skipped testWatchSeesAnotherProcessSaveOnPostgreSQL: VIGIL_TEST_POSTGRES_URL is not set (.ci/run sets it)")
            return
        }
        let schema = "w_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let scoped = url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
        try assertWatchSeesOtherProcessSave(["--database-url", scoped])
    }
}
