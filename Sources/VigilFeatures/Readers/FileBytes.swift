import Foundation

/// Reads a whole file into memory.
enum FileBytes {
    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataReadError.unreadable(path: path, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataReadError.unreadable(path: path, reason: "permission denied or not a regular file")
        }
        return [UInt8](data)
    }
}
