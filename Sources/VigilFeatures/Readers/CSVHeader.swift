/// Splitting the CSV header line into column names.
enum CSVHeader {
    /// Finds the header line in `bytes` (`count` file bytes followed by a `\n`): skips a UTF-8
    /// BOM and blank lines. Returns where the line starts and ends (at its `\n`) and its line
    /// number; throws ``DataReadError/emptyFile(path:)`` when only blanks remain.
    static func locate(_ bytes: [UInt8], count: Int, path: String) throws -> (start: Int, end: Int, line: Int) {
        var start = 0
        if count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        var line = 1
        while true {
            var q = start
            while q < count && CSVChunk.isBlank(bytes[q]) { q += 1 }
            guard q < count else { throw DataReadError.emptyFile(path: path) }
            if bytes[q] != 0x0A { break }
            start = q + 1
            line += 1
        }
        var end = start
        while bytes[end] != 0x0A { end += 1 }
        return (start, end, line)
    }

    /// The names in `line` (no trailing `\n`): cells split at commas outside double quotes,
    /// quotes removed (`""` → `"`), surrounding spaces and a trailing `\r` dropped.
    static func names(_ line: ArraySlice<UInt8>) -> [String] {
        var names = [String]()
        var cell = [UInt8]()
        var quoted = false
        var i = line.startIndex
        func finish() {
            var s = 0, e = cell.count
            while s < e && CSVChunk.isBlank(cell[s]) { s += 1 }
            while e > s && CSVChunk.isBlank(cell[e - 1]) { e -= 1 }
            names.append(String(decoding: cell[s..<e], as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
        }
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == 0x22 {
                    if i + 1 < line.endIndex && line[i + 1] == 0x22 {
                        cell.append(0x22)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(c)
                }
            } else if c == 0x22 {
                quoted = true
            } else if c == 0x2C {
                finish()
            } else {
                cell.append(c)
            }
            i += 1
        }
        finish()
        return names
    }
}
