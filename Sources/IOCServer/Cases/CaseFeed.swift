import Foundation
import IOCCore

/// The wall feed's entries for case changes (committed with the change through `AuditRecord.feed`).
enum CaseFeed {
    /// Feed type and tone of a case change worth showing on the wall, from the case's live event type.
    static func caseFeedType(_ c: CaseModel, type: String) -> (String, String)? {
        guard c.kind == "field_report", c.isPublic else { return nil }
        switch type {
        case "case.created": return ("report.created", "info")
        case "case.breached": return ("report.breached", "bad")
        case "case.warned": return ("report.warned", "warn")
        default:
            if c.caseStatus == .resolved { return ("report.resolved", "good") }
            if c.caseStatus == .assigned && c.reopenCount > 0 && c.resolvedAt == nil { return ("report.reopened", "warn") }
            return nil
        }
    }

    /// The journal entry for a case change (nil when the wall does not show that change).
    static func caseEntry(_ c: CaseModel, type: String, at: Date, directory d: CaseDirectory.Snapshot) -> EventModel? {
        guard let (feedType, tone) = caseFeedType(c, type: type) else { return nil }
        let name = d.categories[c.category]?.name ?? LocalizedMessage(vi: c.category, en: c.category)
        let label = CaseViews.eventLabel(String(feedType.dropFirst("report.".count)))
        return FeedJournal.entry(feedType, tone: tone, at: at, title: .init(vi: "\(label.vi): \(name.vi)", en: "\(label.en): \(name.en)"),
                     unit: c.unitCode, lat: c.lat, lon: c.lon, ref: c.code, link: "/wall#case/\(c.code)",
                     agency: CaseViews.agencyRef(c.agencyID, d)?.code)
    }
}
