import Foundation
import Logging

/// A `LogHandler` that writes one JSON object per line to standard output (or to `output`):
/// `{"ts", "level", "label", "message", ...metadata}`.
public struct JSONLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// Lowest level written.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every line.
    public var metadata: Logger.Metadata = [:]

    /// Where each encoded line, newline included, goes.
    private let output: @Sendable (Data) -> Void

    /// A handler for `label` writing to standard output.
    public init(label: String) {
        self.init(label: label) { FileHandle.standardOutput.write($0) }
    }

    /// A handler for `label` that hands each line to `output`.
    public init(label: String, output: @escaping @Sendable (Data) -> Void) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [
            "ts": Date().formatted(.iso8601), "level": event.level.rawValue, "label": label, "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = "\(value)"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(UInt8(ascii: "\n"))
        output(line)
    }
}
