import Foundation
import IOCCore
import Testing

@Suite("Civil date")
struct CivilDateTests {
    @Test("Weekdays of known dates")
    func weekdays() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).weekday == .thursday)
        #expect(CivilDate(year: 2026, month: 2, day: 17).weekday == .tuesday)  // Tết Bính Ngọ
        #expect(CivilDate(year: 2026, month: 8, day: 22).weekday == .saturday)
        #expect(CivilDate(year: 2026, month: 4, day: 26).weekday == .sunday)
        #expect(CivilDate(year: 1969, month: 12, day: 29).weekday == .monday)
        #expect(CivilDate(year: 2026, month: 8, day: 22).isWeekend)
        #expect(!CivilDate(year: 2026, month: 8, day: 31).isWeekend)
    }

    @Test("Day arithmetic across month, leap-day and year boundaries")
    func arithmetic() {
        let date = CivilDate(year: 2024, month: 2, day: 28)
        #expect(date.adding(days: 1) == CivilDate(year: 2024, month: 2, day: 29))
        #expect(date.adding(days: 2) == CivilDate(year: 2024, month: 3, day: 1))
        #expect(CivilDate(year: 2025, month: 12, day: 31).adding(days: 1) == CivilDate(year: 2026, month: 1, day: 1))
        #expect(CivilDate(year: 2026, month: 3, day: 1).adding(days: -1) == CivilDate(year: 2026, month: 2, day: 28))
        #expect(CivilDate(year: 2026, month: 1, day: 1).days(to: CivilDate(year: 2027, month: 1, day: 1)) == 365)
        #expect(CivilDate(year: 2024, month: 1, day: 1).days(to: CivilDate(year: 2025, month: 1, day: 1)) == 366)
        #expect(CivilDate(year: 2000, month: 1, day: 1).julianDayNumber == 2_451_545)
        #expect(CivilDate(julianDayNumber: 2_451_545) == CivilDate(year: 2000, month: 1, day: 1))
    }

    @Test("Day numbers agree with Foundation's Gregorian calendar, 1900–2100")
    func agreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var mismatches = 0
        for day in stride(from: -25_567, through: 47_482, by: 97) {
            let date = CivilDate(daysSince1970: day)
            let parts = calendar.dateComponents(
                [.year, .month, .day], from: Date(timeIntervalSince1970: Double(day) * 86_400))
            if parts.year != date.year || parts.month != date.month || parts.day != date.day { mismatches += 1 }
            if date.daysSince1970 != day { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("Ordering, validation and ISO 8601 text")
    func orderingAndText() {
        #expect(CivilDate(year: 2026, month: 2, day: 16) < CivilDate(year: 2026, month: 2, day: 17))
        #expect(CivilDate(year: 2025, month: 12, day: 31) < CivilDate(year: 2026, month: 1, day: 1))
        #expect(CivilDate(iso8601: "2026-02-16") == CivilDate(year: 2026, month: 2, day: 16))
        #expect(CivilDate(iso8601: "2026-02-30") == nil)
        #expect(CivilDate(iso8601: "2025-2-1") == nil)
        #expect(CivilDate(iso8601: "2024-02-29") != nil)
        #expect(CivilDate(iso8601: "2023-02-29") == nil)
        #expect(CivilDate(year: 2026, month: 9, day: 2).description == "2026-09-02")
        #expect(!CivilDate.isValid(year: 2026, month: 13, day: 1))
    }

    @Test("Codable as a YYYY-MM-DD string; bad strings are rejected")
    func codable() throws {
        let data = try JSONEncoder().encode([CivilDate(year: 2026, month: 8, day: 22)])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-08-22"]"#)
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [CivilDate(year: 2026, month: 8, day: 22)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["2026-02-31"]"#.utf8))
        }
    }
}
