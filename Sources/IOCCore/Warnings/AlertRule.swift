import Foundation

/// One reading of a series the rules watch: an observation (PM2.5 NowCast AQI at a station, water level at a gauge),
/// an indicator value (for a commune) or an event count (reports in a commune per hour).
public struct SeriesPoint: Sendable, Equatable, Codable {
    public var time: Date
    public var value: Double

    public init(time: Date, value: Double) {
        self.time = time
        self.value = value
    }
}

/// An alert rule ("quy tắc cảnh báo"): when a series is bad enough for long enough, raise an alarm for the subject
/// (station, commune) — and clear it when the series is good again. Used by environment warnings and later services;
/// edited in the console, tried against stored history with `RuleEngine.backtest` before it is switched on.
///
/// The rule is pure data; `RuleEngine` judges it. The exact semantics of every condition are on `Condition`.
public struct AlertRule: Sendable, Equatable, Codable {
    /// Which side of the threshold is bad.
    public enum Comparison: String, Codable, Sendable, CaseIterable {
        /// Bad when `value > threshold` (strictly).
        case above
        /// Bad when `value < threshold` (strictly).
        case below
    }

    /// How urgent the rule's alarm is, in rising order.
    public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
        case info, warning, critical

        public static func < (a: Severity, b: Severity) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }

        /// The platform's alarm severity for the rule's alarm. `info` maps to `minor`, not to `AlarmSeverity.info`,
        /// because a rule always raises an alarm and `AlarmLifecycle` never opens alarms for info events.
        public var alarmSeverity: AlarmSeverity {
            switch self {
            case .info: .minor
            case .warning: .major
            case .critical: .critical
            }
        }
    }

    /// What makes the rule fire. Every kind is judged from the points (and, for `absence`, the newest point
    /// remembered in the state), so a late evaluation or a replay gives the same answer as a punctual one as long as
    /// the newest point is not stale.
    ///
    /// JSON (console): `{"kind":"threshold","comparison":"above","value":150,"duration":7200,"maxGap":7200}` (maxGap
    /// optional), `{"kind":"crossing",…}`, `{"kind":"rateOfChange","window":10800,"sum":true,…}`,
    /// `{"kind":"absence","maxSilence":10800}`; times in seconds.
    ///
    /// Points at the same instant are one reading (when they disagree, the largest value counts); non-finite values
    /// and points after the evaluation instant are ignored.
    public enum Condition: Sendable, Equatable, Codable {
        /// "PM2.5 NowCast AQI > 150 for 2 h", judged from readings alone. At `t`, take the *run*: the consecutive
        /// points past the threshold, each at most `maxGap` after the previous one, that ends with the latest point at
        /// or before `t`. The condition has *held for `duration`* when
        /// - the latest point is past the threshold and at most `maxGap` before `t` (older data says nothing), and
        /// - the run spans at least `duration`: its last point is `duration` or more after its first.
        /// So a breach is proven by readings at both ends — one reading followed by silence never proves 2 hours —
        /// and a point on the good side, or a silence longer than `maxGap`, starts the count again. With readings
        /// every minute from 08:00, the rule has not fired at 09:59 and fires at 10:00. The breach's onset
        /// (`RuleTransition.raise(since:)`) is the run's first point.
        case threshold(Comparison, Double, duration: TimeInterval, maxGap: TimeInterval = AlertRule.defaultMaxGap)
        /// "Water level crosses alarm level II": fires at the first point past the level. Judged exactly as
        /// `threshold` with `duration` 0 and the default `maxGap`; a kind of its own for the console.
        case crossing(Comparison, Double)
        /// "Rainfall > 50 mm in 3 h" (`sum`) or "water level rises > 30 cm in 1 h" (`!sum`), judged at each instant:
        /// - `sum`: the total of the values of the points in `(t − window, t]` — half-open, so hourly totals stamped
        ///   at the end of their hour are counted once (3 h at 10:00 = the 08:00, 09:00 and 10:00 totals). An empty
        ///   window totals 0 (no events, no rain).
        /// - `!sum`: the last minus the first value of the points in `[t − window, t]`; unknown with fewer than two
        ///   points (neither raises nor clears). `below` with a negative threshold is a fall.
        /// The onset is the newest point in the window (the reading that completed the breach).
        case rateOfChange(window: TimeInterval, sum: Bool, Comparison, Double)
        /// "No data for more than 3 h": fires when the newest point is more than `maxSilence` before `t` (or there
        /// has been none); a point clears it. The onset is the newest point seen (the start of the silence); the
        /// raise carries no value.
        case absence(maxSilence: TimeInterval)
    }

    /// A stable identifier, e.g. `pm25-aqi-150-2h`: lower-case a–z, digits, `-`, `.`, `_`; at most 64 characters.
    public var code: String
    public var condition: Condition
    /// The rule clears only when the value is back past `threshold ∓ hysteresis` (for `above`, `value ≤ threshold −
    /// hysteresis`; for `below`, `value ≥ threshold + hysteresis`), so a value oscillating around the threshold does
    /// not flap. 0 = clear as soon as the value is no longer past the threshold. Not used by `absence`.
    public var hysteresis: Double
    /// How long the clearing condition must hold before the rule clears. For `threshold` and `crossing`, a run of
    /// points back past `threshold ∓ hysteresis` must span it (judged like `threshold`'s duration); for `absence`, a run
    /// of points with no silence longer than `maxSilence`; for `rateOfChange`, it counts from the first evaluation that
    /// saw the clearing condition. 0 = at the first point that clears.
    public var clearAfter: TimeInterval
    /// A local-time window in which a new raise is held, not dropped; see `QuietHours`.
    public var quietHours: QuietHours?
    public var severity: Severity

    /// The silence that breaks a threshold's continuity when the rule does not say (2 h).
    public static let defaultMaxGap: TimeInterval = 2 * 3600
    /// The longest duration, window, silence or gap a rule may name (7 days), which bounds `lookback`.
    public static let maxDuration: TimeInterval = 7 * 86_400

    public init(
        code: String, condition: Condition, hysteresis: Double = 0, clearAfter: TimeInterval = 0,
        quietHours: QuietHours? = nil, severity: Severity = .warning
    ) {
        self.code = code
        self.condition = condition
        self.hysteresis = hysteresis
        self.clearAfter = clearAfter
        self.quietHours = quietHours
        self.severity = severity
    }

    /// How far back the server must fetch a subject's points for one evaluation at `now`: `[now − lookback, now]`.
    /// With `span = max(duration, clearAfter)` (0 for a crossing):
    /// - threshold, crossing: `maxGap`, plus `span + maxGap` when `span > 0` — the latest point is at most `maxGap`
    ///   old, and a run long enough has a point within `maxGap` before `latest − span`, so the window always shows it;
    /// - rateOfChange: `window`;
    /// - absence: `maxSilence`, plus `clearAfter + maxSilence` when `clearAfter > 0`.
    public var lookback: TimeInterval {
        func covering(_ span: TimeInterval, gap: TimeInterval) -> TimeInterval {
            let gap = Swift.max(0, gap)
            return span > 0 ? gap + span + gap : gap
        }
        let clear = Swift.max(0, clearAfter)
        switch condition {
        case let .threshold(_, _, duration, maxGap): return covering(Swift.max(duration, clear), gap: maxGap)
        case .crossing: return covering(clear, gap: Self.defaultMaxGap)
        case let .rateOfChange(window, _, _, _): return Swift.max(0, window)
        case let .absence(maxSilence): return covering(clear, gap: maxSilence)
        }
    }

    // Defaults for the console: only `code` and `condition` are required in JSON.
    private enum CodingKeys: String, CodingKey {
        case code, condition, hysteresis, clearAfter, quietHours, severity
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            code: try c.decode(String.self, forKey: .code),
            condition: try c.decode(Condition.self, forKey: .condition),
            hysteresis: try c.decodeIfPresent(Double.self, forKey: .hysteresis) ?? 0,
            clearAfter: try c.decodeIfPresent(TimeInterval.self, forKey: .clearAfter) ?? 0,
            quietHours: try c.decodeIfPresent(QuietHours.self, forKey: .quietHours),
            severity: try c.decodeIfPresent(Severity.self, forKey: .severity) ?? .warning)
    }
}

extension AlertRule.Condition {
    // A flat shape the console can edit: {"kind":"threshold","comparison":"above","value":150,"duration":7200,"maxGap":7200}.
    private enum Kind: String, Codable {
        case threshold, crossing, rateOfChange, absence
    }

    private enum CodingKeys: String, CodingKey {
        case kind, comparison, value, duration, maxGap, window, sum, maxSilence
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .kind) {
        case .threshold:
            self = .threshold(
                try c.decode(AlertRule.Comparison.self, forKey: .comparison), try c.decode(Double.self, forKey: .value),
                duration: try c.decode(TimeInterval.self, forKey: .duration),
                maxGap: try c.decodeIfPresent(TimeInterval.self, forKey: .maxGap) ?? AlertRule.defaultMaxGap)
        case .crossing:
            self = .crossing(
                try c.decode(AlertRule.Comparison.self, forKey: .comparison), try c.decode(Double.self, forKey: .value))
        case .rateOfChange:
            self = .rateOfChange(
                window: try c.decode(TimeInterval.self, forKey: .window), sum: try c.decode(Bool.self, forKey: .sum),
                try c.decode(AlertRule.Comparison.self, forKey: .comparison), try c.decode(Double.self, forKey: .value))
        case .absence:
            self = .absence(maxSilence: try c.decode(TimeInterval.self, forKey: .maxSilence))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .threshold(comparison, value, duration, maxGap):
            try c.encode(Kind.threshold, forKey: .kind)
            try c.encode(comparison, forKey: .comparison)
            try c.encode(value, forKey: .value)
            try c.encode(duration, forKey: .duration)
            try c.encode(maxGap, forKey: .maxGap)
        case let .crossing(comparison, value):
            try c.encode(Kind.crossing, forKey: .kind)
            try c.encode(comparison, forKey: .comparison)
            try c.encode(value, forKey: .value)
        case let .rateOfChange(window, sum, comparison, value):
            try c.encode(Kind.rateOfChange, forKey: .kind)
            try c.encode(window, forKey: .window)
            try c.encode(sum, forKey: .sum)
            try c.encode(comparison, forKey: .comparison)
            try c.encode(value, forKey: .value)
        case let .absence(maxSilence):
            try c.encode(Kind.absence, forKey: .kind)
            try c.encode(maxSilence, forKey: .maxSilence)
        }
    }
}

extension AlertRule.Comparison {
    /// Whether `value` is on the bad side of `threshold`.
    func isPast(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .above: value > threshold
        case .below: value < threshold
        }
    }

    /// Whether `value` is back on the good side of `threshold` by at least `hysteresis`.
    func isBack(_ value: Double, from threshold: Double, hysteresis: Double) -> Bool {
        switch self {
        case .above: value <= threshold - hysteresis
        case .below: value >= threshold + hysteresis
        }
    }
}

/// Hours in which a new raise is held rather than sent ("giờ yên lặng"), in local time (the calendar passed to
/// `RuleEngine`, normally Asia/Ho_Chi_Minh).
///
/// A raise whose condition is met inside the window is held (`RuleState.heldSince`); at the first evaluation at or
/// after the window's end it is emitted, with its original onset, unless the rule would have cleared meanwhile (the
/// same clearing test, with hysteresis and `clearAfter`, as for a firing rule), in which case it is dropped. So quiet
/// hours only delay a notification: afterwards the alarm is open exactly when it would have been without them.
/// Clears are never held. A rule whose severity is at least `unlessSeverityAtLeast` is never held.
public struct QuietHours: Sendable, Equatable, Codable {
    /// First quiet minute of the local day, 0…1439.
    public var startMinute: Int
    /// First minute after the window, 0…1439. `startMinute > endMinute` wraps midnight (22:00–06:00 is
    /// 1320…360); equal minutes are an empty window.
    public var endMinute: Int
    /// Rules of this severity or worse are never held; nil holds every severity.
    public var unlessSeverityAtLeast: AlertRule.Severity?

    public init(startMinute: Int, endMinute: Int, unlessSeverityAtLeast: AlertRule.Severity? = nil) {
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.unlessSeverityAtLeast = unlessSeverityAtLeast
    }

    /// Whether `minuteOfDay` (local) is inside the window: `[start, end)`, wrapping midnight when `start > end`.
    public func contains(minuteOfDay m: Int) -> Bool {
        if startMinute < endMinute { return startMinute <= m && m < endMinute }
        if startMinute > endMinute { return m >= startMinute || m < endMinute }
        return false
    }
}

/// What the engine remembers of one rule × subject between evaluations; the server persists it as it is.
public struct RuleState: Sendable, Equatable, Codable {
    /// An alarm is open for the subject; the rule does not raise again until it has cleared.
    public var firing: Bool
    /// The onset of the breach that is firing or held (the `since` of its raise).
    public var since: Date?
    /// While not firing: when the raise condition began to accrue — the start of a threshold's run that is not yet
    /// long enough, or for `absence` the newest point seen (the silence runs from there). Nil otherwise.
    public var pendingSince: Date?
    /// When a raise was held by quiet hours; it is emitted at the window's end or dropped if the rule clears first.
    public var heldSince: Date?
    /// The last value the rule compared: the latest point's value (for `absence` too), or the window's total or rise
    /// for `rateOfChange`.
    public var lastValue: Double?
    /// While firing or held: since when the clearing condition has held (nil when it does not).
    public var clearingSince: Date?

    public init(
        firing: Bool = false, since: Date? = nil, pendingSince: Date? = nil, heldSince: Date? = nil,
        lastValue: Double? = nil, clearingSince: Date? = nil
    ) {
        self.firing = firing
        self.since = since
        self.pendingSince = pendingSince
        self.heldSince = heldSince
        self.lastValue = lastValue
        self.clearingSince = clearingSince
    }

    /// Nothing seen, nothing open.
    public static let idle = RuleState()
}

/// What the server does after an evaluation: open the subject's alarm or close it.
public enum RuleTransition: Sendable, Equatable {
    /// Open an alarm. `value`: the value that breached (nil for `absence`); `since`: the breach's onset, from the
    /// points (may be earlier than the evaluation, e.g. the start of a 2 h exceedance or a raise held by quiet hours).
    case raise(value: Double?, since: Date)
    /// Close the alarm. `value`: the value that cleared it; `at`: the point that proved the clearing condition had
    /// held for `clearAfter` (for `rateOfChange`, the instant it had); never after the evaluation.
    case clear(value: Double?, at: Date)
}
