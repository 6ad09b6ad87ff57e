import Foundation
import Logging
import ServiceLifecycle
import VigilCore
import VigilStore

/// The audit trail of scoring: every row a model flags — through score, detect, the predict
/// routes or a stream — becomes a stored finding (model name and version, score, threshold,
/// latency, and the top explanation features when the request asked for explanations).
///
/// Scoring only appends to a bounded in-memory queue; ``FindingsWriter`` stores the queue in the
/// registry in batches every `interval`, and `GET /v1/findings` stores what is queued before it
/// reads, so the trail it shows includes every request already answered. When the registry cannot
/// take them, findings wait in the queue; past `capacity` the oldest are dropped and counted.
final class FindingsRecorder: @unchecked Sendable {
    /// Findings waiting to be stored, oldest first.
    private var queue = [NewFinding]()
    private let lock = NSLock()
    /// One store at a time, so findings are stored in the order they were made.
    private let storing = AsyncSerial()
    /// Most findings held while the registry does not take them.
    let capacity: Int
    /// Whether flagged rows are recorded at all (`--findings off` turns the trail off).
    let enabled: Bool
    let registry: any ModelRegistry
    let metrics: ServiceMetrics
    let logger: Logger

    init(registry: any ModelRegistry, metrics: ServiceMetrics, enabled: Bool = true, capacity: Int = 100_000,
         logger: Logger = Logger(label: "vigil.findings")) {
        self.registry = registry
        self.metrics = metrics
        self.enabled = enabled
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    /// Where a scored batch came from, for the findings' text.
    enum Source: String {
        case score = "/v1/ml/anomaly/score"
        case detect = "/v1/ml/anomaly/detect"
        case predict = "/predict"
        case stream = "/v1/ml/anomaly/stream"
    }

    /// Queues a finding for each flagged row of a scored batch.
    func record(source: Source, model: String, version: String, scores: AnomalyModel.Scores,
                explanations: [RowExplanation?]? = nil, rowOffset: Int = 0, latencySeconds: Double) {
        guard enabled else { return }
        var made = [NewFinding]()
        let now = Date()
        for i in scores.isAnomaly.indices where scores.isAnomaly[i] {
            let score = scores.scores[i], raw = scores.rawScores[i]
            guard score.isFinite, raw.isFinite, scores.threshold.isFinite else { continue }
            var metadata: [String: Any] = [
                "route": source.rawValue, "row_index": i + rowOffset, "prediction": "anomaly", "raw_score": raw,
                "latency_ms": (latencySeconds * 1e6).rounded() / 1e3,
            ]
            if let explanation = explanations?[i] ?? nil {
                let top = Set(explanation.topFeatures)
                metadata["top_features"] = explanation.contributions.filter { top.contains($0.feature) }
                    .sorted { $0.contribution > $1.contribution }
                    .map { ["feature": $0.feature, "value": $0.value, "contribution": $0.contribution] as [String: Any] }
                metadata["base_value"] = explanation.baseValue
                metadata["explained_output"] = explanation.output
            }
            let text = (try? JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            made.append(NewFinding(
                alertID: Self.alertID, severity: Self.severity(score: score, threshold: scores.threshold),
                name: "Anomalous row flagged by \(model)",
                description: "Row \(i + rowOffset) sent to \(source.rawValue) scored \(Self.format(score)) against the "
                    + "threshold \(Self.format(scores.threshold)) of \(version).",
                modelName: model, modelVersion: version, score: score, threshold: scores.threshold,
                metadata: text, createdAt: now))
        }
        guard !made.isEmpty else { return }
        let dropped = lock.withLock { () -> Int in
            queue.append(contentsOf: made)
            let over = queue.count - capacity
            if over > 0 { queue.removeFirst(over) }
            return max(0, over)
        }
        if dropped > 0 { metrics.recordFindingsDropped(dropped) }
    }

    /// The alert id of a flagged row.
    static let alertID = "ANOMALOUS-ROW"

    /// `high` when the score is in the top half of the range above the threshold, else `medium`.
    static func severity(score: Double, threshold: Double) -> FindingSeverity {
        score >= threshold + (1 - threshold) / 2 ? .high : .medium
    }

    private static func format(_ x: Double) -> String {
        String(format: "%.4f", x)
    }

    /// Stores every queued finding (in batches of 1,000); on a registry failure the rest stay
    /// queued for the next attempt and the error is thrown.
    func flush() async throws {
        try await storing.run { [self] in
            while true {
                let batch = lock.withLock { Array(queue.prefix(1_000)) }
                if batch.isEmpty { return }
                do {
                    _ = try await registry.saveFindings(batch)
                } catch {
                    metrics.recordRegistryError(operation: "findings")
                    throw error
                }
                lock.withLock { queue.removeFirst(min(batch.count, queue.count)) }
            }
        }
    }

    /// Findings waiting to be stored.
    var pending: Int { lock.withLock { queue.count } }
}

/// Runs one async job at a time, in the order they asked.
final class AsyncSerial: @unchecked Sendable {
    private let lock = NSLock()
    private var tail: Task<Void, Never>?

    func run(_ job: @escaping @Sendable () async throws -> Void) async throws {
        let (previous, mine): (Task<Void, Never>?, Task<Result<Void, any Error>, Never>) = lock.withLock {
            let previous = tail
            let mine = Task { () -> Result<Void, any Error> in
                await previous?.value
                do { try await job(); return .success(()) } catch { return .failure(error) }
            }
            tail = Task { _ = await mine.value }
            return (previous, mine)
        }
        _ = previous
        try await mine.value.get()
    }
}

/// Stores the queued findings every `interval`, and what is left at shutdown.
struct FindingsWriter: Service {
    let recorder: FindingsRecorder
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            do {
                try await recorder.flush()
            } catch {
                recorder.logger.error("could not store findings; they stay queued", metadata: ["pending": "\(recorder.pending)", "error": "\(error)"])
            }
        }
        try? await recorder.flush()
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant to now.
    var secondsUntilNow: Double {
        let d = duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
