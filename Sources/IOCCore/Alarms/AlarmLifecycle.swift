/// An alarm's life: raised `active`, `acknowledged` by a person (or by assigning it), `cleared` by a person or by the
/// source's own all-clear. A pure state machine, like `CaseWorkflow`: the server stores and audits what it decides.
public enum AlarmState: String, CaseIterable, Sendable, Codable {
    case active, acknowledged, cleared

    public var isOpen: Bool { self != .cleared }

    public var nameVi: String {
        switch self {
        case .active: "đang hoạt động"
        case .acknowledged: "đã xác nhận"
        case .cleared: "đã kết thúc"
        }
    }
}

/// What people do to an alarm.
public enum AlarmAction: String, CaseIterable, Sendable, Codable {
    case acknowledge, assign, comment, clear

    /// The timeline's word for it.
    public var done: String {
        switch self {
        case .acknowledge: "acknowledged"
        case .assign: "assigned"
        case .comment: "commented"
        case .clear: "cleared"
        }
    }

    public var verbVi: String {
        switch self {
        case .acknowledge: "xác nhận"
        case .assign: "giao"
        case .comment: "ghi chú"
        case .clear: "kết thúc"
        }
    }
}

/// Event severities, in rising order.
public enum AlarmSeverity: String, CaseIterable, Sendable, Codable, Comparable {
    case info, minor, major, critical

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: AlarmSeverity, b: AlarmSeverity) -> Bool { a.rank < b.rank }
}

public enum AlarmLifecycle {
    /// The state after a person's `action` in `state`, or nil when the action is not possible there.
    /// Assigning an active alarm acknowledges it (someone took it on); a comment changes nothing.
    public static func next(_ action: AlarmAction, from state: AlarmState) -> AlarmState? {
        switch (action, state) {
        case (.acknowledge, .active): .acknowledged
        case (.assign, .active): .acknowledged
        case (.assign, .acknowledged): .acknowledged
        case (.clear, .active), (.clear, .acknowledged): .cleared
        case (.comment, _): state
        default: nil
        }
    }

    /// The actions possible in `state`, in the order a console offers them.
    public static func actions(in state: AlarmState) -> [AlarmAction] {
        AlarmAction.allCases.filter { next($0, from: state) != nil }
    }

    /// What an incoming event does to the alarm of its key.
    public enum EventEffect: Equatable, Sendable {
        /// Nothing: the event is only recorded.
        case none
        /// A new alarm, active.
        case raise
        /// The open alarm repeats: count + 1, severity becomes `severity` (it only rises).
        case repeated(severity: AlarmSeverity)
        /// The source's all-clear: the open alarm is cleared.
        case clear
    }

    /// Whether an event touches an alarm at all: minor-or-worse events with an alarm key, any major or critical event,
    /// and all-clears.
    public static func touchesAlarm(severity: AlarmSeverity, hasKey: Bool, clear: Bool) -> Bool {
        clear || (severity > .info && (hasKey || severity >= .major))
    }

    /// The effect of an event of `severity` (an all-clear when `clear`) on the open alarm of its key (`open`: its
    /// severity, nil when none is open).
    public static func effect(severity: AlarmSeverity, hasKey: Bool, clear: Bool, open: AlarmSeverity?) -> EventEffect {
        guard touchesAlarm(severity: severity, hasKey: hasKey, clear: clear) else { return .none }
        if clear { return open == nil ? .none : .clear }
        guard let open else { return .raise }
        return .repeated(severity: max(open, severity))
    }

    /// Most urgent first: active before acknowledged, then critical → minor, then the newest.
    public static func urgency(state: AlarmState, severity: AlarmSeverity) -> (Int, Int) {
        (state == .active ? 0 : 1, AlarmSeverity.critical.rank - severity.rank)
    }
}
