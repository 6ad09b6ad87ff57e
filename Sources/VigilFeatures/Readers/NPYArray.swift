/// A NumPy `.npy` array converted to `Double`, row-major (C order) whatever its storage order.
///
/// Reads format versions 1.0, 2.0 and 3.0 and the dtypes f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 b1 in either
/// byte order (`<`, `>`, `=`, `|`). Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
struct NPYArray {
    /// The dimensions, as the header gives them.
    var shape: [Int]
    /// The values in C order.
    var values: [Double]

    /// Parses `bytes`, the `.npy` stored as `name` in the archive at `path` (both for error messages).
    init(bytes: [UInt8], name: String, path: String) throws {
        func fail(_ why: String) -> DataReadError { .invalidArray(path: path, array: name, reason: why) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // \x93NUMPY
        guard bytes.count >= 10 else { throw fail("truncated: \(bytes.count) bytes, shorter than a .npy preamble") }
        guard Array(bytes[0..<6]) == magic else { throw fail("bad magic (does not start with \\x93NUMPY)") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(ZipArchive.u32(bytes, 8))
            headerStart = 12
        default:
            throw fail("format version \(major).\(bytes[7]) is not supported (1.0, 2.0, 3.0 are)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw fail("truncated header: \(headerLength) bytes declared, \(bytes.count - headerStart) present")
        }
        let header: NPYHeader
        do {
            header = try NPYHeader(Array(bytes[headerStart..<(headerStart + headerLength)]))
        } catch .structuredDType(let text) {
            throw DataReadError.unsupportedDType(path: path, array: name, dtype: text)
        } catch .malformed(let why) {
            throw fail("bad header: \(why)")
        }
        let descr = header.descr
        guard let type = Self.elementType(descr) else {
            throw DataReadError.unsupportedDType(path: path, array: name, dtype: descr)
        }
        var count = 1
        for dim in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw fail("shape \(header.shape) is too large") }
            count = product
        }
        let dataStart = headerStart + headerLength
        let (needed, overflow) = count.multipliedReportingOverflow(by: type.width)
        guard !overflow, needed <= bytes.count - dataStart else {
            throw fail("truncated data: shape \(Self.shapeText(header.shape)) of \(descr) needs \(count) × \(type.width) bytes, "
                + "\(bytes.count - dataStart) present")
        }
        var out = Self.convert(bytes, from: dataStart, count: count, type: type)
        if header.fortranOrder && header.shape.count > 1 {
            guard header.shape.count == 2 else {
                throw fail("Fortran-ordered arrays of \(header.shape.count) dimensions are not supported")
            }
            out = Self.transposed(out, rows: header.shape[0], cols: header.shape[1])
        }
        self.shape = header.shape
        self.values = out
    }

    /// `(214, 7)`, as NumPy prints a shape.
    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// A dtype's kind, width in bytes and byte order.
    struct ElementType {
        var kind: Character
        var width: Int
        var bigEndian: Bool
    }

    /// The element type for a supported `descr`, or nil.
    static func elementType(_ descr: String) -> ElementType? {
        var text = Substring(descr)
        var bigEndian = false
        switch text.first {
        case "<", "|", "=": text = text.dropFirst()
        case ">": bigEndian = true; text = text.dropFirst()
        default: break
        }
        guard let kind = text.first, let width = Int(text.dropFirst()) else { return nil }
        switch (kind, width) {
        case ("f", 8), ("f", 4), ("i", 8), ("i", 4), ("i", 2), ("i", 1),
             ("u", 8), ("u", 4), ("u", 2), ("u", 1), ("b", 1):
            return ElementType(kind: kind, width: width, bigEndian: bigEndian && width > 1)
        default:
            return nil
        }
    }

    /// `count` elements starting at byte `start`, converted to `Double`.
    static func convert(_ bytes: [UInt8], from start: Int, count: Int, type: ElementType) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                guard count > 0, let base = raw.baseAddress.map({ $0 + start }), let o = out.baseAddress else { return }
                let swap = type.bigEndian
                func each<T: FixedWidthInteger>(_: T.Type, _ convert: (T) -> Double) {
                    for i in 0..<count {
                        let v = base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                        (o + i).initialize(to: convert(swap ? T(bigEndian: v) : T(littleEndian: v)))
                    }
                }
                switch (type.kind, type.width) {
                case ("f", 8): each(UInt64.self) { Double(bitPattern: $0) }
                case ("f", 4): each(UInt32.self) { Double(Float(bitPattern: $0)) }
                case ("i", 8): each(Int64.self) { Double($0) }
                case ("i", 4): each(Int32.self) { Double($0) }
                case ("i", 2): each(Int16.self) { Double($0) }
                case ("i", 1): each(Int8.self) { Double($0) }
                case ("u", 8): each(UInt64.self) { Double($0) }
                case ("u", 4): each(UInt32.self) { Double($0) }
                case ("u", 2): each(UInt16.self) { Double($0) }
                case ("u", 1): each(UInt8.self) { Double($0) }
                default: each(UInt8.self) { $0 == 0 ? 0 : 1 } // b1
                }
            }
            initialized = count
        }
    }

    /// The row-major copy of a column-major `rows × cols` matrix, in cache-sized tiles.
    static func transposed(_ columnMajor: [Double], rows: Int, cols: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * cols)
        let tile = 64
        columnMajor.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r0 in stride(from: 0, to: rows, by: tile) {
                    let r1 = min(rows, r0 + tile)
                    for c in 0..<cols {
                        for r in r0..<r1 { dst[r * cols + c] = src[c * rows + r] }
                    }
                }
            }
        }
        return out
    }
}
