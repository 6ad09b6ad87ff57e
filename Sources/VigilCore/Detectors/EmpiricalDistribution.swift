#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The empirical distribution of one training column, as ECOD and COPOD use it
/// (PyOD `pyod/utils/stat_models.py` `column_ecdf`, SciPy `skew`; `reference/algorithms.md` §3.1–§3.2).
///
/// Holds the sorted distinct training values v_0 < v_1 < … < v_{m−1} with cumulative counts
/// c_k = #{train ≤ v_k}, and the column's sample skewness. For any value x:
/// F_left(x) = #{train ≤ x} / n and F_right(x) = #{train ≥ x} / n, found by searching the sorted
/// **training** values only (a bucket index, then binary search; or a merge for large batches).
/// Stored in the model file as base64 arrays (`@Packed`), exact and compact.
///
/// Design decision (differs from PyOD on new data): new rows are scored against the training
/// distributions, not by re-ranking training + new rows together as PyOD's `decision_function`
/// does, so a row's score never depends on the other rows of a request. On the training rows
/// themselves both agree: F_left = #{≤}/n and F_right = #{≥}/n with ties counted, exactly PyOD's
/// `decision_scores_`.
///
/// Values outside the training range: a count of 0 would give −ln 0 = +∞, so both counts are
/// raised to at least 1 (F ≥ 1/n). A value below the training minimum therefore scores like the
/// minimum itself on the left tail, and one above the maximum like the maximum on the right tail.
public struct EmpiricalDistribution: Sendable, Codable, Equatable {
    /// Number of training values n.
    public let sampleCount: Int
    /// The sorted distinct training values v_0 < … < v_{m−1} (−0 is stored as +0).
    @Packed public private(set) var values: [Double]
    /// `countAtMost[k]` = #{training values ≤ `values[k]`}: strictly increasing, the last is n.
    @Packed public private(set) var countAtMost: [Int]
    /// SciPy `skew` of the training column (biased Fisher–Pearson g1 = m3 / m2^{3/2}), with PyOD's
    /// `np.nan_to_num`: a constant column (SciPy gives NaN) has skewness 0.
    public let skewness: Double

    /// Sign of `skewness`: −1, 0 or +1 (the s_j of ECOD/COPOD).
    public var skewSign: Int { skewness > 0 ? 1 : (skewness < 0 ? -1 : 0) }

    /// Narrows searches in `values` (derived, not stored); nil for ≥ 2^32 − 1 distinct values.
    let index: BucketIndex?

    private enum CodingKeys: String, CodingKey {
        case sampleCount, values, countAtMost, skewness
    }

    init(sampleCount: Int, values: [Double], countAtMost: [Int], skewness: Double) {
        self.sampleCount = sampleCount
        self._values = Packed(wrappedValue: values)
        self._countAtMost = Packed(wrappedValue: countAtMost)
        self.skewness = skewness
        self.index = values.count < Int(UInt32.max)
            ? values.withUnsafeBufferPointer { BucketIndex(sortedDistinct: $0) }
            : nil
    }

    /// The distribution of a column given sorted (ascending, finite, non-empty) and its skewness.
    init(sorted: [Double], skewness: Double) {
        let n = sorted.count
        let distinctCount = sorted.withUnsafeBufferPointer { s in
            var k = n > 0 ? 1 : 0
            for i in 1..<max(n, 1) where s[i] != s[i - 1] { k += 1 }
            return k
        }
        var distinct = [Double]()
        let counts = [Int](unsafeUninitializedCapacity: distinctCount) { c, initialized in
            distinct = [Double](unsafeUninitializedCapacity: distinctCount) { v, written in
                sorted.withUnsafeBufferPointer { s in
                    var k = 0
                    for i in 1..<max(n, 1) where s[i] != s[i - 1] {
                        c[k] = i
                        v[k] = s[i - 1] == 0 ? 0 : s[i - 1]
                        k += 1
                    }
                    if n > 0 {
                        c[k] = n
                        v[k] = s[n - 1] == 0 ? 0 : s[n - 1]
                    }
                }
                written = distinctCount
            }
            initialized = distinctCount
        }
        self.init(sampleCount: n, values: distinct, countAtMost: counts, skewness: skewness)
    }

    /// The distribution of `column` (finite values, at least one).
    /// `numpyPairwise`: sum the moments pairwise, as NumPy does for a one-column matrix; a wider
    /// row-major matrix is reduced row after row (see `skewness(of:numpyPairwise:)`).
    init(column: UnsafeBufferPointer<Double>, numpyPairwise: Bool) {
        precondition(!column.isEmpty, "distribution of no values")
        self.init(sorted: RadixSort.sorted(column), skewness: Self.skewness(of: column, numpyPairwise: numpyPairwise))
    }

    /// Equal training data: same n, values, counts and skewness (the derived index is ignored).
    public static func == (a: EmpiricalDistribution, b: EmpiricalDistribution) -> Bool {
        a.sampleCount == b.sampleCount && a.skewness == b.skewness
            && a.values == b.values && a.countAtMost == b.countAtMost
    }

    /// Decodes a stored distribution, refusing one whose values or counts are inconsistent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let n = try c.decode(Int.self, forKey: .sampleCount)
        let values = try c.decode(Packed<Double>.self, forKey: .values).wrappedValue
        let counts = try c.decode(Packed<Int>.self, forKey: .countAtMost).wrappedValue
        let skew = try c.decode(Double.self, forKey: .skewness)
        // The scoring loops read these arrays through unchecked pointers: refuse anything inconsistent.
        var consistent = n >= 1 && !values.isEmpty && values.count == counts.count
            && counts.last == n && skew.isFinite
        if consistent {
            var previousValue = -Double.infinity
            var previousCount = 0
            for k in 0..<values.count {
                guard values[k].isFinite, values[k] > previousValue, counts[k] > previousCount else {
                    consistent = false
                    break
                }
                previousValue = values[k]
                previousCount = counts[k]
            }
        }
        guard consistent else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "empirical distribution is inconsistent: values must be finite and strictly increasing, counts strictly increasing and ending at sampleCount"))
        }
        self.init(sampleCount: n, values: values, countAtMost: counts, skewness: skew)
    }

    /// #{train ≤ x} and #{train ≥ x}, each raised to at least 1 (see the type's note on values
    /// outside the training range).
    public func tailCounts(_ x: Double) -> (atMost: Int, atLeast: Int) {
        values.withUnsafeBufferPointer { v in
            countAtMost.withUnsafeBufferPointer { c in
                let distinct = index?.countAtMost(x, in: v) ?? BucketIndex.countAtMost(x, in: v, from: 0, to: v.count)
                let counts = Self.tailCounts(distinctAtMost: distinct, x: x, values: v, counts: c, n: sampleCount)
                return (counts.atMost, counts.atLeast)
            }
        }
    }

    /// F_left(x) = max(1, #{train ≤ x}) / n and F_right(x) = max(1, #{train ≥ x}) / n.
    public func tailProbabilities(_ x: Double) -> (left: Double, right: Double) {
        let (atMost, atLeast) = tailCounts(x)
        let n = Double(sampleCount)
        return (Double(atMost) / n, Double(atLeast) / n)
    }

    // MARK: - Skewness

    /// SciPy `skew(a, axis=0)` for one column, then `np.nan_to_num`: mean = Σx/n, d = x − mean,
    /// m2 = Σd²/n, m3 = Σ(d²·d)/n; NaN (SciPy's test m2 ≤ (ε·mean)², a constant column) → 0,
    /// ±∞ → ±greatest finite.
    ///
    /// Only the sign is used, so the sums follow NumPy's order to give the same sign on nearly
    /// symmetric data: left to right (NumPy reduces a row-major matrix along axis 0 row after
    /// row), or pairwise for a one-column matrix (`numpyPairwise`).
    static func skewness(of a: UnsafeBufferPointer<Double>, numpyPairwise: Bool) -> Double {
        let n = a.count
        guard n > 0 else { return 0 }
        let count = Double(n)
        let m2: Double, m3: Double, mean: Double
        if numpyPairwise {
            mean = Statistics.numpyPairwiseSum(a) / count
            var squares = [Double](repeating: 0, count: n)
            var cubes = [Double](repeating: 0, count: n)
            squares.withUnsafeMutableBufferPointer { sq in
                cubes.withUnsafeMutableBufferPointer { cu in
                    for i in 0..<n {
                        let d = a[i] - mean
                        sq[i] = d * d
                        cu[i] = (d * d) * d
                    }
                }
            }
            m2 = squares.withUnsafeBufferPointer { Statistics.numpyPairwiseSum($0) } / count
            m3 = cubes.withUnsafeBufferPointer { Statistics.numpyPairwiseSum($0) } / count
        } else {
            var sum = a[0]
            for i in 1..<n { sum += a[i] }
            mean = sum / count
            let d0 = a[0] - mean
            var s2 = d0 * d0, s3 = (d0 * d0) * d0
            for i in 1..<n {
                let d = a[i] - mean
                s2 += d * d
                s3 += (d * d) * d
            }
            m2 = s2 / count
            m3 = s3 / count
        }
        let epsilon = Double.ulpOfOne
        if m2 <= (epsilon * mean) * (epsilon * mean) { return 0 }
        let g = m3 / pow(m2, 1.5)
        if g.isNaN { return 0 }
        if g.isInfinite { return g > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
        return g
    }

    // MARK: - Search

    /// #{train ≤ x} and #{train ≥ x}, each at least 1, given k = number of distinct values ≤ x.
    @inline(__always)
    static func tailCounts(distinctAtMost k: Int, x: Double, values v: UnsafeBufferPointer<Double>,
                           counts c: UnsafeBufferPointer<Int>, n: Int) -> (atMost: Int, atLeast: Int) {
        let atMost = k > 0 ? c[k - 1] : 0
        // #{train < x}: drop the run of x itself when x is a training value.
        let below = (k > 0 && v[k - 1] == x) ? (k > 1 ? c[k - 2] : 0) : atMost
        return (max(atMost, 1), max(n - below, 1))
    }
}

