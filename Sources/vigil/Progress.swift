import Foundation

/// Progress lines on stderr, shown only when stderr is a terminal.
enum Progress {
    static let enabled = isatty(STDERR_FILENO) == 1

    /// Prints `message` on stderr if it is a terminal.
    static func say(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("… \(message)\n".utf8))
    }

    /// Runs `body`, returning its result and the seconds it took.
    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let clock = ContinuousClock()
        var result: T?
        let elapsed = try clock.measure { result = try body() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (result!, seconds)
    }
}
