import Foundation
import Logging
import VigilCore
import VigilFeatures
import VigilStore

/// Fits a streaming detector's model on a window snapshot (replaceable in tests, e.g. by a slow one).
typealias StreamTrainer = @Sendable (_ window: Matrix, _ featureNames: [String], _ configuration: StreamConfiguration) throws -> AnomalyModel

/// The streaming API (reference §5): detectors by id, created on first use; the first fit runs
/// within the request that completes the cold start, later ones in the background. Every fitted
/// model is saved to the registry as a version named after the detector, and each detector's
/// window and counters are checkpointed there (after every fit, every few seconds while points
/// arrive, and on shutdown), so a restarted server resumes each detector where it stopped.
///
/// Replicas sharing one registry: a detector is owned by the replica that wrote its checkpoint
/// last. Checkpoints are written compare-and-swap on their stamp, and a replica checks at most once
/// per `ownershipCheck` that the stored stamp is still the one it wrote or read; when another
/// replica has written since (it took the stream over, say after this one was unreachable), this
/// replica drops its copy and continues from the stored checkpoint; when the checkpoint was deleted
/// elsewhere, it drops its copy. A replica asked for a detector it does not hold resumes it from
/// its checkpoint: that is how a stream moves to another replica when its owner dies.
final class StreamService: @unchecked Sendable {
    /// The fit every stream uses unless a test replaces it: the backend's defaults, the
    /// standardization calibrator at the request's contamination, seed 42.
    static let standardTrainer: StreamTrainer = { window, names, configuration in
        try AnomalyModel.fit(window, featureNames: names, settings: configuration.detectorSettings, normalization: .standardization,
                             contamination: configuration.contamination, seed: AnomalyService.seed).model
    }

    let registry: any ModelRegistry
    let trainer: StreamTrainer
    /// Where scored points and retrains are counted for `/metrics`.
    let scoreMetrics: ScoreMetrics
    /// Where scored points are compared with each model's training data.
    let drift: DriftMonitor
    /// Where flagged points become findings.
    let findings: FindingsRecorder
    let logger: Logger

    /// How long a detector is used without checking that no other replica took it over.
    let ownershipCheck: Duration

    /// What this replica knows of a detector's stored checkpoint.
    private struct Ownership {
        /// The stamp of the checkpoint this replica last wrote or read; `nil` before the first.
        var stamp: Int64?
        /// When the stored stamp was last seen to be `stamp`.
        var verifiedAt: ContinuousClock.Instant?
    }

    private let lock = NSLock()
    private var detectors = [String: StreamingDetector]()
    private var ownership = [String: Ownership]()
    private var fits = [UUID: Task<Void, Never>]()
    private var restoring: Task<Void, Never>?

    /// A service over `registry`; nothing is restored until the first call.
    init(registry: any ModelRegistry, trainer: @escaping StreamTrainer = StreamService.standardTrainer,
         scoreMetrics: ScoreMetrics, drift: DriftMonitor, findings: FindingsRecorder, ownershipCheck: Duration = .seconds(1),
         logger: Logger = Logger(label: "vigil.stream")) {
        self.findings = findings
        self.registry = registry
        self.trainer = trainer
        self.scoreMetrics = scoreMetrics
        self.drift = drift
        self.ownershipCheck = ownershipCheck
        self.logger = logger
    }

    // MARK: routes

    /// Feeds the points to the detector `request.model` (created with the request's settings if
    /// new); at most `maxRows` points per request.
    func stream(_ request: StreamRequest, maxRows: Int) async throws -> StreamResponse {
        guard !request.data.isEmpty else { throw ServiceError.badRequest("data is empty: send one point or a list of points") }
        guard request.data.count <= maxRows else { throw ServiceError.tooManyRows(count: request.data.count, limit: maxRows) }
        let configuration = try request.configuration()
        let topK = try ExplainFields.topK(request.topK)
        // Checked before a new detector is made with the request's backend, and again for the
        // backend of an existing one.
        if request.explain { try ExplainFields.requireExplainable(configuration.backend) }
        let detector = try await detector(request.model, configuration: configuration, firstPoint: request.data[0])
        if request.explain { try ExplainFields.requireExplainable(detector.configuration.backend) }
        let results = try await feed(request.data, to: detector, explainTopK: request.explain ? topK : nil)
        let stats = detector.stats
        return StreamResponse(model: request.model, status: stats.status, results: results, modelVersion: stats.modelVersion,
                              samplesCollected: stats.samplesCollected,
                              samplesUntilReady: stats.isReady ? 0 : max(0, stats.minSamples - stats.samplesCollected),
                              threshold: detector.configuration.threshold)
    }

    /// Runs points through a detector in order: collect, fit at the end of the cold start, score,
    /// schedule retrains (early, when drifting and `DriftSettings.retrainStreamsOnDrift`).
    /// Returns one row per point, explained with that many top features when `explainTopK` is set.
    func feed(_ points: [Record], to detector: StreamingDetector, explainTopK: Int? = nil) async throws -> [StreamedRow] {
        let threshold = detector.configuration.threshold
        var results = [StreamedRow]()
        results.reserveCapacity(points.count)
        for (i, point) in points.enumerated() {
            let intake = try detector.take(point, index: i)
            if let job = intake.firstFit {
                try await firstFit(job, of: detector)
                results.append(StreamedRow(index: i, score: nil, isAnomaly: nil, rawScore: nil, samplesUntilReady: 0))
                continue
            }
            var retrain = intake.retrain
            if let model = intake.model {
                let started = ContinuousClock.now
                let x = try Matrix(rows: 1, cols: intake.row.count, values: intake.row)
                let scored = try model.score(x, threshold: threshold)
                try scored.requireFinite()
                let explanation = try explainTopK.map { k in
                    RowExplanation.rows(try model.explain(x), inputs: x, featureNames: model.featureNames, topK: k)[0]
                }
                results.append(StreamedRow(index: i, score: scored.scores[0], isAnomaly: scored.isAnomaly[0],
                                           rawScore: scored.rawScores[0], samplesUntilReady: 0, explanation: explanation))
                scoreMetrics.record(model: detector.id, trainingRate: model.calibrator.trainingAnomalyRate, flagged: scored.isAnomaly)
                drift.record(model: detector.id, version: intake.modelIdentity, model: model, x: x,
                             rawScores: scored.rawScores, flagged: scored.isAnomaly)
                findings.record(source: .stream, model: detector.id, version: intake.modelIdentity, scores: scored,
                                explanations: explanation.map { [$0] }, rowOffset: i, latencySeconds: started.secondsUntilNow)
                if retrain == nil, drift.settings.retrainStreamsOnDrift, drift.isDrifting(model: detector.id) {
                    retrain = try detector.retrainNow()
                }
            } else {
                results.append(StreamedRow(index: i, score: nil, isAnomaly: nil, rawScore: nil,
                                           samplesUntilReady: intake.samplesUntilReady))
            }
            if let job = retrain { retrainInBackground(job, of: detector) }
        }
        return results
    }

    /// The detector `id`, created with `configuration` when there is none yet; a new detector's
    /// columns come from `firstPoint`, so one without a number is refused before it is created.
    func detector(_ id: String, configuration: StreamConfiguration, firstPoint: Record) async throws -> StreamingDetector {
        try Self.checkID(id)
        await resume()
        if let held = await current(id) { return held }
        return try lock.withLock {
            if let known = detectors[id] { return known }
            guard !StreamFeatures.numericFields(of: firstPoint).isEmpty else { throw StreamingDetector.noNumericField(index: 0) }
            let made = StreamingDetector(id: id, configuration: configuration)
            detectors[id] = made
            ownership[id] = Ownership(stamp: nil, verifiedAt: .now)
            return made
        }
    }

    /// The detector `id` as the registry has it: this replica's copy while its checkpoint is still
    /// the one it wrote or read (checked at most once per `ownershipCheck`), else the stored
    /// checkpoint resumed; `nil` when neither exists. When the store cannot be asked, this
    /// replica's copy serves.
    private func current(_ id: String) async -> StreamingDetector? {
        let (held, known) = lock.withLock { (detectors[id], ownership[id]) }
        if let held, let seen = known?.verifiedAt, seen.duration(to: .now) < ownershipCheck { return held }
        let stored: Int64?
        do {
            stored = try await registry.checkpointStamp(id: id)
        } catch {
            logger.warning("could not check a stream's checkpoint; this replica's copy serves",
                           metadata: ["model": "\(id)", "error": "\(error)"])
            return held
        }
        if stored == known?.stamp {
            if held != nil { lock.withLock { if detectors[id] === held { ownership[id]?.verifiedAt = .now } } }
            return held
        }
        var resumed: (detector: StreamingDetector, stamp: Int64)?
        if stored != nil {
            do {
                if let checkpoint = try await registry.checkpoint(id: id), let detector = await restore(checkpoint) {
                    resumed = (detector, checkpoint.stamp)
                }
            } catch {
                logger.error("could not resume a stream from its checkpoint", metadata: ["model": "\(id)", "error": "\(error)"])
                return held
            }
            // An unreadable checkpoint (logged) does not replace a working copy.
            if resumed == nil { return held }
        }
        let now = lock.withLock { () -> StreamingDetector? in
            guard detectors[id] === held else { return detectors[id] }
            detectors[id] = resumed?.detector
            ownership[id] = resumed.map { Ownership(stamp: $0.stamp, verifiedAt: .now) }
            return resumed?.detector
        }
        if let held, now !== held {
            held.retire()
            logger.info(resumed == nil ? "stream deleted by another replica; dropped here"
                                       : "stream written by another replica since; continuing from its checkpoint",
                        metadata: ["model": "\(id)"])
        } else if resumed != nil, held == nil {
            logger.info("resumed a stream from its checkpoint", metadata: ["model": "\(id)"])
        }
        return now
    }

    /// Every detector's counters, by id.
    func list() async -> StreamListResponse {
        await resume()
        let all = lock.withLock { detectors.values.map(\.stats) }.sorted { $0.modelId < $1.modelId }
        return StreamListResponse(total: all.count, data: all)
    }

    /// One detector's counters.
    func stats(_ id: String) async throws -> StreamDetectorResponse {
        StreamDetectorResponse(stats: try await known(id).stats)
    }

    /// Removes a detector and its checkpoint (its saved model versions stay in the registry).
    func delete(_ id: String) async throws -> StreamDeleteResponse {
        let detector = try await known(id)
        detector.retire()
        lock.withLock {
            if detectors[id] === detector {
                detectors[id] = nil
                ownership[id] = nil
            }
        }
        try await registry.deleteCheckpoint(id: id)
        return StreamDeleteResponse(model: id)
    }

    /// Puts a detector back into cold start.
    func reset(_ id: String) async throws -> StreamResetResponse {
        let detector = try await known(id)
        detector.reset()
        try await save(detector, onlyIfChanged: false)
        return StreamResetResponse(model: id)
    }

    // MARK: fitting

    private func firstFit(_ job: StreamingDetector.TrainingJob, of detector: StreamingDetector) async throws {
        do {
            try await fit(job, of: detector)
        } catch {
            detector.fitFailed(generation: job.generation)
            throw ServiceError.badRequest("Streaming detector '\(detector.id)' could not fit its first model on "
                                          + "\(job.window.rows) points: \(ErrorMiddleware<VigilRequestContext>.serviceError(for: error).description)")
        }
    }

    private func retrainInBackground(_ job: StreamingDetector.TrainingJob, of detector: StreamingDetector) {
        let key = UUID()
        // Registered under the lock it removes itself under, so its removal always comes after.
        lock.withLock {
            fits[key] = Task.detached { [self] in
                let started = ContinuousClock.now
                do {
                    try await fit(job, of: detector)
                    let took = ContinuousClock.now - started
                    scoreMetrics.recordRetrain(model: detector.id, seconds: Double(took.components.seconds)
                                               + Double(took.components.attoseconds) * 1e-18)
                } catch {
                    detector.fitFailed(generation: job.generation)
                    logger.warning("stream retrain failed; the previous model keeps scoring",
                                   metadata: ["model": "\(detector.id)", "error": "\(error)"])
                }
                _ = lock.withLock { fits.removeValue(forKey: key) }
            }
        }
    }

    /// Fits off the event loop, saves the model as a registry version, swaps it in and checkpoints.
    private func fit(_ job: StreamingDetector.TrainingJob, of detector: StreamingDetector) async throws {
        let trainer = self.trainer, configuration = detector.configuration
        let description = "streaming detector \(detector.id), model version \(detector.nextModelVersion)"
        // Fitting and encoding the model file both run off the cooperative pool, which serves requests.
        let (model, new) = try await OffLoop.run { () throws -> (AnomalyModel, NewModelVersion?) in
            let model = try trainer(job.window, job.featureNames, configuration)
            return (model, try? NewModelVersion(name: detector.id, model: model, description: description))
        }
        var saved: String?
        do {
            guard let new else { throw ServiceError.internalError("the model file could not be encoded") }
            saved = try await registry.save(new).version
        } catch {
            // The model still serves; the next checkpoint records no registry version for it.
            logger.error("could not save a stream model to the registry", metadata: ["model": "\(detector.id)", "error": "\(error)"])
        }
        guard detector.install(model, registryVersion: saved, generation: job.generation) != nil else { return }
        try? await save(detector, onlyIfChanged: false)
    }

    /// Waits until no background retrain is running (including ones started meanwhile).
    func waitForRetrains() async {
        while true {
            let running = lock.withLock { fits }
            if running.isEmpty { return }
            for (key, task) in running {
                await task.value
                _ = lock.withLock { fits.removeValue(forKey: key) }
            }
        }
    }

    // MARK: checkpoints

    /// Writes the checkpoint of every detector whose state changed since its last one.
    func checkpointChanged() async {
        for detector in lock.withLock({ Array(detectors.values) }) {
            do {
                try await save(detector, onlyIfChanged: true)
            } catch {
                logger.error("could not checkpoint a streaming detector", metadata: ["model": "\(detector.id)", "error": "\(error)"])
            }
        }
    }

    /// Lets running retrains finish, then checkpoints every changed detector (graceful shutdown).
    func shutdown() async {
        await waitForRetrains()
        await checkpointChanged()
    }

    /// Writes the detector's checkpoint if the stored one is still the one this replica wrote or
    /// read. When it is not, this replica's copy is stale: the next use resumes the stored one.
    private func save(_ detector: StreamingDetector, onlyIfChanged: Bool) async throws {
        guard let state = detector.checkpoint(onlyIfChanged: onlyIfChanged) else { return }
        let id = detector.id
        guard let expected = lock.withLock({ detectors[id] === detector ? ownership[id].map(\.stamp) : nil }) else { return }
        do {
            // A large window takes a while to encode: off the pool that serves requests.
            let data = try await OffLoop.run { try Array(Self.encoder.encode(state)) }
            var checkpoint = StreamCheckpoint(id: id, data: data)
            if let expected, checkpoint.stamp <= expected {
                // Two writes within one millisecond (or a clock behind the last writer's) still differ.
                checkpoint.updatedAt = Date(timeIntervalSince1970: Double(expected + 1) / 1000)
            }
            if try await registry.saveCheckpoint(checkpoint, ifStamp: expected) {
                lock.withLock { if detectors[id] === detector { ownership[id]?.stamp = checkpoint.stamp } }
                return
            }
            let raced = lock.withLock { () -> Bool in
                guard let now = ownership[id] else { return false }
                return now.stamp != expected
            }
            if raced {
                // This replica's own other write got in first: write this state next time.
                detector.markDirty()
            } else {
                lock.withLock { if detectors[id] === detector { ownership[id]?.verifiedAt = nil } }
                logger.warning("another replica wrote this stream's checkpoint; this replica's copy is dropped on next use",
                               metadata: ["model": "\(id)"])
            }
        } catch {
            detector.markDirty()
            throw error
        }
    }

    /// Resumes the detectors checkpointed in the registry; runs once (at start, or before the
    /// first stream call), later calls wait for that one.
    func resume() async {
        let task = lock.withLock { () -> Task<Void, Never> in
            if let restoring { return restoring }
            let made = Task { await self.restoreAll() }
            restoring = made
            return made
        }
        await task.value
    }

    private func restoreAll() async {
        let saved: [StreamCheckpoint]
        do {
            saved = try await registry.checkpoints()
        } catch {
            logger.error("could not read stream checkpoints; streams start empty", metadata: ["error": "\(error)"])
            return
        }
        for checkpoint in saved {
            guard let detector = await restore(checkpoint) else { continue }
            lock.withLock {
                if detectors[checkpoint.id] == nil {
                    detectors[checkpoint.id] = detector
                    ownership[checkpoint.id] = Ownership(stamp: checkpoint.stamp, verifiedAt: .now)
                }
            }
        }
        if !saved.isEmpty { logger.info("resumed streaming detectors", metadata: ["count": "\(saved.count)"]) }
    }

    /// The detector a checkpoint holds, with the model version it names from the registry; `nil`
    /// (logged) when the checkpoint is unreadable or of another format.
    private func restore(_ checkpoint: StreamCheckpoint) async -> StreamingDetector? {
        do {
            let state = try Self.decoder.decode(StreamCheckpointState.self, from: Data(checkpoint.data))
            guard state.format == StreamCheckpointState.currentFormat else { return nil }
            var model: AnomalyModel?
            if let version = state.registryVersion {
                model = try? await registry.loadModel(version).model
            }
            return try StreamingDetector(restoring: state, model: model)
        } catch {
            logger.error("skipping an unreadable stream checkpoint", metadata: ["model": "\(checkpoint.id)", "error": "\(error)"])
            return nil
        }
    }

    // MARK: helpers

    private func known(_ id: String) async throws -> StreamingDetector {
        try Self.checkID(id)
        await resume()
        guard let detector = await current(id) else {
            throw ServiceError.notFound("Streaming detector not found: \(id)")
        }
        return detector
    }

    /// A detector id must be a valid model name: its models are saved under it.
    static func checkID(_ id: String) throws {
        do {
            try ModelNames.validate(id)
        } catch {
            throw ServiceError.badRequest("Invalid model_id: \(id)")
        }
    }

    /// Checkpoints keep NaN (a missing value in the rolling history) as text.
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()
}
