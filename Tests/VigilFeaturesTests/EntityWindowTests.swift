import Foundation
import XCTest
@testable import VigilFeatures

/// Expected values computed by hand and with Python's `statistics.mean`/`statistics.stdev`
/// (sample std) over the trailing partial windows.
final class EntityWindowTests: XCTestCase {
    private func feed(_ window: inout EntityWindow, _ records: [Record]) throws -> [[Double]] {
        try records.enumerated().map { try window.append($0.element, row: $0.offset) }
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-9,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (i, (u, v)) in zip(a, b).enumerated() {
            XCTAssertEqual(u, v, accuracy: tolerance * max(1, abs(v)), "index \(i)", file: file, line: line)
        }
    }

    func testDocumentedAmountsExample() throws {
        var window = try EntityWindow(RollingOptions(columns: ["amount"], windows: [5], lags: [1]))
        XCTAssertEqual(window.featureNames, ["amount_rolling_mean_5", "amount_rolling_std_5", "amount_rolling_min_5",
                                             "amount_rolling_max_5", "amount_lag_1"])
        let rows = try feed(&window, [100, 150, 120, 80, 200].map { ["amount": .number($0)] })
        assertClose(rows.map { $0[0] }, [100, 125, 123.33333333333333, 112.5, 130])
        assertClose(rows.map { $0[1] }, [0, 35.35533905932738, 25.166114784235834, 29.860788111948196, 46.9041575982343])
        XCTAssertEqual(rows.map { $0[2] }, [100, 100, 100, 80, 80])
        XCTAssertEqual(rows.map { $0[3] }, [100, 150, 150, 150, 200])
        XCTAssertEqual(rows.map { $0[4] }, [0, 100, 150, 120, 80])
    }

    func testSlidingWindowPastItsLength() throws {
        var window = try EntityWindow(RollingOptions(columns: ["x"], windows: [3], lags: [1, 2]))
        let rows = try feed(&window, [5, 1, 4, 1, 5, 9, 2, 6].map { ["x": .number($0)] })
        assertClose(rows.map { $0[0] }, [5, 3, 3.3333333333333335, 2, 3.3333333333333335, 5, 5.333333333333333, 5.666666666666667])
        assertClose(rows.map { $0[1] }, [0, 2.8284271247461903, 2.0816659994661326, 1.7320508075688772, 2.0816659994661326,
                                         4, 3.511884584284246, 3.511884584284246])
        XCTAssertEqual(rows.map { $0[2] }, [5, 1, 1, 1, 1, 1, 2, 2])
        XCTAssertEqual(rows.map { $0[3] }, [5, 5, 5, 4, 5, 9, 9, 9])
        XCTAssertEqual(rows.map { $0[4] }, [0, 5, 1, 4, 1, 5, 9, 2])
        XCTAssertEqual(rows.map { $0[5] }, [0, 0, 5, 1, 4, 1, 5, 9])
    }

    func testSelectedStatsAndColumnOrder() throws {
        let options = RollingOptions(columns: ["a", "b"], windows: [2, 4], stats: [.max, .mean], lags: [1])
        XCTAssertEqual(try EntityWindow(options).featureNames,
                       ["a_rolling_mean_2", "a_rolling_max_2", "a_rolling_mean_4", "a_rolling_max_4", "a_lag_1",
                        "b_rolling_mean_2", "b_rolling_max_2", "b_rolling_mean_4", "b_rolling_max_4", "b_lag_1"])
    }

    func testEntitiesNeverMix() throws {
        var shared = try EntityWindow(RollingOptions(columns: ["amount"], windows: [3], lags: [1], entityField: "user"))
        var alone = try EntityWindow(RollingOptions(columns: ["amount"], windows: [3], lags: [1]))
        let a: [Double] = [10, 20, 30, 40], b: [Double] = [1000, 2000, 3000, 4000]
        var mixed = [[Double]]()
        for i in 0..<4 {
            mixed.append(try shared.append(["user": .string("a"), "amount": .number(a[i])]))
            _ = try shared.append(["user": .string("b"), "amount": .number(b[i])])
        }
        let single = try a.map { try alone.append(["amount": .number($0)]) }
        XCTAssertEqual(mixed, single)
        XCTAssertEqual(shared.entityCount, 2)
    }

    func testLeastRecentlySeenEntityIsEvicted() throws {
        var window = try EntityWindow(RollingOptions(columns: ["x"], windows: [2], lags: [1], entityField: "u", maxEntities: 2))
        _ = try window.append(["u": .string("a"), "x": .number(1)])
        _ = try window.append(["u": .string("b"), "x": .number(2)])
        _ = try window.append(["u": .string("a"), "x": .number(3)]) // a is now the most recent
        _ = try window.append(["u": .string("c"), "x": .number(4)]) // evicts b
        XCTAssertEqual(window.entityCount, 2)
        XCTAssertTrue(window.holds("a"))
        XCTAssertFalse(window.holds("b"))
        XCTAssertTrue(window.holds("c"))
        // b comes back with no history: its lag is 0 and its mean is its own value.
        let back = try window.append(["u": .string("b"), "x": .number(10)]) // evicts a
        XCTAssertEqual(back, [10, 0, 10, 10, 0])
        XCTAssertFalse(window.holds("a"))
        let c = try window.append(["u": .string("c"), "x": .number(6)])
        XCTAssertEqual(c, [5, 2.squareRoot(), 4, 6, 4])
    }

    func testTimeWindowsAcrossHourBoundaries() throws {
        var window = try EntityWindow(RollingOptions(
            columns: ["x"], windows: [], stats: [], lags: [], entityField: "u", timestampField: "ts",
            timeWindows: [TimeSpan(parsing: "1h"), TimeSpan(parsing: "24h")]))
        XCTAssertEqual(window.featureNames, ["x_sum_1h", "x_mean_1h", "x_sum_24h", "x_mean_24h", "count_1h", "count_24h",
                                             "seconds_since_last"])
        let times = ["2024-03-01T00:30:00Z", "2024-03-01T00:59:59Z", "2024-03-01 01:00:00", "2024-03-01T01:29:59+00:00",
                     "2024-03-01T02:30:00+01:00"] // the last is 01:30:00 UTC
        let rows = try feed(&window, zip(times, [1.0, 2, 4, 8, 16]).map { ["u": .string("a"), "ts": .string($0), "x": .number($1)] })
        // (t − 1h, t]: the 00:30:00 event leaves exactly at 01:30:00.
        XCTAssertEqual(rows.map { $0[0] }, [1, 3, 7, 15, 30])
        assertClose(rows.map { $0[1] }, [1, 1.5, 7.0 / 3.0, 3.75, 7.5])
        XCTAssertEqual(rows.map { $0[2] }, [1, 3, 7, 15, 31])
        XCTAssertEqual(rows.map { $0[4] }, [1, 2, 3, 4, 4])
        XCTAssertEqual(rows.map { $0[5] }, [1, 2, 3, 4, 5])
        XCTAssertEqual(rows.map { $0[6] }, [0, 1799, 1, 1799, 1])
    }

    func testRowsPerEntityBoundCapsTimeWindows() throws {
        var window = try EntityWindow(RollingOptions(columns: ["x"], windows: [2], stats: [.mean], lags: [],
                                                     timestampField: "t", timeWindows: [TimeSpan(parsing: "1d")],
                                                     maxRowsPerEntity: 3))
        let rows = try feed(&window, (0..<6).map { ["t": .number(Double($0)), "x": .number(Double($0))] })
        XCTAssertEqual(rows.map { $0[3] }, [1, 2, 3, 3, 3, 3]) // count_1d
        XCTAssertEqual(rows.map { $0[1] }, [0, 1, 3, 6, 9, 12]) // x_sum_1d over the last 3 rows held
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: ["x"], windows: [5], maxRowsPerEntity: 3)))
    }

    func testTimestampsGoingBackwardsAreAcceptedInArrivalOrder() throws {
        var window = try EntityWindow(RollingOptions(columns: ["x"], windows: [], stats: [], lags: [], timestampField: "t",
                                                     timeWindows: [TimeSpan(parsing: "100s")]))
        let rows = try feed(&window, [(1000.0, 1.0), (900, 2), (1050, 4), (1150, 8)].map { ["t": .number($0), "x": .number($1)] })
        XCTAssertEqual(rows.map { $0[3] }, [0, -100, 150, 100]) // seconds_since_last
        // The late event joins on arrival; at t = 1150 the front (1000) leaves, then the late 900, then 1050.
        XCTAssertEqual(rows.map { $0[2] }, [1, 2, 3, 1])
        XCTAssertEqual(rows.map { $0[0] }, [1, 3, 7, 8])
    }

    func testMissingValuesAreLeftOut() throws {
        var window = try EntityWindow(RollingOptions(columns: ["x"], windows: [3], lags: [1]))
        let rows = try feed(&window, [["x": .number(4)], ["x": .null], [:], ["x": .number(8)], ["x": .string("10")]])
        XCTAssertEqual(rows.map { $0[0] }, [4, 4, 4, 8, 9])
        XCTAssertEqual(rows.map { $0[4] }, [0, 4, 0, 0, 8])
        XCTAssertEqual(rows[4][1], 2.squareRoot(), accuracy: 1e-12)
    }

    func testBadInput() throws {
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: ["x"], windows: [0]))) { error in
            XCTAssertEqual(error as? FeatureError, .invalidParameter(name: "window", value: "0", requirement: "must be > 0"))
        }
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: ["x"], lags: [-1]))) { error in
            XCTAssertEqual(error as? FeatureError, .invalidParameter(name: "lag", value: "-1", requirement: "must be > 0"))
        }
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: ["x"], timeWindows: [TimeSpan(parsing: "1h")])))
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: ["x"], maxEntities: 0)))
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: ["x"], windows: [5, 5]))) { error in
            XCTAssertEqual(error as? FeatureError, .invalidParameter(name: "window", value: "5", requirement: "listed twice"))
        }
        XCTAssertThrowsError(try EntityWindow(RollingOptions(columns: [])))
        XCTAssertThrowsError(try RollingStat.parse(["mean", "median"])) { error in
            XCTAssertEqual("\(error)", "unknown rolling statistic 'median'; valid: mean, std, min, max")
        }
        for bad in ["0h", "-1h", "1x", "h", "nan", ""] {
            XCTAssertThrowsError(try TimeSpan(parsing: bad), bad)
        }
        XCTAssertEqual(try TimeSpan(parsing: "90").seconds, 90)
        XCTAssertEqual(try TimeSpan(parsing: "2w").seconds, 1_209_600)
        let options = RollingOptions(columns: ["x"], timestampField: "t", timeWindows: [try TimeSpan(parsing: "1h")])
        XCTAssertEqual(try JSONDecoder().decode(RollingOptions.self, from: JSONEncoder().encode(options)), options)
        XCTAssertThrowsError(try JSONDecoder().decode([TimeSpan].self, from: Data(#"["0h"]"#.utf8)))

        var window = try EntityWindow(RollingOptions(columns: ["x"], entityField: "user", timestampField: "ts"))
        XCTAssertThrowsError(try window.append(["ts": .number(1), "x": .number(1)], row: 7)) { error in
            XCTAssertEqual(error as? FeatureError, .missingEventField(field: "user", row: 7))
        }
        XCTAssertThrowsError(try window.append(["user": .string("a"), "x": .number(1)])) { error in
            XCTAssertEqual(error as? FeatureError, .missingEventField(field: "ts", row: 0))
        }
        XCTAssertThrowsError(try window.append(["user": .string("a"), "ts": .string("yesterday"), "x": .number(1)])) { error in
            XCTAssertEqual(error as? FeatureError, .invalidTimestamp(field: "ts", row: 0, value: "yesterday"))
        }
        XCTAssertThrowsError(try window.append(["user": .string("a"), "ts": .number(1), "x": .number(.infinity)])) { error in
            XCTAssertEqual(error as? FeatureError, .nonFinite(field: "x", row: 0, value: .infinity))
        }
        XCTAssertThrowsError(try window.append(["user": .string("a"), "ts": .number(1), "x": .number(.nan)]))
        XCTAssertThrowsError(try window.append(["user": .string("a"), "ts": .number(1), "x": .string("ten")])) { error in
            XCTAssertEqual(error as? FeatureError, .notANumber(field: "x", row: 0, value: "ten"))
        }
        XCTAssertEqual(window.entityCount, 0) // nothing half-applied
    }

    func testTimestampParsing() {
        XCTAssertEqual(Timestamp.seconds(.string("1970-01-01T00:00:00Z")), 0)
        XCTAssertEqual(Timestamp.seconds(.string("2024-02-29T12:00:00.5Z")), 1_709_208_000.5)
        XCTAssertEqual(Timestamp.seconds(.string("2024-03-01")), 1_709_251_200)
        XCTAssertEqual(Timestamp.seconds(.string("1709251200")), 1_709_251_200)
        XCTAssertEqual(Timestamp.seconds(.string("2024-03-01T01:00:00-0130")), 1_709_260_200)
        XCTAssertNil(Timestamp.seconds(.string("2024-13-01")))
        XCTAssertNil(Timestamp.seconds(.string("2024-03-01T25:00")))
        XCTAssertNil(Timestamp.seconds(.number(.nan)))
        XCTAssertNil(Timestamp.seconds(.bool(true)))
    }

    /// The incremental kernel against a direct computation over each trailing window.
    func testIncrementalMatchesDirectComputation() throws {
        let windows = [1, 3, 7], lags = [1, 4, 7]
        var window = try EntityWindow(RollingOptions(columns: ["x", "y"], windows: windows, lags: lags, entityField: "e"))
        var history = [String: [[Double]]]()
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for i in 0..<3000 {
            let e = "e\(Int(next() * 5))"
            let x = (next() - 0.5) * pow(10, Double(Int(next() * 6))), y = next() < 0.1 ? Double.nan : next() * 100
            let got = try window.append(["e": .string(e), "x": .number(x), "y": y.isNaN ? .null : .number(y)], row: i)
            history[e, default: []].append([x, y])
            let h = history[e]!
            var expected = [Double]()
            for c in 0..<2 {
                for w in windows {
                    let vals = h.suffix(w).map { $0[c] }.filter { !$0.isNaN }
                    let mean = vals.isEmpty ? 0 : vals.reduce(0, +) / Double(vals.count)
                    let ss = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
                    expected += [mean, vals.count > 1 ? (ss / Double(vals.count - 1)).squareRoot() : 0,
                                 vals.min() ?? 0, vals.max() ?? 0]
                }
                for k in lags {
                    let v = h.count > k ? h[h.count - 1 - k][c] : 0
                    expected.append(v.isNaN ? 0 : v)
                }
            }
            for (j, (g, x)) in zip(got, expected).enumerated() where abs(g - x) > 1e-9 * max(1, abs(x)) {
                return XCTFail("event \(i), feature \(window.featureNames[j]): \(g) vs \(x)")
            }
        }
    }
}
