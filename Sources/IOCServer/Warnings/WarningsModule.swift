import Fluent
import Foundation
import IOCCore
import Vapor

/// Cảnh báo, truyền thanh thông minh: alert rules over every module's series, warnings drafted, approved and
/// published as CAP 1.2 (wall, public page, Atom feed, loudspeakers), CAP received from outside.
struct WarningsModule: ServiceModule {
    var id: String { "warnings" }

    func migrations(_ app: Application) -> [any Migration] { [CreateWarnings()] }

    func routes(_ v1: APIBuilder, app: Application) throws {
        WarningsController.register(v1, app: app)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        [BackgroundTask("warnings.rules", mode: .singleton, every: .seconds(60), jitter: 0.1) { app in
            try await AlertRuleService.evaluate(app: app, now: app.clock.now)
        }] + CAPFeedPoller.task(app) + [AQIBulletin.task()]
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("warnings", WarningsWall.tile, drill: WarningsWall.drill)
    }

    var liveTopics: [LiveTopicRule] {
        [LiveTopicRule("warnings", prefix: WarningService.topic, access: .public)]
    }

    var liveObservers: [LiveObserver] {
        // New observations (here or on another instance; the observer gets the topic): the leading instance evaluates the
        // rules at once (where background work runs). Requests that arrive while an evaluation runs are merged into one more run.
        [LiveObserver(prefix: "environment") { app, topic in
            guard topic == "environment", app.iocConfiguration.backgroundWork, app.backgroundRunner.leadership.isLeader else { return }
            app.ruleTrigger.request(nil, app: app)
        }]
    }

    func loadDemo(_ context: DemoContext) async throws {
        try await DemoWarnings.load(context)
    }

    var watchedTables: [String] {
        [AlertRuleModel.schema, AlertRuleStateModel.schema, WarningModel.schema, CAPInboundModel.schema, LoudspeakerModel.schema,
         BroadcastModel.schema, BroadcastDeliveryModel.schema]
    }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "warnings", title: "nav.warnings", icon: "i-megaphone", roles: [.admin, .operator, .leader, .analyst, .officer])]
    }

    var i18nBundles: [String] { ["warnings"] }
}

/// The warnings tile: warnings in force by level, drafts awaiting approval, broadcasts confirmed.
enum WarningsWall {
    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {
        let now = req.now
        let active = try await WarningModel.query(on: req.db).filter(\.$status == "published").filter(\.$expires > now).all()
        let waiting = try await WarningModel.query(on: req.db).filter(\.$status == "submitted").count()
        let summaries = try await BroadcastService.summary(active.compactMap(\.id), on: req.db)
        let clusters = summaries.values.reduce(0) { $0 + $1.clusters }, confirmed = summaries.values.reduce(0) { $0 + $1.confirmed }
        let top = active.max { $0.level < $1.level }
        var figures = [
            WallTile.Figure(key: "active", label: .init(vi: "Cảnh báo đang có hiệu lực", en: "Warnings in force"), value: Double(active.count), format: "integer",
                            severity: active.isEmpty ? "good" : (top?.level ?? 0) >= 3 ? "bad" : "warn"),
            WallTile.Figure(key: "submitted", label: .init(vi: "Chờ lãnh đạo duyệt", en: "Awaiting approval"), value: Double(waiting), format: "integer",
                            severity: waiting > 0 ? "warn" : "good"),
        ]
        if let top {
            figures.append(.init(key: "top", label: .init(vi: "Cao nhất: \(top.headline)", en: "Highest: \(top.headlineEn)"), value: Double(top.level),
                                 format: "integer", severity: top.level >= 3 ? "bad" : "warn"))
        }
        if clusters > 0 {
            figures.append(.init(key: "broadcast", label: .init(vi: "Cụm loa đã phát", en: "Loudspeaker clusters confirmed"),
                                 value: Double(confirmed) / Double(clusters), format: "percent", severity: confirmed == clusters ? "good" : "warn"))
        }
        let last = try await WarningModel.query(on: req.db).max(\.$publishedAt)
        return WallTile(id: "warnings", title: .init(vi: "Cảnh báo, truyền thanh", en: "Warnings and broadcast"), link: "/#/warnings",
                        figures: figures, trend: nil, freshness: .init(lastDataAt: last, expectedSeconds: 30 * 86_400, stale: false))
    }

    /// The service screen: the warnings in force and those awaiting approval, as items.
    @Sendable static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = req.now
        var list = try await WarningModel.query(on: req.db).filter(\.$status ~~ ["published", "submitted"]).sort(\.$level, .descending).all()
        list = list.filter { $0.status == "submitted" || $0.expires > now }
        if let unit = q.unit { list = list.filter { WarningService.decodeAreas($0).contains(unit) } }
        let items = list.map { w in
            let areas = WarningService.decodeAreas(w).compactMap { req.application.reference.units[$0]?.name }
            return WallDrill.Item(code: w.identifier, title: .init(vi: "\(WarningCatalog.short(w.level).vi): \(w.headline)", en: "\(WarningCatalog.short(w.level).en): \(w.headlineEn)"),
                                  status: w.status, statusLabel: w.status == "published" ? .init(vi: "Đang có hiệu lực", en: "In force") : .init(vi: "Chờ duyệt", en: "Awaiting approval"),
                                  at: w.publishedAt ?? w.submittedAt ?? w.createdAt, dueAt: w.expires, overdue: false,
                                  place: areas.prefix(4).joined(separator: ", ") + (areas.count > 4 ? "…" : ""), agency: nil, link: "/#/warnings")
        }
        return WallDrill(tile: "warnings", title: .init(vi: "Cảnh báo đang có hiệu lực và chờ duyệt", en: "Warnings in force and awaiting approval"),
                         level: .item, asOf: now, agency: nil, unit: nil, columns: [], rows: [], items: items)
    }
}
