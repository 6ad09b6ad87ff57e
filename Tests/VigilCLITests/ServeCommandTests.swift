import Foundation
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs `vigil serve` as a process: it prints where it listens, answers, and stops on SIGTERM.
final class ServeCommandTests: XCTestCase {
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ data: Data) { lock.withLock { text += String(decoding: data, as: UTF8.self) } }
        var value: String { lock.withLock { text } }
    }

    func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, Output, Output) {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve"] + args
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdout = Output(), stderr = Output()
        out.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try process.run()
        return (process, stdout, stderr)
    }

    func testServeListensAnswersAndStopsOnSIGTERM() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-serve-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Port and data directory from the environment, log format from a flag.
        let (process, stdout, stderr) = try start(["--log-format", "json"], environment: ["VIGIL_PORT": "0", "VIGIL_DATA_DIR": dir])
        defer { if process.isRunning { process.terminate() } }
        var port: Int?
        let deadline = Date().addingTimeInterval(30)
        while port == nil, Date() < deadline, process.isRunning {
            if let match = stdout.value.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/) { port = Int(match.1) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let bound = try XCTUnwrap(port, "stdout: \(stdout.value) stderr: \(stderr.value)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/registry.sqlite"))

        let done = expectation(description: "readyz")
        let status = Output()
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(bound)/readyz"))
        URLSession.shared.dataTask(with: url) { _, response, _ in
            status.append(Data(String((response as? HTTPURLResponse)?.statusCode ?? -1).utf8))
            done.fulfill()
        }.resume()
        wait(for: [done], timeout: 10)
        XCTAssertEqual(status.value, "200")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0, stderr.value)
    }

    func testBadSettingsExitTwoWithOneLine() throws {
        for (args, env, needle) in [(["--log-format", "xml"], [String: String](), "log format must be text or json"),
                                    ([], ["VIGIL_PORT": "http"], "port must be an integer"),
                                    (["--log-level", "loud"], [:], "log level must be one of"),
                                    (["--max-rows", "0"], [:], "max rows must be a positive integer, got '0'"),
                                    ([], ["VIGIL_MAX_BODY_BYTES": "lots"], "max body bytes must be a positive integer, got 'lots'"),
                                    (["--drift-window", "0"], [:], "drift window must be a positive integer, got '0'"),
                                    ([], ["VIGIL_DRIFT_PSI": "-1"], "drift PSI limit must be a positive number, got '-1'"),
                                    (["--drift-rate-factor", "nan"], [:], "drift rate factor must be a positive number")] {
            let (process, _, stderr) = try start(args, environment: env)
            process.waitUntilExit()
            Thread.sleep(forTimeInterval: 0.05)
            XCTAssertEqual(process.terminationStatus, 2, "\(args) \(env)")
            XCTAssertTrue(stderr.value.contains(needle), stderr.value)
            XCTAssertEqual(stderr.value.split(separator: "\n").count, 1, stderr.value)
        }
    }
}
