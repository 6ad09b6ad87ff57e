import Foundation
import VigilCore
import XCTest
@testable import VigilFeatures

/// Expected rows from scikit-learn 1.x `RobustScaler`, `StandardScaler` and `MinMaxScaler`
/// `fit_transform` on the same matrix; the second column is constant.
final class ScalerTests: XCTestCase {
    private let x = try! Matrix([[1, 5], [2, 5], [3, 5], [10, 5]])

    private func assertClose(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-12, file: file, line: line) }
    }

    func testRobustIsTheDefaultAndMatchesScikitLearn() throws {
        let s = try Scaler.fit(x)
        XCTAssertEqual(s.kind, .robust)
        assertClose(try s.transform(x).values, [-0.5, 0, -0.16666666666666666, 0, 0.16666666666666666, 0, 2.5, 0])
    }

    func testStandardAndMinMaxMatchScikitLearn() throws {
        assertClose(try Scaler.fit(x, kind: .standard).transform(x).values,
                    [-0.848528137423857, 0, -0.565685424949238, 0, -0.282842712474619, 0, 1.697056274847714, 0])
        assertClose(try Scaler.fit(x, kind: .minmax).transform(x).values,
                    [0, 0, 0.1111111111111111, 0, 0.2222222222222222, 0, 1, 0])
        XCTAssertEqual(try Scaler.fit(x, kind: .none).transform(x), x)
    }

    func testConstantColumnNeverDividesByZero() throws {
        for kind in ScalerKind.allCases {
            let s = try Scaler.fit(x, kind: kind)
            XCTAssertEqual(s.scale[1], 1, "\(kind)")
            XCTAssertTrue(try s.transform(x).values.allSatisfy(\.isFinite), "\(kind)")
        }
    }

    func testBadInput() throws {
        XCTAssertThrowsError(try ScalerKind(parsing: "quantile")) { error in
            XCTAssertEqual("\(error)", "unknown scaler 'quantile'; valid: robust, standard, minmax, none")
        }
        XCTAssertThrowsError(try Scaler.fit(Matrix(rows: 0, cols: 2, values: [])))
        XCTAssertThrowsError(try Scaler.fit(Matrix([[1, .nan]]), featureNames: ["a", "b"])) { error in
            guard case .nonFinite(let field, 0, _)? = error as? FeatureError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "b")
        }
        let s = try Scaler.fit(x)
        XCTAssertThrowsError(try s.transform(Matrix([[1, 2, 3]]))) { error in
            XCTAssertEqual(error as? FeatureError, .columnCountMismatch(expected: 2, got: 3))
        }
    }

    func testPipelineOnRecordsAndMatricesRoundTrips() throws {
        let records: [Record] = [["a": .number(1), "k": .string("x")], ["a": .number(3), "k": .string("y")],
                                 ["a": .number(5), "k": .string("x")]]
        let pipeline = try FeaturePipeline.fit(records: records, schema: Schema(["a": FieldSpec(.numeric), "k": FieldSpec(.label)]),
                                               scaler: .minmax)
        XCTAssertEqual(pipeline.featureNames, ["a", "k"])
        // minmax: a → (a − 1) / 4, k (labels 1, 2, 1) → (k − 1) / 1.
        XCTAssertEqual(try pipeline.transform(records: records).values, [0, 0, 0.5, 1, 1, 0])
        let back = try JSONDecoder().decode(FeaturePipeline.self, from: JSONEncoder().encode(pipeline))
        XCTAssertEqual(back, pipeline)

        let numeric = try FeaturePipeline.fit(x, featureNames: ["u", "v"])
        XCTAssertEqual(try numeric.transform(records: [["u": .number(2), "v": .string("5")]]).values, [-1.0 / 6.0, 0])
        XCTAssertThrowsError(try numeric.transform(records: [["u": .number(2)]])) { error in
            XCTAssertEqual(error as? FeatureError, .missingValue(field: "v", row: 0))
        }
        XCTAssertThrowsError(try numeric.transform(Matrix([[1, .infinity]])))
        XCTAssertEqual(try JSONDecoder().decode(FeaturePipeline.self, from: JSONEncoder().encode(numeric)), numeric)
    }
}
