/// Per-entity rolling features over a stream of events: one store keyed by an entity field.
///
/// For each numeric column `c`: `{c}_rolling_{mean,std,min,max}_{w}` over the entity's last `w`
/// events (the current one included; partial windows from the first event; sample std, 0 for one
/// value), `{c}_lag_{k}` (the value `k` events earlier, 0 before that), and with a timestamp
/// field `{c}_sum_{span}`/`{c}_mean_{span}` over `(t − span, t]`, then `count_{span}` and
/// `seconds_since_last` (0 for an entity's first event). Names and order: ``featureNames``
/// (LlamaFarm §7 order for the count windows and lags).
///
/// Appending one event costs O(columns × (windows + lags + time windows)), amortised: no pass over
/// a window. At most `maxEntities` entities are held (the least recently seen is forgotten) and
/// at most `maxRowsPerEntity` rows each. A missing value (NaN in ``append(entity:timestamp:values:row:into:)``,
/// null or absent in a record) takes its row but is left out of every statistic; its lag reads 0.
public struct EntityWindow: Sendable {
    /// What is computed.
    public let options: RollingOptions
    /// Output names, in order.
    public let featureNames: [String]
    let layout: WindowLayout
    private let spanSeconds: [Double]

    /// Slot of each held entity.
    private var slots: [String: Int] = [:]
    /// Entity of each slot.
    private var keys: [String] = []
    /// Per slot: last time, events seen, the tick it was last seen at, then per column the ring
    /// and the window sums (counters as doubles: exact below 2^53, and on the same cache line).
    private var doubles: [Double] = []
    /// Per slot: one spare, then per column the min/max deques and their heads and counts.
    private var ints: [Int32] = []
    private var histories: [TimeHistory] = []
    /// Recency order without a linked list (whose unlinking touches two other entities' memory on
    /// every event): each touch appends `(slot, tick)`; an entry is current when the slot's last
    /// tick equals it. The oldest current entry is the least recently seen slot.
    private var recency: [Int] = []
    private var recencyHead = 0
    private var tick = 0

    /// A window store for `options`; throws when a window, lag or bound is out of range.
    public init(_ options: RollingOptions) throws {
        try options.validate()
        self.options = options
        featureNames = options.featureNames
        layout = WindowLayout(options)
        spanSeconds = options.timeWindows.map(\.seconds)
    }

    /// Number of values per output row.
    public var featureCount: Int { layout.featureCount }
    /// Number of entities held.
    public var entityCount: Int { slots.count }
    /// Whether `entity` is held.
    public func holds(_ entity: String) -> Bool { slots[entity] != nil }

    /// Appends one event of `entity` (`""` when no entity field is configured) with one value per
    /// column (NaN = missing) and writes its ``featureCount`` features to `out`.
    ///
    /// `timestamp` (epoch seconds) is required when a timestamp field is configured; `row`
    /// numbers the event in errors. Throws on ±infinity and a missing or non-finite timestamp.
    public mutating func append(entity: String, timestamp: Double?, values: UnsafeBufferPointer<Double>,
                                row: Int = 0, into out: UnsafeMutableBufferPointer<Double>) throws {
        let layout = self.layout
        guard values.count == layout.columns, out.count >= layout.featureCount else {
            throw FeatureError.columnCountMismatch(expected: layout.columns, got: values.count)
        }
        for (c, v) in values.enumerated() where v.isInfinite {
            throw FeatureError.nonFinite(field: options.columns[c], row: row, value: v)
        }
        var time = 0.0
        if let field = options.timestampField {
            guard let t = timestamp else { throw FeatureError.missingEventField(field: field, row: row) }
            guard t.isFinite else { throw FeatureError.invalidTimestamp(field: field, row: row, value: "\(t)") }
            time = t
        }
        guard let outBase = out.baseAddress else {
            // No features asked for: the state still advances, into a scratch slot.
            var scratch = [0.0]
            try scratch.withUnsafeMutableBufferPointer {
                try append(entity: entity, timestamp: timestamp, values: values, row: row, into: $0)
            }
            return
        }
        let slot = touch(entity)
        let dBase = slot * layout.doubleStride, iBase = slot * layout.intStride
        doubles.withUnsafeMutableBufferPointer { d in
            ints.withUnsafeMutableBufferPointer { q in
                let seq = Int(d[dBase + 1])
                for c in 0..<layout.columns {
                    CountWindowKernel.step(layout, seq: seq, value: values[c],
                                           d: d.baseAddress! + dBase + 3 + c * layout.doublesPerColumn,
                                           q: q.baseAddress! + iBase + 1 + c * layout.intsPerColumn,
                                           out: outBase + c * layout.outPerColumn)
                }
                d[dBase + 1] = Double(seq + 1)
                if options.timestampField != nil {
                    let last = d[dBase]
                    out[layout.featureCount - 1] = seq == 0 ? 0 : time - last
                    d[dBase] = time
                }
            }
        }
        if layout.spans > 0 {
            let perColumn = layout.outPerColumn, timeStart = layout.windows.count * layout.statsPerWindow + layout.lags.count
            histories[slot].append(time: time, row: values.baseAddress!, spans: spanSeconds, maxRows: options.maxRowsPerEntity,
                                   out: outBase, columnOffsets: { $0 * perColumn + timeStart },
                                   countOffset: layout.columns * perColumn)
        }
    }

    /// Appends one record: the entity and timestamp fields as configured, each column as a number
    /// (null or absent = missing; a numeric string is read as a number). Returns the features.
    public mutating func append(_ record: Record, row: Int = 0) throws -> [Double] {
        var entity = ""
        if let field = options.entityField {
            guard let v = record[field], !v.isNull else { throw FeatureError.missingEventField(field: field, row: row) }
            entity = v.text
        }
        var timestamp: Double?
        if let field = options.timestampField {
            guard let v = record[field], !v.isNull else { throw FeatureError.missingEventField(field: field, row: row) }
            guard let t = Timestamp.seconds(v) else { throw FeatureError.invalidTimestamp(field: field, row: row, value: v.text) }
            timestamp = t
        }
        var values = [Double](repeating: .nan, count: options.columns.count)
        for (c, name) in options.columns.enumerated() {
            switch record[name] ?? .null {
            case .null: continue
            case .number(let d):
                guard d.isFinite else { throw FeatureError.nonFinite(field: name, row: row, value: d) }
                values[c] = d
            case .bool(let b): values[c] = b ? 1 : 0
            case .string(let s):
                guard let d = FieldEncoder.pythonFloat(s) else { throw FeatureError.notANumber(field: name, row: row, value: s) }
                guard d.isFinite else { throw FeatureError.nonFinite(field: name, row: row, value: d) }
                values[c] = d
            }
        }
        var out = [Double](repeating: 0, count: featureCount)
        try values.withUnsafeBufferPointer { v in
            try out.withUnsafeMutableBufferPointer { o in
                try append(entity: entity, timestamp: timestamp, values: v, row: row, into: o)
            }
        }
        return out
    }

    /// Forgets every entity.
    public mutating func removeAll() {
        slots = [:]; keys = []; doubles = []; ints = []; histories = []
        recency = []; recencyHead = 0; tick = 0
    }

    /// The slot of `entity`, made most recently seen; a new entity takes a fresh slot or, at the
    /// bound, the least recently seen one's (whose state is reset).
    private mutating func touch(_ entity: String) -> Int {
        let stride = layout.intStride
        if let slot = slots[entity] {
            markSeen(slot)
            return slot
        }
        let slot: Int
        if slots.count < options.maxEntities {
            slot = keys.count
            keys.append(entity)
            doubles.append(contentsOf: repeatElement(0, count: layout.doubleStride))
            ints.append(contentsOf: repeatElement(0, count: stride))
            if layout.spans > 0 { histories.append(TimeHistory(spans: layout.spans, columns: layout.columns)) }
        } else {
            slot = leastRecentlySeen()
            slots[keys[slot]] = nil
            keys[slot] = entity
            let d = slot * layout.doubleStride
            for i in d..<(d + layout.doubleStride) { doubles[i] = 0 }
            for i in (slot * stride)..<((slot + 1) * stride) { ints[i] = 0 }
            if layout.spans > 0 { histories[slot] = TimeHistory(spans: layout.spans, columns: layout.columns) }
        }
        slots[entity] = slot
        markSeen(slot)
        return slot
    }

    /// Records that `slot` was seen now; drops stale entries once they outnumber the live ones.
    private mutating func markSeen(_ slot: Int) {
        tick += 1
        doubles[slot * layout.doubleStride + 2] = Double(tick)
        recency.append(slot)
        recency.append(tick)
        if recency.count - recencyHead > 4 * slots.count + 2048 {
            var live = [Int]()
            live.reserveCapacity(2 * slots.count)
            var i = recencyHead
            while i < recency.count {
                if doubles[recency[i] * layout.doubleStride + 2] == Double(recency[i + 1]) { live += [recency[i], recency[i + 1]] }
                i += 2
            }
            recency = live
            recencyHead = 0
        }
    }

    /// Pops entries until the oldest current one: the least recently seen slot.
    private mutating func leastRecentlySeen() -> Int {
        while true {
            let slot = recency[recencyHead], seen = recency[recencyHead + 1]
            recencyHead += 2
            if doubles[slot * layout.doubleStride + 2] == Double(seen) { return slot }
        }
    }
}
