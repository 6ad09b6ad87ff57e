import Foundation
import XCTest

/// `vigil eth scan` refuses bad input with one line and exit code 2 before asking any node
/// (the scans themselves run against a real EVM in Tests/eth).
extension CLITests {
    func testEthScanInputErrorsAreOneLine() throws {
        let noNode = ["VIGIL_ETH_RPC_URL": ""]
        let cases: [([String], String)] = [
            (["eth", "scan", "--from-block", "1", "--to-block", "2"], "--rpc or VIGIL_ETH_RPC_URL"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--from-block", "1"], "give --from-block and --to-block, or --last"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--last", "1h", "--from-block", "1"], "not both"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--last=-5m"], "--last must be a positive duration"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--last", "soon"], "--last must be a positive duration"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--from-block", "9", "--to-block", "3"], "start_block (9) must not be after end_block (3)"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--from-block", "1", "--to-block", "3", "--contamination", "0.9"], "contamination"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--from-block", "1", "--to-block", "3", "--rps=-1"], "--rps must be ≥ 0"),
            (["eth", "scan", "--rpc", "http://127.0.0.1:9", "--from-block", "1", "--to-block", "3", "--timeout", "0"], "--timeout must be > 0"),
            (["eth", "scan", "--rpc", "ftp://node", "--from-block", "1", "--to-block", "3", "--data-dir", workDir.path], "must be http:// or https://"),
        ]
        for (args, expected) in cases {
            let run = try vigil(arguments: args, environment: noNode)
            let label = args.joined(separator: " ")
            XCTAssertEqual(run.code, 2, label)
            XCTAssertTrue(run.stderr.contains(expected), "\(label): \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "\(label): \(run.stderr)")
            XCTAssertEqual(run.stdout, "", label)
        }
    }
}
