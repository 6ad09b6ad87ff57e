import ArgumentParser
import Foundation
import VigilStore

extension ModelsCommand {
    /// `vigil models bench` (hidden): times save, load of `-latest` (blob + SHA-256 check) and
    /// load + decode of a model file's bytes against an open, warm registry; prints one JSON line.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time registry save and load of a model file (benchmark).", shouldDisplay: false)
        @Option(help: "Model file whose bytes are saved and loaded.") var model: String
        @Option(name: .customLong("repeat"), help: "Timed repetitions of each operation.") var repetitions: Int = 50
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            guard repetitions >= 5 else { throw CLIError("--repeat must be ≥ 5, got \(repetitions)") }
            let (fitted, _) = try ModelFile.read(from: model)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
            var new = try NewModelVersion(name: "bench", model: fitted)
            new.blob = [UInt8](bytes)
            let clock = ContinuousClock()
            func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }
            func summary(_ samples: [Double]) -> String {
                let s = samples.sorted()
                return String(format: "{\"median_ms\":%.3f,\"p90_ms\":%.3f,\"min_ms\":%.3f}", s[s.count / 2], s[s.count * 9 / 10], s[0])
            }
            let line = try await registry.with { store -> String in
                _ = try await store.deleteAll(name: "bench")
                for _ in 0..<3 { _ = try await store.save(new) }  // warm-up
                var save = [Double](), load = [Double](), decode = [Double]()
                for _ in 0..<repetitions { save.append(ms(try await clock.measure { _ = try await store.save(new) })) }
                for _ in 0..<3 { _ = try await store.load("bench-latest") }
                for _ in 0..<repetitions { load.append(ms(try await clock.measure { _ = try await store.load("bench-latest") })) }
                for _ in 0..<repetitions { decode.append(ms(try await clock.measure { _ = try await store.loadModel("bench-latest") })) }
                _ = try await store.deleteAll(name: "bench")
                return "{\"blob_bytes\":\(bytes.count),\"repeat\":\(repetitions),\"save\":\(summary(save)),"
                    + "\"load_latest\":\(summary(load)),\"load_latest_decoded\":\(summary(decode))}"
            }
            print(line)
        }
    }
}
