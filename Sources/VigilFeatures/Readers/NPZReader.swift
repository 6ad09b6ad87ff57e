import VigilCore

extension Dataset {
    /// Reads a NumPy `.npz` holding a 2-D `X` and optionally a 1-D `y` of 0/1 labels (the ADBench
    /// format); features are named `x0`, `x1`, ….
    public static func readNPZ(path: String) throws -> Dataset {
        let bytes = try FileBytes.read(path)
        guard !bytes.isEmpty else { throw DataReadError.emptyFile(path: path) }
        let archive = try ZipArchive(path: path, bytes: bytes)
        guard let xBytes = try archive.contents(of: "X.npy") else {
            throw DataReadError.invalidArchive(path: path, reason: "no X array; holds \(archive.entries.map(\.name).joined(separator: ", "))")
        }
        let x = try NPYArray(bytes: xBytes, name: "X", path: path)
        let rows: Int, cols: Int
        switch x.shape.count {
        case 1: (rows, cols) = (x.shape[0], 1)
        case 2: (rows, cols) = (x.shape[0], x.shape[1])
        default: throw DataReadError.invalidArchive(path: path, reason: "X has \(x.shape.count) dimensions, expected 2")
        }
        guard rows > 0 else { throw DataReadError.headerOnly(path: path) }
        var labels: [Double]?
        if let yBytes = try archive.contents(of: "y.npy") {
            let y = try NPYArray(bytes: yBytes, name: "y", path: path)
            guard y.values.count == rows else {
                throw DataReadError.invalidArchive(path: path, reason: "y has \(y.values.count) values for \(rows) rows of X")
            }
            if let bad = y.values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw DataReadError.invalidArchive(path: path, reason: "y[\(bad)] = \(y.values[bad]) is not 0 or 1")
            }
            labels = y.values
        }
        let matrix = try Matrix(rows: rows, cols: cols, values: x.values)
        return Dataset(features: matrix, featureNames: (0..<cols).map { "x\($0)" }, labels: labels)
    }
}
