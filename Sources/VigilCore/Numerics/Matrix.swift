/// A dense row-major matrix of `Double`: `rows × cols` values in one contiguous array.
///
/// Every detector takes and returns data in this shape; row `r`, column `c` lives at
/// `values[r * cols + c]`.
public struct Matrix: Sendable, Codable, Equatable {
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features).
    public let cols: Int
    /// The values, row after row.
    public var values: [Double]

    /// Wraps `values` as a `rows × cols` matrix; `values.count` must equal `rows * cols`.
    public init(rows: Int, cols: Int, values: [Double]) throws {
        guard rows >= 0, cols >= 0, values.count == rows * cols else {
            throw VigilError.shapeMismatch(expected: "\(rows) × \(cols) = \(rows * cols) values", got: "\(values.count) values")
        }
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    /// Builds a matrix from rows of equal length.
    public init(_ rowArrays: [[Double]]) throws {
        let cols = rowArrays.first?.count ?? 0
        var flat = [Double]()
        flat.reserveCapacity(rowArrays.count * cols)
        for (index, row) in rowArrays.enumerated() {
            guard row.count == cols else {
                throw VigilError.raggedRow(row: index, expected: cols, got: row.count)
            }
            flat.append(contentsOf: row)
        }
        try self.init(rows: rowArrays.count, cols: cols, values: flat)
    }

    /// The value at row `r`, column `c`.
    @inlinable
    public subscript(r: Int, c: Int) -> Double {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    /// A copy of column `c`.
    public func column(_ c: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows { out[r] = v[r * cols + c] }
        }
        return out
    }

    /// A copy of row `r`.
    public func row(_ r: Int) -> [Double] {
        Array(values[(r * cols)..<((r + 1) * cols)])
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * cols)
        for r in indices { out.append(contentsOf: values[(r * cols)..<((r + 1) * cols)]) }
        // Shape is consistent by construction.
        return Matrix(unchecked: indices.count, cols: cols, values: out)
    }

    @usableFromInline
    init(unchecked rows: Int, cols: Int, values: [Double]) {
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    /// Throws if any value is NaN or ±infinity, naming the first offending row and column.
    public func requireFinite(featureNames: [String]? = nil) throws {
        try values.withUnsafeBufferPointer { v in
            for i in 0..<v.count where !v[i].isFinite {
                let c = i % max(cols, 1)
                let name = featureNames.flatMap { c < $0.count ? $0[c] : nil } ?? "column \(c)"
                throw VigilError.nonFinite(row: i / max(cols, 1), column: name, value: v[i])
            }
        }
    }

    /// Throws if any value is ±infinity (NaN is allowed), naming the first offending row and column.
    public func requireNoInfinity(featureNames: [String]? = nil) throws {
        try values.withUnsafeBufferPointer { v in
            for i in 0..<v.count where v[i].isInfinite {
                let c = i % max(cols, 1)
                let name = featureNames.flatMap { c < $0.count ? $0[c] : nil } ?? "column \(c)"
                throw VigilError.nonFinite(row: i / max(cols, 1), column: name, value: v[i])
            }
        }
    }
}
