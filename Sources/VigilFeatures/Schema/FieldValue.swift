/// One value of a record field as it arrives in JSON: a number, a string, a boolean or null.
///
/// Decodes from plain JSON values (`1.5`, `"a"`, `true`, `null`) and encodes back to them.
public enum FieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A JSON number (integers included).
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON boolean.
    case bool(Bool)
    /// JSON null (and, in records, an absent field).
    case null

    /// Decodes a plain JSON value; arrays and objects are rejected.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a number, string, boolean or null")
        }
    }

    /// Encodes as the plain JSON value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .bool(let b): try container.encode(b)
        case .null: try container.encodeNil()
        }
    }

    /// Whether this is `.null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The number, if this is `.number`.
    public var number: Double? { if case .number(let d) = self { return d } else { return nil } }

    /// The text Python's `str(v)` gives for the same JSON value, which the `hash`, `label`,
    /// `onehot` and `frequency` encoders key on: integral numbers below 2^53 print as integers
    /// (`5`, as a JSON integer decodes in Python), others with Swift's shortest round-trip form
    /// (`2.5`, `1e-07`); booleans as `True`/`False`; null as `None`.
    public var text: String {
        switch self {
        case .number(let d):
            if d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return String(Int64(d)) }
            return d.description
        case .string(let s): return s
        case .bool(let b): return b ? "True" : "False"
        case .null: return "None"
        }
    }

    /// The value as JSON would show it (strings quoted).
    public var description: String {
        if case .string(let s) = self { return "\"\(s)\"" }
        if case .null = self { return "null" }
        return text
    }
}

/// One record: field name → value. An absent field reads as null.
public typealias Record = [String: FieldValue]
