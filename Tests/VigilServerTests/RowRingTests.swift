import Foundation
import XCTest
@testable import VigilServer

final class RowRingTests: XCTestCase {
    func testKeepsTheNewestRowsInOrderAndRoundTripsExactly() throws {
        var ring = RowRing(capacity: 3, width: 2)
        for i in 0..<5 {
            let row = [Double(i), i == 3 ? .nan : Double(i) / 3]
            row.withUnsafeBufferPointer { ring.append($0) }
        }
        XCTAssertEqual(ring.count, 3)
        let m = try ring.matrix()
        XCTAssertEqual(m.row(0), [2, 2.0 / 3])
        XCTAssertTrue(m.row(1)[1].isNaN)
        XCTAssertEqual(m.row(2), [4, 4.0 / 3])

        let data = try JSONEncoder().encode(ring)
        let back = try JSONDecoder().decode(RowRing.self, from: data)
        XCTAssertEqual(back.rows.map { $0.map(\.bitPattern) }, ring.rows.map { $0.map(\.bitPattern) })
        var next = back
        [9.0, 9.0].withUnsafeBufferPointer { next.append($0) }
        XCTAssertEqual(try next.matrix().row(0)[0], 3, "the restored ring keeps dropping the oldest row")

        var tampered = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        tampered["count"] = 2
        XCTAssertThrowsError(try JSONDecoder().decode(RowRing.self, from: JSONSerialization.data(withJSONObject: tampered)))
    }
}
