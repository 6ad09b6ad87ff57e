import VigilFeatures

/// `POST buffers` (reference §6.1): `buffer_id`, `window_size` (default 1000, ≥ 10).
struct CreateBufferRequest: Decodable, Sendable {
    var bufferId: String
    var windowSize: Int = 1000

    private enum CodingKeys: String, CodingKey { case bufferId = "buffer_id", windowSize = "window_size" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bufferId = try c.decode(String.self, forKey: .bufferId)
        windowSize = try c.decodeIfPresent(Int.self, forKey: .windowSize) ?? windowSize
        guard windowSize >= FeatureBuffer.minimumWindowSize else {
            throw ServiceError.validation([.atLeast([.key("window_size")], "\(FeatureBuffer.minimumWindowSize)",
                                                    input: Double(windowSize))])
        }
    }
}

/// `POST append` (reference §6.6): `buffer_id` and `data`, one object or a list of objects.
struct AppendRequest: Decodable, Sendable {
    var bufferId: String
    var data: [Record]

    private enum CodingKeys: String, CodingKey { case bufferId = "buffer_id", data }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bufferId = try c.decode(String.self, forKey: .bufferId)
        if let one = try? c.decode(Record.self, forKey: .data) {
            data = [one]
        } else {
            data = try c.decode([Record].self, forKey: .data)
        }
    }
}

/// `POST features` (reference §6.7) with LlamaFarm's defaults; `include_rolling_stats` is honoured.
struct FeaturesRequest: Decodable, Sendable {
    var bufferId: String
    var rollingWindows: [Int] = [5, 10, 20]
    var includeRollingStats: [RollingStat] = RollingStat.allCases
    var includeLags: Bool = true
    var lagPeriods: [Int] = [1, 2, 3]
    var tail: Int?

    private enum CodingKeys: String, CodingKey {
        case bufferId = "buffer_id", rollingWindows = "rolling_windows", includeRollingStats = "include_rolling_stats"
        case includeLags = "include_lags", lagPeriods = "lag_periods", tail
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bufferId = try c.decode(String.self, forKey: .bufferId)
        rollingWindows = try c.decodeIfPresent([Int].self, forKey: .rollingWindows) ?? rollingWindows
        if let names = try c.decodeIfPresent([String].self, forKey: .includeRollingStats) {
            includeRollingStats = try names.map { name in
                guard let stat = RollingStat(rawValue: name) else {
                    throw ServiceError.validation([.literal("include_rolling_stats", value: name,
                                                            allowed: RollingStat.allCases.map(\.rawValue))])
                }
                return stat
            }
        }
        includeLags = try c.decodeIfPresent(Bool.self, forKey: .includeLags) ?? includeLags
        lagPeriods = try c.decodeIfPresent([Int].self, forKey: .lagPeriods) ?? lagPeriods
        tail = try c.decodeIfPresent(Int.self, forKey: .tail)
    }
}
