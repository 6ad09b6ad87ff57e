import ArgumentParser
import Foundation

/// Parses the command line and runs the chosen command, awaiting the async ones.
func runVigil() async throws {
    var command = try VigilCommand.parseAsRoot()
    if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
}

// Every failure is one line on stderr and exit code 2 (help and --version exit 0).
do {
    try await runVigil()
} catch {
    let code = VigilCommand.exitCode(for: error)
    if code == .success {
        VigilCommand.exit(withError: error)
    }
    let message = VigilCommand.message(for: error)
        .split(separator: "\n").first.map(String.init) ?? "\(error)"
    FileHandle.standardError.write(Data("vigil: \(message)\n".utf8))
    exit(2)
}
