import Foundation
import XCTest
@testable import VigilFeatures

final class SchemaTests: XCTestCase {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    func testFieldValueDecodesPlainJSONValues() throws {
        let record = try decode(Record.self, #"{"a": 1.5, "b": "x", "c": true, "d": null, "e": 7}"#)
        XCTAssertEqual(record["a"], .number(1.5))
        XCTAssertEqual(record["b"], .string("x"))
        XCTAssertEqual(record["c"], .bool(true))
        XCTAssertEqual(record["d"], .null)
        XCTAssertEqual(record["e"], .number(7))
        XCTAssertEqual(try decode([FieldValue].self, "[0, 1, false]"), [.number(0), .number(1), .bool(false)])
        XCTAssertThrowsError(try decode(FieldValue.self, "[1, 2]"))
        let back = try decode(Record.self, String(decoding: try JSONEncoder().encode(record), as: UTF8.self))
        XCTAssertEqual(back, record)
    }

    func testFieldValueTextFollowsPythonStr() {
        XCTAssertEqual(FieldValue.number(42).text, "42")
        XCTAssertEqual(FieldValue.number(1.5).text, "1.5")
        XCTAssertEqual(FieldValue.bool(true).text, "True")
        XCTAssertEqual(FieldValue.string("a b").text, "a b")
    }

    func testSchemaParsesBothForms() throws {
        let schema = try decode(Schema.self, #"{"amount": "numeric", "user": {"type": "hash"}, "n": {"type": "numeric", "missing": "error"}}"#)
        XCTAssertEqual(schema.fields["amount"], FieldSpec(.numeric))
        XCTAssertEqual(schema.fields["user"], FieldSpec(.hash))
        XCTAssertEqual(schema.fields["n"], FieldSpec(.numeric, missing: .error))
        XCTAssertEqual(schema.orderedNames, ["amount", "n", "user"])
        let again = try decode(Schema.self, String(decoding: try JSONEncoder().encode(schema), as: UTF8.self))
        XCTAssertEqual(again, schema)
    }

    func testUnknownTypeListsTheSixValidOnes() {
        XCTAssertThrowsError(try decode(Schema.self, #"{"amount": "categorical"}"#)) { error in
            XCTAssertEqual(error as? FeatureError, .unknownFieldType(field: "amount", type: "categorical"))
            XCTAssertEqual("\(error)", "schema field 'amount': unknown type 'categorical'; valid types: numeric, hash, label, onehot, binary, frequency")
        }
        XCTAssertThrowsError(try decode(Schema.self, #"{"amount": {"type": "float"}}"#)) { error in
            XCTAssertEqual(error as? FeatureError, .unknownFieldType(field: "amount", type: "float"))
        }
        XCTAssertThrowsError(try Schema(types: ["x": "text"]))
    }

    func testBadSchemaEntries() {
        XCTAssertThrowsError(try decode(Schema.self, #"{"amount": {"type": "numeric", "missing": "drop"}}"#)) { error in
            XCTAssertEqual(error as? FeatureError, .unknownMissingPolicy(field: "amount", policy: "drop"))
        }
        XCTAssertThrowsError(try decode(Schema.self, #"{"amount": 3}"#)) { error in
            guard case .invalidSchemaEntry(let field, _)? = error as? FeatureError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "amount")
        }
        XCTAssertThrowsError(try decode(Schema.self, #"{"amount": {"missing": "zero"}}"#))
        XCTAssertThrowsError(try decode(Schema.self, "{}")) { error in
            XCTAssertEqual(error as? FeatureError, .emptySchema)
        }
    }

    /// Digests and `int(hexdigest[:8], 16) % 1_000_000` computed with Python's `hashlib.md5`.
    func testMD5MatchesHashlib() {
        XCTAssertEqual(MD5.hexDigest("".utf8), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(MD5.hexDigest("abc".utf8), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(MD5.hexDigest("message digest".utf8), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertEqual(MD5.hexDigest("café".utf8), "07117fe4a1ebd544965dc19573183da2")
        // 64+ bytes: padding spills into a second block.
        XCTAssertEqual(MD5.hexDigest(String(repeating: "a", count: 100).utf8), "36a92cc94a9e0fa21f625f8bfb007adf")
    }
}
