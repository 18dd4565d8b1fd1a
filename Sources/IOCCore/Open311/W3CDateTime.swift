import Foundation

/// W3C-DTF datetimes as Open311 uses them (§1.1): always with a time zone.
///
/// Parsing and formatting use integer calendar arithmetic (Howard Hinnant's `days_from_civil` /
/// `civil_from_days`, proleptic Gregorian) and never touch `DateFormatter`, `Calendar` or
/// `ISO8601DateFormatter`.
public enum W3CDateTime {
    /// Parses `YYYY-MM-DDThh:mm[:ss[.s+]](Z|±hh:mm|±hhmm)`.
    ///
    /// - The zone designator is required: `2026-03-01T08:15:30` (no zone) → nil.
    /// - `T`/`Z` may also be lower case (RFC 3339 §5.6); nothing else is tolerated (no space for
    ///   `T`, no surrounding whitespace, no date-only forms).
    /// - Ranges are checked: month 1–12, day valid for the month (leap years included), hour 0–23,
    ///   minute and second 0–59 (no leap second), offset hours 0–23 and minutes 0–59.
    /// - Fractional seconds of any length are accepted; precision beyond nanoseconds is dropped.
    public static func parse(_ s: String) -> Date? {
        var s = s
        return s.withUTF8 { parse(bytes: $0) }
    }

    /// Formats as `YYYY-MM-DDThh:mm:ss±hh:mm` in the given fixed offset (default +07:00, Vietnam),
    /// e.g. `2026-03-01T08:15:30+07:00`. Offset 0 is written `Z`. Fractional seconds are truncated
    /// (floor). Dates outside years 0001…9999 are clamped to that range; the offset is clamped to
    /// ±23:59.
    public static func format(_ d: Date, offsetMinutes: Int = 420) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxFormattedLength) { buf in
            let n = write(d, offsetMinutes: offsetMinutes, into: buf.baseAddress!)
            return String(decoding: UnsafeBufferPointer(start: buf.baseAddress!, count: n), as: UTF8.self)
        }
    }

    // MARK: - Internals

    /// Longest output of `write`: `YYYY-MM-DDThh:mm:ss+hh:mm`.
    static let maxFormattedLength = 25

    /// Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z since 1970.
    private static let minSeconds: Int64 = -62_135_596_800
    private static let maxSeconds: Int64 = 253_402_300_799

    /// Writes the formatted datetime into `p` (at least `maxFormattedLength` bytes) and returns the
    /// number of bytes written.
    @inline(__always)
    static func write(_ d: Date, offsetMinutes: Int, into p: UnsafeMutablePointer<UInt8>) -> Int {
        let (days, sod, offset) = split(d, offsetMinutes: offsetMinutes)
        writeDay(days, into: p)
        return 10 + writeTime(sod, offset: offset, into: p + 10)
    }

    /// Local day number (since 1970-01-01), second of the day and the clamped offset in minutes.
    @inline(__always)
    static func split(_ d: Date, offsetMinutes: Int) -> (days: Int64, secondOfDay: Int, offset: Int) {
        let offset = Swift.max(-1439, Swift.min(1439, offsetMinutes))
        let t = d.timeIntervalSince1970
        var secs: Int64
        if t.isNaN {
            secs = 0
        } else if t >= 9.0e15 {
            secs = maxSeconds
        } else if t <= -9.0e15 {
            secs = minSeconds
        } else {
            secs = Int64(t.rounded(.down))
        }
        secs &+= Int64(offset) * 60
        if secs < minSeconds { secs = minSeconds }
        if secs > maxSeconds { secs = maxSeconds }
        var days = secs / 86_400
        var sod = secs - days * 86_400
        if sod < 0 { sod += 86_400; days -= 1 }
        return (days, Int(sod), offset)
    }

    /// Writes `YYYY-MM-DD` (10 bytes).
    @inline(__always)
    static func writeDay(_ days: Int64, into p: UnsafeMutablePointer<UInt8>) {
        let (year, month, day) = civil(fromDays: days)
        put2(year / 100, p)
        put2(year % 100, p + 2)
        p[4] = 0x2D
        put2(month, p + 5)
        p[7] = 0x2D
        put2(day, p + 8)
    }

    /// Writes `Thh:mm:ss` and the zone (`Z` or `±hh:mm`); returns 10 or 15.
    @inline(__always)
    static func writeTime(_ sod: Int, offset: Int, into p: UnsafeMutablePointer<UInt8>) -> Int {
        let hour = sod / 3600
        let rest = sod - hour * 3600
        let minute = rest / 60
        p[0] = 0x54 // T
        put2(hour, p + 1)
        p[3] = 0x3A
        put2(minute, p + 4)
        p[6] = 0x3A
        put2(rest - minute * 60, p + 7)
        if offset == 0 {
            p[9] = 0x5A // Z
            return 10
        }
        let a = offset < 0 ? -offset : offset
        p[9] = offset < 0 ? 0x2D : 0x2B
        put2(a / 60, p + 10)
        p[12] = 0x3A
        put2(a % 60, p + 13)
        return 15
    }

    private static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    @inline(__always)
    private static func put2(_ v: Int, _ p: UnsafeMutablePointer<UInt8>) {
        let src = digitPairs.utf8Start + 2 &* v
        p[0] = src[0]
        p[1] = src[1]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    @inline(__always)
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01.
    @inline(__always)
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        let n = b.count
        guard n >= 17 else { return nil } // YYYY-MM-DDThh:mmZ
        @inline(__always) func digit(_ i: Int) -> Int? {
            let c = b[i]
            return (c >= 0x30 && c <= 0x39) ? Int(c &- 0x30) : nil
        }
        @inline(__always) func num2(_ i: Int) -> Int? {
            guard i + 1 < n, let a = digit(i), let c = digit(i + 1) else { return nil }
            return a * 10 + c
        }
        guard let y1 = num2(0), let y2 = num2(2), b[4] == 0x2D,
              let month = num2(5), b[7] == 0x2D,
              let day = num2(8), b[10] == 0x54 || b[10] == 0x74,
              let hour = num2(11), b[13] == 0x3A,
              let minute = num2(14)
        else { return nil }
        let year = y1 * 100 + y2
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59 else { return nil }

        var i = 16
        var second = 0
        var nanos = 0
        if i < n, b[i] == 0x3A {
            guard let s = num2(i + 1), s <= 59 else { return nil }
            second = s
            i += 3
            if i < n, b[i] == 0x2E {
                i += 1
                let start = i
                var scale = 100_000_000
                while i < n, let d = digit(i) {
                    nanos += d * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        guard i < n else { return nil } // the zone is mandatory
        var offsetSeconds = 0
        switch b[i] {
        case 0x5A, 0x7A: // Z z
            i += 1
        case 0x2B, 0x2D: // + -
            let negative = b[i] == 0x2D
            guard let oh = num2(i + 1), oh <= 23 else { return nil }
            i += 3
            if i < n, b[i] == 0x3A { i += 1 }
            guard let om = num2(i), om <= 59 else { return nil }
            i += 2
            offsetSeconds = (oh * 3600 + om * 60) * (negative ? -1 : 1)
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        if nanos == 0 { return Date(timeIntervalSince1970: Double(secs)) }
        return Date(timeIntervalSince1970: Double(secs) + Double(nanos) / 1e9)
    }
}
