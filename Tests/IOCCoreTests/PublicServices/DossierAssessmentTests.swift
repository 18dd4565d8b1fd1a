import Foundation
import IOCCore
import Testing

@Suite("Dossier assessment: classification as of an instant")
struct ClassificationTests {
    /// Received Mon 9/3 09:00, 3 working days → due Thu 12/3 17:00.
    func ended(at end: String) -> DossierAssessment {
        rules.assess(dossier(received: "2026-03-09 09:00", status: .decided, finishedAt: end))
    }

    @Test("Day limits compare dates: before the due date early, on it on time, after it late")
    func byDate() {
        let asOf = VN.at("2026-03-31 00:00")
        #expect(ended(at: "2026-03-11 16:00").timeliness(asOf: asOf) == .early)
        #expect(ended(at: "2026-03-12 08:00").timeliness(asOf: asOf) == .onTime)
        // After the 17:00 due moment but on the due date: still on time.
        #expect(ended(at: "2026-03-12 19:00").timeliness(asOf: asOf) == .onTime)
        #expect(ended(at: "2026-03-13 08:00").timeliness(asOf: asOf) == .late)
    }

    @Test("Calendar-day limits compare dates too")
    func calendarDaysByDate() {
        // Effective Mon 9/3 07:30 + 5 days → due date Sat 14/3.
        func end(_ at: String) -> Timeliness {
            rules.assess(dossier(received: "2026-03-06 16:00", limit: .days(5), status: .decided, finishedAt: at))
                .timeliness(asOf: VN.at("2026-03-31 00:00"))
        }
        #expect(end("2026-03-13 10:00") == .early)
        #expect(end("2026-03-14 20:00") == .onTime)
        #expect(end("2026-03-15 08:00") == .late)
    }

    @Test("Hour limits compare instants and have no early")
    func byInstant() {
        // Fri 6/3 10:00 + 8 working hours → Mon 9/3 10:00.
        func end(_ at: String) -> Timeliness {
            rules.assess(
                dossier(received: "2026-03-06 10:00", limit: .workingHours(8), status: .decided, finishedAt: at)
            ).timeliness(asOf: VN.at("2026-03-31 00:00"))
        }
        #expect(end("2026-03-06 14:00") == .onTime)
        #expect(end("2026-03-09 10:00") == .onTime)
        #expect(end("2026-03-09 10:00:01") == .late)
    }

    @Test("In progress turns overdue exactly when the due date has passed (UTC+7)")
    func overdueFlip() {
        let a = rules.assess(dossier(received: "2026-03-09 09:00"))
        #expect(a.timeliness(asOf: VN.at("2026-03-12 17:30")) == .inProgressWithin)
        #expect(a.timeliness(asOf: VN.at("2026-03-12 23:59")) == .inProgressWithin)
        #expect(a.timeliness(asOf: VN.at("2026-03-12 23:59:59")) == .inProgressWithin)
        #expect(a.timeliness(asOf: VN.at("2026-03-13 00:00")) == .inProgressOverdue)
        // 2026-03-12T17:00Z is already 13/3 00:00 in Vietnam.
        #expect(a.timeliness(asOf: Date(timeIntervalSince1970: 1_773_334_800)) == .inProgressOverdue)
        #expect(a.timeliness(asOf: Date(timeIntervalSince1970: 1_773_334_799)) == .inProgressWithin)
    }

    @Test("Hour limits turn overdue right after the due instant")
    func overdueFlipHours() {
        let a = rules.assess(dossier(received: "2026-03-06 10:00", limit: .workingHours(8)))
        #expect(a.timeliness(asOf: VN.at("2026-03-09 10:00")) == .inProgressWithin)
        #expect(a.timeliness(asOf: VN.at("2026-03-09 10:00:01")) == .inProgressOverdue)
    }

    @Test("An end after asOf is not yet an end")
    func endAfterAsOf() {
        let a = ended(at: "2026-03-13 08:00")
        #expect(a.timeliness(asOf: VN.at("2026-03-12 12:00")) == .inProgressWithin)
        #expect(a.timeliness(asOf: VN.at("2026-03-13 07:00")) == .inProgressOverdue)
        #expect(a.timeliness(asOf: VN.at("2026-03-13 08:00")) == .late)
    }

    @Test("Without a deadline a dossier ends on time and is never overdue, unless forced late")
    func withoutDeadline() {
        let open = rules.assess(dossier(received: "2026-03-09 09:00", limit: nil))
        #expect(open.timeliness(asOf: VN.at("2027-01-01 00:00")) == .inProgressWithin)
        let done = rules.assess(dossier(received: "2026-03-09 09:00", limit: nil, status: .decided, finishedAt: "2026-12-01 09:00"))
        #expect(done.timeliness(asOf: VN.at("2027-01-01 00:00")) == .onTime)
        let forced = rules.assess(
            dossier(
                received: "2026-03-09 09:00", limit: nil, status: .supplementRequested,
                supplements: [supplement("2026-03-10 09:00", "2026-03-10 10:00"), supplement("2026-03-11 09:00")]))
        #expect(forced.timeliness(asOf: VN.at("2026-03-12 00:00")) == .pausedOverdue)
    }

    @Test("Days late counts working days after the due date, at least one when past it")
    func daysLate() {
        let open = rules.assess(dossier(received: "2026-03-09 09:00"))  // due Thu 12/3
        #expect(open.daysLate(asOf: VN.at("2026-03-12 20:00"), calendar: rules.calendar) == 0)
        // (12/3, 16/3] holds Fri 13 and Mon 16 → 2.
        #expect(rules.daysLate(open, asOf: VN.at("2026-03-16 10:00")) == 2)
        // Ended Sat 14/3: late by date, no working day after the due date → 1.
        #expect(rules.daysLate(ended(at: "2026-03-14 09:00"), asOf: VN.at("2026-03-31 00:00")) == 1)
        // Ended Tue 17/3: Fri 13, Mon 16, Tue 17 → 3, whatever the asOf.
        #expect(rules.daysLate(ended(at: "2026-03-17 09:00"), asOf: VN.at("2026-04-30 00:00")) == 3)
        // Across Tết: received Wed 11/2 09:00 + 2 working days → Fri 13/2; as of Mon 23/2 → 1.
        let tet = rules.assess(dossier(received: "2026-02-11 09:00", limit: .workingDays(2)))
        #expect(tet.dueDate == VN.date("2026-02-13"))
        #expect(rules.daysLate(tet, asOf: VN.at("2026-02-23 09:00")) == 1)
        // Paused after the due: counted to the request, not to asOf.
        let paused = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .supplementRequested,
                supplements: [supplement("2026-03-13 09:00")]))
        #expect(rules.daysLate(paused, asOf: VN.at("2026-04-30 00:00")) == 1)
    }

    @Test("Days late is 0 for a dossier late only because of several supplement requests")
    func daysLateForcedOnly() {
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .decided,
                supplements: [
                    supplement("2026-03-09 10:00", "2026-03-09 11:00"),
                    supplement("2026-03-09 14:00", "2026-03-09 15:00"),
                ],
                finishedAt: "2026-03-10 10:00"))
        #expect(a.timeliness(asOf: VN.at("2026-03-31 00:00")) == .late)
        #expect(rules.daysLate(a, asOf: VN.at("2026-03-31 00:00")) == 0)
    }

    @Test("An assessment round-trips through JSON as a stored value")
    func codable() throws {
        let a = rules.assess(
            dossier(
                received: "2026-03-09 09:00", status: .supplementRequested,
                supplements: [supplement("2026-03-09 10:00", "2026-03-09 11:00"), supplement("2026-03-11 09:00")]))
        let data = try JSONEncoder().encode(a)
        let back = try JSONDecoder().decode(DossierAssessment.self, from: data)
        #expect(back == a)
        #expect(back.utcOffsetSeconds == 25_200)
        #expect(String(decoding: data, as: UTF8.self).contains(#""dueDate":"2026-03-13""#))
    }

    @Test("Local dates use the stored UTC offset")
    func localDate() {
        let a = rules.assess(dossier(received: "2026-03-09 09:00"))
        #expect(a.localDate(of: VN.at("2026-03-12 23:59:59")) == VN.date("2026-03-12"))
        #expect(a.localDate(of: VN.at("2026-03-13 00:00")) == VN.date("2026-03-13"))
    }
}
