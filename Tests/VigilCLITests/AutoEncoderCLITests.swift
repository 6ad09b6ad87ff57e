import Foundation
import XCTest

extension CLITests {
    /// `--epochs` and `--batch-size` reach the autoencoder; the far-out rows 0–4 of the training
    /// file are flagged; bad values exit 2 naming the setting.
    func testAutoencoderFitScoreWithEpochsAndBatchSize() throws {
        let data = try trainingCSV()
        let model = workDir.appendingPathComponent("ae.vigil").path
        let fit = try vigil("fit", "--data", data, "--label", "label", "--backend", "autoencoder",
                            "--epochs", "20", "--batch-size", "16", "--contamination", "0.05", "--out", model)
        XCTAssertEqual(fit.code, 0, fit.stderr)
        let score = try vigil("score", "--model", model, "--data", data, "--format", "csv")
        XCTAssertEqual(score.code, 0, score.stderr)
        let rows = score.stdout.split(separator: "\n").dropFirst()
        let flagged = Set(rows.filter { $0.hasSuffix(",true") }.compactMap { Int($0.split(separator: ",")[0]) })
        XCTAssertTrue(Set(0..<5).isSubset(of: flagged), "\(flagged.sorted())")

        let out = workDir.appendingPathComponent("bad.vigil").path
        assertBadInput(try vigil("fit", "--data", data, "--label", "label", "--backend", "autoencoder",
                                 "--epochs", "0", "--out", out), mentions: "epochs")
        assertBadInput(try vigil("fit", "--data", data, "--label", "label", "--backend", "autoencoder",
                                 "--batch-size", "500", "--out", out), mentions: "batch_size")
    }
}
