import ArgumentParser
import Foundation
import VigilCore
import VigilServer

/// `vigil stream-bench` (hidden): streaming detection in process, without HTTP or JSON; prints
/// one JSON line with events/s and call latencies, including while retrains run.
struct StreamBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream-bench", abstract: "Time streaming detection in process (benchmark).", shouldDisplay: false)

    @Option(help: "Events to send.") var events: Int = 100_000
    @Option(help: "Events per call.") var batch: Int = 1
    @Option(help: "Numeric fields per event.") var fields: Int = 5
    @Option(help: "Detector backend.") var backend: String = "ecod"
    @Option(help: "Sliding window size.") var windowSize: Int = 1000
    @Option(help: "Events between background retrains.") var retrainInterval: Int = 1000
    @Option(help: "Events before the first fit.") var minSamples: Int = 50

    func run() async throws {
        guard let backend = Backend(rawValue: backend) else {
            throw CLIError("backend must be one of \(Backend.allCases.map(\.rawValue).joined(separator: ", ")), got '\(self.backend)'")
        }
        guard events > 0, batch > 0, fields > 0, windowSize >= minSamples, minSamples >= 2, retrainInterval > 0 else {
            throw CLIError("events, batch, fields and retrain-interval must be positive, and 2 ≤ min-samples ≤ window-size")
        }
        let result = try await StreamBenchmark.run(events: events, batch: batch, fields: fields, backend: backend,
                                                   windowSize: windowSize, retrainInterval: retrainInterval, minSamples: minSamples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}
