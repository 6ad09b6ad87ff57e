import Foundation

/// Columns of the RBF kernel matrix Q_ij = exp(−γ‖x_i − x_j‖²) over the training rows, computed on
/// demand (in parallel) and kept in a least-recently-used cache of float32 columns, as libsvm keeps
/// its `Qfloat` columns.
final class KernelColumnCache {
    let x: Matrix
    let gamma: Double
    private let rows: Int
    private let slots: Int
    private let storage: UnsafeMutablePointer<Float>
    private var slotOfColumn: [Int32]
    private var columnOfSlot: [Int]
    private var lastUse: [UInt64]
    private var clock: UInt64 = 0

    /// A cache of at most `bytes` (and at least two columns).
    init(_ x: Matrix, gamma: Double, bytes: Int) {
        self.x = x
        self.gamma = gamma
        rows = x.rows
        slots = max(2, min(x.rows, bytes / max(1, x.rows * MemoryLayout<Float>.stride)))
        storage = UnsafeMutablePointer<Float>.allocate(capacity: slots * x.rows)
        slotOfColumn = [Int32](repeating: -1, count: x.rows)
        columnOfSlot = [Int](repeating: -1, count: slots)
        lastUse = [UInt64](repeating: 0, count: slots)
    }

    deinit { storage.deallocate() }

    /// K(x_a, x_b) in double precision.
    static func kernel(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, cols: Int, gamma: Double) -> Double {
        var d2 = 0.0
        for c in 0..<cols { let t = a[c] - b[c]; d2 += t * t }
        return exp(-gamma * d2)
    }

    /// Column `i` (valid until it is evicted by a later call), computing it if absent. `pinned` is
    /// a column that must not be evicted (the other half of the working pair).
    func column(_ i: Int, pinned: Int = -1) -> UnsafePointer<Float> {
        clock += 1
        if slotOfColumn[i] >= 0 {
            let s = Int(slotOfColumn[i])
            lastUse[s] = clock
            return UnsafePointer(storage + s * rows)
        }
        var victim = 0
        var oldest = UInt64.max
        for s in 0..<slots where columnOfSlot[s] != pinned || columnOfSlot[s] < 0 {
            if lastUse[s] < oldest { oldest = lastUse[s]; victim = s }
            if columnOfSlot[s] < 0 { victim = s; break }
        }
        if columnOfSlot[victim] >= 0 { slotOfColumn[columnOfSlot[victim]] = -1 }
        columnOfSlot[victim] = i
        slotOfColumn[i] = Int32(victim)
        lastUse[victim] = clock
        let cols = x.cols, gamma = self.gamma, n = rows
        nonisolated(unsafe) let out = storage + victim * rows
        x.values.withUnsafeBufferPointer { v in
            nonisolated(unsafe) let v = v
            Parallel.forEachChunk(n, minChunk: 4096) { range in
                let xi = v.baseAddress! + i * cols
                for t in range {
                    out[t] = Float(Self.kernel(xi, v.baseAddress! + t * cols, cols: cols, gamma: gamma))
                }
            }
        }
        return UnsafePointer(out)
    }
}
