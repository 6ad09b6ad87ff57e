import VigilCore

/// A named in-memory buffer of rows with dynamic columns, behind `/v1/ml/polars/*` (reference §6).
///
/// Columns appear in first-appearance order; a row lacking a column reads null there. After every
/// append only the newest `windowSize` rows are kept. ``features(rollingWindows:includeStats:includeLags:lagPeriods:tail:)``
/// adds §7's rolling and lag columns for every numeric column, with Vigil's choices: partial
/// windows from the first row held, sample std (0 for one value), `includeStats` honoured, nulls
/// left out of the statistics.
public struct FeatureBuffer: Sendable {
    /// The smallest `window_size` accepted, as LlamaFarm.
    public static let minimumWindowSize = 10

    /// Buffer name.
    public let id: String
    /// Rows kept at most.
    public let windowSize: Int
    /// Column names, first appearance order.
    public private(set) var columns: [String] = []
    private var columnIndex: [String: Int] = [:]
    /// Held rows, oldest first from `head` (rows before `head` are dropped and compacted lazily).
    private var storage: [[FieldValue]] = []
    private var head = 0
    /// Records appended since creation or the last clear.
    public private(set) var appendCount = 0
    private var appendSeconds = 0.0

    /// Summary of a buffer, as `GET /v1/ml/polars/buffers/{id}` (snake_case keys).
    public struct Stats: Sendable, Equatable, Codable {
        /// Buffer name.
        public var bufferId: String
        /// Rows held.
        public var size: Int
        /// Rows kept at most.
        public var windowSize: Int
        /// All columns, first appearance order.
        public var columns: [String]
        /// Columns with only numbers (and nulls).
        public var numericColumns: [String]
        /// Estimated bytes held.
        public var memoryBytes: Int
        /// Records appended since creation or the last clear.
        public var appendCount: Int
        /// Mean append time per record, milliseconds.
        public var avgAppendMs: Double

        enum CodingKeys: String, CodingKey {
            case bufferId = "buffer_id", size, windowSize = "window_size", columns, numericColumns = "numeric_columns"
            case memoryBytes = "memory_bytes", appendCount = "append_count", avgAppendMs = "avg_append_ms"
        }
    }

    /// An empty buffer; `windowSize` must be at least ``minimumWindowSize``.
    public init(id: String, windowSize: Int = 1000) throws {
        guard windowSize >= Self.minimumWindowSize else {
            throw FeatureError.invalidParameter(name: "window_size", value: "\(windowSize)",
                                                requirement: "must be ≥ \(Self.minimumWindowSize)")
        }
        self.id = id
        self.windowSize = windowSize
    }

    /// Rows held.
    public var size: Int { storage.count - head }

    /// Appends records; a record's new fields become columns in sorted name order (JSON objects
    /// carry no order once decoded; use ``append(ordered:)`` to keep the sender's order).
    @discardableResult
    public mutating func append(_ records: [Record]) -> Int {
        append(ordered: records.map { $0.sorted { Schema.pythonOrder($0.key, $1.key) }.map { ($0.key, $0.value) } })
    }

    /// Appends records given as ordered `(field, value)` pairs; new fields become columns in that order.
    @discardableResult
    public mutating func append(ordered records: [[(String, FieldValue)]]) -> Int {
        let clock = ContinuousClock()
        let started = clock.now
        for record in records {
            var row = [FieldValue](repeating: .null, count: columns.count)
            for (name, value) in record {
                let c: Int
                if let known = columnIndex[name] {
                    c = known
                } else {
                    c = columns.count
                    columns.append(name)
                    columnIndex[name] = c
                    row.append(.null)
                }
                row[c] = value
            }
            storage.append(row)
        }
        let excess = size - windowSize
        if excess > 0 { head += excess }
        if head > windowSize { storage.removeFirst(head); head = 0 }
        appendCount += records.count
        let elapsed = clock.now - started
        appendSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return records.count
    }

    /// Drops every row and resets the counters; keeps the name and window size.
    public mutating func clear() {
        columns = []; columnIndex = [:]; storage = []; head = 0
        appendCount = 0; appendSeconds = 0
    }

    /// The summary: size, columns, numeric columns, an estimated memory size (8 bytes per
    /// numeric value, 1 per boolean, UTF-8 bytes + 8 per string, 1 validity byte per 8 rows per
    /// column), appends and the mean append time per record in milliseconds.
    public var stats: Stats {
        let numeric = numericColumnIndices()
        var bytes = 0
        for c in 0..<columns.count {
            bytes += (size + 7) / 8
            for r in head..<storage.count {
                switch c < storage[r].count ? storage[r][c] : .null {
                case .number: bytes += 8
                case .bool: bytes += 1
                case .string(let s): bytes += s.utf8.count + 8
                case .null: bytes += numeric.contains(c) ? 8 : 0
                }
            }
        }
        return Stats(bufferId: id, size: size, windowSize: windowSize, columns: columns,
                     numericColumns: numeric.map { columns[$0] }, memoryBytes: bytes, appendCount: appendCount,
                     avgAppendMs: appendCount > 0 ? appendSeconds * 1000 / Double(appendCount) : 0)
    }

    /// The newest `tail` rows (all when `nil` or ≤ 0) with every column.
    public func rows(tail: Int? = nil) -> FeatureTable {
        let count = Self.tailCount(tail, size)
        guard count > 0 else { return FeatureTable(columns: [], rows: []) }
        return FeatureTable(columns: columns, rows: ((storage.count - count)..<storage.count).map(paddedRow))
    }

    /// Original columns plus rolling and lag features (LlamaFarm defaults: windows 5, 10, 20; all
    /// four stats; lags 1, 2, 3) for the newest `tail` rows (all when `nil` or ≤ 0). Only the rows
    /// the requested ones depend on are read: O(tail + largest window) per numeric column.
    public func features(rollingWindows: [Int] = [5, 10, 20], includeStats: [RollingStat] = RollingStat.allCases,
                         includeLags: Bool = true, lagPeriods: [Int] = [1, 2, 3], tail: Int? = nil) throws -> FeatureTable {
        let numeric = numericColumnIndices()
        let count = Self.tailCount(tail, size)
        guard count > 0 else { return FeatureTable(columns: [], rows: []) }
        guard !numeric.isEmpty else { return rows(tail: tail) }
        let lags = includeLags ? lagPeriods : []
        let names = numeric.map { columns[$0] }
        let requested = RollingOptions(columns: names, windows: rollingWindows, stats: includeStats, lags: lags,
                                       maxEntities: 1, maxRowsPerEntity: max((rollingWindows + lags).max() ?? 1, 1))
        try requested.validate()
        // A window or lag longer than the rows held reads what one exactly that long reads (a partial
        // window from the first row; a lag past it 0), so the state is sized by the rows held, not by
        // the request: a window of 10^18 costs what a window of `size` does.
        let used = RollingOptions(columns: names, windows: Self.distinct(rollingWindows, atMost: size), stats: includeStats,
                                  lags: Self.distinct(lags, atMost: size), maxEntities: 1, maxRowsPerEntity: 1)
        let reach = max((used.windows + used.lags).max() ?? 1, 1)
        var window = try EntityWindow(RollingOptions(columns: names, windows: used.windows, stats: includeStats,
                                                     lags: used.lags, maxEntities: 1, maxRowsPerEntity: reach))
        let source = Self.featureSources(requested: requested, used: used, held: size)
        let firstOut = storage.count - count
        let firstRead = max(head, firstOut - reach) // the oldest row a window or lag of the first output row reads
        var values = [Double](repeating: 0, count: numeric.count)
        var out = [Double](repeating: 0, count: window.featureCount)
        var table = FeatureTable(columns: columns + requested.featureNames, rows: [])
        table.rows.reserveCapacity(count)
        for r in firstRead..<storage.count {
            let row = storage[r]
            for (i, c) in numeric.enumerated() { values[i] = c < row.count ? row[c].number ?? .nan : .nan }
            try values.withUnsafeBufferPointer { v in
                try out.withUnsafeMutableBufferPointer { o in try window.append(entity: "", timestamp: nil, values: v, row: r - head, into: o) }
            }
            if r >= firstOut {
                let features = try zip(requested.featureNames, source).map { name, s -> FieldValue in
                    // Sums of values near ±1.8e308 overflow; JSON has no NaN or infinity to answer with.
                    guard out[s].isFinite else { throw FeatureError.featureOverflow(feature: name, row: r - head, value: out[s]) }
                    return .number(out[s])
                }
                table.rows.append(paddedRow(r) + features)
            }
        }
        return table
    }

    /// `values` capped at `limit`, first occurrences only.
    private static func distinct(_ values: [Int], atMost limit: Int) -> [Int] {
        var seen = Set<Int>()
        return values.map { min($0, limit) }.filter { seen.insert($0).inserted }
    }

    /// For each feature `requested` names, its position among the features computed with `used`
    /// (the same columns and stats, windows and lags capped at `held`).
    private static func featureSources(requested: RollingOptions, used: RollingOptions, held: Int) -> [Int] {
        let stats = requested.orderedStats.count
        let perColumn = used.windows.count * stats + used.lags.count
        let windowIndex = Dictionary(uniqueKeysWithValues: used.windows.enumerated().map { ($1, $0) })
        let lagIndex = Dictionary(uniqueKeysWithValues: used.lags.enumerated().map { ($1, $0) })
        var sources = [Int]()
        for column in requested.columns.indices {
            let base = column * perColumn
            for w in requested.windows {
                let j = windowIndex[min(w, held)] ?? 0
                sources += (0..<stats).map { base + j * stats + $0 }
            }
            for k in requested.lags { sources.append(base + used.windows.count * stats + (lagIndex[min(k, held)] ?? 0)) }
        }
        return sources
    }

    /// Features of the newest row only (what streaming needs): ``features(rollingWindows:includeStats:includeLags:lagPeriods:tail:)`` with `tail` 1.
    public func newestFeatures(rollingWindows: [Int] = [5, 10, 20], includeStats: [RollingStat] = RollingStat.allCases,
                               includeLags: Bool = true, lagPeriods: [Int] = [1, 2, 3]) throws -> Record? {
        try features(rollingWindows: rollingWindows, includeStats: includeStats, includeLags: includeLags,
                     lagPeriods: lagPeriods, tail: 1).records.first
    }

    /// Columns whose non-null values are all numbers (at least one): the ones features are computed for.
    private func numericColumnIndices() -> [Int] {
        var seenNumber = [Bool](repeating: false, count: columns.count)
        var other = [Bool](repeating: false, count: columns.count)
        for r in head..<storage.count {
            for (c, v) in storage[r].enumerated() {
                switch v {
                case .number: seenNumber[c] = true
                case .null: break
                case .string, .bool: other[c] = true
                }
            }
        }
        return (0..<columns.count).filter { seenNumber[$0] && !other[$0] }
    }

    private func paddedRow(_ r: Int) -> [FieldValue] {
        let row = storage[r]
        return row.count == columns.count ? row : row + [FieldValue](repeating: .null, count: columns.count - row.count)
    }

    private static func tailCount(_ tail: Int?, _ size: Int) -> Int {
        guard let tail, tail > 0 else { return size }
        return min(tail, size)
    }
}
