/// A fast, seedable random number generator (SplitMix64 seeding a xoshiro256**).
///
/// Same seed → same sequence on every platform, which is what makes fitted models
/// reproducible bit for bit.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Seeds the generator; every seed (including 0) gives a usable state.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm)
        s1 = splitMix(&sm)
        s2 = splitMix(&sm)
        s3 = splitMix(&sm)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @usableFromInline
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` (bound > 0), without modulo bias.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        Int(next(upperBound: UInt64(bound)))
    }

    /// A derived seed for stream `index`, so parallel work (one tree per task) stays deterministic.
    public static func derive(seed: UInt64, index: Int) -> UInt64 {
        var g = SeededGenerator(seed: seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(index + 1)))
        return g.next()
    }
}
