import Foundation
import XCTest
@testable import VigilFeatures

final class CSVRowReaderTests: XCTestCase {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testTextCellsQuotesAndLineEnds() throws {
        let reader = try CSVRowReader(path: file("\u{FEFF}id, \"t s\",x\r\n\r\nu1,\"a,\"\"b\"\"\", 2.5\r\n u2 ,, nan\r\n"))
        XCTAssertEqual(reader.header, ["id", "t s", "x"])
        var seen = [(Int, String, String, Bool, Double?, String)]()
        try reader.forEachRow { row in
            seen.append((row.line, row.text(0), row.text(1), row.isEmpty(1), row.number(2),
                         String(decoding: row.rawLine, as: UTF8.self)))
        }
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(seen[0].0, 3)
        XCTAssertEqual(seen[0].1, "u1")
        XCTAssertEqual(seen[0].2, "a,\"b\"")
        XCTAssertEqual(seen[0].4, 2.5)
        XCTAssertEqual(seen[0].5, "u1,\"a,\"\"b\"\"\", 2.5")
        XCTAssertEqual(seen[1].1, "u2")
        XCTAssertTrue(seen[1].3)
        XCTAssertTrue(seen[1].4?.isNaN ?? false)
    }

    func testBadFiles() throws {
        XCTAssertThrowsError(try CSVRowReader(path: file("\n \n"))) { error in
            guard case .emptyFile? = error as? DataReadError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CSVRowReader(path: "/nonexistent/x.csv"))
        let reader = try CSVRowReader(path: file("a,b\n1,2\n3\n"))
        XCTAssertThrowsError(try reader.forEachRow { _ in }) { error in
            guard case .raggedRow(_, 3, 2, 1)? = error as? DataReadError else { return XCTFail("\(error)") }
        }
    }
}
