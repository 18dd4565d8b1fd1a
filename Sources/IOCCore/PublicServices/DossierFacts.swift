import Foundation

/// The processing time limit ("thời hạn giải quyết") of an administrative procedure, as published in
/// the TTHC catalogue (vietnam.md §1.3).
///
/// Most limits are in working days ("ngày làm việc"); some are calendar days ("ngày") or working
/// hours ("giờ làm việc", e.g. same-day services). A limit of 0 working days means "same day"
/// ("trong ngày").
public struct ProcessingLimit: Sendable, Hashable, Codable {
    /// What the limit counts.
    public enum Unit: String, Sendable, Hashable, Codable, CaseIterable {
        /// Ngày làm việc: working days of the civil-service calendar.
        case workingDays
        /// Giờ làm việc: office hours of working days.
        case workingHours
        /// Ngày: calendar days.
        case days
    }

    /// Number of units; never negative.
    public let value: Int
    /// The unit of `value`.
    public let unit: Unit

    /// Creates a limit, or `nil` when `value` is negative (bad catalogue data).
    public init?(value: Int, unit: Unit) {
        guard value >= 0 else { return nil }
        self.value = value
        self.unit = unit
    }

    /// `n` working days; `n` must not be negative.
    public static func workingDays(_ n: Int) -> ProcessingLimit {
        precondition(n >= 0, "A processing limit cannot be negative")
        return ProcessingLimit(value: n, unit: .workingDays)!
    }

    /// `n` working hours; `n` must not be negative.
    public static func workingHours(_ n: Int) -> ProcessingLimit {
        precondition(n >= 0, "A processing limit cannot be negative")
        return ProcessingLimit(value: n, unit: .workingHours)!
    }

    /// `n` calendar days; `n` must not be negative.
    public static func days(_ n: Int) -> ProcessingLimit {
        precondition(n >= 0, "A processing limit cannot be negative")
        return ProcessingLimit(value: n, unit: .days)!
    }

    /// Whether results are compared with the due moment by local calendar date (day limits) rather
    /// than by instant (hour limits).
    public var comparesByDate: Bool { unit != .workingHours }

    private enum CodingKeys: String, CodingKey { case value, unit }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let value = try container.decode(Int.self, forKey: .value)
        let unit = try container.decode(Unit.self, forKey: .unit)
        guard let limit = ProcessingLimit(value: value, unit: unit) else {
            throw DecodingError.dataCorruptedError(
                forKey: .value, in: container, debugDescription: "A processing limit cannot be negative, got \(value)")
        }
        self = limit
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
    }
}

/// One request to the applicant to supplement the dossier ("yêu cầu bổ sung"), and when the
/// applicant completed it ("hoàn thành bổ sung"), if they have.
public struct SupplementRequest: Sendable, Hashable, Codable {
    /// When the request was issued.
    public var requestedAt: Date
    /// When the applicant completed the supplement; `nil` while the request is open.
    public var completedAt: Date?

    /// Creates a request.
    public init(requestedAt: Date, completedAt: Date? = nil) {
        self.requestedAt = requestedAt
        self.completedAt = completedAt
    }

    /// Whether the applicant has not completed the supplement yet.
    public var isOpen: Bool { completedAt == nil }
}

/// A status the dossier reached, and when.
public struct StatusChange: Sendable, Hashable, Codable {
    /// The status reached.
    public var status: DossierStatus
    /// When it was reached.
    public var at: Date

    /// Creates a change.
    public init(status: DossierStatus, at: Date) {
        self.status = status
        self.at = at
    }
}

/// What is known about one dossier at the time of the data: the input of `TimelinessRules.assess`.
public struct DossierFacts: Sendable, Hashable, Codable {
    /// The dossier code ("mã hồ sơ"), kept opaque (vietnam.md §1.1).
    public var code: String
    /// When the dossier was received ("ngày tiếp nhận"); for online dossiers, when the system
    /// recorded a complete, valid dossier (vietnam.md §1.3).
    public var receivedAt: Date
    /// The promised return moment ("ngày hẹn trả") sent by the source system, if any. It wins over
    /// the moment computed from `limit`.
    public var dueAt: Date?
    /// The procedure's processing limit, if known.
    public var limit: ProcessingLimit?
    /// The current status.
    public var status: DossierStatus
    /// Status changes, in any order.
    public var history: [StatusChange]
    /// Supplement requests, in any order.
    public var supplements: [SupplementRequest]
    /// When processing finished ("ngày kết thúc xử lý", status 9), if the source sends it apart
    /// from the history.
    public var finishedAt: Date?
    /// When the result was returned ("ngày trả kết quả", status 10), if the source sends it.
    public var returnedAt: Date?

    /// Creates the facts of a dossier.
    public init(
        code: String,
        receivedAt: Date,
        dueAt: Date? = nil,
        limit: ProcessingLimit? = nil,
        status: DossierStatus,
        history: [StatusChange] = [],
        supplements: [SupplementRequest] = [],
        finishedAt: Date? = nil,
        returnedAt: Date? = nil
    ) {
        self.code = code
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.limit = limit
        self.status = status
        self.history = history
        self.supplements = supplements
        self.finishedAt = finishedAt
        self.returnedAt = returnedAt
    }
}
