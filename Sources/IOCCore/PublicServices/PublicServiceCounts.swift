/// The monthly one-stop report for one row (a department, a land registration office, a commune…)
/// as plain counters, plus the dossier counters the 766 indicators need.
///
/// The timeliness columns follow the VPCP form "Tình hình, kết quả giải quyết TTHC" (vietnam.md
/// §1.5 A): dossiers to handle = carried over + received (by channel); of them, resolved (early, on
/// time, late), in progress (within, overdue), paused (within, overdue) and withdrawn. Built by the
/// server in SQL, or in Swift with `PublicServiceCounts(dossier:channel:flags:period:)`; rows add up
/// with `+`.
public struct PublicServiceCounts: Sendable, Hashable, Codable {
    // MARK: Monthly form (vietnam.md §1.5 A)

    /// Kỳ trước chuyển sang: received before the period and neither ended nor withdrawn before it.
    public var carriedOver: Int
    /// Mới tiếp nhận trực tuyến: received online in the period.
    public var receivedOnline: Int
    /// Mới tiếp nhận trực tiếp: received in person in the period.
    public var receivedDirect: Int
    /// Mới tiếp nhận qua bưu chính công ích: received by post in the period.
    public var receivedPostal: Int
    /// Đã giải quyết trước hạn: ended in the period before the due date.
    public var resolvedEarly: Int
    /// Đã giải quyết đúng hạn: ended in the period on the due date (or within an hour limit, or with
    /// no deadline).
    public var resolvedOnTime: Int
    /// Đã giải quyết quá hạn: ended in the period after the due date, or with more than one
    /// supplement request.
    public var resolvedLate: Int
    /// Đang giải quyết trong hạn: open at the end of the period, due date not passed.
    public var inProgressWithin: Int
    /// Đang giải quyết quá hạn: open at the end of the period, due date passed.
    public var inProgressOverdue: Int
    /// Tạm dừng trong hạn: waiting on the applicant at the end of the period, requested in time.
    public var pausedWithin: Int
    /// Tạm dừng quá hạn: waiting on the applicant, requested after the due date.
    public var pausedOverdue: Int
    /// Rút hồ sơ: withdrawn by the applicant in the period.
    public var withdrawn: Int

    // MARK: 766 counters (vietnam.md §1.6), over dossiers received in the period

    /// Dossiers received online through a full-process service ("hồ sơ DVCTT toàn trình"),
    /// indicator 3.4.
    public var onlineFull: Int
    /// Dossiers of procedures eligible for a full-process online service, the denominator of 3.4;
    /// `nil` when unknown, in which case `onlineLevelKnown` stands in (see
    /// `eligibleForFullOrFallback`).
    public var eligibleForFull: Int?
    /// Dossiers received online whose service level (full or partial) is known: the stand-in for
    /// `eligibleForFull` when that is unknown.
    public var onlineLevelKnown: Int
    /// Dossiers of fee-bearing procedures paid online (`DuocThanhToanTrucTuyen` 1 or 2), indicator 3.6.
    public var paidOnline: Int
    /// Dossiers of procedures with non-zero fees, the denominator of 3.6.
    public var feeBearing: Int
    /// Dossiers in scope with digitised components and an electronic result, indicator 4.2.
    public var digitized: Int
    /// Dossiers in scope with a synced electronic result, indicator 4.1.
    public var eResult: Int
    /// Dossiers of procedures that require a documentary result: the scope (denominator) of 4.1
    /// and 4.2.
    public var requireResult: Int
    /// Dossiers to handle (not withdrawn) with a complaint (PAKN) or a "dislike" rating, indicator
    /// 5.4; 0 when the data has none.
    public var satisfactionNegative: Int

    /// Creates a row; every counter defaults to 0 and `eligibleForFull` to unknown.
    public init(
        carriedOver: Int = 0,
        receivedOnline: Int = 0,
        receivedDirect: Int = 0,
        receivedPostal: Int = 0,
        resolvedEarly: Int = 0,
        resolvedOnTime: Int = 0,
        resolvedLate: Int = 0,
        inProgressWithin: Int = 0,
        inProgressOverdue: Int = 0,
        pausedWithin: Int = 0,
        pausedOverdue: Int = 0,
        withdrawn: Int = 0,
        onlineFull: Int = 0,
        eligibleForFull: Int? = nil,
        onlineLevelKnown: Int = 0,
        paidOnline: Int = 0,
        feeBearing: Int = 0,
        digitized: Int = 0,
        eResult: Int = 0,
        requireResult: Int = 0,
        satisfactionNegative: Int = 0
    ) {
        self.carriedOver = carriedOver
        self.receivedOnline = receivedOnline
        self.receivedDirect = receivedDirect
        self.receivedPostal = receivedPostal
        self.resolvedEarly = resolvedEarly
        self.resolvedOnTime = resolvedOnTime
        self.resolvedLate = resolvedLate
        self.inProgressWithin = inProgressWithin
        self.inProgressOverdue = inProgressOverdue
        self.pausedWithin = pausedWithin
        self.pausedOverdue = pausedOverdue
        self.withdrawn = withdrawn
        self.onlineFull = onlineFull
        self.eligibleForFull = eligibleForFull
        self.onlineLevelKnown = onlineLevelKnown
        self.paidOnline = paidOnline
        self.feeBearing = feeBearing
        self.digitized = digitized
        self.eResult = eResult
        self.requireResult = requireResult
        self.satisfactionNegative = satisfactionNegative
    }

    /// All counters 0: the identity of `+`.
    public static let zero = PublicServiceCounts()

    // MARK: Totals

    /// Mới tiếp nhận: received in the period, all channels.
    public var received: Int { receivedOnline + receivedDirect + receivedPostal }
    /// Cần xử lý / Số hồ sơ nhận giải quyết: carried over + received (Gia Lai, vietnam.md §1.5 B).
    public var toHandle: Int { carriedOver + received }
    /// Đã giải quyết.
    public var resolved: Int { resolvedEarly + resolvedOnTime + resolvedLate }
    /// Đang giải quyết.
    public var inProgress: Int { inProgressWithin + inProgressOverdue }
    /// Tạm dừng.
    public var paused: Int { pausedWithin + pausedOverdue }
    /// Dossiers that missed the deadline: late, in progress overdue and paused overdue.
    public var overdue: Int { resolvedLate + inProgressOverdue + pausedOverdue }
    /// Dossiers to handle that were not withdrawn: resolved + in progress + paused. The denominator
    /// of 766 indicators 2.1 and 5.4.
    public var processed: Int { resolved + inProgress + paused }
    /// `eligibleForFull`, or `onlineLevelKnown` when it is unknown.
    public var eligibleForFullOrFallback: Int { eligibleForFull ?? onlineLevelKnown }

    // MARK: Rates

    /// Tỷ lệ đúng hạn in the Gia Lai / 766 style: see `TimelinessRate.onTime`. `nil` (N/A) when
    /// nothing is to be handled.
    public var onTimeRate: Double? { TimelinessRate.onTime.value(for: self) }

    /// Tỷ lệ đúng và trước hạn among resolved dossiers: see
    /// `TimelinessRate.earlyOrOnTimeAmongResolved`. `nil` (N/A) when nothing was resolved.
    public var earlyOrOnTimeAmongResolvedRate: Double? { TimelinessRate.earlyOrOnTimeAmongResolved.value(for: self) }

    // MARK: Adding rows

    /// Adds two rows counter by counter. `eligibleForFull` stays unknown only when it is unknown
    /// in both; otherwise an unknown side contributes its `onlineLevelKnown`, the same stand-in a
    /// single row would use, so `zero` is the identity and grouping does not matter.
    public static func + (lhs: PublicServiceCounts, rhs: PublicServiceCounts) -> PublicServiceCounts {
        let eligible: Int? =
            lhs.eligibleForFull == nil && rhs.eligibleForFull == nil
            ? nil : lhs.eligibleForFullOrFallback + rhs.eligibleForFullOrFallback
        return PublicServiceCounts(
            carriedOver: lhs.carriedOver + rhs.carriedOver,
            receivedOnline: lhs.receivedOnline + rhs.receivedOnline,
            receivedDirect: lhs.receivedDirect + rhs.receivedDirect,
            receivedPostal: lhs.receivedPostal + rhs.receivedPostal,
            resolvedEarly: lhs.resolvedEarly + rhs.resolvedEarly,
            resolvedOnTime: lhs.resolvedOnTime + rhs.resolvedOnTime,
            resolvedLate: lhs.resolvedLate + rhs.resolvedLate,
            inProgressWithin: lhs.inProgressWithin + rhs.inProgressWithin,
            inProgressOverdue: lhs.inProgressOverdue + rhs.inProgressOverdue,
            pausedWithin: lhs.pausedWithin + rhs.pausedWithin,
            pausedOverdue: lhs.pausedOverdue + rhs.pausedOverdue,
            withdrawn: lhs.withdrawn + rhs.withdrawn,
            onlineFull: lhs.onlineFull + rhs.onlineFull,
            eligibleForFull: eligible,
            onlineLevelKnown: lhs.onlineLevelKnown + rhs.onlineLevelKnown,
            paidOnline: lhs.paidOnline + rhs.paidOnline,
            feeBearing: lhs.feeBearing + rhs.feeBearing,
            digitized: lhs.digitized + rhs.digitized,
            eResult: lhs.eResult + rhs.eResult,
            requireResult: lhs.requireResult + rhs.requireResult,
            satisfactionNegative: lhs.satisfactionNegative + rhs.satisfactionNegative
        )
    }

    /// Adds `rhs` into `lhs`.
    public static func += (lhs: inout PublicServiceCounts, rhs: PublicServiceCounts) {
        lhs = lhs + rhs
    }
}

/// The two on-time rates in use in Vietnamese provinces. They have different denominators, so a
/// KPI must say which one it shows (vietnam.md §1.5 B).
public enum TimelinessRate: String, Sendable, Hashable, Codable, CaseIterable {
    /// Tỷ lệ đúng hạn, Gia Lai / 766 style: 1 − (resolved late + in progress overdue + paused
    /// overdue) / (carried over + received).
    ///
    /// Paused-overdue dossiers count as late: the 766 note judges a dossier waiting on the applicant
    /// at the request date, so one asked for a supplement after its due date has already missed it;
    /// leaving it out would reward late supplement requests. Withdrawn dossiers stay in the
    /// denominator, as in Gia Lai's "Cần xử lý".
    case onTime
    /// Tỷ lệ đúng và trước hạn, as reported by e.g. Lâm Đồng and Vĩnh Phúc: (early + on time) /
    /// resolved. Says nothing about dossiers still open.
    case earlyOrOnTimeAmongResolved

    /// Vietnamese name.
    public var vietnameseName: String {
        switch self {
        case .onTime: "Tỷ lệ giải quyết đúng hạn trên tổng hồ sơ cần giải quyết (QĐ 766/QĐ-TTg)"
        case .earlyOrOnTimeAmongResolved: "Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn"
        }
    }

    /// English name.
    public var englishName: String {
        switch self {
        case .onTime: "On-time rate among all dossiers to handle (QĐ 766/QĐ-TTg)"
        case .earlyOrOnTimeAmongResolved: "Early or on-time share of resolved dossiers"
        }
    }

    /// The definition in Vietnamese, to show next to the figure.
    public var vietnameseDefinition: String {
        switch self {
        case .onTime:
            "100% − (số hồ sơ đã giải quyết quá hạn + đang giải quyết quá hạn + tạm dừng quá hạn) "
                + "/ (số hồ sơ kỳ trước chuyển sang + mới tiếp nhận trong kỳ)"
        case .earlyOrOnTimeAmongResolved:
            "(số hồ sơ giải quyết trước hạn + đúng hạn) / tổng số hồ sơ đã giải quyết trong kỳ"
        }
    }

    /// The definition in English.
    public var englishDefinition: String {
        switch self {
        case .onTime:
            "100% − (resolved late + in progress overdue + paused overdue) "
                + "/ (carried over from the previous period + received in the period)"
        case .earlyOrOnTimeAmongResolved:
            "(resolved early + resolved on time) / dossiers resolved in the period"
        }
    }

    /// The numerator and denominator of the rate for a row. For `onTime` the numerator is the
    /// number of dossiers not overdue (to handle − overdue).
    public func fraction(for counts: PublicServiceCounts) -> (numerator: Int, denominator: Int) {
        switch self {
        case .onTime: (counts.toHandle - counts.overdue, counts.toHandle)
        case .earlyOrOnTimeAmongResolved: (counts.resolvedEarly + counts.resolvedOnTime, counts.resolved)
        }
    }

    /// The rate (0…1) for a row, or `nil` (N/A) when the denominator is 0.
    public func value(for counts: PublicServiceCounts) -> Double? {
        let (numerator, denominator) = fraction(for: counts)
        return ratio(numerator, denominator)
    }
}

/// `numerator / denominator`, or `nil` when the denominator is 0 (shown as N/A, 766 note).
func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
    denominator == 0 ? nil : Double(numerator) / Double(denominator)
}
