import ArgumentParser
import Foundation
import VigilCore
import VigilFeatures

/// `vigil evaluate`: fits and scores on one labelled file (the unsupervised protocol) and reports
/// ROC AUC, average precision and timings per backend.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Fit and score detectors on a labelled file and report ROC AUC and timings.")

    @Option(help: "Labelled data: CSV with a header and --label, or .npz with X and y.")
    var data: String

    @Option(help: "CSV column holding 0/1 labels (default: label).")
    var label: String?

    @Option(help: "Detector name, or all.")
    var backend: String = "all"

    @Option(help: "Expected share of anomalies, in (0, 0.5]: sets the threshold for precision/recall.")
    var contamination: Double = 0.1

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Flag(help: "One JSON object per line per backend.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    @OptionGroup var autoencoder: AutoEncoderOptions

    func run() throws {
        try compute.apply()
        let backends = backend == "all" ? Backend.allCases : [try Backend(validating: backend)]
        try Calibrator.validate(contamination: contamination)
        let isNPZ = data.hasSuffix(".npz")
        let dataset = try DataLoading.load(data, label: isNPZ ? nil : (label ?? "label"))
        guard let labels = dataset.labels else {
            throw CLIError("\(data) has no labels: name the label column with --label (a .npz needs y)")
        }
        let x = dataset.features
        if !json {
            print("backend            rows     cols  roc_auc  avg_prec  precision  recall  f1      fit_s    score_s")
        }
        for b in backends {
            Progress.say("\(b.rawValue): fitting on \(x.rows) × \(x.cols)")
            let fitted: (model: AnomalyModel, trainingRawScores: [Double]), fitSeconds: Double
            do {
                (fitted, fitSeconds) = try Progress.timed {
                    try AnomalyModel.fit(x, featureNames: dataset.featureNames, settings: autoencoder.settings(for: b),
                                         normalization: .standardization, contamination: contamination, seed: seed)
                }
            } catch let error as VigilError where backends.count > 1 {
                // With --backend all, a backend that refuses this data (too many rows or features
                // for it) is reported and the others still run.
                if json {
                    let quoted = "\(error)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    print("{\"backend\":\"\(b.rawValue)\",\"error\":\"\(quoted)\"}")
                } else {
                    print(b.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0) + " refused: \(error)")
                }
                continue
            }
            Progress.say("\(b.rawValue): scoring")
            let (_, scoreSeconds) = try Progress.timed { try fitted.model.score(x) }
            // Metrics use the training scores from the fit (PyOD's decision_scores_): for the
            // neighbour detectors they leave each row out of its own neighbourhood; for the others
            // they equal the scores of the same rows.
            let training = fitted.trainingRawScores
            let auc = try Metrics.rocAUC(labels: labels, scores: training)
            let ap = try Metrics.averagePrecision(labels: labels, scores: training)
            let cut = fitted.model.calibrator.effectiveThreshold(nil)
            let flagged = fitted.model.calibrator.normalize(training).map { $0 > cut }
            let cls = try Metrics.classification(labels: labels, predicted: flagged)
            if json {
                print("{\"backend\":\"\(b.rawValue)\",\"rows\":\(x.rows),\"cols\":\(x.cols),\"roc_auc\":\(auc),"
                    + "\"average_precision\":\(ap),\"fit_seconds\":\(fitSeconds),\"score_seconds\":\(scoreSeconds),"
                    + "\"precision\":\(cls.precision),\"recall\":\(cls.recall),\"f1\":\(cls.f1)}")
            } else {
                let name = b.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
                print(name + String(format: " %-8d %-5d %.4f   %.4f    %.4f     %.4f  %.4f  %-8.3f %.3f",
                                    x.rows, x.cols, auc, ap, cls.precision, cls.recall, cls.f1,
                                    fitSeconds, scoreSeconds))
            }
        }
    }
}
