import Foundation
import XCTest

/// The registry from the command line: `fit --save`, `score --model NAME`, `vigil models …`.
extension CLITests {
    func testFitSaveScoreFromRegistryAndManageVersions() throws {
        let data = try trainingCSV()
        let first = try vigil("fit", "--data", data, "--label", "label", "--save", "fraud", "--description", "first try")
        XCTAssertEqual(first.code, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("version fraud_"), first.stdout)
        XCTAssertEqual(try vigil("fit", "--data", data, "--label", "label", "--save", "fraud", "--seed", "7").code, 0)

        let listed = try vigil("models", "list", "--json")
        XCTAssertEqual(listed.code, 0, listed.stderr)
        let rows = try listed.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        XCTAssertEqual(rows.count, 2)
        let versions = rows.compactMap { $0["version"] as? String }
        XCTAssertEqual(rows.last?["description"] as? String, "first try")
        XCTAssertEqual(rows.first?["backend"] as? String, "isolation_forest")
        XCTAssertEqual(rows.first?["training_rows"] as? Int, 200)
        // The five planted outliers are perfectly separated, so the training ROC AUC is high.
        let auc = try XCTUnwrap((rows.first?["metrics"] as? [String: Any])?["roc_auc"] as? Double)
        XCTAssertGreaterThan(auc, 0.9)

        for reference in ["fraud-latest", "fraud", versions[1]] {
            let scored = try vigil("score", "--model", reference, "--data", data, "--label", "label")
            XCTAssertEqual(scored.code, 0, "\(reference): \(scored.stderr)")
            let lines = scored.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, 201, reference)
            for i in 1...5 { XCTAssertTrue(lines[i].hasSuffix(",true"), "\(reference) row \(i - 1): \(lines[i])") }
        }

        let promoted = try vigil("models", "promote", versions[1])
        XCTAssertEqual(promoted.code, 0, promoted.stderr)
        let shown = try vigil("models", "show", "fraud-latest")
        XCTAssertTrue(shown.stdout.contains("\"version\":\"\(versions[1])\""), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("\"promoted\":true"), shown.stdout)

        XCTAssertEqual(try vigil("models", "delete", versions[0]).code, 0)
        let verified = try vigil("models", "verify")
        XCTAssertEqual(verified.code, 0, verified.stderr)
        XCTAssertTrue(verified.stdout.contains("verified 1 of 1"), verified.stdout)
        let deleted = try vigil("models", "delete", "--all", "fraud")
        XCTAssertTrue(deleted.stdout.contains("deleted 1 version of fraud"), deleted.stdout)
        XCTAssertEqual(try vigil("models", "list", "--json").stdout, "")
    }

    func testModelFilePathStillWinsAndEnvironmentNamesTheDataDirectory() throws {
        let data = try trainingCSV()
        let dir = workDir.appendingPathComponent("elsewhere").path
        let fit = try vigil("fit", "--data", data, "--label", "label", "--out", "m.vigil", "--save", "m", "--data-dir", dir)
        XCTAssertEqual(fit.code, 0, fit.stderr)
        XCTAssertTrue(fit.stdout.contains("m.vigil and version m_"), fit.stdout)
        XCTAssertEqual(try vigil("score", "--model", "m.vigil", "--data", data, "--label", "label").code, 0)
        let viaEnv = try vigil(arguments: ["models", "list", "--json"], environment: ["VIGIL_DATA_DIR": dir])
        XCTAssertEqual(viaEnv.stdout.split(separator: "\n").count, 1, viaEnv.stdout + viaEnv.stderr)
        // The default ./vigil-data is another, empty registry.
        XCTAssertEqual(try vigil("models", "list", "--json").stdout, "")
    }

    func testRegistryErrorsAreOneLineAndExitTwo() throws {
        let data = try trainingCSV()
        XCTAssertEqual(try vigil("fit", "--data", data, "--label", "label", "--save", "fraud-daily").code, 0)
        assertBadInput(try vigil("score", "--model", "fraud-dialy-latest", "--data", data), mentions: "did you mean: fraud-daily")
        assertBadInput(try vigil("models", "show", "../etc"), mentions: "invalid model name")
        assertBadInput(try vigil("models", "show", "a b"), mentions: "not allowed")
        assertBadInput(try vigil("models", "delete", "nope_20250101_000000"), mentions: "no model version matches")
        assertBadInput(try vigil("models", "delete", "--all", "nope"), mentions: "no versions of model 'nope'")
        assertBadInput(try vigil("models", "promote", "fraud-daily_1"), mentions: "did you mean")
        assertBadInput(try vigil("fit", "--data", data), mentions: "--save")
        assertBadInput(try vigil("fit", "--data", data, "--save", "bad/name"), mentions: "invalid model name")
        assertBadInput(try vigil("models", "list", "--data-dir", data), mentions: "not a directory")
        assertBadInput(try vigil("models", "list", "--database-url", "mysql://u@h/db"), mentions: "scheme")
        assertBadInput(try vigil("models", "list", "--database-url", "postgres://u@h/db", "--data-dir", "x"), mentions: "not both")
        assertBadInput(try vigil("models", "list", "--database-url", "postgres://vigil:secret@127.0.0.1:1/db?sslmode=disable"),
                       mentions: "postgres://vigil@127.0.0.1:1/db is unavailable")
        assertBadInput(try vigil("models", "watch", "--count", "0"), mentions: "--count")
    }
}
