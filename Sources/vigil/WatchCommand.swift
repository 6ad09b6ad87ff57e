import ArgumentParser
import Foundation
import VigilStore

extension ModelsCommand {
    /// `vigil models watch`: prints registry changes from any process as they happen.
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print registry changes (saved, promoted, deleted) from any process as they happen.")
        @Option(help: "Stop after this many changes (default: run until interrupted).") var count: Int?
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            if let count, count < 1 { throw CLIError("--count must be ≥ 1, got \(count)") }
            try await registry.with { store in
                let changes = store.changes()
                FileHandle.standardOutput.write(Data("watching\n".utf8))
                var seen = 0
                for await change in changes {
                    let ms = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
                    FileHandle.standardOutput.write(Data("\(change.kind.rawValue) \(change.name) \(change.version) \(ms)\n".utf8))
                    seen += 1
                    if let count, seen >= count { break }
                }
            }
        }
    }
}
