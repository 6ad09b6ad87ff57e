import Foundation
import VigilFeatures

/// Where `vigil features` writes: a file or standard output, in large blocks.
final class FeatureOutput {
    private let handle: FileHandle
    private let isFile: Bool

    /// Opens `path` for writing (created or truncated), or standard output when nil.
    init(path: String?) throws {
        guard let path else {
            handle = FileHandle.standardOutput
            isFile = false
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write \(path)") }
        handle = h
        isFile = true
    }

    func write(_ text: String) throws { try handle.write(contentsOf: Data(text.utf8)) }

    func write(_ bytes: [UInt8]) throws { try handle.write(contentsOf: bytes) }

    func close() throws { if isFile { try handle.close() } }

    /// A CSV cell for `name`: quoted when it holds a comma, quote or line end.
    static func quoted(_ name: String) -> String {
        guard name.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return name }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A block of parsed events: entity keys, times and values, the raw lines, and their features.
struct EventChunk {
    static let capacity = 8192
    let columns: Int
    let featureCount: Int
    private(set) var count = 0
    private var entities: [String] = []
    private var times: [Double] = []
    private var values: [Double] = []
    private var lines: [UInt8] = []
    private var lineEnds: [Int] = []
    private var features: [Double] = []

    init(columns: Int, features: Int) {
        self.columns = columns
        featureCount = features
    }

    /// Parses one CSV row, refusing an empty entity, a bad timestamp and a cell that is not a
    /// finite number (an empty value cell is a missing value).
    mutating func add(_ row: CSVRowReader.Row, path: String, header: [String], entity: Int?, time: Int?, values indices: [Int]) throws {
        if let e = entity {
            guard !row.isEmpty(e) else { throw CLIError("\(path) line \(row.line): empty '\(header[e])' cell") }
            entities.append(row.text(e))
        } else {
            entities.append("")
        }
        if let t = time {
            guard let seconds = Timestamp.seconds(row.bytes(t)) else {
                throw CLIError("\(path) line \(row.line), column '\(header[t])': '\(row.text(t).prefix(60))' is not epoch seconds or an ISO 8601 time")
            }
            times.append(seconds)
        }
        for c in indices {
            if row.isEmpty(c) { values.append(.nan); continue }
            guard let v = row.number(c) else {
                throw DataReadError.nonNumericCell(path: path, line: row.line, column: header[c], cell: row.text(c))
            }
            guard v.isFinite else { throw CLIError("\(path) line \(row.line), column '\(header[c])': \(row.text(c)) is not a finite number") }
            values.append(v)
        }
        lines.append(contentsOf: row.rawLine)
        lineEnds.append(lines.count)
        count += 1
    }

    /// Runs the block through `window` and returns the wall and thread CPU seconds spent appending.
    mutating func computeFeatures(_ window: inout EntityWindow) throws -> (wall: Double, cpu: Double) {
        features = [Double](repeating: 0, count: count * featureCount)
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = Self.threadCPUSeconds()
        let hasTime = !times.isEmpty
        try values.withUnsafeBufferPointer { v in
            try features.withUnsafeMutableBufferPointer { f in
                for i in 0..<count {
                    try window.append(entity: entities[i], timestamp: hasTime ? times[i] : nil,
                                      values: UnsafeBufferPointer(rebasing: v[(i * columns)..<((i + 1) * columns)]), row: i,
                                      into: UnsafeMutableBufferPointer(rebasing: f[(i * featureCount)..<((i + 1) * featureCount)]))
                }
            }
        }
        let elapsed = clock.now - start
        let cpu = Self.threadCPUSeconds() - cpuStart
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, cpu)
    }

    /// CPU time of the calling thread (so a busy machine does not inflate the figure).
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// The block as CSV: each raw line followed by its features.
    func formatted() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(lines.count + count * featureCount * 12)
        var start = 0
        for i in 0..<count {
            out.append(contentsOf: lines[start..<lineEnds[i]])
            start = lineEnds[i]
            for j in 0..<featureCount {
                out.append(0x2C)
                Self.appendNumber(features[i * featureCount + j], to: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    mutating func removeAll() {
        count = 0
        entities.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        lineEnds.removeAll(keepingCapacity: true)
    }

    /// Writes `x` as Swift prints it (shortest round-trip), with a fast path for whole numbers.
    static func appendNumber(_ x: Double, to out: inout [UInt8]) {
        if x == x.rounded(), abs(x) < 1e15 {
            var n = Int64(x)
            if n == 0 { out.append(contentsOf: [0x30, 0x2E, 0x30]); return }
            if n < 0 { out.append(0x2D); n = -n }
            let first = out.count
            while n > 0 { out.append(UInt8(0x30 + n % 10)); n /= 10 }
            out[first...].reverse()
            out.append(contentsOf: [0x2E, 0x30])
            return
        }
        out.append(contentsOf: x.description.utf8)
    }
}
