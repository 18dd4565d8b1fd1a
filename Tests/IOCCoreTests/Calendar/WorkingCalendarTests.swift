import Foundation
import IOCCore
import Testing

/// An instant written as Vietnam local time, `"2026-02-13 16:00"`, parsed independently of the
/// calendar under test.
private func vn(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text.replacingOccurrences(of: " ", with: "T") + ":00+07:00")!
}

private func date(_ text: String) -> CivilDate { CivilDate(iso8601: text)! }

private let hour: TimeInterval = 3600

@Suite("Working calendar")
struct WorkingCalendarTests {
    let calendar = WorkingCalendar.vietnamCivilService

    static let days2026: [(String, Bool)] = [
        // Holidays and days off.
        ("2026-01-01", false), ("2026-01-02", false), ("2026-02-16", false), ("2026-02-17", false), ("2026-02-18", false),
        ("2026-02-19", false), ("2026-02-20", false), ("2026-04-26", false), ("2026-04-27", false),
        ("2026-04-30", false), ("2026-05-01", false), ("2026-08-31", false), ("2026-09-01", false),
        ("2026-09-02", false),
        // Weekends around them.
        ("2026-02-14", false), ("2026-02-15", false), ("2026-02-21", false), ("2026-02-22", false),
        ("2026-04-25", false), ("2026-05-02", false), ("2026-05-03", false), ("2026-08-29", false),
        ("2026-08-30", false),
        // The make-up Saturdays.
        ("2026-01-10", true), ("2026-08-22", true),
        // Ordinary working days next to the holidays.
        ("2025-12-31", true), ("2026-01-05", true), ("2026-02-13", true), ("2026-02-23", true), ("2026-04-24", true),
        ("2026-04-28", true), ("2026-04-29", true), ("2026-05-04", true), ("2026-08-28", true),
        ("2026-09-03", true),
    ]

    @Test("2026: holidays, days off and the make-up Saturday", arguments: days2026)
    func workingDays2026(day: String, isWorking: Bool) {
        #expect(calendar.isWorkingDay(date(day)) == isWorking)
    }

    @Test("2026 has 250 working days (261 weekdays, 13 weekdays off, 2 make-up Saturdays)")
    func count2026() {
        #expect(calendar.workingDays(from: date("2026-01-01"), to: date("2027-01-01")) == 250)
    }

    @Test("The 2026 New-Year swap moves deadlines: received Wed 31/12/2025 10:00 with 3 working days → due Wed 7/1 17:00")
    func newYearSwap2026() {
        let rules = TimelinessRules()
        let received = vn("2025-12-31 10:00")
        // 31/12 counts from receipt; 1/1 holiday, 2/1 swapped off, 3–4/1 weekend: 5/1, 6/1, 7/1.
        #expect(rules.due(for: .workingDays(3), from: rules.effectiveReceipt(of: received)) == vn("2026-01-07 17:00"))
        // Saturday 10/1 is worked: received Friday 9/1 10:00 with 1 working day → due Saturday 10/1 17:00.
        #expect(rules.due(for: .workingDays(1), from: rules.effectiveReceipt(of: vn("2026-01-09 10:00"))) == vn("2026-01-10 17:00"))
    }

    @Test("Local dates and instants use Vietnam time")
    func localTime() {
        #expect(calendar.instant(on: date("2026-02-13"), at: .init(hour: 16)) == vn("2026-02-13 16:00"))
        #expect(vn("2026-02-13 16:00").timeIntervalSince1970 == 1_770_973_200)
        // 23:30 UTC on 12/2 is already 13/2 in Vietnam.
        #expect(calendar.civilDate(of: Date(timeIntervalSince1970: 1_770_939_000)) == date("2026-02-13"))
        #expect(calendar.isOfficeTime(vn("2026-02-13 16:59")))
        #expect(!calendar.isOfficeTime(vn("2026-02-13 17:00")))
        #expect(!calendar.isOfficeTime(vn("2026-02-13 12:00")))
        #expect(!calendar.isOfficeTime(vn("2026-02-16 09:00")))  // Tết
        #expect(calendar.isOfficeTime(vn("2026-08-22 09:00")))  // make-up Saturday
    }

    @Test("Monday 09:00 + 3 working days → Thursday 17:00")
    func addWorkingDaysPlain() {
        #expect(calendar.addWorkingDays(3, to: vn("2026-03-09 09:00")) == vn("2026-03-12 17:00"))
        #expect(calendar.addWorkingDays(1, to: vn("2026-03-13 16:00")) == vn("2026-03-16 17:00"))
        // The time of day does not matter, even after closing.
        #expect(calendar.addWorkingDays(1, to: vn("2026-03-09 22:00")) == vn("2026-03-10 17:00"))
        // From a Saturday, the first working day after it is Monday.
        #expect(calendar.addWorkingDays(1, to: vn("2026-03-07 10:00")) == vn("2026-03-09 17:00"))
        #expect(calendar.addWorkingDays(0, to: vn("2026-03-07 10:00")) == vn("2026-03-09 17:00"))
        #expect(calendar.addWorkingDays(0, to: vn("2026-03-09 10:00")) == vn("2026-03-09 17:00"))
        #expect(calendar.addWorkingDays(-1, to: vn("2026-03-09 10:00")) == vn("2026-03-06 17:00"))
    }

    @Test("Working days across 30/4–1/5/2026")
    func addWorkingDaysReunification() {
        // Wed 29/4 → (30/4, 1/5 holidays, weekend) → Mon 4/5.
        #expect(calendar.addWorkingDays(1, to: vn("2026-04-29 10:00")) == vn("2026-05-04 17:00"))
        #expect(calendar.addWorkingDays(2, to: vn("2026-04-29 10:00")) == vn("2026-05-05 17:00"))
        // Thu 23/4 + 3: Fri 24/4, (weekend, Giỗ Tổ compensatory Monday 27/4) Tue 28/4, Wed 29/4.
        #expect(calendar.addWorkingDays(3, to: vn("2026-04-23 08:00")) == vn("2026-04-29 17:00"))
    }

    @Test("Working days across 31/8–2/9/2026 and the make-up Saturday 22/8")
    func addWorkingDaysNationalDay() {
        // Fri 28/8 → (weekend, swapped Mon 31/8, holidays 1/9, 2/9) → Thu 3/9.
        #expect(calendar.addWorkingDays(1, to: vn("2026-08-28 09:00")) == vn("2026-09-03 17:00"))
        // Fri 21/8 → Saturday 22/8 is a working day.
        #expect(calendar.addWorkingDays(1, to: vn("2026-08-21 09:00")) == vn("2026-08-22 17:00"))
        #expect(calendar.addWorkingDays(2, to: vn("2026-08-21 09:00")) == vn("2026-08-24 17:00"))
        #expect(calendar.addWorkingDays(-1, to: vn("2026-09-03 09:00")) == vn("2026-08-28 17:00"))
    }

    @Test("Working hours across the lunch break")
    func addWorkingTimeLunch() {
        #expect(calendar.addWorkingTime(1 * hour, to: vn("2026-03-09 11:00")) == vn("2026-03-09 13:30"))
        // A deadline that ends exactly at the break ends at 11:30, not 13:00.
        #expect(calendar.addWorkingTime(0.5 * hour, to: vn("2026-03-09 11:00")) == vn("2026-03-09 11:30"))
        // Starting during the break starts at 13:00.
        #expect(calendar.addWorkingTime(0.5 * hour, to: vn("2026-03-09 12:00")) == vn("2026-03-09 13:30"))
        // Two full working days from Monday 09:00.
        #expect(calendar.addWorkingTime(16 * hour, to: vn("2026-03-09 09:00")) == vn("2026-03-11 09:00"))
    }

    @Test("Working hours across a weekend and from outside office hours")
    func addWorkingTimeWeekend() {
        #expect(calendar.addWorkingTime(1 * hour, to: vn("2026-03-13 16:30")) == vn("2026-03-16 08:00"))
        #expect(calendar.addWorkingTime(1 * hour, to: vn("2026-03-13 16:00")) == vn("2026-03-13 17:00"))
        #expect(calendar.addWorkingTime(1 * hour, to: vn("2026-03-07 10:00")) == vn("2026-03-09 08:30"))
        #expect(calendar.addWorkingTime(0.5 * hour, to: vn("2026-03-09 06:00")) == vn("2026-03-09 08:00"))
        #expect(calendar.addWorkingTime(1 * hour, to: vn("2026-03-09 18:00")) == vn("2026-03-10 08:30"))
        #expect(calendar.addWorkingTime(0, to: vn("2026-03-07 10:00")) == vn("2026-03-07 10:00"))
    }

    @Test("Working hours across Tết 2026: Friday 13/2 16:00 + 2 h → Monday 23/2 08:30")
    func addWorkingTimeTet() {
        #expect(calendar.addWorkingTime(2 * hour, to: vn("2026-02-13 16:00")) == vn("2026-02-23 08:30"))
        #expect(calendar.workingTime(from: vn("2026-02-13 16:00"), to: vn("2026-02-23 08:30")) == 2 * hour)
    }

    @Test("Subtracting working hours counts backwards")
    func subtractWorkingTime() {
        #expect(calendar.addWorkingTime(-1 * hour, to: vn("2026-03-09 08:00")) == vn("2026-03-06 16:30"))
        #expect(calendar.addWorkingTime(-8 * hour, to: vn("2026-03-09 07:30")) == vn("2026-03-06 07:30"))
        #expect(calendar.addWorkingTime(-2 * hour, to: vn("2026-02-23 08:30")) == vn("2026-02-13 16:00"))
        #expect(calendar.addWorkingTime(-0.5 * hour, to: vn("2026-03-09 13:30")) == vn("2026-03-09 13:00"))
    }

    @Test("Working time across a weekend, a holiday and the lunch break")
    func workingTime() {
        // Fri 16:00–17:00 and Mon 07:30–09:00.
        #expect(calendar.workingTime(from: vn("2026-03-13 16:00"), to: vn("2026-03-16 09:00")) == 2.5 * hour)
        // Wed 29/4 16:00 → Mon 4/5 08:30 over 30/4, 1/5 and the weekend.
        #expect(calendar.workingTime(from: vn("2026-04-29 16:00"), to: vn("2026-05-04 08:30")) == 2 * hour)
        #expect(calendar.workingTime(from: vn("2026-03-09 11:00"), to: vn("2026-03-09 13:30")) == 1 * hour)
        // A whole week.
        #expect(calendar.workingTime(from: vn("2026-03-09 00:00"), to: vn("2026-03-16 00:00")) == 40 * hour)
        // Nothing between two non-office instants of the same stretch.
        #expect(calendar.workingTime(from: vn("2026-03-14 10:00"), to: vn("2026-03-15 10:00")) == 0)
        #expect(calendar.workingTime(from: vn("2026-03-09 12:00"), to: vn("2026-03-09 12:59")) == 0)
        // Reversed arguments give the negative.
        #expect(calendar.workingTime(from: vn("2026-03-16 09:00"), to: vn("2026-03-13 16:00")) == -2.5 * hour)
    }

    @Test("Next working-day starts and office time")
    func nextStarts() {
        #expect(calendar.startOfNextWorkingDay(after: vn("2026-02-13 15:30")) == vn("2026-02-23 07:30"))
        #expect(calendar.startOfNextWorkingDay(after: vn("2026-03-09 06:00")) == vn("2026-03-10 07:30"))
        #expect(calendar.nextWorkingDayStart(at: vn("2026-02-23 07:30")) == vn("2026-02-23 07:30"))
        #expect(calendar.nextWorkingDayStart(after: vn("2026-02-23 07:30")) == vn("2026-02-24 07:30"))
        #expect(calendar.nextWorkingDayStart(after: vn("2026-02-23 07:00")) == vn("2026-02-23 07:30"))
        #expect(calendar.nextWorkingDayStart(at: vn("2026-02-23 10:00")) == vn("2026-02-24 07:30"))
        #expect(calendar.nextWorkingDayStart(after: vn("2026-08-21 18:00")) == vn("2026-08-22 07:30"))
        #expect(calendar.nextOfficeTime(atOrAfter: vn("2026-02-23 10:00")) == vn("2026-02-23 10:00"))
        #expect(calendar.nextOfficeTime(atOrAfter: vn("2026-02-23 12:00")) == vn("2026-02-23 13:00"))
        #expect(calendar.nextOfficeTime(atOrAfter: vn("2026-02-23 17:00")) == vn("2026-02-24 07:30"))
        #expect(calendar.nextOfficeTime(atOrAfter: vn("2026-02-14 09:00")) == vn("2026-02-23 07:30"))
        #expect(calendar.nextWorkingDay(after: date("2026-08-28")) == date("2026-09-03"))
        #expect(calendar.workingDay(onOrAfter: date("2026-08-29")) == date("2026-09-03"))
        #expect(calendar.workingDay(onOrAfter: date("2026-08-28")) == date("2026-08-28"))
    }

    @Test("Calendar hours are plain elapsed time")
    func calendarHours() {
        #expect(calendar.addCalendarHours(72, to: vn("2026-02-13 16:00")) == vn("2026-02-16 16:00"))
        #expect(calendar.addCalendarHours(0.5, to: vn("2026-02-13 23:45")) == vn("2026-02-14 00:15"))
    }

    @Test("2031 has no table data: the generator supplies Tết Tân Hợi and Quốc khánh")
    func fallbackYear() {
        // Tết 21/1–25/1/2031 plus Monday 27/1 (compensatory for Saturday 25/1).
        for day in ["2031-01-21", "2031-01-22", "2031-01-23", "2031-01-24", "2031-01-27"] {
            #expect(!calendar.isWorkingDay(date(day)), "\(day)")
        }
        #expect(calendar.isWorkingDay(date("2031-01-20")) && calendar.isWorkingDay(date("2031-01-28")))
        #expect(calendar.addWorkingDays(1, to: vn("2031-01-20 09:00")) == vn("2031-01-28 17:00"))
        #expect(calendar.addWorkingTime(1 * hour, to: vn("2031-01-20 16:30")) == vn("2031-01-28 08:00"))
        // 2/9/2031 is a Tuesday: Monday 1/9 joins it.
        #expect(!calendar.isWorkingDay(date("2031-09-01")) && !calendar.isWorkingDay(date("2031-09-02")))
        #expect(calendar.isWorkingDay(date("2031-09-03")))
    }

    @Test("Outside the precomputed years the answers are the same, only slower")
    func slowPathMatchesFastPath() {
        let narrow = WorkingCalendar(precomputedYears: 2026...2026)
        let starts = [
            vn("2024-04-26 10:00"), vn("2025-01-24 16:00"), vn("2025-12-31 16:30"), vn("2026-12-31 15:00"),
            vn("2027-02-03 11:00"), vn("2031-01-20 09:00"), vn("2019-12-31 12:00"),
        ]
        for start in starts {
            for n in [-7, -1, 0, 1, 3, 12, 40] {
                #expect(narrow.addWorkingDays(n, to: start) == calendar.addWorkingDays(n, to: start))
            }
            for hours in [-30.0, -8, -0.5, 0.25, 4, 9, 100] {
                #expect(
                    narrow.addWorkingTime(hours * hour, to: start) == calendar.addWorkingTime(hours * hour, to: start))
            }
            let later = start.addingTimeInterval(23 * 86_400 + 5_000)
            #expect(narrow.workingTime(from: start, to: later) == calendar.workingTime(from: start, to: later))
            #expect(narrow.startOfNextWorkingDay(after: start) == calendar.startOfNextWorkingDay(after: start))
        }
        #expect(
            narrow.workingDays(from: date("2020-01-01"), to: date("2032-01-01"))
                == calendar.workingDays(from: date("2020-01-01"), to: date("2032-01-01")))
    }

    @Test("Custom office hours and a time zone with daylight saving time")
    func customConfiguration() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let hours = WorkingCalendar.OfficeHours(sessions: [
            .init(start: .init(hour: 8), end: .init(hour: 16))
        ])
        let custom = WorkingCalendar(
            officeHours: hours, timeZone: berlin, holidays: PublicHolidays(days: [], tableYears: [2026]),
            precomputedYears: 2026...2026)
        // Monday 6/7/2026 15:00 CEST (13:00 UTC) + 2 h → Tuesday 09:00 CEST (07:00 UTC).
        let start = Date(timeIntervalSince1970: 1_783_342_800)
        #expect(custom.addWorkingTime(2 * hour, to: start) == Date(timeIntervalSince1970: 1_783_407_600))
        #expect(custom.addWorkingDays(1, to: start) == Date(timeIntervalSince1970: 1_783_432_800))  // Tue 16:00 CEST
        // Friday 23/10/2026 15:00 CEST + 2 h crosses the switch to CET: Monday 26/10 09:00 CET (08:00 UTC).
        let friday = Date(timeIntervalSince1970: 1_792_760_400)
        #expect(custom.addWorkingTime(2 * hour, to: friday) == Date(timeIntervalSince1970: 1_793_001_600))
        #expect(custom.isWorkingDay(date("2026-09-02")))  // no holidays in this table
    }
}
