import Foundation

/// How often an indicator is reported.
public enum PeriodKind: String, Sendable, Hashable, Codable, CaseIterable {
    case day, week, month, quarter, year

    /// The shape of this kind's period keys, for error messages.
    public var example: String {
        switch self {
        case .day: "2026-03-15"
        case .week: "2026-W05"
        case .month: "2026-03"
        case .quarter: "2026-Q1"
        case .year: "2026"
        }
    }
}

/// One reporting period: `2026`, `2026-Q1`, `2026-03`, `2026-W05` (ISO week) or `2026-03-15`.
///
/// `year` is the year the period counts toward (the ISO week-numbering year for weeks); `index` is the period's
/// position within that year, from 1 (month 1–12, quarter 1–4, ISO week 1–53, day of year 1–366, always 1 for a year).
public struct IndicatorPeriod: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let kind: PeriodKind
    public let year: Int
    public let index: Int

    public init(kind: PeriodKind, year: Int, index: Int) {
        self.kind = kind
        self.year = year
        self.index = index
    }

    public static let years = 1990...2100

    /// Parses a period key; nil when it is not one of the five shapes or names no real period.
    public init?(_ text: String) {
        let s = Array(text.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= s.count, r.allSatisfy({ s[$0] >= 48 && s[$0] <= 57 }) else { return nil }
            return r.reduce(0) { $0 * 10 + Int(s[$1] - 48) }
        }
        guard s.count >= 4, let y = digits(0..<4), Self.years.contains(y) else { return nil }
        switch s.count {
        case 4: self.init(kind: .year, year: y, index: 1)
        case 7 where s[4] == UInt8(ascii: "-") && s[5] == UInt8(ascii: "Q"):
            guard let q = digits(6..<7), (1...4).contains(q) else { return nil }
            self.init(kind: .quarter, year: y, index: q)
        case 7 where s[4] == UInt8(ascii: "-"):
            guard let m = digits(5..<7), (1...12).contains(m) else { return nil }
            self.init(kind: .month, year: y, index: m)
        case 8 where s[4] == UInt8(ascii: "-") && s[5] == UInt8(ascii: "W"):
            guard let w = digits(6..<8), w >= 1, w <= Self.isoWeeks(in: y) else { return nil }
            self.init(kind: .week, year: y, index: w)
        case 10 where s[4] == UInt8(ascii: "-") && s[7] == UInt8(ascii: "-"):
            guard let m = digits(5..<7), let d = digits(8..<10), CivilDate.isValid(year: y, month: m, day: d) else { return nil }
            self.init(day: CivilDate(year: y, month: m, day: d))
        default: return nil
        }
    }

    public init(day: CivilDate) {
        self.init(kind: .day, year: day.year, index: CivilDate(year: day.year, month: 1, day: 1).days(to: day) + 1)
    }

    public var description: String {
        switch kind {
        case .year: return String(format: "%04d", year)
        case .quarter: return String(format: "%04d-Q%d", year, index)
        case .month: return String(format: "%04d-%02d", year, index)
        case .week: return String(format: "%04d-W%02d", year, index)
        case .day:
            let d = firstDay
            return String(format: "%04d-%02d-%02d", d.year, d.month, d.day)
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = IndicatorPeriod(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a period: \(text)"))
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func < (a: IndicatorPeriod, b: IndicatorPeriod) -> Bool { (a.year, a.index) < (b.year, b.index) }

    /// How many periods of this kind the year has.
    public static func count(_ kind: PeriodKind, in year: Int) -> Int {
        switch kind {
        case .year: 1
        case .quarter: 4
        case .month: 12
        case .week: isoWeeks(in: year)
        case .day: CivilDate.isLeapYear(year) ? 366 : 365
        }
    }

    /// 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday in a leap year.
    public static func isoWeeks(in year: Int) -> Int {
        let jan1 = CivilDate(year: year, month: 1, day: 1).weekday
        return jan1 == .thursday || (jan1 == .wednesday && CivilDate.isLeapYear(year)) ? 53 : 52
    }

    /// Monday of ISO week 1 of `year` (the week with the year's first Thursday).
    static func isoWeekOneMonday(_ year: Int) -> CivilDate {
        let jan4 = CivilDate(year: year, month: 1, day: 4)
        return jan4.adding(days: -(jan4.weekday.rawValue - 1))
    }

    /// The ISO week containing a day.
    public static func isoWeek(of day: CivilDate) -> IndicatorPeriod {
        var y = day.year
        if day < isoWeekOneMonday(y) { y -= 1 } else if y < years.upperBound, day >= isoWeekOneMonday(y + 1) { y += 1 }
        return IndicatorPeriod(kind: .week, year: y, index: isoWeekOneMonday(y).days(to: day) / 7 + 1)
    }

    /// The period of this kind containing a day.
    public static func containing(_ day: CivilDate, kind: PeriodKind) -> IndicatorPeriod {
        switch kind {
        case .year: IndicatorPeriod(kind: .year, year: day.year, index: 1)
        case .quarter: IndicatorPeriod(kind: .quarter, year: day.year, index: (day.month - 1) / 3 + 1)
        case .month: IndicatorPeriod(kind: .month, year: day.year, index: day.month)
        case .week: isoWeek(of: day)
        case .day: IndicatorPeriod(day: day)
        }
    }

    /// The period's first day.
    public var firstDay: CivilDate {
        switch kind {
        case .year: CivilDate(year: year, month: 1, day: 1)
        case .quarter: CivilDate(year: year, month: (index - 1) * 3 + 1, day: 1)
        case .month: CivilDate(year: year, month: index, day: 1)
        case .week: Self.isoWeekOneMonday(year).adding(days: (index - 1) * 7)
        case .day: CivilDate(year: year, month: 1, day: 1).adding(days: index - 1)
        }
    }

    /// The period's last day.
    public var lastDay: CivilDate { next.firstDay.adding(days: -1) }

    /// The period after this one.
    public var next: IndicatorPeriod {
        index < Self.count(kind, in: year) ? IndicatorPeriod(kind: kind, year: year, index: index + 1)
            : IndicatorPeriod(kind: kind, year: year + 1, index: 1)
    }

    /// The period before this one.
    public var previous: IndicatorPeriod {
        index > 1 ? IndicatorPeriod(kind: kind, year: year, index: index - 1)
            : IndicatorPeriod(kind: kind, year: year - 1, index: Self.count(kind, in: year - 1))
    }

    /// The same period one year earlier (nil for ISO week 53 when last year had 52 weeks; 29 February maps to the
    /// 28th). For a year, the previous year.
    public var samePeriodLastYear: IndicatorPeriod? {
        switch kind {
        case .day:
            let d = firstDay
            let day = min(d.day, CivilDate.daysInMonth(year: d.year - 1, month: d.month))
            return IndicatorPeriod(day: CivilDate(year: d.year - 1, month: d.month, day: day))
        case .week:
            return index <= Self.isoWeeks(in: year - 1) ? IndicatorPeriod(kind: .week, year: year - 1, index: index) : nil
        default:
            return IndicatorPeriod(kind: kind, year: year - 1, index: index)
        }
    }

    /// The periods of the same year from the first up to and including this one.
    public var yearToDate: [IndicatorPeriod] { (1...index).map { IndicatorPeriod(kind: kind, year: year, index: $0) } }

    /// Every period of a kind from `from` through `to` (inclusive), in order.
    public static func range(from: IndicatorPeriod, to: IndicatorPeriod) -> [IndicatorPeriod] {
        guard from.kind == to.kind, from <= to else { return [] }
        var out: [IndicatorPeriod] = []
        var p = from
        while p <= to { out.append(p); p = p.next }
        return out
    }
}
