import Foundation
import VigilCore
import VigilFeatures

/// One streaming detector (reference §5.2): a sliding window of feature rows, a cold start until
/// `min_samples` points, then every point scored by the current model while a retrain on the
/// window runs in the background every `retrain_interval` points and is swapped in atomically.
///
/// The state sits behind a lock that is held only to append a point and read or swap the model —
/// never while fitting or scoring — so scoring never waits for a retrain.
final class StreamingDetector: @unchecked Sendable {
    /// Where the detector is in its life.
    enum Status: String, Codable, Sendable {
        /// No model yet: points are collected.
        case collecting
        /// A model scores each point.
        case ready
        /// A model scores each point while the next one is fitted.
        case retraining
    }

    /// What taking in one point produced.
    struct Intake: Sendable {
        /// The point's feature row.
        var row: [Double]
        /// The model that scores it (`nil` while collecting).
        var model: AnomalyModel?
        /// Which model that is: its registry version, or the detector's model counter when it was
        /// not saved.
        var modelIdentity: String = ""
        /// `max(0, min_samples − window)` after the point; 0 once a model exists.
        var samplesUntilReady: Int
        /// The window to fit the first model on, when this point completes the cold start.
        var firstFit: TrainingJob?
        /// The window to refit on in the background, when a retrain is due.
        var retrain: TrainingJob?
    }

    /// A window snapshot to fit, tagged with the detector's generation (a reset or delete makes
    /// the result stale).
    struct TrainingJob: Sendable {
        /// Rows to fit on, oldest first.
        var window: Matrix
        /// Their column names.
        var featureNames: [String]
        /// The generation the snapshot was taken in.
        var generation: Int
    }

    /// The detector id (`model` in requests).
    let id: String
    /// Its fixed settings.
    let configuration: StreamConfiguration

    private let lock = NSLock()
    private var features: StreamFeatures?
    private var window: RowRing?
    private var model: AnomalyModel?
    private var modelVersion = 0
    private var registryVersion: String?
    private var totalProcessed = 0
    private var samplesSinceRetrain = 0
    private var firstFitRunning = false
    private var retraining = false
    private var generation = 0
    private var dirty = false

    /// A new detector in cold start.
    init(id: String, configuration: StreamConfiguration) {
        self.id = id
        self.configuration = configuration
    }

    // MARK: points

    /// The error for a first point without a number.
    static func noNumericField(index: Int) -> ServiceError {
        .badRequest("data[\(index)] has no numeric field: a stream's first point fixes its columns, so it needs at least one number")
    }

    /// Appends one point to the window and says how to score it and whether a fit is due.
    func take(_ point: Record, index: Int) throws -> Intake {
        try lock.withLock {
            if features == nil {
                let columns = StreamFeatures.numericFields(of: point)
                guard !columns.isEmpty else { throw Self.noNumericField(index: index) }
                let made = try StreamFeatures(columns: columns, configuration: configuration)
                features = made
                window = RowRing(capacity: configuration.windowSize, width: made.featureNames.count)
            }
            let row = try features!.row(for: point)
            row.withUnsafeBufferPointer { window!.append($0) }
            totalProcessed += 1
            samplesSinceRetrain += 1
            dirty = true
            var intake = Intake(row: row, model: model, modelIdentity: registryVersion ?? "\(id)#\(modelVersion)",
                                samplesUntilReady: 0)
            if model == nil {
                let held = window!.count
                intake.samplesUntilReady = max(0, configuration.minSamples - held)
                if held >= configuration.minSamples, !firstFitRunning {
                    firstFitRunning = true
                    intake.firstFit = try job()
                    intake.samplesUntilReady = 0
                }
            } else if samplesSinceRetrain >= configuration.retrainInterval, !retraining {
                retraining = true
                samplesSinceRetrain = 0
                intake.retrain = try job()
            }
            return intake
        }
    }

    /// A retrain of the current window now (the model is drifting), unless there is no model yet
    /// or a fit is already running; the retrain countdown starts again.
    func retrainNow() throws -> TrainingJob? {
        try lock.withLock {
            guard model != nil, !retraining, !firstFitRunning, window != nil else { return nil }
            retraining = true
            samplesSinceRetrain = 0
            return try job()
        }
    }

    private func job() throws -> TrainingJob {
        TrainingJob(window: try window!.matrix(), featureNames: features!.featureNames, generation: generation)
    }

    // MARK: models

    /// Swaps in a model fitted on a snapshot of `generation`; returns the new model version, or
    /// `nil` when the detector was reset or deleted since (the model is then dropped).
    func install(_ fitted: AnomalyModel, registryVersion saved: String?, generation fittedIn: Int) -> Int? {
        lock.withLock {
            guard fittedIn == generation else { return nil }
            model = fitted
            registryVersion = saved
            modelVersion += 1
            if firstFitRunning {
                firstFitRunning = false
                samplesSinceRetrain = 0
            }
            retraining = false
            dirty = true
            return modelVersion
        }
    }

    /// Records that a fit of `generation` failed: the old model (if any) stays.
    func fitFailed(generation failedIn: Int) {
        lock.withLock {
            guard failedIn == generation else { return }
            firstFitRunning = false
            retraining = false
        }
    }

    /// The version the next saved model will carry (for its description).
    var nextModelVersion: Int { lock.withLock { modelVersion + 1 } }

    /// Back to cold start: window, model and counters cleared; fits in flight are dropped.
    func reset() {
        lock.withLock {
            features = nil
            window = nil
            model = nil
            registryVersion = nil
            modelVersion = 0
            totalProcessed = 0
            samplesSinceRetrain = 0
            firstFitRunning = false
            retraining = false
            generation += 1
            dirty = true
        }
    }

    /// Makes fits in flight stale (the detector is being deleted).
    func retire() {
        lock.withLock { generation += 1 }
    }

    // MARK: reading

    /// The detector's counters as `GET /stream/{id}` shows them.
    var stats: StreamStats {
        lock.withLock {
            let held = window?.count ?? 0
            let status: Status = model == nil ? .collecting : (retraining ? .retraining : .ready)
            return StreamStats(modelId: id, backend: configuration.backend.rawValue, status: status.rawValue,
                               modelVersion: modelVersion, samplesCollected: held, totalProcessed: totalProcessed,
                               samplesSinceRetrain: samplesSinceRetrain, minSamples: configuration.minSamples,
                               retrainInterval: configuration.retrainInterval, windowSize: configuration.windowSize,
                               threshold: configuration.threshold, isReady: model != nil)
        }
    }

    // MARK: checkpoints

    /// The state to save, or `nil` when nothing changed since the last call that took it.
    func checkpoint(onlyIfChanged: Bool) -> StreamCheckpointState? {
        lock.withLock {
            if onlyIfChanged && !dirty { return nil }
            dirty = false
            return StreamCheckpointState(id: id, configuration: configuration, columns: features?.columns, window: window,
                                         history: features?.history.rows ?? [], modelVersion: modelVersion,
                                         registryVersion: model == nil ? nil : registryVersion,
                                         totalProcessed: totalProcessed, samplesSinceRetrain: samplesSinceRetrain)
        }
    }

    /// Marks the state as changed again (a checkpoint write failed).
    func markDirty() {
        lock.withLock { dirty = true }
    }

    /// A detector resumed from a checkpoint, with the model its `registryVersion` names (`nil`
    /// when that version is gone: the detector then collects again and fits on its next point).
    convenience init(restoring state: StreamCheckpointState, model restored: AnomalyModel?) throws {
        self.init(id: state.id, configuration: state.configuration)
        if let columns = state.columns {
            var made = try StreamFeatures(columns: columns, configuration: state.configuration)
            try made.replay(state.history)
            features = made
            window = state.window ?? RowRing(capacity: state.configuration.windowSize, width: made.featureNames.count)
        }
        if let restored, restored.featureNames == features?.featureNames {
            model = restored
            registryVersion = state.registryVersion
        }
        modelVersion = state.modelVersion
        totalProcessed = state.totalProcessed
        samplesSinceRetrain = state.samplesSinceRetrain
    }
}

/// What a checkpoint holds: settings, the window and the rolling history, counters, and the
/// registry version of the current model (models themselves live in the registry).
struct StreamCheckpointState: Codable, Sendable, Equatable {
    /// Layout of this struct; bumped when it changes incompatibly.
    static let currentFormat = 1

    var format = StreamCheckpointState.currentFormat
    var id: String
    var configuration: StreamConfiguration
    var columns: [String]?
    var window: RowRing?
    var history: [[Double]]
    var modelVersion: Int
    var registryVersion: String?
    var totalProcessed: Int
    var samplesSinceRetrain: Int
}
