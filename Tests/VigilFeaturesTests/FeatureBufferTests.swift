import XCTest
@testable import VigilFeatures

/// Expected values from the documented example (reference §7) and Python's `statistics` module.
final class FeatureBufferTests: XCTestCase {
    private func number(_ v: FieldValue?) -> Double { v?.number ?? .nan }

    func testDocumentedExampleThroughTheBuffer() throws {
        var buffer = try FeatureBuffer(id: "payments", windowSize: 100)
        buffer.append([100, 150, 120, 80, 200].map { ["amount": .number($0)] })
        let table = try buffer.features(rollingWindows: [5], lagPeriods: [1])
        XCTAssertEqual(table.columns, ["amount", "amount_rolling_mean_5", "amount_rolling_std_5", "amount_rolling_min_5",
                                       "amount_rolling_max_5", "amount_lag_1"])
        let records = table.records
        XCTAssertEqual(records.map { number($0["amount_rolling_mean_5"]) }[3], 112.5)
        XCTAssertEqual(number(records[2]["amount_rolling_std_5"]), 25.166114784235834, accuracy: 1e-12)
        XCTAssertEqual(number(records[4]["amount_rolling_std_5"]), 46.9041575982343, accuracy: 1e-12)
        XCTAssertEqual(records.map { number($0["amount_lag_1"]) }, [0, 100, 150, 120, 80])
        XCTAssertEqual(records.map { $0["amount"] }, [100, 150, 120, 80, 200].map { FieldValue.number($0) })
    }

    func testDefaultFeatureCountMatchesTheDocs() throws {
        var buffer = try FeatureBuffer(id: "sensors")
        buffer.append(ordered: [[("temperature", .number(72.5)), ("humidity", .number(45.2))]])
        // 2 columns × (1 + 4·3 windows + 3 lags) = 32; without lags 26.
        XCTAssertEqual(try buffer.features().columns.count, 32)
        let noLags = try buffer.features(includeLags: false)
        XCTAssertEqual(noLags.columns.count, 26)
        XCTAssertEqual(Array(noLags.columns.prefix(4)), ["temperature", "humidity", "temperature_rolling_mean_5",
                                                         "temperature_rolling_std_5"])
        XCTAssertEqual(noLags.columns.last, "humidity_rolling_max_20")
    }

    func testDynamicColumnsInFirstAppearanceOrder() throws {
        var buffer = try FeatureBuffer(id: "b", windowSize: 10)
        buffer.append(ordered: [[("z", .number(1))], [("z", .number(2)), ("a", .string("x")), ("m", .bool(true))]])
        buffer.append([["k2": .number(5), "k1": .number(6)]]) // unordered records: new keys sorted
        XCTAssertEqual(buffer.columns, ["z", "a", "m", "k1", "k2"])
        let rows = buffer.rows().rows
        XCTAssertEqual(rows[0], [.number(1), .null, .null, .null, .null])
        XCTAssertEqual(rows[2], [.null, .null, .null, .number(6), .number(5)])
        let stats = buffer.stats
        XCTAssertEqual(stats.numericColumns, ["z", "k1", "k2"])
        XCTAssertEqual(stats.size, 3)
        XCTAssertEqual(stats.appendCount, 3)
        XCTAssertGreaterThan(stats.memoryBytes, 0)
        XCTAssertGreaterThanOrEqual(stats.avgAppendMs, 0)
        // Strings and booleans are left untouched: features only for the numeric columns.
        let features = try buffer.features(rollingWindows: [2], includeStats: [.mean], includeLags: false)
        XCTAssertEqual(features.columns, ["z", "a", "m", "k1", "k2", "z_rolling_mean_2", "k1_rolling_mean_2", "k2_rolling_mean_2"])
        // Nulls are left out: z's window at row 3 holds (2, null) → 2; k1's holds (null, 6) → 6.
        XCTAssertEqual(features.rows[2].suffix(3), [.number(2), .number(6), .number(5)])
    }

    func testWindowSizeTruncationClearAndTail() throws {
        var buffer = try FeatureBuffer(id: "b", windowSize: 10)
        for i in 0..<15 { buffer.append([["x": .number(Double(i))]]) }
        XCTAssertEqual(buffer.size, 10)
        XCTAssertEqual(buffer.stats.appendCount, 15)
        XCTAssertEqual(buffer.rows().rows.first, [.number(5)])
        XCTAssertEqual(buffer.rows(tail: 2).rows, [[.number(13)], [.number(14)]])
        XCTAssertEqual(buffer.rows(tail: 0).rows.count, 10)
        // Partial windows start at the first row held (5), not the first ever appended.
        let all = try buffer.features(rollingWindows: [3], lagPeriods: [2])
        XCTAssertEqual(all.rows[0][1], .number(5))
        XCTAssertEqual(all.rows[0].last, .number(0))
        let tail = try buffer.features(rollingWindows: [3], lagPeriods: [2], tail: 4)
        XCTAssertEqual(tail.rows, Array(all.rows.suffix(4)))
        let lagBeyondWindows = try buffer.features(rollingWindows: [2], lagPeriods: [5])
        XCTAssertEqual(try buffer.features(rollingWindows: [2], lagPeriods: [5], tail: 3).rows,
                       Array(lagBeyondWindows.rows.suffix(3)))
        XCTAssertEqual(lagBeyondWindows.rows.last?.last, .number(9))
        let newest = try XCTUnwrap(try buffer.newestFeatures(rollingWindows: [3], lagPeriods: [2]))
        XCTAssertEqual(newest["x_rolling_mean_3"], .number(13))
        XCTAssertEqual(newest["x_lag_2"], .number(12))
        buffer.clear()
        XCTAssertEqual(buffer.size, 0)
        XCTAssertEqual(buffer.stats.appendCount, 0)
        XCTAssertEqual(buffer.columns, [])
        XCTAssertEqual(try buffer.features(), FeatureTable(columns: [], rows: []))
        XCTAssertNil(try buffer.newestFeatures())
    }

    /// Windows and lags longer than the rows held give what windows and lags of exactly that length
    /// give, under the requested names, without state sized by the request (a window of Int.max
    /// used to spin forever sizing its ring).
    func testWindowsAndLagsLongerThanTheRowsHeld() throws {
        var buffer = try FeatureBuffer(id: "b", windowSize: 1_000_000)
        buffer.append([3, 1, 4, 1, 5, 9].map { ["x": .number($0)] })
        let huge = try buffer.features(rollingWindows: [2, Int.max, 1_000_000_000], lagPeriods: [1, Int.max, 6])
        let held = try buffer.features(rollingWindows: [2, 6], lagPeriods: [1, 6])
        XCTAssertEqual(huge.columns, ["x"] + [2, Int.max, 1_000_000_000].flatMap { w in
            ["mean", "std", "min", "max"].map { "x_rolling_\($0)_\(w)" }
        } + ["x_lag_1", "x_lag_\(Int.max)", "x_lag_6"])
        let byName = held.records
        for (r, row) in huge.records.enumerated() {
            for stat in ["mean", "std", "min", "max"] {
                XCTAssertEqual(row["x_rolling_\(stat)_2"], byName[r]["x_rolling_\(stat)_2"])
                XCTAssertEqual(row["x_rolling_\(stat)_\(Int.max)"], byName[r]["x_rolling_\(stat)_6"])
                XCTAssertEqual(row["x_rolling_\(stat)_1000000000"], byName[r]["x_rolling_\(stat)_6"])
            }
            XCTAssertEqual(row["x_lag_1"], byName[r]["x_lag_1"])
            XCTAssertEqual(row["x_lag_\(Int.max)"], .number(0))
            XCTAssertEqual(row["x_lag_6"], .number(0))
        }
        XCTAssertEqual(huge.records.last?["x_rolling_mean_\(Int.max)"]?.number ?? .nan, 23.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(huge.records.last?["x_rolling_max_1000000000"], .number(9))
        // With `tail`, as with the whole buffer.
        XCTAssertEqual(try buffer.features(rollingWindows: [Int.max], tail: 2).rows,
                       try buffer.features(rollingWindows: [6], tail: 2).rows)
        // A repeated window is still refused, also when both exceed the rows held.
        XCTAssertThrowsError(try buffer.features(rollingWindows: [7, 7]))
        XCTAssertNoThrow(try buffer.features(rollingWindows: [7, 8]))
    }

    /// Values whose sums overflow give a NaN or infinite statistic: refused naming the feature and row.
    func testStatisticsThatOverflowAreRefused() throws {
        var buffer = try FeatureBuffer(id: "b", windowSize: 10)
        buffer.append([1e308, 1e308, -1e308].map { ["x": .number($0)] })
        XCTAssertThrowsError(try buffer.features(rollingWindows: [2], includeStats: [.mean], includeLags: false)) { error in
            guard case .featureOverflow("x_rolling_mean_2", 1, let value)? = error as? FeatureError else { return XCTFail("\(error)") }
            XCTAssertFalse(value.isFinite)
        }
        // Min, max and lags of the same values are finite.
        XCTAssertEqual(try buffer.features(rollingWindows: [2], includeStats: [.max], lagPeriods: [1]).rows.last,
                       [.number(-1e308), .number(1e308), .number(1e308)])
    }

    func testBadInput() throws {
        XCTAssertThrowsError(try FeatureBuffer(id: "b", windowSize: 9)) { error in
            XCTAssertEqual(error as? FeatureError, .invalidParameter(name: "window_size", value: "9", requirement: "must be ≥ 10"))
        }
        var buffer = try FeatureBuffer(id: "b", windowSize: 10)
        buffer.append([["x": .number(1)]])
        XCTAssertThrowsError(try buffer.features(rollingWindows: [0]))
        XCTAssertThrowsError(try buffer.features(lagPeriods: [0]))
        XCTAssertNoThrow(try buffer.features(includeLags: false, lagPeriods: [0])) // lags off: periods unused
    }
}
