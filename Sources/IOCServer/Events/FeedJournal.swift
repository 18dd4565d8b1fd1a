import Foundation
import IOCCore

/// The feed journal (table `events`): facts for the wall, appended in the transaction of the change they describe
/// (`AuditRecord.feed`). Services write entries through this type; the wall reads and publishes them.
enum FeedJournal {
    /// A fact of IOC's own for the journal (`type` is both its kind and its feed type).
    static func entry(_ type: String, tone: String, at: Date, title: LocalizedMessage, unit: String?, lat: Double?, lon: Double?,
                      ref: String, link: String, agency: String? = nil) -> EventModel {
        let e = EventModel()
        e.at = at
        e.occurredAt = at
        e.origin = "ioc"
        e.kind = type
        e.feedType = type
        e.level = tone == "bad" ? "major" : tone == "warn" ? "minor" : "info"
        e.tone = tone
        e.title = title.vi
        e.titleEn = title.en
        e.unitCode = unit
        e.lat = lat
        e.lon = lon
        e.ref = ref
        e.link = link
        e.agencyCode = agency
        return e
    }
}
