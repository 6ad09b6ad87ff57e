import Foundation
import VigilFeatures

/// One item of FastAPI's 422 answer: `{"type", "loc": ["body", field, ...], "msg", "input"}`,
/// the shape pydantic v2 gives a request-model violation.
public struct ValidationIssue: Error, Equatable, Sendable, Encodable {
    /// One step of a location: a field name or an array index.
    public enum Step: Equatable, Sendable, Encodable {
        /// A field name.
        case key(String)
        /// An array position.
        case index(Int)

        /// The step as text.
        public var text: String {
            switch self {
            case .key(let k): k
            case .index(let i): String(i)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .key(let k): try c.encode(k)
            case .index(let i): try c.encode(i)
            }
        }
    }

    /// pydantic's error type, e.g. `missing`, `float_type`, `json_invalid`, `literal_error`.
    public var type: String
    /// Where in the request: starts with `body`.
    public var loc: [Step]
    /// What is wrong, in pydantic's words.
    public var msg: String
    /// The offending value as sent (null when absent).
    public var input: FieldValue

    /// An issue at `loc` (without the leading `body`).
    public init(type: String, loc: [Step], msg: String, input: FieldValue = .null) {
        self.type = type
        self.loc = [.key("body")] + loc
        self.msg = msg
        self.input = input
    }

    /// A `missing` issue for a required field.
    public static func missing(_ field: String) -> ValidationIssue {
        ValidationIssue(type: "missing", loc: [.key(field)], msg: "Field required")
    }

    /// A `greater_than_equal` issue: the value at `loc` is below `bound` (pydantic's `ge=`).
    static func atLeast(_ loc: [Step], _ bound: String, input: Double) -> ValidationIssue {
        ValidationIssue(type: "greater_than_equal", loc: loc, msg: "Input should be greater than or equal to \(bound)",
                        input: .number(input))
    }

    /// A `less_than_equal` issue: the value at `loc` is above `bound` (pydantic's `le=`).
    static func atMost(_ loc: [Step], _ bound: String, input: Double) -> ValidationIssue {
        ValidationIssue(type: "less_than_equal", loc: loc, msg: "Input should be less than or equal to \(bound)",
                        input: .number(input))
    }

    /// A `too_long` issue: the list at `loc` has more than `limit` items (pydantic's `max_length=`).
    static func tooLong(_ loc: [Step], limit: Int) -> ValidationIssue {
        ValidationIssue(type: "too_long", loc: loc, msg: "List should have at most \(limit) items")
    }

    /// A `literal_error` issue: `value` is not one of `allowed`.
    public static func literal(_ field: String, value: String, allowed: [String]) -> ValidationIssue {
        let list = allowed.map { "'\($0)'" }
        let text = list.count > 1 ? list.dropLast().joined(separator: ", ") + " or " + list[list.count - 1] : list.joined()
        return ValidationIssue(type: "literal_error", loc: [.key(field)], msg: "Input should be \(text)", input: .string(value))
    }

    /// The issue a `DecodingError` describes; `body` is read again to quote the offending input.
    static func from(_ error: DecodingError, body: Data) -> ValidationIssue {
        switch error {
        case .keyNotFound(let key, let context):
            return ValidationIssue(type: "missing", loc: steps(context.codingPath + [key]), msg: "Field required")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let (kind, msg) = expectation(for: type)
            return ValidationIssue(type: kind, loc: steps(context.codingPath), msg: msg,
                                   input: value(at: context.codingPath, in: body))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return ValidationIssue(type: "json_invalid", loc: [], msg: "JSON decode error: \(underlying(context))")
            }
            return ValidationIssue(type: "value_error", loc: steps(context.codingPath),
                                   msg: "Value error, \(context.debugDescription)", input: value(at: context.codingPath, in: body))
        @unknown default:
            return ValidationIssue(type: "value_error", loc: [], msg: "\(error)")
        }
    }

    private static func underlying(_ context: DecodingError.Context) -> String {
        if let inner = context.underlyingError as NSError? {
            return inner.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return context.debugDescription
    }

    private static func expectation(for type: Any.Type) -> (String, String) {
        switch type {
        case is Double.Type, is Float.Type: ("float_type", "Input should be a valid number")
        case is Int.Type: ("int_type", "Input should be a valid integer")
        case is Bool.Type: ("bool_type", "Input should be a valid boolean")
        case is String.Type: ("string_type", "Input should be a valid string")
        case is [String: Any].Type: ("dict_type", "Input should be a valid dictionary")
        case is [Any].Type: ("list_type", "Input should be a valid list")
        default: ("model_type", "Input should be a valid dictionary or object")
        }
    }

    private static func steps(_ path: [any CodingKey]) -> [Step] {
        path.map { key in key.intValue.map(Step.index) ?? .key(key.stringValue) }
    }

    /// The JSON value at `path` in `body`, as a plain value (containers become null).
    private static func value(at path: [any CodingKey], in body: Data) -> FieldValue {
        guard var node = try? JSONDecoder().decode(JSONValue.self, from: body) else { return .null }
        for key in path {
            switch node {
            case .array(let items) where key.intValue.map({ $0 < items.count }) ?? false:
                node = items[key.intValue ?? 0]
            case .object(let fields) where fields[key.stringValue] != nil:
                node = fields[key.stringValue] ?? .scalar(.null)
            default:
                return .null
            }
        }
        if case .scalar(let v) = node { return v }
        return .null
    }
}

/// Any JSON value, read only to quote the input of a validation issue.
private enum JSONValue: Decodable {
    case scalar(FieldValue)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if let object = try? [String: JSONValue](from: decoder) {
            self = .object(object)
        } else if let array = try? [JSONValue](from: decoder) {
            self = .array(array)
        } else {
            self = .scalar(try FieldValue(from: decoder))
        }
    }
}
