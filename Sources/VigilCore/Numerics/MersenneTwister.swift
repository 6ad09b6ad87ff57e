/// The 32-bit Mersenne Twister MT19937 (Matsumoto & Nishimura 1998), seeded from one 32-bit
/// integer as NumPy's legacy `RandomState(seed)` does (`init_genrand`: key[0] = seed,
/// key[i] = 1812433253 · (key[i−1] ⊕ (key[i−1] >> 30)) + i).
///
/// Same seed → the same stream as `numpy.random.RandomState(seed)`'s underlying generator.
public struct MersenneTwister: Sendable {
    @usableFromInline static let stateSize = 624
    static let shift = 397
    static let matrixA: UInt32 = 0x9908_B0DF
    static let upperMask: UInt32 = 0x8000_0000
    static let lowerMask: UInt32 = 0x7FFF_FFFF

    @usableFromInline var key: [UInt32]
    @usableFromInline var position: Int

    /// Seeds the state as `init_genrand(seed)`; the first draw regenerates the whole state.
    public init(seed: UInt32) {
        var key = [UInt32](repeating: 0, count: Self.stateSize)
        key[0] = seed
        for i in 1..<Self.stateSize {
            let previous = key[i - 1]
            key[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.key = key
        position = Self.stateSize
    }

    /// The next 32 random bits (`genrand_int32`).
    @inlinable
    public mutating func next32() -> UInt32 {
        if position >= Self.stateSize { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Refills all 624 words (the "twist").
    @usableFromInline
    mutating func regenerate() {
        let n = Self.stateSize, m = Self.shift
        key.withUnsafeMutableBufferPointer { k in
            @inline(__always) func twist(_ i: Int, _ j: Int, _ far: Int) {
                let y = (k[i] & Self.upperMask) | (k[j] & Self.lowerMask)
                k[i] = k[far] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : Self.matrixA)
            }
            for i in 0..<(n - m) { twist(i, i + 1, i + m) }
            for i in (n - m)..<(n - 1) { twist(i, i + 1, i + m - n) }
            twist(n - 1, 0, m - 1)
        }
        position = 0
    }
}
