import Foundation
import IOCCore
import Testing

/// A row with every timeliness column used: carried over 10, received 30 online + 55 in person +
/// 5 by post = 90, so 100 to handle = 75 resolved (50 early, 20 on time, 5 late) + 15 in progress
/// (12 within, 3 overdue) + 5 paused (4 within, 1 overdue) + 5 withdrawn.
let sampleRow = PublicServiceCounts(
    carriedOver: 10, receivedOnline: 30, receivedDirect: 55, receivedPostal: 5,
    resolvedEarly: 50, resolvedOnTime: 20, resolvedLate: 5,
    inProgressWithin: 12, inProgressOverdue: 3, pausedWithin: 4, pausedOverdue: 1, withdrawn: 5,
    onlineFull: 12, eligibleForFull: 24, onlineLevelKnown: 25,
    paidOnline: 18, feeBearing: 40, digitized: 49, eResult: 63, requireResult: 70, satisfactionNegative: 2)

@Suite("Public-service counts and on-time rates")
struct PublicServiceCountsTests {
    @Test("Totals of the monthly form")
    func totals() {
        #expect(sampleRow.received == 90)
        #expect(sampleRow.toHandle == 100)
        #expect(sampleRow.resolved == 75)
        #expect(sampleRow.inProgress == 15)
        #expect(sampleRow.paused == 5)
        #expect(sampleRow.overdue == 9)
        #expect(sampleRow.processed == 95)
        #expect(sampleRow.processed + sampleRow.withdrawn == sampleRow.toHandle)
    }

    @Test("On-time rate, 766 / Gia Lai style: 1 − overdue / to handle")
    func onTimeRate() throws {
        // 1 − (5 late + 3 in progress overdue + 1 paused overdue) / (10 + 90) = 1 − 9/100 = 0.91.
        let rate = try #require(sampleRow.onTimeRate)
        #expect(abs(rate - 0.91) < 1e-12)
        #expect(TimelinessRate.onTime.fraction(for: sampleRow) == (91, 100))
    }

    @Test("Early-or-on-time share of resolved dossiers")
    func earlyOrOnTime() throws {
        // (50 + 20) / 75 = 0.9333…
        let rate = try #require(sampleRow.earlyOrOnTimeAmongResolvedRate)
        #expect(abs(rate - 70.0 / 75.0) < 1e-12)
    }

    @Test("Zero denominators give N/A")
    func notApplicable() {
        #expect(PublicServiceCounts.zero.onTimeRate == nil)
        #expect(PublicServiceCounts.zero.earlyOrOnTimeAmongResolvedRate == nil)
        // Open dossiers but nothing resolved: the first rate exists, the second is N/A.
        let open = PublicServiceCounts(receivedDirect: 4, inProgressWithin: 3, inProgressOverdue: 1)
        #expect(open.onTimeRate == 0.75)
        #expect(open.earlyOrOnTimeAmongResolvedRate == nil)
    }

    @Test("Both rates carry their definitions in Vietnamese and English")
    func definitions() {
        for rate in TimelinessRate.allCases {
            #expect(!rate.vietnameseDefinition.isEmpty && !rate.englishDefinition.isEmpty)
            #expect(!rate.vietnameseName.isEmpty && !rate.englishName.isEmpty)
        }
        #expect(TimelinessRate.onTime.vietnameseDefinition.contains("tạm dừng quá hạn"))
        #expect(TimelinessRate.earlyOrOnTimeAmongResolved.englishDefinition.contains("resolved"))
    }

    @Test("Rows add counter by counter; zero is the identity")
    func addition() {
        let sum = sampleRow + sampleRow
        #expect(sum.toHandle == 200)
        #expect(sum.resolvedLate == 10)
        #expect(sum.eligibleForFull == 48)
        #expect(PublicServiceCounts.zero + sampleRow == sampleRow)
        #expect(sampleRow + .zero == sampleRow)
        var running = PublicServiceCounts.zero
        running += sampleRow
        #expect(running == sampleRow)
    }

    @Test("An unknown eligible count falls back to online dossiers with a known level")
    func eligibleFallback() {
        let known = PublicServiceCounts(eligibleForFull: 10, onlineLevelKnown: 12)
        let unknown = PublicServiceCounts(onlineLevelKnown: 7)
        #expect(unknown.eligibleForFullOrFallback == 7)
        #expect((unknown + unknown).eligibleForFull == nil)
        #expect((known + unknown).eligibleForFull == 17)
        #expect((unknown + known).eligibleForFull == 17)
    }

    @Test("Counts round-trip through JSON")
    func codable() throws {
        let data = try JSONEncoder().encode(sampleRow)
        #expect(try JSONDecoder().decode(PublicServiceCounts.self, from: data) == sampleRow)
    }
}

@Suite("Public-service counts for a period")
struct PeriodTallyTests {
    /// Report month 3/2026: [15/2 00:00, 15/3 00:00). Open dossiers are judged at 14/3 23:59:59.999.
    let period = ReportPeriod.reportMonth(year: 2026, month: 3).bounds()

    func row(
        _ facts: DossierFacts, _ channel: DossierChannel, _ flags: DossierServiceFlags = DossierServiceFlags()
    ) -> PublicServiceCounts {
        PublicServiceCounts(dossier: rules.assess(facts), channel: channel, flags: flags, period: period)
    }

    var rows: [PublicServiceCounts] {
        [
            // A: received 10/2, due Fri 13/2, ended 12/2 — closed before the period: nowhere.
            row(dossier(received: "2026-02-10 09:00", status: .decided, finishedAt: "2026-02-12 10:00"), .direct),
            // B: received Wed 11/2 + 5 working days (12, 13, 23, 24, 25/2) → due Wed 25/2; ended Tue
            // 24/2 → carried over, resolved early. Its flags are not counted (not received in period).
            row(
                dossier(
                    received: "2026-02-11 09:00", limit: .workingDays(5), status: .decided,
                    history: [change(.decided, "2026-02-24 10:00")]),
                .direct, DossierServiceFlags(requiresResult: true)),
            // C: received online Mon 2/3 + 3 → due Thu 5/3; open → in progress overdue.
            row(
                dossier(received: "2026-03-02 09:00"), .online,
                DossierServiceFlags(
                    onlineLevel: .full, eligibleForFullOnline: true, feeBearing: true, paidOnline: true,
                    requiresResult: true, eResult: true, hasDigitizedComponents: true)),
            // D: received in person Tue 10/3 + 5 (11, 12, 13, 16, 17/3) → due Tue 17/3; open → within.
            row(
                dossier(received: "2026-03-10 09:00", limit: .workingDays(5)), .direct,
                DossierServiceFlags(feeBearing: true, requiresResult: true, hasDigitizedComponents: true)),
            // E: received by post Mon 2/3, due Thu 5/3, ended Fri 6/3 → resolved late.
            row(dossier(received: "2026-03-02 09:00", status: .decided, finishedAt: "2026-03-06 10:00"), .postal),
            // F: received online Wed 4/3 + 10 → due Wed 18/3; supplement asked Mon 9/3 → paused within.
            row(
                dossier(
                    received: "2026-03-04 10:00", limit: .workingDays(10), status: .supplementRequested,
                    supplements: [supplement("2026-03-09 10:00")]),
                .online, DossierServiceFlags(onlineLevel: .partial)),
            // G: received online Mon 2/3, withdrawn Tue 3/3 → withdrawn; its complaint is not counted.
            row(
                dossier(received: "2026-03-02 09:00", status: .withdrawn, history: [change(.withdrawn, "2026-03-03 09:00")]),
                .online, DossierServiceFlags(negativeFeedback: true)),
            // H: refused at intake → nowhere.
            row(dossier(received: "2026-03-05 09:00", status: .refused), .direct),
            // I: received after the period → nowhere.
            row(dossier(received: "2026-03-16 09:00"), .direct),
            // J: received Mon 9/2 + 2 → due Wed 11/2; still open → carried over, in progress overdue;
            // it drew a complaint.
            row(
                dossier(received: "2026-02-09 09:00", limit: .workingDays(2)), .direct,
                DossierServiceFlags(negativeFeedback: true)),
        ]
    }

    @Test("Each dossier lands in one column; the form adds up")
    func tally() {
        let total = rows.reduce(PublicServiceCounts.zero, +)
        #expect(total.carriedOver == 2)  // B, J
        #expect(total.receivedOnline == 3)  // C, F, G
        #expect(total.receivedDirect == 1)  // D
        #expect(total.receivedPostal == 1)  // E
        #expect(total.resolvedEarly == 1)  // B
        #expect(total.resolvedOnTime == 0)
        #expect(total.resolvedLate == 1)  // E
        #expect(total.inProgressWithin == 1)  // D
        #expect(total.inProgressOverdue == 2)  // C, J
        #expect(total.pausedWithin == 1)  // F
        #expect(total.pausedOverdue == 0)
        #expect(total.withdrawn == 1)  // G
        #expect(total.toHandle == total.processed + total.withdrawn)
        #expect(total.toHandle == 7)
    }

    @Test("766 counters count dossiers received in the period, numerators inside denominators")
    func counters766() {
        let total = rows.reduce(PublicServiceCounts.zero, +)
        #expect(total.onlineFull == 1)  // C
        #expect(total.onlineLevelKnown == 2)  // C, F
        // C is known eligible (1); F's row has no eligibility and stands in with its known level (1).
        #expect(total.eligibleForFull == 2)
        #expect(total.feeBearing == 2)  // C, D
        #expect(total.paidOnline == 1)  // C
        #expect(total.requireResult == 2)  // C, D (B is carried over)
        #expect(total.eResult == 1)  // C
        #expect(total.digitized == 1)  // C; D is digitised but has no e-result
        #expect(total.satisfactionNegative == 1)  // J; G is withdrawn
    }

    @Test("The order of adding dossiers does not matter")
    func orderIndependent() {
        #expect(rows.reduce(PublicServiceCounts.zero, +) == rows.reversed().reduce(PublicServiceCounts.zero, +))
    }

    @Test("The next report month carries over what was open")
    func nextMonth() {
        // Report month 4/2026 = [15/3, 15/4): C, D, F, J are still open and carried over; nothing new.
        let april = ReportPeriod.reportMonth(year: 2026, month: 4).bounds()
        let facts: [DossierFacts] = [
            dossier(received: "2026-03-02 09:00"),
            dossier(received: "2026-03-10 09:00", limit: .workingDays(5)),
            dossier(received: "2026-03-16 09:00"),  // I, received now
            dossier(received: "2026-03-02 09:00", status: .decided, finishedAt: "2026-03-06 10:00"),  // E, closed
        ]
        let total = facts.reduce(PublicServiceCounts.zero) {
            $0 + PublicServiceCounts(dossier: rules.assess($1), channel: .direct, period: april)
        }
        #expect(total.carriedOver == 2)
        #expect(total.receivedDirect == 1)
        #expect(total.inProgressOverdue == 3)
        #expect(total.resolved == 0)
    }
}
