/// One run of whole CSV lines, parsed: how many rows and lines it held, and its first bad line if
/// there is one (parsing stops there). The values go straight into the caller's matrix storage.
struct CSVChunk: Sendable {
    /// What is wrong with a bad line.
    enum Failure: Sendable, Equatable {
        case ragged(got: Int)
        case nonNumeric(column: Int, cell: String)
        case badLabel(column: Int, cell: String)
    }

    /// Data rows parsed.
    var rows = 0
    /// Lines consumed (blank lines included), so line numbers can be rebuilt across chunks.
    var lines = 0
    /// The first bad line: its 0-based offset in lines from the chunk start, and what is wrong.
    var failure: (line: Int, what: Failure)?

    /// Bytes that may surround a cell.
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }

    /// The number of lines in `[from, to)`: its newlines, plus one for a last line without one.
    static func lineCount(_ b: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        var count = 0
        var i = from
        // Eight bytes at a time: a byte of `v` is zero where the text has '\n'; the high bit of
        // each byte of `zero` is set exactly for the zero bytes of `v` (no carries between bytes).
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let raw = UnsafeRawPointer(b)
        while i &+ 8 <= to {
            let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let zero = ~(((v & low7) &+ low7) | v | low7)
            count &+= zero.nonzeroBitCount
            i &+= 8
        }
        while i < to {
            count &+= b[i] == 0x0A ? 1 : 0
            i &+= 1
        }
        return b[to - 1] == 0x0A ? count : count + 1
    }

    /// Parses the lines in `[from, to)` of `b`, which must hold a `\n` at or after `to - 1`, so
    /// every scan stops. `columns` is the header's width; `labelIndex` is the label column or -1.
    /// Each row's features are written to `values` one after another and its label to
    /// `labels[row]`; both must have room for one row per line of the chunk.
    static func parse(_ b: UnsafePointer<UInt8>, from: Int, to: Int, columns: Int, labelIndex: Int,
                      values: UnsafeMutablePointer<Double>, labels: UnsafeMutablePointer<Double>?) -> CSVChunk {
        var chunk = CSVChunk()
        var written = 0
        var rows = 0
        var line = 0
        var p = from
        DecimalParser.powersOfTen.withUnsafeBufferPointer { powerBuffer in
            let powers = powerBuffer.baseAddress!
            rowLoop: while p < to {
                var q = p
                while isBlank(b[q]) { q &+= 1 }
                if b[q] == 0x0A { // blank line
                    p = q &+ 1
                    line &+= 1
                    continue
                }
                var column = 0
                while true {
                    // One cell starting at q (leading blanks skipped); `next` ends at its ',' or '\n'.
                    var value = 0.0
                    var next = q
                    var tokenEnd = q
                    var parsed = false
                    if let (v, end) = DecimalParser.parseFast(b, q, powers: powers) {
                        var e = end
                        while isBlank(b[e]) { e &+= 1 }
                        if b[e] == 0x2C || b[e] == 0x0A {
                            value = v
                            next = e
                            tokenEnd = end
                            parsed = true
                        }
                    }
                    var cellText: Range<Int> = q..<tokenEnd
                    var unescaped: [UInt8]?
                    if !parsed {
                        (cellText, unescaped, next) = slowCell(b, q)
                        let number: Double? = unescaped.map { bytes in bytes.withUnsafeBufferPointer { DecimalParser.parse($0) } }
                            ?? DecimalParser.parse(UnsafeBufferPointer(start: b + cellText.lowerBound, count: cellText.count))
                        if let number {
                            value = number
                            parsed = true
                        }
                    }
                    if column == labelIndex {
                        if parsed && (value == 0 || value == 1) {
                            labels?[rows] = value
                        } else if let word = booleanWord(unescaped ?? Array(UnsafeBufferPointer(start: b + cellText.lowerBound, count: cellText.count))) {
                            labels?[rows] = word ? 1 : 0
                        } else {
                            // A row of the wrong width is reported as such, not by a shifted cell.
                            let cells = cellCount(b, from: p)
                            chunk.failure = (line, cells != columns ? .ragged(got: cells)
                                : .badLabel(column: column, cell: text(b, cellText, unescaped)))
                            break rowLoop
                        }
                    } else {
                        guard parsed else {
                            let cells = cellCount(b, from: p)
                            chunk.failure = (line, cells != columns ? .ragged(got: cells)
                                : .nonNumeric(column: column, cell: text(b, cellText, unescaped)))
                            break rowLoop
                        }
                        values[written] = value
                        written &+= 1
                    }
                    column &+= 1
                    if b[next] == 0x0A {
                        p = next &+ 1
                        break
                    }
                    // A comma: another cell follows.
                    if column == columns {
                        chunk.failure = (line, .ragged(got: cellCount(b, from: p)))
                        break rowLoop
                    }
                    q = next &+ 1
                    while isBlank(b[q]) { q &+= 1 }
                }
                if column != columns {
                    chunk.failure = (line, .ragged(got: column))
                    break rowLoop
                }
                rows &+= 1
                line &+= 1
            }
        }
        chunk.rows = rows
        chunk.lines = line
        return chunk
    }

    /// A cell the fast path could not take: a quoted cell, a word, an empty cell, a long number.
    /// Returns the trimmed text range, the unescaped bytes when the cell was quoted, and the index
    /// of the `,` or `\n` that ends it.
    static func slowCell(_ b: UnsafePointer<UInt8>, _ start: Int) -> (Range<Int>, [UInt8]?, Int) {
        var i = start
        if b[i] == 0x22 { // "quoted", with "" for a quote inside
            var content = [UInt8]()
            i += 1
            while b[i] != 0x0A {
                if b[i] == 0x22 {
                    if b[i + 1] == 0x22 { content.append(0x22); i += 2; continue }
                    i += 1
                    break
                }
                content.append(b[i])
                i += 1
            }
            // Anything between the closing quote and the delimiter stays part of the cell.
            let restStart = i
            while b[i] != 0x2C && b[i] != 0x0A { i += 1 }
            var restEnd = i
            while restEnd > restStart && isBlank(b[restEnd - 1]) { restEnd -= 1 }
            content.append(contentsOf: UnsafeBufferPointer(start: b + restStart, count: restEnd - restStart))
            var s = 0, e = content.count
            while s < e && isBlank(content[s]) { s += 1 }
            while e > s && isBlank(content[e - 1]) { e -= 1 }
            return (start..<i, Array(content[s..<e]), i)
        }
        while b[i] != 0x2C && b[i] != 0x0A { i += 1 }
        var end = i
        while end > start && isBlank(b[end - 1]) { end -= 1 }
        return (start..<end, nil, i)
    }

    /// The number of cells in the line starting at `start` (commas outside quotes, plus one).
    static func cellCount(_ b: UnsafePointer<UInt8>, from start: Int) -> Int {
        var count = 1
        var quoted = false
        var i = start
        while b[i] != 0x0A {
            if b[i] == 0x22 { quoted.toggle() } else if b[i] == 0x2C && !quoted { count += 1 }
            i += 1
        }
        return count
    }

    /// `true`/`false` in any letter case, or nil.
    static func booleanWord(_ bytes: [UInt8]) -> Bool? {
        switch String(decoding: bytes, as: UTF8.self).lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    static func text(_ b: UnsafePointer<UInt8>, _ range: Range<Int>, _ unescaped: [UInt8]?) -> String {
        if let unescaped { return String(decoding: unescaped, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(start: b + range.lowerBound, count: range.count), as: UTF8.self)
    }
}
