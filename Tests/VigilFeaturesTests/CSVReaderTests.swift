import Foundation
import XCTest
@testable import VigilFeatures

final class CSVReaderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func file(_ text: String, _ name: String = "data.csv") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testReadsFeaturesAndExcludesTheLabelColumn() throws {
        let d = try Dataset.readCSV(path: try file("amount,label,fee\n1.5,0,2\n-3e2,1,0.25\n"), labelColumn: "label")
        XCTAssertEqual(d.featureNames, ["amount", "fee"])
        XCTAssertEqual(d.features.rows, 2)
        XCTAssertEqual(d.features.values, [1.5, 2, -300, 0.25])
        XCTAssertEqual(d.labels, [0, 1])
        let noLabel = try Dataset.readCSV(path: try file("a,b\n1,2\n"), labelColumn: nil)
        XCTAssertNil(noLabel.labels)
    }

    func testBOMCRLFQuotesBlankLinesAndBooleanLabels() throws {
        let text = "\u{FEFF}\"a\",\"b\",y\r\n1,\"2\",true\r\n\r\n3,4,false\r\n"
        let d = try Dataset.readCSV(path: try file(text), labelColumn: "y")
        XCTAssertEqual(d.featureNames, ["a", "b"])
        XCTAssertEqual(d.features.values, [1, 2, 3, 4])
        XCTAssertEqual(d.labels, [1, 0])
    }

    func testNaNAndInfinityParseAsValues() throws {
        let d = try Dataset.readCSV(path: try file("a,b\nnan,inf\n-inf,1\n"), labelColumn: nil)
        XCTAssertTrue(d.features.values[0].isNaN)
        XCTAssertEqual(d.features.values[1], .infinity)
        XCTAssertEqual(d.features.values[2], -.infinity)
    }

    func testEmptyAndHeaderOnlyFiles() throws {
        let empty = try file("")
        XCTAssertThrowsError(try Dataset.readCSV(path: empty, labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .emptyFile(path: empty))
        }
        let header = try file("a,b\n")
        XCTAssertThrowsError(try Dataset.readCSV(path: header, labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .headerOnly(path: header))
        }
    }

    func testRaggedRowNamesTheLine() throws {
        let path = try file("a,b\n1,2\n3\n4,5\n")
        XCTAssertThrowsError(try Dataset.readCSV(path: path, labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .raggedRow(path: path, row: 3, expected: 2, got: 1))
            XCTAssertTrue("\(error)".contains("line 3"))
        }
        let extra = try file("a,b\n1,2,3\n", "extra.csv")
        XCTAssertThrowsError(try Dataset.readCSV(path: extra, labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .raggedRow(path: extra, row: 2, expected: 2, got: 3))
        }
    }

    func testNonNumericCellNamesRowAndColumn() throws {
        let path = try file("amount,fee\n1,2\n3,abc\n")
        XCTAssertThrowsError(try Dataset.readCSV(path: path, labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .notANumber(path: path, row: 3, column: "fee", cell: "abc"))
            XCTAssertTrue("\(error)".contains("'fee'"))
        }
        let blank = try file("a,b\n1,\n", "blank.csv")
        XCTAssertThrowsError(try Dataset.readCSV(path: blank, labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .notANumber(path: blank, row: 2, column: "b", cell: ""))
        }
    }

    func testMissingLabelColumnListsTheColumns() throws {
        let path = try file("a,b\n1,2\n")
        XCTAssertThrowsError(try Dataset.readCSV(path: path, labelColumn: "class")) { error in
            XCTAssertEqual(error as? DataReadError, .missingLabelColumn(path: path, column: "class", available: ["a", "b"]))
        }
        let bad = try file("a,y\n1,2\n", "badlabel.csv")
        XCTAssertThrowsError(try Dataset.readCSV(path: bad, labelColumn: "y")) { error in
            XCTAssertEqual(error as? DataReadError, .invalidLabel(path: bad, row: 2, cell: "2"))
        }
    }

    func testMissingFile() {
        XCTAssertThrowsError(try Dataset.read(path: "/nonexistent/x.csv", labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .unreadable(path: "/nonexistent/x.csv", reason: "no such file"))
        }
    }

    func testLargeFileParsedInChunksKeepsOrderAndLineNumbers() throws {
        var text = "a,b,label\n"
        for i in 0..<120_000 { text += "\(i),\(Double(i) * 0.5),\(i % 7 == 0 ? 1 : 0)\n" }
        let path = try file(text)
        let d = try Dataset.readCSV(path: path, labelColumn: "label")
        XCTAssertEqual(d.features.rows, 120_000)
        for r in [0, 1, 59_999, 119_999] {
            XCTAssertEqual(d.features[r, 0], Double(r))
            XCTAssertEqual(d.features[r, 1], Double(r) * 0.5)
            XCTAssertEqual(d.labels?[r], r % 7 == 0 ? 1 : 0)
        }
        let broken = text.replacingOccurrences(of: "\n100000,50000.0,", with: "\n100000,oops,")
        let brokenPath = try file(broken, "broken.csv")
        XCTAssertThrowsError(try Dataset.readCSV(path: brokenPath, labelColumn: "label")) { error in
            XCTAssertEqual(error as? DataReadError, .notANumber(path: brokenPath, row: 100_002, column: "b", cell: "oops"))
        }
    }
}
