import ArgumentParser
import VigilCore

/// The `vigil` command line: fit, score and evaluate anomaly detectors.
struct VigilCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Anomaly and fraud detection: fit, score and evaluate detectors.",
        version: VigilVersion.current,
        subcommands: [FitCommand.self, ScoreCommand.self, EvaluateCommand.self, FeaturesCommand.self, ModelsCommand.self,
                      ServeCommand.self, StreamBenchCommand.self, TokenCommand.self, EthCommand.self, TreeSHAPCommand.self]
    )
}

/// Options every command that computes shares.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Worker threads (0 = all cores).")
    var threads: Int = 0

    func apply() throws {
        guard threads >= 0 else { throw CLIError("--threads must be ≥ 0, got \(threads)") }
        Parallel.limitThreads(threads)
    }
}

/// A bad-input error with its one-line message.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
