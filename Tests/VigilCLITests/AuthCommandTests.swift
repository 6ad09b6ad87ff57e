import Crypto
import Foundation
import XCTest

/// A 40-byte secret for the tests.
private let secret = String(repeating: "0123456789", count: 4)

/// `vigil token` mints tokens that verify with the secret.
extension CLITests {
    /// base64url text decoded.
    private func base64URLDecoded(_ text: Substring) -> Data? {
        var text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }

    /// The printed token is one line, HS256-signed with the secret, with the role, subject and exp asked for.
    func testTokenVerifiesWithTheSecretAndCarriesRoleAndExp() throws {
        let run = try vigil(arguments: ["token", "--role", "scorer", "--ttl", "2h", "--subject", "ci"],
                            environment: ["VIGIL_JWT_SECRET": secret])
        XCTAssertEqual(run.code, 0, run.stderr)
        let token = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 1)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3)
        let signature = try XCTUnwrap(base64URLDecoded(parts[2]))
        XCTAssertTrue(HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8),
                                                             using: SymmetricKey(data: Data(secret.utf8))))
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: try XCTUnwrap(base64URLDecoded(parts[0]))) as? [String: Any])
        XCTAssertEqual(header["alg"] as? String, "HS256")
        let claims = try XCTUnwrap(JSONSerialization.jsonObject(with: try XCTUnwrap(base64URLDecoded(parts[1]))) as? [String: Any])
        XCTAssertEqual(claims["roles"] as? [String], ["scorer"])
        XCTAssertEqual(claims["sub"] as? String, "ci")
        let exp = try XCTUnwrap(claims["exp"] as? Double)
        XCTAssertEqual(exp, Date().timeIntervalSince1970 + 7200, accuracy: 30)
    }

    /// An unknown role, a bad ttl, no secret or a short one: exit 2 with one line.
    func testTokenBadInputExitsTwoWithOneLine() throws {
        for (args, env, needle) in [(["--role", "root"], ["VIGIL_JWT_SECRET": secret], "role must be viewer, scorer or admin"),
                                    (["--role", "viewer", "--ttl", "soon"], ["VIGIL_JWT_SECRET": secret], "ttl must be"),
                                    (["--role", "viewer"], ["VIGIL_JWT_SECRET": ""], "needs --jwt-secret"),
                                    (["--role", "viewer", "--jwt-secret", "short"], [:], "at least 32 bytes")] {
            let run = try vigil(arguments: ["token"] + args, environment: env)
            XCTAssertEqual(run.code, 2, "\(args)")
            XCTAssertTrue(run.stderr.contains(needle), run.stderr)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        }
    }
}

/// `vigil serve` refuses to expose an unauthenticated service unless told to.
extension ServeCommandTests {
    /// 0.0.0.0 or :: without a usable key: exit 2 with one line.
    func testRefusesNonLoopbackWithoutKey() throws {
        for (args, env) in [(["--host", "0.0.0.0"], [String: String]()), ([], ["VIGIL_HOST": "::"]),
                            (["--host", "0.0.0.0", "--jwt-secret", "short"], [:])] {
            let (process, _, stderr) = try start(args + ["--port", "0"], environment: env.merging(["VIGIL_JWT_SECRET": ""]) { $1 })
            process.waitUntilExit()
            Thread.sleep(forTimeInterval: 0.05)
            XCTAssertEqual(process.terminationStatus, 2, "\(args) \(env)")
            XCTAssertEqual(stderr.value.split(separator: "\n").count, 1, stderr.value)
            XCTAssertTrue(stderr.value.contains("refusing to serve") || stderr.value.contains("at least 32 bytes"), stderr.value)
        }
    }

    /// `--insecure-no-auth` serves 0.0.0.0, says auth is off and logs a warning.
    func testInsecureNoAuthStartsWithWarning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-insecure-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (process, stdout, stderr) = try start(["--host", "0.0.0.0", "--port", "0", "--insecure-no-auth"],
                                                  environment: ["VIGIL_DATA_DIR": dir, "VIGIL_JWT_SECRET": ""])
        defer { if process.isRunning { process.terminate() } }
        let deadline = Date().addingTimeInterval(30)
        while !stdout.value.contains("listening on"), Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(stdout.value.contains("auth off"), "stdout: \(stdout.value) stderr: \(stderr.value)")
        XCTAssertTrue((stdout.value + stderr.value).contains("WITHOUT authentication"), stdout.value + stderr.value)
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, stderr.value)
    }
}
