/// Checks shared by the detectors' `fit`: enough rows, at least one column, finite values.
enum TrainingData {
    /// Throws `emptyData` when `x` has no rows or columns, `invalidParameter` naming `parameter`
    /// when it has fewer than `minRows` rows, and `nonFinite` naming the first NaN/±∞ cell.
    static func require(_ x: Matrix, detector: String, minRows: Int = 1, parameter: String = "rows") throws {
        guard x.rows > 0, x.cols > 0 else {
            throw VigilError.emptyData("\(detector) needs at least one row and one column, got \(x.rows) × \(x.cols)")
        }
        guard x.rows >= minRows else {
            throw VigilError.invalidParameter(name: parameter, value: "\(minRows)",
                allowed: "at most the number of training rows (\(x.rows)) for \(detector)")
        }
        try x.requireFinite()
    }
}
