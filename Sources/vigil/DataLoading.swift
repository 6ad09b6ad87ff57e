import VigilCore
import VigilFeatures

/// Reading data files for the commands, with errors as one line.
enum DataLoading {
    /// Reads a CSV or `.npz` file; `label` names a CSV column to keep out of the features.
    static func load(_ path: String, label: String?) throws -> Dataset {
        Progress.say("reading \(path)")
        let data = try Dataset.read(path: path, labelColumn: label)
        guard data.features.rows > 0 else { throw CLIError("\(path) has no data rows") }
        guard data.features.cols > 0 else { throw CLIError("\(path) has no feature columns") }
        return data
    }

    /// The columns of `data` in the order of `names`, matched by name when every name is present
    /// (other columns, such as a label, are ignored); a `.npz` file's columns by position.
    static func columns(_ data: Dataset, matching names: [String], path: String) throws -> Matrix {
        if data.featureNames == names { return data.features }
        var position = [String: Int]()
        for (i, n) in data.featureNames.enumerated() where position[n] == nil { position[n] = i }
        let missing = names.filter { position[$0] == nil }
        if missing.isEmpty {
            let source = data.features
            var values = [Double]()
            values.reserveCapacity(source.rows * names.count)
            let picks = names.map { position[$0]! }
            source.values.withUnsafeBufferPointer { v in
                for r in 0..<source.rows {
                    for c in picks { values.append(v[r * source.cols + c]) }
                }
            }
            return try Matrix(rows: source.rows, cols: names.count, values: values)
        }
        // A .npz file has no column names: its columns are taken in order.
        if path.hasSuffix(".npz") && data.features.cols == names.count {
            return data.features
        }
        throw CLIError("\(path) lacks feature column\(missing.count > 1 ? "s" : "") the model needs: \(missing.prefix(5).joined(separator: ", "))")
    }
}
