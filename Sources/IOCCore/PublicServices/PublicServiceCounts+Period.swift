import Foundation

/// What the 766 indicators need to know about a dossier besides its timeliness (vietnam.md §1.6).
public struct DossierServiceFlags: Sendable, Hashable, Codable {
    /// Level of the online service used, for online dossiers; `nil` when unknown or not online.
    public var onlineLevel: OnlineLevel?
    /// Whether the procedure is eligible for a full-process online service; `nil` when unknown.
    public var eligibleForFullOnline: Bool?
    /// Whether the procedure has non-zero fees ("TTHC có phí, lệ phí").
    public var feeBearing: Bool
    /// Whether the dossier was paid online (`DuocThanhToanTrucTuyen` 1 = portal, 2 = provincial
    /// gateway).
    public var paidOnline: Bool
    /// Whether the procedure requires a documentary result (the scope of 4.1 and 4.2).
    public var requiresResult: Bool
    /// Whether an electronic result file was synced.
    public var eResult: Bool
    /// Whether the dossier has digitised components ("thành phần hồ sơ được số hóa").
    public var hasDigitizedComponents: Bool
    /// Whether the dossier drew a complaint (PAKN) or a "dislike" rating.
    public var negativeFeedback: Bool

    /// Creates flags; everything defaults to unknown or `false`.
    public init(
        onlineLevel: OnlineLevel? = nil,
        eligibleForFullOnline: Bool? = nil,
        feeBearing: Bool = false,
        paidOnline: Bool = false,
        requiresResult: Bool = false,
        eResult: Bool = false,
        hasDigitizedComponents: Bool = false,
        negativeFeedback: Bool = false
    ) {
        self.onlineLevel = onlineLevel
        self.eligibleForFullOnline = eligibleForFullOnline
        self.feeBearing = feeBearing
        self.paidOnline = paidOnline
        self.requiresResult = requiresResult
        self.eResult = eResult
        self.hasDigitizedComponents = hasDigitizedComponents
        self.negativeFeedback = negativeFeedback
    }
}

extension PublicServiceCounts {
    /// The contribution of one dossier to the form row of a period `[start, end)`: the reference
    /// definition of every column, which the server's SQL must match. Sum dossiers with `+`.
    ///
    /// - Excluded dossiers (status 1, 3) and dossiers received at or after `end` count nowhere.
    /// - A dossier leaves the form when it ends (`endAt`) or, if withdrawn, when it is withdrawn
    ///   (`withdrawnAt`, or `receivedAt` when that instant is unknown). One that left before `start`
    ///   counts nowhere.
    /// - Received at or after `start` → received (by channel); earlier → carried over
    ///   (Tồn kỳ trước: not finished at the end of the last period, Gia Lai, vietnam.md §1.5 B).
    /// - Withdrawn before `end` → withdrawn. Otherwise the dossier is classified as of the last
    ///   instant of the period (the 766 note judges open dossiers at the end of the period) into
    ///   resolved / in progress / paused, each within or overdue. So every counted dossier lands in
    ///   exactly one of those columns, and `toHandle == processed + withdrawn`.
    /// - The 766 counters count dossiers received in the period; each numerator is kept inside
    ///   its denominator (paid online only among fee-bearing, e-result and digitised only among
    ///   those requiring a result, full-process only among online). Negative feedback counts
    ///   among dossiers to handle that are not withdrawn (the denominator of 5.4).
    public init(
        dossier: DossierAssessment,
        channel: DossierChannel,
        flags: DossierServiceFlags = DossierServiceFlags(),
        period: Range<Date>
    ) {
        self.init()
        let start = period.lowerBound
        let end = period.upperBound
        guard !dossier.excluded, start < end, dossier.receivedAt < end else { return }

        let withdrawalAt = dossier.withdrawn ? (dossier.withdrawnAt ?? dossier.receivedAt) : nil
        let leftAt = dossier.withdrawn ? withdrawalAt : dossier.endAt
        if let leftAt, leftAt < start { return }

        let isNew = dossier.receivedAt >= start
        if isNew {
            switch channel {
            case .online: receivedOnline = 1
            case .direct: receivedDirect = 1
            case .postal: receivedPostal = 1
            }
        } else {
            carriedOver = 1
        }

        if let withdrawalAt, withdrawalAt < end {
            withdrawn = 1
        } else {
            switch dossier.processingTimeliness(asOf: end.addingTimeInterval(-0.001)) {
            case .early: resolvedEarly = 1
            case .onTime: resolvedOnTime = 1
            case .late: resolvedLate = 1
            case .inProgressWithin: inProgressWithin = 1
            case .inProgressOverdue: inProgressOverdue = 1
            case .pausedWithin: pausedWithin = 1
            case .pausedOverdue: pausedOverdue = 1
            case .excluded, .withdrawn: break  // not returned by processingTimeliness
            }
            if flags.negativeFeedback { satisfactionNegative = 1 }
        }

        guard isNew else { return }
        let online = channel == .online
        if online && flags.onlineLevel == .full { onlineFull = 1 }
        if online && flags.onlineLevel != nil { onlineLevelKnown = 1 }
        eligibleForFull = flags.eligibleForFullOnline.map { $0 ? 1 : 0 }
        if flags.feeBearing {
            feeBearing = 1
            if flags.paidOnline { paidOnline = 1 }
        }
        if flags.requiresResult {
            requireResult = 1
            if flags.eResult { eResult = 1 }
            if flags.eResult && flags.hasDigitizedComponents { digitized = 1 }
        }
    }

    /// Adds one dossier to this row for a period (see `init(dossier:channel:flags:period:)`).
    public mutating func record(
        _ dossier: DossierAssessment,
        channel: DossierChannel,
        flags: DossierServiceFlags = DossierServiceFlags(),
        period: Range<Date>
    ) {
        self += PublicServiceCounts(dossier: dossier, channel: channel, flags: flags, period: period)
    }
}
