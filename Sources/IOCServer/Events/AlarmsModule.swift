import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Cảnh báo: events from sources and the alarms they raise (active → acknowledged → cleared), with the operators'
/// actions. Events and the feed journal are platform primitives other services use; this module is their console
/// page, wall tile, service screen and alarm panel.
struct AlarmsModule: ServiceModule {
    var id: String { "alarms" }
    static let topic = "alarms"

    func migrations(_ app: Application) -> [any Migration] { [CreateEventsAndAlarms(), AddFeedAgency()] }

    func routes(_ v1: APIBuilder, app: Application) throws {
        EventsController.register(v1)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        BackgroundTask.demoSimulator("alarms.demo-simulator", app: app) { app, rng in try await DemoAlarms.simulate(app: app, rng: &rng) }
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("alarms", AlarmsWall.tile, drill: AlarmsWall.drill)
        // The alarm panel: open alarms, most urgent first, with their actions.
        wall.view("alarms", order: 40)
    }

    var liveTopics: [LiveTopicRule] {
        [LiveTopicRule("alarms", prefix: Self.topic, access: EventsController.readers)]
    }

    func loadDemo(_ context: DemoContext) async throws {
        try await DemoAlarms.load(on: context.app)
    }

    var watchedTables: [String] { [EventModel.schema, AlarmModel.schema, AlarmNoteModel.schema] }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "alarms", title: "alarms.nav", icon: "i-bell")]
    }

    var i18nBundles: [String] { ["alarms"] }

    var series: [SeriesSource] { [EventSeries.source] }
}

/// The alarms' tile and service screen.
enum AlarmsWall {
    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {

            let now = req.now
            // The caller's agencies, like the alarm panel and the alarms list: an officer counts the alarms given to
            // its agencies and their daily raises; the province sees every alarm and every event from sources.
            let ids = try await WallTileProviders.agencyIDs(req, scope)
            let c = try await EventService.counts(on: req.db, agencies: ids.map(Set.init), now: now)
            let trend: [WallTile.Trend.Point]
            let last: Date?
            if let ids {
                trend = try await WallTileProviders.dailyCounts(req.db, table: AlarmModel.schema, column: "raised_at", days: 14, now: now, scope: ("agency_id", ids))
                last = ids.isEmpty ? nil : try await AlarmModel.query(on: req.db).filter(\.$agencyID ~~ ids).sort(\.$lastEventAt, .descending).first()?.lastEventAt
            } else {
                trend = try await WallTileProviders.dailyCounts(req.db, table: EventModel.schema, column: "at", days: 14, now: now, extraWhere: " AND origin = 'source'")
                last = try await EventModel.query(on: req.db).filter(\.$origin == "source").sort(\.$id, .descending).first()?.at
            }
            return WallTile(
                id: "alarms", title: .init(vi: "Cảnh báo", en: "Alarms"), link: "/#/alarms",
                figures: [
                    .init(key: "active", label: .init(vi: "Chưa xác nhận", en: "Unacknowledged"), value: Double(c.active), format: "integer",
                          severity: c.active > 0 ? "bad" : "good"),
                    .init(key: "critical", label: .init(vi: "Nghiêm trọng", en: "Critical"), value: Double(c.critical), format: "integer",
                          severity: c.critical > 0 ? "bad" : "good"),
                    .init(key: "acknowledged", label: .init(vi: "Đang xử lý", en: "Being handled"), value: Double(c.acknowledged), format: "integer"),
                    .init(key: "clearedToday", label: .init(vi: "Kết thúc hôm nay", en: "Cleared today"), value: Double(c.clearedToday), format: "integer"),
                ],
                trend: .init(label: ids == nil ? .init(vi: "Sự kiện 14 ngày", en: "Events, 14 days") : .init(vi: "Cảnh báo mới 14 ngày", en: "Alarms raised, 14 days"),
                             points: trend),
                freshness: .init(lastDataAt: last, expectedSeconds: 3_600, stale: last.map { now.timeIntervalSince($0) > 3_600 } ?? true))
            }


    /// Open alarms by the agency handling them (unassigned ones are the operations centre's, agency `IOC`), then by
    /// commune, then the alarms themselves.
    @Sendable static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = req.now
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let title = LocalizedMessage(vi: "Cảnh báo", en: "Alarms")
        let triage = d.agencyByCode["IOC"]
        var rows = try await AlarmModel.query(on: req.db).filter(\.$state != "cleared").sort(\.$raisedAt, .descending).limit(5_000).all()
        let agencyOf = { (a: AlarmModel) -> AgencyDirectory.Agency? in a.agencyID.flatMap { d.agencies[$0] } ?? triage }
        if let codes = q.scope.agencyCodes { rows = rows.filter { agencyOf($0).map { codes.contains($0.code) } ?? false } }
        if let agency = q.agency { rows = rows.filter { agencyOf($0)?.id == agency.id } }
        if let unit = q.unit { rows = rows.filter { $0.unitCode == unit } }
        if q.level == .item {
            let items = EventService.mostUrgentFirst(rows).prefix(200).map { a in
                    WallDrill.Item(code: a.code, title: .init(vi: a.title, en: a.titleEn), status: a.state,
                                   statusLabel: a.state == "active" ? .init(vi: "Chưa xác nhận", en: "Unacknowledged") : .init(vi: "Đã xác nhận", en: "Acknowledged"),
                                   at: a.raisedAt, dueAt: nil, overdue: a.state == "active",
                                   place: a.unitCode.flatMap { req.application.reference.units[$0]?.fullName }, agency: agencyOf(a)?.name,
                                   link: "/wall#alarm/\(a.code)")
                }
            return WallDrill(tile: "alarms", title: title, level: .item, asOf: now, agency: WallDrillController.agencyRef(q.agency), unit: WallDrillController.unitRef(q.unit, req.application),
                             columns: [], rows: [], items: Array(items))
        }
        var groups: [String: (name: String, open: Int, active: Int, critical: Int)] = [:]
        for a in rows {
            let key: String, name: String
            if q.level == .agency {
                guard let agency = agencyOf(a) else { continue }
                key = agency.code; name = agency.name
            } else {
                guard let unit = a.unitCode else { continue }
                key = unit; name = req.application.reference.units[unit]?.fullName ?? unit
            }
            var g = groups[key] ?? (name, 0, 0, 0)
            g.open += 1
            if a.state == "active" { g.active += 1 }
            if a.severity == "critical" { g.critical += 1 }
            groups[key] = g
        }
        let out = groups.map { key, g in
            WallDrill.Row(key: key, name: g.name, values: ["active": Double(g.active), "critical": Double(g.critical), "open": Double(g.open)],
                          severity: ["active": g.active > 0 ? "bad" : "good", "critical": g.critical > 0 ? "bad" : "good"])
        }
        return WallDrill(tile: "alarms", title: title, level: q.level, asOf: now, agency: WallDrillController.agencyRef(q.agency), unit: nil,
                         columns: [
                            .init(key: "active", label: .init(vi: "Chưa xác nhận", en: "Unacknowledged"), format: "integer"),
                            .init(key: "critical", label: .init(vi: "Nghiêm trọng", en: "Critical"), format: "integer"),
                            .init(key: "open", label: .init(vi: "Đang mở", en: "Open"), format: "integer"),
                         ],
                         rows: WallDrillController.sorted(out, by: ["critical", "active", "open"]), items: [])
    }
}
