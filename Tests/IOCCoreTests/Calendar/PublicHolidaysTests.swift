import Foundation
import IOCCore
import Testing

private func date(_ text: String) -> CivilDate { CivilDate(iso8601: text)! }

@Suite("Public holidays")
struct PublicHolidaysTests {
    let table = PublicHolidays.vietnamCivilService

    @Test("The 2026 civil-service calendar is exactly the announced one (TB 9441/TB-BNV; CV 12729/VPCP-KGVX)")
    func calendar2026() {
        let entries = table.days(inYear: 2026).map { "\($0.date) \($0.kind.rawValue)" }
        #expect(
            entries == [
                "2026-01-01 holiday", "2026-01-02 swappedDayOff", "2026-01-10 makeUpWorkingDay",
                "2026-02-16 holiday", "2026-02-17 holiday", "2026-02-18 holiday", "2026-02-19 holiday",
                "2026-02-20 holiday",
                "2026-04-26 holiday", "2026-04-27 compensatoryDayOff",
                "2026-04-30 holiday", "2026-05-01 holiday",
                "2026-08-22 makeUpWorkingDay", "2026-08-31 swappedDayOff",
                "2026-09-01 holiday", "2026-09-02 holiday",
            ])
        #expect(table.days(inYear: 2026).allSatisfy { $0.source == .announced })
        #expect(table.days(on: date("2026-04-27")).first?.vietnameseName == "Nghỉ bù Giỗ Tổ Hùng Vương")
        #expect(table.days(on: date("2026-08-22")).first?.englishName == "Make-up working day (National Day)")
    }

    @Test("The table covers 2020–2027: 2020–2026 announced, 2027 generated")
    func coverage() {
        #expect(table.tableYears == Set(2020...2027))
        for year in 2020...2026 {
            #expect(table.days(inYear: year).allSatisfy { $0.source == .announced }, "year \(year)")
        }
        #expect(table.days(inYear: 2027).allSatisfy { $0.source == .generated })
    }

    @Test("The shipped 2027 entries are the generator's output")
    func table2027IsGenerated() {
        let shipped = table.days(inYear: 2027)
        let generated = PublicHolidays.generate(year: 2027)
        #expect(shipped == generated)
    }

    @Test("Swaps appear only where announced: 2024, 2025, 2026")
    func swaps() {
        let swapped = table.tableDays.filter { $0.kind == .swappedDayOff }.map(\.date)
        let madeUp = table.tableDays.filter { $0.kind == .makeUpWorkingDay }.map(\.date)
        #expect(swapped == [date("2024-04-29"), date("2025-05-02"), date("2026-01-02"), date("2026-08-31")])
        #expect(madeUp == [date("2024-05-04"), date("2025-04-26"), date("2026-01-10"), date("2026-08-22")])
        #expect(swapped.allSatisfy { !$0.isWeekend })
        #expect(madeUp.allSatisfy { $0.isWeekend })
    }

    @Test(
        "With the default rules the generator gives the announced weekday days off (swaps aside)",
        arguments: 2020...2026)
    func generatorMatchesAnnouncements(year: Int) {
        let generated = PublicHolidays.generate(year: year, rules: .statutory(forYear: year))
        let generatedOff = Set(generated.filter { $0.kind.isDayOff && !$0.date.isWeekend }.map(\.date))
        let announcedOff = Set(
            table.days(inYear: year).filter {
                ($0.kind == .holiday || $0.kind == .compensatoryDayOff) && !$0.date.isWeekend
            }.map(\.date))
        #expect(generatedOff == announcedOff)
        #expect(generated.allSatisfy { $0.source == .generated && $0.kind != .swappedDayOff })
    }

    @Test("Generator: 2026 with Tết from the last day of the year through lunar 4/1")
    func tetParameter() {
        let rules = PublicHolidays.Rules(tetDaysBeforeLunarNewYear: 1)
        let tet = PublicHolidays.generate(year: 2026, rules: rules).filter { $0.occasion == .lunarNewYear }
        #expect(tet.map(\.date) == (16...20).map { CivilDate(year: 2026, month: 2, day: $0) })
        #expect(tet.allSatisfy { $0.kind == .holiday })
        // Default (two days before): Sunday 15/2 is a holiday, so Friday 20/2 is its compensatory day.
        let byDefault = PublicHolidays.generate(year: 2026).filter { $0.occasion == .lunarNewYear }
        #expect(
            byDefault.map { "\($0.date) \($0.kind.rawValue)" } == [
                "2026-02-15 holiday", "2026-02-16 holiday", "2026-02-17 holiday", "2026-02-18 holiday",
                "2026-02-19 holiday", "2026-02-20 compensatoryDayOff",
            ])
    }

    @Test("Generator: the day next to Quốc khánh")
    func nationalDayParameter() {
        func nationalDays(_ year: Int, _ choice: PublicHolidays.Rules.NationalDayAdjacentDay) -> [String] {
            PublicHolidays.generate(year: year, rules: .init(nationalDayAdjacentDay: choice))
                .filter { $0.occasion == .nationalDay }.map { "\($0.date) \($0.kind.rawValue)" }
        }
        #expect(nationalDays(2026, .september1) == ["2026-09-01 holiday", "2026-09-02 holiday"])
        #expect(nationalDays(2026, .september3) == ["2026-09-02 holiday", "2026-09-03 holiday"])
        #expect(nationalDays(2026, .automatic) == ["2026-09-01 holiday", "2026-09-02 holiday"])
        #expect(nationalDays(2024, .automatic) == ["2024-09-02 holiday", "2024-09-03 holiday"])
        // 2/9/2023 is a Saturday: 1/9 joins it and Monday 4/9 is the compensatory day.
        #expect(
            nationalDays(2023, .automatic) == [
                "2023-09-01 holiday", "2023-09-02 holiday", "2023-09-04 compensatoryDayOff",
            ])
        #expect(nationalDays(2020, .none) == ["2020-09-02 holiday"])
    }

    @Test("Generator: compensatory days go to the next working day (Điều 111 khoản 3)")
    func compensatoryDays() {
        // 2028: 1/1 is a Saturday → Monday 3/1.
        let days2028 = PublicHolidays.generate(year: 2028)
        #expect(
            days2028.contains {
                $0.date == date("2028-01-03") && $0.kind == .compensatoryDayOff && $0.occasion == .newYear
            })
        // 2022: 30/4 Saturday and 1/5 Sunday → Monday 2/5 and Tuesday 3/5.
        let may2022 = PublicHolidays.generate(year: 2022).filter {
            $0.kind == .compensatoryDayOff && $0.date.month == 5
        }
        #expect(may2022.map(\.date) == [date("2022-05-02"), date("2022-05-03")])
        // 2023: Giỗ Tổ Saturday 29/4, 30/4 Sunday, 1/5 Monday → 2/5 and 3/5.
        let may2023 = PublicHolidays.generate(year: 2023).filter {
            $0.kind == .compensatoryDayOff && $0.date.month == 5
        }
        #expect(may2023.map(\.date) == [date("2023-05-02"), date("2023-05-03")])
        #expect(may2023.map(\.occasion) == [.hungKingsCommemoration, .reunificationDay])
    }

    @Test("Years outside the table come from the generator under the law in force")
    func fallback() {
        let days2031 = table.days(inYear: 2031)
        #expect(days2031 == PublicHolidays.generate(year: 2031))
        #expect(days2031.allSatisfy { $0.source == .generated })
        // Tết Tân Hợi is Thursday 23/1/2031: 21/1–25/1, Saturday 25/1 → Monday 27/1.
        #expect(
            days2031.filter { $0.occasion == .lunarNewYear }.map { "\($0.date) \($0.kind.rawValue)" } == [
                "2031-01-21 holiday", "2031-01-22 holiday", "2031-01-23 holiday", "2031-01-24 holiday",
                "2031-01-25 holiday", "2031-01-27 compensatoryDayOff",
            ])
        // Quốc khánh was one day under Bộ luật Lao động 2012.
        #expect(table.days(inYear: 2019).filter { $0.occasion == .nationalDay }.map(\.date) == [date("2019-09-02")])
        #expect(table.days(on: date("2031-01-23")).first?.kind == .holiday)
        #expect(table.days(on: date("2031-03-03")).isEmpty)
    }

    @Test("A custom table replaces the shipped one and round-trips through JSON")
    func customTable() throws {
        let extra = CalendarDay(
            date: date("2028-01-31"), kind: .swappedDayOff, occasion: .lunarNewYear, source: .announced)
        let custom = PublicHolidays(days: PublicHolidays.generate(year: 2028) + [extra])
        #expect(custom.tableYears == [2028])
        #expect(custom.days(on: date("2028-01-31")) == [extra])

        let data = try JSONEncoder().encode(table.days(inYear: 2026))
        let decoded = try JSONDecoder().decode([CalendarDay].self, from: data)
        #expect(decoded == table.days(inYear: 2026))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""date":"2026-08-22""#) && text.contains(#""kind":"makeUpWorkingDay""#))
    }
}
