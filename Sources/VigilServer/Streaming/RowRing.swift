import VigilCore

/// The newest `capacity` rows of `width` numbers, in one flat buffer that is overwritten in
/// place: appending costs O(width) and never allocates once full.
struct RowRing: Codable, Sendable, Equatable {
    /// Rows kept at most.
    let capacity: Int
    /// Numbers per row.
    let width: Int
    /// Row-major storage, `capacity × width` once full.
    private var values: [Double] = []
    /// Index of the oldest row once full.
    private var start = 0
    /// Rows held.
    private(set) var count = 0

    /// An empty ring.
    init(capacity: Int, width: Int) {
        self.capacity = capacity
        self.width = width
    }

    /// Appends a row (`row.count == width`), dropping the oldest when full.
    mutating func append(_ row: UnsafeBufferPointer<Double>) {
        precondition(row.count == width, "row width \(row.count) ≠ \(width)")
        if count < capacity {
            values.append(contentsOf: row)
            count += 1
        } else {
            let base = start * width
            values.withUnsafeMutableBufferPointer { v in
                for i in 0..<width { v[base + i] = row[i] }
            }
            start = (start + 1) % capacity
        }
    }

    /// The rows oldest first, as a matrix.
    func matrix() throws -> Matrix {
        var ordered = [Double]()
        ordered.reserveCapacity(count * width)
        ordered.append(contentsOf: values[(start * width)...])
        ordered.append(contentsOf: values[..<(start * width)])
        return try Matrix(rows: count, cols: width, values: ordered)
    }

    /// The rows oldest first.
    var rows: [[Double]] {
        (0..<count).map { i in
            let base = ((start + i) % capacity) * width
            return Array(values[base..<(base + width)])
        }
    }

    /// Drops every row.
    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        start = 0
        count = 0
    }
}
