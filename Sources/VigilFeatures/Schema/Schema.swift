/// The six encodings of a schema field, as LlamaFarm's `FeatureEncoder` defines them
/// (reference §3.4).
public enum FieldType: String, Codable, CaseIterable, Sendable {
    /// `float(v)`; unconvertible or null → the missing policy (default 0.0).
    case numeric
    /// `int(md5(str(v)).hexdigest()[:8], 16) % 1_000_000`; null → 0.0.
    case hash
    /// Sorted unique training strings → 1…n; unseen or null → 0.
    case label
    /// One 0/1 column per sorted training category (at most 100); unseen or null → all 0.
    case onehot
    /// Truthiness: bool, number ≠ 0, or a string in {true, yes, 1, on, t, y}.
    case binary
    /// Share of the value among the non-null training values; unseen or null → half the smallest share.
    case frequency
}

/// What to do with a missing or null field (and, for `numeric`, a value that is not a number).
public enum MissingPolicy: String, Codable, CaseIterable, Sendable {
    /// Encode as 0 in every column of the field.
    case zero
    /// Encode as the mean of the field's encoded training values.
    case mean
    /// Refuse the record, naming the field.
    case error
}

/// How one field is encoded: its type and, optionally, its missing policy (absent = LlamaFarm's
/// behaviour for the type).
public struct FieldSpec: Codable, Hashable, Sendable {
    /// The encoding.
    public var type: FieldType
    /// The missing policy; `nil` keeps the type's own default from §3.4.
    public var missing: MissingPolicy?

    /// A field of `type` with an optional missing policy.
    public init(_ type: FieldType, missing: MissingPolicy? = nil) {
        self.type = type
        self.missing = missing
    }
}

/// A typed schema: field name → how to encode it.
///
/// JSON forms: `{"amount": "numeric"}` or `{"amount": {"type": "numeric", "missing": "error"}}`,
/// mixed freely. Encodes back to the short form when a field has no policy.
public struct Schema: Codable, Hashable, Sendable {
    /// The fields and their specs.
    public let fields: [String: FieldSpec]

    /// Field names in column order: sorted by Unicode scalars, as Python's `sorted` does.
    public var orderedNames: [String] { fields.keys.sorted(by: Schema.pythonOrder) }

    /// A schema with at least one field.
    public init(_ fields: [String: FieldSpec]) throws {
        guard !fields.isEmpty else { throw FeatureError.emptySchema }
        self.fields = fields
    }

    /// A schema from field → type name, e.g. `["amount": "numeric"]`; unknown names are refused.
    public init(types: [String: String]) throws {
        var fields = [String: FieldSpec]()
        for (name, type) in types {
            guard let t = FieldType(rawValue: type) else { throw FeatureError.unknownFieldType(field: name, type: type) }
            fields[name] = FieldSpec(t)
        }
        try self.init(fields)
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private enum SpecKey: String, CodingKey { case type, missing }

    /// Decodes either JSON form; a bad entry throws a ``FeatureError`` naming the field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var fields = [String: FieldSpec]()
        for key in container.allKeys {
            let name = key.stringValue
            if let type = try? container.decode(String.self, forKey: key) {
                guard let t = FieldType(rawValue: type) else { throw FeatureError.unknownFieldType(field: name, type: type) }
                fields[name] = FieldSpec(t)
                continue
            }
            guard let spec = try? container.nestedContainer(keyedBy: SpecKey.self, forKey: key) else {
                throw FeatureError.invalidSchemaEntry(field: name, reason: "expected a type name or an object with \"type\"")
            }
            guard let type = try? spec.decode(String.self, forKey: .type) else {
                throw FeatureError.invalidSchemaEntry(field: name, reason: "the object has no string \"type\"")
            }
            guard let t = FieldType(rawValue: type) else { throw FeatureError.unknownFieldType(field: name, type: type) }
            var policy: MissingPolicy?
            if spec.contains(.missing), !((try? spec.decodeNil(forKey: .missing)) ?? false) {
                guard let text = try? spec.decode(String.self, forKey: .missing) else {
                    throw FeatureError.invalidSchemaEntry(field: name, reason: "\"missing\" must be a string")
                }
                guard let p = MissingPolicy(rawValue: text) else {
                    throw FeatureError.unknownMissingPolicy(field: name, policy: text)
                }
                policy = p
            }
            fields[name] = FieldSpec(t, missing: policy)
        }
        try self.init(fields)
    }

    /// Encodes each field as its type name, or as `{"type", "missing"}` when it has a policy.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, spec) in fields.sorted(by: { Schema.pythonOrder($0.key, $1.key) }) {
            let key = Key(stringValue: name)
            if let missing = spec.missing {
                var nested = container.nestedContainer(keyedBy: SpecKey.self, forKey: key)
                try nested.encode(spec.type, forKey: .type)
                try nested.encode(missing, forKey: .missing)
            } else {
                try container.encode(spec.type, forKey: key)
            }
        }
    }

    /// Python's string order: lexicographic by Unicode scalar value.
    static func pythonOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
