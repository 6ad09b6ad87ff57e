import ArgumentParser
import Foundation
import VigilCore
import VigilFeatures
import VigilServer
import VigilStore

/// `vigil score`: scores a data file with a saved model, one output row per input row.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score", abstract: "Score a CSV or .npz file with a saved model.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

    @Option(help: "Model file written by `vigil fit`, or a registry reference: NAME, NAME-latest or a version id.")
    var model: String

    @Option(help: "With a registry reference: resolve NAME-latest among this backend's versions only.")
    var backend: String?

    @OptionGroup var registry: RegistryOptions

    @Option(help: "Data to score: CSV with a header (columns matched by name), or .npz.")
    var data: String

    @Option(help: "CSV column holding labels, ignored when scoring.")
    var label: String?

    @Option(help: "Output: csv (index,score,raw_score,is_anomaly) or json (one object per line).")
    var format: Format = .csv

    @Option(help: "Threshold on the normalised score (default: the one learned at fit).")
    var threshold: Double?

    @Flag(help: "Add each row's per-feature contributions (csv: output_value, base_value, top_features and one phi_<feature> column per feature; json: an \"explanation\" object).")
    var explain = false

    @Option(help: "With --explain: features listed in top_features.")
    var topK: Int = 5

    @OptionGroup var compute: ComputeOptions

    func run() async throws {
        try compute.apply()
        if let threshold, !threshold.isFinite { throw CLIError("--threshold must be a finite number") }
        guard topK >= 1 else { throw CLIError("--top-k must be ≥ 1, got \(topK)") }
        let (loaded, header): (AnomalyModel, ModelFile.Header)
        if FileManager.default.fileExists(atPath: model) {
            (loaded, header) = try ModelFile.read(from: model)
        } else {
            let (version, blob) = try await registry.with { try await $0.load(model, backend: backend) }
            (loaded, header) = try ModelFile.decode(blob, path: "registry version \(version.version)")
        }
        let dataset = try DataLoading.load(data, label: label)
        var x = try DataLoading.columns(dataset, matching: loaded.featureNames, path: data)
        let inputs = x
        if explain, !loaded.backend.isExplainable {
            throw CLIError("--explain: backend '\(loaded.backend.rawValue)' cannot attribute its scores to features; backends that can: "
                           + AnyDetector.explainableBackends.map(\.rawValue).joined(separator: ", "))
        }
        if let pipeline = header.pipeline {
            // A model fitted by the service carries its input scaler (and, for object rows, the
            // schema's encoder): apply it exactly as at fit.
            guard pipeline.encoder == nil else {
                throw CLIError("\(model) was fitted on records with a schema; score it with POST /v1/ml/anomaly/score")
            }
            x = try pipeline.transform(x)
        }
        Progress.say("scoring \(x.rows) rows with \(loaded.backend.rawValue)")
        let result = try loaded.score(x, threshold: threshold)
        let attributions = explain ? try loaded.explain(x) : nil
        let names = loaded.featureNames
        var out = ""
        out.reserveCapacity(x.rows * 48)
        if format == .csv {
            out += "index,score,raw_score,is_anomaly"
            if explain { out += ",output_value,base_value,top_features" + names.map { "," + Self.csvField("phi_" + $0) }.joined() }
            out += "\n"
        }
        let encoder = JSONEncoder()
        let explanations = attributions.map { RowExplanation.rows($0, inputs: inputs, featureNames: names, topK: topK) }
        for i in 0..<x.rows {
            let s = result.scores[i], r = result.rawScores[i], a = result.isAnomaly[i]
            switch format {
            case .csv:
                out += "\(i),\(s),\(r),\(a)"
                if let attributions {
                    let top = attributions.topFeatures(row: i, k: topK).map { names[$0] }.joined(separator: ";")
                    out += ",\(attributions.outputs[i]),\(attributions.baseValue),\(Self.csvField(top))"
                    for c in attributions.contributions(row: i) { out += ",\(c)" }
                }
                out += "\n"
            case .json:
                out += "{\"index\":\(i),\"score\":\(s),\"raw_score\":\(r),\"is_anomaly\":\(a)"
                if let explanations {
                    out += ",\"explanation\":" + String(decoding: try encoder.encode(explanations[i]), as: UTF8.self)
                }
                out += "}\n"
            }
            if out.utf8.count > 1 << 20 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// `text` as one CSV field, quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
