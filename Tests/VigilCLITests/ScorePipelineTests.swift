import Foundation
import VigilCore
import VigilFeatures
import VigilStore
import XCTest

extension CLITests {
    /// A model file written by the service carries its input scaler; `vigil score` applies it.
    func testScoreAppliesTheInputScalerAModelFileCarries() throws {
        let rows = (0..<100).map { i -> [Double] in [10 + Double(i % 7) * 0.1, 20 + Double(i % 5) * 3] }
        let x = try Matrix(rows)
        let pipeline = try FeaturePipeline.fit(x, scaler: .robust)
        // KNN is distance-based, so scaling changes its scores (rank-based ECOD would not notice).
        let (model, _) = try AnomalyModel.fit(try pipeline.transform(x), featureNames: pipeline.featureNames,
                                              settings: .defaults(for: .knn), normalization: .standardization,
                                              contamination: 0.1, seed: 42)
        let path = workDir.appendingPathComponent("scaled.vigil").path
        try ModelFile.write(model, pipeline: pipeline, to: path)

        let probe = try Matrix([[10.3, 23.0], [10.1, 40.0], [12.5, 20.0]])
        let expected = try model.score(try pipeline.transform(probe)).rawScores
        let unscaled = try model.score(probe).rawScores
        XCTAssertNotEqual(expected, unscaled)

        let header = pipeline.featureNames.joined(separator: ",")
        let data = try write("probe.csv", header + "\n10.3,23.0\n10.1,40.0\n12.5,20.0\n")
        let run = try vigil("score", "--model", path, "--data", data, "--format", "json")
        XCTAssertEqual(run.code, 0, run.stderr)
        let scores = try run.stdout.split(separator: "\n").map { line -> Double in
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try XCTUnwrap(object["raw_score"] as? Double)
        }
        XCTAssertEqual(scores.count, 3)
        for (got, want) in zip(scores, expected) { XCTAssertEqual(got, want, accuracy: 1e-12 * max(1, abs(want))) }
    }
}
