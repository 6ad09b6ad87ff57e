import BigInt

/// An exact token amount: the raw `uint256` and the token's `decimals`, written as a decimal
/// number without rounding (`raw / 10^decimals`).
public struct TokenAmount: Sendable, Equatable, CustomStringConvertible {
    /// The integer the contract stores.
    public let raw: BigUInt
    /// Digits after the decimal point.
    public let decimals: Int

    /// `raw` base units of a token with `decimals` decimals.
    public init(raw: BigUInt, decimals: Int) {
        self.raw = raw
        self.decimals = max(0, decimals)
    }

    /// The exact decimal form, trailing zeros of the fraction dropped: 1500000 with 6 decimals is "1.5".
    public var description: String {
        let digits = String(raw)
        guard decimals > 0 else { return digits }
        let padded = digits.count <= decimals ? String(repeating: "0", count: decimals - digits.count + 1) + digits : digits
        let whole = padded.dropLast(decimals)
        var fraction = Substring(padded.suffix(decimals))
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }

    /// The nearest Double (parsed from the exact decimal form, so correctly rounded).
    public var doubleValue: Double { Double(description) ?? .infinity }
}
