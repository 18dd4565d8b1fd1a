import Foundation

/// A reporting period for the dossier statistics, as a half-open range of instants
/// `[start, end)` in Asia/Ho_Chi_Minh local time (vietnam.md §1.5 C: "make the period definition
/// configurable").
public enum ReportPeriod: Sendable, Hashable, Codable {
    /// A calendar month: the 1st at 00:00 to the 1st of the next month at 00:00 (dashboards and the
    /// 766 system use arbitrary date ranges, vietnam.md §1.5 C).
    case calendarMonth(year: Int, month: Int)
    /// The report month of Nghị định 09/2019/NĐ-CP (periodic administrative reports): the 15th of
    /// the previous month at 00:00 to the 14th of `month` at 23:59:59.999, i.e. up to the 15th at
    /// 00:00 excluded (vietnam.md §1.5 C, tagged [K] there). January starts on 15 December of the
    /// previous year.
    case reportMonth(year: Int, month: Int)
    /// Any range `[from, to)`; an inverted range is empty (`[from, from)`).
    case custom(from: Date, to: Date)

    /// Whether the month is 1…12 (always true for `custom`). Validate input with this before
    /// calling `bounds(in:)`, which traps on an invalid month.
    public var isValid: Bool {
        switch self {
        case .calendarMonth(_, let month), .reportMonth(_, let month): (1...12).contains(month)
        case .custom: true
        }
    }

    /// The period as `[start, end)` in `timeZone` (default Asia/Ho_Chi_Minh). Requires `isValid`.
    public func bounds(in timeZone: TimeZone = WorkingCalendar.vietnamTimeZone) -> Range<Date> {
        switch self {
        case .calendarMonth(let year, let month):
            precondition((1...12).contains(month), "Invalid month \(month)")
            let start = CivilDate(year: year, month: month, day: 1)
            let end = month == 12
                ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
            return Self.midnight(of: start, in: timeZone)..<Self.midnight(of: end, in: timeZone)
        case .reportMonth(let year, let month):
            precondition((1...12).contains(month), "Invalid month \(month)")
            // Nghị định 09/2019/NĐ-CP: from the 15th of the previous month to the 14th of this one.
            let start = month == 1
                ? CivilDate(year: year - 1, month: 12, day: 15) : CivilDate(year: year, month: month - 1, day: 15)
            let end = CivilDate(year: year, month: month, day: 15)
            return Self.midnight(of: start, in: timeZone)..<Self.midnight(of: end, in: timeZone)
        case .custom(let from, let to):
            return from..<max(from, to)
        }
    }

    /// The last millisecond of the period (e.g. the 14th at 23:59:59.999 for a report month): the
    /// "as of" instant for the period's open dossiers ("ngày cuối kỳ báo cáo", 766 note: a dossier
    /// with no end status is judged at the last day of the period).
    public func lastInstant(in timeZone: TimeZone = WorkingCalendar.vietnamTimeZone) -> Date {
        let range = bounds(in: timeZone)
        return max(range.lowerBound, range.upperBound.addingTimeInterval(-0.001))
    }

    /// Local midnight at the start of `date`. Runs once per period, not per dossier, so a
    /// `TimeZone` lookup is fine here.
    private static func midnight(of date: CivilDate, in timeZone: TimeZone) -> Date {
        let local = Double(date.daysSince1970) * 86_400
        // Two passes settle the offset for zones whose offset changes (not Vietnam).
        var offset = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        offset = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - offset)))
        return Date(timeIntervalSince1970: local - offset)
    }
}
