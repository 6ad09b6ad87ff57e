import Foundation
import XCTest

/// `vigil features`: expected values from the documented example (reference §7) and by hand.
extension CLITests {
    func testFeaturesStreamsEntitiesInFileOrder() throws {
        let data = try write("events.csv", """
            user_id,ts,amount,note
            a,2024-03-01T00:30:00Z,100,x
            b,1709253060,5,y
            a,2024-03-01T00:59:59Z,150,"q,r"
            a,2024-03-01T01:00:00Z,120,
            a,2024-03-01T01:29:59Z,80,z
            a,2024-03-01T01:30:00Z,200,w

            """)
        let run = try vigil("features", "--data", data, "--entity", "user_id", "--timestamp", "ts", "--windows", "5",
                            "--stats", "mean,std", "--lags", "1", "--time-windows", "1h", "--out", "out.csv")
        XCTAssertEqual(run.code, 0, run.stderr)
        let lines = try String(contentsOf: workDir.appendingPathComponent("out.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines[0], "user_id,ts,amount,note,amount_rolling_mean_5,amount_rolling_std_5,amount_lag_1,"
                       + "amount_sum_1h,amount_mean_1h,count_1h,seconds_since_last")
        XCTAssertEqual(lines[2], "b,1709253060,5,y,5.0,0.0,0.0,5.0,5.0,1.0,0.0")
        XCTAssertEqual(lines[3], "a,2024-03-01T00:59:59Z,150,\"q,r\",125.0,35.35533905932738,100.0,250.0,125.0,2.0,1799.0")
        XCTAssertEqual(lines[6], "a,2024-03-01T01:30:00Z,200,w,130.0,46.9041575982343,80.0,550.0,137.5,4.0,1.0")
    }

    func testFeaturesBadInputExitsTwoWithOneLine() throws {
        let data = try write("events.csv", "user_id,amount\na,1\n,2\n")
        let cases: [([String], String)] = [
            (["--windows", "0"], "window = 0: must be > 0"),
            (["--lags", "0"], "lag = 0: must be > 0"),
            (["--stats", "median"], "unknown rolling statistic 'median'"),
            (["--entity", "user"], "--entity 'user' is not a column"),
            (["--entity", "user_id"], "line 3: empty 'user_id' cell"),
            (["--time-windows", "1h"], "time_windows = 1h: need a timestamp field"),
        ]
        for (args, message) in cases {
            let run = try vigil("features", "--data", data, "--out", "o.csv", args[0], args[1])
            XCTAssertEqual(run.code, 2, "\(args)")
            XCTAssertTrue(run.stderr.contains(message), "\(args): \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1)
        }
        let inf = try write("inf.csv", "user_id,amount\na,1\nb,inf\n")
        let run = try vigil("features", "--data", inf, "--columns", "amount", "--out", "o.csv")
        XCTAssertEqual(run.code, 2)
        XCTAssertTrue(run.stderr.contains("line 3, column 'amount': inf is not a finite number"), run.stderr)
        let text = try write("text.csv", "user_id,amount\na,1\nb,x\n")
        let bad = try vigil("features", "--data", text, "--columns", "amount", "--out", "o.csv")
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.stderr.contains("line 3, column 'amount': 'x' is not a number"), bad.stderr)
    }
}
