extension PublicHolidays {
    /// Choices the law leaves to the yearly announcement, and which law applies.
    public struct Rules: Sendable, Hashable, Codable {
        /// Which day joins 2 September for the two-day Quốc khánh holiday.
        public enum NationalDayAdjacentDay: String, Sendable, Hashable, Codable, CaseIterable {
            /// 1 September.
            case september1
            /// 3 September.
            case september3
            /// The choice that joins the holiday to a weekend: 3 September when 2 September is a
            /// Monday, Thursday or Sunday, otherwise 1 September. This reproduces every announced
            /// choice 2021–2026 (3/9 in 2021 and 2024; 1/9 in 2022, 2023, 2025 and 2026).
            case automatic
            /// No adjacent day: Quốc khánh was one day before 2021 (Bộ luật Lao động 2012, Điều 115).
            case none
        }

        /// Number of Tết Âm lịch holidays: 5 since 2013 (Bộ luật Lao động 2012, Điều 115; Bộ luật
        /// Lao động 2019, Điều 112 khoản 1 điểm b), 4 before.
        public var tetLength: Int
        /// How many of the Tết days fall before lunar 1/1 (the rest are 1/1, 2/1, …).
        ///
        /// Default 2: the two last days of the lunar year and lunar 1/1–3/1. Together with the
        /// compensatory-day rule this gives exactly the days off announced for the civil service in
        /// every year 2020–2026 (swaps aside). The Prime Minister picks the days each year
        /// (Điều 112 khoản 3); 1 (last day of the year through 4/1) is the other common pattern.
        public var tetDaysBeforeLunarNewYear: Int
        /// The day that joins 2 September (Điều 112 khoản 1 điểm đ: "ngày 02/9 và 01 ngày liền kề
        /// trước hoặc sau").
        public var nationalDayAdjacentDay: NationalDayAdjacentDay
        /// Whether Giỗ Tổ Hùng Vương is a holiday (since 2007: Bộ luật Lao động sửa đổi 2007).
        public var includesHungKingsCommemoration: Bool
        /// Whether holidays on a Saturday or Sunday give a compensatory day off on the next working
        /// day (Bộ luật Lao động 2019, Điều 111 khoản 3; Bộ luật Lao động 2012, Điều 115 khoản 3).
        public var compensatesWeekendHolidays: Bool
        /// UTC offset used for the lunar dates (7 for Vietnam).
        public var timeZoneOffsetHours: Double

        /// Creates rules; the defaults are Bộ luật Lao động 2019 with the usual announced choices.
        public init(
            tetLength: Int = 5,
            tetDaysBeforeLunarNewYear: Int = 2,
            nationalDayAdjacentDay: NationalDayAdjacentDay = .automatic,
            includesHungKingsCommemoration: Bool = true,
            compensatesWeekendHolidays: Bool = true,
            timeZoneOffsetHours: Double = VietnameseLunarCalendar.vietnamTimeZoneOffsetHours
        ) {
            precondition(tetLength >= 1 && tetDaysBeforeLunarNewYear >= 0 && tetDaysBeforeLunarNewYear <= tetLength)
            self.tetLength = tetLength
            self.tetDaysBeforeLunarNewYear = tetDaysBeforeLunarNewYear
            self.nationalDayAdjacentDay = nationalDayAdjacentDay
            self.includesHungKingsCommemoration = includesHungKingsCommemoration
            self.compensatesWeekendHolidays = compensatesWeekendHolidays
            self.timeZoneOffsetHours = timeZoneOffsetHours
        }

        /// Bộ luật Lao động 2019 (in force since 1/1/2021), Điều 111–112.
        public static let laborCode2019 = Rules()

        /// The rules of the law in force in `year`:
        /// - from 2021, Bộ luật Lao động 2019, Điều 112 (Quốc khánh two days);
        /// - 2013–2020, Bộ luật Lao động 2012, Điều 115 (Quốc khánh one day);
        /// - before 2013, Bộ luật Lao động 1994 as amended in 2007 (Tết four days; Giỗ Tổ from 2007).
        ///
        /// Years before 2020 are only approximate: announced swaps are not known to the generator.
        public static func statutory(forYear year: Int) -> Rules {
            if year >= 2021 { return .laborCode2019 }
            if year >= 2013 { return Rules(nationalDayAdjacentDay: .none) }
            return Rules(
                tetLength: 4, tetDaysBeforeLunarNewYear: 1, nationalDayAdjacentDay: .none,
                includesHungKingsCommemoration: year >= 2007)
        }
    }

    /// Generates the statutory special days of one year, sorted by date, all marked `.generated`.
    ///
    /// Holidays (Bộ luật Lao động 2019, Điều 112 khoản 1): 1/1; Tết Âm lịch (`rules.tetLength` days,
    /// `rules.tetDaysBeforeLunarNewYear` of them before lunar 1/1); Giỗ Tổ Hùng Vương (lunar 10/3);
    /// 30/4; 1/5; 2/9 and the adjacent day chosen by `rules.nationalDayAdjacentDay`.
    ///
    /// Compensatory days (Điều 111 khoản 3): each holiday on a Saturday or Sunday gives a day off on
    /// the next working day, i.e. the first following Monday–Friday day that is neither a holiday
    /// nor already a compensatory day. If two holidays fall on the same date (Giỗ Tổ can fall on
    /// 30/4 or 1/5), the second one is compensated the same way, since each holiday is a day of rest
    /// in its own right; the law does not settle this case, so an announcement should override it.
    ///
    /// Swaps ("hoán đổi") are never generated: they exist only by announcement.
    public static func generate(year: Int, rules: Rules = .laborCode2019) -> [CalendarDay] {
        var holidays: [(date: CivilDate, occasion: CalendarDay.Occasion)] = []

        // Điều 112 khoản 1 điểm a.
        holidays.append((CivilDate(year: year, month: 1, day: 1), .newYear))

        // Điều 112 khoản 1 điểm b.
        let tet = VietnameseLunarCalendar.lunarNewYear(year, timeZoneOffsetHours: rules.timeZoneOffsetHours)
        for offset in 0..<rules.tetLength {
            holidays.append((tet.adding(days: offset - rules.tetDaysBeforeLunarNewYear), .lunarNewYear))
        }

        // Điều 112 khoản 1 điểm e.
        if rules.includesHungKingsCommemoration,
            let hungKings = VietnameseLunarCalendar.civilDate(
                lunarYear: year, lunarMonth: 3, lunarDay: 10, timeZoneOffsetHours: rules.timeZoneOffsetHours)
        {
            holidays.append((hungKings, .hungKingsCommemoration))
        }

        // Điều 112 khoản 1 điểm c, d.
        holidays.append((CivilDate(year: year, month: 4, day: 30), .reunificationDay))
        holidays.append((CivilDate(year: year, month: 5, day: 1), .internationalLabourDay))

        // Điều 112 khoản 1 điểm đ.
        let nationalDay = CivilDate(year: year, month: 9, day: 2)
        holidays.append((nationalDay, .nationalDay))
        switch rules.nationalDayAdjacentDay {
        case .september1:
            holidays.append((nationalDay.adding(days: -1), .nationalDay))
        case .september3:
            holidays.append((nationalDay.adding(days: 1), .nationalDay))
        case .automatic:
            let after: Set<CivilDate.Weekday> = [.monday, .thursday, .sunday]
            holidays.append((nationalDay.adding(days: after.contains(nationalDay.weekday) ? 1 : -1), .nationalDay))
        case .none:
            break
        }

        holidays.sort { $0.date < $1.date }
        var result: [CalendarDay] = []
        var daysOff = Set<CivilDate>()
        var uncompensated: [(date: CivilDate, occasion: CalendarDay.Occasion)] = []
        for holiday in holidays {
            if daysOff.insert(holiday.date).inserted {
                result.append(
                    CalendarDay(date: holiday.date, kind: .holiday, occasion: holiday.occasion, source: .generated))
                if holiday.date.isWeekend { uncompensated.append(holiday) }
            } else {
                uncompensated.append(holiday)  // Same date as another holiday: see the doc comment.
            }
        }

        // Điều 111 khoản 3: "nghỉ bù ... vào ngày làm việc kế tiếp".
        if rules.compensatesWeekendHolidays {
            for holiday in uncompensated {
                var day = holiday.date.adding(days: 1)
                while day.isWeekend || daysOff.contains(day) { day = day.adding(days: 1) }
                daysOff.insert(day)
                result.append(
                    CalendarDay(date: day, kind: .compensatoryDayOff, occasion: holiday.occasion, source: .generated))
            }
        }
        return result.sorted { $0.date < $1.date }
    }
}
