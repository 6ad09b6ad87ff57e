/// The header of a NumPy `.npy` array: a Python dict literal such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (214, 7), }`.
///
/// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
struct NPYHeader: Equatable {
    /// The dtype string, e.g. `<f8`, `|u1`.
    var descr: String
    /// Whether the data is stored column-major.
    var fortranOrder: Bool
    /// The dimensions.
    var shape: [Int]

    /// Why the header could not be read.
    enum Problem: Error, Equatable {
        /// The dict is malformed (the text says how).
        case malformed(String)
        /// `descr` is not a plain dtype string (a structured dtype's list, say).
        case structuredDType(String)
    }

    /// Parses the dict in `text`.
    init(_ text: [UInt8]) throws(Problem) {
        var scanner = Scanner(bytes: text)
        var descr: String?
        var fortran: Bool?
        var shape: [Int]?
        try scanner.expect(0x7B) // {
        while true {
            scanner.skipSpaces()
            if scanner.peek == 0x7D { break } // }
            let key = try scanner.string()
            scanner.skipSpaces()
            try scanner.expect(0x3A) // :
            scanner.skipSpaces()
            switch key {
            case "descr":
                if scanner.peek == 0x27 || scanner.peek == 0x22 {
                    descr = try scanner.string()
                } else {
                    throw .structuredDType(try scanner.rawValue())
                }
            case "fortran_order":
                switch try scanner.rawValue() {
                case "True": fortran = true
                case "False": fortran = false
                case let other: throw .malformed("fortran_order is '\(other)', expected True or False")
                }
            case "shape":
                shape = try scanner.shape()
            default:
                _ = try scanner.rawValue()
            }
            scanner.skipSpaces()
            if scanner.peek == 0x2C { scanner.advance() }
        }
        guard let descr else { throw .malformed("the header has no 'descr'") }
        guard let fortran else { throw .malformed("the header has no 'fortran_order'") }
        guard let shape else { throw .malformed("the header has no 'shape'") }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    /// A cursor over the header text.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        /// The next byte, or 0 at the end.
        var peek: UInt8 { index < bytes.count ? bytes[index] : 0 }

        mutating func advance() { index += 1 }

        mutating func skipSpaces() {
            while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Problem) {
            skipSpaces()
            guard peek == byte else {
                throw .malformed("expected '\(Character(Unicode.Scalar(byte)))' at character \(index) of the header")
            }
            advance()
        }

        /// A '…' or "…" string (no escapes: NumPy never writes any in these keys).
        mutating func string() throws(Problem) -> String {
            let quote = peek
            guard quote == 0x27 || quote == 0x22 else { throw .malformed("expected a quoted key at character \(index) of the header") }
            advance()
            let start = index
            while index < bytes.count && bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw .malformed("unterminated string in the header") }
            defer { advance() }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// Any value, as text: a string, a bracketed list or tuple, or a bare word.
        mutating func rawValue() throws(Problem) -> String {
            let start = index
            if peek == 0x27 || peek == 0x22 {
                _ = try string()
            } else if peek == 0x28 || peek == 0x5B {
                var depth = 0
                repeat {
                    if peek == 0x28 || peek == 0x5B { depth += 1 }
                    if peek == 0x29 || peek == 0x5D { depth -= 1 }
                    if peek == 0x27 || peek == 0x22 { _ = try string(); continue }
                    guard index < bytes.count else { throw .malformed("unbalanced brackets in the header") }
                    advance()
                } while depth > 0
            } else {
                while index < bytes.count && peek != 0x2C && peek != 0x7D { advance() }
            }
            var end = index
            while end > start && bytes[end - 1] == 0x20 { end -= 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        /// A tuple of non-negative integers: `()`, `(5,)`, `(214, 7)`.
        mutating func shape() throws(Problem) -> [Int] {
            try expect(0x28) // (
            var dims = [Int]()
            while true {
                skipSpaces()
                if peek == 0x29 { advance(); return dims }
                let start = index
                while peek >= 0x30 && peek <= 0x39 { advance() }
                guard index > start, let dim = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
                    throw .malformed("shape holds something other than non-negative integers")
                }
                if peek == 0x4C { advance() } // Python 2's long suffix
                dims.append(dim)
                skipSpaces()
                if peek == 0x2C { advance() } else if peek != 0x29 { throw .malformed("shape is not a tuple of integers") }
            }
        }
    }
}
