import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import Vapor

/// The wall's feed: what happened, newest first, from the `events` journal. Entries are appended in the transaction
/// of the change they describe (see `AuditRecord.feed`) and published on the live topic `wall` after the commit; a
/// screen that was away asks for the entries after the last id it saw, from any instance.
enum WallFeed {
    static func item(_ e: EventModel, app: Application) -> WallController.FeedItem {
        WallController.FeedItem(id: e.id.map(Int64.init), at: e.at, topic: WallModule.topic, type: e.feedType,
                                title: LocalizedMessage(vi: e.title, en: e.titleEn),
                                place: e.unitCode.flatMap { app.reference.units[$0]?.fullName }, code: e.ref ?? "",
                                severity: e.tone, link: e.link ?? "")
    }

    /// Publishes committed entries on the live topic `wall` (set as the audit log's feed hook), and feeds the
    /// summary published on `wall.summary`.
    static func publisher(_ app: Application) -> @Sendable ([EventModel]) -> Void {
        let digest = WallFeedDigest(interval: .milliseconds(50))
        return { [weak app] entries in
            guard let app else { return }
            var items: [WallController.FeedItem] = []
            items.reserveCapacity(entries.count)
            for e in entries {
                let i = item(e, app: app)
                items.append(i)
                // An agency's entry reaches the clients whose scope covers it; a province-wide one only unscoped clients.
                app.live.publish(topic: WallModule.topic, i, audience: e.agencyCode.map { [$0] } ?? [])
            }
            digest.add(items, app: app)
        }
    }
}

/// `wall.summary`: at most one message per interval (50 ms; the first after a quiet spell at once) while the feed moves, with the number of entries by tone,
/// the id range and the newest few. A screen that shows counts, or a wall under a flood of events, subscribes to this
/// instead of every entry: its traffic stays at 20 small messages a second whatever the event rate.
final class WallFeedDigest: Sendable {
    struct Summary: Content {
        var count: Int
        var tones: [String: Int]
        var firstId: Int64
        var lastId: Int64
        var latest: [WallController.FeedItem]
    }

    private struct State {
        var pending: [WallController.FeedItem] = []
        var count = 0
        var tones: [String: Int] = [:]
        var firstId: Int64 = 0
        var lastId: Int64 = 0
        var scheduled = false
        /// When the last summary went out (uptime ns).
        var lastPublish: UInt64 = 0
    }

    static let latestLimit = 5
    private let state = NIOLockedValueBox(State())
    let interval: TimeAmount

    init(interval: TimeAmount) { self.interval = interval }

    func add(_ items: [WallController.FeedItem], app: Application) {
        guard !items.isEmpty else { return }
        let intervalNs = UInt64(interval.nanoseconds)
        let delay: UInt64? = state.withLockedValue { s in
            for i in items {
                s.count += 1
                s.tones[i.severity, default: 0] += 1
                if let id = i.id {
                    if s.firstId == 0 || id < s.firstId { s.firstId = id }
                    s.lastId = max(s.lastId, id)
                }
            }
            s.pending.append(contentsOf: items.suffix(Self.latestLimit))
            if s.pending.count > Self.latestLimit { s.pending.removeFirst(s.pending.count - Self.latestLimit) }
            if s.scheduled { return nil }
            s.scheduled = true
            // Throttled, not debounced: after a quiet spell the first entries go out at once.
            let now = DispatchTime.now().uptimeNanoseconds
            let next = s.lastPublish + intervalNs
            return next > now ? next - now : 0
        }
        guard let delay else { return }
        let publish: @Sendable () -> Void = { [weak app, self] in
            guard let app else { return }
            let summary: Summary = state.withLockedValue { s in
                let last = DispatchTime.now().uptimeNanoseconds
                defer { s = State(); s.lastPublish = last }
                return Summary(count: s.count, tones: s.tones, firstId: s.firstId, lastId: s.lastId, latest: s.pending.reversed())
            }
            // The digest counts every entry: province-wide clients only.
            app.live.publish(topic: WallModule.topic + ".summary", summary, audience: [])
        }
        if delay == 0 {
            app.eventLoopGroup.next().execute(publish)
        } else {
            app.eventLoopGroup.next().scheduleTask(in: .nanoseconds(Int64(delay)), publish)
        }
    }
}

extension WallFeed {
    /// The newest `limit` entries (newest first), or the entries after `after` (oldest first, up to `limit`).
    /// Resuming repeats the entries of the last few seconds before `after`'s: on PostgreSQL two instances can
    /// reserve ids in one order and commit in the other, so the client de-duplicates by id.
    /// `agencies`: only those agencies' entries (an officer's scope); nil: every entry.
    static func read(on db: any Database, after: Int?, limit: Int, agencies: [String]? = nil) async throws -> (entries: [EventModel], more: Bool) {
        if let agencies, agencies.isEmpty { return ([], false) }
        func scoped(_ q: QueryBuilder<EventModel>) -> QueryBuilder<EventModel> {
            guard let agencies else { return q }
            return q.filter(\.$agencyCode ~~ agencies)
        }
        if let after {
            var q = scoped(EventModel.query(on: db))
            if after > 0, let last = try await EventModel.find(after, on: db) {
                let overlap = last.at.addingTimeInterval(-5)
                q = q.group(.or) { $0.filter(\.$id > after).filter(\.$at >= overlap) }
            } else {
                q = q.filter(\.$id > after)
            }
            let rows = try await q.sort(\.$id).limit(limit + 1).all()
            return (Array(rows.prefix(limit)), rows.count > limit)
        }
        let rows = try await scoped(EventModel.query(on: db)).sort(\.$id, .descending).limit(limit).all()
        return (rows, false)
    }

    static func lastID(on db: any Database) async throws -> Int {
        try await EventModel.query(on: db).sort(\.$id, .descending).first()?.id ?? 0
    }
}
