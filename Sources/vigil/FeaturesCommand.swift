import ArgumentParser
import Foundation
import VigilCore
import VigilFeatures

/// `vigil features`: streams a CSV through per-entity rolling windows in file order and writes
/// every row with its features appended.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Add per-entity rolling, lag and time-window features to a CSV, row by row in file order.")

    @Option(help: "CSV with a header.")
    var data: String

    @Option(help: "Column whose value keys the windows (e.g. user_id); none = one stream.")
    var entity: String?

    @Option(help: "Column with event times: epoch seconds or ISO 8601 (needed by --time-windows).")
    var timestamp: String?

    @Option(help: "Numeric columns to compute features for (default: every column, other than the entity and timestamp, whose cells are numbers).")
    var columns: String?

    @Option(help: "Count windows in events.")
    var windows: String = "5,10,20"

    @Option(help: "Statistics per count window, from mean,std,min,max.")
    var stats: String = "mean,std,min,max"

    @Option(help: "Lags in events (empty for none).")
    var lags: String = "1,2,3"

    @Option(name: .customLong("time-windows"), help: "Time windows, e.g. 1h,24h (units s, m, h, d, w).")
    var timeWindows: String = ""

    @Option(name: .customLong("max-entities"), help: "Entities held at most; the least recently seen is forgotten beyond it.")
    var maxEntities: Int = 1_000_000

    @Option(name: .customLong("max-rows"), help: "Rows held per entity at most (bounds time windows).")
    var maxRows: Int = 10_000

    @Option(help: "Output CSV (default: standard output).")
    var out: String?

    @Flag(help: "Print the time spent in the rolling windows (append + features) on stderr.")
    var timing = false

    func run() throws {
        let reader = try CSVRowReader(path: data)
        let header = reader.header
        func index(of name: String, _ flag: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else {
                throw CLIError("\(flag) '\(name)' is not a column of \(data); columns: \(header.prefix(20).joined(separator: ", "))")
            }
            return i
        }
        let entityIndex = try entity.map { try index(of: $0, "--entity") }
        let timeIndex = try timestamp.map { try index(of: $0, "--timestamp") }
        let valueIndices: [Int]
        if let columns {
            valueIndices = try Self.list(columns, "--columns").map { try index(of: $0, "--columns") }
        } else {
            valueIndices = try Self.numericColumns(reader, excluding: [entityIndex, timeIndex].compactMap { $0 })
        }
        guard !valueIndices.isEmpty else { throw CLIError("\(data) has no numeric columns to compute features for") }
        let options = RollingOptions(
            columns: valueIndices.map { header[$0] }, windows: try Self.integers(windows, "--windows"),
            stats: try RollingStat.parse(Self.list(stats, "--stats")), lags: try Self.integers(lags, "--lags"),
            entityField: entity, timestampField: timestamp,
            timeWindows: try Self.list(timeWindows, "--time-windows").map(TimeSpan.init(parsing:)),
            maxEntities: maxEntities, maxRowsPerEntity: maxRows)
        var window = try EntityWindow(options)

        let output = try FeatureOutput(path: out)
        try output.write(header.map(FeatureOutput.quoted).joined(separator: ",") + ","
                         + window.featureNames.map(FeatureOutput.quoted).joined(separator: ",") + "\n")
        var chunk = EventChunk(columns: valueIndices.count, features: window.featureCount)
        var events = 0, seconds = 0.0, cpuSeconds = 0.0
        func flush() throws {
            let (wall, cpu) = try chunk.computeFeatures(&window)
            seconds += wall
            cpuSeconds += cpu
            try output.write(chunk.formatted())
            events += chunk.count
            chunk.removeAll()
        }
        try reader.forEachRow { row in
            try chunk.add(row, path: data, header: header, entity: entityIndex, time: timeIndex, values: valueIndices)
            if chunk.count == EventChunk.capacity { try flush() }
        }
        try flush()
        try output.close()
        if timing {
            func rate(_ s: Double) -> Int { s > 0 ? Int(Double(events) / s) : 0 }
            FileHandle.standardError.write(Data((
                "features: \(events) events, \(window.entityCount) entities held, rolling windows "
                + "\(String(format: "%.4f", seconds)) s wall (\(rate(seconds)) events/s), "
                + "\(String(format: "%.4f", cpuSeconds)) s CPU (\(rate(cpuSeconds)) events/s)\n").utf8))
        }
    }

    /// Comma-separated names; empty text is an empty list.
    static func list(_ text: String, _ flag: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if items == [""] { return [] }
        guard !items.contains("") else { throw CLIError("\(flag): empty item in '\(text)'") }
        return items
    }

    /// Comma-separated integers.
    static func integers(_ text: String, _ flag: String) throws -> [Int] {
        try list(text, flag).map { item in
            guard let n = Int(item) else { throw CLIError("\(flag): '\(item)' is not an integer") }
            return n
        }
    }

    /// Columns (other than `excluding`) whose non-empty cells in the first 1,000 rows are all numbers.
    static func numericColumns(_ reader: CSVRowReader, excluding: [Int]) throws -> [Int] {
        struct Enough: Error {}
        let width = reader.header.count
        var seen = [Bool](repeating: false, count: width), other = [Bool](repeating: false, count: width)
        var rows = 0
        do {
            try reader.forEachRow { row in
                for c in 0..<width where !row.isEmpty(c) {
                    if row.number(c) != nil { seen[c] = true } else { other[c] = true }
                }
                rows += 1
                if rows == 1000 { throw Enough() }
            }
        } catch is Enough {}
        return (0..<width).filter { seen[$0] && !other[$0] && !excluding.contains($0) }
    }
}
