/// The k nearest training rows of each query row: Euclidean distances ascending, with the
/// training-row indices, both `rows × k` row-major.
public struct NeighbourTable: Sendable {
    /// Number of query rows.
    public let rows: Int
    /// Neighbours per row.
    public let k: Int
    /// Euclidean distances, ascending within each row.
    public var distances: [Double]
    /// Training-row index of each neighbour, aligned with `distances`.
    public var indices: [Int]

    /// An all-zero table of the given shape.
    init(rows: Int, k: Int) {
        self.rows = rows
        self.k = k
        distances = [Double](repeating: 0, count: rows * k)
        indices = [Int](repeating: 0, count: rows * k)
    }
}

/// The k best (smallest squared distance) candidates seen so far, kept sorted; k is small (≤ ~100),
/// so insertion by shifting beats a heap.
struct NearestCandidates {
    let k: Int
    var count = 0
    var squared: [Double]
    var index: [Int]

    init(k: Int) {
        self.k = k
        squared = [Double](repeating: .infinity, count: k)
        index = [Int](repeating: -1, count: k)
    }

    /// Squared distance a candidate must beat to enter (∞ until k are held).
    @inline(__always) var worst: Double { squared[k - 1] }

    mutating func reset() {
        count = 0
        for i in 0..<k { squared[i] = .infinity; index[i] = -1 }
    }

    /// Inserts `(d2, i)` if it beats the worst held; ties keep the earlier candidate first.
    @inline(__always) mutating func offer(_ d2: Double, _ i: Int) {
        guard d2 < squared[k - 1] else { return }
        var p = k - 1
        while p > 0 && squared[p - 1] > d2 {
            squared[p] = squared[p - 1]
            index[p] = index[p - 1]
            p -= 1
        }
        squared[p] = d2
        index[p] = i
        count = min(count + 1, k)
    }

    /// Writes the held neighbours as distances (square roots) into row `r` of `table`.
    func write(into table: UnsafeMutableBufferPointer<Double>, _ ids: UnsafeMutableBufferPointer<Int>, row r: Int) {
        for j in 0..<k {
            table[r * k + j] = squared[j].squareRoot()
            ids[r * k + j] = index[j]
        }
    }
}
