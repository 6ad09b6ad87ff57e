import CZlib

/// A minimal reader for a ZIP archive held in memory, enough for NumPy `.npz` files: the
/// end-of-central-directory record (ZIP64 too), the central directory, local headers, stored (0)
/// and deflated (8) entries inflated with zlib, every entry's CRC-32 checked.
///
/// Every offset and size read from the file is bounds-checked before use, so a truncated or
/// corrupted archive gives a `DataReadError.invalidArchive` naming what is wrong, never a trap.
struct ZipArchive {
    /// One file in the archive, as the central directory describes it.
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    let path: String
    let bytes: [UInt8]
    let entries: [Entry]

    /// Parses the archive's directory; entry data is read by `contents(of:)`.
    init(path: String, bytes: [UInt8]) throws {
        self.path = path
        self.bytes = bytes
        func fail(_ why: String) -> DataReadError { .invalidArchive(path: path, reason: why) }
        let looksLikeZip = bytes.count >= 4 && Self.u32(bytes, 0) == 0x0403_4B50
        guard bytes.count >= 22 else {
            throw fail(looksLikeZip ? "truncated: only \(bytes.count) bytes" : "not a ZIP archive (\(bytes.count) bytes, no ZIP signature)")
        }
        // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
        var eocd = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while i >= lowest {
            if Self.u32(bytes, i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw fail(looksLikeZip
                ? "truncated or corrupted: no end-of-central-directory record at the end of the file"
                : "not a ZIP archive (no ZIP signature)")
        }
        var count = Int(Self.u16(bytes, eocd + 10))
        var directorySize = Int(Self.u32(bytes, eocd + 12))
        var directoryOffset = Int(Self.u32(bytes, eocd + 16))
        // ZIP64: a locator right before the record points at the 64-bit record.
        if eocd >= 20 && Self.u32(bytes, eocd - 20) == 0x0706_4B50 {
            guard let record = Int(exactly: Self.u64(bytes, eocd - 12)), record >= 0, record <= bytes.count - 56,
                  Self.u32(bytes, record) == 0x0606_4B50 else {
                throw fail("corrupted ZIP64 end-of-central-directory record")
            }
            guard let c = Int(exactly: Self.u64(bytes, record + 32)),
                  let s = Int(exactly: Self.u64(bytes, record + 40)),
                  let o = Int(exactly: Self.u64(bytes, record + 48)) else {
                throw fail("corrupted ZIP64 end-of-central-directory record")
            }
            (count, directorySize, directoryOffset) = (c, s, o)
        }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw fail("truncated: the central directory (\(directorySize) bytes at offset \(directoryOffset)) "
                + "lies past the end of the \(bytes.count)-byte file")
        }
        var entries = [Entry]()
        var p = directoryOffset
        for index in 0..<count {
            guard p <= bytes.count - 46, Self.u32(bytes, p) == 0x0201_4B50 else {
                throw fail("corrupted central directory: entry \(index + 1) of \(count) is missing")
            }
            let flags = Self.u16(bytes, p + 8)
            let method = Self.u16(bytes, p + 10)
            let crc = Self.u32(bytes, p + 16)
            var compressed = UInt64(Self.u32(bytes, p + 20))
            var size = UInt64(Self.u32(bytes, p + 24))
            let nameLength = Int(Self.u16(bytes, p + 28))
            let extraLength = Int(Self.u16(bytes, p + 30))
            let commentLength = Int(Self.u16(bytes, p + 32))
            var offset = UInt64(Self.u32(bytes, p + 42))
            let nameStart = p + 46
            let extraStart = nameStart + nameLength
            let extraEnd = extraStart + extraLength
            guard extraEnd + commentLength <= bytes.count else {
                throw fail("truncated central directory at entry \(index + 1)")
            }
            let name = String(decoding: bytes[nameStart..<extraStart], as: UTF8.self)
            // ZIP64 extra field (id 1): 64-bit values for the fields saturated at 0xFFFFFFFF,
            // in the order size, compressed size, local header offset.
            var e = extraStart
            while e + 4 <= extraEnd {
                let id = Self.u16(bytes, e)
                let length = Int(Self.u16(bytes, e + 2))
                let fieldEnd = min(e + 4 + length, extraEnd)
                if id == 0x0001 {
                    var f = e + 4
                    func next() throws -> UInt64 {
                        guard f + 8 <= fieldEnd else { throw fail("\(name): ZIP64 extra field is too short") }
                        defer { f += 8 }
                        return Self.u64(bytes, f)
                    }
                    if size == 0xFFFF_FFFF { size = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if offset == 0xFFFF_FFFF { offset = try next() }
                }
                e = e + 4 + length
            }
            guard let compressedSize = Int(exactly: compressed), let fullSize = Int(exactly: size),
                  let headerOffset = Int(exactly: offset) else {
                throw fail("\(name): sizes or offset out of range (corrupted)")
            }
            entries.append(Entry(name: name, method: method, flags: flags, crc: crc, compressedSize: compressedSize,
                                 size: fullSize, localHeaderOffset: headerOffset))
            p = extraEnd + commentLength
        }
        self.entries = entries
    }

    /// The uncompressed bytes of the entry named `name` (CRC-checked), or nil when there is none.
    func contents(of name: String) throws -> [UInt8]? {
        guard let entry = entries.first(where: { $0.name == name }) else { return nil }
        func fail(_ why: String) -> DataReadError { .invalidArchive(path: path, reason: "\(name): \(why)") }
        guard entry.flags & 1 == 0 else { throw fail("the entry is encrypted") }
        let h = entry.localHeaderOffset
        guard h <= bytes.count - 30, Self.u32(bytes, h) == 0x0403_4B50 else {
            throw fail("no local file header at offset \(h) (truncated or corrupted)")
        }
        let start = h + 30 + Int(Self.u16(bytes, h + 26)) + Int(Self.u16(bytes, h + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw fail("truncated: \(entry.compressedSize) bytes of data expected at offset \(start), "
                + "the file has \(max(0, bytes.count - start)) there")
        }
        let out: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.size else {
                throw fail("stored entry has \(entry.compressedSize) bytes but declares \(entry.size)")
            }
            out = Array(bytes[start..<(start + entry.size)])
        case 8:
            // Deflate cannot expand data more than 1032-fold; a larger claim is corruption.
            guard entry.size / 1032 <= entry.compressedSize + 1 else {
                throw fail("declared size \(entry.size) is impossible for \(entry.compressedSize) compressed bytes (corrupted)")
            }
            out = try inflated(from: start, compressedSize: entry.compressedSize, size: entry.size, fail: fail)
        default:
            throw fail("compression method \(entry.method) is not supported (only stored and deflate)")
        }
        let crc = Self.crc32Checksum(out)
        guard crc == entry.crc else {
            throw fail("CRC-32 mismatch (corrupted): computed \(String(crc, radix: 16)), stored \(String(entry.crc, radix: 16))")
        }
        return out
    }

    /// Raw-deflate data (no zlib header, window bits −15) inflated to exactly `size` bytes.
    private func inflated(from start: Int, compressedSize: Int, size: Int,
                          fail: (String) -> DataReadError) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let limit = Int(UInt32.max)
        // At least one byte of room: zlib refuses a null output pointer even for empty entries.
        return try [UInt8](unsafeUninitializedCapacity: max(size, 1)) { output, initialized in
            try bytes.withUnsafeBufferPointer { input in
                var read = 0
                var written = 0
                while true {
                    let inChunk = min(compressedSize - read, limit)
                    let outChunk = min(size - written, limit)
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start + read)
                    stream.avail_in = uInt(inChunk)
                    stream.next_out = output.baseAddress.map { $0 + written }
                    stream.avail_out = uInt(outChunk)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    let consumed = inChunk - Int(stream.avail_in)
                    let produced = outChunk - Int(stream.avail_out)
                    read += consumed
                    written += produced
                    if status == Z_STREAM_END { break }
                    if status == Z_OK && (consumed > 0 || produced > 0) { continue }
                    if status == Z_OK || status == Z_BUF_ERROR {
                        if written == size { throw fail("inflates to more than the declared \(size) bytes (corrupted)") }
                        throw fail("truncated: the compressed data ends after \(read) bytes, before the deflate stream does")
                    }
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw fail("corrupted deflate data (zlib: \(message))")
                }
                guard written == size else {
                    throw fail("inflated to \(written) bytes, the directory declares \(size) (corrupted)")
                }
                initialized = written
            }
        }
    }

    /// zlib's CRC-32 of `data`.
    static func crc32Checksum(_ data: [UInt8]) -> UInt32 {
        data.withUnsafeBufferPointer { b -> UInt32 in
            var c: uLong = crc32(0, nil, 0)
            var offset = 0
            while offset < b.count {
                let n = min(b.count - offset, Int(UInt32.max))
                c = crc32(c, b.baseAddress! + offset, uInt(n))
                offset += n
            }
            return UInt32(truncatingIfNeeded: c)
        }
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
