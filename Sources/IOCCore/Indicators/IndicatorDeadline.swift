import Foundation

/// When an indicator's value for a period is due: `month:20` (by the 20th of the month after the period ends),
/// `quarter:N` and `year:N` alike, `week:1` (by the Monday after the week), `day:17:00` (by 17:00 the same day).
public struct IndicatorDeadline: Sendable, Hashable, CustomStringConvertible {
    public enum Rule: Sendable, Hashable {
        /// Day N of the month after the period's last day, end of that day.
        case dayOfNextMonth(Int)
        /// The given weekday (1 = Monday) after the period's last day, end of that day.
        case weekdayAfter(Int)
        /// The same day at a time of day.
        case sameDay(hour: Int, minute: Int)
    }

    public var rule: Rule
    public let description: String

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { return nil }
        switch parts[0] {
        case "month", "quarter", "year":
            guard parts.count == 2, let n = Int(parts[1]), (1...28).contains(n) else { return nil }
            rule = .dayOfNextMonth(n)
        case "week":
            guard parts.count == 2, let n = Int(parts[1]), (1...7).contains(n) else { return nil }
            rule = .weekdayAfter(n)
        case "day":
            guard parts.count == 3, let h = Int(parts[1]), let m = Int(parts[2]), (0...23).contains(h), (0...59).contains(m) else { return nil }
            rule = .sameDay(hour: h, minute: m)
        default: return nil
        }
        description = text
    }

    /// Whether the rule suits a period kind (a daily deadline for a daily indicator, and so on).
    public func fits(_ kind: PeriodKind) -> Bool {
        switch (rule, kind) {
        case (.sameDay, .day), (.weekdayAfter, .week), (.dayOfNextMonth, .month), (.dayOfNextMonth, .quarter), (.dayOfNextMonth, .year): true
        default: false
        }
    }

    /// The local day and minute of day (1440 = the end of that day) by which `period`'s value is due.
    public func due(for period: IndicatorPeriod) -> (day: CivilDate, minuteOfDay: Int) {
        let last = period.lastDay
        switch rule {
        case .dayOfNextMonth(let n):
            let m = last.month == 12 ? (last.year + 1, 1) : (last.year, last.month + 1)
            return (CivilDate(year: m.0, month: m.1, day: n), 1440)
        case .weekdayAfter(let w):
            var d = last.adding(days: 1)
            while d.weekday.rawValue != w { d = d.adding(days: 1) }
            return (d, 1440)
        case .sameDay(let h, let m):
            return (last, h * 60 + m)
        }
    }
}
