/// A date in the proleptic Gregorian calendar with no time and no time zone ("ngày dương lịch").
///
/// Day arithmetic uses a day count since 1970-01-01 (Howard Hinnant's `days_from_civil`), so
/// it needs no `Foundation.Calendar` and is cheap enough for hot loops. The value is encoded as an
/// ISO 8601 string `"YYYY-MM-DD"`.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Day of the week, numbered as in ISO 8601 (Monday = 1 … Sunday = 7).
    public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case monday = 1
        case tuesday, wednesday, thursday, friday, saturday, sunday

        /// Saturday or Sunday: the weekly rest days of the civil service (Quyết định 188/1999/QĐ-TTg).
        public var isWeekend: Bool { self == .saturday || self == .sunday }

        public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Gregorian year, e.g. 2026.
    public let year: Int
    /// Month, 1…12.
    public let month: Int
    /// Day of the month, 1…31.
    public let day: Int

    /// Creates a date. The components must form a valid Gregorian date (see `isValid(year:month:day:)`).
    public init(year: Int, month: Int, day: Int) {
        precondition(
            Self.isValid(year: year, month: month, day: day), "Invalid civil date \(year)-\(month)-\(day)")
        self.year = year
        self.month = month
        self.day = day
    }

    /// Creates the date that lies `daysSince1970` days after 1970-01-01 (negative: before it).
    public init(daysSince1970: Int) {
        // Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days.
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Creates the date with the given Julian Day Number (the day that starts at noon UT of that number).
    public init(julianDayNumber: Int) {
        self.init(daysSince1970: julianDayNumber - Self.julianDayNumberOf1970)
    }

    /// Parses `"YYYY-MM-DD"`; returns `nil` for anything else or an impossible date.
    public init?(iso8601 text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            Self.isValid(year: y, month: m, day: d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Whether the components form a real Gregorian date.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= daysInMonth(year: year, month: month)
    }

    /// Number of days in a Gregorian month.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Gregorian leap-year rule.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSince1970: Int {
        // Hinnant, days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The Julian Day Number of this date.
    public var julianDayNumber: Int { daysSince1970 + Self.julianDayNumberOf1970 }

    /// Day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (ISO 4).
        let r = (daysSince1970 + 3) % 7
        return Weekday(rawValue: (r < 0 ? r + 7 : r) + 1)!
    }

    /// Saturday or Sunday.
    public var isWeekend: Bool { weekday.isWeekend }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CivilDate {
        CivilDate(daysSince1970: daysSince1970 + days)
    }

    /// Whole days from this date to `other` (negative when `other` is earlier).
    public func days(to other: CivilDate) -> Int {
        other.daysSince1970 - daysSince1970
    }

    /// `"YYYY-MM-DD"`.
    public var description: String {
        let y = String(year)
        let yy = year >= 0 && y.count < 4 ? String(repeating: "0", count: 4 - y.count) + y : y
        return yy + "-" + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected a date as YYYY-MM-DD, got \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static let julianDayNumberOf1970 = 2_440_588
}
