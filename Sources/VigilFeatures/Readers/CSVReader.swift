import VigilCore

extension Dataset {
    /// Reads a CSV file with a header row: every column is a numeric feature except `labelColumn`,
    /// which must hold 0/1 (`0`, `1`, `0.0`, `1.0`, `true`, `false`) and becomes `labels`.
    ///
    /// Accepts a UTF-8 BOM, CRLF line endings, a missing final newline, blank lines, spaces around
    /// cells and double-quoted cells (`""` for a quote; no newlines inside quotes). `nan`, `inf` and
    /// `-inf` parse to those values; the detectors decide whether they take them. An empty feature
    /// cell is an error. The file is read as bytes and parsed in parallel chunks split at line ends;
    /// errors name the first bad line in file order (lines counted from 1, header included).
    public static func readCSV(path: String, labelColumn: String?) throws -> Dataset {
        var bytes = try FileBytes.read(path, spare: 1)
        let count = bytes.count
        bytes.append(0x0A) // every line, the last included, now ends with "\n"

        let (start, headerEnd, headerLine) = try CSVHeader.locate(bytes, count: count, path: path)
        let header = CSVHeader.names(bytes[start..<headerEnd])

        var labelIndex = -1
        if let labelColumn {
            guard let index = header.firstIndex(of: labelColumn) else {
                throw DataReadError.missingLabelColumn(path: path, column: labelColumn, available: header)
            }
            labelIndex = index
        }
        let featureNames = header.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        let bodyStart = min(headerEnd + 1, count)

        let bounds = chunkBounds(bytes, from: bodyStart, to: count)
        let chunkCount = bounds.count - 1
        let featureCount = featureNames.count
        let hasLabels = labelIndex >= 0
        var chunks = [CSVChunk](repeating: CSVChunk(), count: chunkCount)
        var values = [Double]()
        var labels = [Double]()
        bytes.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let source = buffer.baseAddress!
            // Pass 1: lines per chunk bound its rows, so each chunk gets its own slice of the
            // output and pass 2 writes the values in place, in parallel.
            var lineCounts = [Int](repeating: 0, count: chunkCount)
            lineCounts.withUnsafeMutableBufferPointer { counts in
                nonisolated(unsafe) let slots = counts
                Parallel.forEach(chunkCount) { c in
                    slots[c] = CSVChunk.lineCount(source, from: bounds[c], to: bounds[c + 1])
                }
            }
            var firstLine = [0]
            for n in lineCounts { firstLine.append(firstLine.last! + n) }
            let lineTotal = firstLine.last!
            values = [Double](unsafeUninitializedCapacity: lineTotal * featureCount) { valueBuffer, valuesWritten in
                labels = [Double](unsafeUninitializedCapacity: hasLabels ? lineTotal : 0) { labelBuffer, labelsWritten in
                    chunks.withUnsafeMutableBufferPointer { out in
                        nonisolated(unsafe) let slots = out
                        nonisolated(unsafe) let valueBase = valueBuffer.baseAddress
                        nonisolated(unsafe) let labelBase = labelBuffer.baseAddress
                        // A placeholder address when there are no feature columns: nothing is written.
                        var none = 0.0
                        withUnsafeMutablePointer(to: &none) { nowhere in
                            nonisolated(unsafe) let nowhere = nowhere
                            Parallel.forEach(chunkCount) { c in
                                slots[c] = CSVChunk.parse(
                                    source, from: bounds[c], to: bounds[c + 1], columns: header.count, labelIndex: labelIndex,
                                    values: valueBase.map { $0 + firstLine[c] * featureCount } ?? nowhere,
                                    labels: labelBase.map { $0 + firstLine[c] })
                            }
                        }
                    }
                    // Blank lines leave gaps after a chunk's rows: close them (rare; a no-op otherwise).
                    var rowsSoFar = 0
                    for c in 0..<chunkCount {
                        let rows = chunks[c].rows
                        if rowsSoFar != firstLine[c] && rows > 0 {
                            if let base = valueBuffer.baseAddress {
                                (base + rowsSoFar * featureCount).update(from: base + firstLine[c] * featureCount, count: rows * featureCount)
                            }
                            if let base = labelBuffer.baseAddress {
                                (base + rowsSoFar).update(from: base + firstLine[c], count: rows)
                            }
                        }
                        rowsSoFar += rows
                        if chunks[c].failure != nil { break }
                    }
                    valuesWritten = rowsSoFar * featureCount
                    labelsWritten = hasLabels ? rowsSoFar : 0
                }
            }
        }
        bytes = [] // release the text before building the matrix

        // Chunks run in file order and each stops at its first bad line, so the first chunk with
        // a failure holds the file's first bad line.
        var linesBefore = headerLine
        var rowCount = 0
        for chunk in chunks {
            if let (offset, what) = chunk.failure {
                let line = linesBefore + offset + 1
                switch what {
                case .ragged(let got):
                    throw DataReadError.raggedRow(path: path, line: line, expected: header.count, got: got)
                case .nonNumeric(let column, let cell):
                    throw DataReadError.nonNumericCell(path: path, line: line, column: header[column], cell: cell)
                case .badLabel(let column, let cell):
                    throw DataReadError.invalidLabel(path: path, line: line, column: header[column], cell: cell)
                }
            }
            linesBefore += chunk.lines
            rowCount += chunk.rows
        }
        guard rowCount > 0 else { throw DataReadError.headerOnly(path: path) }
        let features = try Matrix(rows: rowCount, cols: featureCount, values: values)
        return Dataset(features: features, featureNames: featureNames, labels: hasLabels ? labels : nil)
    }

    /// Cut points splitting `[from, to)` into runs of whole lines, about four per thread for files
    /// over 1 MiB (one run otherwise).
    private static func chunkBounds(_ bytes: [UInt8], from: Int, to: Int) -> [Int] {
        let pieces = to - from > 1 << 20 ? max(1, Parallel.threadCount * 4) : 1
        var bounds = [from]
        if pieces > 1 {
            for piece in 1..<pieces {
                var cut = from + (to - from) / pieces * piece
                while cut < to && bytes[cut - 1] != 0x0A { cut += 1 }
                if cut > bounds.last! && cut < to { bounds.append(cut) }
            }
        }
        bounds.append(to)
        return bounds
    }
}
