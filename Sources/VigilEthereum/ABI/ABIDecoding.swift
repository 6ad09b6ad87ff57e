import BigInt
import Foundation

/// Decoding of the few ABI answers ERC20 scanning needs (Solidity ABI specification, "Formal
/// Specification of the Encoding"): `uint256`, `address` in an indexed topic, and the two shapes
/// tokens use for `name()`/`symbol()`: a dynamic `string` or a fixed `bytes32`.
public enum ABIDecoding {
    /// Function selectors: the first 4 bytes of keccak256 of the signature.
    public static let nameSelector = "0x06fdde03", symbolSelector = "0x95d89b41", decimalsSelector = "0x313ce567"
    /// keccak256("Transfer(address,address,uint256)"), the ERC20 (and ERC721) Transfer topic.
    public static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    /// The address held in the low 20 bytes of a 32-byte topic, as `0x` + 40 lowercase hex digits.
    public static func address(topic: String) throws -> String {
        let bytes = try Hex.bytes(topic)
        guard bytes.count == 32, bytes[..<12].allSatisfy({ $0 == 0 }) else {
            throw EthereumError.invalidInput("topic '\(topic.prefix(80))' does not hold an address")
        }
        return Hex.string(Array(bytes[12...]))
    }

    /// A `uint256` answer (exactly one 32-byte word).
    public static func uint256(_ data: [UInt8]) throws -> BigUInt {
        guard data.count == 32 else { throw EthereumError.invalidInput("a uint256 is 32 bytes, got \(data.count)") }
        return BigUInt(Data(data))
    }

    /// A `string` or `bytes32` answer as text, `nil` when it is neither (empty answer, a revert,
    /// invalid UTF-8, or an empty string). A `bytes32` value is cut at its first zero byte.
    public static func text(_ data: [UInt8]) -> String? {
        if data.count >= 64, let dynamic = dynamicString(data) { return dynamic.isEmpty ? nil : dynamic }
        if data.count == 32 {
            let used = data.prefix { $0 != 0 }
            guard !used.isEmpty, let s = String(validating: used, as: UTF8.self) else { return nil }
            return s
        }
        return nil
    }

    /// The `string` at offset word 0 of `data`, or `nil` when the offsets don't fit.
    private static func dynamicString(_ data: [UInt8]) -> String? {
        guard let offset = smallWord(data, at: 0), offset % 32 == 0, offset + 32 <= data.count,
              let length = smallWord(data, at: offset), offset + 32 + length <= data.count else { return nil }
        let bytes = data[(offset + 32)..<(offset + 32 + length)]
        return String(validating: bytes, as: UTF8.self)
    }

    /// The word at byte `index` if it is below 2^32 (an offset or length), else `nil`.
    private static func smallWord(_ data: [UInt8], at index: Int) -> Int? {
        guard index + 32 <= data.count, data[index..<(index + 28)].allSatisfy({ $0 == 0 }) else { return nil }
        return data[(index + 28)..<(index + 32)].reduce(0) { $0 << 8 | Int($1) }
    }

    /// A `decimals()` answer when it is a `uint8`-sized `uint256`, else `nil`.
    public static func decimals(_ data: [UInt8]) -> Int? {
        guard data.count == 32, let value = try? uint256(data), value <= 255 else { return nil }
        return Int(value)
    }
}

