/// Where a dossier stands against its deadline at a given instant: the columns of the monthly
/// one-stop form (vietnam.md §1.5 A) and the 766 classification (vietnam.md §1.3).
public enum Timeliness: String, Sendable, Hashable, Codable, CaseIterable {
    /// Trước hạn: ended before the due date (day limits only).
    case early
    /// Đúng hạn: ended on the due date (day limits) or at or before the due moment (hour limits),
    /// or ended with no deadline known.
    case onTime
    /// Quá hạn: ended after the due date or moment, or had more than one supplement request.
    case late
    /// Đang xử lý trong hạn: not ended, due date not passed.
    case inProgressWithin
    /// Đang xử lý quá hạn: not ended, due date passed (or more than one supplement request).
    case inProgressOverdue
    /// Tạm dừng trong hạn: waiting on the applicant (supplement, fees); the moment of the request
    /// was within the deadline.
    case pausedWithin
    /// Tạm dừng quá hạn: waiting on the applicant; the request came after the deadline (or more
    /// than one supplement request).
    case pausedOverdue
    /// Never accepted (Mới đăng ký, Không được tiếp nhận): not counted at all.
    case excluded
    /// Withdrawn by the applicant (Công dân rút hồ sơ): reported in its own column.
    case withdrawn

    /// Whether processing has ended (Đã giải quyết).
    public var isResolved: Bool { self == .early || self == .onTime || self == .late }

    /// Whether the dossier is still being processed (Đang giải quyết).
    public var isInProgress: Bool { self == .inProgressWithin || self == .inProgressOverdue }

    /// Whether the dossier waits on the applicant (Tạm dừng).
    public var isPaused: Bool { self == .pausedWithin || self == .pausedOverdue }

    /// Whether the dossier missed its deadline: late, in progress overdue or paused overdue.
    public var isOverdue: Bool { self == .late || self == .inProgressOverdue || self == .pausedOverdue }

    /// Vietnamese label as in the one-stop report form.
    public var vietnameseName: String {
        switch self {
        case .early: "Trước hạn"
        case .onTime: "Đúng hạn"
        case .late: "Quá hạn"
        case .inProgressWithin: "Đang giải quyết trong hạn"
        case .inProgressOverdue: "Đang giải quyết quá hạn"
        case .pausedWithin: "Tạm dừng trong hạn"
        case .pausedOverdue: "Tạm dừng quá hạn"
        case .excluded: "Không tính (chưa tiếp nhận hoặc không được tiếp nhận)"
        case .withdrawn: "Công dân rút hồ sơ"
        }
    }

    /// English label.
    public var englishName: String {
        switch self {
        case .early: "Early"
        case .onTime: "On time"
        case .late: "Late"
        case .inProgressWithin: "In progress, within deadline"
        case .inProgressOverdue: "In progress, overdue"
        case .pausedWithin: "Paused, within deadline"
        case .pausedOverdue: "Paused, overdue"
        case .excluded: "Not counted (not accepted)"
        case .withdrawn: "Withdrawn by the applicant"
        }
    }
}
