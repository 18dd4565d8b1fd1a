/// What a signed-in person may do. Every route declares the roles it admits.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    /// Manages agencies, users, sources and settings.
    case admin
    /// IOC staff: triage, dispatch, follow SLAs, acknowledge alarms, drive the wall.
    case `operator`
    /// Reads everything in scope, drills down; never changes data.
    case leader
    /// An agency's officer: handles the cases assigned to the agency, enters indicators.
    case officer
    /// Information-security analyst.
    case analyst

    public var nameVi: String {
        switch self {
        case .admin: "Quản trị hệ thống"
        case .operator: "Điều hành viên"
        case .leader: "Lãnh đạo"
        case .officer: "Cán bộ xử lý"
        case .analyst: "Chuyên viên phân tích"
        }
    }

    public var nameEn: String {
        switch self {
        case .admin: "Administrator"
        case .operator: "Operator"
        case .leader: "Leader"
        case .officer: "Agency officer"
        case .analyst: "Analyst"
        }
    }
}

/// Where a user's authority applies: everywhere, one agency (and the agencies below it), or a unit subtree
/// (a province and its communes, or one commune).
public enum Scope: Sendable, Hashable, Codable {
    case all
    case agency(agencyID: String)
    case unit(code: String)
}

/// Pure scope rules, shared by every service.
public enum ScopeRules {
    /// Whether a user with `scope` may act on an agency with the given id, ancestry (its parent chain, nearest first)
    /// and jurisdiction. A unit scope covers an agency whose whole jurisdiction lies inside the unit subtree.
    public static func covers(
        _ scope: Scope, agencyID: String, ancestorIDs: [String], jurisdiction: [AdministrativeUnit]
    ) -> Bool {
        switch scope {
        case .all:
            return true
        case .agency(let id):
            return agencyID == id || ancestorIDs.contains(id)
        case .unit(let code):
            return !jurisdiction.isEmpty && jurisdiction.allSatisfy { $0.isWithin(code) }
        }
    }

    /// Whether a unit scope covers a unit.
    public static func covers(_ scope: Scope, unit: AdministrativeUnit) -> Bool {
        switch scope {
        case .all: true
        case .agency: false
        case .unit(let code): unit.isWithin(code)
        }
    }
}
