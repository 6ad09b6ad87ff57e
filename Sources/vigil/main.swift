import ArgumentParser
import Foundation

// Every failure is one line on stderr and exit code 2 (help and --version exit 0).
do {
    var command = try VigilCommand.parseAsRoot()
    try command.run()
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
