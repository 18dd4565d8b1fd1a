import Foundation

/// How long an agency has to handle a case: an amount of office hours, working days or plain (24/7) hours.
///
/// Urgent classes count calendar hours — a dangerous tree at 22:00 on a Saturday is due at midnight — the others
/// count office time on the working calendar (07:30–11:30, 13:00–17:00 on working days, no public holidays).
public struct SLAPolicy: Sendable, Hashable, Codable {
    public enum Unit: String, Sendable, Hashable, Codable, CaseIterable {
        /// Office hours on working days.
        case workingHours
        /// Whole working days: due at the close of office hours of the n-th working day after receipt.
        case workingDays
        /// Elapsed hours, 24/7.
        case calendarHours
    }

    public var amount: Int
    public var unit: Unit
    /// The share of the allowed time after which a case counts as "near its deadline" (0.75 = the last quarter).
    public var warnFraction: Double

    public init(amount: Int, unit: Unit, warnFraction: Double = 0.75) {
        self.amount = amount
        self.unit = unit
        self.warnFraction = warnFraction
    }

    public static let allowedAmounts: ClosedRange<Int> = 1...2_000

    /// The due moment of a case received at `start`.
    public func deadline(from start: Date, calendar: WorkingCalendar) -> Date {
        switch unit {
        case .workingHours: calendar.addWorkingTime(TimeInterval(amount) * 3600, to: start)
        case .workingDays: calendar.addWorkingDays(amount, to: start)
        case .calendarHours: start.addingTimeInterval(TimeInterval(amount) * 3600)
        }
    }

    /// When a case received at `start` enters its last `1 − warnFraction` of time, measured in the policy's own
    /// clock (office time for working limits, elapsed time for calendar hours).
    public func warningInstant(from start: Date, deadline: Date, calendar: WorkingCalendar) -> Date {
        switch unit {
        case .calendarHours:
            return start.addingTimeInterval(deadline.timeIntervalSince(start) * warnFraction)
        case .workingHours, .workingDays:
            let total = calendar.workingTime(from: start, to: deadline)
            guard total > 0 else { return deadline }
            return calendar.addWorkingTime(total * warnFraction, to: start)
        }
    }

    /// "24 giờ làm việc" / "24 working hours".
    public var text: LocalizedMessage {
        switch unit {
        case .workingHours: LocalizedMessage(vi: "\(amount) giờ làm việc", en: "\(amount) working hour\(amount == 1 ? "" : "s")")
        case .workingDays: LocalizedMessage(vi: "\(amount) ngày làm việc", en: "\(amount) working day\(amount == 1 ? "" : "s")")
        case .calendarHours: LocalizedMessage(vi: "\(amount) giờ (kể cả ngoài giờ, ngày nghỉ)", en: "\(amount) hour\(amount == 1 ? "" : "s") (round the clock)")
        }
    }

    /// Open311 `service_notice`: what the province promises.
    public var serviceNotice: String {
        "Xử lý trong \(text.vi) / Handled within \(text.en)"
    }
}

/// Where a case stands against its deadline at a given moment.
public enum DeadlineState: String, Sendable, Hashable, Codable {
    case onTrack, near, overdue, stopped
}

/// Where an open case stands against its deadline and warning instant (the sweeper applies the same rule in SQL).
public struct EscalationCheck: Sendable, Hashable {
    public var dueAt: Date
    public var warnAt: Date
    public var warned: Bool
    public var breached: Bool
    public var isOpen: Bool

    public init(dueAt: Date, warnAt: Date, warned: Bool, breached: Bool, isOpen: Bool) {
        self.dueAt = dueAt
        self.warnAt = warnAt
        self.warned = warned
        self.breached = breached
        self.isOpen = isOpen
    }

    public func state(at now: Date) -> DeadlineState {
        guard isOpen else { return .stopped }
        if now >= dueAt { return .overdue }
        if now >= warnAt { return .near }
        return .onTrack
    }
}
