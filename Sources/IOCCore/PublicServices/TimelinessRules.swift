import Foundation

/// The deadline rules for administrative-procedure dossiers: effective receipt, due moment,
/// supplement pauses and end of processing (vietnam.md §1.3, 766 methodology note).
///
/// `assess(_:)` turns a dossier's facts into a `DossierAssessment` once; classification at any
/// instant then needs no calendar. Every step is O(1) table arithmetic in `WorkingCalendar` plus one
/// pass over the dossier's history and supplement requests, with no `Foundation.Calendar`, so the
/// server can assess a million dossiers in a batch.
public struct TimelinessRules: Sendable {
    /// The working calendar (office hours, holidays, time zone).
    public var calendar: WorkingCalendar
    /// Dossiers received after this local time count from the next working day: "chuyển vào đầu giờ
    /// ngày làm việc tiếp theo đối với trường hợp tiếp nhận sau 15 giờ" (provincial internal
    /// procedures, vietnam.md §1.3). A dossier received exactly at the cut-off counts the same day.
    public var intakeCutoff: WorkingCalendar.TimeOfDay
    /// Whether a due moment sent by the source already includes supplement pauses (some systems
    /// re-issue "ngày hẹn trả" when the applicant completes a supplement). When `false` (default)
    /// pauses are added to the source's due moment as to a computed one.
    public var sourceDueIncludesSupplementPauses: Bool

    /// Creates the rules.
    /// - Parameters:
    ///   - calendar: the working calendar (default: civil service, Asia/Ho_Chi_Minh).
    ///   - intakeCutoff: the daily intake cut-off (default 15:00).
    ///   - sourceDueIncludesSupplementPauses: see the property (default `false`).
    public init(
        calendar: WorkingCalendar = .vietnamCivilService,
        intakeCutoff: WorkingCalendar.TimeOfDay = WorkingCalendar.TimeOfDay(hour: 15),
        sourceDueIncludesSupplementPauses: Bool = false
    ) {
        self.calendar = calendar
        self.intakeCutoff = intakeCutoff
        self.sourceDueIncludesSupplementPauses = sourceDueIncludesSupplementPauses
    }

    /// The civil-service calendar with the 15:00 cut-off.
    public static let vietnamCivilService = TimelinessRules()

    // MARK: - Steps

    /// When counting starts for a dossier received at `receivedAt`.
    ///
    /// Received on a day off, or after the intake cut-off on a working day, it counts as received at
    /// the opening (07:30) of the next working day (vietnam.md §1.3, 15:00 rule). Otherwise it counts
    /// from `receivedAt` itself, even before 07:30 (a day limit does not depend on the hour, and an
    /// hour limit only counts office time anyway).
    public func effectiveReceipt(of receivedAt: Date) -> Date {
        let day = calendar.civilDate(of: receivedAt)
        if !calendar.isWorkingDay(day) || receivedAt > calendar.instant(on: day, at: intakeCutoff) {
            return calendar.startOfNextWorkingDay(after: receivedAt)
        }
        return receivedAt
    }

    /// The due moment for a limit counted from an effective receipt (vietnam.md §1.3):
    /// - N working days: close of office hours (17:00) on the Nth working day after the receipt's
    ///   date (Mon 09:00 + 3 → Thu 17:00); 0 → 17:00 the same day ("trong ngày").
    /// - N working hours: N hours of office time added to the receipt, skipping lunch, nights and
    ///   days off.
    /// - N calendar days: 23:59:59 local time of the Nth day after the receipt's date, whether or
    ///   not that day is a working day.
    public func due(for limit: ProcessingLimit, from effectiveReceipt: Date) -> Date {
        switch limit.unit {
        case .workingDays:
            return calendar.addWorkingDays(limit.value, to: effectiveReceipt)
        case .workingHours:
            return calendar.addWorkingTime(TimeInterval(limit.value) * 3600, to: effectiveReceipt)
        case .days:
            let day = calendar.civilDate(of: effectiveReceipt).adding(days: limit.value)
            return calendar.instant(on: day, at: Self.lastSecondOfDay)
        }
    }

    /// Office time during which the applicant was supplementing the dossier: from the request to
    /// the completion, counted with `WorkingCalendar.workingTime(from:to:)` (766 note: "thời gian
    /// bổ sung" is subtracted). Zero for an open request or a completion before the request.
    public func pause(of request: SupplementRequest) -> TimeInterval {
        guard let completedAt = request.completedAt else { return 0 }
        return max(0, calendar.workingTime(from: request.requestedAt, to: completedAt))
    }

    // MARK: - Assessment

    /// Assesses one dossier (vietnam.md §1.3):
    ///
    /// 1. Effective receipt: `effectiveReceipt(of:)` (15:00 cut-off, days off).
    /// 2. Due: the source's "ngày hẹn trả" when sent, else `due(for:from:)` from the limit, else none.
    /// 3. Supplement pauses: each completed request moves the due moment later by the office time
    ///    between request and completion, whatever the limit's unit. For a calendar-day limit this
    ///    means a pause is measured in office time, not elapsed time, and is added from the due
    ///    moment on working days (a due on Saturday 23:59:59 plus one working day becomes Monday
    ///    17:00). More than one request (open or completed) ⇒ late (`forcedLate`).
    /// 4. End of processing: the first instant at which status 9, 10 or 8 was reached, from the
    ///    history, `finishedAt` and `returnedAt`.
    /// 5. Waiting on the applicant (not ended, and an open supplement request or status 5/6): judged
    ///    at the latest open request; without one, at the start of the current run of status 5/6 in
    ///    the history.
    /// 6. Status 1 or 3 ⇒ excluded; status 7 ⇒ withdrawn.
    ///
    /// Comparison is by local date for working-day and calendar-day limits, and for a source due
    /// moment with no known limit (a "ngày hẹn trả" is a date on the receipt); by instant for
    /// working-hour limits.
    public func assess(_ facts: DossierFacts) -> DossierAssessment {
        var issues: DossierAssessment.Issues = []
        let effective = effectiveReceipt(of: facts.receivedAt)

        // 2. Base due: the source wins (vietnam.md §1.3, "ngày hẹn trả").
        var due: Date?
        let dueSource: DossierAssessment.DueSource
        if let sourceDue = facts.dueAt {
            due = sourceDue
            dueSource = .source
        } else if let limit = facts.limit {
            due = self.due(for: limit, from: effective)
            dueSource = .limit
        } else {
            dueSource = .noDeadline
        }

        // 3. Supplement pauses (766 note: supplement time is subtracted; >1 request ⇒ late).
        var pauseSeconds: TimeInterval = 0
        var latestOpenRequest: Date?
        for request in facts.supplements {
            if let completedAt = request.completedAt {
                if completedAt < request.requestedAt { issues.insert(.supplementCompletedBeforeRequest) }
                pauseSeconds += pause(of: request)
            } else if latestOpenRequest.map({ request.requestedAt > $0 }) ?? true {
                latestOpenRequest = request.requestedAt
            }
        }
        let shiftsDue = dueSource == .limit || (dueSource == .source && !sourceDueIncludesSupplementPauses)
        if let base = due, shiftsDue, pauseSeconds > 0 {
            due = calendar.addWorkingTime(pauseSeconds, to: base)
        }

        // 4. End of processing, and the withdrawal instant.
        var endAt = earlier(facts.finishedAt, facts.returnedAt)
        var withdrawnAt: Date?
        for change in facts.history {
            if change.status.endsProcessing {
                endAt = earlier(endAt, change.at)
            } else if change.status == .withdrawn {
                withdrawnAt = earlier(withdrawnAt, change.at)
            }
        }
        if endAt == nil && facts.status.endsProcessing { issues.insert(.endStatusWithoutEndTime) }
        if let endAt, endAt < facts.receivedAt { issues.insert(.endBeforeReceipt) }

        // 5. Waiting on the applicant at the time of the data (766 note: the request date counts as
        // the end).
        var pausedAt: Date?
        if endAt == nil && !facts.status.isExcludedFromCounts && facts.status != .withdrawn {
            if let request = latestOpenRequest {
                pausedAt = request
                if !facts.status.waitsOnApplicant { issues.insert(.openSupplementWhileProcessing) }
            } else if facts.status.waitsOnApplicant {
                pausedAt = Self.startOfCurrentStatus(facts.status, in: facts.history)
                if pausedAt == nil { issues.insert(.waitingWithoutStartTime) }
            }
        }

        let comparesByDate = facts.limit?.comparesByDate ?? true
        return DossierAssessment(
            receivedAt: facts.receivedAt,
            effectiveReceipt: effective,
            due: due,
            dueDate: due.map { calendar.civilDate(of: $0) },
            dueSource: dueSource,
            comparesByDate: comparesByDate,
            endAt: endAt,
            pausedAt: pausedAt,
            withdrawnAt: withdrawnAt,
            supplementCount: facts.supplements.count,
            supplementPause: pauseSeconds,
            forcedLate: facts.supplements.count > 1,
            excluded: facts.status.isExcludedFromCounts,
            withdrawn: facts.status == .withdrawn,
            utcOffsetSeconds: utcOffset(at: due ?? effective),
            issues: issues
        )
    }

    /// Working days by which an assessed dossier is past its due date (see
    /// `DossierAssessment.daysLate(asOf:calendar:)`), with this calendar.
    public func daysLate(_ assessment: DossierAssessment, asOf: Date) -> Int {
        assessment.daysLate(asOf: asOf, calendar: calendar)
    }

    // MARK: - Helpers

    /// Seconds east of UTC at an instant, from the calendar's own (table-driven) local time rather
    /// than a `TimeZone` lookup per dossier.
    private func utcOffset(at instant: Date) -> Int {
        let day = calendar.civilDate(of: instant)
        let midnight = calendar.instant(on: day, at: WorkingCalendar.TimeOfDay(hour: 0))
        return Int((Double(day.daysSince1970) * 86_400 - midnight.timeIntervalSince1970).rounded())
    }

    private static let lastSecondOfDay = WorkingCalendar.TimeOfDay(hour: 23, minute: 59, second: 59)

    /// When the dossier entered `status`, its current status: the earliest change of the trailing run
    /// of changes to `status` (repeated syncs of the same status do not move it). `nil` when the
    /// latest change is to another status, i.e. the history does not record the current one. The
    /// history may be in any order; a copy is sorted only when it is not already in time order.
    private static func startOfCurrentStatus(_ status: DossierStatus, in history: [StatusChange]) -> Date? {
        let ordered = zip(history, history.dropFirst()).allSatisfy { $0.at <= $1.at }
            ? history : history.sorted { $0.at < $1.at }
        var start: Date?
        for change in ordered.reversed() {
            guard change.status == status else { break }
            start = change.at
        }
        return start
    }
}

/// The earlier of two optional instants, ignoring `nil`.
private func earlier(_ a: Date?, _ b: Date?) -> Date? {
    switch (a, b) {
    case let (a?, b?): return min(a, b)
    case let (a?, nil): return a
    case let (nil, b): return b
    }
}
