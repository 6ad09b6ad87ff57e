import ArgumentParser
import VigilCore
import VigilFeatures
import VigilStore

/// `vigil fit`: fits one detector on a data file and writes a model file and/or a registry version.
struct FitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Fit a detector on a CSV or .npz file and save the model.")

    @Option(help: "Training data: CSV with a header, or .npz with X (and y).")
    var data: String

    @Option(help: "CSV column holding 0/1 labels, kept out of the features.")
    var label: String?

    @Option(help: "Detector: \(Backend.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend: String = Backend.isolationForest.rawValue

    @Option(help: "Expected share of anomalies in the training data, in (0, 0.5].")
    var contamination: Double = 0.1

    @Option(help: "Score scale: standardization, zscore or raw.")
    var normalization: String = Normalization.standardization.rawValue

    @Option(help: "Random seed (same data + seed → same model).")
    var seed: UInt64 = 42

    @Option(help: "Where to write the model file.")
    var out: String?

    @Option(help: "Save into the model registry as a new version of this name.")
    var save: String?

    @Flag(help: "With --save: replace the newest version of the name instead of adding one.")
    var overwrite = false

    @Option(help: "With --save: a description stored with the version.")
    var description: String?

    @OptionGroup var registry: RegistryOptions

    @OptionGroup var compute: ComputeOptions

    func run() async throws {
        guard out != nil || save != nil else { throw CLIError("give --out FILE, --save NAME, or both") }
        try compute.apply()
        let backend = try Backend(validating: backend)
        let normalization = try Normalization(validating: normalization)
        try Calibrator.validate(contamination: contamination)
        let dataset = try DataLoading.load(data, label: label)
        Progress.say("fitting \(backend.rawValue) on \(dataset.features.rows) × \(dataset.features.cols)")
        let (fitted, seconds) = try Progress.timed {
            try AnomalyModel.fit(
                dataset.features, featureNames: dataset.featureNames,
                settings: .defaults(for: backend), normalization: normalization,
                contamination: contamination, seed: seed)
        }
        var destinations = [String]()
        if let out {
            try ModelFile.write(fitted.model, to: out)
            destinations.append(out)
        }
        if let save {
            var metrics = [String: Double]()
            // Training-set ROC AUC when labels were given (undefined, and left out, with one class only).
            if let labels = dataset.labels, let auc = try? Metrics.rocAUC(labels: labels, scores: fitted.trainingRawScores) {
                metrics["roc_auc"] = auc
            }
            let new = try NewModelVersion(name: save, model: fitted.model, metrics: metrics, description: description)
            let version = try await registry.with { try await $0.save(new, overwrite: overwrite) }
            destinations.append("version \(version.version)")
        }
        let c = fitted.model.calibrator
        print("fitted \(backend.rawValue) on \(dataset.features.rows) rows × \(dataset.features.cols) features in \(String(format: "%.3f", seconds)) s; "
            + "threshold \(c.threshold) (\(normalization.rawValue)), training anomaly rate \(String(format: "%.4f", c.trainingAnomalyRate)); saved \(destinations.joined(separator: " and "))")
    }
}
