/// Errors of the model registry; each says what was asked for and what is wrong.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No version matches the reference; `closeNames` lists similar names and versions.
    case notFound(reference: String, backend: String?, closeNames: [String])
    /// A model name breaks the naming rule.
    case invalidName(name: String, reason: String)
    /// A metadata field has an unusable value.
    case invalidField(field: String, value: String, reason: String)
    /// A stored blob does not match its recorded SHA-256.
    case checksumMismatch(version: String, expected: String, actual: String)
    /// The store cannot be reached, opened or written.
    case storageUnavailable(store: String, reason: String)
    /// The store was migrated by a newer Vigil than this one.
    case newerSchema(store: String, found: Int, supported: Int)
    /// A database URL cannot be used.
    case invalidURL(url: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let reference, let backend, let close):
            let scope = backend.map { " for backend \($0)" } ?? ""
            let hint = close.isEmpty ? "no similar names" : "did you mean: \(close.joined(separator: ", "))"
            return "no model version matches '\(reference)'\(scope) (\(hint))"
        case .invalidName(let name, let reason):
            return "invalid model name '\(name)': \(reason)"
        case .invalidField(let field, let value, let reason):
            return "invalid \(field) '\(value)': \(reason)"
        case .checksumMismatch(let version, let expected, let actual):
            return "model version \(version) is corrupted: blob SHA-256 is \(actual), recorded \(expected)"
        case .storageUnavailable(let store, let reason):
            return "model registry \(store) is unavailable: \(reason)"
        case .newerSchema(let store, let found, let supported):
            return "model registry \(store) has schema version \(found), newer than this vigil supports (\(supported)); upgrade vigil"
        case .invalidURL(let url, let reason):
            return "invalid database URL '\(url)': \(reason)"
        }
    }
}
