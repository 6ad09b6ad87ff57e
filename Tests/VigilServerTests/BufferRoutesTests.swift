import VigilServer
import XCTest

final class BufferRoutesTests: XCTestCase {
    static let statsKeys: Set = ["buffer_id", "size", "window_size", "columns", "numeric_columns", "memory_bytes",
                                 "append_count", "avg_append_ms"]
    static let dataKeys: Set = ["object", "buffer_id", "rows", "columns", "data"]

    /// The documented flow under both prefixes: create, append five amounts, features with window 5 and lag 1.
    /// Expected values by hand: partial trailing windows from the first row (DESIGN §4), sample std (ddof 1):
    /// means 100, 125, 370/3, 112.5, 130; std 0, √1250 = 35.3553…, √(1900/3) = 25.166…, √(2675/3) = 29.861…,
    /// √2200 = 46.904… (the reference's full-window value at row 5); lag_1 0, 100, 150, 120, 80.
    func testDocumentedFlowPinsRollingValues() async throws {
        let amounts: [Double] = [100, 150, 120, 80, 200]
        let means: [Double] = [100, 125, 370.0 / 3, 112.5, 130]
        // Sample std of each prefix: Σ(x − mean)² / (n − 1), square-rooted; sums of squares 1250, 3800/3, 2675, 8800.
        let stds: [Double] = [0, (1250.0).squareRoot(), (3800.0 / 3 / 2).squareRoot(), (2675.0 / 3).squareRoot(),
                              (8800.0 / 4).squareRoot()]
        let lags: [Double] = [0, 100, 150, 120, 80]
        for prefix in ["/v1/ml/polars", "/v1/ml/features"] {
            try await TestService().run { client in
                let created = try await client.call(.post, "\(prefix)/buffers", ["buffer_id": "tx"])
                XCTAssertEqual(created.status, .ok, created.text)
                XCTAssertKeys(created.object, ["object", "buffer_id", "window_size", "status"])
                XCTAssertEqual(created.object["object"] as? String, "buffer_created")
                XCTAssertEqual(created.object["window_size"] as? Int, 1000)
                XCTAssertEqual(created.object["status"] as? String, "created")

                let appended = try await client.call(.post, "\(prefix)/append",
                                                     ["buffer_id": "tx", "data": amounts.map { ["amount": $0] }])
                XCTAssertEqual(appended.status, .ok, appended.text)
                XCTAssertKeys(appended.object, ["object", "buffer_id", "appended", "buffer_size", "avg_append_ms"])
                XCTAssertEqual(appended.object["object"] as? String, "append_result")
                XCTAssertEqual(appended.object["appended"] as? Int, 5)
                XCTAssertEqual(appended.object["buffer_size"] as? Int, 5)

                let features = try await client.call(.post, "\(prefix)/features",
                                                     ["buffer_id": "tx", "rolling_windows": [5], "lag_periods": [1]])
                XCTAssertEqual(features.status, .ok, features.text)
                XCTAssertKeys(features.object, Self.dataKeys)
                XCTAssertEqual(features.object["object"] as? String, "polars_data")
                XCTAssertEqual(features.object["rows"] as? Int, 5)
                XCTAssertEqual(features.object["columns"] as? [String],
                               ["amount", "amount_rolling_mean_5", "amount_rolling_std_5", "amount_rolling_min_5",
                                "amount_rolling_max_5", "amount_lag_1"])
                let rows = try XCTUnwrap(features.object["data"] as? [[String: Any]])
                XCTAssertEqual(rows.count, 5)
                for (i, row) in rows.enumerated() {
                    XCTAssertEqual(row["amount"] as? Double, amounts[i])
                    XCTAssertEqual(row["amount_rolling_mean_5"] as? Double ?? .nan, means[i], accuracy: 1e-9)
                    XCTAssertEqual(row["amount_rolling_std_5"] as? Double ?? .nan, stds[i], accuracy: 1e-9)
                    XCTAssertEqual(row["amount_rolling_min_5"] as? Double, amounts[...i].min())
                    XCTAssertEqual(row["amount_rolling_max_5"] as? Double, amounts[...i].max())
                    XCTAssertEqual(row["amount_lag_1"] as? Double, lags[i])
                }
                XCTAssertEqual(rows[1]["amount_rolling_std_5"] as? Double ?? .nan, 35.35533905932738, accuracy: 1e-9)
            }
        }
    }

    func testIncludeRollingStatsTailAndSingleObjectAppend() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "s", "window_size": 10])
            for v in [1.0, 2, 3] {
                let r = try await client.call(.post, "/v1/ml/polars/append", ["buffer_id": "s", "data": ["v": v]])
                XCTAssertEqual(r.object["appended"] as? Int, 1, r.text)
            }
            let f = try await client.call(.post, "/v1/ml/polars/features",
                                          ["buffer_id": "s", "rolling_windows": [2], "include_rolling_stats": ["mean"],
                                           "include_lags": false, "tail": 1])
            XCTAssertEqual(f.object["columns"] as? [String], ["v", "v_rolling_mean_2"], f.text)
            let row = try XCTUnwrap((f.object["data"] as? [[String: Any]])?.first)
            XCTAssertEqual(row["v_rolling_mean_2"] as? Double, 2.5)  // (2 + 3) / 2
            let bad = try await client.call(.post, "/v1/ml/polars/features", ["buffer_id": "s", "include_rolling_stats": ["median"]])
            XCTAssertEqual(bad.status, .unprocessableContent, bad.text)
            XCTAssertEqual(bad.loc, ["body", "include_rolling_stats"])
        }
    }

    func testListGetDataClearDelete() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "a", "window_size": 10])
            _ = try await client.call(.post, "/v1/ml/polars/append",
                                      ["buffer_id": "a", "data": (1...12).map { ["x": Double($0), "tag": "t"] }])
            let list = try await client.call(.get, "/v1/ml/polars/buffers")
            XCTAssertKeys(list.object, ["object", "total", "data"])
            XCTAssertEqual(list.object["object"] as? String, "list")
            XCTAssertEqual(list.object["total"] as? Int, 1)
            let item = try XCTUnwrap((list.object["data"] as? [[String: Any]])?.first)
            XCTAssertKeys(item, Self.statsKeys)

            let one = try await client.call(.get, "/v1/ml/features/buffers/a")
            XCTAssertKeys(one.object, Self.statsKeys)
            XCTAssertEqual(one.object["size"] as? Int, 10)  // window_size 10 keeps the last 10 of 12
            XCTAssertEqual(one.object["append_count"] as? Int, 12)
            XCTAssertEqual(Set(one.object["columns"] as? [String] ?? []), ["x", "tag"])
            XCTAssertEqual(one.object["numeric_columns"] as? [String], ["x"])

            let raw = try await client.call(.get, "/v1/ml/polars/buffers/a/data?tail=2")
            XCTAssertKeys(raw.object, Self.dataKeys)
            XCTAssertEqual((raw.object["data"] as? [[String: Any]])?.map { $0["x"] as? Double }, [11, 12])
            let withFeatures = try await client.call(.get, "/v1/ml/polars/buffers/a/data?tail=1&with_features=true")
            let columns = withFeatures.object["columns"] as? [String] ?? []
            XCTAssertEqual(columns.count, 2 + 4 * 3 + 3, withFeatures.text)  // defaults: windows 5, 10, 20; lags 1, 2, 3
            XCTAssertTrue(columns.contains("x_rolling_std_20"))

            let cleared = try await client.call(.post, "/v1/ml/polars/buffers/a/clear")
            XCTAssertEqual(cleared.status, .ok, cleared.text)
            XCTAssertKeys(cleared.object, ["cleared", "buffer_id", "size"])
            XCTAssertEqual(cleared.object["size"] as? Int, 0)
            let empty = try await client.call(.post, "/v1/ml/polars/features", ["buffer_id": "a"])
            XCTAssertEqual(empty.object["rows"] as? Int, 0)
            XCTAssertEqual(empty.object["columns"] as? [String], [])
            let kept = try await client.call(.get, "/v1/ml/polars/buffers/a")
            XCTAssertEqual(kept.object["window_size"] as? Int, 10)

            let deleted = try await client.call(.delete, "/v1/ml/features/buffers/a")
            XCTAssertEqual(deleted.status, .ok, deleted.text)
            XCTAssertKeys(deleted.object, ["deleted", "buffer_id"])
            XCTAssertEqual(deleted.object["deleted"] as? Bool, true)
            let after = try await client.call(.get, "/v1/ml/polars/buffers")
            XCTAssertEqual(after.object["total"] as? Int, 0)
        }
    }

    /// A window or lag far beyond the rows held answers at once, as a window of the rows held would
    /// (it used to hang the buffer service).
    func testHugeWindowsAndLagsAnswerLikeTheRowsHeld() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "h"])
            _ = try await client.call(.post, "/v1/ml/polars/append", ["buffer_id": "h", "data": [["v": 2], ["v": 4], ["v": 9]]])
            let huge = try await client.call(.post, "/v1/ml/polars/features",
                                             #"{"buffer_id": "h", "rolling_windows": [9223372036854775807], "include_rolling_stats": ["mean"], "lag_periods": [9223372036854775807]}"#)
            XCTAssertEqual(huge.status, .ok, huge.text)
            XCTAssertEqual(huge.object["columns"] as? [String],
                           ["v", "v_rolling_mean_9223372036854775807", "v_lag_9223372036854775807"])
            let rows = huge.object["data"] as? [[String: Any]] ?? []
            XCTAssertEqual(rows.map { $0["v_rolling_mean_9223372036854775807"] as? Double }, [2, 3, 5])
            XCTAssertEqual(rows.map { $0["v_lag_9223372036854775807"] as? Double }, [0, 0, 0])
        }
    }

    /// Values whose rolling sums overflow are a 400 naming the feature, not a 500 from encoding NaN.
    func testOverflowingStatisticsAreA400() async throws {
        try await TestService().run { client in
            _ = try await client.call(.post, "/v1/ml/features/buffers", ["buffer_id": "big", "window_size": 10])
            _ = try await client.call(.post, "/v1/ml/features/append", ["buffer_id": "big", "data": [["x": 1e308], ["x": 1e308]]])
            let features = try await client.call(.post, "/v1/ml/features/features", ["buffer_id": "big", "rolling_windows": [2]])
            XCTAssertEqual(features.status, .badRequest, features.text)
            XCTAssertEqual(features.detail, "row 1: feature 'x_rolling_mean_2' is nan: the column's values are too large for rolling statistics")
            let data = try await client.call(.get, "/v1/ml/features/buffers/big/data?with_features=true")
            XCTAssertEqual(data.status, .badRequest, data.text)
            let raw = try await client.call(.get, "/v1/ml/features/buffers/big/data")
            XCTAssertEqual(raw.status, .ok, raw.text)
        }
    }

    func testBadInput() async throws {
        try await TestService().run { client in
            let missing = try await client.call(.get, "/v1/ml/polars/buffers/nope")
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(missing.detail, "Buffer 'nope' not found. Create it first with POST /v1/polars/buffers")
            let appendMissing = try await client.call(.post, "/v1/ml/polars/append", ["buffer_id": "nope", "data": ["x": 1]])
            XCTAssertEqual(appendMissing.status, .notFound)
            let dataMissing = try await client.call(.get, "/v1/ml/features/buffers/nope/data")
            XCTAssertEqual(dataMissing.status, .notFound)
            XCTAssertEqual(dataMissing.detail, missing.detail)
            let featuresMissing = try await client.call(.post, "/v1/ml/polars/features", ["buffer_id": "nope"])
            XCTAssertEqual(featuresMissing.status, .notFound)
            let deleteMissing = try await client.call(.delete, "/v1/ml/polars/buffers/nope")
            XCTAssertEqual(deleteMissing.status, .notFound)
            XCTAssertEqual(deleteMissing.detail, "Buffer 'nope' not found")

            _ = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "dup"])
            let dup = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "dup"])
            XCTAssertEqual(dup.status, .conflict)
            XCTAssertEqual(dup.detail, "Buffer 'dup' already exists. Use DELETE to remove it first.")

            let traversal = try await client.call(.get, "/v1/ml/polars/buffers/..%2Fx")
            XCTAssertEqual(traversal.status, .badRequest, traversal.text)
            XCTAssertEqual(traversal.detail, "Invalid buffer_id: ../x")

            let small = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "s", "window_size": 9])
            XCTAssertEqual(small.status, .unprocessableContent, small.text)
            XCTAssertEqual(small.loc, ["body", "window_size"])
            let wrongType = try await client.call(.post, "/v1/ml/polars/buffers", ["buffer_id": "s", "window_size": "big"])
            XCTAssertEqual(wrongType.status, .unprocessableContent)
            let notRows = try await client.call(.post, "/v1/ml/polars/append", ["buffer_id": "dup", "data": 5])
            XCTAssertEqual(notRows.status, .unprocessableContent, notRows.text)
            XCTAssertEqual(notRows.loc, ["body", "data"])
            let malformed = try await client.call(.post, "/v1/ml/polars/append", "{\"buffer_id\": ")
            XCTAssertEqual(malformed.status, .unprocessableContent)
            _ = try await client.call(.post, "/v1/ml/polars/append", ["buffer_id": "dup", "data": ["x": 1]])
            let badWindow = try await client.call(.post, "/v1/ml/polars/features", ["buffer_id": "dup", "rolling_windows": [0]])
            XCTAssertEqual(badWindow.status, .badRequest, badWindow.text)
        }
    }
}
