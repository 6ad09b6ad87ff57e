import CZlib
import Foundation
import XCTest
@testable import VigilFeatures

final class NPZReaderTests: XCTestCase {
    static let adbench = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/adbench")

    func shared(_ name: String) throws -> String {
        let path = Self.adbench.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("shared data set not found: \(path)") }
        return path
    }

    func testReadsADBenchFloatFile() throws {
        let d = try Dataset.readNPZ(path: try shared("14_glass.npz"))
        XCTAssertEqual(d.features.rows, 214)
        XCTAssertEqual(d.features.cols, 7)
        XCTAssertEqual(d.labels?.filter { $0 == 1 }.count, 9)
        XCTAssertEqual(d.featureNames.first, "x0")
        // np.load('14_glass.npz')['X'][0] == [0.467651, 0.321584, 0.76888, 0.24663, 0.838799, 0.099737, 0.29834]
        XCTAssertEqual(d.features.row(0), [0.467651, 0.321584, 0.76888, 0.24663, 0.838799, 0.099737, 0.29834])
    }

    func testReadsADBenchIntegerFile() throws {
        let d = try Dataset.readNPZ(path: try shared("4_breastw.npz"))
        XCTAssertEqual(d.features.rows, 683)
        XCTAssertEqual(d.features.cols, 9)
        XCTAssertEqual(d.labels?.filter { $0 == 1 }.count, 239)
        XCTAssertTrue(d.features.values.allSatisfy { $0 >= 1 && $0 <= 10 && $0 == $0.rounded() })
    }

    /// A .npy array of little-endian float64 values.
    func npy(_ values: [Double], shape: String, descr: String = "<f8", fortran: Bool = false) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        out += Array(header.utf8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        return out
    }

    /// A zip archive of the entries, stored or deflated.
    func zip(_ entries: [(String, [UInt8])], deflate: Bool) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var body = [UInt8](), directory = [UInt8]()
        for (name, data) in entries {
            let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            var payload = data
            if deflate {
                var stream = z_stream()
                deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                var out = [UInt8](repeating: 0, count: data.count + 1024)
                var input = data
                input.withUnsafeMutableBufferPointer { i in
                    out.withUnsafeMutableBufferPointer { o in
                        stream.next_in = i.baseAddress
                        stream.avail_in = uInt(i.count)
                        stream.next_out = o.baseAddress
                        stream.avail_out = uInt(o.count)
                        _ = CZlib.deflate(&stream, Z_FINISH)
                    }
                }
                payload = Array(out[0..<Int(stream.total_out)])
                deflateEnd(&stream)
            }
            let offset = UInt32(body.count)
            let method = deflate ? 8 : 0
            let common = le16(20) + le16(0) + le16(method) + le16(0) + le16(0) + le32(crc)
                + le32(UInt32(payload.count)) + le32(UInt32(data.count)) + le16(name.utf8.count)
            body += le32(0x0403_4B50) + common + le16(0) + Array(name.utf8) + payload
            directory += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le16(0)
                + le32(0) + le32(offset) + Array(name.utf8)
        }
        let eocd = le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(UInt32(directory.count)) + le32(UInt32(body.count)) + le16(0)
        return body + directory + eocd
    }

    func write(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString).npz")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testStoredAndDeflatedArchivesAndFortranOrder() throws {
        let x = npy([1, 2, 3, 4, 5, 6], shape: "(3, 2)")
        let y = npy([0, 1, 0], shape: "(3,)")
        for deflate in [false, true] {
            let d = try Dataset.readNPZ(path: try write(zip([("X.npy", x), ("y.npy", y)], deflate: deflate)))
            XCTAssertEqual(d.features.values, [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(d.labels, [0, 1, 0])
        }
        // Column-major storage of [[1, 2], [3, 4], [5, 6]].
        let fortran = npy([1, 3, 5, 2, 4, 6], shape: "(3, 2)", fortran: true)
        let d = try Dataset.readNPZ(path: try write(zip([("X.npy", fortran)], deflate: true)))
        XCTAssertEqual(d.features.values, [1, 2, 3, 4, 5, 6])
        XCTAssertNil(d.labels)
    }

    func testBrokenArchivesGiveClearErrors() throws {
        let good = zip([("X.npy", npy([1, 2, 3, 4], shape: "(2, 2)")), ("y.npy", npy([0, 1], shape: "(2,)"))], deflate: true)
        let truncated = try write(Array(good.prefix(good.count - 30)))
        XCTAssertThrowsError(try Dataset.readNPZ(path: truncated)) { error in
            guard case .invalidArchive = error as? DataReadError else { return XCTFail("\(error)") }
        }
        let text = try write(Array("a,b\n1,2\n".utf8))
        XCTAssertThrowsError(try Dataset.readNPZ(path: text)) { error in
            XCTAssertTrue("\(error)".contains("zip"), "\(error)")
        }
        var corrupt = good
        corrupt[60] ^= 0xFF
        XCTAssertThrowsError(try Dataset.readNPZ(path: try write(corrupt)))
        let noX = try write(zip([("y.npy", npy([0], shape: "(1,)"))], deflate: false))
        XCTAssertThrowsError(try Dataset.readNPZ(path: noX)) { error in
            XCTAssertTrue("\(error)".contains("no X array"), "\(error)")
        }
        let badType = try write(zip([("X.npy", npy([1], shape: "(1, 1)", descr: "<c16"))], deflate: false))
        XCTAssertThrowsError(try Dataset.readNPZ(path: badType)) { error in
            XCTAssertTrue("\(error)".contains("<c16"), "\(error)")
        }
        let badLabels = try write(zip([("X.npy", npy([1, 2], shape: "(2, 1)")), ("y.npy", npy([0, 3], shape: "(2,)"))], deflate: false))
        XCTAssertThrowsError(try Dataset.readNPZ(path: badLabels)) { error in
            XCTAssertTrue("\(error)".contains("not 0 or 1"), "\(error)")
        }
    }
}
