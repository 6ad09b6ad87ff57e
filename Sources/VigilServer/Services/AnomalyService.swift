import Foundation
import VigilCore
import VigilFeatures
import VigilStore

/// The batch anomaly API over the model registry: fit persists a new version, score and detect
/// load versions through the model cache, models can be listed, loaded and deleted.
struct AnomalyService: Sendable {
    /// Where versions are stored.
    let registry: any ModelRegistry
    /// Decoded models shared by all requests.
    let cache: ModelCache
    /// Describes the store in `saved_path`/`path` fields, e.g. the SQLite file.
    let storeLocation: String
    /// Most rows one request may carry.
    let maxRows: Int
    /// Where scored and flagged rows are counted.
    let scoreMetrics: ScoreMetrics
    /// Where scored rows are compared with each model's training data.
    let drift: DriftMonitor
    /// Where flagged rows become findings.
    let findings: FindingsRecorder
    /// Bounds the fits running at once.
    var fitGate = FitGate(limit: ProcessInfo.processInfo.activeProcessorCount)
    /// Seed every fit uses (scikit-learn's and LlamaFarm's `random_state=42`).
    static let seed: UInt64 = 42
    /// Batches at most this many values are scored on the calling task; larger ones off the loop.
    static let inlineScoreValues = 4_096

    /// Extension of the `filename` the API shows for a stored version.
    static let fileExtension = ".vigil"

    // MARK: fit

    /// The detector settings a fit request asks for (``BackendSettings``), checked: a bad
    /// `epochs`/`batch_size`/`hidden_neurons` is a 400 naming it.
    static func settings(for backend: Backend, request: FitRequest, contamination: Double) throws -> DetectorSettings {
        try checkNetworkSize(request)
        let settings = BackendSettings.settings(for: backend, contamination: contamination, epochs: request.epochs,
                                                batchSize: request.batchSize, hiddenNeurons: request.hiddenNeurons)
        try settings.validate()
        return settings
    }

    /// Fits `request.backend` on the rows (robust-scaled, records encoded with the schema) and
    /// stores a new version (`overwrite` replaces the newest version of the name).
    func fit(_ request: FitRequest) async throws -> FitResponse {
        let backend = try AnomalyFields.backend(request.backend)
        let normalization = try AnomalyFields.normalization(request.normalization)
        let contamination = try AnomalyFields.contamination(request.contamination)
        try checkCount(request.data)
        let started = ContinuousClock.now
        let rows = request.data, schema = request.schema
        if case .records = rows, schema == nil {
            throw ServiceError.badRequest(
                "Schema is required when fitting with dict-based data. Example: schema = {'time_ms': 'numeric', 'user_agent': 'hash'}")
        }
        let settings = try Self.settings(for: backend, request: request, contamination: contamination)
        let schemaText = try schema.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let gate = fitGate
        try gate.enter()
        let (model, pipeline, new) = try await OffLoop.run { () throws -> (AnomalyModel, FeaturePipeline, NewModelVersion) in
            // Held until the computation ends, also when the request was abandoned at its deadline.
            defer { gate.leave() }
            let pipeline: FeaturePipeline
            let prepared: Matrix
            switch rows {
            case .numeric(let x):
                pipeline = try FeaturePipeline.fit(x, scaler: .robust)
                prepared = try pipeline.transform(x)
            case .records(let records):
                // Checked above: records come with a schema.
                guard let schema else { throw ServiceError.badRequest("schema is required for object rows") }
                pipeline = try FeaturePipeline.fit(records: records, schema: schema, scaler: .robust)
                prepared = try pipeline.transform(records: records)
            }
            let (model, _) = try AnomalyModel.fit(prepared, featureNames: pipeline.featureNames, settings: settings,
                                                  normalization: normalization, contamination: contamination, seed: Self.seed)
            let new = try NewModelVersion(name: request.model, model: model, pipeline: pipeline, schema: schemaText,
                                          description: request.description)
            return (model, pipeline, new)
        }
        let saved = try await registry.save(new, overwrite: request.overwrite)
        cache.insert(LoadedModel(version: saved, model: model, pipeline: pipeline))
        let elapsed = ContinuousClock.now - started
        return FitResponse(
            model: saved.version, backend: backend.rawValue, samplesFitted: rows.count,
            trainingTimeMs: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
            modelParams: .init(backend: backend.rawValue, contamination: contamination,
                               threshold: model.calibrator.threshold, inputDim: model.featureNames.count),
            encoder: OrNull(schema.map { FitResponse.EncoderInfo(schema: $0, features: $0.orderedNames) }),
            savedPath: path(of: saved), baseName: request.model, versionedName: saved.version, overwrite: request.overwrite)
    }

    /// Most autoencoder epochs one fit may ask for: bounds how long a request can hold a core.
    static let maxEpochs = 1000
    /// Most encoder layers, and units per layer, one fit may ask for: bounds its memory and time.
    static let maxHiddenLayers = 8, maxHiddenWidth = 1024

    /// 422 naming the field when `epochs` or `hidden_neurons` ask for more than the service fits.
    static func checkNetworkSize(_ request: FitRequest) throws {
        if request.epochs > maxEpochs {
            throw ServiceError.validation([.atMost([.key("epochs")], "\(maxEpochs)", input: Double(request.epochs))])
        }
        guard let hidden = request.hiddenNeurons else { return }
        if hidden.count > maxHiddenLayers {
            throw ServiceError.validation([.tooLong([.key("hidden_neurons")], limit: maxHiddenLayers)])
        }
        if let i = hidden.firstIndex(where: { $0 > maxHiddenWidth }) {
            throw ServiceError.validation([.atMost([.key("hidden_neurons"), .index(i)], "\(maxHiddenWidth)",
                                                   input: Double(hidden[i]))])
        }
    }

    // MARK: score and detect

    /// Scores every row with the version `request.model` names (with `explain`, each row's
    /// per-feature contributions too).
    func score(_ request: ScoreRequest) async throws -> ScoreResponse {
        let (loaded, scores, explanations) = try await scored(
            request, source: .score, notFitted: "Model not fitted. Call /v1/anomaly/fit first or load a pre-trained model.")
        let rows = (0..<scores.scores.count).map { i in
            ScoredRow(index: i, score: scores.scores[i], isAnomaly: scores.isAnomaly[i], rawScore: scores.rawScores[i],
                      explanation: explanations?[i])
        }
        let flagged = scores.isAnomaly.reduce(0) { $0 + ($1 ? 1 : 0) }
        return ScoreResponse(
            data: rows, totalCount: rows.count, model: loaded.version.version, backend: loaded.version.backend,
            summary: ScoreSummary(totalPoints: rows.count, anomalyCount: flagged,
                           anomalyRate: rows.isEmpty ? 0 : Double(flagged) / Double(rows.count), threshold: scores.threshold))
    }

    /// The rows the version `request.model` names flags, with their positions in the request.
    func detect(_ request: ScoreRequest) async throws -> DetectResponse {
        let (loaded, scores, explanations) = try await scored(request, source: .detect, notFitted: "Model not fitted. Call /v1/anomaly/fit first.",
                                                              explainFlaggedOnly: true)
        let rows = scores.isAnomaly.indices.filter { scores.isAnomaly[$0] }.map { i in
            DetectedRow(index: i, score: scores.scores[i], rawScore: scores.rawScores[i], explanation: explanations?[i])
        }
        return DetectResponse(data: rows, totalCount: rows.count, model: loaded.version.version, backend: loaded.version.backend,
                              summary: DetectSummary(anomaliesDetected: rows.count, threshold: scores.threshold))
    }

    /// Scores the request's rows; with `explain`, also explains them (only the flagged ones when
    /// `explainFlaggedOnly`; the others' entries are `nil`).
    private func scored(_ request: ScoreRequest, source: FindingsRecorder.Source, notFitted: String, explainFlaggedOnly: Bool = false) async throws
        -> (LoadedModel, AnomalyModel.Scores, [RowExplanation?]?) {
        let started = ContinuousClock.now
        let backend = try AnomalyFields.backend(request.backend)
        let normalization = try AnomalyFields.normalization(request.normalization)
        let threshold = try AnomalyFields.threshold(request.threshold)
        let topK = try ExplainFields.topK(request.topK)
        if request.explain { try ExplainFields.requireExplainable(backend) }
        try checkCount(request.data)
        let loaded: LoadedModel
        do {
            loaded = try await cache.model(request.model, backend: backend.rawValue, registry: registry)
        } catch RegistryError.notFound {
            throw ServiceError.badRequest(notFitted)
        }
        // Normalization is part of a model's identity, as in LlamaFarm's cache key.
        guard loaded.version.normalization == normalization.rawValue else { throw ServiceError.badRequest(notFitted) }
        let rows = request.data
        if case .records = rows, loaded.pipeline?.encoder == nil {
            throw ServiceError.badRequest("No encoder found for model 'anomaly:\(backend.rawValue):\(normalization.rawValue):\(request.model)'. "
                                          + "Train with /v1/anomaly/fit using dict data first, or pass schema.")
        }
        let explain = request.explain
        let work: @Sendable () throws -> (AnomalyModel.Scores, Matrix, [RowExplanation?]?) = {
            // `inputs`: the columns as sent (encoded, not scaled), shown beside each contribution.
            let inputs: Matrix, x: Matrix
            switch rows {
            case .numeric(let m):
                inputs = m
                x = try loaded.pipeline?.transform(m) ?? m
            case .records(let r):
                inputs = try loaded.pipeline?.encode(records: r) ?? Matrix(rows: 0, cols: 0, values: [])
                x = try loaded.pipeline.map { try $0.scaler.transform(inputs) } ?? inputs
            }
            let scores = try loaded.model.score(x, threshold: threshold)
            guard explain else { return (scores, x, nil) }
            let chosen = explainFlaggedOnly ? scores.isAnomaly.indices.filter { scores.isAnomaly[$0] } : Array(0..<x.rows)
            var explanations = [RowExplanation?](repeating: nil, count: x.rows)
            if !chosen.isEmpty {
                let attributions = try loaded.model.explain(x.selectingRows(chosen))
                let shown = RowExplanation.rows(attributions, inputs: inputs.selectingRows(chosen),
                                                featureNames: loaded.model.featureNames, topK: topK)
                for (k, r) in chosen.enumerated() { explanations[r] = shown[k] }
            }
            return (scores, x, explanations)
        }
        let size = rows.count * max(loaded.model.featureNames.count, 1)
        let (scores, x, explanations) = size <= Self.inlineScoreValues && !explain ? try work() : try await OffLoop.run(work)
        try scores.requireFinite()
        scoreMetrics.record(model: loaded.version.name, trainingRate: loaded.version.trainingAnomalyRate, flagged: scores.isAnomaly)
        drift.record(model: loaded.version.name, version: loaded.version.version, model: loaded.model, x: x,
                     rawScores: scores.rawScores, flagged: scores.isAnomaly)
        findings.record(source: source, model: loaded.version.name, version: loaded.version.version, scores: scores,
                        explanations: explanations, latencySeconds: started.secondsUntilNow)
        return (loaded, scores, explanations)
    }

    // MARK: save, load, list, delete

    /// Confirms that the version exists (fit already stored it) and says where it lives.
    func save(_ request: SaveRequest) async throws -> SaveResponse {
        let backend = try AnomalyFields.backend(request.backend)
        let normalization = try AnomalyFields.normalization(request.normalization)
        let missing = ServiceError.notFound(
            "Model '\(request.model)' with backend '\(backend.rawValue)' and normalization '\(normalization.rawValue)' not found in cache. "
                + "Fit the model first with /v1/anomaly/fit")
        let loaded: LoadedModel
        do {
            loaded = try await cache.model(request.model, backend: backend.rawValue, registry: registry)
        } catch RegistryError.notFound {
            throw missing
        }
        guard loaded.version.normalization == normalization.rawValue else { throw missing }
        let path = path(of: loaded.version)
        return SaveResponse(model: loaded.version.version, backend: backend.rawValue, filename: Self.filename(of: loaded.version),
                            path: path, encoderPath: OrNull(loaded.pipeline?.encoder == nil ? nil : path))
    }

    /// Loads the version into the cache and describes it.
    func load(_ request: LoadRequest) async throws -> LoadResponse {
        let backend = try AnomalyFields.backend(request.backend)
        let loaded: LoadedModel
        do {
            loaded = try await cache.model(request.model, backend: backend.rawValue, registry: registry)
        } catch RegistryError.notFound {
            let available = try await registry.list(name: nil, backend: nil).map(Self.filename(of:))
            throw ServiceError.notFound("Model '\(request.model)' with backend '\(backend.rawValue)' not found. "
                                        + "Available models: [\(available.map { "'\($0)'" }.joined(separator: ", "))]")
        }
        let encoder = loaded.pipeline?.encoder
        return LoadResponse(model: loaded.version.version, backend: loaded.version.backend,
                            normalization: loaded.version.normalization, filename: Self.filename(of: loaded.version),
                            threshold: loaded.model.calibrator.threshold, encoderLoaded: encoder != nil,
                            encoderSchema: OrNull(encoder.map { LoadResponse.EncoderSchema(features: $0.schema) }))
    }

    /// Every stored version, newest first.
    func list() async throws -> ModelListResponse {
        let iso = ISO8601DateFormatter()
        let items = try await registry.list(name: nil, backend: nil).map { v in
            ModelListItem(name: v.version, filename: Self.filename(of: v), baseName: v.name, backend: v.backend, path: path(of: v),
                          sizeBytes: v.sizeBytes, created: iso.string(from: v.createdAt), isVersioned: v.version != v.name,
                          description: v.description)
        }
        return ModelListResponse(total: items.count, data: items)
    }

    /// Deletes the version a `filename` from the list names (`{version}_{backend}.vigil`, or the
    /// bare version id).
    func delete(filename: String) async throws -> DeleteModelResponse {
        guard !filename.isEmpty, !filename.contains("/"), !filename.contains("\\"), !filename.contains("..") else {
            throw ServiceError.badRequest("Invalid filename: \(filename)")
        }
        var version = filename.hasSuffix(Self.fileExtension) ? String(filename.dropLast(Self.fileExtension.count)) : filename
        if let backend = Backend.allCases.first(where: { version.hasSuffix("_" + $0.rawValue) }), version != filename {
            version = String(version.dropLast(backend.rawValue.count + 1))
        }
        do {
            try await registry.delete(version: version)
        } catch RegistryError.notFound, RegistryError.invalidName {
            throw ServiceError.notFound("Model file not found: \(filename)")
        }
        cache.invalidate(RegistryChange(kind: .deleted, name: version, version: version))
        return DeleteModelResponse(filename: filename)
    }

    /// The backends Vigil has.
    func backends() -> BackendListResponse {
        let entries = BackendCatalog.entries
        let present = Set(entries.map(\.category))
        return BackendListResponse(total: entries.count, categories: BackendCatalog.categoryOrder.filter(present.contains), data: entries)
    }

    // MARK: helpers

    private func checkCount(_ rows: Rows) throws {
        guard rows.count > 0 else { throw ServiceError.badRequest("data is empty: send at least one row") }
        guard rows.count <= maxRows else { throw ServiceError.tooManyRows(count: rows.count, limit: maxRows) }
    }

    /// The name the API gives a stored version's "file".
    static func filename(of version: ModelVersion) -> String {
        "\(version.version)_\(version.backend)\(fileExtension)"
    }

    private func path(of version: ModelVersion) -> String {
        "\(storeLocation)#\(version.version)"
    }
}

extension AnomalyModel.Scores {
    /// Throws a 400 naming the first row whose score (or raw score, when the answer carries it) is
    /// not finite: values far enough from the training data overflow a detector's distances, and
    /// JSON has no infinity.
    func requireFinite(includingRaw: Bool = true) throws {
        for i in scores.indices where !scores[i].isFinite || (includingRaw && !rawScores[i].isFinite) {
            let value = scores[i].isFinite ? rawScores[i] : scores[i]
            throw ServiceError.badRequest("row \(i): the model's score is \(value), not a finite number: "
                                          + "its values are too far from the training data for this detector")
        }
    }
}

extension AnomalyService {
    /// The drift figures of the model named `name` (its base name): 404 when the registry has no
    /// version of it and nothing of that name was scored.
    func drift(model name: String) async throws -> DriftResponse {
        let tracked = drift.status(model: name)
        var trainingRate = 0.0
        if tracked == nil {
            let versions: [ModelVersion]
            do {
                versions = try await registry.list(name: name, backend: nil)
            } catch RegistryError.invalidName {
                versions = []
            }
            guard let newest = versions.first else {
                throw ServiceError.notFound("Model '\(name)' not found: no stored version and no scored rows of that name")
            }
            trainingRate = newest.trainingAnomalyRate
        }
        return DriftResponse(model: name, tracked: tracked, settings: drift.settings, trainingAnomalyRate: trainingRate)
    }
}
