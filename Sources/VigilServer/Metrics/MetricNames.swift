import Prometheus

/// The name and help text of every metric Vigil exports (see ``ServiceMetrics`` for the list).
/// One place, because the Prometheus registry insists that a name always comes with the same help.
enum MetricNames {
    /// `vigil_http_requests_total{route,method,status}`.
    static var httpRequests: MetricNameDescriptor {
        counter("http_requests", "HTTP requests answered, by route template, method and status code.")
    }
    /// `vigil_http_request_duration_seconds{route,method}`.
    static var httpRequestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "vigil", metricName: "http_request_duration", unitName: "seconds",
            helpText: "Time from receiving an HTTP request to having its answer, by route template and method.")
    }
    /// `vigil_scores_total{model}`.
    static var scores: MetricNameDescriptor {
        counter("scores", "Rows scored, by model base name.")
    }
    /// `vigil_anomalies_total{model}`.
    static var anomalies: MetricNameDescriptor {
        counter("anomalies", "Rows flagged as anomalous, by model base name.")
    }
    /// `vigil_anomaly_rate{model}`.
    static var anomalyRate: MetricNameDescriptor {
        gauge("anomaly_rate", "Share of the model's most recently scored rows that were flagged.")
    }
    /// `vigil_training_anomaly_rate{model}`.
    static var trainingAnomalyRate: MetricNameDescriptor {
        gauge("training_anomaly_rate", "Share of its training rows the model's most recently scored version flagged at fit.")
    }
    /// `vigil_stream_retrains_total{model}`.
    static var streamRetrains: MetricNameDescriptor {
        counter("stream_retrains", "Streaming retrains completed, by model base name.")
    }
    /// `vigil_stream_retrain_duration_seconds{model}`.
    static var streamRetrainDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "vigil", metricName: "stream_retrain_duration", unitName: "seconds",
            helpText: "Time one streaming retrain took, by model base name.")
    }
    /// `vigil_model_feature_psi{model,feature}`.
    static var featurePSI: MetricNameDescriptor {
        gauge("model_feature_psi", "Population stability index of a feature over the model's recent rows against its training histogram.")
    }
    /// `vigil_model_score_psi{model}`.
    static var scorePSI: MetricNameDescriptor {
        gauge("model_score_psi", "Population stability index of the raw score over the model's recent rows against training.")
    }
    /// `vigil_model_drift_rows{model}`.
    static var driftRows: MetricNameDescriptor {
        gauge("model_drift_rows", "Rows in the model's drift window.")
    }
    /// `vigil_model_drifting{model}`.
    static var drifting: MetricNameDescriptor {
        gauge("model_drifting", "1 when the model is past a drift limit (anomaly rate or PSI), else 0.")
    }
    /// `vigil_registry_errors_total{operation}`.
    static var registryErrors: MetricNameDescriptor {
        counter("registry_errors", "Model registry failures met while serving, by the route template of the request that met them.")
    }

    /// `vigil_findings_dropped_total`.
    static var findingsDropped: MetricNameDescriptor {
        counter("findings_dropped", "Findings of flagged rows dropped because the queue was full while the registry did not take them.")
    }

    /// `vigil_<name>_total` with `help`.
    private static func counter(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vigil", metricName: name, unitName: "total", helpText: help)
    }

    /// `vigil_<name>` (no unit) with `help`.
    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vigil", metricName: name, unitName: "", helpText: help)
    }
}
