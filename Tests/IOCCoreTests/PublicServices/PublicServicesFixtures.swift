import Foundation
import IOCCore

/// Fixed instants and dates for the public-service tests, parsed independently of the calendar
/// under test.
enum VN {
    /// An instant written as Vietnam local time (UTC+7): `"2026-03-09 09:00"` or
    /// `"2026-03-09 09:00:30"`.
    static func at(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let withSeconds = text.count == 16 ? text + ":00" : text
        return formatter.date(from: withSeconds.replacingOccurrences(of: " ", with: "T") + "+07:00")!
    }

    /// A civil date `"2026-03-12"`.
    static func date(_ text: String) -> CivilDate { CivilDate(iso8601: text)! }
}

/// Rules under test: the civil-service calendar with the 15:00 cut-off.
let rules = TimelinessRules.vietnamCivilService

/// Facts of a dossier with the usual defaults for tests.
func dossier(
    received: String,
    limit: ProcessingLimit? = .workingDays(3),
    status: DossierStatus = .processing,
    dueAt: String? = nil,
    history: [StatusChange] = [],
    supplements: [SupplementRequest] = [],
    finishedAt: String? = nil,
    returnedAt: String? = nil
) -> DossierFacts {
    DossierFacts(
        code: "H01.01-260309-0001",
        receivedAt: VN.at(received),
        dueAt: dueAt.map(VN.at),
        limit: limit,
        status: status,
        history: history,
        supplements: supplements,
        finishedAt: finishedAt.map(VN.at),
        returnedAt: returnedAt.map(VN.at)
    )
}

/// A supplement request between two local instants (`nil` completion: still open).
func supplement(_ requested: String, _ completed: String? = nil) -> SupplementRequest {
    SupplementRequest(requestedAt: VN.at(requested), completedAt: completed.map(VN.at))
}

/// A status change at a local instant.
func change(_ status: DossierStatus, _ at: String) -> StatusChange {
    StatusChange(status: status, at: VN.at(at))
}
