import VigilCore

/// A table of numeric features read from a file: the matrix, its column names, and 0/1 labels
/// when the file has them.
public struct Dataset: Sendable {
    /// Feature values, one row per record, one column per feature.
    public var features: Matrix
    /// Feature names, in column order (CSV header names, or `x0`, `x1`, … for `.npz`).
    public var featureNames: [String]
    /// Labels, 1 = anomaly and 0 = normal, when the file has a label column or a `y` array.
    public var labels: [Double]?

    /// Wraps features, their names and optional labels.
    public init(features: Matrix, featureNames: [String], labels: [Double]?) {
        self.features = features
        self.featureNames = featureNames
        self.labels = labels
    }

    /// Reads `path` by its extension: `.npz` (any letter case) with `readNPZ(path:)`, anything
    /// else as CSV with `readCSV(path:labelColumn:)`. `labelColumn` applies to CSV only.
    public static func read(path: String, labelColumn: String?) throws -> Dataset {
        if path.lowercased().hasSuffix(".npz") { return try readNPZ(path: path) }
        return try readCSV(path: path, labelColumn: labelColumn)
    }
}
