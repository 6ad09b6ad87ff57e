/// What a model saw in training, kept with the model so that live data can be compared with it:
/// per feature and for the raw score, a histogram over (up to) `bins` quantile bins of the
/// training values.
///
/// A histogram's bins are cut at the training quantiles q_k = sorted[⌊k·n/bins⌋], k = 1 … bins − 1
/// (repeated cuts merged, so a feature with few distinct values has fewer bins); a value v falls in
/// bin #{cuts < v}, i.e. bin k holds q_{k−1} < v ≤ q_k, and `proportions` are the training shares
/// of the bins under that same rule. NaN values are left out (Isolation Forest accepts them).
public struct DriftReference: Sendable, Codable, Equatable {
    /// Quantile bins of one variable's training values.
    public struct Histogram: Sendable, Codable, Equatable {
        /// Increasing cut points; there are `cuts.count + 1` bins.
        public let cuts: [Double]
        /// Training share of each bin (sums to 1; all 0 when every training value was NaN).
        public let proportions: [Double]

        /// Number of bins.
        public var binCount: Int { cuts.count + 1 }

        /// The bin of `v`: #{cuts < v} (a binary search; NaN → nil).
        @inlinable
        public func bin(_ v: Double) -> Int? {
            if v.isNaN { return nil }
            var low = 0, high = cuts.count
            while low < high {
                let mid = (low + high) >> 1
                if cuts[mid] < v { low = mid + 1 } else { high = mid }
            }
            return low
        }

        /// The histogram of `values` (NaN dropped) over `bins` quantile bins.
        public init(values: [Double], bins: Int) {
            let kept = values.filter { !$0.isNaN }
            let sorted = kept.withUnsafeBufferPointer { RadixSort.sorted($0) }
            let n = sorted.count
            guard n > 0, bins > 1 else {
                cuts = []
                proportions = [n > 0 ? 1 : 0]
                return
            }
            var cuts = [Double]()
            for k in 1..<bins {
                let q = sorted[min(n - 1, k * n / bins)]
                if cuts.last.map({ $0 < q }) ?? true { cuts.append(q) }
            }
            // #{v ≤ cut_k} by binary search in the sorted values.
            func atMost(_ c: Double) -> Int {
                var low = 0, high = n
                while low < high {
                    let mid = (low + high) >> 1
                    if sorted[mid] <= c { low = mid + 1 } else { high = mid }
                }
                return low
            }
            var proportions = [Double]()
            var below = 0
            for c in cuts {
                let upTo = atMost(c)
                proportions.append(Double(upTo - below) / Double(n))
                below = upTo
            }
            proportions.append(Double(n - below) / Double(n))
            self.cuts = cuts
            self.proportions = proportions
        }

        /// A histogram from stored parts.
        public init(cuts: [Double], proportions: [Double]) {
            self.cuts = cuts
            self.proportions = proportions
        }
    }

    /// Bins per histogram at most (10, deciles, unless told otherwise).
    public static let defaultBins = 10
    /// Shares below this count as this in PSI, so an empty bin does not make it infinite.
    public static let psiFloor = 1e-4

    /// One histogram per feature, in column order.
    public let features: [Histogram]
    /// The histogram of the training rows' raw scores.
    public let score: Histogram
    /// Rows it was built from.
    public let trainingRows: Int

    /// The reference of training matrix `x` and its rows' raw scores (columns in parallel).
    public init(x: Matrix, rawScores: [Double], bins: Int = DriftReference.defaultBins) {
        var histograms = [Histogram?](repeating: nil, count: x.cols)
        histograms.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let slots = out
            Parallel.forEach(x.cols) { j in slots[j] = Histogram(values: x.column(j), bins: bins) }
        }
        features = histograms.map { $0! }
        score = Histogram(values: rawScores, bins: bins)
        trainingRows = x.rows
    }

    /// A reference from stored parts.
    public init(features: [Histogram], score: Histogram, trainingRows: Int) {
        self.features = features
        self.score = score
        self.trainingRows = trainingRows
    }

    /// Population stability index of observed bin `counts` (out of `total`) against the reference
    /// shares `expected`: Σ_k (a_k − e_k) · ln(a_k / e_k), with a_k = count_k / total and both
    /// shares raised to at least `psiFloor`. 0 when nothing was observed.
    public static func psi(expected: [Double], counts: UnsafeBufferPointer<Int>, total: Int) -> Double {
        guard total > 0 else { return 0 }
        var sum = 0.0
        let n = Double(total)
        for k in 0..<expected.count {
            let a = max(Double(counts[k]) / n, psiFloor)
            let e = max(expected[k], psiFloor)
            sum += (a - e) * log(a / e)
        }
        return sum
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
