import ArgumentParser
import Foundation
import VigilStore

extension ModelsCommand {
    /// `vigil models save-loop` (hidden): saves versions of random bytes in a loop and prints
    /// `saved VERSION UNIX_MS` once each save has committed. The crash and watch tests drive it.
    struct SaveLoop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "save-loop", abstract: "Save test versions in a loop (for crash tests).", shouldDisplay: false)
        @Option(help: "Model name to save under.") var name: String = "save-loop"
        @Option(help: "How many versions to save (0 = until killed).") var count: Int = 0
        @Option(help: "Largest blob, in bytes.") var maxBytes: Int = 262_144
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            guard count >= 0 else { throw CLIError("--count must be ≥ 0, got \(count)") }
            guard maxBytes >= 1 else { throw CLIError("--max-bytes must be ≥ 1, got \(maxBytes)") }
            try await registry.with { store in
                var generator = SystemRandomNumberGenerator()
                var saved = 0
                while count == 0 || saved < count {
                    let size = Int.random(in: 1...maxBytes, using: &generator)
                    var blob = [UInt8](repeating: 0, count: size)
                    for i in stride(from: 0, to: size, by: 8) {
                        let word = generator.next() as UInt64
                        for j in 0..<min(8, size - i) { blob[i + j] = UInt8(truncatingIfNeeded: word >> (8 * j)) }
                    }
                    let version = try await store.save(NewModelVersion(
                        name: name, backend: "isolation_forest", normalization: "standardization", parameters: "{}",
                        featureNames: ["x"], trainingRows: saved, trainingAnomalyRate: 0, threshold: 0.5, blob: blob))
                    let ms = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
                    FileHandle.standardOutput.write(Data("saved \(version.version) \(ms)\n".utf8))
                    saved += 1
                }
            }
        }
    }
}
