import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Phản ánh hiện trường: citizens' field reports (web page, Open311, phone), routed to agencies under an SLA.
struct FieldReportsModule: ServiceModule {
    var id: String { "fieldreports" }
    /// Public-safe case events (codes, categories, statuses): any signed-in user or source may follow them.
    static let topic = CasesModule.publicTopic

    func migrations(_ app: Application) -> [any Migration] { [CreateFieldReportCatalog()] }

    func boot(_ app: Application) throws {
        app.mapPoints = MapPointIndex()
        app.open311Cache = Open311ResponseCache(ttl: app.iocConfiguration.open311CacheSeconds)
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        FieldReportsController.register(v1)
        FieldReportsMap.register(v1)
        Open311Controller.register(app)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        BackgroundTask.demoSimulator("fieldreports.demo-simulator", app: app) { app, rng in try await DemoSimulator.step(app: app, rng: &rng) }
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("fieldreports", FieldReportsWall.tile, drill: FieldReportsWall.drill)
        for (metric, label) in FieldReportsWall.metrics {
            wall.choropleth(metric, label: label) { req, scope in try await FieldReportsWall.choropleth(req, metric: metric, scope: scope) }
        }
    }

    var liveTopics: [LiveTopicRule] {
        [LiveTopicRule("fieldReports", prefix: Self.topic, access: .rolesOrSource(Set(Role.allCases), kinds: Set(SourceKind.allCases)))]
    }

    /// A case changed (here or on another instance): Open311 answers and the map's index are out of date.
    var liveObservers: [LiveObserver] {
        [LiveObserver(prefix: CasesModule.topic) { app, topic in
            guard topic == CasesModule.topic else { return }
            app.open311Cache.invalidate()
            app.mapPoints.markDirty()
        }]
    }

    func loadDemo(_ context: DemoContext) async throws {
        let app = context.app
        let reports = max(0, context.options["reports"] ?? 9_000)
        let existing = try await CaseModel.query(on: app.db).filter(\.$kind == "field_report").count()
        if reports > 0, existing > 0 {
            context.print("Phản ánh hiện trường đã có / Field reports already present: \(existing).")
        } else if reports > 0 {
            let started = ContinuousClock.now
            let n = try await DemoFieldReports.load(on: app, count: reports)
            context.print("Phản ánh hiện trường minh họa / Demo field reports: \(n) in \(String(format: "%.1f", (ContinuousClock.now - started) / .seconds(1))) s.")
        }
        try await DemoFieldReports.backfillFeed(app: app)
    }

    var watchedTables: [String] { [CategoryModel.schema, RoutingRuleModel.schema] }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "field-reports", title: "nav.fieldReports", icon: "i-report")]
    }

    var i18nBundles: [String] { ["field-reports-console"] }

    var measures: [AgencyMeasure] {
        // The public figures' own definitions (FieldReportsController.figures), over reports received in the period.
        @Sendable func rows(_ req: Request, _ p: MeasurePeriod) async throws -> [String: FieldReportsController.FigureRow] {
            let wanted = Set(p.agencies)
            let rows = try await FieldReportsController.figures(from: p.from, to: p.to, now: p.asOf, req: req).rows
            return Dictionary(rows.compactMap { r in r.agency.flatMap { wanted.contains($0.code) ? ($0.code, r) : nil } }, uniquingKeysWith: { a, _ in a })
        }
        return [
            AgencyMeasure(
                key: "fieldreports.onTimeShare",
                name: .init(vi: "Tỷ lệ phản ánh hiện trường xử lý đúng hạn", en: "Share of field reports handled on time"),
                definition: .init(vi: "Phản ánh đã xử lý đúng hạn / phản ánh đã xử lý, trên các phản ánh tiếp nhận trong kỳ (số liệu công khai theo cơ quan).",
                                  en: "Reports handled on time / reports handled, among reports received in the period (the public figures by agency)."),
                compute: { req, p in try await rows(req, p).compactMapValues { MeasuredFigure($0.handledOnTime, of: $0.handled) } }),
            AgencyMeasure(
                key: "fieldreports.satisfaction",
                name: .init(vi: "Tỷ lệ người dân hài lòng với kết quả xử lý phản ánh", en: "Citizens satisfied with the handling of reports"),
                definition: .init(vi: "(Hài lòng + chấp nhận) / số đánh giá, trên các phản ánh tiếp nhận trong kỳ.",
                                  en: "(Satisfied + accepted) / ratings, among reports received in the period."),
                compute: { req, p in try await rows(req, p).compactMapValues { MeasuredFigure($0.satisfied + $0.accepted, of: $0.rated) } }),
        ]
    }
}

/// The field reports' tile, service screen and map metrics.
enum FieldReportsWall {
    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {

            // The caller's agencies, like its REST views (the summary is scoped the same way).
            let s = try await FieldReportsController.summary(req)
            let ids = try await WallTileProviders.agencyIDs(req, scope)
            let trend = try await WallTileProviders.dailyCounts(req.db, table: CaseModel.schema, column: "received_at", days: 14, now: s.asOf,
                                                                extraWhere: " AND kind = 'field_report'", scope: ids.map { ("agency_id", $0) })
            let stale = s.lastReportAt.map { s.asOf.timeIntervalSince($0) > 6 * 3600 } ?? true
            return WallTile(
                id: "fieldreports", title: .init(vi: "Phản ánh hiện trường", en: "Field reports"), link: "/#/field-reports",
                figures: [
                    .init(key: "receivedToday", label: .init(vi: "Tiếp nhận hôm nay", en: "Received today"), value: Double(s.receivedToday), format: "integer"),
                    .init(key: "open", label: .init(vi: "Đang xử lý", en: "Open"), value: Double(s.open), format: "integer"),
                    .init(key: "overdue", label: .init(vi: "Quá hạn", en: "Overdue"), value: Double(s.overdue), format: "integer",
                          severity: s.overdue > 0 ? "bad" : "good"),
                    .init(key: "onTimeRate", label: .init(vi: "Đúng hạn (tháng)", en: "On time (month)"), value: s.monthOnTimeRate, format: "percent",
                          severity: s.monthOnTimeRate.map { $0 >= 0.9 ? "good" : $0 >= 0.75 ? "warn" : "bad" }),
                    .init(key: "satisfaction", label: .init(vi: "Hài lòng (năm)", en: "Satisfied (year)"), value: s.yearSatisfactionRate, format: "percent",
                          severity: s.yearSatisfactionRate.map { $0 >= 0.85 ? "good" : $0 >= 0.7 ? "warn" : "bad" }),
                ],
                trend: .init(label: .init(vi: "Tiếp nhận 14 ngày", en: "Received, 14 days"), points: trend),
                freshness: .init(lastDataAt: s.lastReportAt, expectedSeconds: 6 * 3600, stale: stale))
            }


    static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = req.application.clock.now
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let sql = req.db as! any SQLDatabase
        let open = CaseStatus.openStatuses.map(\.rawValue)
        var filter = SQLQueryString("kind = 'field_report'")
        if let codes = q.scope.agencyCodes {
            let ids = codes.compactMap { d.agencyByCode[$0]?.id }
            guard !ids.isEmpty else { return empty(req, q, now) }
            filter.appendInterpolation(unsafeRaw: " AND agency_id IN (")
            filter.appendInterpolation(binds: ids)
            filter.appendInterpolation(unsafeRaw: ")")
        }
        if let agency = q.agency {
            filter.appendInterpolation(unsafeRaw: " AND agency_id = ")
            filter.appendInterpolation(bind: agency.id)
        }
        if let unit = q.unit {
            filter.appendInterpolation(unsafeRaw: " AND unit_code = ")
            filter.appendInterpolation(bind: unit)
        }
        let title = LocalizedMessage(vi: "Phản ánh hiện trường", en: "Field reports")
        if q.level == .item {
            let rows = try await CaseModel.query(on: req.db).filter(\.$kind == "field_report")
                .filter(\.$status ~~ open)
                .group(.and) { g in
                    if let agency = q.agency { g.filter(\.$agencyID == agency.id) }
                    if let unit = q.unit { g.filter(\.$unitCode == unit) }
                    if let codes = q.scope.agencyCodes { g.filter(\.$agencyID ~~ codes.compactMap { d.agencyByCode[$0]?.id }) }
                }
                .sort(\.$dueAt).limit(200).all()
            let items = rows.map { c in
                let name = d.categories[c.category]?.name ?? LocalizedMessage(vi: c.category, en: c.category)
                return WallDrill.Item(code: c.code, title: name, status: c.status, statusLabel: c.caseStatus.label, at: c.receivedAt, dueAt: c.dueAt,
                                      overdue: c.dueAt <= now, place: c.unitCode.flatMap { req.application.reference.units[$0]?.fullName },
                                      agency: c.agencyID.flatMap { d.agencies[$0]?.name }, link: "/wall#case/\(c.code)")
            }
            return WallDrill(tile: "fieldreports", title: title, level: .item, asOf: now, agency: WallDrillController.agencyRef(q.agency),
                             unit: WallDrillController.unitRef(q.unit, req.application), columns: [], rows: [], items: items)
        }
        let group = q.level == .agency ? "agency_id" : "unit_code"
        let t = SQLBind(true)
        let openList = SQLQueryString("status IN (\(binds: open))")
        let since30 = now.addingTimeInterval(-30 * 86_400)
        let since90 = now.addingTimeInterval(-90 * 86_400)
        struct Agg: Decodable { var grp: String?; var open: Int?; var overdue: Int?; var received30: Int?; var resolved90: Int?; var late90: Int? }
        let rows = try await sql.raw("""
            SELECT \(group == "agency_id" ? sql.iocDialect.uuidText("agency_id") : SQLQueryString("\(ident: group)")) AS grp,
              SUM(CASE WHEN \(openList) THEN 1 ELSE 0 END) AS open,
              SUM(CASE WHEN \(openList) AND due_at <= \(bind: now) THEN 1 ELSE 0 END) AS overdue,
              SUM(CASE WHEN received_at >= \(bind: since30) THEN 1 ELSE 0 END) AS received30,
              SUM(CASE WHEN resolved_at >= \(bind: since90) THEN 1 ELSE 0 END) AS resolved90,
              SUM(CASE WHEN resolved_at >= \(bind: since90) AND handled_late = \(t) THEN 1 ELSE 0 END) AS late90
            FROM cases WHERE \(filter) AND \(unsafeRaw: group) IS NOT NULL GROUP BY \(unsafeRaw: group)
            """).all(decoding: Agg.self)
        var out: [WallDrill.Row] = []
        for r in rows {
            guard let key = r.grp else { continue }
            let name: String, code: String
            if q.level == .agency {
                guard let id = UUID(uuidString: key), let a = d.agencies[id] else { continue }
                name = a.name; code = a.code
            } else {
                name = req.application.reference.units[key]?.fullName ?? key; code = key
            }
            let resolved = r.resolved90 ?? 0
            let rate: Double? = resolved > 0 ? Double(resolved - (r.late90 ?? 0)) / Double(resolved) : nil
            var severity: [String: String] = ["overdue": (r.overdue ?? 0) > 0 ? "bad" : "good"]
            severity["onTimeRate"] = WallDrillController.rateSeverity(rate, good: 0.9, warn: 0.75)
            out.append(.init(key: code, name: name, values: ["open": Double(r.open ?? 0), "overdue": Double(r.overdue ?? 0),
                                                             "received30d": Double(r.received30 ?? 0), "onTimeRate": rate],
                             severity: severity))
        }
        return WallDrill(tile: "fieldreports", title: title, level: q.level, asOf: now, agency: WallDrillController.agencyRef(q.agency), unit: nil,
                         columns: [
                            .init(key: "open", label: .init(vi: "Đang xử lý", en: "Open"), format: "integer"),
                            .init(key: "overdue", label: .init(vi: "Quá hạn", en: "Overdue"), format: "integer"),
                            .init(key: "received30d", label: .init(vi: "Tiếp nhận 30 ngày", en: "Received, 30 days"), format: "integer"),
                            .init(key: "onTimeRate", label: .init(vi: "Đúng hạn 90 ngày", en: "On time, 90 days"), format: "percent"),
                         ],
                         rows: WallDrillController.sorted(out, by: ["overdue", "open", "received30d"]), items: [])
    }

    static func empty(_ req: Request, _ q: WallDrillQuery, _ now: Date) -> WallDrill {
        WallDrill(tile: "fieldreports", title: .init(vi: "Phản ánh hiện trường", en: "Field reports"), level: q.level, asOf: now,
                  agency: WallDrillController.agencyRef(q.agency), unit: WallDrillController.unitRef(q.unit, req.application), columns: [], rows: [], items: [])
    }

    static let metrics: [(String, LocalizedMessage)] = [
        ("fieldreports.open", .init(vi: "Phản ánh đang xử lý", en: "Open reports")),
        ("fieldreports.overdue", .init(vi: "Phản ánh quá hạn", en: "Overdue reports")),
        ("fieldreports.received30d", .init(vi: "Phản ánh 30 ngày", en: "Reports, 30 days")),
    ]

    /// Reports per commune for one of `metrics`.
    static func choropleth(_ req: Request, metric: String, scope: WallScope) async throws -> [String: Int] {
        let now = req.now
        let open = CaseStatus.openStatuses.map(\.rawValue)
        var filter = SQLQueryString("kind = 'field_report' AND unit_code IS NOT NULL")
        if let ids = try await WallTileProviders.agencyIDs(req, scope) {
            if ids.isEmpty { return [:] }
            filter.appendInterpolation(unsafeRaw: " AND agency_id IN (")
            filter.appendInterpolation(binds: ids)
            filter.appendInterpolation(unsafeRaw: ")")
        }
        switch metric {
        case "fieldreports.open":
            filter.appendInterpolation(unsafeRaw: " AND status IN (")
            filter.appendInterpolation(binds: open)
            filter.appendInterpolation(unsafeRaw: ")")
        case "fieldreports.overdue":
            filter.appendInterpolation(unsafeRaw: " AND status IN (")
            filter.appendInterpolation(binds: open)
            filter.appendInterpolation(unsafeRaw: ") AND due_at <= ")
            filter.appendInterpolation(bind: now)
        default:
            filter.appendInterpolation(unsafeRaw: " AND received_at >= ")
            filter.appendInterpolation(bind: now.addingTimeInterval(-30 * 86_400))
        }
        struct Row: Decodable { var unit_code: String; var n: Int }
        let rows = try await (req.db as! any SQLDatabase).raw("SELECT unit_code, COUNT(*) AS n FROM cases WHERE \(filter) GROUP BY unit_code")
            .all(decoding: Row.self)
        return Dictionary(rows.map { ($0.unit_code, $0.n) }, uniquingKeysWith: +)
    }
}

/// The wall map's layer of field reports: clusters at low zoom, points at high zoom.
enum FieldReportsMap {
    static func register(_ api: APIBuilder) {
        let m = api.group("map", tag: "Wall")
        m.on(.GET, "reports", access: WallController.readers, summary: "Field reports in a viewport: grid clusters at low zoom, points at high zoom",
             query: [.init("bbox", "minLon,minLat,maxLon,maxLat", .string), .init("zoom", "0–22", .integer),
                     .init("status", "open (default) | recent (last 30 days) | all", .string)],
             response: .any, use: mapReports)
    }

    struct MapReports: Content {
        struct Cell: Content { var lat: Double; var lon: Double; var count: Int; var open: Int; var overdue: Int }
        struct Point: Content { var code: String; var lat: Double; var lon: Double; var status: String; var category: String; var overdue: Bool }
        var zoom: Int
        var cells: [Cell]
        var points: [Point]
        var total: Int
    }

    static let pointsThreshold = 400

    @Sendable static func mapReports(_ req: Request) async throws -> MapReports {
        guard let bboxText = req.query[String.self, at: "bbox"] else {
            throw IOCError.invalid("bbox", vi: "Thiếu bbox (minLon,minLat,maxLon,maxLat).", en: "bbox (minLon,minLat,maxLon,maxLat) is required.")
        }
        let b = bboxText.split(separator: ",").compactMap { Double($0) }
        guard b.count == 4, b.allSatisfy(\.isFinite), b[0] < b[2], b[1] < b[3], (-180...180).contains(b[0]), (-180...180).contains(b[2]),
              (-90...90).contains(b[1]), (-90...90).contains(b[3]) else {
            throw IOCError.invalid("bbox", vi: "bbox phải là minLon,minLat,maxLon,maxLat hợp lệ.", en: "bbox must be a valid minLon,minLat,maxLon,maxLat.")
        }
        let zoom = try intQuery(req, "zoom", range: 0...22) ?? 8
        let now = req.now
        let filter: MapPointIndex.Filter
        switch req.query[String.self, at: "status"] ?? "open" {
        case "open": filter = .open
        case "recent": filter = .recent(since: now.addingTimeInterval(-30 * 86_400).timeIntervalSince1970)
        case "all": filter = .all
        default: throw IOCError.invalid("status", vi: "status: open, recent hoặc all.", en: "status must be open, recent or all.")
        }
        let index = req.application.mapPoints
        try await index.refresh(on: req.db)
        // About 4 × 4 cells per 256-pixel tile at this zoom.
        let cell = 360.0 / pow(2.0, Double(zoom)) / 4
        let t = now.timeIntervalSince1970
        // The caller's agencies, like its case lists.
        let agencies = try await WallTileProviders.agencyIDs(req, try await WallController.scope(req)).map(Set.init)
        let clustered = index.query(minLat: b[1], maxLat: b[3], minLon: b[0], maxLon: b[2], filter: filter, cellSize: cell, now: t, maxPoints: 0, agencies: agencies)
        if clustered.total <= pointsThreshold || zoom >= 16 {
            let listed = index.query(minLat: b[1], maxLat: b[3], minLon: b[0], maxLon: b[2], filter: filter, cellSize: nil, now: t, maxPoints: 2_000, agencies: agencies)
            return MapReports(zoom: zoom, cells: [], points: listed.points.sorted { $0.receivedAt > $1.receivedAt }.map {
                .init(code: $0.code, lat: $0.lat, lon: $0.lon, status: $0.status, category: $0.category, overdue: $0.open && $0.dueAt <= t)
            }, total: listed.total)
        }
        return MapReports(zoom: zoom, cells: clustered.cells.map {
            .init(lat: $0.latSum / Double($0.count), lon: $0.lonSum / Double($0.count), count: $0.count, open: $0.open, overdue: $0.overdue)
        }, points: [], total: clustered.total)
    }
}
