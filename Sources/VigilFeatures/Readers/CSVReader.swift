import VigilCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Dataset {
    /// Reads a CSV file with a header row: every column is a numeric feature except `labelColumn`,
    /// which must hold 0/1 (or true/false) and becomes `labels`.
    ///
    /// Accepts a UTF-8 BOM, CRLF line endings, double-quoted cells and blank lines; `nan` and
    /// `inf` parse to those values (the detectors decide whether they accept them). The file is
    /// parsed as bytes, in parallel chunks split at line ends.
    public static func readCSV(path: String, labelColumn: String?) throws -> Dataset {
        var bytes = try FileBytes.read(path)
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        // Skip leading blank lines.
        while start < bytes.count && (bytes[start] == 0x0A || bytes[start] == 0x0D || bytes[start] == 0x20) { start += 1 }
        guard start < bytes.count else { throw DataReadError.emptyFile(path: path) }
        bytes.append(0) // strtod needs a terminator
        let end = bytes.count - 1

        var headerEnd = start
        while headerEnd < end && bytes[headerEnd] != 0x0A { headerEnd += 1 }
        let header = CSVLine.cells(bytes[start..<headerEnd]).map { String(decoding: $0, as: UTF8.self) }
        let labelIndex: Int?
        if let labelColumn {
            guard let i = header.firstIndex(of: labelColumn) else {
                throw DataReadError.missingLabelColumn(path: path, column: labelColumn, available: header)
            }
            labelIndex = i
        } else {
            labelIndex = nil
        }
        let featureNames = header.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        let bodyStart = min(headerEnd + 1, end)

        // Chunks split at line ends, parsed in parallel.
        let threads = Parallel.threadCount
        let pieces = end - bodyStart > 1 << 20 ? threads * 4 : 1
        var bounds = [bodyStart]
        for p in 1..<pieces {
            var cut = bodyStart + (end - bodyStart) * p / pieces
            while cut < end && bytes[cut - 1] != 0x0A { cut += 1 }
            if cut > bounds.last! { bounds.append(cut) }
        }
        bounds.append(end)
        let chunkCount = bounds.count - 1
        var results = [CSVChunk](repeating: CSVChunk(), count: chunkCount)
        bytes.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let source = buffer
            results.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let slots = out
                Parallel.forEach(chunkCount) { c in
                    slots[c] = CSVChunk.parse(source, from: bounds[c], to: bounds[c + 1],
                                              columns: header.count, labelIndex: labelIndex)
                }
            }
        }
        // The first failure in file order, with its line number in the file.
        var linesBefore = 2 + bytes[start..<headerEnd].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        var rowCount = 0
        for chunk in results {
            if let failure = chunk.failure {
                let line = linesBefore + failure.line
                switch failure.kind {
                case .ragged(let got):
                    throw DataReadError.raggedRow(path: path, row: line, expected: header.count, got: got)
                case .notANumber(let column, let cell):
                    throw DataReadError.notANumber(path: path, row: line, column: header[column], cell: cell)
                case .badLabel(let cell):
                    throw DataReadError.invalidLabel(path: path, row: line, cell: cell)
                }
            }
            linesBefore += chunk.lines
            rowCount += chunk.rows
        }
        guard rowCount > 0 else { throw DataReadError.headerOnly(path: path) }
        var values = [Double]()
        values.reserveCapacity(rowCount * featureNames.count)
        var labels = [Double]()
        if labelIndex != nil { labels.reserveCapacity(rowCount) }
        for chunk in results {
            values.append(contentsOf: chunk.values)
            labels.append(contentsOf: chunk.labels)
        }
        let matrix = try Matrix(rows: rowCount, cols: featureNames.count, values: values)
        return Dataset(features: matrix, featureNames: featureNames, labels: labelIndex == nil ? nil : labels)
    }
}

/// One parsed chunk of CSV lines.
struct CSVChunk: Sendable {
    enum FailureKind: Sendable {
        case ragged(got: Int)
        case notANumber(column: Int, cell: String)
        case badLabel(cell: String)
    }

    var values: [Double] = []
    var labels: [Double] = []
    var rows = 0
    /// Newlines seen (blank lines included), for line numbers.
    var lines = 0
    /// The first bad line: its offset in lines from the chunk start, and what is wrong.
    var failure: (line: Int, kind: FailureKind)?

    static func parse(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int, columns: Int, labelIndex: Int?) -> CSVChunk {
        var chunk = CSVChunk()
        chunk.values.reserveCapacity((to - from) / 8)
        let base = b.baseAddress!
        var p = from
        while p < to {
            // One line: [p, lineEnd).
            var lineEnd = p
            while lineEnd < to && b[lineEnd] != 0x0A { lineEnd += 1 }
            var contentEnd = lineEnd
            while contentEnd > p && (b[contentEnd - 1] == 0x0D || b[contentEnd - 1] == 0x20) { contentEnd -= 1 }
            defer {
                p = lineEnd + 1
                chunk.lines += 1
            }
            if contentEnd == p { continue } // blank line
            var column = 0
            var q = p
            let rowStartCount = chunk.values.count
            while true {
                // One cell starting at q.
                var cellStart = q, cellEnd = q
                var next = q
                if b[q] == 0x22 { // quoted
                    cellStart = q + 1
                    cellEnd = cellStart
                    while cellEnd < contentEnd && b[cellEnd] != 0x22 { cellEnd += 1 }
                    next = min(cellEnd + 1, contentEnd)
                    while next < contentEnd && b[next] != 0x2C { next += 1 }
                } else {
                    while cellEnd < contentEnd && b[cellEnd] != 0x2C { cellEnd += 1 }
                    next = cellEnd
                }
                if column < columns {
                    var value = Double.nan
                    let ok = parseNumber(base, cellStart, cellEnd, into: &value)
                    if column == labelIndex {
                        if ok && (value == 0 || value == 1) {
                            chunk.labels.append(value)
                        } else if let word = boolWord(base, cellStart, cellEnd) {
                            chunk.labels.append(word ? 1 : 0)
                        } else {
                            chunk.failure = (chunk.lines, .badLabel(cell: text(base, cellStart, cellEnd)))
                            return chunk
                        }
                    } else if ok {
                        chunk.values.append(value)
                    } else {
                        chunk.failure = (chunk.lines, .notANumber(column: column, cell: text(base, cellStart, cellEnd)))
                        return chunk
                    }
                }
                column += 1
                if next >= contentEnd { break }
                q = next + 1
            }
            if column != columns {
                chunk.values.removeSubrange(rowStartCount...)
                chunk.failure = (chunk.lines, .ragged(got: column))
                return chunk
            }
            chunk.rows += 1
        }
        return chunk
    }

    /// Parses [start, end) as a whole number (surrounding spaces allowed).
    @inline(__always)
    static func parseNumber(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into value: inout Double) -> Bool {
        var s = start, e = end
        while s < e && base[s] == 0x20 { s += 1 }
        while e > s && base[e - 1] == 0x20 { e -= 1 }
        guard s < e else { return false }
        var stop: UnsafeMutablePointer<CChar>?
        let v = base.withMemoryRebound(to: CChar.self, capacity: end + 1) { chars in
            strtod(chars + s, &stop)
        }
        guard let stop else { return false }
        let consumed = base.withMemoryRebound(to: CChar.self, capacity: end + 1) { chars in chars.distance(to: stop) }
        guard consumed == e else { return false }
        value = v
        return true
    }

    static func boolWord(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool? {
        switch text(base, start, end).trimmedSpaces().lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    static func text(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, end - start)), as: UTF8.self)
    }
}

/// Splitting one header line into cells.
enum CSVLine {
    static func cells(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var trimmed = line
        while let last = trimmed.last, last == 0x0D || last == 0x20 { trimmed = trimmed.dropLast() }
        var out = [ArraySlice<UInt8>]()
        var i = trimmed.startIndex
        while i <= trimmed.endIndex {
            if i < trimmed.endIndex && trimmed[i] == 0x22 {
                var j = i + 1
                while j < trimmed.endIndex && trimmed[j] != 0x22 { j += 1 }
                out.append(trimmed[(i + 1)..<j])
                var k = min(j + 1, trimmed.endIndex)
                while k < trimmed.endIndex && trimmed[k] != 0x2C { k += 1 }
                i = k + 1
            } else {
                var j = i
                while j < trimmed.endIndex && trimmed[j] != 0x2C { j += 1 }
                out.append(trimmed[i..<j])
                i = j + 1
            }
        }
        return out
    }
}

extension String {
    fileprivate func trimmedSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " { s = s.dropFirst() }
        while let l = s.last, l == " " { s = s.dropLast() }
        return String(s)
    }
}
