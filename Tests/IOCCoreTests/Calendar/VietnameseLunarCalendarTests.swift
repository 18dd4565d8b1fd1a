import IOCCore
import Testing

@Suite("Vietnamese lunar calendar")
struct VietnameseLunarCalendarTests {
    /// Published Gregorian dates of Tết Nguyên đán (lunar 1/1).
    ///
    /// 2030: the new moon is at 16:07 UT on 2 February, i.e. 23:07 in Vietnam (UTC+7) but 00:07 on
    /// 3 February in China (UTC+8). Tết Canh Tuất is therefore 2030-02-02 in Vietnam; the
    /// 2030-02-03 date often listed is the Chinese one (checked in `timeZoneDifference`).
    static let tet: [(year: Int, date: String)] = [
        (2020, "2020-01-25"), (2021, "2021-02-12"), (2022, "2022-02-01"), (2023, "2023-01-22"),
        (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06"),
        (2028, "2028-01-26"), (2029, "2029-02-13"), (2030, "2030-02-02"),
    ]

    /// Published Gregorian dates of Giỗ Tổ Hùng Vương (lunar 10/3).
    static let hungKings: [(year: Int, date: String)] = [
        (2020, "2020-04-02"), (2021, "2021-04-21"), (2022, "2022-04-10"), (2023, "2023-04-29"),
        (2024, "2024-04-18"), (2025, "2025-04-07"), (2026, "2026-04-26"), (2027, "2027-04-16"),
        (2028, "2028-04-04"), (2029, "2029-04-23"), (2030, "2030-04-12"),
    ]

    @Test("Tết falls on the published date", arguments: tet)
    func tetDate(year: Int, date: String) throws {
        let expected = try #require(CivilDate(iso8601: date))
        let solar = try #require(
            VietnameseLunarCalendar.solarDate(lunarYear: year, lunarMonth: 1, lunarDay: 1, isLeapMonth: false))
        #expect(CivilDate(year: solar.year, month: solar.month, day: solar.day) == expected)
        #expect(VietnameseLunarCalendar.lunarDate(of: expected) == LunarDate(day: 1, month: 1, year: year))
        // The day before Tết is the last day of the previous lunar year's month 12.
        let eve = VietnameseLunarCalendar.lunarDate(of: expected.adding(days: -1))
        #expect(eve.year == year - 1 && eve.month == 12 && !eve.isLeapMonth && eve.day >= 29)
    }

    @Test("Giỗ Tổ Hùng Vương falls on the published date", arguments: hungKings)
    func hungKingsDate(year: Int, date: String) throws {
        let expected = try #require(CivilDate(iso8601: date))
        let solar = try #require(
            VietnameseLunarCalendar.solarDate(lunarYear: year, lunarMonth: 3, lunarDay: 10, isLeapMonth: false))
        #expect(CivilDate(year: solar.year, month: solar.month, day: solar.day) == expected)
        let lunar = VietnameseLunarCalendar.lunarDate(year: expected.year, month: expected.month, day: expected.day)
        #expect(lunar == LunarDate(day: 10, month: 3, year: year))
    }

    @Test("Tết 1985, 2007 and 2030 differ between Vietnam (UTC+7) and China (UTC+8)")
    func timeZoneDifference() {
        let vn = VietnameseLunarCalendar.vietnamTimeZoneOffsetHours
        let cn = VietnameseLunarCalendar.chinaTimeZoneOffsetHours
        #expect(
            VietnameseLunarCalendar.lunarNewYear(1985, timeZoneOffsetHours: vn)
                == CivilDate(year: 1985, month: 1, day: 21))
        #expect(
            VietnameseLunarCalendar.lunarNewYear(1985, timeZoneOffsetHours: cn)
                == CivilDate(year: 1985, month: 2, day: 20))
        #expect(
            VietnameseLunarCalendar.lunarNewYear(2007, timeZoneOffsetHours: vn)
                == CivilDate(year: 2007, month: 2, day: 17))
        #expect(
            VietnameseLunarCalendar.lunarNewYear(2007, timeZoneOffsetHours: cn)
                == CivilDate(year: 2007, month: 2, day: 18))
        #expect(
            VietnameseLunarCalendar.lunarNewYear(2030, timeZoneOffsetHours: vn)
                == CivilDate(year: 2030, month: 2, day: 2))
        #expect(
            VietnameseLunarCalendar.lunarNewYear(2030, timeZoneOffsetHours: cn)
                == CivilDate(year: 2030, month: 2, day: 3))
        // Years where both agree.
        #expect(
            VietnameseLunarCalendar.lunarNewYear(2026, timeZoneOffsetHours: cn)
                == CivilDate(year: 2026, month: 2, day: 17))
        // 1985-01-21 is Tết in Vietnam but still month 12 of the old year in China.
        #expect(
            VietnameseLunarCalendar.lunarDate(year: 1985, month: 1, day: 21) == LunarDate(day: 1, month: 1, year: 1985))
        let chinese = VietnameseLunarCalendar.lunarDate(year: 1985, month: 1, day: 21, timeZoneOffsetHours: cn)
        #expect(chinese.year == 1984 && chinese.month == 12)
    }

    @Test("Leap months: 4 nhuận 2020, 2 nhuận 2023, 6 nhuận 2025; none in 2024 and 2026")
    func leapMonths() throws {
        #expect(VietnameseLunarCalendar.leapMonth(inLunarYear: 2020) == 4)
        #expect(VietnameseLunarCalendar.leapMonth(inLunarYear: 2023) == 2)
        #expect(VietnameseLunarCalendar.leapMonth(inLunarYear: 2025) == 6)
        #expect(VietnameseLunarCalendar.leapMonth(inLunarYear: 2024) == nil)
        #expect(VietnameseLunarCalendar.leapMonth(inLunarYear: 2026) == nil)

        // Leap month 2/2023 starts on 2023-03-22, the day after month 2 ends.
        #expect(
            VietnameseLunarCalendar.lunarDate(year: 2023, month: 3, day: 22)
                == LunarDate(day: 1, month: 2, year: 2023, isLeapMonth: true))
        #expect(
            VietnameseLunarCalendar.lunarDate(year: 2023, month: 3, day: 21) == LunarDate(day: 30, month: 2, year: 2023)
        )
        let leap = try #require(
            VietnameseLunarCalendar.solarDate(lunarYear: 2025, lunarMonth: 6, lunarDay: 1, isLeapMonth: true))
        #expect(leap.year == 2025 && leap.month == 7 && leap.day == 25)
        let regular = try #require(VietnameseLunarCalendar.solarDate(lunarYear: 2025, lunarMonth: 6, lunarDay: 1))
        #expect(regular.year == 2025 && regular.month == 6 && regular.day == 25)
    }

    @Test("Lunar dates that do not exist give nil")
    func nonexistentDates() {
        // 2026 has no leap month; month 12 of lunar 2025 has 29 days (Tết 2026 is on the 30th day).
        #expect(
            VietnameseLunarCalendar.solarDate(lunarYear: 2026, lunarMonth: 3, lunarDay: 1, isLeapMonth: true) == nil)
        #expect(
            VietnameseLunarCalendar.solarDate(lunarYear: 2025, lunarMonth: 5, lunarDay: 1, isLeapMonth: true) == nil)
        #expect(VietnameseLunarCalendar.numberOfDays(lunarYear: 2025, lunarMonth: 12) == 29)
        #expect(VietnameseLunarCalendar.solarDate(lunarYear: 2025, lunarMonth: 12, lunarDay: 30) == nil)
        #expect(VietnameseLunarCalendar.solarDate(lunarYear: 2025, lunarMonth: 13, lunarDay: 1) == nil)
        #expect(VietnameseLunarCalendar.solarDate(lunarYear: 2025, lunarMonth: 1, lunarDay: 0) == nil)
    }

    @Test("Every day 1900–2100 converts to lunar and back, and lunar days run on without gaps")
    func roundTrip() {
        var date = CivilDate(year: 1900, month: 1, day: 31)  // Tết 1900
        let end = CivilDate(year: 2101, month: 1, day: 1)
        var previous = VietnameseLunarCalendar.lunarDate(of: date.adding(days: -1))
        var failures = 0
        while date < end {
            let lunar = VietnameseLunarCalendar.lunarDate(of: date)
            if VietnameseLunarCalendar.civilDate(of: lunar) != date { failures += 1 }
            // Consecutive days: either the next day of the same month or day 1 of a new month.
            if !(lunar.day == previous.day + 1 && lunar.month == previous.month
                && lunar.isLeapMonth == previous.isLeapMonth)
                && lunar.day != 1
            {
                failures += 1
            }
            previous = lunar
            date = date.adding(days: 1)
        }
        #expect(failures == 0)
    }

    @Test("Year names (can chi)")
    func yearNames() {
        #expect(LunarDate(day: 1, month: 1, year: 2026).yearName == "Bính Ngọ")
        #expect(LunarDate(day: 1, month: 1, year: 2025).yearName == "Ất Tỵ")
        #expect(LunarDate(day: 1, month: 1, year: 1984).yearName == "Giáp Tý")
    }
}
