import Foundation
import Prometheus
import VigilCore

/// Watches every served model for drift: for each model (by base name), the live anomaly rate and
/// each feature's PSI against the training histograms of the version scored last, over a sliding
/// window of scored rows. Batch routes and streaming report here. Scoring another version of a
/// name starts that name's window afresh.
///
/// Exported on `/metrics` (refreshed when scraped): `vigil_model_feature_psi{model,feature}`,
/// `vigil_model_score_psi{model}`, `vigil_model_drift_rows{model}` and `vigil_model_drifting{model}`
/// (1 when past a limit of `DriftSettings`, else 0).
public final class DriftMonitor: @unchecked Sendable {
    /// The limits and the window.
    public let settings: DriftSettings
    private let registry: PrometheusCollectorRegistry
    private let lock = NSLock()
    private var models = [String: TrackedModel]()

    /// A monitor whose gauges live in `registry`.
    init(registry: PrometheusCollectorRegistry, settings: DriftSettings) {
        self.registry = registry
        self.settings = settings
    }

    /// One model's window and its gauges.
    private final class TrackedModel: @unchecked Sendable {
        let lock = NSLock()
        let name: String
        var version: String
        var featureNames: [String]
        var trainingRate: Double
        var window: DriftWindow
        var featureGauges: [Gauge] = []
        let scoreGauge: Gauge
        let rowsGauge: Gauge
        let driftingGauge: Gauge

        init(name: String, version: String, featureNames: [String], trainingRate: Double, window: DriftWindow,
             scoreGauge: Gauge, rowsGauge: Gauge, driftingGauge: Gauge) {
            self.name = name
            self.version = version
            self.featureNames = featureNames
            self.trainingRate = trainingRate
            self.window = window
            self.scoreGauge = scoreGauge
            self.rowsGauge = rowsGauge
            self.driftingGauge = driftingGauge
        }
    }

    /// Records a scored batch of `model` (base name) version `version`: `x` the detector's input
    /// columns, with each row's raw score and flag.
    public func record(model name: String, version: String, model: AnomalyModel, x: Matrix, rawScores: [Double], flagged: [Bool]) {
        guard x.rows > 0 else { return }
        let tracked = self.tracked(name)
        tracked.lock.withLock {
            if tracked.version != version {
                restart(tracked, version: version, model: model)
            }
            for r in 0..<x.rows {
                tracked.window.add(x, row: r, rawScore: rawScores[r], flagged: flagged[r])
            }
        }
    }

    /// The figures of `model` (base name), or `nil` when none of its rows was scored since start.
    func status(model name: String) -> (version: String, featureNames: [String], status: DriftStatus)? {
        guard let tracked = lock.withLock({ models[name] }) else { return nil }
        return tracked.lock.withLock {
            (tracked.version, tracked.featureNames, tracked.window.status(trainingRate: tracked.trainingRate, settings: settings))
        }
    }

    /// Whether `model` is drifting now.
    func isDrifting(model name: String) -> Bool {
        status(model: name)?.status.drifting ?? false
    }

    /// Sets every model's gauges from its window (called before `/metrics` is written).
    func publish() {
        for (_, tracked) in lock.withLock({ Array(models) }) {
            tracked.lock.withLock {
                let status = tracked.window.status(trainingRate: tracked.trainingRate, settings: settings)
                for (j, gauge) in tracked.featureGauges.enumerated() where j < status.featurePSI.count {
                    gauge.set(status.featurePSI[j])
                }
                tracked.scoreGauge.set(status.scorePSI ?? 0.0)
                tracked.rowsGauge.set(Double(status.rows))
                tracked.driftingGauge.set(status.drifting ? 1.0 : 0.0)
            }
        }
    }

    private func tracked(_ name: String) -> TrackedModel {
        lock.withLock {
            if let known = models[name] { return known }
            let labels = [("model", name)]
            let made = TrackedModel(
                name: name, version: "", featureNames: [], trainingRate: 0, window: DriftWindow(reference: nil, capacity: settings.window),
                scoreGauge: registry.makeGauge(descriptor: MetricNames.scorePSI, labels: labels),
                rowsGauge: registry.makeGauge(descriptor: MetricNames.driftRows, labels: labels),
                driftingGauge: registry.makeGauge(descriptor: MetricNames.drifting, labels: labels))
            models[name] = made
            return made
        }
    }

    /// Starts `tracked` afresh for `version`; feature gauges follow the version's feature names.
    private func restart(_ tracked: TrackedModel, version: String, model: AnomalyModel) {
        tracked.version = version
        tracked.trainingRate = model.calibrator.trainingAnomalyRate
        tracked.window = DriftWindow(reference: model.drift, capacity: settings.window)
        let names = tracked.window.reference == nil ? [] : model.featureNames
        if names != tracked.featureNames {
            for gauge in tracked.featureGauges { registry.unregisterGauge(gauge) }
            tracked.featureGauges = names.map { feature in
                registry.makeGauge(descriptor: MetricNames.featurePSI, labels: [("model", tracked.name), ("feature", feature)])
            }
            tracked.featureNames = names
        }
    }
}
