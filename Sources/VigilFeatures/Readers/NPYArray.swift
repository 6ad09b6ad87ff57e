import Foundation

/// A NumPy `.npy` array converted to `Double`: dtypes f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 b1, either byte
/// order, C or Fortran order (returned row-major).
struct NPYArray {
    var shape: [Int]
    var values: [Double]

    init(bytes: [UInt8], name: String, path: String) throws {
        func fail(_ why: String) -> DataReadError { .invalidArchive(path: path, reason: "\(name): \(why)") }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("not a .npy array (bad magic)") }
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
            throw fail(".npy version \(major) is not supported")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = Self.quotedValue(after: "'descr'", in: header) else { throw fail("header has no descr") }
        let fortran = header.range(of: "'fortran_order': True") != nil
        guard let shapeOpen = header.range(of: "'shape': (")?.upperBound,
              let shapeClose = header[shapeOpen...].firstIndex(of: ")") else { throw fail("header has no shape") }
        let shape = header[shapeOpen..<shapeClose].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        guard descr.count >= 3 else { throw fail("unsupported dtype '\(descr)'") }
        let order = descr.first!
        let kind = descr.dropFirst().first!
        guard let width = Int(descr.dropFirst(2)) else { throw fail("unsupported dtype '\(descr)'") }
        let supported: Set<String> = ["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"]
        guard supported.contains("\(kind)\(width)") else { throw fail("unsupported dtype '\(descr)'") }
        let bigEndian = order == ">"
        guard dataStart + count * width <= bytes.count else {
            throw fail("data is truncated: \(bytes.count - dataStart) bytes for \(count) values of \(width)")
        }
        var out = [Double](repeating: 0, count: count)
        try bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
                let v = base.loadUnaligned(fromByteOffset: i * width, as: T.self)
                return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
            }
            switch (kind, width) {
            case ("f", 8): for i in 0..<count { out[i] = Double(bitPattern: load(UInt64.self, i)) }
            case ("f", 4): for i in 0..<count { out[i] = Double(Float(bitPattern: load(UInt32.self, i))) }
            case ("i", 8): for i in 0..<count { out[i] = Double(load(Int64.self, i)) }
            case ("i", 4): for i in 0..<count { out[i] = Double(load(Int32.self, i)) }
            case ("i", 2): for i in 0..<count { out[i] = Double(load(Int16.self, i)) }
            case ("i", 1): for i in 0..<count { out[i] = Double(load(Int8.self, i)) }
            case ("u", 8): for i in 0..<count { out[i] = Double(load(UInt64.self, i)) }
            case ("u", 4): for i in 0..<count { out[i] = Double(load(UInt32.self, i)) }
            case ("u", 2): for i in 0..<count { out[i] = Double(load(UInt16.self, i)) }
            case ("u", 1), ("b", 1): for i in 0..<count { out[i] = Double(load(UInt8.self, i)) }
            default: throw fail("unsupported dtype '\(descr)'")
            }
        }
        if fortran && shape.count == 2 {
            let (r, c) = (shape[0], shape[1])
            var rowMajor = [Double](repeating: 0, count: count)
            for j in 0..<c { for i in 0..<r { rowMajor[i * c + j] = out[j * r + i] } }
            out = rowMajor
        }
        self.shape = shape
        self.values = out
    }

    static func quotedValue(after key: String, in header: String) -> String? {
        guard let k = header.range(of: key) else { return nil }
        let rest = header[k.upperBound...]
        guard let open = rest.firstIndex(of: "'") else { return nil }
        let afterOpen = rest.index(after: open)
        guard let close = rest[afterOpen...].firstIndex(of: "'") else { return nil }
        return String(rest[afterOpen..<close])
    }
}
