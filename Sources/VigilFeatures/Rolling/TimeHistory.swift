/// One entity's recent rows for time windows: a growable ring of (time, values) holding at most
/// `maxRows` rows, and per time window a front index with compensated running sums.
///
/// Windows cover `(t − span, t]` of the newest event's time `t`, over rows in arrival order:
/// rows leave from the oldest arrival while older than `t − span`. Timestamps going backwards
/// are accepted: the late row joins the windows on arrival and leaves when every row that
/// arrived before it has left (eviction stops at the first row still inside the window).
struct TimeHistory: Sendable {
    private(set) var times: [Double] = []
    private(set) var values: [Double] = []
    private var capacity = 0
    /// Absolute index of the oldest held row, and one past the newest.
    private var start = 0, end = 0
    /// Per span: absolute index of the first row in the window.
    private var fronts: [Int]
    /// Per span × column: compensated sum (value, compensation) and present-value count.
    private var sums: [Double], compensations: [Double], counts: [Int]
    private let columns: Int

    init(spans: Int, columns: Int) {
        self.columns = columns
        fronts = [Int](repeating: 0, count: spans)
        sums = [Double](repeating: 0, count: spans * columns)
        compensations = sums
        counts = [Int](repeating: 0, count: spans * columns)
    }

    /// Appends the row `(t, row)` (NaN = missing) and writes, per column, `sum` and `mean` per
    /// span to `out` at `columnOffsets[c] + 2·k`, and per span the event count at `countOffset + k`.
    mutating func append(time t: Double, row: UnsafePointer<Double>, spans: [Double], maxRows: Int,
                         out: UnsafeMutablePointer<Double>, columnOffsets: (Int) -> Int, countOffset: Int) {
        if end - start == maxRows {
            for k in 0..<fronts.count where fronts[k] == start { remove(span: k) }
            start += 1
        }
        if end - start == capacity { grow(min(max(capacity * 2, 4), WindowLayout.powerOfTwo(atLeast: maxRows))) }
        let slot = end & (capacity - 1)
        times[slot] = t
        for c in 0..<columns { values[slot * columns + c] = row[c] }
        end += 1
        for k in 0..<fronts.count {
            for c in 0..<columns where !row[c].isNaN { add(row[c], span: k, column: c) }
            let cutoff = t - spans[k]
            while fronts[k] < end - 1 && times[fronts[k] & (capacity - 1)] <= cutoff { remove(span: k) }
            for c in 0..<columns {
                let i = k * columns + c
                let sum = sums[i] + compensations[i]
                let o = columnOffsets(c) + 2 * k
                out[o] = sum
                out[o + 1] = counts[i] > 0 ? sum / Double(counts[i]) : 0
            }
            out[countOffset + k] = Double(end - fronts[k])
        }
    }

    /// Removes the front row of span `k` from its sums and advances the front.
    private mutating func remove(span k: Int) {
        let slot = fronts[k] & (capacity - 1)
        for c in 0..<columns {
            let v = values[slot * columns + c]
            guard !v.isNaN else { continue }
            let i = k * columns + c
            counts[i] -= 1
            if counts[i] == 0 {
                sums[i] = 0
                compensations[i] = 0
            } else {
                add(-v, span: k, column: c, counting: false)
            }
        }
        fronts[k] += 1
    }

    /// Neumaier-compensated `sum += v` for span `k`, column `c`.
    private mutating func add(_ v: Double, span k: Int, column c: Int, counting: Bool = true) {
        let i = k * columns + c
        let s = sums[i], t = s + v
        compensations[i] += abs(s) >= abs(v) ? (s - t) + v : (v - t) + s
        sums[i] = t
        if counting { counts[i] += 1 }
    }

    /// Re-lays the held rows into a ring of `newCapacity` (a power of two).
    private mutating func grow(_ newCapacity: Int) {
        var newTimes = [Double](repeating: 0, count: newCapacity)
        var newValues = [Double](repeating: 0, count: newCapacity * columns)
        for a in start..<end {
            let from = a & (capacity - 1), to = a & (newCapacity - 1)
            newTimes[to] = times[from]
            for c in 0..<columns { newValues[to * columns + c] = values[from * columns + c] }
        }
        times = newTimes
        values = newValues
        capacity = newCapacity
    }
}
