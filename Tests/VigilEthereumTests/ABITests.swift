import BigInt
import XCTest
@testable import VigilEthereum

/// ABI answers as tokens give them: `string` vs `bytes32`, `uint256` and exact decimal scaling.
final class ABITests: XCTestCase {
    /// ABI encoding of a dynamic `string` answer: offset 32, length, bytes padded to a word.
    private func encodedString(_ s: String) -> [UInt8] {
        let bytes = Array(s.utf8)
        var out = [UInt8](repeating: 0, count: 31) + [32]
        out += [UInt8](repeating: 0, count: 28) + withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init)
        out += bytes + [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32)
        return out
    }

    func testStringAnswerDecodes() {
        XCTAssertEqual(ABIDecoding.text(encodedString("Vigil Dollar")), "Vigil Dollar")
        XCTAssertEqual(ABIDecoding.text(encodedString(String(repeating: "x", count: 40))), String(repeating: "x", count: 40))
    }

    func testBytes32AnswerDecodesUpToTheFirstZero() {
        let word = Array("MKR".utf8) + [UInt8](repeating: 0, count: 29)
        XCTAssertEqual(ABIDecoding.text(word), "MKR")
    }

    func testMissingOrBrokenAnswersAreUnknown() {
        XCTAssertNil(ABIDecoding.text([]))
        XCTAssertNil(ABIDecoding.text([UInt8](repeating: 0, count: 32)))
        XCTAssertNil(ABIDecoding.text(encodedString("")))
        var lying = encodedString("abc")
        lying[63] = 200  // length past the end
        XCTAssertNil(ABIDecoding.text(lying))
        XCTAssertNil(ABIDecoding.text([0xFF, 0xFE] + [UInt8](repeating: 0, count: 30)))  // not UTF-8
    }

    func testDecimalsMustFitAUint8() throws {
        XCTAssertEqual(ABIDecoding.decimals(try Hex.bytes("0x" + String(repeating: "0", count: 62) + "12")), 18)
        XCTAssertNil(ABIDecoding.decimals(try Hex.bytes("0x" + String(repeating: "0", count: 60) + "0100")))
        XCTAssertNil(ABIDecoding.decimals([]))
    }

    func testUint256IsExactAtTheTop() throws {
        let max = try Hex.bigUInt("0x" + String(repeating: "f", count: 64))
        XCTAssertEqual(max, BigUInt(1) << 256 - 1)
        XCTAssertEqual(String(max), "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        XCTAssertThrowsError(try Hex.bigUInt("0x1" + String(repeating: "0", count: 64)))
        XCTAssertEqual(try Hex.bigUInt("0x"), 0)
    }

    func testScalingByDecimalsIsExact() throws {
        XCTAssertEqual(TokenAmount(raw: 1_500_000, decimals: 6).description, "1.5")
        XCTAssertEqual(TokenAmount(raw: 1, decimals: 18).description, "0.000000000000000001")
        XCTAssertEqual(TokenAmount(raw: 0, decimals: 18).description, "0")
        XCTAssertEqual(TokenAmount(raw: 42, decimals: 0).description, "42")
        let huge = try Hex.bigUInt("0x" + String(repeating: "f", count: 64))
        XCTAssertEqual(TokenAmount(raw: huge, decimals: 18).description,
                       "115792089237316195423570985008687907853269984665640564039457.584007913129639935")
        // 2^53 + 1 base units is not a double, but its decimal form stays exact
        XCTAssertEqual(TokenAmount(raw: BigUInt(1) << 53 + 1, decimals: 0).description, "9007199254740993")
        XCTAssertEqual(TokenAmount(raw: 123_456_789, decimals: 4).doubleValue, 12345.6789)
    }

    func testAddressFromTopic() throws {
        let topic = "0x0000000000000000000000002B5AD5C4795C026514F8317C7A215E218DCCD6CF"
        XCTAssertEqual(try ABIDecoding.address(topic: topic), "0x2b5ad5c4795c026514f8317c7a215e218dccd6cf")
        XCTAssertThrowsError(try ABIDecoding.address(topic: "0x" + String(repeating: "1", count: 64)))
    }

    func testTransferLogDecodingSkipsERC721AndRemovedLogs() throws {
        let topics: [JSONValue] = [.string(ABIDecoding.transferTopic),
                                   .string("0x" + String(repeating: "0", count: 24) + String(repeating: "a", count: 40)),
                                   .string("0x" + String(repeating: "0", count: 24) + String(repeating: "b", count: 40))]
        var log: [String: JSONValue] = [
            "address": .string("0xABCDEF0000000000000000000000000000000001"), "topics": .array(topics),
            "data": .string("0x" + String(repeating: "0", count: 62) + "2a"), "blockNumber": .string("0x10"),
            "transactionHash": .string("0xAA"), "logIndex": .string("0x3"),
        ]
        let transfer = try XCTUnwrap(try Transfer(log: .object(log)))
        XCTAssertEqual(transfer.rawValue, 42)
        XCTAssertEqual(transfer.blockNumber, 16)
        XCTAssertEqual(transfer.logIndex, 3)
        XCTAssertEqual(transfer.token, "0xabcdef0000000000000000000000000000000001")
        XCTAssertEqual(transfer.from, "0x" + String(repeating: "a", count: 40))
        log["removed"] = .bool(true)
        XCTAssertNil(try Transfer(log: .object(log)))
        log["removed"] = nil
        log["topics"] = .array(topics + [.string("0x" + String(repeating: "0", count: 63) + "7")])
        log["data"] = .string("0x")
        XCTAssertNil(try Transfer(log: .object(log)))
    }
}
