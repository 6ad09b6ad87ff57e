import BigInt

/// Hex quantities and data as JSON-RPC writes them (`0x`-prefixed).
public enum Hex {
    /// `0x` + lowercase hex of `n` without leading zeros (a JSON-RPC quantity).
    public static func quantity(_ n: UInt64) -> String { "0x" + String(n, radix: 16) }

    /// The quantity `text` (`0x1b4`) as a UInt64.
    public static func uint64(_ text: String) throws -> UInt64 {
        let digits = try strip(text)
        guard !digits.isEmpty, digits.count <= 16, let n = UInt64(digits, radix: 16) else {
            throw EthereumError.invalidInput("'\(text)' is not a hex quantity below 2^64")
        }
        return n
    }

    /// The quantity or 32-byte word `text` as an exact unsigned integer (empty data is 0).
    public static func bigUInt(_ text: String) throws -> BigUInt {
        let digits = try strip(text)
        if digits.isEmpty { return 0 }
        guard digits.count <= 64, let n = BigUInt(digits, radix: 16) else {
            throw EthereumError.invalidInput("'\(text.prefix(80))' is not a hex number below 2^256")
        }
        return n
    }

    /// The bytes `text` (`0x…`, even length) encodes.
    public static func bytes(_ text: String) throws -> [UInt8] {
        let digits = Array(try strip(text).utf8)
        guard digits.count % 2 == 0 else { throw EthereumError.invalidInput("hex data of odd length: '\(text.prefix(80))'") }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else {
                throw EthereumError.invalidInput("not hex data: '\(text.prefix(80))'")
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// `0x` + lowercase hex of `bytes`.
    public static func string(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]("0x".utf8)
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func strip(_ text: String) throws -> Substring {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { throw EthereumError.invalidInput("'\(text.prefix(80))' lacks the 0x prefix") }
        return text.dropFirst(2)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
