/// Reads a CSV file with a header row by row, keeping every cell as text, for commands that need
/// non-numeric columns (entity ids, ISO 8601 times) next to numbers.
///
/// Same dialect as ``Dataset/readCSV(path:labelColumn:)``: UTF-8 BOM, CRLF, blank lines skipped,
/// spaces around cells trimmed, double-quoted cells with `""` for a quote (no newline inside).
public struct CSVRowReader {
    /// The file path, for messages.
    public let path: String
    /// Column names from the header.
    public let header: [String]
    private let bytes: [UInt8]
    private let bodyStart: Int
    private let headerLine: Int

    /// Opens `path` and reads its header; throws ``DataReadError`` for a missing, unreadable or
    /// empty file.
    public init(path: String) throws {
        var bytes = try FileBytes.read(path, spare: 1)
        let count = bytes.count
        bytes.append(0x0A)
        let (start, end, line) = try CSVHeader.locate(bytes, count: count, path: path)
        self.path = path
        self.bytes = bytes
        header = CSVHeader.names(bytes[start..<end])
        headerLine = line
        bodyStart = min(end + 1, count)
    }

    /// One data row: its line number, its raw text and its cells.
    public struct Row {
        /// Line number in the file (the header's line counts).
        public internal(set) var line: Int
        let base: UnsafePointer<UInt8>
        var lineRange: Range<Int>
        var cells: [Range<Int>] = []
        var unescaped: [[UInt8]?] = []

        /// Number of cells.
        public var count: Int { cells.count }

        /// The line as it is in the file, without its line end.
        public var rawLine: UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: base + lineRange.lowerBound, count: lineRange.count)
        }

        /// Cell `i`'s text (unquoted, trimmed).
        public func text(_ i: Int) -> String { CSVChunk.text(base, cells[i], unescaped[i]) }

        /// Cell `i`'s bytes (unquoted, trimmed).
        public func bytes(_ i: Int) -> ArraySlice<UInt8> {
            if let u = unescaped[i] { return u[...] }
            return Array(UnsafeBufferPointer(start: base + cells[i].lowerBound, count: cells[i].count))[...]
        }

        /// Whether cell `i` is empty.
        public func isEmpty(_ i: Int) -> Bool { unescaped[i]?.isEmpty ?? cells[i].isEmpty }

        /// Cell `i` as a number (`nan`, `inf` included), or nil when it is empty or not a number.
        public func number(_ i: Int) -> Double? {
            if let u = unescaped[i] { return u.withUnsafeBufferPointer { DecimalParser.parse($0) } }
            return DecimalParser.parse(UnsafeBufferPointer(start: base + cells[i].lowerBound, count: cells[i].count))
        }
    }

    /// Calls `body` with each non-blank data row in file order; throws
    /// ``DataReadError/raggedRow(path:line:expected:got:)`` for a row with the wrong cell count.
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        let width = header.count
        try bytes.withUnsafeBufferPointer { buffer in
            guard let b = buffer.baseAddress else { return }
            let end = buffer.count - 1
            var p = bodyStart
            var line = headerLine
            var row = Row(line: 0, base: b, lineRange: 0..<0)
            row.cells.reserveCapacity(width)
            row.unescaped.reserveCapacity(width)
            while p < end {
                line += 1
                var lineEnd = p
                while b[lineEnd] != 0x0A { lineEnd += 1 }
                var q = p
                while CSVChunk.isBlank(b[q]) { q += 1 }
                if b[q] == 0x0A { p = lineEnd + 1; continue }
                var trimmedEnd = lineEnd
                if trimmedEnd > p && b[trimmedEnd - 1] == 0x0D { trimmedEnd -= 1 }
                row.cells.removeAll(keepingCapacity: true)
                row.unescaped.removeAll(keepingCapacity: true)
                while true {
                    while b[q] == 0x20 || b[q] == 0x09 { q += 1 }
                    let (range, unescaped, stop) = CSVChunk.slowCell(b, q)
                    row.cells.append(range)
                    row.unescaped.append(unescaped)
                    if b[stop] == 0x0A { break }
                    q = stop + 1
                }
                guard row.cells.count == width else {
                    throw DataReadError.raggedRow(path: path, line: line, expected: width, got: row.cells.count)
                }
                row.line = line
                row.lineRange = p..<trimmedEnd
                try body(row)
                p = lineEnd + 1
            }
        }
    }
}
