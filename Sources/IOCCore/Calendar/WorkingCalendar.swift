import Foundation

/// Working days and office time of the civil service, for deadlines ("ngày hẹn trả kết quả",
/// time limits in "ngày làm việc") and timeliness.
///
/// A working day is Monday–Friday (Quyết định 188/1999/QĐ-TTg) that is not a holiday, compensatory
/// or swapped day off, plus any Saturday or Sunday made a make-up working day (`PublicHolidays`).
/// Office time is the `OfficeHours` sessions of working days, read in `timeZone`.
///
/// Instants are `Date`s. For speed the calendar precomputes, for `precomputedYears`, which days are
/// working days and how many working days precede each day, so every instant operation there is
/// O(1) with no `Foundation.Calendar` call; and when the time zone keeps one UTC offset over those
/// years (Vietnam: UTC+7, no DST) local time is plain arithmetic. Outside those years the answers
/// are the same but computed day by day.
public struct WorkingCalendar: Sendable {
    /// The office periods of a working day.
    public let officeHours: OfficeHours
    /// The zone in which days and office hours are read.
    public let timeZone: TimeZone
    /// The special-day table (with its generator for other years).
    public let holidays: PublicHolidays
    /// Years whose days are precomputed.
    public let precomputedYears: ClosedRange<Int>

    /// `daysSince1970` of 1 January of the first precomputed year.
    private let firstDay: Int
    /// Whether each precomputed day is a working day.
    private let isWorkingTable: [Bool]
    /// Working days in `[firstDay, firstDay + i)`; one element more than `isWorkingTable`.
    private let rankTable: [Int32]
    /// Offsets from `firstDay` of the precomputed working days, in order.
    private let workingDayTable: [Int32]
    /// Seconds east of UTC when the zone has one offset over the precomputed years.
    private let fixedOffset: Int?
    /// UTC seconds since 1970 covered by `fixedOffset`.
    private let fixedRange: ClosedRange<Double>
    private let secondsPerDay: Double

    /// Asia/Ho_Chi_Minh (UTC+7).
    public static let vietnamTimeZone: TimeZone =
        TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!

    /// The civil-service calendar: default office hours, Vietnam time, the shipped holiday table.
    public static let vietnamCivilService = WorkingCalendar()

    /// Creates a calendar.
    /// - Parameters:
    ///   - officeHours: office periods of a working day (default 07:30–11:30, 13:00–17:00).
    ///   - timeZone: zone of the office (default Asia/Ho_Chi_Minh).
    ///   - holidays: special days (default the civil-service table 2020–2027 and the generator).
    ///   - precomputedYears: years made O(1); other years still work, more slowly.
    public init(
        officeHours: OfficeHours = .civilService,
        timeZone: TimeZone = WorkingCalendar.vietnamTimeZone,
        holidays: PublicHolidays = .vietnamCivilService,
        precomputedYears: ClosedRange<Int> = 2000...2100
    ) {
        self.officeHours = officeHours
        self.timeZone = timeZone
        self.holidays = holidays
        self.precomputedYears = precomputedYears
        self.secondsPerDay = Double(officeHours.secondsPerDay)

        let first = CivilDate(year: precomputedYears.lowerBound, month: 1, day: 1).daysSince1970
        let end = CivilDate(year: precomputedYears.upperBound + 1, month: 1, day: 1).daysSince1970
        var working = (first..<end).map { !Self.isWeekend(day: $0) }
        for year in precomputedYears {
            var overrides: [Int: Bool] = [:]
            Self.collectOverrides(holidays.days(inYear: year), into: &overrides)
            for (day, isDayOff) in overrides where (first..<end).contains(day) {
                working[day - first] = !isDayOff
            }
        }
        var ranks = [Int32](repeating: 0, count: working.count + 1)
        var workingDays: [Int32] = []
        workingDays.reserveCapacity(working.count * 5 / 7)
        for (i, isWorking) in working.enumerated() {
            ranks[i + 1] = ranks[i] + (isWorking ? 1 : 0)
            if isWorking { workingDays.append(Int32(i)) }
        }
        self.firstDay = first
        self.isWorkingTable = working
        self.rankTable = ranks
        self.workingDayTable = workingDays

        // Vietnam has had no DST and one offset since 1975; any zone that keeps one offset over the
        // precomputed years gets the arithmetic path there.
        let startInstant = Double(first) * 86_400 - 86_400
        let endInstant = Double(end) * 86_400 + 86_400
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: startInstant))
        var constant = true
        var t = startInstant
        while t <= endInstant {
            if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: t)) != offset {
                constant = false
                break
            }
            t += 14 * 86_400
        }
        if constant,
            let transition = timeZone.nextDaylightSavingTimeTransition(
                after: Date(timeIntervalSince1970: startInstant)),
            transition.timeIntervalSince1970 < endInstant
        {
            constant = false
        }
        self.fixedOffset = constant ? offset : nil
        self.fixedRange = startInstant...endInstant
    }

    // MARK: - Days

    /// Whether `date` is a working day: Monday–Friday minus holidays, compensatory and swapped days
    /// off, plus make-up working days.
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        isWorking(day: date.daysSince1970)
    }

    /// The first working day after `date`.
    public func nextWorkingDay(after date: CivilDate) -> CivilDate {
        let day = date.daysSince1970 + 1
        return CivilDate(daysSince1970: workingDay(atRank: rank(ofDay: day)))
    }

    /// `date` if it is a working day, otherwise the next one.
    public func workingDay(onOrAfter date: CivilDate) -> CivilDate {
        CivilDate(daysSince1970: workingDay(atRank: rank(ofDay: date.daysSince1970)))
    }

    /// The `n`-th working day after `date` (`n` ≥ 1), or before it for negative `n`; for `n` = 0,
    /// `workingDay(onOrAfter:)`.
    public func addingWorkingDays(_ n: Int, to date: CivilDate) -> CivilDate {
        let day = date.daysSince1970
        let status = dayStatus(day)
        let target: Int
        if n > 0 {
            target = status.rank + (status.working ? 1 : 0) + n - 1
        } else {
            target = status.rank + n
        }
        return CivilDate(daysSince1970: workingDay(atRank: target))
    }

    /// Number of working days in `[from, to)`; negative when `to` is before `from`.
    public func workingDays(from: CivilDate, to: CivilDate) -> Int {
        rank(ofDay: to.daysSince1970) - rank(ofDay: from.daysSince1970)
    }

    // MARK: - Instants

    /// The local calendar date of an instant.
    public func civilDate(of instant: Date) -> CivilDate {
        CivilDate(daysSince1970: Self.day(ofLocal: localSeconds(instant)))
    }

    /// The instant at a local time of day on a date.
    public func instant(on date: CivilDate, at time: TimeOfDay) -> Date {
        instant(local: Double(date.daysSince1970) * 86_400 + Double(time.secondsSinceMidnight))
    }

    /// Whether an instant lies in an office session of a working day.
    public func isOfficeTime(_ instant: Date) -> Bool {
        let local = localSeconds(instant)
        let day = Self.day(ofLocal: local)
        return isWorking(day: day) && officeHours.contains(secondOfDay: local - Double(day) * 86_400)
    }

    /// `instant` itself when it is office time, otherwise the start of the next office session
    /// (after the lunch break, or on the next working day). This is where work received outside
    /// office hours starts.
    public func nextOfficeTime(atOrAfter instant: Date) -> Date {
        let local = localSeconds(instant)
        let day = Self.day(ofLocal: local)
        let secondOfDay = local - Double(day) * 86_400
        if isWorking(day: day) {
            for session in officeHours.sessions {
                if secondOfDay < Double(session.start.secondsSinceMidnight) {
                    return self.instant(local: Double(day) * 86_400 + Double(session.start.secondsSinceMidnight))
                }
                if secondOfDay < Double(session.end.secondsSinceMidnight) { return instant }
            }
        }
        return opening(ofDay: workingDay(atRank: rank(ofDay: day + 1)))
    }

    /// The first opening of office hours on a working day strictly after `instant`
    /// (07:30 today if it is a working day and `instant` is earlier, otherwise the next working day).
    public func nextWorkingDayStart(after instant: Date) -> Date {
        nextOpening(instant, inclusive: false)
    }

    /// The first opening of office hours on a working day at or after `instant`; `instant` itself
    /// when it is exactly an opening.
    public func nextWorkingDayStart(at instant: Date) -> Date {
        nextOpening(instant, inclusive: true)
    }

    /// The opening of office hours on the first working day whose date is after the date of
    /// `instant`, whatever the time: e.g. the day a dossier received after the 15:00 cut-off is
    /// forwarded ("chuyển vào đầu giờ ngày làm việc tiếp theo").
    public func startOfNextWorkingDay(after instant: Date) -> Date {
        let day = Self.day(ofLocal: localSeconds(instant))
        return opening(ofDay: workingDay(atRank: rank(ofDay: day + 1)))
    }

    /// Adds office time: counts `seconds` of office hours on working days, skipping the lunch
    /// break, evenings, weekends and days off.
    ///
    /// - Starting outside office hours, counting starts at the next office period: Friday
    ///   13/2/2026 16:00 + 2 h → Monday 23/2/2026 08:30 (after Tết).
    /// - The result is the earliest instant that completes the time, so a deadline that uses up a
    ///   day ends at its closing (17:00) or at the start of the lunch break (11:30), not at the next
    ///   opening.
    /// - `seconds` = 0 returns `instant` unchanged. Negative `seconds` count backwards and return the
    ///   latest instant with that much office time before `instant` (07:30 rather than the previous
    ///   day's 17:00).
    public func addWorkingTime(_ seconds: TimeInterval, to instant: Date) -> Date {
        guard seconds != 0, seconds.isFinite else { return instant }
        let target = cumulativeOfficeSeconds(local: localSeconds(instant)) + seconds
        return self.instant(local: local(forCumulative: target, earliest: seconds > 0))
    }

    /// Office seconds between two instants: the office time of working days in `[from, to)`.
    ///
    /// Zero when both lie in the same non-office stretch (e.g. Saturday to Sunday); negative
    /// (minus the office time of `[to, from)`) when `to` is before `from`, so
    /// `workingTime(from: a, to: b) == -workingTime(from: b, to: a)`.
    public func workingTime(from start: Date, to end: Date) -> TimeInterval {
        cumulativeOfficeSeconds(local: localSeconds(end)) - cumulativeOfficeSeconds(local: localSeconds(start))
    }

    /// The close of office hours (17:00) on the `n`-th working day after the date of `instant`:
    /// Monday 09:00 + 3 → Thursday 17:00. The time of day of `instant` does not matter.
    ///
    /// `n` = 0 gives the close of the instant's day when it is a working day, otherwise of the next
    /// working day; negative `n` counts working days before the instant's date.
    public func addWorkingDays(_ n: Int, to instant: Date) -> Date {
        let day = civilDate(of: instant)
        let target = addingWorkingDays(n, to: day)
        return self.instant(on: target, at: officeHours.closing)
    }

    /// Plain elapsed time, 24/7 ("giờ" limits that are not office hours).
    public func addCalendarHours(_ hours: Double, to instant: Date) -> Date {
        instant.addingTimeInterval(hours * 3600)
    }

    // MARK: - Local time

    private func localSeconds(_ instant: Date) -> Double {
        let t = instant.timeIntervalSince1970
        if let offset = fixedOffset, fixedRange.contains(t) { return t + Double(offset) }
        return t + Double(timeZone.secondsFromGMT(for: instant))
    }

    private func instant(local: Double) -> Date {
        if let offset = fixedOffset {
            let t = local - Double(offset)
            if fixedRange.contains(t) { return Date(timeIntervalSince1970: t) }
        }
        // Two passes settle the offset except inside a DST gap, which has no exact answer.
        var offset = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        offset = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - offset)))
        return Date(timeIntervalSince1970: local - offset)
    }

    private static func day(ofLocal local: Double) -> Int {
        Int((local / 86_400).rounded(.down))
    }

    private func opening(ofDay day: Int) -> Date {
        instant(local: Double(day) * 86_400 + Double(officeHours.opening.secondsSinceMidnight))
    }

    private func nextOpening(_ instant: Date, inclusive: Bool) -> Date {
        let local = localSeconds(instant)
        let day = Self.day(ofLocal: local)
        let secondOfDay = local - Double(day) * 86_400
        let opening = Double(officeHours.opening.secondsSinceMidnight)
        if isWorking(day: day) && (inclusive ? secondOfDay <= opening : secondOfDay < opening) {
            return self.opening(ofDay: day)
        }
        return self.opening(ofDay: workingDay(atRank: rank(ofDay: day + 1)))
    }

    // MARK: - Office-time arithmetic

    /// Office seconds from the start of the precomputed range to a local instant (negative before
    /// it). Every instant operation is a difference or an inverse of this monotone function.
    private func cumulativeOfficeSeconds(local: Double) -> Double {
        let day = Self.day(ofLocal: local)
        let status = dayStatus(day)
        var total = Double(status.rank) * secondsPerDay
        if status.working {
            total += officeHours.officeSeconds(before: local - Double(day) * 86_400)
        }
        return total
    }

    /// The earliest (or latest) local instant at which `cumulativeOfficeSeconds` equals `value`.
    private func local(forCumulative value: Double, earliest: Bool) -> Double {
        var rank = Int((value / secondsPerDay).rounded(.down))
        var remainder = value - Double(rank) * secondsPerDay
        if remainder < 0 { remainder = 0 }
        if remainder >= secondsPerDay {
            rank += 1
            remainder -= secondsPerDay
        }
        if remainder == 0 {
            if earliest {
                let day = workingDay(atRank: rank - 1)
                return Double(day) * 86_400 + Double(officeHours.closing.secondsSinceMidnight)
            }
            let day = workingDay(atRank: rank)
            return Double(day) * 86_400 + Double(officeHours.opening.secondsSinceMidnight)
        }
        let day = workingDay(atRank: rank)
        return Double(day) * 86_400 + officeHours.secondOfDay(afterOfficeSeconds: remainder, earliest: earliest)
    }

    // MARK: - Day tables

    private func isWorking(day: Int) -> Bool {
        let i = day - firstDay
        if i >= 0 && i < isWorkingTable.count { return isWorkingTable[i] }
        var overrides: [Int: Bool] = [:]
        Self.collectOverrides(holidays.days(inYear: CivilDate(daysSince1970: day).year), into: &overrides)
        return overrides[day].map { !$0 } ?? !Self.isWeekend(day: day)
    }

    /// Rank (working days since `firstDay`) and working-day flag of a day.
    private func dayStatus(_ day: Int) -> (rank: Int, working: Bool) {
        let i = day - firstDay
        if i >= 0 && i < isWorkingTable.count { return (Int(rankTable[i]), isWorkingTable[i]) }
        return (rank(ofDay: day), isWorking(day: day))
    }

    /// Working days in `[firstDay, day)`; minus the working days in `[day, firstDay)` before the range.
    private func rank(ofDay day: Int) -> Int {
        let i = day - firstDay
        if i >= 0 && i < rankTable.count { return Int(rankTable[i]) }
        var scan = DayScanner(calendar: self)
        if i < 0 {
            return -(day..<firstDay).reduce(0) { $0 + (scan.isWorking($1) ? 1 : 0) }
        }
        let end = firstDay + isWorkingTable.count
        return Int(rankTable[rankTable.count - 1]) + (end..<day).reduce(0) { $0 + (scan.isWorking($1) ? 1 : 0) }
    }

    /// The working day whose rank is `rank`.
    private func workingDay(atRank rank: Int) -> Int {
        if rank >= 0 && rank < workingDayTable.count { return firstDay + Int(workingDayTable[rank]) }
        var scan = DayScanner(calendar: self)
        if rank < 0 {
            var day = firstDay
            var current = 0
            while true {
                day -= 1
                if scan.isWorking(day) {
                    current -= 1
                    if current == rank { return day }
                }
            }
        }
        var day = firstDay + isWorkingTable.count
        var current = workingDayTable.count
        while true {
            if scan.isWorking(day) {
                if current == rank { return day }
                current += 1
            }
            day += 1
        }
    }

    /// Day-by-day working-day test outside the precomputed years, generating each year once.
    private struct DayScanner {
        let calendar: WorkingCalendar
        var year = Int.min
        var overrides: [Int: Bool] = [:]

        init(calendar: WorkingCalendar) { self.calendar = calendar }

        mutating func isWorking(_ day: Int) -> Bool {
            let i = day - calendar.firstDay
            if i >= 0 && i < calendar.isWorkingTable.count { return calendar.isWorkingTable[i] }
            let dayYear = CivilDate(daysSince1970: day).year
            if dayYear != year {
                year = dayYear
                overrides = [:]
                WorkingCalendar.collectOverrides(calendar.holidays.days(inYear: dayYear), into: &overrides)
            }
            return overrides[day].map { !$0 } ?? !WorkingCalendar.isWeekend(day: day)
        }
    }

    /// Maps `daysSince1970` → `true` for a day off, `false` for a make-up working day
    /// (a day off wins when both are listed).
    private static func collectOverrides(_ entries: [CalendarDay], into overrides: inout [Int: Bool]) {
        for entry in entries {
            let day = entry.date.daysSince1970
            if entry.kind.isDayOff {
                overrides[day] = true
            } else if overrides[day] == nil {
                overrides[day] = false
            }
        }
    }

    private static func isWeekend(day: Int) -> Bool {
        let r = ((day + 3) % 7 + 7) % 7  // 0 = Monday (1970-01-01 was a Thursday)
        return r >= 5
    }
}
