/// The training rows of a neighbour-based detector with their search index. Stored in the model
/// file as packed values; the index is rebuilt when the model is read (deterministic, O(n log n)).
public struct IndexedTrainingSet: Sendable, Codable, Equatable {
    /// The search index over the training rows.
    public let index: NearestNeighbourIndex

    /// The training rows.
    public var matrix: Matrix { index.training }

    /// Indexes `x`.
    public init(_ x: Matrix) { index = NearestNeighbourIndex(x) }

    private enum CodingKeys: String, CodingKey { case rows, cols, values }

    /// Reads the rows and rebuilds the index, refusing a shape that does not fit the values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows), cols = try c.decode(Int.self, forKey: .cols)
        let values = try c.decode(Packed<Double>.self, forKey: .values).wrappedValue
        guard rows > 0, cols > 0, values.count == rows * cols, values.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: c,
                debugDescription: "expected \(rows) × \(cols) finite training values, got \(values.count)")
        }
        self.init(try Matrix(rows: rows, cols: cols, values: values))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(matrix.rows, forKey: .rows)
        try c.encode(matrix.cols, forKey: .cols)
        try c.encode(Packed(wrappedValue: matrix.values), forKey: .values)
    }

    public static func == (a: IndexedTrainingSet, b: IndexedTrainingSet) -> Bool { a.matrix == b.matrix }

    /// Checks training data for a neighbour detector: rows and columns present, finite values,
    /// and more rows than `neighbours` (each row needs that many others).
    static func validateTraining(_ x: Matrix, neighbours: Int, detector: String) throws {
        guard x.rows > 0, x.cols > 0 else { throw VigilError.emptyData("\(detector) needs at least one row and one column") }
        try x.requireFinite()
        guard neighbours < x.rows else {
            throw VigilError.invalidParameter(name: "n_neighbors", value: "\(neighbours)",
                allowed: "less than the number of training rows (\(x.rows)) for \(detector)")
        }
    }
}
