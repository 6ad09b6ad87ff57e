import VigilCore
import VigilFeatures
import VigilStore

/// The seeds' one-record shapes, `POST /predict_<backend>`: one JSON object of features scored
/// with the newest model of that backend (or the one `?model=` names).
struct PredictService: Sendable {
    let registry: any ModelRegistry
    let cache: ModelCache
    /// Where scored and flagged rows are counted.
    let scoreMetrics: ScoreMetrics
    /// Where scored rows are compared with each model's training data.
    let drift: DriftMonitor
    /// Where flagged rows become findings.
    let findings: FindingsRecorder

    /// `{"is_anomaly", "score", "model"}` for one record.
    func predict(backend name: String, record: Record, model reference: String?) async throws -> PredictResponse {
        let started = ContinuousClock.now
        guard let backend = Backend(rawValue: name) else {
            throw ServiceError.notFound("No \(name) model: this Vigil has no '\(name)' backend "
                                        + "(available: \(Backend.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let chosen: String
        if let reference {
            chosen = reference
        } else if let newest = try await registry.list(name: nil, backend: backend.rawValue).first {
            chosen = newest.version
        } else {
            throw ServiceError.notFound("No \(backend.rawValue) model has been fitted yet: fit one with POST /v1/ml/anomaly/fit")
        }
        let loaded: LoadedModel
        do {
            loaded = try await cache.model(chosen, backend: backend.rawValue, registry: registry)
        } catch RegistryError.notFound {
            throw ServiceError.notFound("Model '\(chosen)' with backend '\(backend.rawValue)' not found")
        }
        // Models stored without a pipeline (CLI fits) read the record's fields by feature name.
        let names = loaded.model.featureNames
        let pipeline = loaded.pipeline ?? FeaturePipeline(
            encoder: nil, scaler: Scaler(kind: .none, center: names.map { _ in 0 }, scale: names.map { _ in 1 }), featureNames: names)
        let x = try pipeline.transform(records: [record])
        let scores = try loaded.model.score(x)
        try scores.requireFinite(includingRaw: false)  // the answer carries only the score
        scoreMetrics.record(model: loaded.version.name, trainingRate: loaded.version.trainingAnomalyRate, flagged: scores.isAnomaly)
        drift.record(model: loaded.version.name, version: loaded.version.version, model: loaded.model, x: x,
                     rawScores: scores.rawScores, flagged: scores.isAnomaly)
        findings.record(source: .predict, model: loaded.version.name, version: loaded.version.version, scores: scores,
                        latencySeconds: started.secondsUntilNow)
        return PredictResponse(isAnomaly: scores.isAnomaly[0], score: scores.scores[0], model: loaded.version.version)
    }
}
