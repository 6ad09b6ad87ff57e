import VigilCore

/// The preprocessing that travels inside a saved model beside the detector: an optional fitted
/// ``FeatureEncoder`` (records → matrix) followed by a fitted ``Scaler``.
public struct FeaturePipeline: Codable, Equatable, Sendable {
    /// The record encoder; `nil` when the model was fitted on a numeric matrix.
    public let encoder: FeatureEncoder?
    /// The scaling applied after encoding.
    public let scaler: Scaler
    /// Names of the columns the detector sees, in order.
    public let featureNames: [String]

    /// Fits the scaler on a numeric matrix (names default to `x0`, `x1`, …).
    public static func fit(_ x: Matrix, featureNames: [String]? = nil, scaler: ScalerKind = .robust) throws -> FeaturePipeline {
        let names = featureNames ?? (0..<x.cols).map { "x\($0)" }
        guard names.count == x.cols else { throw FeatureError.columnCountMismatch(expected: names.count, got: x.cols) }
        return FeaturePipeline(encoder: nil, scaler: try Scaler.fit(x, kind: scaler, featureNames: names), featureNames: names)
    }

    /// Fits the encoder on `records` with `schema`, then the scaler on the encoded matrix.
    public static func fit(records: [Record], schema: Schema, scaler: ScalerKind = .robust) throws -> FeaturePipeline {
        let encoder = try FeatureEncoder.fit(records, schema: schema)
        let x = try encoder.transform(records)
        let fitted = try Scaler.fit(x, kind: scaler, featureNames: encoder.featureNames)
        return FeaturePipeline(encoder: encoder, scaler: fitted, featureNames: encoder.featureNames)
    }

    /// A pipeline from fitted parts.
    public init(encoder: FeatureEncoder?, scaler: Scaler, featureNames: [String]) {
        self.encoder = encoder
        self.scaler = scaler
        self.featureNames = featureNames
    }

    /// Scales a numeric matrix (columns in ``featureNames`` order); refuses NaN/±inf.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard x.cols == featureNames.count else { throw FeatureError.columnCountMismatch(expected: featureNames.count, got: x.cols) }
        do {
            try x.requireFinite(featureNames: featureNames)
        } catch VigilError.nonFinite(let row, let column, let value) {
            throw FeatureError.nonFinite(field: column, row: row, value: value)
        }
        return try scaler.transform(x)
    }

    /// Encodes `records` with the fitted encoder, then scales; without an encoder, records are
    /// read as numbers by ``featureNames`` (the `numeric` rule, an absent field an error).
    public func transform(records: [Record]) throws -> Matrix {
        try scaler.transform(encode(records: records))
    }

    /// The columns of `records` before scaling: the encoder's output, or without an encoder the
    /// fields named by ``featureNames`` read as numbers.
    public func encode(records: [Record]) throws -> Matrix {
        if let encoder { return try encoder.transform(records) }
        var values = [Double]()
        values.reserveCapacity(records.count * featureNames.count)
        for (r, record) in records.enumerated() {
            for name in featureNames {
                guard let v = record[name], !v.isNull else { throw FeatureError.missingValue(field: name, row: r) }
                let x: Double?
                switch v {
                case .number(let d): x = d
                case .bool(let b): x = b ? 1 : 0
                case .string(let s): x = FieldEncoder.pythonFloat(s)
                case .null: x = nil
                }
                guard let x else { throw FeatureError.notANumber(field: name, row: r, value: v.text) }
                guard x.isFinite else { throw FeatureError.nonFinite(field: name, row: r, value: x) }
                values.append(x)
            }
        }
        return try Matrix(rows: records.count, cols: featureNames.count, values: values)
    }
}
