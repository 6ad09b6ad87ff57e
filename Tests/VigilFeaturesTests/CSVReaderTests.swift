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

    /// The error reading `path`, checked to be one line naming the file.
    func readError(_ path: String, label: String? = nil) -> DataReadError? {
        do {
            _ = try Dataset.readCSV(path: path, labelColumn: label)
            XCTFail("expected an error reading \(path)")
            return nil
        } catch let error as DataReadError {
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error)")
            XCTAssertTrue(error.description.hasPrefix(path), "names the file: \(error)")
            return error
        } catch {
            XCTFail("unexpected error \(error)")
            return nil
        }
    }

    func testReadsFeaturesAndExcludesTheLabelColumn() throws {
        let d = try Dataset.readCSV(path: try file("amount,label,fee\n1.5,0,2\n-3e2,1,0.25\n+7,1.0,-0\n"), labelColumn: "label")
        XCTAssertEqual(d.featureNames, ["amount", "fee"])
        XCTAssertEqual(d.features.rows, 3)
        XCTAssertEqual(d.features.cols, 2)
        XCTAssertEqual(d.features.values, [1.5, 2, -300, 0.25, 7, 0])
        XCTAssertEqual(d.labels, [0, 1, 1])
        let noLabel = try Dataset.read(path: try file("a,b\n1,2", "nolabel.csv"), labelColumn: nil)
        XCTAssertNil(noLabel.labels)
        XCTAssertEqual(noLabel.features.values, [1, 2])
        XCTAssertEqual(noLabel.featureNames, ["a", "b"])
    }

    func testBOMCRLFQuotedCellsBlankLinesAndBooleanLabels() throws {
        let text = "\u{FEFF}\"amount\",\"fee \"\"usd\"\"\", \"y\"\r\n1, \"2\" ,true\r\n\r\n3,4,FALSE\r\n  \r\n5.5,6,0.0\r\n"
        let d = try Dataset.readCSV(path: try file(text), labelColumn: "y")
        XCTAssertEqual(d.featureNames, ["amount", "fee \"usd\""])
        XCTAssertEqual(d.features.values, [1, 2, 3, 4, 5.5, 6])
        XCTAssertEqual(d.labels, [1, 0, 0])
    }

    func testNaNAndInfinityParseAsValues() throws {
        let d = try Dataset.readCSV(path: try file("a,b,c\nnan,inf,-inf\nNaN,Infinity,-INF\n"), labelColumn: nil)
        let v = d.features.values
        XCTAssertTrue(v[0].isNaN)
        XCTAssertEqual(v[1], .infinity)
        XCTAssertEqual(v[2], -.infinity)
        XCTAssertTrue(v[3].isNaN)
        XCTAssertEqual(v[4], .infinity)
        XCTAssertEqual(v[5], -.infinity)
    }

    func testNumbersMatchTheStandardLibrary() throws {
        // The fast path must round exactly as Double(String) does, and hand everything else to it.
        var generator = SystemRandomNumberGenerator()
        var cells = ["0", "-0", "0.1", "1e22", "1e23", "9007199254740993", "123456789012345678901234", "4.9e-324",
                     "2.2250738585072014e-308", "1.7976931348623157e308", "0.000000000000000000000000001",
                     "12345678901234567890", "1234567890123456789", ".5", "5.", "1E+3", "1e-5", "0x1p4",
                     "9007199254740993", "9007199254740995", "9999999999999999999", "0.0003645723961860757",
                     "58111.810419635316", "2.2318728618200563e-05", "000123.4500", "-0.0", "0.000", "1e-19",
                     "9999999999999999999e-19", "1000000000000000001e19", "4503599627370497.5"]
        for _ in 0..<3000 {
            var x = Double.nan
            while !x.isFinite { x = Double(bitPattern: generator.next()) } // spread over all magnitudes
            let y = Double.random(in: -1e6...1e6, using: &generator)
            let z = y * Double(sign: .plus, exponent: Int.random(in: -80...80, using: &generator), significand: 1)
            cells.append("\(x)")
            cells.append("\(y)")
            cells.append("\(z)")
            cells.append(String(format: "%.10g", y))
            cells.append(String(format: "%.17g", y))
            cells.append(String(format: "%.17g", z))
            cells.append(String(format: "%.19g", z))
            cells.append(String(format: "%.18e", z))
            cells.append(String(format: "%.6f", y))
        }
        let d = try Dataset.readCSV(path: try file("v\n" + cells.joined(separator: "\n")), labelColumn: nil)
        XCTAssertEqual(d.features.rows, cells.count)
        for (i, cell) in cells.enumerated() {
            guard let expected = Double(cell) else {
                XCTFail("Double(String) rejects '\(cell)'")
                continue
            }
            XCTAssertEqual(d.features.values[i].bitPattern, expected.bitPattern, cell)
        }
    }

    func testEmptyAndHeaderOnlyFiles() throws {
        let empty = try file("", "empty.csv")
        XCTAssertEqual(readError(empty), .emptyFile(path: empty))
        let blank = try file("\n\r\n  \n", "blank.csv")
        XCTAssertEqual(readError(blank), .emptyFile(path: blank))
        let header = try file("a,b\n", "header.csv")
        XCTAssertEqual(readError(header), .headerOnly(path: header))
        let headerNoNewline = try file("\u{FEFF}a,b", "header2.csv")
        XCTAssertEqual(readError(headerNoNewline), .headerOnly(path: headerNoNewline))
        let headerBlankLines = try file("a,b\r\n\r\n\r\n", "header3.csv")
        XCTAssertEqual(readError(headerBlankLines), .headerOnly(path: headerBlankLines))
    }

    func testRaggedRowNamesTheLine() throws {
        let short = try file("a,b\n1,2\n\n3\n4,5\n")
        let error = readError(short)
        XCTAssertEqual(error, .raggedRow(path: short, line: 4, expected: 2, got: 1))
        XCTAssertEqual(error?.description, "\(short) line 4: 1 cell, expected 2 (one per header column)")
        let long = try file("\n\na,b\r\n1,2,3\r\n", "long.csv")
        XCTAssertEqual(readError(long), .raggedRow(path: long, line: 4, expected: 2, got: 3))
        let trailingComma = try file("a,b\n1,2,\n", "trailing.csv")
        XCTAssertEqual(readError(trailingComma), .raggedRow(path: trailingComma, line: 2, expected: 2, got: 3))
    }

    func testNonNumericCellNamesLineAndColumn() throws {
        let path = try file("amount,fee\n1,2\n3,abc\n")
        let error = readError(path)
        XCTAssertEqual(error, .nonNumericCell(path: path, line: 3, column: "fee", cell: "abc"))
        XCTAssertEqual(error?.description, "\(path) line 3, column 'fee': 'abc' is not a number")
        let emptyCell = try file("a,b\n1,\n", "emptycell.csv")
        XCTAssertEqual(readError(emptyCell), .nonNumericCell(path: emptyCell, line: 2, column: "b", cell: ""))
        let emptyCRLF = try file("a,b\r\n1, \r\n", "emptycrlf.csv")
        XCTAssertEqual(readError(emptyCRLF), .nonNumericCell(path: emptyCRLF, line: 2, column: "b", cell: ""))
        let junk = try file("a,b\n1.5.2,1\n", "junk.csv")
        XCTAssertEqual(readError(junk), .nonNumericCell(path: junk, line: 2, column: "a", cell: "1.5.2"))
        let quoted = try file("a,b\n\"12x\",1\n", "quoted.csv")
        XCTAssertEqual(readError(quoted), .nonNumericCell(path: quoted, line: 2, column: "a", cell: "12x"))
    }

    func testLabelColumnProblems() throws {
        let path = try file("a,b\n1,2\n")
        let missing = readError(path, label: "class")
        XCTAssertEqual(missing, .missingLabelColumn(path: path, column: "class", available: ["a", "b"]))
        XCTAssertEqual(missing?.description, "\(path): no label column 'class'; the header has 'a', 'b'")
        let bad = try file("a,y\n1,0\n1,2\n", "badlabel.csv")
        XCTAssertEqual(readError(bad, label: "y"), .invalidLabel(path: bad, line: 3, column: "y", cell: "2"))
        let blankLabel = try file("a,y\n1,\n", "blanklabel.csv")
        XCTAssertEqual(readError(blankLabel, label: "y"), .invalidLabel(path: blankLabel, line: 2, column: "y", cell: ""))
    }

    func testMissingAndUnreadableFiles() {
        XCTAssertThrowsError(try Dataset.read(path: "/nonexistent/x.csv", labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .fileNotFound(path: "/nonexistent/x.csv"))
            XCTAssertEqual("\(error)", "/nonexistent/x.csv: no such file")
        }
        XCTAssertThrowsError(try Dataset.read(path: dir.path, labelColumn: nil)) { error in
            guard case .unreadable = error as? DataReadError else { return XCTFail("\(error)") }
        }
    }

    func testLargeFileParsedInChunksKeepsOrderAndLineNumbers() throws {
        var text = "a,b,label\n"
        text.reserveCapacity(3_000_000)
        for i in 0..<150_000 {
            text += "\(i),\(Double(i) * 0.5),\(i % 7 == 0 ? 1 : 0)\n"
            if i % 10_000 == 5 { text += "\n" } // blank lines shift rows against lines
        }
        let path = try file(text)
        let d = try Dataset.readCSV(path: path, labelColumn: "label")
        XCTAssertEqual(d.features.rows, 150_000)
        XCTAssertEqual(d.labels?.count, 150_000)
        for r in 0..<150_000 {
            guard d.features[r, 0] == Double(r), d.features[r, 1] == Double(r) * 0.5,
                  d.labels?[r] == (r % 7 == 0 ? 1 : 0) else {
                return XCTFail("row \(r) is wrong")
            }
        }
        // Line of row r: header (1) + r + 1 + blank lines before it.
        func line(ofRow r: Int) -> Int { 2 + r + (r > 5 ? (r - 6) / 10_000 + 1 : 0) }
        for bad in [140_001, 99_999, 3] {
            var broken = text.replacingOccurrences(of: "\n\(bad),\(Double(bad) * 0.5),", with: "\n\(bad),oops,")
            if bad == 140_001 { broken = broken.replacingOccurrences(of: "\n120000,", with: "\n120000,1,2,") }
            let brokenPath = try file(broken, "broken\(bad).csv")
            let expected: DataReadError = bad == 140_001
                ? .raggedRow(path: brokenPath, line: line(ofRow: 120_000), expected: 3, got: 5)
                : .nonNumericCell(path: brokenPath, line: line(ofRow: bad), column: "b", cell: "oops")
            XCTAssertEqual(readError(brokenPath, label: "label"), expected)
        }
    }
}
