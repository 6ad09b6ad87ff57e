import Foundation
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

    private enum CodingKeys: String, CodingKey { case capacity, width, values, start, count }

    /// Encodes the numbers as their raw 8-byte little-endian values (base64 in JSON): exact, NaN
    /// included, and far quicker to write and read than a JSON number per value for a large window.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(width, forKey: .width)
        try c.encode(start, forKey: .start)
        try c.encode(count, forKey: .count)
        let bits = values.map { $0.bitPattern.littleEndian }
        try c.encode(bits.withUnsafeBytes { Data($0) }, forKey: .values)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        capacity = try c.decode(Int.self, forKey: .capacity)
        width = try c.decode(Int.self, forKey: .width)
        start = try c.decode(Int.self, forKey: .start)
        count = try c.decode(Int.self, forKey: .count)
        let data = try c.decode(Data.self, forKey: .values)
        guard capacity > 0, width >= 0, count >= 0, count <= capacity, start >= 0, start < capacity,
              data.count == count * width * 8, count == capacity || start == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: c, debugDescription: "window layout does not add up")
        }
        var bits = [UInt64](repeating: 0, count: count * width)
        _ = bits.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        values = bits.map { Double(bitPattern: UInt64(littleEndian: $0)) }
    }

    /// Drops every row.
    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        start = 0
        count = 0
    }
}
