/// A statistic over a trailing count window.
public enum RollingStat: String, Codable, CaseIterable, Sendable {
    /// Arithmetic mean.
    case mean
    /// Sample standard deviation (ddof 1); 0 for a single value.
    case std
    /// Minimum.
    case min
    /// Maximum.
    case max

    /// Parses names such as `mean,std`, refusing unknown ones with the valid list.
    public static func parse(_ names: [String]) throws -> [RollingStat] {
        try names.map { name in
            guard let stat = RollingStat(rawValue: name) else { throw FeatureError.unknownStatistic(name) }
            return stat
        }
    }
}

/// A time window length, written `30s`, `15m`, `1h`, `24h`, `7d`, `2w` or plain seconds.
public struct TimeSpan: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Length in seconds (> 0).
    public let seconds: Double
    /// The label used in column names (`1h`).
    public let label: String

    /// Parses `text`; refuses zero, negative, non-finite and unknown units.
    public init(parsing text: String) throws {
        let t = text.trimmingSpaces
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        var number = Substring(t), factor = 1.0
        if let last = t.last, let f = units[last] {
            number = t.dropLast()
            factor = f
        }
        guard let n = Double(number), n.isFinite, n > 0, !number.hasPrefix("+") else {
            throw FeatureError.invalidTimeSpan(text)
        }
        seconds = n * factor
        label = t
    }

    /// The label.
    public var description: String { label }

    /// Decodes the label string (`"1h"`), parsed and checked as ``init(parsing:)``.
    public init(from decoder: any Decoder) throws {
        try self.init(parsing: decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the label string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(label)
    }
}

/// What ``EntityWindow`` computes for each event.
public struct RollingOptions: Codable, Equatable, Sendable {
    /// Numeric fields to compute features for, in output order.
    public var columns: [String]
    /// Trailing count windows (rows, the current included); each > 0.
    public var windows: [Int]
    /// Statistics per count window, emitted in the order mean, std, min, max.
    public var stats: [RollingStat]
    /// Lags in rows (each > 0): the value `k` events earlier for the same entity, 0 before that.
    public var lags: [Int]
    /// Field whose value keys the windows (`nil` = one stream).
    public var entityField: String?
    /// Field holding the event time, epoch seconds or ISO 8601 (needed by time windows).
    public var timestampField: String?
    /// Trailing time windows `(t − span, t]`.
    public var timeWindows: [TimeSpan]
    /// Entities held at most; the least recently seen is evicted beyond it.
    public var maxEntities: Int
    /// Rows held per entity at most (bounds time windows; count windows and lags must fit).
    public var maxRowsPerEntity: Int

    /// Options with LlamaFarm's defaults: windows 5, 10, 20, all four stats, lags 1, 2, 3.
    public init(columns: [String], windows: [Int] = [5, 10, 20], stats: [RollingStat] = RollingStat.allCases,
                lags: [Int] = [1, 2, 3], entityField: String? = nil, timestampField: String? = nil,
                timeWindows: [TimeSpan] = [], maxEntities: Int = 1_000_000, maxRowsPerEntity: Int = 10_000) {
        self.columns = columns
        self.windows = windows
        self.stats = stats
        self.lags = lags
        self.entityField = entityField
        self.timestampField = timestampField
        self.timeWindows = timeWindows
        self.maxEntities = maxEntities
        self.maxRowsPerEntity = maxRowsPerEntity
    }

    /// Checks every bound, naming the offending parameter and value.
    public func validate() throws {
        guard !columns.isEmpty else {
            throw FeatureError.invalidParameter(name: "columns", value: "[]", requirement: "need at least one numeric column")
        }
        for w in windows where w <= 0 {
            throw FeatureError.invalidParameter(name: "window", value: "\(w)", requirement: "must be > 0")
        }
        for k in lags where k <= 0 {
            throw FeatureError.invalidParameter(name: "lag", value: "\(k)", requirement: "must be > 0")
        }
        guard maxEntities > 0 else {
            throw FeatureError.invalidParameter(name: "max_entities", value: "\(maxEntities)", requirement: "must be > 0")
        }
        guard maxRowsPerEntity > 0 else {
            throw FeatureError.invalidParameter(name: "max_rows_per_entity", value: "\(maxRowsPerEntity)", requirement: "must be > 0")
        }
        if let w = (windows + lags).max(), w > maxRowsPerEntity {
            throw FeatureError.invalidParameter(name: "window/lag", value: "\(w)",
                                                requirement: "must be ≤ max_rows_per_entity (\(maxRowsPerEntity))")
        }
        if !timeWindows.isEmpty && timestampField == nil {
            throw FeatureError.invalidParameter(name: "time_windows", value: timeWindows.map(\.label).joined(separator: ","),
                                                requirement: "need a timestamp field")
        }
        for (name, list) in [("column", columns), ("window", windows.map(String.init)), ("lag", lags.map(String.init)),
                             ("time_window", timeWindows.map(\.label))] {
            var seen = Set<String>()
            for item in list where !seen.insert(item).inserted {
                throw FeatureError.invalidParameter(name: name, value: item, requirement: "listed twice")
            }
        }
    }

    /// The stats in canonical order (mean, std, min, max), duplicates removed.
    var orderedStats: [RollingStat] { RollingStat.allCases.filter { stats.contains($0) } }

    /// Output names, per column: for each window its stats, then lags, then per time window
    /// `{c}_sum_{span}` and `{c}_mean_{span}`; after all columns `count_{span}` per time window,
    /// then `seconds_since_last` when a timestamp field is named.
    public var featureNames: [String] {
        var names = [String]()
        for c in columns {
            for w in windows {
                for s in orderedStats { names.append("\(c)_rolling_\(s.rawValue)_\(w)") }
            }
            for k in lags { names.append("\(c)_lag_\(k)") }
            for span in timeWindows {
                names.append("\(c)_sum_\(span.label)")
                names.append("\(c)_mean_\(span.label)")
            }
        }
        for span in timeWindows { names.append("count_\(span.label)") }
        if timestampField != nil { names.append("seconds_since_last") }
        return names
    }
}
