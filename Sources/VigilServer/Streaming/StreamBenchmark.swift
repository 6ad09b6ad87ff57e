import Foundation
import VigilCore
import VigilFeatures
import VigilStore

/// Times streaming detection in process (no HTTP, no JSON): synthetic sensor events through one
/// detector, as `vigil stream-bench` prints them.
public enum StreamBenchmark {
    /// What one run measured.
    public struct Result: Sendable, Encodable {
        /// Events sent.
        public var events: Int
        /// Events per call.
        public var batch: Int
        /// Events per second over the whole run (cold start and retrains included).
        public var eventsPerSecond: Double
        /// Median call latency, milliseconds.
        public var p50Ms: Double
        /// 99th percentile call latency, milliseconds.
        public var p99Ms: Double
        /// 99th percentile call latency while a retrain was running, milliseconds.
        public var p99DuringRetrainMs: Double?
        /// Calls made while a retrain was running.
        public var callsDuringRetrain: Int
        /// Retrains finished.
        public var retrains: Int

        enum CodingKeys: String, CodingKey {
            case events, batch, eventsPerSecond = "events_per_second", p50Ms = "p50_ms", p99Ms = "p99_ms"
            case p99DuringRetrainMs = "p99_during_retrain_ms", callsDuringRetrain = "calls_during_retrain", retrains
        }
    }

    /// Sends `events` events of `fields` numeric fields in calls of `batch` to a detector with the
    /// given backend, window and retrain interval (cold start = `minSamples`).
    public static func run(events: Int, batch: Int, fields: Int, backend: Backend, windowSize: Int, retrainInterval: Int,
                           minSamples: Int) async throws -> Result {
        let configuration = StreamConfiguration(backend: backend, minSamples: minSamples, retrainInterval: retrainInterval,
                                                windowSize: windowSize, contamination: 0.1, threshold: 0.5,
                                                rollingWindows: [], lagPeriods: [])
        let metrics = ServiceMetrics()
        let registry = InMemoryModelRegistry()
        // The benchmark times detection; the audit trail is off.
        let service = StreamService(registry: registry, scoreMetrics: metrics.scores, drift: metrics.drift,
                                    findings: FindingsRecorder(registry: registry, metrics: metrics, enabled: false))
        var generator = SeededGenerator(seed: 7)
        let names = (0..<fields).map { "f\($0)" }
        let points: [Record] = (0..<events).map { _ in
            var point = Record(minimumCapacity: fields)
            for name in names { point[name] = .number(generator.nextGaussian()) }
            return point
        }
        let detector = try await service.detector("bench", configuration: configuration, firstPoint: points[0])
        let clock = ContinuousClock()
        var latencies = [Double](), duringRetrain = [Double]()
        let started = clock.now
        var i = 0
        while i < events {
            let chunk = Array(points[i..<min(i + batch, events)])
            let busy = detector.stats.status == StreamingDetector.Status.retraining.rawValue
            let took = try await clock.measure { _ = try await service.feed(chunk, to: detector) }
            let ms = Double(took.components.seconds) * 1e3 + Double(took.components.attoseconds) * 1e-15
            latencies.append(ms)
            if busy { duringRetrain.append(ms) }
            i += batch
        }
        let total = clock.now - started
        await service.waitForRetrains()
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) * 1e-18
        func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p / 100).rounded(.down)))]
        }
        return Result(events: events, batch: batch, eventsPerSecond: Double(events) / seconds, p50Ms: percentile(latencies, 50),
                      p99Ms: percentile(latencies, 99),
                      p99DuringRetrainMs: duringRetrain.isEmpty ? nil : percentile(duringRetrain, 99),
                      callsDuringRetrain: duringRetrain.count, retrains: max(0, detector.stats.modelVersion - 1))
    }
}
