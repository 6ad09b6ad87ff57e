/// The per-event update of one column's count windows and lags: O(windows + lags) work, no pass
/// over the window except a re-summation once every `w` events.
///
/// - Mean and sample std: compensated sliding sums of `x − K` and `(x − K)²`, re-summed and
///   re-centred (`K` = the window mean, two passes over the ring) every `w` events.
/// - Min and max: monotonic deques of sequence numbers (amortised O(1) per event).
/// - NaN marks a missing value: it occupies its row but is left out of every statistic.
enum CountWindowKernel {
    /// Updates the state of one column of one entity with `x` as event `seq` and writes
    /// the column's count-window stats and lags to `out`.
    ///
    /// `d` points at the column's doubles (ring, then (n, K, Σd, comp, Σd², comp) per window); `q` at its 32-bit ints
    /// (deques, then (min head, min count, max head, max count) per window).
    @inline(__always)
    static func step(_ layout: WindowLayout, seq s: Int, value x: Double,
                     d: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Int32>, out: UnsafeMutablePointer<Double>) {
        let mask = layout.ring - 1
        let present = !x.isNaN
        let windowCount = layout.windows.count
        var o = 0
        let moments = d + layout.ring
        let meta = q + layout.dequeBlock
        for j in 0..<windowCount {
            let w = layout.windows[j]
            let old = s >= w ? d[(s - w) & mask] : Double.nan
            let m = moments + 6 * j
            if layout.wantMean || layout.wantStd {
                slide(m, adding: present ? x : nil, removing: old.isNaN ? nil : old)
            }
            if layout.wantMin || layout.wantMax {
                let cap = layout.dequeCapacity[j], cmask = cap - 1
                let minQ = q + layout.dequeOffset[j], maxQ = minQ + cap
                let mm = meta + 4 * j
                pushDeque(minQ, head: &mm[0], count: &mm[1], cmask: cmask, seq: s, window: w, value: x,
                          present: present, ring: d, ringMask: mask, keepsSmallest: true)
                pushDeque(maxQ, head: &mm[2], count: &mm[3], cmask: cmask, seq: s, window: w, value: x,
                          present: present, ring: d, ringMask: mask, keepsSmallest: false)
            }
        }
        // Lags read before the ring slot of this event is overwritten (lag = ring length reuses it).
        let lagBase = windowCount * layout.statsPerWindow
        for (i, k) in layout.lags.enumerated() {
            let v = s >= k ? d[(s - k) & mask] : Double.nan
            out[lagBase + i] = v.isNaN ? 0 : v
        }
        d[s & mask] = x
        for j in 0..<windowCount {
            let w = layout.windows[j]
            let m = moments + 6 * j
            if (layout.wantMean || layout.wantStd) && (s + 1) % w == 0 {
                resum(m, ring: d, ringMask: mask, last: s, window: w)
            }
            let (n, mean, m2) = Self.moments(m)
            if layout.wantMean { out[o] = mean; o += 1 }
            if layout.wantStd { out[o] = n > 1 ? (m2 / (n - 1)).squareRoot() : 0; o += 1 }
            if layout.wantMin || layout.wantMax {
                let cap = layout.dequeCapacity[j], cmask = cap - 1
                let minQ = q + layout.dequeOffset[j], maxQ = minQ + cap
                let mm = meta + 4 * j
                if layout.wantMin { out[o] = mm[1] > 0 ? d[position(minQ[slot(mm[0], cmask)], mask)] : 0; o += 1 }
                if layout.wantMax { out[o] = mm[3] > 0 ? d[position(maxQ[slot(mm[2], cmask)], mask)] : 0; o += 1 }
            }
        }
    }

    /// Slides the window sums `m = (n, K, Σd, comp, Σd², comp)` of `d = x − K`: adds `x`, removes
    /// `old`, or both. Neumaier-compensated sums, and the same rounded `d²` added and later removed,
    /// keep the window's sums within a few ulps however large a value that has left was.
    @inline(__always)
    static func slide(_ m: UnsafeMutablePointer<Double>, adding x: Double?, removing old: Double?) {
        let shift = m[1]
        if let x {
            let d = x - shift
            m[0] += 1
            let square = d * d
            compensatedAdd(m + 2, d)
            compensatedAdd(m + 4, square)
            m[5] += (-square).addingProduct(d, d) // the rounding error of d², exactly
        }
        if let old {
            let d = old - shift
            m[0] -= 1
            if m[0] == 0 {
                m[2] = 0; m[3] = 0; m[4] = 0; m[5] = 0
            } else {
                let square = d * d
                compensatedAdd(m + 2, -d)
                compensatedAdd(m + 4, -square)
                m[5] -= (-square).addingProduct(d, d)
            }
        }
    }

    /// Neumaier's compensated `s[0] += v` with the running compensation in `s[1]`.
    @inline(__always)
    static func compensatedAdd(_ s: UnsafeMutablePointer<Double>, _ v: Double) {
        let sum = s[0], t = sum + v
        s[1] += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
        s[0] = t
    }

    /// Count, mean and M2 (sum of squared deviations) from the window sums.
    @inline(__always)
    static func moments(_ m: UnsafePointer<Double>) -> (n: Double, mean: Double, m2: Double) {
        let n = m[0]
        guard n > 0 else { return (0, 0, 0) }
        let s1 = m[2], s1Low = m[3], s2 = m[4], s2Low = m[5]
        // M2 = Σd² − (Σd)²/n in double-double arithmetic: both terms can be far larger than M2
        // (a window of small values re-centred on an earlier large mean), so their difference
        // needs the low parts and the exact rounding errors of the product and the quotient.
        let square = s1 * s1
        let squareLow = (-square).addingProduct(s1, s1) + 2 * s1 * s1Low
        let quotient = square / n
        let quotientLow = (square.addingProduct(-quotient, n) + squareLow) / n
        let high = s2 - quotient
        let carried = s2 - high
        let highLow = (s2 - (high + carried)) + (carried - quotient)
        let m2 = high + (highLow + s2Low - quotientLow)
        return (n, m[1] + (s1 + s1Low) / n, max(m2, 0))
    }

    /// Recomputes the sums exactly over events `last − w + 1 … last`, re-centred on their mean.
    static func resum(_ m: UnsafeMutablePointer<Double>, ring: UnsafeMutablePointer<Double>, ringMask: Int, last: Int, window w: Int) {
        var n = 0.0, sum = 0.0
        for t in (last - w + 1)...last {
            let v = ring[t & ringMask]
            if !v.isNaN { n += 1; sum += v }
        }
        m[0] = 0; m[1] = n > 0 ? sum / n : 0; m[2] = 0; m[3] = 0; m[4] = 0; m[5] = 0
        for t in (last - w + 1)...last {
            let v = ring[t & ringMask]
            if !v.isNaN { slide(m, adding: v, removing: nil) }
        }
    }

    /// Monotonic deque step for window `(seq − w, seq]`: drops expired fronts, drops backs the new
    /// value dominates, appends `seq` when the value is present.
    ///
    /// Entries are sequence numbers kept modulo 2^32 (ages are below the window, so wrapping
    /// differences are exact) and heads wrap the same way: half the memory of `Int`, which is what
    /// a store of many entities is bound by.
    @inline(__always)
    static func pushDeque(_ dq: UnsafeMutablePointer<Int32>, head: inout Int32, count: inout Int32, cmask: Int, seq s: Int,
                          window w: Int, value x: Double, present: Bool, ring: UnsafeMutablePointer<Double>,
                          ringMask: Int, keepsSmallest: Bool) {
        let now = UInt32(truncatingIfNeeded: s)
        while count > 0 && Int(now &- UInt32(bitPattern: dq[slot(head, cmask)])) >= w {
            head &+= 1
            count -= 1
        }
        guard present else { return }
        while count > 0 {
            let back = ring[position(dq[slot(head &+ count &- 1, cmask)], ringMask)]
            if keepsSmallest ? back >= x : back <= x { count -= 1 } else { break }
        }
        dq[slot(head &+ count, cmask)] = Int32(bitPattern: now)
        count += 1
    }

    /// Index inside a deque of capacity `cmask + 1` of the wrapping counter `i`.
    @inline(__always)
    static func slot(_ i: Int32, _ cmask: Int) -> Int { Int(UInt32(bitPattern: i)) & cmask }

    /// Ring index of a stored sequence number (the ring length divides 2^32).
    @inline(__always)
    static func position(_ entry: Int32, _ ringMask: Int) -> Int { Int(UInt32(bitPattern: entry)) & ringMask }
}
