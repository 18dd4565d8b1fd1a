import Fluent
import Foundation
import IOCCore
import Vapor

extension DemoFieldReports {
    /// The feed journal starts with the last two days of field-report events, as if the wall had been running.
    static func backfillFeed(app: Application) async throws {
        guard try await EventModel.query(on: app.db).count() == 0 else { return }
        let since = app.clock.now.addingTimeInterval(-2 * 86_400)
        let d = try await app.caseDirectory.snapshot(on: app.db)
        let events = try await CaseEventModel.query(on: app.db).filter(\.$at >= since)
            .filter(\.$type ~~ ["created", "breached", "warned", "resolved", "reopened"]).sort(\.$at).all()
        let cases = try await CaseModel.query(on: app.db).filter(\.$id ~~ Array(Set(events.map(\.caseID)))).all()
        let byID = Dictionary(uniqueKeysWithValues: cases.map { ($0.id!, $0) })
        var entries: [EventModel] = []
        for e in events {
            guard let c = byID[e.caseID] else { continue }
            let type: String = switch e.type {
            case "created": "case.created"
            case "breached": "case.breached"
            case "warned": "case.warned"
            default: "case.status"
            }
            // The entry describes the case as it was then: resolved/reopened come from the event type itself.
            let status = c.status
            if e.type == "resolved" { c.status = CaseStatus.resolved.rawValue }
            if e.type == "reopened" { c.status = CaseStatus.assigned.rawValue }
            if let entry = CaseFeed.caseEntry(c, type: type, at: e.at, directory: d) { entries.append(entry) }
            c.status = status
        }
        var record = AuditRecord(actor: "system", action: "wall.feed.backfill", targetType: "events", targetID: "demo", origin: "demo",
                                 details: "entries=\(entries.count)")
        record.feed = entries
        try await app.audit.record(record, on: app.db)
    }
}
