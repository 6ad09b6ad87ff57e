import ArgumentParser
import Foundation
import VigilStore

/// `vigil models`: list, show, delete, promote and verify registry versions.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "Manage the versioned model registry.",
        subcommands: [List.self, Show.self, Delete.self, Promote.self, Verify.self, Watch.self, SaveLoop.self, Bench.self])

    /// JSON of a version's metadata (one line, keys in a fixed order).
    static func json(_ version: ModelVersion) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!,
                                                     formatOptions: [.withInternetDateTime, .withFractionalSeconds]))
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(version), as: UTF8.self)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List versions, newest first.")
        @Option(help: "Only versions of this model name.") var name: String?
        @Option(help: "Only versions of this backend.") var backend: String?
        @Flag(help: "One JSON object per line.") var json = false
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            let versions = try await registry.with { try await $0.list(name: name, backend: backend) }
            if json {
                for v in versions { print(try ModelsCommand.json(v)) }
                return
            }
            print("version                                   backend            rows     threshold  size_bytes  created_at (UTC)          promoted")
            for v in versions {
                let created = ISO8601DateFormatter.string(from: v.createdAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
                print(v.version.padding(toLength: 41, withPad: " ", startingAt: 0) + " "
                    + v.backend.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                    + String(v.trainingRows).padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                    + String(format: "%-10.4f %-11d ", v.threshold, v.sizeBytes) + created.padding(toLength: 25, withPad: " ", startingAt: 0)
                    + (v.promoted ? " yes" : ""))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one version's metadata as JSON (name, name-latest or version).")
        @Argument(help: "Version id, NAME-latest or NAME.") var reference: String
        @Option(help: "Resolve NAME-latest among this backend's versions only.") var backend: String?
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            let version = try await registry.with { try await $0.resolve(reference, backend: backend) }
            print(try ModelsCommand.json(version))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one version, or every version of a name with --all.")
        @Argument(help: "Version id (or, with --all, a model name).") var target: String
        @Flag(help: "Delete every version of the model name.") var all = false
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            if all {
                let count = try await registry.with { try await $0.deleteAll(name: target) }
                guard count > 0 else { throw CLIError("no versions of model '\(target)' to delete") }
                print("deleted \(count) version\(count == 1 ? "" : "s") of \(target)")
            } else {
                try await registry.with { try await $0.delete(version: target) }
                print("deleted \(target)")
            }
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a version what NAME-latest returns (rollback).")
        @Argument(help: "Version id.") var version: String
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            let promoted = try await registry.with { try await $0.promote(version: version) }
            print("promoted \(promoted.version): \(promoted.name)-latest now resolves to it")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load every version (or one) and check its SHA-256.")
        @Argument(help: "Version id, NAME-latest or NAME (default: every version).") var reference: String?
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            let bad = try await registry.with { store -> [String] in
                if let sqlite = store as? SQLiteModelRegistry { try await sqlite.checkIntegrity() }
                let targets: [String]
                if let reference {
                    targets = [try await store.resolve(reference).version]
                } else {
                    targets = try await store.list().map(\.version)
                }
                var bad = [String]()
                for version in targets {
                    do {
                        _ = try await store.load(version)
                    } catch let error as RegistryError {
                        guard case .checksumMismatch = error else { throw error }
                        bad.append(version)
                    }
                }
                print("verified \(targets.count - bad.count) of \(targets.count) versions")
                return bad
            }
            guard bad.isEmpty else { throw CLIError("corrupted: \(bad.joined(separator: ", "))") }
        }
    }
}
