import Foundation

/// Judges alert rules: one subject, many subjects (fan-out), or a replay over stored history.
///
/// Pure: the server fetches `[now − rule.lookback, now]` of each subject's series, passes the persisted `RuleState`,
/// stores the returned one and raises or clears alarms from the transitions. Every judgement is made from the points
/// (see `AlertRule.Condition`), so evaluating late, twice, or with points that arrive out of order or duplicated gives
/// at most one raise per breach: a firing (or held) subject never raises again until it has cleared.
/// `now` must not go backwards for a subject.
public enum RuleEngine {
    /// Asia/Ho_Chi_Minh, for quiet hours.
    public static let vietnamCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!
        return calendar
    }()

    /// One evaluation of `rule` for one subject at `now`.
    /// - Parameters:
    ///   - points: the subject's points in `[now − rule.lookback, now]`, any order, duplicates possible (points
    ///     outside that range are ignored).
    ///   - calendar: the local calendar for quiet hours.
    /// - Returns: the new state and at most one transition.
    public static func evaluate(
        _ rule: AlertRule, state: RuleState, points: [SeriesPoint], now: Date,
        calendar: Calendar = vietnamCalendar
    ) -> (RuleState, RuleTransition?) {
        let series = prepared(points)
        return step(rule, state: state, points: window(series, for: rule, at: now), now: now, calendar: calendar)
    }

    /// Fan-out: `rule` over many subjects (stations, communes), each judged on its own.
    ///
    /// The subjects are the union of the keys of `states` and `series`: a subject with a state but no points is
    /// judged on no points (which is what makes `absence` fire), one with points but no state starts `idle`.
    /// - Returns: the new state of every subject, and the transitions in subject order.
    public static func evaluate(
        _ rule: AlertRule, states: [String: RuleState], series: [String: [SeriesPoint]], now: Date,
        calendar: Calendar = vietnamCalendar
    ) -> (states: [String: RuleState], transitions: [(subject: String, transition: RuleTransition)]) {
        var newStates: [String: RuleState] = [:]
        var transitions: [(subject: String, transition: RuleTransition)] = []
        for subject in Set(states.keys).union(series.keys).sorted() {
            let (state, transition) = evaluate(
                rule, state: states[subject] ?? .idle, points: series[subject] ?? [], now: now, calendar: calendar)
            newStates[subject] = state
            if let transition { transitions.append((subject, transition)) }
        }
        return (newStates, transitions)
    }

    /// "Try against stored history": replays `rule` over one subject's stored `points` from `from` to `to`
    /// (inclusive), starting `idle`, evaluating at `from`, every `step` after it, and at each point's time.
    /// Points before `from` serve as history for the first evaluations.
    /// - Parameter step: seconds between evaluations (at least 1); 0 or less evaluates only at the points' times.
    /// - Returns: the raises and clears that would have been sent, with the evaluation instant that sent each.
    public static func backtest(
        _ rule: AlertRule, points: [SeriesPoint], from: Date, to: Date, step: TimeInterval,
        calendar: Calendar = vietnamCalendar
    ) -> [(time: Date, transition: RuleTransition)] {
        guard from <= to else { return [] }
        let series = prepared(points)
        var instants = Set(series.lazy.map(\.time).filter { $0 >= from && $0 <= to })
        if step > 0 {
            let step = max(step, 1)
            var i = 0.0
            while true {
                let t = from.addingTimeInterval(i * step)
                if t > to { break }
                instants.insert(t)
                i += 1
            }
        }
        var state = RuleState.idle
        var result: [(time: Date, transition: RuleTransition)] = []
        for t in instants.sorted() {
            let (next, transition) = self.step(
                rule, state: state, points: window(series, for: rule, at: t), now: t, calendar: calendar)
            state = next
            if let transition { result.append((t, transition)) }
        }
        return result
    }

    // MARK: - Steps

    /// Finite points sorted by time, one per instant (the largest value when several share it), so the judgement
    /// does not depend on the order or repetition of the input.
    static func prepared(_ points: [SeriesPoint]) -> [SeriesPoint] {
        let sorted = points.filter { $0.value.isFinite }.sorted { ($0.time, $0.value) < ($1.time, $1.value) }
        var result: [SeriesPoint] = []
        result.reserveCapacity(sorted.count)
        for point in sorted {
            if result.last?.time == point.time { result[result.count - 1] = point } else { result.append(point) }
        }
        return result
    }

    /// The prepared points in `[now − rule.lookback, now]`.
    static func window(_ series: [SeriesPoint], for rule: AlertRule, at now: Date) -> ArraySlice<SeriesPoint> {
        let start = now.addingTimeInterval(-rule.lookback)
        let lower = firstIndex(in: series) { $0.time >= start }
        let upper = firstIndex(in: series) { $0.time > now }
        return series[lower..<max(lower, upper)]
    }

    /// What the points say at one instant.
    struct Judgement {
        /// The raise condition holds; the breach began here.
        var onset: Date?
        /// The raise condition is accruing but not yet met (see `RuleState.pendingSince`).
        var pendingSince: Date?
        /// The value compared (nil for `absence` and when unknown).
        var value: Double?
        /// The latest point's value.
        var latest: Double?
        /// The clearing condition holds, since this instant.
        var clearingSince: Date?
        /// The clearing condition has held for `clearAfter`, proven at this instant.
        var clearedAt: Date?
    }

    static func judge(_ rule: AlertRule, state: RuleState, points: ArraySlice<SeriesPoint>, now: Date) -> Judgement {
        let clearAfter = max(0, rule.clearAfter)
        var j = Judgement(value: points.last?.value, latest: points.last?.value)
        /// The clearing run and the first of its points at least `clearAfter` after its start.
        func clearing(_ run: ArraySlice<SeriesPoint>?) {
            guard let run, let start = run.first?.time else { return }
            j.clearingSince = start
            j.clearedAt = run.first { $0.time.timeIntervalSince(start) >= clearAfter }?.time
        }
        func level(_ comparison: AlertRule.Comparison, _ threshold: Double, duration: TimeInterval, maxGap: TimeInterval) {
            if let run = run(points, now: now, maxGap: maxGap, where: { comparison.isPast($0, threshold) }) {
                let start = run.first!.time
                if run.last!.time.timeIntervalSince(start) >= max(0, duration) { j.onset = start } else { j.pendingSince = start }
            }
            let hysteresis = max(0, rule.hysteresis)
            let back = run(points, now: now, maxGap: maxGap) { comparison.isBack($0, from: threshold, hysteresis: hysteresis) }
            clearing(back)
        }
        switch rule.condition {
        case let .threshold(comparison, threshold, duration, maxGap):
            level(comparison, threshold, duration: duration, maxGap: maxGap)
        case let .crossing(comparison, threshold):
            level(comparison, threshold, duration: 0, maxGap: AlertRule.defaultMaxGap)
        case let .rateOfChange(window, sum, comparison, threshold):
            let metric: Double?
            let newest: Date?
            if sum {
                let start = now.addingTimeInterval(-window)
                let inWindow = points.drop { $0.time <= start }
                metric = inWindow.reduce(0) { $0 + $1.value }
                newest = inWindow.last?.time
            } else {
                metric = points.count >= 2 ? points.last!.value - points.first!.value : nil
                newest = points.last?.time
            }
            j.value = metric
            guard let metric else { break }
            if comparison.isPast(metric, threshold) { j.onset = newest ?? now }
            if comparison.isBack(metric, from: threshold, hysteresis: max(0, rule.hysteresis)) {
                // A window total has no per-point history to measure `clearAfter` on; count from the first evaluation
                // that saw the clearing condition.
                let start = state.clearingSince ?? now
                j.clearingSince = start
                if now.timeIntervalSince(start) >= clearAfter { j.clearedAt = start.addingTimeInterval(clearAfter) }
            }
        case let .absence(maxSilence):
            j.value = nil
            let remembered = state.pendingSince.flatMap { $0 <= now ? $0 : nil }
            let newest = [remembered, points.last?.time].compactMap { $0 }.max()
            if let newest, now.timeIntervalSince(newest) <= maxSilence {
                j.pendingSince = newest
                clearing(run(points, now: now, maxGap: maxSilence, where: { _ in true }))
            } else {
                j.onset = newest ?? now.addingTimeInterval(-maxSilence)
            }
        }
        return j
    }

    /// The run of consecutive points satisfying `predicate`, each at most `maxGap` after the previous one, that ends
    /// with the latest point — nil when the latest point fails `predicate` or is more than `maxGap` before `now`.
    static func run(
        _ points: ArraySlice<SeriesPoint>, now: Date, maxGap: TimeInterval, where predicate: (Double) -> Bool
    ) -> ArraySlice<SeriesPoint>? {
        guard let last = points.last, predicate(last.value), now.timeIntervalSince(last.time) <= maxGap else { return nil }
        var start = points.endIndex - 1
        while start > points.startIndex {
            let previous = points[start - 1]
            guard points[start].time.timeIntervalSince(previous.time) <= maxGap, predicate(previous.value) else { break }
            start -= 1
        }
        return points[start...]
    }

    static func step(
        _ rule: AlertRule, state: RuleState, points: ArraySlice<SeriesPoint>, now: Date, calendar: Calendar
    ) -> (RuleState, RuleTransition?) {
        let j = judge(rule, state: state, points: points, now: now)
        var s = state
        let reportsValue: Bool = if case .absence = rule.condition { false } else { true }
        if let v = reportsValue ? j.value : j.latest { s.lastValue = v }

        if s.firing || s.heldSince != nil {
            if let clearedAt = j.clearedAt {
                let wasFiring = s.firing
                s = RuleState(pendingSince: j.pendingSince, lastValue: s.lastValue)
                guard wasFiring else { return (s, nil) }  // held by quiet hours and cleared meanwhile: dropped
                return (s, .clear(value: j.value ?? j.latest, at: clearedAt))
            }
            s.clearingSince = j.clearingSince
            s.pendingSince = nil
            if s.heldSince != nil, !isQuiet(rule, at: now, calendar: calendar) {
                s.firing = true
                s.heldSince = nil
                return (s, .raise(value: reportsValue ? s.lastValue : nil, since: s.since ?? now))
            }
            return (s, nil)
        }

        s.clearingSince = nil
        guard let onset = j.onset else {
            s.since = nil
            s.pendingSince = j.pendingSince
            return (s, nil)
        }
        s.pendingSince = nil
        s.since = onset
        if isQuiet(rule, at: now, calendar: calendar) {
            s.heldSince = now
            return (s, nil)
        }
        s.firing = true
        return (s, .raise(value: reportsValue ? j.value : nil, since: onset))
    }

    /// The first index of `series` whose point satisfies `belongs`, which must be false then true along it.
    private static func firstIndex(in series: [SeriesPoint], where belongs: (SeriesPoint) -> Bool) -> Int {
        var low = 0
        var high = series.count
        while low < high {
            let mid = (low + high) / 2
            if belongs(series[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Whether a new raise of `rule` is held at `now`.
    static func isQuiet(_ rule: AlertRule, at now: Date, calendar: Calendar) -> Bool {
        guard let quiet = rule.quietHours else { return false }
        if let exempt = quiet.unlessSeverityAtLeast, rule.severity >= exempt { return false }
        let c = calendar.dateComponents([.hour, .minute], from: now)
        return quiet.contains(minuteOfDay: (c.hour ?? 0) * 60 + (c.minute ?? 0))
    }
}
