/// The states of a case. "Handled" (`closed`), "closed, not handled", "not our remit", "duplicate" and "rejected" are
/// distinct outcomes, never folded into one "closed".
public enum CaseStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case new
    case verified
    case assigned
    case inProgress = "in_progress"
    case resolved
    case closed
    case closedUnhandled = "closed_unhandled"
    case rejected
    case notOurRemit = "not_our_remit"
    case duplicate

    /// Still waiting for the agency: the SLA clock runs.
    public var isOpen: Bool { self == .new || self == .verified || self == .assigned || self == .inProgress }

    public static let openStatuses: [CaseStatus] = [.new, .verified, .assigned, .inProgress]

    public var label: LocalizedMessage {
        switch self {
        case .new: LocalizedMessage(vi: "Mới tiếp nhận", en: "New")
        case .verified: LocalizedMessage(vi: "Đã xác minh", en: "Verified")
        case .assigned: LocalizedMessage(vi: "Đã chuyển xử lý", en: "Assigned")
        case .inProgress: LocalizedMessage(vi: "Đang xử lý", en: "In progress")
        case .resolved: LocalizedMessage(vi: "Đã xử lý (chờ đánh giá)", en: "Resolved (awaiting rating)")
        case .closed: LocalizedMessage(vi: "Đã hoàn thành", en: "Closed (handled)")
        case .closedUnhandled: LocalizedMessage(vi: "Đóng, không xử lý được", en: "Closed, not handled")
        case .rejected: LocalizedMessage(vi: "Từ chối (spam / sai sự thật)", en: "Rejected (spam)")
        case .notOurRemit: LocalizedMessage(vi: "Không thuộc thẩm quyền", en: "Not our remit")
        case .duplicate: LocalizedMessage(vi: "Trùng, đã gộp", en: "Duplicate (merged)")
        }
    }

    /// GeoReport v2 core status.
    public var open311Status: String { isOpen ? "open" : "closed" }

    /// The mySociety extended status FixMyStreet and open311-adapter understand.
    public var open311DetailedStatus: String {
        switch self {
        case .new: "for_triage"
        case .verified: "open"
        case .assigned: "action_scheduled"
        case .inProgress: "in_progress"
        case .resolved, .closed: "fixed"
        case .closedUnhandled: "no_further_action"
        case .rejected: "closed"
        case .notOurRemit: "not_councils_responsibility"
        case .duplicate: "duplicate"
        }
    }
}

/// A citizen's verdict on the result (as in Hue-S: satisfied / accepted / not satisfied).
public enum Satisfaction: String, Sendable, Hashable, Codable, CaseIterable {
    case satisfied, accepted, dissatisfied

    public var label: LocalizedMessage {
        switch self {
        case .satisfied: LocalizedMessage(vi: "Hài lòng", en: "Satisfied")
        case .accepted: LocalizedMessage(vi: "Chấp nhận được", en: "Accepted")
        case .dissatisfied: LocalizedMessage(vi: "Không hài lòng", en: "Dissatisfied")
        }
    }
}

/// What someone can do to a case; `CaseWorkflow` says from which states and into which.
public enum CaseAction: String, Sendable, Hashable, Codable, CaseIterable {
    case verify, reject, assign, reroute
    case `return`
    case start, note, attach
    case requestExtension = "request_extension"
    case approveExtension = "approve_extension"
    case denyExtension = "deny_extension"
    case resolve
    case closeUnhandled = "close_unhandled"
    case merge
    // Citizen and system actions.
    case rate, reopen, autoClose = "auto_close"

    /// Actions only the IOC (operators, admins) may take.
    public var isOperatorOnly: Bool {
        switch self {
        case .verify, .reject, .assign, .reroute, .approveExtension, .denyExtension, .merge, .closeUnhandled: true
        default: false
        }
    }
}

public enum CaseWorkflow {
    /// The state an action leads to from `status`, or nil when the action is not allowed there. Actions that do not
    /// change the state (notes, extensions) return `status` itself.
    public static func next(_ status: CaseStatus, _ action: CaseAction, rejectAsNotOurRemit: Bool = false) -> CaseStatus? {
        switch (action, status) {
        case (.verify, .new): return .verified
        case (.reject, .new), (.reject, .verified), (.reject, .assigned):
            return rejectAsNotOurRemit ? .notOurRemit : .rejected
        case (.assign, .new), (.assign, .verified): return .assigned
        case (.reroute, .assigned), (.reroute, .inProgress), (.reroute, .verified), (.reroute, .new): return .assigned
        case (.return, .assigned), (.return, .inProgress): return .verified
        case (.start, .assigned): return .inProgress
        case (.note, _), (.attach, _): return status
        case (.requestExtension, .assigned), (.requestExtension, .inProgress): return status
        case (.approveExtension, _), (.denyExtension, _): return status.isOpen ? status : nil
        case (.resolve, .assigned), (.resolve, .inProgress): return .resolved
        case (.closeUnhandled, .verified), (.closeUnhandled, .assigned), (.closeUnhandled, .inProgress): return .closedUnhandled
        case (.merge, .new), (.merge, .verified), (.merge, .assigned), (.merge, .inProgress): return .duplicate
        case (.rate, .resolved): return .closed
        case (.reopen, .resolved), (.reopen, .closed): return .assigned
        case (.autoClose, .resolved): return .closed
        default: return nil
        }
    }
}
