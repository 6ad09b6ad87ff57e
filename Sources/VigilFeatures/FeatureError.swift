/// Errors from schemas, encoders, scalers and rolling features; each names the field, value or
/// limit at fault, so the service can answer 400/422 with a one-line `detail` and the CLI can
/// print one line and exit 2.
public enum FeatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A schema names a type that is not one of the six.
    case unknownFieldType(field: String, type: String)
    /// A schema entry is neither a type name nor an object with `type` (and optional `missing`).
    case invalidSchemaEntry(field: String, reason: String)
    /// A `missing` policy that is not `zero`, `mean` or `error`.
    case unknownMissingPolicy(field: String, policy: String)
    /// The schema has no fields.
    case emptySchema
    /// Fitting needs at least one record or row.
    case noData(String)
    /// A field is absent or null and its policy is `error`.
    case missingValue(field: String, row: Int)
    /// A `numeric` field holds something that is not a number and its policy is `error`.
    case notANumber(field: String, row: Int, value: String)
    /// A NaN or ±infinity where a finite number is needed.
    case nonFinite(field: String, row: Int, value: Double)
    /// A computed feature is NaN or ±infinity: its column's values overflow the statistic.
    case featureOverflow(feature: String, row: Int, value: Double)
    /// A matrix with a different number of columns than the fitted transform.
    case columnCountMismatch(expected: Int, got: Int)
    /// A scaler name that is not `robust`, `standard`, `minmax` or `none`.
    case unknownScaler(String)
    /// A window, lag, bound or buffer size out of its range.
    case invalidParameter(name: String, value: String, requirement: String)
    /// A rolling statistic that is not `mean`, `std`, `min` or `max`.
    case unknownStatistic(String)
    /// A time span that is not a positive number with an optional `s`, `m`, `h`, `d` or `w` unit.
    case invalidTimeSpan(String)
    /// An event lacks the configured entity or timestamp field.
    case missingEventField(field: String, row: Int)
    /// A timestamp that is neither epoch seconds nor ISO 8601.
    case invalidTimestamp(field: String, row: Int, value: String)

    /// One line saying what is wrong and with which field, value or limit.
    public var description: String {
        switch self {
        case .unknownFieldType(let field, let type):
            return "schema field '\(field)': unknown type '\(type)'; valid types: "
                + FieldType.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidSchemaEntry(let field, let reason):
            return "schema field '\(field)': \(reason)"
        case .unknownMissingPolicy(let field, let policy):
            return "schema field '\(field)': unknown missing policy '\(policy)'; valid: "
                + MissingPolicy.allCases.map(\.rawValue).joined(separator: ", ")
        case .emptySchema:
            return "schema has no fields"
        case .noData(let what):
            return "no data: \(what)"
        case .missingValue(let field, let row):
            return "row \(row): field '\(field)' is missing or null and its missing policy is 'error'"
        case .notANumber(let field, let row, let value):
            return "row \(row): field '\(field)' is numeric but holds \(Self.quoted(value))"
        case .nonFinite(let field, let row, let value):
            return "row \(row): field '\(field)' holds \(value); only finite numbers are accepted"
        case .featureOverflow(let feature, let row, let value):
            return "row \(row): feature '\(feature)' is \(value.isNaN ? "nan" : "\(value)"): "
                + "the column's values are too large for rolling statistics"
        case .columnCountMismatch(let expected, let got):
            return "expected \(expected) feature columns, got \(got)"
        case .unknownScaler(let name):
            return "unknown scaler '\(name)'; valid: " + ScalerKind.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidParameter(let name, let value, let requirement):
            return "\(name) = \(value): \(requirement)"
        case .unknownStatistic(let name):
            return "unknown rolling statistic '\(name)'; valid: " + RollingStat.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidTimeSpan(let text):
            return "time window \(Self.quoted(text)) is not a positive number with an optional unit s, m, h, d or w (e.g. 1h, 24h)"
        case .missingEventField(let field, let row):
            return "event \(row): no value for the configured field '\(field)'"
        case .invalidTimestamp(let field, let row, let value):
            return "event \(row): field '\(field)' holds \(Self.quoted(value)), not epoch seconds or an ISO 8601 time"
        }
    }

    /// The value in quotes, cut to 60 characters so one bad value cannot flood a log line.
    static func quoted(_ text: String) -> String {
        text.count > 60 ? "'\(text.prefix(60))…'" : "'\(text)'"
    }
}
