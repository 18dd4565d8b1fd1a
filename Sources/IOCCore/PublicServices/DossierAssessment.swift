import Foundation

/// The timeliness facts of one dossier, computed once by `TimelinessRules.assess(_:)` and small
/// enough to store in database columns.
///
/// Everything that needs the working calendar (cut-off, working days, supplement pauses) is
/// resolved into instants and a date here, so the classification at any later instant is a few
/// comparisons (`timeliness(asOf:)`) that the server can also write in SQL:
///
/// ```sql
/// CASE
///   WHEN excluded THEN 'excluded'
///   WHEN withdrawn THEN 'withdrawn'
///   WHEN end_at <= :as_of THEN
///     CASE WHEN forced_late THEN 'late'
///          WHEN due IS NULL THEN 'onTime'
///          WHEN compares_by_date THEN
///            CASE WHEN local_date(end_at) < due_date THEN 'early'
///                 WHEN local_date(end_at) = due_date THEN 'onTime' ELSE 'late' END
///          WHEN end_at <= due THEN 'onTime' ELSE 'late' END
///   WHEN paused_at <= :as_of THEN
///     CASE WHEN forced_late OR past_due(paused_at) THEN 'pausedOverdue' ELSE 'pausedWithin' END
///   ELSE
///     CASE WHEN forced_late OR past_due(:as_of) THEN 'inProgressOverdue' ELSE 'inProgressWithin' END
/// END
/// -- past_due(t) = due IS NOT NULL AND (CASE WHEN compares_by_date THEN local_date(t) > due_date
/// --                                          ELSE t > due END)
/// -- local_date(t) = (t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date  (PostgreSQL), or
/// --                 date(t, '+7 hours')                          (SQLite, Vietnam is UTC+7)
/// ```
///
/// The assessment is a snapshot of the data: pauses that already ended are folded into `due`, and
/// only the pause in force at the time of the data is kept (`pausedAt`). Asking about an instant
/// before the data's own time therefore does not replay old pauses.
public struct DossierAssessment: Sendable, Hashable, Codable {
    /// Where `due` comes from.
    public enum DueSource: String, Sendable, Hashable, Codable, CaseIterable {
        /// The "ngày hẹn trả" sent by the source system (it wins, vietnam.md §1.3).
        case source
        /// Computed from the procedure's processing limit.
        case limit
        /// No deadline: the source sent no due moment and no limit is known. Such a dossier is never
        /// overdue by date; it ends on time unless it had more than one supplement request. Reports
        /// should count and show these ("không xác định được hạn") rather than hide them.
        case noDeadline
    }

    /// Data problems noticed while assessing, as a bit set that fits an integer column. The raw
    /// values are stable.
    public struct Issues: OptionSet, Sendable, Hashable, Codable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The status is an end state (8, 9, 10) but no instant of reaching it is known (no history
        /// entry, no finishedAt or returnedAt); `endAt` is `nil` so the dossier counts as not ended.
        public static let endStatusWithoutEndTime = Issues(rawValue: 1 << 0)
        /// The status is 5 or 6 with no open supplement request and no history entry for it;
        /// `pausedAt` is `nil` so the dossier is judged as in progress.
        public static let waitingWithoutStartTime = Issues(rawValue: 1 << 1)
        /// A supplement was completed before it was requested; that pause counts as zero.
        public static let supplementCompletedBeforeRequest = Issues(rawValue: 1 << 2)
        /// A supplement request is open although the status is neither 5 nor 6 (nor an end state);
        /// the dossier is judged as waiting on the applicant, as the 766 note says.
        public static let openSupplementWhileProcessing = Issues(rawValue: 1 << 3)
        /// Processing ended before the dossier was received.
        public static let endBeforeReceipt = Issues(rawValue: 1 << 4)
    }

    /// When the dossier was actually received (the facts' `receivedAt`); reports count "received in
    /// the period" by this instant. (Extra field.)
    public var receivedAt: Date
    /// When counting starts: `receivedAt`, or the opening (07:30) of the next working day when the
    /// dossier arrived on a day off or after the intake cut-off (vietnam.md §1.3).
    public var effectiveReceipt: Date
    /// The due moment after supplement pauses; `nil` when there is no deadline.
    public var due: Date?
    /// The local (Asia/Ho_Chi_Minh) date of `due`.
    public var dueDate: CivilDate?
    /// Where `due` comes from. (Extra field.)
    public var dueSource: DueSource
    /// Whether ends are compared with the due by local date (day limits: early / on time / late)
    /// rather than by instant (hour limits: on time / late).
    public var comparesByDate: Bool
    /// The first instant at which status 8, 9 or 10 was reached; `nil` while not ended.
    public var endAt: Date?
    /// For a dossier waiting on the applicant at the time of the data (open supplement request,
    /// status 5 or 6): the moment it is judged at (the latest open request, or when the waiting
    /// status was entered). `nil` otherwise.
    public var pausedAt: Date?
    /// When the dossier was withdrawn (first status 7 in the history), if known; only reports that
    /// place withdrawals in a period use it. (Extra field.)
    public var withdrawnAt: Date?
    /// Number of supplement requests, open or completed.
    public var supplementCount: Int
    /// Office seconds added to the due moment for completed supplement requests. (Extra field, for
    /// display and audit.)
    public var supplementPause: TimeInterval
    /// More than one supplement request: late whatever the dates (766 note, vietnam.md §1.3).
    public var forcedLate: Bool
    /// Never accepted (status 1 or 3): left out of every count.
    public var excluded: Bool
    /// Withdrawn by the applicant (status 7): reported separately.
    public var withdrawn: Bool
    /// Seconds east of UTC of the zone whose dates are compared (25 200 for Asia/Ho_Chi_Minh, which
    /// has kept UTC+7 since 1975). (Extra field, so the assessment needs no calendar to classify.)
    public var utcOffsetSeconds: Int
    /// Data problems noticed while assessing. (Extra field.)
    public var issues: Issues

    /// Creates an assessment from stored values (e.g. read back from the database).
    public init(
        receivedAt: Date,
        effectiveReceipt: Date,
        due: Date?,
        dueDate: CivilDate?,
        dueSource: DueSource,
        comparesByDate: Bool,
        endAt: Date?,
        pausedAt: Date?,
        withdrawnAt: Date?,
        supplementCount: Int,
        supplementPause: TimeInterval,
        forcedLate: Bool,
        excluded: Bool,
        withdrawn: Bool,
        utcOffsetSeconds: Int = 7 * 3600,
        issues: Issues = []
    ) {
        self.receivedAt = receivedAt
        self.effectiveReceipt = effectiveReceipt
        self.due = due
        self.dueDate = dueDate
        self.dueSource = dueSource
        self.comparesByDate = comparesByDate
        self.endAt = endAt
        self.pausedAt = pausedAt
        self.withdrawnAt = withdrawnAt
        self.supplementCount = supplementCount
        self.supplementPause = supplementPause
        self.forcedLate = forcedLate
        self.excluded = excluded
        self.withdrawn = withdrawn
        self.utcOffsetSeconds = utcOffsetSeconds
        self.issues = issues
    }

    // MARK: - Classification

    /// The classification as of `asOf`. Callers pass only dossiers received by `asOf`.
    ///
    /// Written to match the SQL in the type's documentation line by line (766 note, vietnam.md §1.3).
    public func timeliness(asOf: Date) -> Timeliness {
        if excluded { return .excluded }
        if withdrawn { return .withdrawn }
        return processingTimeliness(asOf: asOf)
    }

    /// The classification ignoring `excluded` and `withdrawn`: used by period reports for a
    /// withdrawn dossier that was still open at the end of the period.
    func processingTimeliness(asOf: Date) -> Timeliness {
        // Ended: judged at the end; more than one supplement request ⇒ late.
        if let endAt, endAt <= asOf {
            return forcedLate ? .late : judge(endAt)
        }
        // Waiting on the applicant: the request moment counts as the end (766 note).
        if let pausedAt, pausedAt <= asOf {
            return forcedLate || isPastDue(pausedAt) ? .pausedOverdue : .pausedWithin
        }
        // Open: the instant of the question counts as the end.
        return forcedLate || isPastDue(asOf) ? .inProgressOverdue : .inProgressWithin
    }

    /// Early, on time or late for an end (or judgement) moment, without the forced-late rule.
    ///
    /// Day limits compare local dates: before the due date → early, on it → on time, after → late
    /// (766 note: "trước hạn" is strictly before "ngày hẹn trả"). Hour limits compare instants:
    /// at or before the due moment → on time, after → late; they have no "early", since finishing a
    /// same-day service an hour ahead is not what "trước hạn" measures. No deadline → on time.
    public func judge(_ moment: Date) -> Timeliness {
        guard let due else { return .onTime }
        if comparesByDate {
            let day = localDate(of: moment)
            let dueDay = dueDate ?? localDate(of: due)
            return day < dueDay ? .early : day == dueDay ? .onTime : .late
        }
        return moment <= due ? .onTime : .late
    }

    /// Whether `moment` is past the deadline: after the due date (day limits) or after the due
    /// moment (hour limits). Never true without a deadline.
    public func isPastDue(_ moment: Date) -> Bool {
        guard let due else { return false }
        if comparesByDate {
            return localDate(of: moment) > (dueDate ?? localDate(of: due))
        }
        return moment > due
    }

    /// Working days by which the dossier is past its due date as of `asOf`, for the overdue list:
    /// the working days after the due date up to and including the date of the end, the pause
    /// moment, or `asOf` (whichever the classification judges at).
    ///
    /// At least 1 for a dossier past its due date (one that ends on the Saturday after a Friday due
    /// date is one day late), 0 when it is not past it. A dossier late only because of several
    /// supplement requests is not past its due date and gets 0; show `forcedLate` as the reason.
    /// - Parameter calendar: the calendar the assessment was made with.
    public func daysLate(asOf: Date, calendar: WorkingCalendar) -> Int {
        if excluded || withdrawn { return 0 }
        let moment: Date
        switch processingTimeliness(asOf: asOf) {
        case .late: moment = endAt ?? asOf
        case .pausedOverdue: moment = pausedAt ?? asOf
        case .inProgressOverdue: moment = asOf
        default: return 0
        }
        guard let due, isPastDue(moment) else { return 0 }
        let dueDay = dueDate ?? localDate(of: due)
        let day = localDate(of: moment)
        // Working days in (dueDay, day] = working days in [dueDay + 1, day + 1).
        return max(1, calendar.workingDays(from: dueDay.adding(days: 1), to: day.adding(days: 1)))
    }

    /// The local date of an instant in the assessment's zone (UTC + `utcOffsetSeconds`).
    public func localDate(of instant: Date) -> CivilDate {
        let local = instant.timeIntervalSince1970 + Double(utcOffsetSeconds)
        return CivilDate(daysSince1970: Int((local / 86_400).rounded(.down)))
    }
}
