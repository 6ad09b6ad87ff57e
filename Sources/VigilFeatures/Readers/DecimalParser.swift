/// Parses decimal numbers straight from bytes, correctly rounded (bit-identical to `Double(String)`).
///
/// A plain decimal with at most 19 significant digits is `m × 10^e` with `m < 2^64`:
/// - `m ≤ 2^53` and `|e| ≤ 22` (Clinger's fast path): `m` and `10^|e|` are exact doubles, so one
///   IEEE multiplication or division rounds correctly;
/// - otherwise, for `|e| ≤ 19`, `m × 10^e` or `m / 10^-e` is computed exactly in 128-bit integers
///   and rounded once to 53 bits, with the bits below kept as a sticky bit.
///
/// Everything else (longer mantissas, larger exponents, `nan`, `inf`, hex floats) goes to the
/// standard library's `Double(Substring)`.
enum DecimalParser {
    /// Exact powers of ten as doubles, 10^0 ... 10^22.
    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Powers of ten as integers, 10^0 ... 10^19.
    static let integerPowersOfTen: [UInt64] = (0...19).map { exponent in
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Tries the fast paths on the token starting at `start`. Returns the value and the index just
    /// past the token, or nil when the token is not a plain decimal they can round exactly (the
    /// caller then uses `parse(_:)`). Reads up to the first byte that cannot continue a number, so
    /// the buffer must end with a byte that is not a digit, sign, `.`, `e` or `E`.
    @inline(__always)
    static func parseFast(_ b: UnsafePointer<UInt8>, _ start: Int, powers: UnsafePointer<Double>) -> (Double, Int)? {
        var i = start
        let negative = b[i] == 0x2D
        if negative || b[i] == 0x2B { i &+= 1 }
        var mantissa: UInt64 = 0
        let integerStart = i
        while true {
            let d = b[i] &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        var sawDigit = i > integerStart
        // Digits that went into the mantissa; leading zeros of the integer part are counted
        // (harmless: a count over 19 only sends the number to the slow path).
        var digits = mantissa == 0 ? 0 : i &- integerStart
        var exponent = 0
        if b[i] == 0x2E {
            i &+= 1
            let fractionStart = i
            if mantissa == 0 { while b[i] == 0x30 { i &+= 1 } } // 0.000123: zeros are not significant
            let significantStart = i
            while true {
                let d = b[i] &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
            }
            sawDigit = sawDigit || i > fractionStart
            exponent = fractionStart &- i
            digits &+= i &- significantStart
        }
        // More than 19 digits may have overflowed the mantissa.
        guard sawDigit, digits <= 19 else { return nil }
        if b[i] | 0x20 == 0x65 { // e or E
            i &+= 1
            let exponentNegative = b[i] == 0x2D
            if exponentNegative || b[i] == 0x2B { i &+= 1 }
            let exponentStart = i
            var written = 0
            while true {
                let d = b[i] &- 0x30
                if d > 9 { break }
                if written < 100_000 { written = written &* 10 &+ Int(d) }
                i &+= 1
            }
            guard i > exponentStart else { return nil }
            exponent &+= exponentNegative ? -written : written
        }
        let value: Double
        if mantissa == 0 {
            value = 0
        } else if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            value = exponent >= 0 ? m * powers[exponent] : m / powers[-exponent]
        } else if exponent >= -19 && exponent <= 19 {
            value = wide(mantissa, exponent)
        } else {
            return nil
        }
        return (negative ? -value : value, i)
    }

    /// `m × 10^e` correctly rounded, for any `m ≥ 1` and `|e| ≤ 19`, through exact 128-bit integers.
    static func wide(_ m: UInt64, _ e: Int) -> Double {
        let power = integerPowersOfTen[e >= 0 ? e : -e]
        if e >= 0 {
            let (high, low) = m.multipliedFullWidth(by: power)
            if high == 0 { return Double(low) } // one rounding, by the conversion
            let shift = high.leadingZeroBitCount
            let top = shift == 0 ? high : (high << shift) | (low >> (64 - shift))
            let sticky: UInt64 = (low << shift) != 0 ? 1 : 0
            // `top` has 64 significant bits; OR-ing the sticky bit into bit 0 (far below the
            // rounding position) makes the conversion round as the full product would.
            return Double(top | sticky) * Double(sign: .plus, exponent: 64 - shift, significand: 1)
        }
        // Quotient m·2^s / 10^-e with s chosen so it lies in [2^62, 2^64): at least 63 bits,
        // the remainder becomes the sticky bit. Values are ≥ 10^-19, far from subnormal.
        let s = 63 - (64 - m.leadingZeroBitCount) + (64 - power.leadingZeroBitCount)
        let dividend: (high: UInt64, low: UInt64) =
            s == 0 ? (0, m) : s < 64 ? (m >> (64 - s), m << s) : (m << (s - 64), 0)
        let (quotient, remainder) = power.dividingFullWidth(dividend)
        let sticky: UInt64 = remainder != 0 ? 1 : 0
        return Double(quotient | sticky) * Double(sign: .plus, exponent: -s, significand: 1)
    }

    /// Parses `text` (already trimmed) in full with the fast paths or the standard library; nil
    /// when it is not a number. Accepts `nan`, `inf`, `infinity` in any case and with a sign.
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !text.isEmpty else { return nil }
        // A terminated copy (on the stack when small) so the fast path cannot read past the cell.
        let fast: (Double, Int)? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count + 1) { copy in
            _ = copy.initialize(from: text)
            copy[text.count] = 0
            return powersOfTen.withUnsafeBufferPointer { parseFast(copy.baseAddress!, 0, powers: $0.baseAddress!) }
        }
        if let (value, end) = fast, end == text.count { return value }
        return Double(Substring(decoding: text, as: UTF8.self))
    }
}
