/// Errors reading a data file (CSV or NumPy `.npz`); each `description` is one line that names the
/// file and, where there is one, the line, column and offending text.
///
/// CSV line numbers count every line of the file from 1, the header included, so they match what an
/// editor shows.
public enum DataReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file exists at `path`.
    case fileNotFound(path: String)
    /// The file exists but cannot be read (a directory, no permission, an I/O error).
    case unreadable(path: String, reason: String)
    /// The file has no bytes, or only blank lines.
    case emptyFile(path: String)
    /// A CSV with a header and no data rows.
    case headerOnly(path: String)
    /// A CSV line with a different number of cells than the header has columns.
    case raggedRow(path: String, line: Int, expected: Int, got: Int)
    /// A CSV feature cell that is not a number (an empty cell included).
    case nonNumericCell(path: String, line: Int, column: String, cell: String)
    /// The requested label column is not in the CSV header.
    case missingLabelColumn(path: String, column: String, available: [String])
    /// A CSV label cell that is not 0/1 (or true/false).
    case invalidLabel(path: String, line: Int, column: String, cell: String)
    /// A `y` array value that is not 0 or 1 (`index` is 0-based, as NumPy counts).
    case invalidLabelValue(path: String, index: Int, value: Double)
    /// The `.npz` is not a readable ZIP archive, is truncated or corrupted, or lacks the `X` array.
    case invalidArchive(path: String, reason: String)
    /// An array inside the `.npz` is not a valid `.npy` (bad magic, bad header, truncated data, wrong shape).
    case invalidArray(path: String, array: String, reason: String)
    /// An array's NumPy dtype is not one Vigil converts to numbers.
    case unsupportedDType(path: String, array: String, dtype: String)
    /// `X` and `y` disagree on the number of rows.
    case labelCountMismatch(path: String, rows: Int, labels: Int)

    /// One line naming the file and what is wrong where.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .emptyFile(let path):
            return "\(path): the file is empty"
        case .headerOnly(let path):
            return "\(path): the file has a header but no data rows"
        case .raggedRow(let path, let line, let expected, let got):
            return "\(path) line \(line): \(got) \(got == 1 ? "cell" : "cells"), expected \(expected) (one per header column)"
        case .nonNumericCell(let path, let line, let column, let cell):
            return "\(path) line \(line), column '\(column)': \(Self.quoted(cell)) is not a number"
        case .missingLabelColumn(let path, let column, let available):
            let shown = available.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
            let more = available.count > 30 ? " and \(available.count - 30) more" : ""
            return "\(path): no label column '\(column)'; the header has \(shown)\(more)"
        case .invalidLabel(let path, let line, let column, let cell):
            return "\(path) line \(line), label column '\(column)': \(Self.quoted(cell)) is not 0/1 or true/false"
        case .invalidLabelValue(let path, let index, let value):
            return "\(path): y[\(index)] = \(value) is not 0 or 1"
        case .invalidArchive(let path, let reason):
            return "\(path): not a readable .npz: \(reason)"
        case .invalidArray(let path, let array, let reason):
            return "\(path): array '\(array)' is not a valid .npy: \(reason)"
        case .unsupportedDType(let path, let array, let dtype):
            return "\(path): array '\(array)' has dtype '\(dtype)'; supported: "
                + "<f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1 (either byte order)"
        case .labelCountMismatch(let path, let rows, let labels):
            return "\(path): X has \(rows) rows but y has \(labels) labels"
        }
    }

    /// The cell text in quotes, cut to 60 characters so one bad cell cannot flood a log line.
    private static func quoted(_ cell: String) -> String {
        cell.count > 60 ? "'\(cell.prefix(60))…'" : "'\(cell)'"
    }
}
