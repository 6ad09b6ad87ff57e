/// The draws of NumPy's legacy `numpy.random.RandomState` that scikit-learn's bagging and trees
/// use, on top of `MersenneTwister` (NumPy 2.x `mtrand.pyx`, `_bounded_integers`, `distributions.c`).
///
/// Every method consumes exactly the 32-bit words NumPy consumes, so a sequence of calls gives the
/// same values as the same calls on `RandomState(seed)`.
public struct LegacyRandomState: Sendable {
    @usableFromInline var twister: MersenneTwister

    /// `RandomState(seed)` for an integer seed (NumPy accepts 0 … 2³² − 1).
    public init(seed: UInt32) {
        twister = MersenneTwister(seed: seed)
    }

    /// `random_sample()`: a double in [0, 1) from two words, (a >> 5 · 2²⁶ + b >> 6) / 2⁵³.
    @inlinable
    public mutating func randomSample() -> Double {
        let a = Double(twister.next32() >> 5), b = Double(twister.next32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A uniform integer in 0 … `maximum` by masked rejection: draw a word, keep its low bits up to
    /// the smallest all-ones mask ≥ `maximum`, retry while above. `maximum` = 0 draws nothing.
    /// This is both `randint(0, maximum + 1)` (`buffered_bounded_masked_uint32`) and the
    /// `random_interval(maximum)` of `shuffle`.
    @inlinable
    public mutating func bounded(_ maximum: UInt32) -> UInt32 {
        if maximum == 0 { return 0 }
        var mask = maximum
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while true {
            let value = twister.next32() & mask
            if value <= maximum { return value }
        }
    }

    /// `randint(upper)`: a uniform integer in 0 ..< `upper` (1 ≤ upper ≤ 2³²).
    @inlinable
    public mutating func randint(_ upper: Int) -> Int {
        Int(bounded(UInt32(upper - 1)))
    }

    /// `permutation(n)`: 0 ..< n shuffled by the legacy Fisher–Yates, i from n − 1 down to 1
    /// swapping with `random_interval(i)`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var values = Array(0..<n)
        var i = n - 1
        while i > 0 {
            let j = Int(bounded(UInt32(i)))
            values.swapAt(i, j)
            i -= 1
        }
        return values
    }

    /// scikit-learn's `sample_without_replacement(population, count)` with `method="auto"`
    /// (`sklearn/utils/_random.pyx`), in its order: with r = count / population,
    /// 0.01 < r < 0.99 → the first `count` of `permutation(population)`; r < 0.2 → tracking
    /// selection (`randint(population)`, redrawn while already chosen); otherwise reservoir
    /// sampling (start with 0 ..< count, for i ≥ count draw j = randint(i + 1), replace slot j if
    /// j < count).
    public mutating func sampleWithoutReplacement(population: Int, count: Int) -> [Int] {
        let ratio = population == 0 ? 1.0 : Double(count) / Double(population)
        if ratio > 0.01 && ratio < 0.99 {
            return Array(permutation(population)[0..<count])
        }
        if ratio < 0.2 {
            var chosen = Set<Int>(minimumCapacity: count)
            var out = [Int]()
            out.reserveCapacity(count)
            for _ in 0..<count {
                var j = randint(population)
                while chosen.contains(j) { j = randint(population) }
                chosen.insert(j)
                out.append(j)
            }
            return out
        }
        var out = Array(0..<count)
        if count < population {
            for i in count..<population {
                let j = randint(i + 1)
                if j < count { out[j] = i }
            }
        }
        return out
    }
}
