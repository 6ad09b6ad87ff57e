import VigilCore

/// The input scalings Vigil offers; `robust` is the default, as LlamaFarm's batch path.
public enum ScalerKind: String, Codable, CaseIterable, Sendable {
    /// scikit-learn `RobustScaler`: (x − median) / (p75 − p25), NumPy linear percentiles.
    case robust
    /// scikit-learn `StandardScaler`: (x − mean) / population std.
    case standard
    /// scikit-learn `MinMaxScaler` to [0, 1]: (x − min) / (max − min).
    case minmax
    /// No scaling.
    case none

    /// Parses a name, refusing unknown ones with the valid list.
    public init(parsing name: String) throws {
        guard let kind = ScalerKind(rawValue: name) else { throw FeatureError.unknownScaler(name) }
        self = kind
    }
}

/// A fitted per-column affine scaling `(x − center) / scale`.
///
/// A column whose spread is 0 (constant, or IQR 0) gets scale 1, as scikit-learn's
/// `_handle_zeros_in_scale`, so nothing divides by zero.
public struct Scaler: Codable, Equatable, Sendable {
    /// The scaling.
    public let kind: ScalerKind
    /// Per-column value subtracted.
    public let center: [Double]
    /// Per-column divisor (never 0).
    public let scale: [Double]

    /// Fits `kind` on the columns of `x`; refuses an empty matrix and NaN/±inf, naming the column.
    public static func fit(_ x: Matrix, kind: ScalerKind = .robust, featureNames: [String]? = nil) throws -> Scaler {
        guard x.rows > 0 else { throw FeatureError.noData("no rows to fit the scaler on") }
        do {
            try x.requireFinite(featureNames: featureNames)
        } catch VigilError.nonFinite(let row, let column, let value) {
            throw FeatureError.nonFinite(field: column, row: row, value: value)
        }
        var center = [Double](repeating: 0, count: x.cols)
        var scale = [Double](repeating: 1, count: x.cols)
        guard kind != .none else { return Scaler(kind: kind, center: center, scale: scale) }
        for c in 0..<x.cols {
            let column = x.column(c)
            let spread: Double
            switch kind {
            case .robust:
                let sorted = column.sorted()
                center[c] = Statistics.percentile(sorted: sorted, 50)
                spread = Statistics.percentile(sorted: sorted, 75) - Statistics.percentile(sorted: sorted, 25)
            case .standard:
                center[c] = Statistics.mean(column)
                spread = Statistics.populationStd(column)
            case .minmax:
                let lo = column.min() ?? 0, hi = column.max() ?? 0
                center[c] = lo
                spread = hi - lo
            case .none:
                spread = 1
            }
            scale[c] = spread == 0 || !spread.isFinite ? 1 : spread
        }
        return Scaler(kind: kind, center: center, scale: scale)
    }

    /// A scaler from its parts; `center` and `scale` must have one value per column, scale ≠ 0.
    public init(kind: ScalerKind, center: [Double], scale: [Double]) {
        self.kind = kind
        self.center = center
        self.scale = scale.map { $0 == 0 ? 1 : $0 }
    }

    /// Number of columns it was fitted on.
    public var columns: Int { center.count }

    /// The scaled copy of `x`; the column count must match.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard x.cols == columns else { throw FeatureError.columnCountMismatch(expected: columns, got: x.cols) }
        var out = x
        guard kind != .none else { return out }
        out.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<x.rows {
                let o = r * x.cols
                for c in 0..<x.cols { v[o + c] = (v[o + c] - center[c]) / scale[c] }
            }
        }
        return out
    }

    /// Scales one row in place; the row length must match.
    public func transform(row: inout [Double]) throws {
        guard row.count == columns else { throw FeatureError.columnCountMismatch(expected: columns, got: row.count) }
        guard kind != .none else { return }
        for c in 0..<row.count { row[c] = (row[c] - center[c]) / scale[c] }
    }
}
