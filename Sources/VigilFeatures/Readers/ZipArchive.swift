import CZlib

/// A minimal ZIP reader for NumPy `.npz` files: central directory, stored and deflated entries,
/// ZIP64 sizes, CRC-32 checked.
struct ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    let path: String
    let bytes: [UInt8]
    let entries: [Entry]

    init(path: String, bytes: [UInt8]) throws {
        self.path = path
        self.bytes = bytes
        func fail(_ why: String) -> DataReadError { .invalidArchive(path: path, reason: why) }
        // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw fail("file too short to be a zip archive") }
        var eocd = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while i >= lowest {
            if Self.u32(bytes, i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw fail("no zip end-of-central-directory record (not a zip, or truncated)") }
        var count = Int(Self.u16(bytes, eocd + 10))
        var directorySize = Int(Self.u32(bytes, eocd + 12))
        var directoryOffset = Int(Self.u32(bytes, eocd + 16))
        // ZIP64 end of central directory locator just before the EOCD.
        if eocd >= 20 && Self.u32(bytes, eocd - 20) == 0x0706_4B50 {
            let record = Int(Self.u64(bytes, eocd - 12))
            guard record + 56 <= bytes.count, Self.u32(bytes, record) == 0x0606_4B50 else {
                throw fail("bad ZIP64 end-of-central-directory record")
            }
            count = Int(Self.u64(bytes, record + 32))
            directorySize = Int(Self.u64(bytes, record + 40))
            directoryOffset = Int(Self.u64(bytes, record + 48))
        }
        guard directoryOffset >= 0, directoryOffset + directorySize <= bytes.count else {
            throw fail("central directory lies outside the file (truncated)")
        }
        var entries = [Entry]()
        var p = directoryOffset
        for _ in 0..<count {
            guard p + 46 <= bytes.count, Self.u32(bytes, p) == 0x0201_4B50 else {
                throw fail("corrupt central directory entry")
            }
            let method = Self.u16(bytes, p + 10)
            let crc = Self.u32(bytes, p + 16)
            var compressed = Int(Self.u32(bytes, p + 20))
            var size = Int(Self.u32(bytes, p + 24))
            let nameLength = Int(Self.u16(bytes, p + 28))
            let extraLength = Int(Self.u16(bytes, p + 30))
            let commentLength = Int(Self.u16(bytes, p + 32))
            var offset = Int(Self.u32(bytes, p + 42))
            guard p + 46 + nameLength + extraLength <= bytes.count else { throw fail("corrupt central directory entry") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            // ZIP64 extra field: the 0xFFFFFFFF fields in order size, compressed, offset.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = Self.u16(bytes, e), length = Int(Self.u16(bytes, e + 2))
                if id == 0x0001 {
                    var f = e + 4
                    if size == 0xFFFF_FFFF { size = Int(Self.u64(bytes, f)); f += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = Int(Self.u64(bytes, f)); f += 8 }
                    if offset == 0xFFFF_FFFF { offset = Int(Self.u64(bytes, f)) }
                }
                e += 4 + length
            }
            entries.append(Entry(name: name, method: method, crc: crc, compressedSize: compressed, size: size, localHeaderOffset: offset))
            p = extraEnd + commentLength
        }
        self.entries = entries
    }

    /// The uncompressed bytes of the entry named `name`, or nil when there is none.
    func contents(of name: String) throws -> [UInt8]? {
        guard let entry = entries.first(where: { $0.name == name }) else { return nil }
        func fail(_ why: String) -> DataReadError { .invalidArchive(path: path, reason: "\(name): \(why)") }
        let h = entry.localHeaderOffset
        guard h + 30 <= bytes.count, Self.u32(bytes, h) == 0x0403_4B50 else { throw fail("bad local header") }
        let start = h + 30 + Int(Self.u16(bytes, h + 26)) + Int(Self.u16(bytes, h + 28))
        guard start + entry.compressedSize <= bytes.count else { throw fail("data is truncated") }
        var out: [UInt8]
        switch entry.method {
        case 0:
            out = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            out = try inflate(start: start, compressedSize: entry.compressedSize, size: entry.size, fail: fail)
        default:
            throw fail("compression method \(entry.method) is not supported")
        }
        guard out.count == entry.size else { throw fail("inflated to \(out.count) bytes, expected \(entry.size)") }
        let crc = out.withUnsafeBufferPointer { b -> UInt32 in
            var c: uLong = 0
            var offset = 0
            while offset < b.count {
                let n = min(b.count - offset, Int(UInt32.max))
                c = crc32(c, b.baseAddress! + offset, uInt(n))
                offset += n
            }
            return UInt32(truncatingIfNeeded: c)
        }
        guard crc == entry.crc else { throw fail("CRC mismatch (corrupted)") }
        return out
    }

    private func inflate(start: Int, compressedSize: Int, size: Int, fail: (String) -> DataReadError) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start)
                stream.avail_in = uInt(compressedSize)
                stream.next_out = output.baseAddress
                stream.avail_out = uInt(size)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw fail("deflate data is corrupt or truncated (zlib status \(status))") }
        return out
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
