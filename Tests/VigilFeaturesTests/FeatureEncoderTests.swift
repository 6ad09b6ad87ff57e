import Foundation
import VigilCore
import XCTest
@testable import VigilFeatures

/// Expected values are worked out by hand from LlamaFarm's rules (reference §3.4); hash values
/// are `int(hashlib.md5(str(v).encode()).hexdigest()[:8], 16) % 1_000_000` computed in Python.
final class FeatureEncoderTests: XCTestCase {
    private let records: [Record] = [
        ["amount": .number(10), "user": .string("user_1"), "country": .string("US"), "card": .string("visa"),
         "flag": .bool(true), "merchant": .string("a"), "ignored": .string("x")],
        ["amount": .string("20"), "user": .string("merchant_42"), "country": .string("FR"), "flag": .string(" Yes "),
         "merchant": .string("a")],
        ["amount": .null, "user": .number(42), "country": .string("DE"), "flag": .number(0), "merchant": .string("b")],
        ["amount": .string("abc"), "user": .null, "country": .string("US"), "flag": .string("no"), "merchant": .string("a")],
    ]

    private func schema(amountMissing: MissingPolicy? = nil) throws -> Schema {
        try Schema([
            "amount": FieldSpec(.numeric, missing: amountMissing), "user": FieldSpec(.hash),
            "country": FieldSpec(.onehot), "card": FieldSpec(.label), "flag": FieldSpec(.binary),
            "merchant": FieldSpec(.frequency),
        ])
    }

    func testEachEncoderOnASmallInput() throws {
        let encoder = try FeatureEncoder.fit(records, schema: schema())
        XCTAssertEqual(encoder.featureNames,
                       ["amount", "card", "country_DE", "country_FR", "country_US", "flag", "merchant", "user"])
        let x = try encoder.transform(records)
        XCTAssertEqual(x.row(0), [10, 1, 0, 0, 1, 1, 0.75, 749_836])
        XCTAssertEqual(x.row(1), [20, 0, 0, 1, 0, 1, 0.75, 275_993])
        XCTAssertEqual(x.row(2), [0, 0, 1, 0, 0, 0, 0.25, 814_184])
        XCTAssertEqual(x.row(3), [0, 0, 0, 0, 1, 0, 0.75, 0])
    }

    func testUnseenValuesAndAbsentFields() throws {
        let encoder = try FeatureEncoder.fit(records, schema: schema())
        let x = try encoder.transform([["country": .string("IT"), "card": .string("amex"), "merchant": .string("z"),
                                        "user": .string("abc")]])
        // Unseen label 0, unseen onehot all 0, unseen frequency min(share)/2 = 0.125, hash('abc') = 5272.
        XCTAssertEqual(x.row(0), [0, 0, 0, 0, 0, 0, 0.125, 5272])
    }

    func testLabelsAreSortedCategoriesFromOne() throws {
        let encoder = try FeatureEncoder.fit([["c": .string("b")], ["c": .string("a")], ["c": .string("c")], ["c": .string("a")]],
                                             schema: Schema(["c": FieldSpec(.label)]))
        XCTAssertEqual(try encoder.transform([["c": .string("a")], ["c": .string("b")], ["c": .string("c")], ["c": .null]]).values,
                       [1, 2, 3, 0])
    }

    func testOnehotWithoutCategoriesIsOneZeroColumn() throws {
        let encoder = try FeatureEncoder.fit([["c": .null]], schema: Schema(["c": FieldSpec(.onehot)]))
        XCTAssertEqual(encoder.featureNames, ["c"])
        XCTAssertEqual(try encoder.transform([["c": .string("q")]]).values, [0])
    }

    func testOnehotKeepsTheFirstHundredCategories() throws {
        let rows: [Record] = (0..<120).map { ["c": .string(String(format: "k%03d", $0))] }
        let encoder = try FeatureEncoder.fit(rows, schema: Schema(["c": FieldSpec(.onehot)]))
        XCTAssertEqual(encoder.featureNames.count, 100)
        XCTAssertEqual(encoder.featureNames.last, "c_k099")
    }

    func testMissingPolicies() throws {
        let mean = try FeatureEncoder.fit(records, schema: schema(amountMissing: .mean))
        // Mean of the usable training amounts 10 and 20.
        XCTAssertEqual(try mean.transform([["amount": .null], ["amount": .string("zz")]]).column(0), [15, 15])
        let zero = try FeatureEncoder.fit(records, schema: Schema(["merchant": FieldSpec(.frequency, missing: .zero)]))
        XCTAssertEqual(try zero.transform([["merchant": .null], ["merchant": .string("unseen")]]).values, [0, 0.125])

        let strict = try FeatureEncoder.fit([["amount": .number(1)]], schema: Schema(["amount": FieldSpec(.numeric, missing: .error)]))
        XCTAssertThrowsError(try strict.transform([["amount": .number(2)], ["other": .number(1)]])) { error in
            XCTAssertEqual(error as? FeatureError, .missingValue(field: "amount", row: 1))
        }
        XCTAssertThrowsError(try strict.transform([["amount": .string("twelve")]])) { error in
            XCTAssertEqual(error as? FeatureError, .notANumber(field: "amount", row: 0, value: "twelve"))
            XCTAssertEqual("\(error)", "row 0: field 'amount' is numeric but holds 'twelve'")
        }
        XCTAssertThrowsError(try FeatureEncoder.fit([["amount": .null]], schema: Schema(["amount": FieldSpec(.numeric, missing: .error)])))
    }

    func testNaNAndInfinityAreRefused() throws {
        let encoder = try FeatureEncoder.fit([["amount": .number(1)]], schema: Schema(["amount": FieldSpec(.numeric)]))
        XCTAssertThrowsError(try encoder.transform([["amount": .string("nan")]])) { error in
            guard case .nonFinite(let field, 0, let value)? = error as? FeatureError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "amount")
            XCTAssertTrue(value.isNaN)
        }
        XCTAssertThrowsError(try encoder.transform([["amount": .number(.infinity)]])) { error in
            XCTAssertEqual(error as? FeatureError, .nonFinite(field: "amount", row: 0, value: .infinity))
        }
    }

    func testEmptyDataIsRefused() throws {
        XCTAssertThrowsError(try FeatureEncoder.fit([], schema: schema())) { error in
            guard case .noData? = error as? FeatureError else { return XCTFail("\(error)") }
        }
    }

    func testCodableRoundTrip() throws {
        let encoder = try FeatureEncoder.fit(records, schema: schema(amountMissing: .mean))
        let json = try JSONEncoder().encode(encoder)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual(object["version"] as? Int, 1)
        XCTAssertEqual(object["feature_order"] as? [String], ["amount", "card", "country", "flag", "merchant", "user"])
        let back = try JSONDecoder().decode(FeatureEncoder.self, from: json)
        XCTAssertEqual(back, encoder)
        XCTAssertEqual(try back.transform(records), try encoder.transform(records))
    }
}
