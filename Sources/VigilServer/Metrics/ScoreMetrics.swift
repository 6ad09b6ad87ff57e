import Foundation
import Prometheus

/// What the detectors decide, per model: rows scored and flagged, the live anomaly rate beside the
/// rate seen in training, and streaming retrains. Batch routes and streaming both report here;
/// `model` is always the base name (`ModelVersion.name`), never a per-fit version id, so each
/// model has one series however often it is refitted.
public final class ScoreMetrics: Sendable {
    /// Rows the live anomaly rate looks back over unless told otherwise.
    public static let defaultWindow = 1_000
    /// Retrain-duration buckets in seconds: a small refit takes well under a second, a large
    /// autoencoder minutes.
    static let retrainBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

    private let models: SeriesCache<String, ModelSeries>
    private let retrains: SeriesCache<String, RetrainSeries>

    /// Metrics registered in `registry`, the live rate over the last `window` rows of each model.
    init(registry: PrometheusCollectorRegistry, window: Int = ScoreMetrics.defaultWindow) {
        models = SeriesCache { model in ModelSeries(registry: registry, model: model, window: window) }
        retrains = SeriesCache { model in
            let labels = [("model", model)]
            return RetrainSeries(
                count: registry.makeCounter(descriptor: MetricNames.streamRetrains, labels: labels),
                duration: registry.makeValueHistogram(descriptor: MetricNames.streamRetrainDuration, labels: labels,
                                                      buckets: ScoreMetrics.retrainBuckets))
        }
    }

    /// Records one scored batch (or one streamed event) of `model`: `flagged` holds one flag per row
    /// scored, `true` where the row was flagged; `trainingRate` is the version's
    /// `trainingAnomalyRate`. Adds to `vigil_scores_total` and `vigil_anomalies_total`, and sets
    /// `vigil_anomaly_rate` (over the last rows of the window) and `vigil_training_anomaly_rate`.
    public func record(model: String, trainingRate: Double, flagged: some Collection<Bool>) {
        guard !flagged.isEmpty else { return }
        models[model].record(trainingRate: trainingRate, flagged: flagged)
    }

    /// Records one streaming retrain of `model` that took `seconds`: adds to
    /// `vigil_stream_retrains_total` and `vigil_stream_retrain_duration_seconds`.
    public func recordRetrain(model: String, seconds: Double) {
        let series = retrains[model]
        series.count.increment()
        series.duration.record(seconds)
    }
}

/// The handles of one model's score series and its live-rate window.
private final class ModelSeries: @unchecked Sendable {
    let scores: Counter
    let anomalies: Counter
    let liveRate: Gauge
    let trainingRate: Gauge
    private let lock = NSLock()
    private var window: RecentRate

    /// Registers the series labelled `model` in `registry`.
    init(registry: PrometheusCollectorRegistry, model: String, window: Int) {
        let labels = [("model", model)]
        scores = registry.makeCounter(descriptor: MetricNames.scores, labels: labels)
        anomalies = registry.makeCounter(descriptor: MetricNames.anomalies, labels: labels)
        liveRate = registry.makeGauge(descriptor: MetricNames.anomalyRate, labels: labels)
        trainingRate = registry.makeGauge(descriptor: MetricNames.trainingAnomalyRate, labels: labels)
        self.window = RecentRate(capacity: window)
    }

    /// Counts the rows, slides the window over them and publishes both rates.
    func record(trainingRate rate: Double, flagged: some Collection<Bool>) {
        var flaggedCount: Int64 = 0
        for flag in flagged where flag { flaggedCount += 1 }
        scores.increment(by: Int64(flagged.count))
        anomalies.increment(by: flaggedCount)
        trainingRate.set(rate)
        // The gauge is set under the lock so that concurrent batches publish in window order.
        lock.withLock {
            window.add(flagged)
            liveRate.set(window.rate)
        }
    }
}

/// The handles of one model's retrain series.
private struct RetrainSeries: Sendable {
    let count: Counter
    let duration: ValueHistogram
}
