/// Status of an administrative-procedure dossier ("trạng thái hồ sơ TTHC"), numbered as the
/// National Public Service Portal sync code `TrangThaiHoSo` (vietnam.md §1.2).
///
/// The raw values 1…10 are the portal codes, so a synced value can be decoded directly.
public enum DossierStatus: Int, Sendable, Hashable, Codable, CaseIterable {
    /// 1 — Mới đăng ký: submitted online, not yet accepted. Not counted as received.
    case submitted = 1
    /// 2 — Được tiếp nhận: accepted at the one-stop desk.
    case accepted = 2
    /// 3 — Không được tiếp nhận: refused at intake. Not counted as received.
    case refused = 3
    /// 4 — Đang xử lý: being processed by the specialised unit.
    case processing = 4
    /// 5 — Yêu cầu bổ sung giấy tờ: waiting for the applicant to supplement the dossier.
    case supplementRequested = 5
    /// 6 — Yêu cầu thực hiện nghĩa vụ tài chính: waiting for the applicant to pay fees or taxes.
    case awaitingFinancialObligation = 6
    /// 7 — Công dân yêu cầu rút hồ sơ: withdrawn by the applicant.
    case withdrawn = 7
    /// 8 — Dừng xử lý: processing stopped (ineligible). An end state for timeliness (766 note,
    /// vietnam.md §1.3).
    case stopped = 8
    /// 9 — Đã xử lý xong: decided, result sent to the desk.
    case decided = 9
    /// 10 — Đã trả kết quả: result handed to the applicant.
    case resultReturned = 10

    /// Vietnamese name as used by the portal and one-stop software.
    public var vietnameseName: String {
        switch self {
        case .submitted: "Mới đăng ký"
        case .accepted: "Được tiếp nhận"
        case .refused: "Không được tiếp nhận"
        case .processing: "Đang xử lý"
        case .supplementRequested: "Yêu cầu bổ sung giấy tờ"
        case .awaitingFinancialObligation: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case .withdrawn: "Công dân yêu cầu rút hồ sơ"
        case .stopped: "Dừng xử lý"
        case .decided: "Đã xử lý xong"
        case .resultReturned: "Đã trả kết quả"
        }
    }

    /// English name.
    public var englishName: String {
        switch self {
        case .submitted: "Newly submitted"
        case .accepted: "Accepted"
        case .refused: "Refused at intake"
        case .processing: "Being processed"
        case .supplementRequested: "Supplement requested"
        case .awaitingFinancialObligation: "Awaiting payment of fees or taxes"
        case .withdrawn: "Withdrawn by the applicant"
        case .stopped: "Processing stopped"
        case .decided: "Decided"
        case .resultReturned: "Result returned"
        }
    }

    /// Whether reaching this status ends processing for timeliness: Đã xử lý xong, Đã trả kết quả,
    /// Dừng xử lý (766 methodology note, vietnam.md §1.3). Withdrawal is reported separately and
    /// refusal means the dossier was never received, so neither is an end here.
    public var endsProcessing: Bool {
        self == .decided || self == .resultReturned || self == .stopped
    }

    /// Whether the dossier waits on the applicant (supplement or fees): the "Tạm dừng" bucket
    /// (vietnam.md §1.2).
    public var waitsOnApplicant: Bool {
        self == .supplementRequested || self == .awaitingFinancialObligation
    }

    /// Whether a dossier in this status was never accepted and is left out of every count
    /// (Mới đăng ký, Không được tiếp nhận; vietnam.md §1.2 and §1.3 "only dossiers that were
    /// actually accepted are counted").
    public var isExcludedFromCounts: Bool {
        self == .submitted || self == .refused
    }
}

/// How a dossier was submitted ("kênh thực hiện", portal field `KenhThucHien`, vietnam.md §1.2).
public enum DossierChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// Trực tuyến (`KenhThucHien` = 2).
    case online
    /// Trực tiếp, in person at the one-stop desk (`KenhThucHien` = 1).
    case direct
    /// Bưu chính công ích, the public postal service (`KenhThucHien` = 3).
    case postal

    /// The channel for a portal `KenhThucHien` code, or `nil` for an unknown code.
    public init?(kenhThucHien code: Int) {
        switch code {
        case 1: self = .direct
        case 2: self = .online
        case 3: self = .postal
        default: return nil
        }
    }

    /// The portal `KenhThucHien` code.
    public var kenhThucHien: Int {
        switch self {
        case .direct: 1
        case .online: 2
        case .postal: 3
        }
    }

    /// Vietnamese name.
    public var vietnameseName: String {
        switch self {
        case .online: "Trực tuyến"
        case .direct: "Trực tiếp"
        case .postal: "Bưu chính công ích"
        }
    }

    /// English name.
    public var englishName: String {
        switch self {
        case .online: "Online"
        case .direct: "In person"
        case .postal: "Public postal service"
        }
    }
}

/// Level of the online public service a dossier used (Nghị định 42/2022/NĐ-CP, vietnam.md §1.4).
public enum OnlineLevel: String, Sendable, Hashable, Codable, CaseIterable {
    /// DVCTT toàn trình: every step from submission to the result is online.
    case full
    /// DVCTT một phần: at least one step (e.g. originals, the result) is offline.
    case partial

    /// Vietnamese name.
    public var vietnameseName: String {
        switch self {
        case .full: "Dịch vụ công trực tuyến toàn trình"
        case .partial: "Dịch vụ công trực tuyến một phần"
        }
    }

    /// English name.
    public var englishName: String {
        switch self {
        case .full: "Full-process online service"
        case .partial: "Partial online service"
        }
    }
}
