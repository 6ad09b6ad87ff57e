import ArgumentParser
import Foundation
import VigilCore
import VigilFeatures
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

    @OptionGroup var compute: ComputeOptions

    func run() async throws {
        try compute.apply()
        if let threshold, !threshold.isFinite { throw CLIError("--threshold must be a finite number") }
        let (loaded, header): (AnomalyModel, ModelFile.Header)
        if FileManager.default.fileExists(atPath: model) {
            (loaded, header) = try ModelFile.read(from: model)
        } else {
            let (version, blob) = try await registry.with { try await $0.load(model, backend: backend) }
            (loaded, header) = try ModelFile.decode(blob, path: "registry version \(version.version)")
        }
        let dataset = try DataLoading.load(data, label: label)
        var x = try DataLoading.columns(dataset, matching: loaded.featureNames, path: data)
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
        var out = ""
        out.reserveCapacity(x.rows * 48)
        if format == .csv { out += "index,score,raw_score,is_anomaly\n" }
        for i in 0..<x.rows {
            let s = result.scores[i], r = result.rawScores[i], a = result.isAnomaly[i]
            switch format {
            case .csv: out += "\(i),\(s),\(r),\(a)\n"
            case .json: out += "{\"index\":\(i),\"score\":\(s),\"raw_score\":\(r),\"is_anomaly\":\(a)}\n"
            }
            if out.utf8.count > 1 << 20 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
