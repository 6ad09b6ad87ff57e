import CZlib
import Foundation

/// Builds small `.npy` arrays and ZIP archives in memory, so the `.npz` tests need no Python.
enum NPZFixture {
    /// A version 1.0 `.npy`: `header` dict fields from the arguments, `payload` as the data bytes.
    static func npy(descr: String, shape: String, fortran: Bool = false, payload: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        return out + Array(header.utf8) + payload
    }

    /// A `.npy` of little-endian float64 values.
    static func npy(_ values: [Double], shape: String, fortran: Bool = false) -> [UInt8] {
        npy(descr: "<f8", shape: shape, fortran: fortran, payload: values.flatMap { littleEndian($0.bitPattern) })
    }

    /// The little-endian bytes of an integer.
    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// The big-endian bytes of an integer.
    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Raw deflate (no zlib header) of `data`, as ZIP method 8 stores it.
    static func deflated(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        _ = deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
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
        return Array(out[0..<Int(stream.total_out)])
    }

    /// A ZIP archive of `entries`, stored or deflated; with `zip64` the central directory saturates
    /// sizes and offsets at 0xFFFFFFFF and gives them in a ZIP64 extra field, as large archives do.
    static func zip(_ entries: [(String, [UInt8])], deflate: Bool, zip64: Bool = false) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { littleEndian(UInt16(v)) }
        func le32(_ v: Int) -> [UInt8] { littleEndian(UInt32(v)) }
        var body = [UInt8](), directory = [UInt8]()
        for (name, data) in entries {
            let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            let payload = deflate ? deflated(data) : data
            let offset = body.count
            let method = deflate ? 8 : 0
            let name8 = Array(name.utf8)
            let local = le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0)
                + littleEndian(crc) + le32(payload.count) + le32(data.count) + le16(name8.count) + le16(0)
            body += local + name8 + payload
            let saturated = 0xFFFF_FFFF
            let extra: [UInt8] = zip64
                ? le16(1) + le16(24) + littleEndian(UInt64(data.count)) + littleEndian(UInt64(payload.count)) + littleEndian(UInt64(offset))
                : []
            directory += le32(0x0201_4B50) + le16(45) + le16(zip64 ? 45 : 20) + le16(0) + le16(method) + le16(0) + le16(0)
                + littleEndian(crc) + le32(zip64 ? saturated : payload.count) + le32(zip64 ? saturated : data.count)
                + le16(name8.count) + le16(extra.count) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(zip64 ? saturated : offset) + name8 + extra
        }
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(directory.count) + le32(body.count) + le16(0)
        return body + directory + end
    }

    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func write(_ bytes: [UInt8], suffix: String = ".npz") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url.path
    }
}
