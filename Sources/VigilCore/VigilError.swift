/// Errors raised by `VigilCore`; each case carries what a person needs to fix the input.
public enum VigilError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data has no rows (or no columns).
    case emptyData(String)
    /// A matrix's value count does not match its shape.
    case shapeMismatch(expected: String, got: String)
    /// A row has a different number of values from the first row.
    case raggedRow(row: Int, expected: Int, got: Int)
    /// A NaN or infinite value where the detector needs finite numbers.
    case nonFinite(row: Int, column: String, value: Double)
    /// Rows to score have a different number of features than the model was fitted on.
    case featureCountMismatch(expected: Int, got: Int)
    /// A parameter is outside its allowed range.
    case invalidParameter(name: String, value: String, allowed: String)
    /// The backend name is not one Vigil has.
    case unknownBackend(String, valid: [String])
    /// Labels and scores differ in length, or labels are not 0/1.
    case invalidLabels(String)
    /// An explanation was asked of a backend that cannot give one.
    case notExplainable(backend: String, explainable: [String])

    public var description: String {
        switch self {
        case .emptyData(let what):
            return "empty data: \(what)"
        case .shapeMismatch(let expected, let got):
            return "shape mismatch: expected \(expected), got \(got)"
        case .raggedRow(let row, let expected, let got):
            return "row \(row) has \(got) values, expected \(expected)"
        case .nonFinite(let row, let column, let value):
            return "non-finite value \(value) in row \(row), \(column)"
        case .featureCountMismatch(let expected, let got):
            return "model expects \(expected) features, data has \(got)"
        case .invalidParameter(let name, let value, let allowed):
            return "\(name) = \(value) is invalid: must be \(allowed)"
        case .unknownBackend(let name, let valid):
            return "unknown backend '\(name)'; valid backends: \(valid.joined(separator: ", "))"
        case .invalidLabels(let why):
            return "invalid labels: \(why)"
        case .notExplainable(let backend, let explainable):
            return "explain: backend '\(backend)' cannot attribute its scores to features; "
                + "backends that can: \(explainable.joined(separator: ", "))"
        }
    }
}
