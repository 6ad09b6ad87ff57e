import Foundation
import XCTest
@testable import VigilFeatures

final class NPZReaderTests: XCTestCase {
    /// `shared/data/adbench`, found from this file: Tests/VigilFeaturesTests/ → repository → its parent.
    static let adbench = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/adbench")

    func shared(_ name: String) throws -> String {
        let path = Self.adbench.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            print("skipping: ADBench data set not found at \(path)")
            throw XCTSkip("ADBench data set not found at \(path)")
        }
        return path
    }

    func write(_ bytes: [UInt8], suffix: String = ".npz") throws -> String {
        let path = try NPZFixture.write(bytes, suffix: suffix)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func readError(_ bytes: [UInt8]) throws -> DataReadError? {
        let path = try write(bytes)
        do {
            _ = try Dataset.readNPZ(path: path)
            XCTFail("expected an error")
            return nil
        } catch let error as DataReadError {
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error)")
            XCTAssertTrue(error.description.contains(path), "names the file: \(error)")
            return error
        }
    }

    // MARK: ADBench files

    func testReadsADBenchFloat64FortranOrderedFile() throws {
        let d = try Dataset.readNPZ(path: try shared("14_glass.npz"))
        XCTAssertEqual(d.features.rows, 214)
        XCTAssertEqual(d.features.cols, 7)
        XCTAssertEqual(d.featureNames, ["x0", "x1", "x2", "x3", "x4", "x5", "x6"])
        XCTAssertEqual(d.labels?.count, 214)
        XCTAssertEqual(d.labels?.filter { $0 == 1 }.count, 9)
        // Checked with numpy: np.load('14_glass.npz')['X'][0], ['X'][213], np.where(y == 1).
        XCTAssertEqual(d.features.row(0), [0.467651, 0.321584, 0.76888, 0.24663, 0.838799, 0.099737, 0.29834])
        XCTAssertEqual(d.features.row(213), [0.485919, 0.548648, 0.481699, 0.40815, 0.656716, 0.0, 0.348888])
        let anomalies = d.labels!.indices.filter { d.labels![$0] == 1 }
        XCTAssertEqual(anomalies, [3, 32, 70, 72, 93, 179, 192, 194, 213])
    }

    func testReadsADBenchUInt8File() throws {
        let d = try Dataset.read(path: try shared("4_breastw.npz"), labelColumn: nil)
        XCTAssertEqual(d.features.rows, 683)
        XCTAssertEqual(d.features.cols, 9)
        XCTAssertEqual(d.labels?.filter { $0 == 1 }.count, 239)
        // Checked with numpy: X[0], X[682], X.sum().
        XCTAssertEqual(d.features.row(0), [5, 1, 1, 1, 2, 1, 3, 1, 1])
        XCTAssertEqual(d.features.row(682), [4, 8, 8, 5, 4, 5, 10, 4, 1])
        XCTAssertEqual(d.features.values.reduce(0, +), 19353)
    }

    // MARK: Archives built here

    func testStoredDeflatedAndZip64Archives() throws {
        let x = NPZFixture.npy([1, 2, 3, 4, 5, 6], shape: "(3, 2)")
        let y = NPZFixture.npy([0, 1, 0], shape: "(3,)")
        for (deflate, zip64) in [(false, false), (true, false), (false, true), (true, true)] {
            let archive = NPZFixture.zip([("X.npy", x), ("y.npy", y)], deflate: deflate, zip64: zip64)
            let d = try Dataset.readNPZ(path: try write(archive))
            XCTAssertEqual(d.features.rows, 3, "deflate \(deflate) zip64 \(zip64)")
            XCTAssertEqual(d.features.values, [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(d.featureNames, ["x0", "x1"])
            XCTAssertEqual(d.labels, [0, 1, 0])
        }
    }

    func testFortranOrderIsTransposedAndYIsOptional() throws {
        // Column-major storage of [[1, 2], [3, 4], [5, 6]].
        let x = NPZFixture.npy([1, 3, 5, 2, 4, 6], shape: "(3, 2)", fortran: true)
        let d = try Dataset.readNPZ(path: try write(NPZFixture.zip([("X.npy", x)], deflate: true)))
        XCTAssertEqual(d.features.values, [1, 2, 3, 4, 5, 6])
        XCTAssertNil(d.labels)
    }

    func testIntegerFloatAndBoolDTypes() throws {
        typealias F = NPZFixture
        let cases: [(String, [UInt8], [Double])] = [
            ("<f4", [Float(1.5), -2, 0.25, 8].flatMap { F.littleEndian($0.bitPattern) }, [1.5, -2, 0.25, 8]),
            ("<i8", [Int64(-3), 4, 1 << 40, 0].flatMap { F.littleEndian($0) }, [-3, 4, 1_099_511_627_776, 0]),
            ("<i4", [Int32(-1), 2, 3, Int32.min].flatMap { F.littleEndian($0) }, [-1, 2, 3, -2_147_483_648]),
            ("<i2", [Int16(-300), 7, 0, 32767].flatMap { F.littleEndian($0) }, [-300, 7, 0, 32767]),
            ("|i1", [0xFF, 0x01, 0x80, 0x7F], [-1, 1, -128, 127]),
            ("|u1", [0, 1, 200, 255], [0, 1, 200, 255]),
            ("<u2", [UInt16(65535), 1, 2, 3].flatMap { F.littleEndian($0) }, [65535, 1, 2, 3]),
            ("<u4", [UInt32.max, 1, 2, 3].flatMap { F.littleEndian($0) }, [4_294_967_295, 1, 2, 3]),
            ("<u8", [UInt64(1) << 63, 1, 2, 3].flatMap { F.littleEndian($0) }, [9_223_372_036_854_775_808, 1, 2, 3]),
            ("|b1", [0, 1, 1, 0], [0, 1, 1, 0]),
            (">f8", [2.5, -1, 3, 4].flatMap { F.bigEndian($0.bitPattern) }, [2.5, -1, 3, 4]),
            (">i2", [Int16(-2), 258, 0, 1].flatMap { F.bigEndian($0) }, [-2, 258, 0, 1]),
        ]
        for (descr, payload, expected) in cases {
            let x = F.npy(descr: descr, shape: "(2, 2)", payload: payload)
            let d = try Dataset.readNPZ(path: try write(F.zip([("X.npy", x)], deflate: true)))
            XCTAssertEqual(d.features.values, expected, descr)
        }
        // Integer labels, as ADBench stores them.
        let x = F.npy([1, 2], shape: "(2, 1)")
        let y = F.npy(descr: "<i8", shape: "(2,)", payload: [Int64(1), 0].flatMap { F.littleEndian($0) })
        let d = try Dataset.readNPZ(path: try write(F.zip([("X.npy", x), ("y.npy", y)], deflate: false)))
        XCTAssertEqual(d.labels, [1, 0])
    }

    // MARK: Errors

    func testTruncatedArchiveIsAClearError() throws {
        let good = NPZFixture.zip([("X.npy", NPZFixture.npy([1, 2, 3, 4], shape: "(2, 2)")),
                                   ("y.npy", NPZFixture.npy([0, 1], shape: "(2,)"))], deflate: true)
        for keep in [good.count - 30, good.count / 2, 60, 10] {
            guard case .invalidArchive(_, let reason) = try readError(Array(good.prefix(keep))) else {
                XCTFail("keeping \(keep) bytes")
                continue
            }
            XCTAssertTrue(reason.contains("truncated"), reason)
        }
    }

    func testNonZipFileIsAClearError() throws {
        let error = try readError(Array("amount,fee\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n".utf8))
        guard case .invalidArchive(_, let reason) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("not a ZIP archive"), reason)
        let empty = try write([])
        XCTAssertThrowsError(try Dataset.readNPZ(path: empty)) { error in
            XCTAssertEqual(error as? DataReadError, .emptyFile(path: empty))
        }
    }

    func testCorruptedDataFailsTheChecksumOrInflate() throws {
        let x = NPZFixture.npy([1, 2, 3, 4], shape: "(2, 2)")
        var stored = NPZFixture.zip([("X.npy", x)], deflate: false)
        stored[30 + 5 + 128 + 3] ^= 0x40 // a data byte of the first value
        guard case .invalidArchive(_, let reason) = try readError(stored) else { return XCTFail() }
        XCTAssertTrue(reason.contains("CRC-32 mismatch"), reason)

        var deflated = NPZFixture.zip([("X.npy", x)], deflate: true)
        for i in 40..<60 { deflated[i] = 0xFF }
        guard case .invalidArchive(_, let reason2) = try readError(deflated) else { return XCTFail() }
        XCTAssertTrue(reason2.contains("X.npy"), reason2)
    }

    func testMissingXAndBadArrays() throws {
        typealias F = NPZFixture
        let noX = try readError(F.zip([("y.npy", F.npy([0], shape: "(1,)"))], deflate: false))
        XCTAssertEqual(noX?.description.contains("no X.npy entry; the archive holds y.npy"), true, "\(String(describing: noX))")

        let complex = F.npy(descr: "<c16", shape: "(1, 1)", payload: [UInt8](repeating: 0, count: 16))
        guard case .unsupportedDType(_, "X", "<c16") = try readError(F.zip([("X.npy", complex)], deflate: false)) else {
            return XCTFail("complex dtype")
        }
        let structured: [UInt8] = {
            var bytes = F.npy([1], shape: "(1, 1)")
            let text = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }"
            let header = Array(text.utf8) + [UInt8](repeating: 0x20, count: 118 - text.utf8.count) + [0x0A]
            bytes.replaceSubrange(10..<128, with: header)
            return bytes
        }()
        guard case .unsupportedDType(_, "X", let dtype) = try readError(F.zip([("X.npy", structured)], deflate: false)) else {
            return XCTFail("structured dtype")
        }
        XCTAssertEqual(dtype, "[('a', '<f8')]")

        var badMagic = F.npy([1], shape: "(1, 1)")
        badMagic[1] = 0x41
        guard case .invalidArray(_, "X", let why) = try readError(F.zip([("X.npy", badMagic)], deflate: true)) else {
            return XCTFail("bad magic")
        }
        XCTAssertTrue(why.contains("bad magic"), why)

        let short = Array(F.npy([1, 2, 3, 4], shape: "(2, 2)").dropLast(8))
        guard case .invalidArray(_, "X", let why2) = try readError(F.zip([("X.npy", short)], deflate: true)) else {
            return XCTFail("short data")
        }
        XCTAssertTrue(why2.contains("truncated data"), why2)

        let oneD = F.npy([1, 2], shape: "(2,)")
        guard case .invalidArray(_, "X", let why3) = try readError(F.zip([("X.npy", oneD)], deflate: false)) else {
            return XCTFail("1-D X")
        }
        XCTAssertTrue(why3.contains("not 2-D"), why3)

        let noShape = F.npy(descr: "<f8", shape: "(1, 1", payload: F.littleEndian(UInt64(0)))
        guard case .invalidArray(_, "X", let why4) = try readError(F.zip([("X.npy", noShape)], deflate: false)) else {
            return XCTFail("bad shape")
        }
        XCTAssertTrue(why4.contains("bad header"), why4)
    }

    func testLabelProblems() throws {
        typealias F = NPZFixture
        let x = F.npy([1, 2, 3], shape: "(3, 1)")
        let short = try readError(F.zip([("X.npy", x), ("y.npy", F.npy([0, 1], shape: "(2,)"))], deflate: false))
        guard case .labelCountMismatch(_, 3, 2) = short else { return XCTFail("\(String(describing: short))") }
        let notBinary = try readError(F.zip([("X.npy", x), ("y.npy", F.npy([0, 1, 3], shape: "(3,)"))], deflate: true))
        guard case .invalidLabelValue(_, 2, 3) = notBinary else { return XCTFail("\(String(describing: notBinary))") }
        XCTAssertTrue(notBinary!.description.contains("y[2] = 3.0 is not 0 or 1"), notBinary!.description)
    }

    func testReadDispatchesOnTheExtension() throws {
        let archive = NPZFixture.zip([("X.npy", NPZFixture.npy([7, 8], shape: "(1, 2)"))], deflate: true)
        let d = try Dataset.read(path: try write(archive, suffix: ".NPZ"), labelColumn: "ignored")
        XCTAssertEqual(d.features.values, [7, 8])
        XCTAssertThrowsError(try Dataset.read(path: "/nonexistent/dir/data.npz", labelColumn: nil)) { error in
            XCTAssertEqual(error as? DataReadError, .fileNotFound(path: "/nonexistent/dir/data.npz"))
        }
    }
}
