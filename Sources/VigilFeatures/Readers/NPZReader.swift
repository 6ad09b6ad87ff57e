import VigilCore

extension Dataset {
    /// Reads a NumPy `.npz` (a ZIP archive) holding a 2-D `X` and optionally a 1-D `y` of 0/1
    /// labels, the ADBench format. Integer, float and bool `X` are converted to `Double`; features
    /// are named `x0`, `x1`, …; `labels` is nil when there is no `y`.
    public static func readNPZ(path: String) throws -> Dataset {
        let bytes = try FileBytes.read(path)
        guard !bytes.isEmpty else { throw DataReadError.emptyFile(path: path) }
        let archive = try ZipArchive(path: path, bytes: bytes)
        guard let xBytes = try archive.contents(of: "X.npy") else {
            let names = archive.entries.map(\.name)
            throw DataReadError.invalidArchive(
                path: path,
                reason: "no X.npy entry; the archive holds \(names.isEmpty ? "nothing" : names.joined(separator: ", "))")
        }
        let x = try NPYArray(bytes: xBytes, name: "X", path: path)
        guard x.shape.count == 2 else {
            throw DataReadError.invalidArray(path: path, array: "X",
                                             reason: "shape \(NPYArray.shapeText(x.shape)) is not 2-D (rows, features)")
        }
        let (rows, cols) = (x.shape[0], x.shape[1])
        guard rows > 0, cols > 0 else {
            throw DataReadError.invalidArray(path: path, array: "X", reason: "shape \(NPYArray.shapeText(x.shape)) holds no data")
        }
        var labels: [Double]?
        if let yBytes = try archive.contents(of: "y.npy") {
            let y = try NPYArray(bytes: yBytes, name: "y", path: path)
            guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
                throw DataReadError.invalidArray(path: path, array: "y",
                                                 reason: "shape \(NPYArray.shapeText(y.shape)) is not 1-D")
            }
            guard y.values.count == rows else {
                throw DataReadError.labelCountMismatch(path: path, rows: rows, labels: y.values.count)
            }
            if let bad = y.values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw DataReadError.invalidLabelValue(path: path, index: bad, value: y.values[bad])
            }
            labels = y.values
        }
        let features = try Matrix(rows: rows, cols: cols, values: x.values)
        return Dataset(features: features, featureNames: (0..<cols).map { "x\($0)" }, labels: labels)
    }
}
