import Foundation
import IOCCore
import Testing

// Calendar used by the hand computations (2026): Mon 2/3, Fri 6/3, Sat 7/3, Mon 9/3, Tue 10/3,
// Wed 11/3, Thu 12/3, Fri 13/3, Sat 14/3, Sun 15/3, Mon 16/3, Tue 17/3. No day off in March 2026.
// Tết 2026: off Mon 16/2 – Fri 20/2, so Fri 13/2 is followed by Mon 23/2. Office hours 07:30–11:30,
// 13:00–17:00 (8 h).

@Suite("Timeliness rules: receipt and due moment")
struct DueMomentTests {
    @Test("Mon 09:00 + 3 working days → Thu 17:00")
    func threeWorkingDays() {
        // Working days after Mon 9/3: Tue 10 (1), Wed 11 (2), Thu 12 (3) → Thu 12/3 17:00.
        let a = rules.assess(dossier(received: "2026-03-09 09:00"))
        #expect(a.effectiveReceipt == VN.at("2026-03-09 09:00"))
        #expect(a.due == VN.at("2026-03-12 17:00"))
        #expect(a.dueDate == VN.date("2026-03-12"))
        #expect(a.dueSource == .limit)
        #expect(a.comparesByDate)
    }

    @Test("0 working days means the same day at 17:00")
    func sameDay() {
        #expect(rules.assess(dossier(received: "2026-03-09 10:00", limit: .workingDays(0))).due
            == VN.at("2026-03-09 17:00"))
        // After the cut-off on Friday: effective Mon 9/3 07:30 → Mon 17:00.
        #expect(rules.assess(dossier(received: "2026-03-06 16:00", limit: .workingDays(0))).due
            == VN.at("2026-03-09 17:00"))
    }

    @Test("Received Friday 15:30 counts from Monday 07:30")
    func afterCutoffOnFriday() {
        #expect(rules.effectiveReceipt(of: VN.at("2026-03-06 15:30")) == VN.at("2026-03-09 07:30"))
        // Exactly 15:00 is not after the cut-off.
        #expect(rules.effectiveReceipt(of: VN.at("2026-03-06 15:00")) == VN.at("2026-03-06 15:00"))
        #expect(rules.effectiveReceipt(of: VN.at("2026-03-06 15:00:01")) == VN.at("2026-03-09 07:30"))
        // Fri 15:30 + 3 working days: from Mon 9/3 → Thu 12/3 17:00 (not Wed 11/3).
        #expect(rules.assess(dossier(received: "2026-03-06 15:30")).due == VN.at("2026-03-12 17:00"))
    }

    @Test("Received on a day off counts from the next working day's opening; early morning stays")
    func dayOffAndEarlyMorning() {
        #expect(rules.effectiveReceipt(of: VN.at("2026-03-07 10:00")) == VN.at("2026-03-09 07:30"))  // Saturday
        #expect(rules.effectiveReceipt(of: VN.at("2026-02-17 09:00")) == VN.at("2026-02-23 07:30"))  // Tết
        #expect(rules.effectiveReceipt(of: VN.at("2026-03-09 06:00")) == VN.at("2026-03-09 06:00"))
    }

    @Test("The 15:00 cut-off before Tết 2026")
    func cutoffBeforeTet() {
        // Fri 13/2 15:30 is after 15:00 → effective Mon 23/2 07:30 (16–20/2 Tết, 21–22/2 weekend);
        // 1 working day after Mon 23/2 → Tue 24/2 17:00.
        let late = rules.assess(dossier(received: "2026-02-13 15:30", limit: .workingDays(1)))
        #expect(late.effectiveReceipt == VN.at("2026-02-23 07:30"))
        #expect(late.due == VN.at("2026-02-24 17:00"))
        // Fri 13/2 14:59 counts that day; 1 working day after Fri 13/2 → Mon 23/2 17:00.
        let early = rules.assess(dossier(received: "2026-02-13 14:59", limit: .workingDays(1)))
        #expect(early.effectiveReceipt == VN.at("2026-02-13 14:59"))
        #expect(early.due == VN.at("2026-02-23 17:00"))
    }

    @Test("The cut-off is configurable")
    func configurableCutoff() {
        let sixteen = TimelinessRules(intakeCutoff: .init(hour: 16))
        #expect(sixteen.effectiveReceipt(of: VN.at("2026-03-06 15:30")) == VN.at("2026-03-06 15:30"))
        #expect(sixteen.effectiveReceipt(of: VN.at("2026-03-06 16:30")) == VN.at("2026-03-09 07:30"))
    }

    @Test("Working-hour limit across lunch and a weekend")
    func workingHours() {
        // Fri 6/3 10:00 + 8 h: 10:00–11:30 = 1.5 h, 13:00–17:00 = 4 h (5.5 h on Friday);
        // 2.5 h left from Mon 07:30 → Mon 9/3 10:00.
        let a = rules.assess(dossier(received: "2026-03-06 10:00", limit: .workingHours(8)))
        #expect(a.due == VN.at("2026-03-09 10:00"))
        #expect(!a.comparesByDate)
        // Mon 9/3 10:30 + 4 h: 10:30–11:30 = 1 h, then 3 h from 13:00 → 16:00 the same day.
        #expect(rules.assess(dossier(received: "2026-03-09 10:30", limit: .workingHours(4))).due
            == VN.at("2026-03-09 16:00"))
    }

    @Test("Calendar-day limit ends at 23:59:59 of the Nth day, weekend or not")
    func calendarDays() {
        // Fri 6/3 16:00 is after the cut-off → effective Mon 9/3 07:30; 9/3 + 5 days = Sat 14/3.
        let a = rules.assess(dossier(received: "2026-03-06 16:00", limit: .days(5)))
        #expect(a.due == VN.at("2026-03-14 23:59:59"))
        #expect(a.dueDate == VN.date("2026-03-14"))
        #expect(a.comparesByDate)
    }

    @Test("A due moment sent by the source wins over the limit")
    func sourceDueWins() {
        let a = rules.assess(dossier(received: "2026-03-09 09:00", dueAt: "2026-03-17 17:00"))
        #expect(a.due == VN.at("2026-03-17 17:00"))
        #expect(a.dueSource == .source)
        // With no limit known, a source due is compared by date ("ngày hẹn trả" is a date).
        let noLimit = rules.assess(dossier(received: "2026-03-09 09:00", limit: nil, dueAt: "2026-03-17 10:00"))
        #expect(noLimit.comparesByDate)
        #expect(noLimit.dueDate == VN.date("2026-03-17"))
        // With an hour limit it is compared by instant.
        let hours = rules.assess(
            dossier(received: "2026-03-09 09:00", limit: .workingHours(4), dueAt: "2026-03-09 15:00"))
        #expect(hours.due == VN.at("2026-03-09 15:00"))
        #expect(!hours.comparesByDate)
    }

    @Test("No limit and no due moment: no deadline")
    func noDeadline() {
        let a = rules.assess(dossier(received: "2026-03-09 09:00", limit: nil))
        #expect(a.due == nil)
        #expect(a.dueDate == nil)
        #expect(a.dueSource == .noDeadline)
    }

    @Test("Processing limits reject negative values")
    func negativeLimit() throws {
        #expect(ProcessingLimit(value: -1, unit: .workingDays) == nil)
        #expect(ProcessingLimit(value: 0, unit: .days) == .days(0))
        let json = Data(#"{"value":-2,"unit":"workingHours"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProcessingLimit.self, from: json) }
        let ok = try JSONDecoder().decode(ProcessingLimit.self, from: Data(#"{"value":2,"unit":"days"}"#.utf8))
        #expect(ok == .days(2))
    }
}

@Suite("Timeliness rules: supplements, end and exclusions")
struct SupplementAndEndTests {
    @Test("A supplement pause across a weekend moves the due by its office time")
    func pauseAcrossWeekend() {
        // Received Mon 9/3 09:00, 3 working days → Thu 12/3 17:00.
        // Requested Thu 12/3 10:00, completed Mon 16/3 10:00:
        //   Thu 10:00–11:30 (1.5 h) + 13:00–17:00 (4 h) + Fri 8 h + Mon 07:30–10:00 (2.5 h) = 16 h
        //   = 2 working days. Thu 17:00 + 16 office hours → Fri 17:00 (8 h) → Mon 16/3 17:00.
        let request = supplement("2026-03-12 10:00", "2026-03-16 10:00")
        #expect(rules.pause(of: request) == 16 * 3600)
        let a = rules.assess(dossier(received: "2026-03-09 09:00", supplements: [request]))
        #expect(a.supplementPause == 16 * 3600)
        #expect(a.due == VN.at("2026-03-16 17:00"))
        #expect(a.dueDate == VN.date("2026-03-16"))
        #expect(a.supplementCount == 1)
        #expect(!a.forcedLate)
        #expect(a.pausedAt == nil)
    }

    @Test("A supplement pause across Tết counts office time only")
    func pauseAcrossTet() {
        // Requested Fri 13/2 16:00, completed Mon 23/2 08:00: Fri 16:00–17:00 (1 h) + Mon 07:30–08:00
        // (0.5 h) = 1.5 h. Received Wed 11/2 09:00, 1 working day → Thu 12/2 17:00; + 1.5 h → Fri 13/2 09:00.
        let request = supplement("2026-02-13 16:00", "2026-02-23 08:00")
        #expect(rules.pause(of: request) == 1.5 * 3600)
        let a = rules.assess(dossier(received: "2026-02-11 09:00", limit: .workingDays(1), supplements: [request]))
        #expect(a.due == VN.at("2026-02-13 09:00"))
    }

    @Test("The pause applies to every unit, including hour and calendar-day limits")
    func pauseForOtherUnits() {
        // Hour limit: Fri 6/3 10:00 + 8 h → Mon 9/3 10:00; a 2 h pause (Mon 13:00–15:00) → Mon 13:30
        // (10:00–11:30 = 1.5 h, then 0.5 h after lunch).
        let hours = rules.assess(
            dossier(
                received: "2026-03-06 10:00", limit: .workingHours(8),
                supplements: [supplement("2026-03-09 13:00", "2026-03-09 15:00")]))
        #expect(hours.due == VN.at("2026-03-09 13:30"))
        // Calendar days: due Sat 14/3 23:59:59; + 8 office hours (Tue 10/3 09:00 → Wed 11/3 09:00)
        // counted from the due on working days → Mon 16/3 17:00.
        let days = rules.assess(
            dossier(
                received: "2026-03-06 16:00", limit: .days(5),
                supplements: [supplement("2026-03-10 09:00", "2026-03-11 09:00")]))
        #expect(days.due == VN.at("2026-03-16 17:00"))
    }

    @Test("A source due moment is extended by pauses unless told it already includes them")
    func sourceDueAndPauses() {
        let facts = dossier(
            received: "2026-03-09 09:00", dueAt: "2026-03-12 17:00",
            supplements: [supplement("2026-03-10 09:00", "2026-03-10 11:00")])
        // 2 h from Thu 17:00 → Fri 13/3 09:30.
        #expect(rules.assess(facts).due == VN.at("2026-03-13 09:30"))
        let included = TimelinessRules(sourceDueIncludesSupplementPauses: true)
        #expect(included.assess(facts).due == VN.at("2026-03-12 17:00"))
    }

    @Test("Two supplement requests make the dossier late even when it finished early")
    func twoSupplementsLate() {
        // Pauses 1 h + 1 h → due Thu 12/3 17:00 + 2 h = Fri 13/3 09:30. Ended Tue 10/3: early by
        // date, but more than one request ⇒ late (766 note).
        let facts = dossier(
            received: "2026-03-09 09:00", status: .resultReturned,
            supplements: [
                supplement("2026-03-09 10:00", "2026-03-09 11:00"),
                supplement("2026-03-09 14:00", "2026-03-09 15:00"),
            ],
            returnedAt: "2026-03-10 10:00")
        let a = rules.assess(facts)
        #expect(a.due == VN.at("2026-03-13 09:30"))
        #expect(a.supplementCount == 2)
        #expect(a.forcedLate)
        #expect(a.judge(a.endAt!) == .early)
        #expect(a.timeliness(asOf: VN.at("2026-03-20 00:00")) == .late)
        // Before its end it is already overdue in progress.
        #expect(a.timeliness(asOf: VN.at("2026-03-10 08:00")) == .inProgressOverdue)
    }

    @Test("Status 1 and 3 are excluded, status 7 is withdrawn")
    func excludedAndWithdrawn() {
        let asOf = VN.at("2026-03-20 00:00")
        let submitted = rules.assess(dossier(received: "2026-03-09 09:00", status: .submitted))
        let refused = rules.assess(dossier(received: "2026-03-09 09:00", status: .refused))
        #expect(submitted.excluded && refused.excluded)
        #expect(submitted.timeliness(asOf: asOf) == .excluded)
        #expect(refused.timeliness(asOf: asOf) == .excluded)
        let withdrawn = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .withdrawn,
                history: [change(.accepted, "2026-03-09 09:00"), change(.withdrawn, "2026-03-10 14:00")]))
        #expect(withdrawn.withdrawn && !withdrawn.excluded)
        #expect(withdrawn.withdrawnAt == VN.at("2026-03-10 14:00"))
        #expect(withdrawn.timeliness(asOf: asOf) == .withdrawn)
    }

    @Test("End of processing is the first instant status 9, 10 or 8 is reached")
    func endOfProcessing() {
        // Decided Thu 12/3 16:00 (due date), returned Mon 16/3: on time, not late.
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .resultReturned,
                history: [change(.decided, "2026-03-12 16:00"), change(.resultReturned, "2026-03-16 09:00")],
                returnedAt: "2026-03-16 09:00"))
        #expect(a.endAt == VN.at("2026-03-12 16:00"))
        #expect(a.timeliness(asOf: VN.at("2026-03-20 00:00")) == .onTime)
        // finishedAt alone is enough; status 8 (stopped) ends processing too.
        #expect(rules.assess(dossier(received: "2026-03-09 09:00", status: .decided, finishedAt: "2026-03-11 10:00"))
            .endAt == VN.at("2026-03-11 10:00"))
        let stopped = rules.assess(
            dossier(received: "2026-03-09 09:00", status: .stopped, history: [change(.stopped, "2026-03-13 08:00")]))
        #expect(stopped.timeliness(asOf: VN.at("2026-03-20 00:00")) == .late)
    }

    @Test("An end status with no end instant is flagged and not treated as ended")
    func endWithoutInstant() {
        let a = rules.assess(dossier(received: "2026-03-09 09:00", status: .resultReturned))
        #expect(a.endAt == nil)
        #expect(a.issues.contains(.endStatusWithoutEndTime))
    }
}

@Suite("Timeliness rules: waiting on the applicant")
struct WaitingTests {
    @Test("Waiting on a supplement is judged at the request: within")
    func pausedWithin() {
        // Due Thu 12/3; open request Wed 11/3 14:00 → judged on 11/3 ≤ 12/3.
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .supplementRequested,
                supplements: [supplement("2026-03-11 14:00")]))
        #expect(a.pausedAt == VN.at("2026-03-11 14:00"))
        #expect(a.due == VN.at("2026-03-12 17:00"))  // an open request does not move the due
        #expect(a.timeliness(asOf: VN.at("2026-03-30 00:00")) == .pausedWithin)
        // Before the request it was simply in progress.
        #expect(a.timeliness(asOf: VN.at("2026-03-11 10:00")) == .inProgressWithin)
    }

    @Test("Waiting on a supplement is judged at the request: overdue")
    func pausedOverdue() {
        // Open request Fri 13/3 09:00, after the due date Thu 12/3.
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .supplementRequested,
                supplements: [supplement("2026-03-13 09:00")]))
        #expect(a.timeliness(asOf: VN.at("2026-03-13 10:00")) == .pausedOverdue)
    }

    @Test("The latest open request counts; completed ones move the due")
    func latestOpenRequest() {
        // Completed Mon 9/3 10:00–11:00 (1 h) and open Fri 13/3 08:00: two requests ⇒ forced late.
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .supplementRequested,
                supplements: [supplement("2026-03-13 08:00"), supplement("2026-03-09 10:00", "2026-03-09 11:00")]))
        #expect(a.pausedAt == VN.at("2026-03-13 08:00"))
        #expect(a.due == VN.at("2026-03-13 08:30"))
        #expect(a.timeliness(asOf: VN.at("2026-03-20 00:00")) == .pausedOverdue)
    }

    @Test("Waiting on fees is judged when the status was entered")
    func waitingOnFees() {
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .awaitingFinancialObligation,
                history: [
                    change(.awaitingFinancialObligation, "2026-03-12 09:00"),  // a resync repeats it
                    change(.accepted, "2026-03-09 09:00"),
                    change(.awaitingFinancialObligation, "2026-03-11 16:00"),
                    change(.processing, "2026-03-09 10:00"),
                ]))
        #expect(a.pausedAt == VN.at("2026-03-11 16:00"))
        #expect(a.timeliness(asOf: VN.at("2026-03-20 00:00")) == .pausedWithin)
    }

    @Test("A waiting status with no recorded start is flagged and judged as in progress")
    func waitingWithoutStart() {
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .supplementRequested,
                history: [change(.supplementRequested, "2026-03-09 10:00"), change(.processing, "2026-03-09 11:00")]))
        #expect(a.pausedAt == nil)
        #expect(a.issues.contains(.waitingWithoutStartTime))
        #expect(a.timeliness(asOf: VN.at("2026-03-13 00:00")) == .inProgressOverdue)
    }
}
