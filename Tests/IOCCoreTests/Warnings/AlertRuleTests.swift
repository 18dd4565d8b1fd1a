import Foundation
import IOCCore
import Testing

/// Alert rules judged with an injected clock: every `now` is an explicit local (Asia/Ho_Chi_Minh) time on 2 March 2026.
@Suite struct AlertRuleTests {
    static let calendar = RuleEngine.vietnamCalendar
    static let minute: TimeInterval = 60
    static let hour: TimeInterval = 3600

    /// A local time in Asia/Ho_Chi_Minh.
    static func at(_ hour: Int, _ minute: Int = 0, day: Int = 2) -> Date {
        calendar.date(from: DateComponents(year: 2026, month: 3, day: day, hour: hour, minute: minute))!
    }

    /// Points every `step` from `start`.
    static func series(from start: Date, every step: TimeInterval, _ values: [Double]) -> [SeriesPoint] {
        values.enumerated().map { SeriesPoint(time: start.addingTimeInterval(Double($0.offset) * step), value: $0.element) }
    }

    /// A transition with the evaluation instant that sent it.
    struct Sent: Equatable, CustomStringConvertible {
        var time: Date
        var transition: RuleTransition
        var description: String { "\(time): \(transition)" }
    }

    /// Evaluates at each instant as the server does: the state carried over, and only the points that have arrived
    /// (`arrived`, default: time ≤ now) within `[now − lookback, now]` passed in.
    static func run(
        _ rule: AlertRule, _ points: [SeriesPoint], at instants: [Date], from state: RuleState = .idle,
        arrived: (SeriesPoint, Date) -> Bool = { point, now in point.time <= now }
    ) -> (state: RuleState, sent: [Sent]) {
        var state = state
        var sent: [Sent] = []
        for now in instants {
            let fetched = points.filter { arrived($0, now) && $0.time >= now.addingTimeInterval(-rule.lookback) && $0.time <= now }
            let (next, transition) = RuleEngine.evaluate(rule, state: state, points: fetched, now: now, calendar: calendar)
            state = next
            if let transition { sent.append(Sent(time: now, transition: transition)) }
        }
        return (state, sent)
    }

    /// Instants every `step` from `start` through `end`.
    static func every(_ step: TimeInterval, from start: Date, through end: Date) -> [Date] {
        Array(stride(from: start.timeIntervalSince1970, through: end.timeIntervalSince1970, by: step).map { Date(timeIntervalSince1970: $0) })
    }

    static let pm25 = AlertRule(code: "pm25-aqi-150-2h", condition: .threshold(.above, 150, duration: 2 * hour))

    // MARK: - Duration

    @Test func thresholdFiresOnlyAfterHoldingForTheWholeDuration() {
        let points = Self.series(from: Self.at(8), every: Self.minute, Array(repeating: 160, count: 151))  // 08:00–10:30
        let early = Self.run(Self.pm25, points, at: [Self.at(9, 59)])
        #expect(early.sent.isEmpty)
        #expect(early.state.pendingSince == Self.at(8))
        #expect(!early.state.firing)

        let due = Self.run(Self.pm25, points, at: [Self.at(9, 59), Self.at(10)])
        #expect(due.sent == [Sent(time: Self.at(10), transition: .raise(value: 160, since: Self.at(8)))])
        #expect(due.state.firing && due.state.since == Self.at(8) && due.state.pendingSince == nil)
    }

    @Test func theDurationIsProvenByReadingsAtBothEnds() {
        // Hourly readings: at 10:00 the 08:00 and 09:00 readings prove only one hour; the 10:00 reading proves two.
        let points = Self.series(from: Self.at(8), every: Self.hour, [160, 170, 165])
        #expect(Self.run(Self.pm25, Array(points.prefix(2)), at: [Self.at(10)]).sent.isEmpty)
        #expect(Self.run(Self.pm25, points, at: [Self.at(10)]).sent == [Sent(time: Self.at(10), transition: .raise(value: 165, since: Self.at(8)))])
    }

    @Test func aGapOrAGoodValueStartsTheDurationAgain() {
        // 08:00–09:00 above, then nothing for 2 h 15 min (more than maxGap 2 h), then above again from 11:15.
        let gap = Self.series(from: Self.at(8), every: 30 * Self.minute, [160, 160, 160])
            + Self.series(from: Self.at(11, 15), every: 15 * Self.minute, Array(repeating: 160, count: 13))
        let instants = Self.every(15 * Self.minute, from: Self.at(8), through: Self.at(14))
        #expect(Self.run(Self.pm25, gap, at: instants).sent == [Sent(time: Self.at(13, 15), transition: .raise(value: 160, since: Self.at(11, 15)))])
        // Allowing gaps of 3 h, the same readings are one breach since 08:00.
        let tolerant = AlertRule(code: "pm25-aqi-150-2h", condition: .threshold(.above, 150, duration: 2 * Self.hour, maxGap: 3 * Self.hour))
        #expect(Self.run(tolerant, gap, at: instants).sent == [Sent(time: Self.at(11, 15), transition: .raise(value: 160, since: Self.at(8)))])

        // Readings every 15 min with one at 150 (not above) at 09:00.
        var dip = Self.series(from: Self.at(8), every: 15 * Self.minute, Array(repeating: 160, count: 17))
        dip[4].value = 150
        #expect(Self.run(Self.pm25, dip, at: instants).sent == [Sent(time: Self.at(11, 15), transition: .raise(value: 160, since: Self.at(9, 15)))])
    }

    @Test func staleDataRaisesNothing() {
        // Above from 06:00 to 09:00, then the station stops: at 11:30 the newest reading is 2 h 30 min old.
        let points = Self.series(from: Self.at(6), every: 30 * Self.minute, Array(repeating: 160, count: 7))
        #expect(Self.run(Self.pm25, points, at: [Self.at(11, 30)]).sent.isEmpty)
        #expect(Self.run(Self.pm25, points, at: [Self.at(10, 30)]).sent.count == 1)
    }

    // MARK: - Crossing

    @Test func waterLevelCrossingAlarmLevelTwo() {
        // Alarm level II at 350 cm: fires at the first reading above it, once; clears at the first reading back.
        let rule = AlertRule(code: "muc-nuoc-bao-dong-2", condition: .crossing(.above, 350), severity: .critical)
        let points = Self.series(from: Self.at(8), every: 10 * Self.minute, [340, 345, 352, 358, 351, 349, 353])
        let result = Self.run(rule, points, at: points.map(\.time))
        #expect(result.sent == [
            Sent(time: Self.at(8, 20), transition: .raise(value: 352, since: Self.at(8, 20))),
            Sent(time: Self.at(8, 50), transition: .clear(value: 349, at: Self.at(8, 50))),
            Sent(time: Self.at(9), transition: .raise(value: 353, since: Self.at(9))),
        ])
    }

    // MARK: - Rate of change

    @Test func rainfallTotalOverThreeHours() {
        // Hourly totals stamped at the end of their hour; "> 50 mm in 3 h" counts the three hours ending now.
        let rule = AlertRule(code: "mua-50mm-3h", condition: .rateOfChange(window: 3 * Self.hour, sum: true, .above, 50))
        let points = Self.series(from: Self.at(7), every: Self.hour, [30, 5, 10, 20, 40, 0, 5])  // 07:00–13:00
        let result = Self.run(rule, points, at: Self.every(Self.hour, from: Self.at(7), through: Self.at(13)))
        // 09:00: 30 + 5 + 10 = 45; 10:00: 5 + 10 + 20 = 35 (the 07:00 total is rain of 06:00–07:00);
        // 11:00: 10 + 20 + 40 = 70; 12:00: 20 + 40 + 0 = 60; 13:00: 40 + 0 + 5 = 45.
        #expect(result.sent == [
            Sent(time: Self.at(11), transition: .raise(value: 70, since: Self.at(11))),
            Sent(time: Self.at(13), transition: .clear(value: 45, at: Self.at(13))),
        ])
    }

    @Test func waterLevelRiseAndFallWithinAnHour() {
        let rise = AlertRule(code: "nuoc-len-30cm-1h", condition: .rateOfChange(window: Self.hour, sum: false, .above, 30))
        let points = Self.series(from: Self.at(8), every: 15 * Self.minute, [100, 110, 120, 125, 135, 136])
        let result = Self.run(rise, points, at: points.map(\.time))
        // 09:00: 135 − 100 = 35; 09:15: 136 − 110 = 26.
        #expect(result.sent == [
            Sent(time: Self.at(9), transition: .raise(value: 35, since: Self.at(9))),
            Sent(time: Self.at(9, 15), transition: .clear(value: 26, at: Self.at(9, 15))),
        ])

        // A fall is `below` a negative change; one reading is no change at all.
        let fall = AlertRule(code: "nuoc-rut-30cm-1h", condition: .rateOfChange(window: Self.hour, sum: false, .below, -30))
        let falling = Self.series(from: Self.at(8), every: 30 * Self.minute, [200, 185, 165])
        #expect(Self.run(fall, falling, at: falling.map(\.time)).sent == [Sent(time: Self.at(9), transition: .raise(value: -35, since: Self.at(9)))])
        let single = RuleEngine.evaluate(fall, state: .idle, points: [falling[0]], now: Self.at(8), calendar: Self.calendar)
        #expect(single.0 == .idle && single.1 == nil)
    }

    // MARK: - Absence

    @Test func absenceFiresAfterTheSilenceAndAPointClearsIt() {
        let rule = AlertRule(code: "tram-mat-du-lieu-3h", condition: .absence(maxSilence: 3 * Self.hour))
        let points = [SeriesPoint(time: Self.at(8), value: 42), SeriesPoint(time: Self.at(11, 30), value: 40)]
        // The server fetches only the last 3 h, so at 11:05 the 08:00 reading is out of the window: the onset comes
        // from the state.
        let result = Self.run(rule, points, at: Self.every(5 * Self.minute, from: Self.at(8), through: Self.at(12)))
        #expect(result.sent == [
            Sent(time: Self.at(11, 5), transition: .raise(value: nil, since: Self.at(8))),  // 11:00 is exactly 3 h: not longer
            Sent(time: Self.at(11, 30), transition: .clear(value: 40, at: Self.at(11, 30))),
        ])
        #expect(!result.state.firing && result.state.pendingSince == Self.at(11, 30))

        // A subject never heard from fires at the first evaluation.
        let never = RuleEngine.evaluate(rule, state: .idle, points: [], now: Self.at(12), calendar: Self.calendar)
        #expect(never.1 == .raise(value: nil, since: Self.at(9)))
    }

    // MARK: - Hysteresis

    @Test func hysteresisStopsFlappingAroundTheThreshold() {
        let rule = AlertRule(code: "pm25-aqi-150", condition: .crossing(.above, 150), hysteresis: 10)
        let oscillating = (0..<24).map { $0.isMultiple(of: 2) ? 148.0 : 152.0 }
        let points = Self.series(from: Self.at(8), every: 10 * Self.minute, oscillating + [145, 141, 140, 148])
        let result = Self.run(rule, points, at: points.map(\.time))
        #expect(result.sent == [
            Sent(time: Self.at(8, 10), transition: .raise(value: 152, since: Self.at(8, 10))),
            Sent(time: Self.at(12, 20), transition: .clear(value: 140, at: Self.at(12, 20))),  // 141 is not enough
        ])
    }

    @Test func clearAfterNeedsTheClearingConditionToLast() {
        let rule = AlertRule(code: "pm25-aqi-150", condition: .crossing(.above, 150), hysteresis: 10, clearAfter: 30 * Self.minute)
        // 08:10 raise; 08:20 back to 140 but 08:40 is 142 (inside the band); from 08:50 good for 30 min.
        let points = Self.series(from: Self.at(8), every: 10 * Self.minute, [140, 160, 140, 135, 142, 138, 139, 130, 120])
        let result = Self.run(rule, points, at: points.map(\.time))
        #expect(result.sent == [
            Sent(time: Self.at(8, 10), transition: .raise(value: 160, since: Self.at(8, 10))),
            Sent(time: Self.at(9, 20), transition: .clear(value: 120, at: Self.at(9, 20))),
        ])
    }

    // MARK: - De-duplication

    @Test func reEvaluatingNeverRaisesTwice() {
        let points = Self.series(from: Self.at(8), every: 15 * Self.minute, Array(repeating: 160, count: 17))  // 08:00–12:00
        // Every minute from 09:00 to 12:00, then 12:00 ten more times.
        let instants = Self.every(Self.minute, from: Self.at(9), through: Self.at(12)) + Array(repeating: Self.at(12), count: 10)
        let result = Self.run(Self.pm25, points, at: instants)
        #expect(result.sent == [Sent(time: Self.at(10), transition: .raise(value: 160, since: Self.at(8)))])
    }

    @Test func orderAndDuplicatesOfPointsDoNotMatter() {
        let points = Self.series(from: Self.at(8), every: 15 * Self.minute, [160, 170, 165, 180, 175, 160, 190, 155, 158])
        // Reversed, twice over, and one instant reported again with a lower value.
        let messy = points.reversed() + points + [SeriesPoint(time: Self.at(9), value: 120)]
        let now = Self.at(10)
        let tidy = RuleEngine.evaluate(Self.pm25, state: .idle, points: points, now: now, calendar: Self.calendar)
        let other = RuleEngine.evaluate(Self.pm25, state: .idle, points: messy, now: now, calendar: Self.calendar)
        #expect(tidy.1 == .raise(value: 158, since: Self.at(8)))
        #expect(other.0 == tidy.0 && other.1 == tidy.1)
    }

    @Test func latePointsDoNotRaiseAgain() {
        // Readings every 10 min above 150 from 08:00 to 11:00, each arriving 25 min late; those of 10:00 and 10:10
        // arrive only at 10:50, and the 10:00 one is 130 (good) but older than the newest reading: it clears nothing,
        // and the breach, already raised at 10:45 on the 10:20 reading, is not raised again.
        var points = Self.series(from: Self.at(8), every: 10 * Self.minute, Array(repeating: 160, count: 19))
        points[12].value = 130  // 10:00
        let arrived: (SeriesPoint, Date) -> Bool = { point, now in
            let delay: TimeInterval = (Self.at(10)...Self.at(10, 10)).contains(point.time) ? 50 * Self.minute : 25 * Self.minute
            return point.time.addingTimeInterval(delay) <= now
        }
        let result = Self.run(Self.pm25, points, at: Self.every(5 * Self.minute, from: Self.at(8), through: Self.at(12)), arrived: arrived)
        #expect(result.sent == [Sent(time: Self.at(10, 45), transition: .raise(value: 160, since: Self.at(8)))])
        #expect(result.state.firing && result.state.since == Self.at(8))
    }

    // MARK: - Fan-out

    @Test func fanOutOverCommunesKeepsEachSubjectApart() {
        let rule = AlertRule(code: "pm25-aqi-150", condition: .crossing(.above, 150))
        let now = Self.at(9)
        let series: [String: [SeriesPoint]] = [
            "xa-ea-tu": [SeriesPoint(time: now, value: 180)],
            "xa-hoa-thang": [SeriesPoint(time: now, value: 90)],
            "phuong-tan-lap": [SeriesPoint(time: now.addingTimeInterval(-10 * Self.minute), value: 151)],
        ]
        let first = RuleEngine.evaluate(rule, states: [:], series: series, now: now, calendar: Self.calendar)
        #expect(first.transitions.map(\.subject) == ["phuong-tan-lap", "xa-ea-tu"])
        #expect(first.transitions.map(\.transition) == [
            .raise(value: 151, since: now.addingTimeInterval(-10 * Self.minute)), .raise(value: 180, since: now),
        ])
        #expect(first.states["xa-hoa-thang"] == RuleState(lastValue: 90))
        #expect(first.states["xa-ea-tu"]?.firing == true)

        // Ten minutes later Ea Tu is still above (no second raise), Tân Lập is back, Hòa Thắng rises.
        let later = now.addingTimeInterval(10 * Self.minute)
        let second = RuleEngine.evaluate(
            rule, states: first.states,
            series: [
                "xa-ea-tu": [SeriesPoint(time: later, value: 175)],
                "xa-hoa-thang": [SeriesPoint(time: later, value: 160)],
                "phuong-tan-lap": [SeriesPoint(time: later, value: 120)],
            ], now: later, calendar: Self.calendar)
        #expect(second.transitions.map(\.subject) == ["phuong-tan-lap", "xa-hoa-thang"])
        #expect(second.transitions.map(\.transition) == [.clear(value: 120, at: later), .raise(value: 160, since: later)])
        #expect(second.states.mapValues(\.firing) == ["xa-ea-tu": true, "xa-hoa-thang": true, "phuong-tan-lap": false])
        #expect(second.states["xa-ea-tu"]?.since == now)
    }

    @Test func fanOutJudgesSubjectsWithoutPointsToo() {
        // A station known from its state but with nothing fetched: the absence rule fires for it alone.
        let rule = AlertRule(code: "tram-mat-du-lieu-1h", condition: .absence(maxSilence: Self.hour))
        let now = Self.at(12)
        let states = ["tram-buon-don": RuleState(pendingSince: Self.at(10)), "tram-krong-pac": RuleState(pendingSince: Self.at(11, 50))]
        let result = RuleEngine.evaluate(
            rule, states: states, series: ["tram-krong-pac": [SeriesPoint(time: Self.at(11, 55), value: 7)]], now: now, calendar: Self.calendar)
        #expect(result.transitions.map(\.subject) == ["tram-buon-don"])
        #expect(result.transitions.map(\.transition) == [.raise(value: nil, since: Self.at(10))])
        #expect(result.states["tram-krong-pac"] == RuleState(pendingSince: Self.at(11, 55), lastValue: 7))
    }

    // MARK: - Quiet hours

    static let night = QuietHours(startMinute: 22 * 60, endMinute: 6 * 60, unlessSeverityAtLeast: .critical)

    @Test func quietHoursHoldARaiseUntilTheWindowEnds() {
        let rule = AlertRule(code: "pm25-aqi-150", condition: .crossing(.above, 150), hysteresis: 10, quietHours: Self.night)
        // Above from 23:00; by 05:30 at 145 — inside the hysteresis band, so the alarm would still be open.
        let points = Self.series(from: Self.at(23), every: 30 * Self.minute, Array(repeating: 160, count: 13)) + [
            SeriesPoint(time: Self.at(5, 30, day: 3), value: 145)
        ]
        let instants = Self.every(30 * Self.minute, from: Self.at(22), through: Self.at(7, day: 3))
        let firstNight = Self.run(rule, points, at: Array(instants.prefix(3)))
        #expect(firstNight.sent.isEmpty && firstNight.state.heldSince == Self.at(23) && !firstNight.state.firing)
        let result = Self.run(rule, points, at: instants)
        #expect(result.sent == [Sent(time: Self.at(6, day: 3), transition: .raise(value: 145, since: Self.at(23)))])
    }

    @Test func aHeldRaiseIsDroppedWhenTheRuleClearsMeanwhile() {
        let rule = AlertRule(code: "pm25-aqi-150", condition: .crossing(.above, 150), quietHours: Self.night)
        let points = [SeriesPoint(time: Self.at(23), value: 160)] + Self.series(from: Self.at(0, day: 3), every: Self.hour, Array(repeating: 120, count: 8))
        let result = Self.run(rule, points, at: Self.every(30 * Self.minute, from: Self.at(22), through: Self.at(7, day: 3)))
        #expect(result.sent.isEmpty)
        #expect(result.state == RuleState(lastValue: 120))
    }

    @Test func criticalRulesAreNeverHeld() {
        let rule = AlertRule(code: "muc-nuoc-bao-dong-3", condition: .crossing(.above, 450), quietHours: Self.night, severity: .critical)
        let point = SeriesPoint(time: Self.at(23), value: 460)
        let (_, transition) = RuleEngine.evaluate(rule, state: .idle, points: [point], now: Self.at(23), calendar: Self.calendar)
        #expect(transition == .raise(value: 460, since: Self.at(23)))
    }

    @Test func quietWindowWrapsMidnightInVietnamTime() {
        let rule = AlertRule(code: "pm25-aqi-150", condition: .crossing(.above, 150), quietHours: Self.night)
        func sentAt(_ now: Date) -> Bool {
            RuleEngine.evaluate(rule, state: .idle, points: [SeriesPoint(time: now, value: 160)], now: now, calendar: Self.calendar).1 != nil
        }
        #expect(sentAt(Self.at(21, 59)))
        #expect(!sentAt(Self.at(22)))
        #expect(!sentAt(Self.at(0, 30, day: 3)))
        #expect(!sentAt(Self.at(5, 59, day: 3)))
        #expect(sentAt(Self.at(6, day: 3)))
        // The window is local: 22:00 in Vietnam is 15:00 UTC, and 15:00 Vietnam time is not quiet.
        #expect(Self.at(22).timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 15 * Self.hour)
        #expect(sentAt(Self.at(15)))

        let day = QuietHours(startMinute: 12 * 60, endMinute: 13 * 60)
        #expect(day.contains(minuteOfDay: 12 * 60) && day.contains(minuteOfDay: 12 * 60 + 59) && !day.contains(minuteOfDay: 13 * 60))
        #expect(!QuietHours(startMinute: 600, endMinute: 600).contains(minuteOfDay: 600))
    }

    // MARK: - Backtest

    @Test func backtestReplaysRaisesAndClearsAtTheirTimes() {
        let rule = AlertRule(code: "pm25-aqi-150-1h", condition: .threshold(.above, 150, duration: Self.hour))
        let values = Array(repeating: 140.0, count: 6) + Array(repeating: 160.0, count: 12) + Array(repeating: 130.0, count: 7)
        let points = Self.series(from: Self.at(8), every: 10 * Self.minute, values)  // 140 from 08:00, 160 from 09:00, 130 from 11:00
        let sent = RuleEngine.backtest(rule, points: points, from: Self.at(8), to: Self.at(12), step: 5 * Self.minute, calendar: Self.calendar)
            .map { Sent(time: $0.time, transition: $0.transition) }
        #expect(sent == [
            Sent(time: Self.at(10), transition: .raise(value: 160, since: Self.at(9))),
            Sent(time: Self.at(11), transition: .clear(value: 130, at: Self.at(11))),
        ])
    }

    @Test func backtestFindsSilencesOnItsStepGrid() {
        let rule = AlertRule(code: "tram-mat-du-lieu-3h", condition: .absence(maxSilence: 3 * Self.hour))
        let points = Self.series(from: Self.at(6), every: Self.hour, [1, 2, 3, 4, 5]) + [SeriesPoint(time: Self.at(14, 2), value: 6)]
        let sent = RuleEngine.backtest(rule, points: points, from: Self.at(8), to: Self.at(16), step: 5 * Self.minute, calendar: Self.calendar)
            .map { Sent(time: $0.time, transition: $0.transition) }
        #expect(sent == [
            Sent(time: Self.at(13, 5), transition: .raise(value: nil, since: Self.at(10))),
            Sent(time: Self.at(14, 2), transition: .clear(value: 6, at: Self.at(14, 2))),  // evaluated at the point's own time
        ])
    }

    // MARK: - Rules as data

    @Test func validationNamesEachWrongField() {
        #expect(Self.pm25.validate().isEmpty)
        let bad = AlertRule(
            code: "PM25 cảnh báo", condition: .threshold(.above, .nan, duration: 8 * 86_400, maxGap: 0),
            hysteresis: -1, clearAfter: -60, quietHours: QuietHours(startMinute: 1440, endMinute: -1))
        #expect(bad.validate().map(\.field) == [
            "code", "condition.value", "condition.duration", "condition.maxGap", "hysteresis", "clearAfter",
            "quietHours.startMinute", "quietHours.endMinute",
        ])
        #expect(bad.validate().first?.failure == ValidationFailure(
            field: "code", vi: "Mã quy tắc chỉ được gồm chữ thường không dấu (a–z), chữ số và các ký tự - . _",
            en: "The rule code may contain only lower-case letters a–z, digits and - . _"))
        #expect(bad.validate()[2].en == "The duration must be between 0 and 7 days.")

        let others = [
            AlertRule(code: "", condition: .rateOfChange(window: 0, sum: true, .above, 50)),
            AlertRule(code: String(repeating: "a", count: 65), condition: .absence(maxSilence: .infinity)),
            AlertRule(code: "mua.tong_3h", condition: .crossing(.above, 1), quietHours: QuietHours(startMinute: 60, endMinute: 60)),
        ].map { $0.validate().map { "\($0.field): \($0.vi)" } }
        #expect(others == [
            ["code: Mã quy tắc là bắt buộc.", "condition.window: Khoảng thời gian tính phải lớn hơn 0 và không quá 7 ngày."],
            ["code: Mã quy tắc dài quá 64 ký tự.", "condition.maxSilence: Thời gian không có dữ liệu phải lớn hơn 0 và không quá 7 ngày."],
            ["quietHours.endMinute: Giờ yên lặng phải bắt đầu và kết thúc vào hai thời điểm khác nhau."],
        ])
    }

    @Test func describesRulesInBothLanguages() {
        #expect(Self.pm25.describe(parameter: "PM2.5 NowCast AQI") == ("PM2.5 NowCast AQI > 150 liên tục 2 giờ", "PM2.5 NowCast AQI > 150 for 2 h"))
        let rain = AlertRule(code: "mua-50mm-3h", condition: .rateOfChange(window: 3 * Self.hour, sum: true, .above, 50))
        #expect(rain.describe(parameter: LocalizedMessage(vi: "Lượng mưa", en: "Rainfall"), unit: "mm")
            == ("Lượng mưa cộng dồn 3 giờ > 50 mm", "Rainfall total over 3 h > 50 mm"))
        let level = AlertRule(code: "muc-nuoc-bd2", condition: .crossing(.above, 3.5))
        #expect(level.describe(parameter: LocalizedMessage(vi: "Mực nước", en: "Water level"), unit: "m")
            == ("Mực nước vượt lên trên 3,5 m", "Water level rises above 3.5 m"))
        let fall = AlertRule(code: "nuoc-rut", condition: .rateOfChange(window: 5400, sum: false, .below, -30))
        #expect(fall.describe(parameter: LocalizedMessage(vi: "Mực nước", en: "Water level"), unit: "cm")
            == ("Mực nước giảm hơn 30 cm trong 1 giờ 30 phút", "Water level falls more than 30 cm within 1 h 30 min"))
        let silence = AlertRule(code: "mat-du-lieu", condition: .absence(maxSilence: 86_400))
        #expect(silence.describe(parameter: LocalizedMessage(vi: "PM2.5", en: "PM2.5")) == ("Không có dữ liệu PM2.5 quá 1 ngày", "No PM2.5 data for more than 1 d"))
    }

    @Test func rulesRoundTripThroughTheConsolesJSON() throws {
        let json = #"{"code":"pm25-aqi-150-2h","condition":{"kind":"threshold","comparison":"above","value":150,"duration":7200}}"#
        let decoded = try JSONDecoder().decode(AlertRule.self, from: Data(json.utf8))
        #expect(decoded == Self.pm25)  // maxGap 2 h, no hysteresis, clear at once, warning
        let full = AlertRule(
            code: "mua-50mm-3h", condition: .rateOfChange(window: 10_800, sum: true, .above, 50), hysteresis: 5,
            clearAfter: 1800, quietHours: Self.night, severity: .info)
        #expect(try JSONDecoder().decode(AlertRule.self, from: JSONEncoder().encode(full)) == full)
        let state = RuleState(firing: true, since: Self.at(8), lastValue: 160)
        #expect(try JSONDecoder().decode(RuleState.self, from: JSONEncoder().encode(state)) == state)
    }

    @Test func lookbackCoversWhatOneEvaluationNeeds() {
        #expect(Self.pm25.lookback == 6 * Self.hour)  // maxGap 2 h + 2 h + maxGap 2 h
        #expect(AlertRule(code: "a", condition: .threshold(.below, 5, duration: Self.hour, maxGap: 600), clearAfter: 2 * Self.hour).lookback == 2 * Self.hour + 1200)
        #expect(AlertRule(code: "b", condition: .crossing(.above, 1)).lookback == 2 * Self.hour)
        #expect(AlertRule(code: "c", condition: .rateOfChange(window: 3 * Self.hour, sum: true, .above, 50)).lookback == 3 * Self.hour)
        #expect(AlertRule(code: "d", condition: .absence(maxSilence: Self.hour)).lookback == Self.hour)
        #expect(AlertRule(code: "e", condition: .absence(maxSilence: Self.hour), clearAfter: 600).lookback == 2 * Self.hour + 600)
    }

    @Test func severitiesMapToAlarmsThatOpen() {
        #expect(AlertRule.Severity.allCases.map(\.alarmSeverity) == [.minor, .major, .critical])
        #expect(AlertRule.Severity.allCases.allSatisfy { AlarmLifecycle.effect(severity: $0.alarmSeverity, hasKey: true, clear: false, open: nil) == .raise })
        #expect(AlertRule.Severity.info < .warning && AlertRule.Severity.warning < .critical)
    }
}
