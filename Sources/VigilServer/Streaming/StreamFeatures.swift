import VigilCore
import VigilFeatures

/// Turns stream points into the detector's feature rows.
///
/// The columns are the numeric fields (numbers, and booleans as 1/0) of the first point a detector
/// sees, in sorted name order; later points are read by those names, a field that is missing or
/// not a number reads 0 (and is left out of rolling statistics), other fields are ignored. With
/// rolling windows or lags, each row is the point's values followed by ``EntityWindow``'s
/// features over the stream so far (partial windows from the first point, sample std, lags 0
/// before the stream reaches them) — the same definitions as the feature buffers.
struct StreamFeatures: Sendable {
    /// The point fields read, in order.
    let columns: [String]
    /// Names of the feature row's columns.
    let featureNames: [String]
    private var window: EntityWindow?
    /// The newest raw rows (missing as NaN), enough to rebuild `window` after a restart.
    private(set) var history: RowRing
    private var raw: [Double]

    /// Features for points whose numeric fields are `columns`.
    init(columns: [String], configuration: StreamConfiguration) throws {
        self.columns = columns
        raw = [Double](repeating: 0, count: columns.count)
        if configuration.usesRollingFeatures {
            let reach = max((configuration.rollingWindows + configuration.lagPeriods).max() ?? 1, 1)
            let window = try EntityWindow(RollingOptions(columns: columns, windows: configuration.rollingWindows,
                                                         lags: configuration.lagPeriods, maxEntities: 1, maxRowsPerEntity: reach))
            self.window = window
            featureNames = columns + window.featureNames
            history = RowRing(capacity: reach, width: columns.count)
        } else {
            window = nil
            featureNames = columns
            history = RowRing(capacity: 1, width: 0)
        }
    }

    /// The numeric fields of a first point, sorted; empty when it has none.
    static func numericFields(of point: Record) -> [String] {
        point.compactMap { key, value -> String? in
            switch value {
            case .number, .bool: key
            case .string, .null: nil
            }
        }.sorted()
    }

    /// The feature row of the next point, advancing the rolling state.
    mutating func row(for point: Record) throws -> [Double] {
        for (i, name) in columns.enumerated() {
            switch point[name] {
            case .number(let v)?: raw[i] = v
            case .bool(let b)?: raw[i] = b ? 1 : 0
            default: raw[i] = .nan
            }
        }
        return try advance()
    }

    /// Feeds the raw rows of a checkpoint's history back in, so rolling features continue as
    /// before the restart.
    mutating func replay(_ rows: [[Double]]) throws {
        for row in rows where row.count == columns.count {
            raw = row
            _ = try advance()
        }
    }

    private mutating func advance() throws -> [Double] {
        let values = raw
        let plain = values.map { $0.isNaN ? 0 : $0 }
        guard window != nil else { return plain }
        values.withUnsafeBufferPointer { history.append($0) }
        var out = [Double](repeating: 0, count: featureNames.count - columns.count)
        try values.withUnsafeBufferPointer { r in
            try out.withUnsafeMutableBufferPointer { o in try window!.append(entity: "", timestamp: nil, values: r, into: o) }
        }
        return plain + out
    }
}
