import Foundation
import NIOCore
import Prometheus

/// Every metric `vigil serve` exports at `GET /metrics`, kept in a Prometheus registry this object
/// owns (one per application, so several applications in one process never share counts):
///
/// - `vigil_http_requests_total{route,method,status}` (counter): requests answered. `route` is the
///   route template (`/v1/ml/polars/buffers/{id}`), or `unmatched` when no route matched.
/// - `vigil_http_request_duration_seconds{route,method}` (histogram): time to answer a request,
///   buckets from 100 µs to 10 s.
/// - `vigil_scores_total{model}` (counter): rows scored, by model base name.
/// - `vigil_anomalies_total{model}` (counter): rows flagged, by model base name.
/// - `vigil_anomaly_rate{model}` (gauge): flagged share of the model's last 1,000 scored rows
///   (the drift window).
/// - `vigil_training_anomaly_rate{model}` (gauge): flagged share of the training rows at fit, for
///   the version scored last; alert when the live rate drifts away from it.
/// - `vigil_stream_retrains_total{model}` (counter): streaming retrains completed.
/// - `vigil_stream_retrain_duration_seconds{model}` (histogram): time one retrain took, 10 ms to 10 min.
/// - `vigil_model_feature_psi{model,feature}`, `vigil_model_score_psi{model}` (gauges): population
///   stability index of each feature and of the raw score over the model's drift window against
///   its training histograms; `vigil_model_drift_rows{model}` (gauge) rows in that window;
///   `vigil_model_drifting{model}` (gauge) 1 when past a drift limit (see ``DriftMonitor``).
/// - `vigil_registry_errors_total{operation}` (counter): registry failures (unreachable store,
///   newer schema, checksum mismatch) met while serving; `operation` is the route template of the
///   request that met one (`/readyz` for readiness probes).
public final class ServiceMetrics: Sendable {
    /// Request-duration buckets in seconds: a warm score answers in well under a millisecond, a
    /// large fit in seconds.
    static let requestBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                           1, 2.5, 5, 10]
    /// The `route` label of requests no route matched.
    static let unmatchedRoute = "unmatched"

    /// The registry the metrics live in, written out by ``exposition()``.
    public let registry: PrometheusCollectorRegistry
    /// Per-model score, anomaly and retrain metrics; batch routes and streaming report here.
    public let scores: ScoreMetrics
    /// Per-model drift figures; batch routes and streaming report here.
    public let drift: DriftMonitor
    private let requests: SeriesCache<RequestKey, RequestSeries>
    private let registryErrors: SeriesCache<String, Counter>
    /// `vigil_findings_dropped_total`.
    private let findingsDropped: Counter

    /// Metrics in a registry of their own; the live anomaly rate and drift figures cover
    /// `drift.window` rows per model.
    public init(drift settings: DriftSettings = DriftSettings()) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        scores = ScoreMetrics(registry: registry, window: settings.window)
        drift = DriftMonitor(registry: registry, settings: settings)
        requests = SeriesCache { key in
            let route = ("route", key.route), method = ("method", key.method)
            return RequestSeries(
                count: registry.makeCounter(descriptor: MetricNames.httpRequests, labels: [route, method, ("status", String(key.status))]),
                duration: registry.makeValueHistogram(descriptor: MetricNames.httpRequestDuration, labels: [route, method],
                                                      buckets: ServiceMetrics.requestBuckets))
        }
        registryErrors = SeriesCache { operation in
            registry.makeCounter(descriptor: MetricNames.registryErrors, labels: [("operation", operation)])
        }
        findingsDropped = registry.makeCounter(descriptor: MetricNames.findingsDropped)
    }

    /// The `route` label for a request whose matched route template is `endpointPath`:
    /// the template itself, or `unmatched` (Hummingbird marks unmatched requests with a name
    /// that is not a path).
    static func routeLabel(_ endpointPath: String?) -> String {
        guard let endpointPath, endpointPath.hasPrefix("/") else { return unmatchedRoute }
        return endpointPath
    }

    /// Counts one answered request and its duration.
    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        let series = requests[RequestKey(route: route, method: method, status: status)]
        series.count.increment()
        series.duration.record(seconds)
    }

    /// Counts one registry failure met by `operation`.
    func recordRegistryError(operation: String) {
        registryErrors[operation].increment()
    }

    /// Counts findings dropped because the queue was full while the registry did not take them.
    func recordFindingsDropped(_ count: Int) {
        findingsDropped.increment(by: Int64(count))
    }

    /// Every metric in Prometheus' text exposition format, version 0.0.4.
    func exposition() -> ByteBuffer {
        drift.publish()
        return ByteBuffer(bytes: registry.emitToBuffer())
    }
}

/// The label values of one request series.
private struct RequestKey: Hashable, Sendable {
    let route: String
    let method: String
    let status: Int
}

/// The handles of one request series: its counter, and the duration histogram it shares with the
/// other statuses of its route and method.
private struct RequestSeries: Sendable {
    let count: Counter
    let duration: ValueHistogram
}
