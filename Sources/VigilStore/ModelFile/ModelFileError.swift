/// Errors reading or writing a model file; each names the file and what is wrong.
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The file does not start with Vigil's model header.
    case notAModelFile(path: String)
    /// The file was written by a newer format version than this build reads.
    case newerFormat(path: String, version: Int, supported: Int)
    /// The file ends early or its payload fails the checksum.
    case corrupted(path: String, reason: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read model file \(path): \(reason)"
        case .notAModelFile(let path):
            return "\(path) is not a Vigil model file (unknown format)"
        case .newerFormat(let path, let version, let supported):
            return "\(path) uses model format version \(version), newer than this vigil reads (up to \(supported)); upgrade vigil"
        case .corrupted(let path, let reason):
            return "model file \(path) is truncated or corrupted: \(reason)"
        case .unwritable(let path, let reason):
            return "cannot write model file \(path): \(reason)"
        }
    }
}
