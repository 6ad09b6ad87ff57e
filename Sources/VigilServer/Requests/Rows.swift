import VigilCore
import VigilFeatures

/// The `data` of a batch request: rows of numbers (`[[1.5, 2]]`, or `[1.5, 2]` for one column)
/// or records (`[{"amount": 1.5, "ua": "x"}]`) that a schema encodes.
enum Rows: Decodable, Sendable {
    /// Numeric rows, one matrix row each.
    case numeric(Matrix)
    /// Object rows.
    case records([Record])

    /// Number of rows.
    var count: Int {
        switch self {
        case .numeric(let m): m.rows
        case .records(let r): r.count
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let rows = try? container.decode([[Double]].self) {
            self = .numeric(try Self.matrix(rows, decoder: decoder))
        } else if let column = try? container.decode([Double].self) {
            self = .numeric(try Matrix(rows: column.count, cols: 1, values: column))
        } else if let records = try? container.decode([Record].self) {
            self = .records(records)
        } else {
            // Decode again by the first row's shape, so the error names the offending element.
            var probe = try decoder.unkeyedContainer()
            if (try? probe.decode(Record.self)) != nil {
                _ = try container.decode([Record].self)
            } else if (try? probe.decode(Double.self)) != nil {
                _ = try container.decode([Double].self)
            } else {
                _ = try container.decode([[Double]].self)
            }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "rows must be arrays of numbers or objects"))
        }
    }

    private static func matrix(_ rows: [[Double]], decoder: any Decoder) throws -> Matrix {
        do {
            return try Matrix(rows)
        } catch VigilError.raggedRow(let row, let expected, let got) {
            throw ServiceError.validation([ValidationIssue(
                type: "value_error", loc: [.key("data"), .index(row)],
                msg: "Value error, row \(row) has \(got) values, expected \(expected) like row 0")])
        }
    }
}
