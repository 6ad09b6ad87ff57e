/// Rows with named columns, as the `/v1/ml/polars/*` endpoints return them (`columns` + `data`).
public struct FeatureTable: Sendable, Equatable, Codable {
    /// Column names in order.
    public var columns: [String]
    /// One array per row, one value per column (null where a row lacks the column).
    public var rows: [[FieldValue]]

    /// A table of `columns` and `rows`.
    public init(columns: [String], rows: [[FieldValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The rows as objects, column name → value.
    public var records: [Record] {
        rows.map { row in
            var record = Record(minimumCapacity: columns.count)
            for (name, value) in zip(columns, row) { record[name] = value }
            return record
        }
    }
}
