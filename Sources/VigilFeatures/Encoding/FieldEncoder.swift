/// The fitted state of one schema field, with LlamaFarm's transform for its type (reference §3.4).
///
/// JSON shape follows LlamaFarm's encoder file states, e.g. `{"type":"hash","max_value":1000000}`,
/// `{"type":"label","label_map":{..},"unknown_value":0}`, plus Vigil's `missing` and `fill`.
public struct FieldEncoder: Codable, Equatable, Sendable {
    /// The field's type.
    public let type: FieldType
    /// Missing policy; `nil` = the type's default.
    public let missing: MissingPolicy?
    /// `label`: category → 1…n.
    public let labelMap: [String: Int]
    /// `onehot`: the sorted categories, one column each.
    public let categories: [String]
    /// `frequency`: category → training share.
    public let frequencyMap: [String: Double]
    /// `frequency`: value for unseen or null, `min(share) / 2`.
    public let frequencyDefault: Double
    /// Per output column: the mean of the encoded training values (the `mean` policy's fill).
    public let means: [Double]
    /// `onehot`: category → column, derived from `categories`.
    private let categoryColumn: [String: Int]

    /// `hash` modulus, as LlamaFarm.
    public static let hashModulus = 1_000_000
    /// `onehot` keeps at most this many categories (the first in sorted order).
    public static let maxCategories = 100
    /// Strings `binary` reads as 1 (after lowercasing and trimming spaces).
    static let trueWords: Set<String> = ["true", "yes", "1", "on", "t", "y"]

    /// Output column names for a field called `name`: `{name}_{category}` for `onehot`
    /// (just `{name}` when it saw no categories), `{name}` otherwise.
    public func columnNames(_ name: String) -> [String] {
        guard type == .onehot, !categories.isEmpty else { return [name] }
        return categories.map { "\(name)_\($0)" }
    }

    /// Number of output columns.
    public var width: Int { type == .onehot ? max(categories.count, 1) : 1 }

    /// Fits the field's state from its training values (`nil` = absent).
    static func fit(field: String, spec: FieldSpec, values: [FieldValue]) throws -> FieldEncoder {
        let present = values.filter { !$0.isNull }.map(\.text)
        var labelMap = [String: Int](), categories = [String](), frequencyMap = [String: Double]()
        var frequencyDefault = 0.0
        switch spec.type {
        case .label:
            for (i, v) in Set(present).sorted(by: Schema.pythonOrder).enumerated() { labelMap[v] = i + 1 }
        case .onehot:
            categories = Array(Set(present).sorted(by: Schema.pythonOrder).prefix(maxCategories))
        case .frequency:
            var counts = [String: Int]()
            for v in present { counts[v, default: 0] += 1 }
            let total = Double(present.count)
            for (k, c) in counts { frequencyMap[k] = Double(c) / total }
            frequencyDefault = (frequencyMap.values.min() ?? 0) / 2
        case .numeric, .hash, .binary:
            break
        }
        let base = FieldEncoder(type: spec.type, missing: spec.missing, labelMap: labelMap, categories: categories,
                                frequencyMap: frequencyMap, frequencyDefault: frequencyDefault, means: [])
        // Means of the encoded training values over the rows that have a usable value.
        var sums = [Double](repeating: 0, count: base.width)
        var n = 0
        var row = [Double](repeating: 0, count: base.width)
        for (i, v) in values.enumerated() {
            guard try base.encodePresent(v, field: field, row: i, into: &row[...]) else {
                // An `error` policy refuses unusable training values too.
                if spec.missing == .error { try base.encode(v, field: field, row: i, into: &row[...]) }
                continue
            }
            for j in 0..<row.count { sums[j] += row[j] }
            n += 1
        }
        let means = sums.map { n > 0 ? $0 / Double(n) : 0 }
        return FieldEncoder(type: spec.type, missing: spec.missing, labelMap: labelMap, categories: categories,
                            frequencyMap: frequencyMap, frequencyDefault: frequencyDefault, means: means)
    }

    init(type: FieldType, missing: MissingPolicy?, labelMap: [String: Int], categories: [String],
         frequencyMap: [String: Double], frequencyDefault: Double, means: [Double]) {
        self.type = type
        self.missing = missing
        self.labelMap = labelMap
        self.categories = categories
        self.frequencyMap = frequencyMap
        self.frequencyDefault = frequencyDefault
        self.means = means
        categoryColumn = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes the encoding of `value` (row `row` of the input, for errors) into `out`
    /// (`width` slots).
    func encode(_ value: FieldValue, field: String, row: Int, into out: inout ArraySlice<Double>) throws {
        if try encodePresent(value, field: field, row: row, into: &out) { return }
        switch missing {
        case .error?:
            if case .null = value { throw FeatureError.missingValue(field: field, row: row) }
            throw FeatureError.notANumber(field: field, row: row, value: value.text)
        case .mean?:
            for (j, m) in means.enumerated() { out[out.startIndex + j] = m }
        case .zero?:
            for j in out.indices { out[j] = 0 }
        case nil:
            // LlamaFarm's defaults: 0 everywhere, except frequency's half-smallest share.
            for j in out.indices { out[j] = 0 }
            if type == .frequency { out[out.startIndex] = frequencyDefault }
        }
    }

    /// Encodes a usable value and returns true; returns false for null (and, for `numeric`, a
    /// value that is not a number), leaving the fill to the missing policy.
    private func encodePresent(_ value: FieldValue, field: String, row: Int, into out: inout ArraySlice<Double>) throws -> Bool {
        if case .null = value { return false }
        let o = out.startIndex
        switch type {
        case .numeric:
            let x: Double
            switch value {
            case .number(let d): x = d
            case .bool(let b): x = b ? 1 : 0
            case .string(let s):
                guard let d = Self.pythonFloat(s) else { return false }
                x = d
            case .null: return false
            }
            guard x.isFinite else { throw FeatureError.nonFinite(field: field, row: row, value: x) }
            out[o] = x
        case .hash:
            let hex = MD5.hexDigest(value.text.utf8)
            out[o] = Double((UInt64(hex.prefix(8), radix: 16) ?? 0) % UInt64(Self.hashModulus))
        case .label:
            out[o] = Double(labelMap[value.text] ?? 0)
        case .onehot:
            for j in out.indices { out[j] = 0 }
            if let k = categoryColumn[value.text] { out[o + k] = 1 }
        case .binary:
            switch value {
            case .bool(let b): out[o] = b ? 1 : 0
            case .number(let d): out[o] = d != 0 ? 1 : 0
            case .string(let s):
                let word = s.lowercased().trimmingSpaces
                out[o] = Self.trueWords.contains(word) ? 1 : 0
            case .null: return false
            }
        case .frequency:
            out[o] = frequencyMap[value.text] ?? frequencyDefault
        }
        return true
    }

    /// Python's `float(s)` for the common forms: surrounding whitespace, sign, decimal or
    /// exponent notation, `inf`/`infinity`/`nan` in any case, `_` between digits.
    static func pythonFloat(_ s: String) -> Double? {
        let t = s.trimmingSpaces
        guard !t.isEmpty, !t.lowercased().hasPrefix("0x"), !t.lowercased().hasPrefix("-0x"),
              !t.lowercased().hasPrefix("+0x") else { return nil }
        return Double(t.replacingUnderscoresBetweenDigits)
    }

    private enum CodingKeys: String, CodingKey {
        case type, missing
        case labelMap = "label_map", categories, frequencyMap = "frequency_map"
        case frequencyDefault = "default_value", means = "fill"
        case maxValue = "max_value", unknownValue = "unknown_value", maxCategories = "max_categories", normalize
    }

    /// Decodes the JSON state.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(FieldType.self, forKey: .type)
        missing = try c.decodeIfPresent(MissingPolicy.self, forKey: .missing)
        labelMap = try c.decodeIfPresent([String: Int].self, forKey: .labelMap) ?? [:]
        categories = try c.decodeIfPresent([String].self, forKey: .categories) ?? []
        frequencyMap = try c.decodeIfPresent([String: Double].self, forKey: .frequencyMap) ?? [:]
        frequencyDefault = try c.decodeIfPresent(Double.self, forKey: .frequencyDefault) ?? 0
        means = try c.decodeIfPresent([Double].self, forKey: .means) ?? []
        categoryColumn = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let width = type == .onehot ? max(categories.count, 1) : 1
        guard means.count == width else {
            throw DecodingError.dataCorruptedError(forKey: .means, in: c,
                                                   debugDescription: "expected \(width) fill values, got \(means.count)")
        }
    }

    /// Encodes only the keys meaningful for the type.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(missing, forKey: .missing)
        switch type {
        case .hash: try c.encode(Self.hashModulus, forKey: .maxValue)
        case .label:
            try c.encode(labelMap, forKey: .labelMap)
            try c.encode(0, forKey: .unknownValue)
        case .onehot:
            try c.encode(categories, forKey: .categories)
            try c.encode(Self.maxCategories, forKey: .maxCategories)
        case .frequency:
            try c.encode(frequencyMap, forKey: .frequencyMap)
            try c.encode(true, forKey: .normalize)
            try c.encode(frequencyDefault, forKey: .frequencyDefault)
        case .numeric, .binary: break
        }
        try c.encode(means, forKey: .means)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line ends.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    /// Removes `_` that sits between two digits (Python number literals allow `1_000`).
    var replacingUnderscoresBetweenDigits: String {
        guard contains("_") else { return self }
        let chars = Array(self)
        var out = ""
        for (i, ch) in chars.enumerated() {
            if ch == "_", i > 0, i + 1 < chars.count, chars[i - 1].isASCII, chars[i - 1].isNumber,
               chars[i + 1].isASCII, chars[i + 1].isNumber { continue }
            out.append(ch)
        }
        return out
    }
}
