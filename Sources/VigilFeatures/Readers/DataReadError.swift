/// Errors reading a data file; each `description` is one line naming the file, row and column.
public enum DataReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The file has no bytes (or only whitespace).
    case emptyFile(path: String)
    /// A header and no data rows.
    case headerOnly(path: String)
    /// A row with a different number of cells than the header (row = line number in the file).
    case raggedRow(path: String, row: Int, expected: Int, got: Int)
    /// A feature cell that is not a number.
    case notANumber(path: String, row: Int, column: String, cell: String)
    /// The named label column is not in the header.
    case missingLabelColumn(path: String, column: String, available: [String])
    /// A label that is not 0 or 1.
    case invalidLabel(path: String, row: Int, cell: String)
    /// A `.npz`/`.npy` that cannot be parsed.
    case invalidArchive(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .emptyFile(let path):
            return "\(path) is empty"
        case .headerOnly(let path):
            return "\(path) has a header but no data rows"
        case .raggedRow(let path, let row, let expected, let got):
            return "\(path) line \(row) has \(got) cells, the header has \(expected)"
        case .notANumber(let path, let row, let column, let cell):
            return "\(path) line \(row), column '\(column)': '\(cell)' is not a number"
        case .missingLabelColumn(let path, let column, let available):
            return "\(path) has no label column '\(column)'; columns: \(available.prefix(20).joined(separator: ", "))"
        case .invalidLabel(let path, let row, let cell):
            return "\(path) line \(row): label '\(cell)' is not 0 or 1"
        case .invalidArchive(let path, let reason):
            return "\(path) is not a readable .npz: \(reason)"
        }
    }
}
