import Foundation

/// Conversion between Gregorian dates and the Vietnamese lunisolar calendar.
///
/// Implements Hồ Ngọc Đức's published algorithm ("Thuật toán tính âm lịch", 2004), itself based on
/// Jean Meeus, *Astronomical Algorithms* (1998): mean new moons corrected by the main periodic terms
/// (accurate to a few minutes), the apparent solar longitude, and the usual lunisolar rules:
/// - a lunar month starts on the local civil day that contains the new moon;
/// - month 11 is the month that contains the winter solstice;
/// - a lunar year with 13 months (between two months 11) has a leap month: the first month after
///   month 11 that contains no major solar term ("trung khí").
///
/// Everything depends on the time zone used to decide the day of a new moon or solar term. The
/// Vietnamese calendar uses UTC+7 (Quyết định 121-CP of 8/8/1967 moved it from UTC+8); China
/// uses UTC+8, so the two calendars differ in some years (Tết 1985: Vietnam 1985-01-21, China
/// 1985-02-20; Tết 2007: Vietnam 2007-02-17, China 2007-02-18). Pass `timeZoneOffsetHours` to get
/// the other calendar. The tests check every day 1900–2100; dates before 1583 are not supported.
public enum VietnameseLunarCalendar {
    /// UTC offset, in hours, of the official Vietnamese lunar calendar.
    public static let vietnamTimeZoneOffsetHours: Double = 7
    /// UTC offset, in hours, of the Chinese lunar calendar (for comparison).
    public static let chinaTimeZoneOffsetHours: Double = 8

    // MARK: - Public API

    /// The lunar date of a Gregorian date.
    public static func lunarDate(
        year: Int, month: Int, day: Int, timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> LunarDate {
        lunarDate(of: CivilDate(year: year, month: month, day: day), timeZoneOffsetHours: timeZoneOffsetHours)
    }

    /// The lunar date of a Gregorian date.
    public static func lunarDate(
        of date: CivilDate, timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> LunarDate {
        let tz = timeZoneOffsetHours
        let dayNumber = date.julianDayNumber
        // The published code tries new moons k+1 then k only; the true new moon can lag the mean
        // one by more than that allows (it gives "day 0" on 2054-05-07), so search both ways.
        var k = Int(floor((Double(dayNumber) - 2_415_021.076998695) / synodicMonth))
        while newMoonDay(k + 1, tz) <= dayNumber { k += 1 }
        while newMoonDay(k, tz) > dayNumber { k -= 1 }
        let monthStart = newMoonDay(k, tz)

        var a11 = lunarMonth11(year: date.year, tz)
        var b11 = a11
        var lunarYear: Int
        if a11 >= monthStart {
            lunarYear = date.year
            a11 = lunarMonth11(year: date.year - 1, tz)
        } else {
            lunarYear = date.year + 1
            b11 = lunarMonth11(year: date.year + 1, tz)
        }
        let lunarDay = dayNumber - monthStart + 1
        let diff = (monthStart - a11) / 29
        var isLeap = false
        var lunarMonth = diff + 11
        if b11 - a11 > 365 {
            let leapOffset = leapMonthOffset(a11: a11, tz)
            if diff >= leapOffset {
                lunarMonth = diff + 10
                isLeap = diff == leapOffset
            }
        }
        if lunarMonth > 12 { lunarMonth -= 12 }
        if lunarMonth >= 11 && diff < 4 { lunarYear -= 1 }
        return LunarDate(day: lunarDay, month: lunarMonth, year: lunarYear, isLeapMonth: isLeap)
    }

    /// The Gregorian date of a lunar date, or `nil` if that lunar date does not exist (month out of
    /// 1…12, day past the end of the month, or `isLeapMonth` for a month that is not the leap month).
    public static func solarDate(
        lunarYear: Int, lunarMonth: Int, lunarDay: Int, isLeapMonth: Bool = false,
        timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> (year: Int, month: Int, day: Int)? {
        guard
            let date = civilDate(
                lunarYear: lunarYear, lunarMonth: lunarMonth, lunarDay: lunarDay, isLeapMonth: isLeapMonth,
                timeZoneOffsetHours: timeZoneOffsetHours)
        else { return nil }
        return (date.year, date.month, date.day)
    }

    /// The Gregorian date of a lunar date as a `CivilDate`; `nil` when the lunar date does not exist.
    public static func civilDate(
        lunarYear: Int, lunarMonth: Int, lunarDay: Int, isLeapMonth: Bool = false,
        timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> CivilDate? {
        guard (1...12).contains(lunarMonth), (1...30).contains(lunarDay),
            let (start, length) = monthStartAndLength(
                lunarYear: lunarYear, lunarMonth: lunarMonth, isLeapMonth: isLeapMonth, timeZoneOffsetHours)
        else { return nil }
        guard lunarDay <= length else { return nil }
        return CivilDate(julianDayNumber: start + lunarDay - 1)
    }

    /// The Gregorian date of a lunar date; `nil` when it does not exist.
    public static func civilDate(
        of lunar: LunarDate, timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> CivilDate? {
        civilDate(
            lunarYear: lunar.year, lunarMonth: lunar.month, lunarDay: lunar.day, isLeapMonth: lunar.isLeapMonth,
            timeZoneOffsetHours: timeZoneOffsetHours)
    }

    /// Number of days (29 or 30) of a lunar month; `nil` when the month does not exist.
    public static func numberOfDays(
        lunarYear: Int, lunarMonth: Int, isLeapMonth: Bool = false,
        timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> Int? {
        guard (1...12).contains(lunarMonth) else { return nil }
        return monthStartAndLength(
            lunarYear: lunarYear, lunarMonth: lunarMonth, isLeapMonth: isLeapMonth, timeZoneOffsetHours)?.length
    }

    /// The leap month of a lunar year (the number it repeats), or `nil` when the year has 12 months.
    public static func leapMonth(
        inLunarYear lunarYear: Int, timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> Int? {
        // Months 1…10 of lunar year Y lie between month 11 of Y-1 and month 11 of Y; months 11 and 12
        // lie between month 11 of Y and month 11 of Y+1. A leap month `offset` months after a month 11
        // repeats month `offset - 2` (mod 12), so offsets 1 and 2 mean a leap 11 or 12 of that year.
        let tz = timeZoneOffsetHours
        let a11 = lunarMonth11(year: lunarYear - 1, tz)
        let b11 = lunarMonth11(year: lunarYear, tz)
        if b11 - a11 > 365 {
            let offset = leapMonthOffset(a11: a11, tz)
            if offset >= 3 { return offset - 2 }
        }
        let c11 = lunarMonth11(year: lunarYear + 1, tz)
        if c11 - b11 > 365 {
            let offset = leapMonthOffset(a11: b11, tz)
            if offset <= 2 { return offset + 10 }
        }
        return nil
    }

    /// Tết Nguyên đán: the Gregorian date of lunar 1/1 of `lunarYear`.
    public static func lunarNewYear(
        _ lunarYear: Int, timeZoneOffsetHours: Double = vietnamTimeZoneOffsetHours
    ) -> CivilDate {
        civilDate(lunarYear: lunarYear, lunarMonth: 1, lunarDay: 1, timeZoneOffsetHours: timeZoneOffsetHours)!
    }

    // MARK: - Algorithm (Hồ Ngọc Đức)

    /// Mean synodic month in days, as used by the algorithm.
    private static let synodicMonth = 29.530588853

    /// Start (Julian Day Number) and length in days of a lunar month.
    private static func monthStartAndLength(
        lunarYear: Int, lunarMonth: Int, isLeapMonth: Bool, _ tz: Double
    ) -> (start: Int, length: Int)? {
        let a11: Int
        let b11: Int
        if lunarMonth < 11 {
            a11 = lunarMonth11(year: lunarYear - 1, tz)
            b11 = lunarMonth11(year: lunarYear, tz)
        } else {
            a11 = lunarMonth11(year: lunarYear, tz)
            b11 = lunarMonth11(year: lunarYear + 1, tz)
        }
        let k = Int(floor(0.5 + (Double(a11) - 2_415_021.076998695) / synodicMonth))
        var offset = lunarMonth - 11
        if offset < 0 { offset += 12 }
        if b11 - a11 > 365 {
            let leapOffset = leapMonthOffset(a11: a11, tz)
            var leapMonth = leapOffset - 2
            if leapMonth <= 0 { leapMonth += 12 }  // offsets 1 and 2: leap month 11 or 12
            if isLeapMonth && lunarMonth != leapMonth {
                return nil
            } else if isLeapMonth || offset >= leapOffset {
                offset += 1
            }
        } else if isLeapMonth {
            return nil
        }
        let start = newMoonDay(k + offset, tz)
        let next = newMoonDay(k + offset + 1, tz)
        return (start, next - start)
    }

    /// Julian Day Number of the local day that contains the k-th new moon after 1900-01-01.
    private static func newMoonDay(_ k: Int, _ tz: Double) -> Int {
        Int(floor(newMoon(k) + 0.5 + tz / 24))
    }

    /// Julian day (UT, fractional) of the k-th new moon after 1900-01-01 (Meeus, ch. 49, abridged).
    private static func newMoon(_ k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85
        let t2 = t * t
        let t3 = t2 * t
        let dr = Double.pi / 180
        var jd1 = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
        jd1 += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
        let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  // Sun's mean anomaly
        let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  // Moon's mean anomaly
        let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  // Moon's argument of latitude
        var c1 = (0.1734 - 0.000393 * t) * sin(m * dr) + 0.0021 * sin(2 * dr * m)
        c1 = c1 - 0.4068 * sin(mpr * dr) + 0.0161 * sin(dr * 2 * mpr)
        c1 = c1 - 0.0004 * sin(dr * 3 * mpr)
        c1 = c1 + 0.0104 * sin(dr * 2 * f) - 0.0051 * sin(dr * (m + mpr))
        c1 = c1 - 0.0074 * sin(dr * (m - mpr)) + 0.0004 * sin(dr * (2 * f + m))
        c1 = c1 - 0.0004 * sin(dr * (2 * f - m)) - 0.0006 * sin(dr * (2 * f + mpr))
        c1 = c1 + 0.0010 * sin(dr * (2 * f - mpr)) + 0.0005 * sin(dr * (2 * mpr + m))
        let deltaT: Double
        if t < -11 {
            deltaT = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
        } else {
            deltaT = -0.000278 + 0.000265 * t + 0.000262 * t2
        }
        return jd1 + c1 - deltaT
    }

    /// Apparent solar longitude in radians, 0…2π, at Julian day `jd` (UT).
    private static func sunLongitude(_ jd: Double) -> Double {
        let t = (jd - 2_451_545.0) / 36525
        let t2 = t * t
        let dr = Double.pi / 180
        let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2  // mean anomaly
        let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2  // mean longitude
        var dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(dr * m)
        dl += (0.019993 - 0.000101 * t) * sin(dr * 2 * m) + 0.000290 * sin(dr * 3 * m)
        var l = (l0 + dl) * dr
        l -= Double.pi * 2 * floor(l / (Double.pi * 2))
        return l
    }

    /// Index 0…11 of the 30° sector the Sun is in at the start of the local day `dayNumber`
    /// (each major solar term starts a new sector; 9 is the sector that starts at the winter solstice).
    private static func sunLongitudeSector(dayNumber: Int, _ tz: Double) -> Int {
        Int(floor(sunLongitude(Double(dayNumber) - 0.5 - tz / 24) / Double.pi * 6))
    }

    /// Julian Day Number of the first day of lunar month 11 of the year that contains December of `year`.
    private static func lunarMonth11(year: Int, _ tz: Double) -> Int {
        let off = Double(CivilDate(year: year, month: 12, day: 31).julianDayNumber - 2_415_021)
        let k = Int(floor(off / synodicMonth))
        var nm = newMoonDay(k, tz)
        if sunLongitudeSector(dayNumber: nm, tz) >= 9 {
            nm = newMoonDay(k - 1, tz)
        }
        return nm
    }

    /// Offset (in months after month 11 starting on `a11`) of the leap month: the first month
    /// without a major solar term.
    private static func leapMonthOffset(a11: Int, _ tz: Double) -> Int {
        let k = Int(floor((Double(a11) - 2_415_021.076998695) / synodicMonth + 0.5))
        var i = 1
        var arc = sunLongitudeSector(dayNumber: newMoonDay(k + i, tz), tz)
        var last: Int
        repeat {
            last = arc
            i += 1
            arc = sunLongitudeSector(dayNumber: newMoonDay(k + i, tz), tz)
        } while arc != last && i < 14
        return i - 1
    }
}
