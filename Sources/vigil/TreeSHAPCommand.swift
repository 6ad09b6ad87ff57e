import ArgumentParser
import Foundation
import VigilCore

/// `vigil tree-shap` (hidden): TreeSHAP values of a tree ensemble given as JSON, for checking our
/// TreeSHAP against other implementations (scripts/treeshap-check.sh).
///
/// Input: `{"ensemble": {"trees": [{"feature", "threshold", "left", "right", "missingGoesLeft",
/// "value", "cover"}], "scale", "bias"}, "x": [[…]]}`. Output, one JSON object:
/// `{"expected_value", "shap_values": [[…]], "predictions": […]}`.
struct TreeSHAPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tree-shap", abstract: "TreeSHAP values of a JSON tree ensemble (check).", shouldDisplay: false)

    @Option(help: "JSON file with the ensemble and the rows to explain.") var input: String

    struct Input: Decodable {
        var ensemble: TreeSHAP.Ensemble
        var x: [[Double]]
    }

    struct Output: Encodable {
        var expectedValue: Double
        var shapValues: [[Double]]
        var predictions: [Double]

        enum CodingKeys: String, CodingKey {
            case expectedValue = "expected_value", shapValues = "shap_values", predictions
        }
    }

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: input))
        } catch {
            throw CLIError("cannot read \(input): \(error.localizedDescription)")
        }
        let parsed: Input
        do {
            parsed = try JSONDecoder().decode(Input.self, from: data)
        } catch {
            throw CLIError("\(input) is not a tree ensemble: \(error)")
        }
        let x = try Matrix(parsed.x)
        let (base, phi) = try parsed.ensemble.explain(x)
        let rows = (0..<x.rows).map { r in Array(phi[(r * x.cols)..<((r + 1) * x.cols)]) }
        let out = Output(expectedValue: base, shapValues: rows, predictions: parsed.ensemble.predict(x))
        print(String(decoding: try JSONEncoder().encode(out), as: UTF8.self))
    }
}
