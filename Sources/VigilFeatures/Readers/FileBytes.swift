#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into one byte array with `open`/`read`, without an intermediate `Data` copy.
enum FileBytes {
    /// The file's bytes; the array has room for `spare` more bytes, so appending a terminator
    /// does not copy it.
    static func read(_ path: String, spare: Int = 0) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw DataReadError.fileNotFound(path: path) }
            throw DataReadError.unreadable(path: path, reason: Self.message(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataReadError.unreadable(path: path, reason: Self.message(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFIFO: break // files, and pipes such as <(zcat data.csv.gz)
        case S_IFDIR: throw DataReadError.unreadable(path: path, reason: "is a directory")
        default: throw DataReadError.unreadable(path: path, reason: "not a regular file")
        }
        let expected = max(0, Int(info.st_size))

        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected + spare) { buffer, count in
            count = 0
            while count < expected {
                let n = systemRead(fd, buffer.baseAddress! + count, expected - count)
                if n > 0 {
                    count += n
                } else if n == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure != 0 { throw DataReadError.unreadable(path: path, reason: Self.message(failure)) }
        // The size can be unknown (pipes, /proc) or grow while we read: take whatever follows.
        var tail = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = tail.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if n > 0 {
                bytes.append(contentsOf: tail[0..<n])
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw DataReadError.unreadable(path: path, reason: Self.message(errno))
            }
        }
        return bytes
    }

    private static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

/// `read(2)`, named apart from the `read(_:spare:)` above.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buffer, count)
    #else
    return Darwin.read(fd, buffer, count)
    #endif
}
