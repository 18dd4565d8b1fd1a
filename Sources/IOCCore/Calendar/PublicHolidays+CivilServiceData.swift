extension PublicHolidays {
    /// The civil-service calendar ("cán bộ, công chức, viên chức"): the shipped table for 2020–2027,
    /// and the statutory generator for every other year.
    public static let vietnamCivilService = PublicHolidays(days: civilServiceDays)

    /// Special days of the civil-service calendar, 2020–2027.
    ///
    /// Data, not rules: each year lists the days the announcement named. Entries marked `.announced`
    /// follow the calendar announced for that year (Tết days and Quốc khánh day chosen by the Prime
    /// Minister, Bộ luật Lao động 2019, Điều 112 khoản 3; swaps announced by Bộ Nội vụ). Where an
    /// announcement lists only a span ("nghỉ từ … đến hết …") the split between holidays and
    /// compensatory days follows Điều 111 khoản 3; the days off are what matters for deadlines.
    /// Entries marked `.generated` are the generator's output for a year whose announcement was not
    /// known when the table was written; replace them when it is published.
    public static let civilServiceDays: [CalendarDay] = [
        // 2020 — Bộ luật Lao động 2012, Điều 115 (Quốc khánh one day). Tết 23/1–29/1 (29 Tết to
        // mùng 5); no swaps.
        entry(2020, 1, 1, .holiday, .newYear),
        entry(2020, 1, 23, .holiday, .lunarNewYear),
        entry(2020, 1, 24, .holiday, .lunarNewYear),
        entry(2020, 1, 25, .holiday, .lunarNewYear),
        entry(2020, 1, 26, .holiday, .lunarNewYear),
        entry(2020, 1, 27, .holiday, .lunarNewYear),
        entry(2020, 1, 28, .compensatoryDayOff, .lunarNewYear),
        entry(2020, 1, 29, .compensatoryDayOff, .lunarNewYear),
        entry(2020, 4, 2, .holiday, .hungKingsCommemoration),
        entry(2020, 4, 30, .holiday, .reunificationDay),
        entry(2020, 5, 1, .holiday, .internationalLabourDay),
        entry(2020, 9, 2, .holiday, .nationalDay),

        // 2021 — first year of Bộ luật Lao động 2019. Tết 10/2–16/2; 1/5 is a Saturday → Monday 3/5;
        // Quốc khánh 2/9–3/9; no swaps.
        entry(2021, 1, 1, .holiday, .newYear),
        entry(2021, 2, 10, .holiday, .lunarNewYear),
        entry(2021, 2, 11, .holiday, .lunarNewYear),
        entry(2021, 2, 12, .holiday, .lunarNewYear),
        entry(2021, 2, 13, .holiday, .lunarNewYear),
        entry(2021, 2, 14, .holiday, .lunarNewYear),
        entry(2021, 2, 15, .compensatoryDayOff, .lunarNewYear),
        entry(2021, 2, 16, .compensatoryDayOff, .lunarNewYear),
        entry(2021, 4, 21, .holiday, .hungKingsCommemoration),
        entry(2021, 4, 30, .holiday, .reunificationDay),
        entry(2021, 5, 1, .holiday, .internationalLabourDay),
        entry(2021, 5, 3, .compensatoryDayOff, .internationalLabourDay),
        entry(2021, 9, 2, .holiday, .nationalDay),
        entry(2021, 9, 3, .holiday, .nationalDay),

        // 2022 — 1/1 Saturday → Monday 3/1; Tết 31/1–4/2 (29 Tết to mùng 4, 29/1–6/2 with weekends);
        // Giỗ Tổ Sunday 10/4 → 11/4; 30/4–1/5 weekend → 2/5, 3/5; Quốc khánh 1/9–2/9; no swaps.
        entry(2022, 1, 1, .holiday, .newYear),
        entry(2022, 1, 3, .compensatoryDayOff, .newYear),
        entry(2022, 1, 31, .holiday, .lunarNewYear),
        entry(2022, 2, 1, .holiday, .lunarNewYear),
        entry(2022, 2, 2, .holiday, .lunarNewYear),
        entry(2022, 2, 3, .holiday, .lunarNewYear),
        entry(2022, 2, 4, .holiday, .lunarNewYear),
        entry(2022, 4, 10, .holiday, .hungKingsCommemoration),
        entry(2022, 4, 11, .compensatoryDayOff, .hungKingsCommemoration),
        entry(2022, 4, 30, .holiday, .reunificationDay),
        entry(2022, 5, 1, .holiday, .internationalLabourDay),
        entry(2022, 5, 2, .compensatoryDayOff, .reunificationDay),
        entry(2022, 5, 3, .compensatoryDayOff, .internationalLabourDay),
        entry(2022, 9, 1, .holiday, .nationalDay),
        entry(2022, 9, 2, .holiday, .nationalDay),

        // 2023 — 1/1 Sunday → 2/1; Tết 20/1–26/1; Giỗ Tổ Saturday 29/4 and 30/4 Sunday → 2/5, 3/5
        // (29/4–3/5 off); Quốc khánh 1/9–2/9, 2/9 Saturday → Monday 4/9; no swaps.
        entry(2023, 1, 1, .holiday, .newYear),
        entry(2023, 1, 2, .compensatoryDayOff, .newYear),
        entry(2023, 1, 20, .holiday, .lunarNewYear),
        entry(2023, 1, 21, .holiday, .lunarNewYear),
        entry(2023, 1, 22, .holiday, .lunarNewYear),
        entry(2023, 1, 23, .holiday, .lunarNewYear),
        entry(2023, 1, 24, .holiday, .lunarNewYear),
        entry(2023, 1, 25, .compensatoryDayOff, .lunarNewYear),
        entry(2023, 1, 26, .compensatoryDayOff, .lunarNewYear),
        entry(2023, 4, 29, .holiday, .hungKingsCommemoration),
        entry(2023, 4, 30, .holiday, .reunificationDay),
        entry(2023, 5, 1, .holiday, .internationalLabourDay),
        entry(2023, 5, 2, .compensatoryDayOff, .hungKingsCommemoration),
        entry(2023, 5, 3, .compensatoryDayOff, .reunificationDay),
        entry(2023, 9, 1, .holiday, .nationalDay),
        entry(2023, 9, 2, .holiday, .nationalDay),
        entry(2023, 9, 4, .compensatoryDayOff, .nationalDay),

        // 2024 — Tết 8/2–14/2; swap: Monday 29/4 off, Saturday 4/5 worked (Công văn 2450/VPCP-KGVX);
        // Quốc khánh 2/9–3/9.
        entry(2024, 1, 1, .holiday, .newYear),
        entry(2024, 2, 8, .holiday, .lunarNewYear),
        entry(2024, 2, 9, .holiday, .lunarNewYear),
        entry(2024, 2, 10, .holiday, .lunarNewYear),
        entry(2024, 2, 11, .holiday, .lunarNewYear),
        entry(2024, 2, 12, .holiday, .lunarNewYear),
        entry(2024, 2, 13, .compensatoryDayOff, .lunarNewYear),
        entry(2024, 2, 14, .compensatoryDayOff, .lunarNewYear),
        entry(2024, 4, 18, .holiday, .hungKingsCommemoration),
        entry(2024, 4, 29, .swappedDayOff, .reunificationDay),
        entry(2024, 4, 30, .holiday, .reunificationDay),
        entry(2024, 5, 1, .holiday, .internationalLabourDay),
        entry(2024, 5, 4, .makeUpWorkingDay, .reunificationDay),
        entry(2024, 9, 2, .holiday, .nationalDay),
        entry(2024, 9, 3, .holiday, .nationalDay),

        // 2025 — Tết 27/1–31/1 (28 Tết to mùng 3; 25/1–2/2 with weekends); swap: Friday 2/5 off,
        // Saturday 26/4 worked; Quốc khánh 1/9–2/9.
        entry(2025, 1, 1, .holiday, .newYear),
        entry(2025, 1, 27, .holiday, .lunarNewYear),
        entry(2025, 1, 28, .holiday, .lunarNewYear),
        entry(2025, 1, 29, .holiday, .lunarNewYear),
        entry(2025, 1, 30, .holiday, .lunarNewYear),
        entry(2025, 1, 31, .holiday, .lunarNewYear),
        entry(2025, 4, 7, .holiday, .hungKingsCommemoration),
        entry(2025, 4, 26, .makeUpWorkingDay, .reunificationDay),
        entry(2025, 4, 30, .holiday, .reunificationDay),
        entry(2025, 5, 1, .holiday, .internationalLabourDay),
        entry(2025, 5, 2, .swappedDayOff, .internationalLabourDay),
        entry(2025, 9, 1, .holiday, .nationalDay),
        entry(2025, 9, 2, .holiday, .nationalDay),

        // 2026 — Thông báo 9441/TB-BNV (following Công văn 9859/VPCP-KGVX of 13/10/2025): Tết
        // Monday 16/2 (29 Tết) to Friday 20/2 (mùng 4); Giỗ Tổ Sunday 26/4 → Monday 27/4;
        // Quốc khánh 1/9–2/9 with Monday 31/8 swapped for Saturday 22/8 (29/8–2/9 off). New Year: Friday 2/1
        // swapped for Saturday 10/1 (Công văn 12729/VPCP-KGVX of 25/12/2025; 1/1–4/1 off).
        entry(2026, 1, 1, .holiday, .newYear),
        entry(2026, 1, 2, .swappedDayOff, .newYear),
        entry(2026, 1, 10, .makeUpWorkingDay, .newYear),
        entry(2026, 2, 16, .holiday, .lunarNewYear),
        entry(2026, 2, 17, .holiday, .lunarNewYear),
        entry(2026, 2, 18, .holiday, .lunarNewYear),
        entry(2026, 2, 19, .holiday, .lunarNewYear),
        entry(2026, 2, 20, .holiday, .lunarNewYear),
        entry(2026, 4, 26, .holiday, .hungKingsCommemoration),
        entry(2026, 4, 27, .compensatoryDayOff, .hungKingsCommemoration),
        entry(2026, 4, 30, .holiday, .reunificationDay),
        entry(2026, 5, 1, .holiday, .internationalLabourDay),
        entry(2026, 8, 22, .makeUpWorkingDay, .nationalDay),
        entry(2026, 8, 31, .swappedDayOff, .nationalDay),
        entry(2026, 9, 1, .holiday, .nationalDay),
        entry(2026, 9, 2, .holiday, .nationalDay),

        // 2027 — not announced when this table was written: generator output
        // (`generate(year: 2027)`), no swaps. Tết (6/2, a Saturday) 4/2–8/2 → compensatory 9/2, 10/2;
        // 1/5 Saturday → Monday 3/5; Quốc khánh 2/9 (Thursday) and 3/9.
        entry(2027, 1, 1, .holiday, .newYear, .generated),
        entry(2027, 2, 4, .holiday, .lunarNewYear, .generated),
        entry(2027, 2, 5, .holiday, .lunarNewYear, .generated),
        entry(2027, 2, 6, .holiday, .lunarNewYear, .generated),
        entry(2027, 2, 7, .holiday, .lunarNewYear, .generated),
        entry(2027, 2, 8, .holiday, .lunarNewYear, .generated),
        entry(2027, 2, 9, .compensatoryDayOff, .lunarNewYear, .generated),
        entry(2027, 2, 10, .compensatoryDayOff, .lunarNewYear, .generated),
        entry(2027, 4, 16, .holiday, .hungKingsCommemoration, .generated),
        entry(2027, 4, 30, .holiday, .reunificationDay, .generated),
        entry(2027, 5, 1, .holiday, .internationalLabourDay, .generated),
        entry(2027, 5, 3, .compensatoryDayOff, .internationalLabourDay, .generated),
        entry(2027, 9, 2, .holiday, .nationalDay, .generated),
        entry(2027, 9, 3, .holiday, .nationalDay, .generated),
    ]

    private static func entry(
        _ year: Int, _ month: Int, _ day: Int, _ kind: CalendarDay.Kind, _ occasion: CalendarDay.Occasion,
        _ source: CalendarDay.Source = .announced
    ) -> CalendarDay {
        CalendarDay(date: CivilDate(year: year, month: month, day: day), kind: kind, occasion: occasion, source: source)
    }
}
