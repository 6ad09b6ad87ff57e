import VigilCore

/// Turns records into a fixed-order numeric matrix with a fitted ``Schema`` (reference §3.4).
///
/// Columns follow the sorted schema keys; an `onehot` field contributes one `{field}_{category}`
/// column per category. Fields not in the schema are ignored; an absent field reads as null.
/// Values are kept as `Double` (LlamaFarm casts to float32). Encodes to LlamaFarm's encoder file
/// shape, `{"version":1,"schema":{..},"feature_order":[..],"encoders":{..}}`, plus `feature_names`.
public struct FeatureEncoder: Codable, Equatable, Sendable {
    /// The schema it was fitted with.
    public let schema: Schema
    /// Schema fields in column order (sorted keys).
    public let fieldOrder: [String]
    /// Fitted state per field.
    public let encoders: [String: FieldEncoder]
    /// Output column names, in order.
    public let featureNames: [String]

    /// Fits every field's state on `records`.
    public static func fit(_ records: [Record], schema: Schema) throws -> FeatureEncoder {
        guard !records.isEmpty else { throw FeatureError.noData("no records to fit the encoder on") }
        let order = schema.orderedNames
        var encoders = [String: FieldEncoder]()
        for name in order {
            guard let spec = schema.fields[name] else { continue }
            let values = records.map { $0[name] ?? .null }
            encoders[name] = try FieldEncoder.fit(field: name, spec: spec, values: values)
        }
        return try FeatureEncoder(schema: schema, fieldOrder: order, encoders: encoders)
    }

    private init(schema: Schema, fieldOrder: [String], encoders: [String: FieldEncoder]) throws {
        var names = [String]()
        for field in fieldOrder {
            guard let e = encoders[field] else {
                throw FeatureError.invalidSchemaEntry(field: field, reason: "no fitted state for this field")
            }
            names += e.columnNames(field)
        }
        self.schema = schema
        self.fieldOrder = fieldOrder
        self.encoders = encoders
        self.featureNames = names
    }

    /// Encodes `records`, one row each, columns as ``featureNames``; throws a ``FeatureError``
    /// naming field, row and value for NaN/±inf and for what an `error` policy refuses.
    public func transform(_ records: [Record]) throws -> Matrix {
        let width = featureNames.count
        var values = [Double](repeating: 0, count: records.count * width)
        let fields = fieldOrder.compactMap { name in encoders[name].map { (name, $0) } }
        for (r, record) in records.enumerated() {
            var o = r * width
            for (name, encoder) in fields {
                try encoder.encode(record[name] ?? .null, field: name, row: r, into: &values[o..<(o + encoder.width)])
                o += encoder.width
            }
        }
        return try Matrix(rows: records.count, cols: width, values: values)
    }

    private enum CodingKeys: String, CodingKey {
        case version, schema, featureOrder = "feature_order", encoders, featureNames = "feature_names"
    }

    /// Decodes the encoder file shape; the feature names are derived again from the states.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try c.decode(Schema.self, forKey: .schema)
        let order = try c.decode([String].self, forKey: .featureOrder)
        guard order == schema.orderedNames else {
            throw DecodingError.dataCorruptedError(forKey: .featureOrder, in: c,
                                                   debugDescription: "feature_order is not the sorted schema keys")
        }
        try self.init(schema: schema, fieldOrder: order, encoders: try c.decode([String: FieldEncoder].self, forKey: .encoders))
    }

    /// Encodes the encoder file shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(1, forKey: .version)
        try c.encode(schema, forKey: .schema)
        try c.encode(fieldOrder, forKey: .featureOrder)
        try c.encode(encoders, forKey: .encoders)
        try c.encode(featureNames, forKey: .featureNames)
    }
}
