/// Reading event times: epoch seconds or ISO 8601.
public enum Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z for a number (epoch seconds) or an ISO 8601 string:
    /// `YYYY-MM-DD`, then optionally `T` or a space, `hh:mm[:ss[.fff…]]`, then optionally `Z` or
    /// `±hh[:]mm` (no zone = UTC). A string holding a plain number is read as epoch seconds.
    /// `nil` for anything else, for non-finite numbers and for out-of-range fields.
    public static func seconds(_ value: FieldValue) -> Double? {
        switch value {
        case .number(let d): return d.isFinite ? d : nil
        case .string(let s): return seconds(Array(s.utf8)[...])
        case .bool, .null: return nil
        }
    }

    /// The same for the bytes of a CSV cell.
    public static func seconds(_ text: ArraySlice<UInt8>) -> Double? {
        var t = text
        while let f = t.first, f == 0x20 || f == 0x09 { t = t.dropFirst() }
        while let l = t.last, l == 0x20 || l == 0x09 || l == 0x0D { t = t.dropLast() }
        if let d = Double(String(decoding: t, as: UTF8.self)) { return d.isFinite ? d : nil }
        return iso8601(Array(t))
    }

    private static func iso8601(_ b: [UInt8]) -> Double? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var secondsOfDay = 0.0
        if i < b.count && (b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20) {
            i += 1
            guard let hour = digits(2), expect(0x3A), let minute = digits(2), hour < 24, minute < 60 else { return nil }
            var second = 0.0
            if expect(0x3A) {
                guard let s = digits(2), s <= 60 else { return nil }
                second = Double(s)
                if i < b.count && (b[i] == 0x2E || b[i] == 0x2C) {
                    i += 1
                    var scale = 0.1, fraction = 0.0, any = false
                    while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                        fraction += Double(b[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                    second += fraction
                }
            }
            secondsOfDay = Double(hour * 3600 + minute * 60) + second
        }
        var offset = 0
        if i < b.count {
            if b[i] == 0x5A || b[i] == 0x7A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D {
                let sign = b[i] == 0x2D ? -1 : 1
                i += 1
                guard let hh = digits(2) else { return nil }
                _ = expect(0x3A)
                guard let mm = digits(2), hh < 24, mm < 60 else { return nil }
                offset = sign * (hh * 3600 + mm * 60)
            }
        }
        guard i == b.count else { return nil }
        return Double(daysFromCivil(year: year, month: month, day: day) * 86400 - offset) + secondsOfDay
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
