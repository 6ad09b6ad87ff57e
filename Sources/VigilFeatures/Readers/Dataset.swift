import VigilCore

/// A table of numeric features, their names, and 0/1 labels when the file has them.
public struct Dataset: Sendable {
    /// Feature values, one row per record.
    public var features: Matrix
    /// Feature names, in column order.
    public var featureNames: [String]
    /// Labels (1 = anomaly), when a label column or `y` array exists.
    public var labels: [Double]?

    /// Wraps features, names and optional labels.
    public init(features: Matrix, featureNames: [String], labels: [Double]?) {
        self.features = features
        self.featureNames = featureNames
        self.labels = labels
    }

    /// Reads a `.npz` file (by extension) or a CSV file with a header.
    public static func read(path: String, labelColumn: String?) throws -> Dataset {
        path.lowercased().hasSuffix(".npz") ? try readNPZ(path: path) : try readCSV(path: path, labelColumn: labelColumn)
    }
}
