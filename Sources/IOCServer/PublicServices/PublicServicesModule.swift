import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Giám sát dịch vụ công trực tuyến: administrative-procedure dossiers mirrored from the one-stop system, judged on the
/// legal working-day calendar.
struct PublicServicesModule: ServiceModule {
    var id: String { "publicservices" }

    func migrations(_ app: Application) -> [any Migration] {
        [CreateDossiers(), AddDossierIngestedIndex(), ReassessDossiersForNewYearSwap2026(app: app)]
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        PublicServicesController.register(v1)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        BackgroundTask.demoSimulator("publicservices.demo-simulator", app: app) { app, rng in try await DemoDossiers.simulate(app: app, rng: &rng) }
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("publicservices", PublicServicesWall.tile, drill: PublicServicesWall.drill)
    }

    func loadDemo(_ context: DemoContext) async throws {
        let app = context.app
        let count = max(0, context.options["dossiers"] ?? 250_000)
        // Loaded today already (the generator is deterministic per day): skip the slow part of a restart.
        let loadedToday = try await DossierModel.query(on: app.db).filter(\.$ingestedAt > app.clock.now.addingTimeInterval(-6 * 3600)).count()
        if count > 0, loadedToday >= count * 9 / 10 {
            context.print("Hồ sơ TTHC minh họa đã có / Demo dossiers already loaded today: \(loadedToday).")
        } else if count > 0 {
            let d = try await DemoDossiers.load(on: app, count: count, now: app.clock.now)
            context.print("Hồ sơ TTHC minh họa / Demo dossiers: \(d.accepted) (\(d.created) new) in \(String(format: "%.1f", d.seconds)) s.")
        }
    }

    /// Re-assesses the dossiers whose deadline can move: received up to that day and still open at its start (a
    /// dossier that ended earlier ended before both the old and the new deadline).
    func workingCalendarChanged(_ app: Application, day: CivilDate, rules: TimelinessRules, on db: any Database) async throws {
        let dayStart = rules.calendar.instant(on: day, at: .init(hour: 0, minute: 0))
        try await DossierIngest.reassess(receivedBefore: dayStart.addingTimeInterval(86_400), openAt: dayStart, rules: rules,
                                         catalog: app.reference.units, now: app.clock.now, on: db)
    }

    var watchedTables: [String] { [DossierModel.schema] }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "public-services", title: "nav.publicServices", icon: "i-dossier")]
    }

    var measures: [AgencyMeasure] {
        // The monthly form's own figures (PublicServiceStats) over the period, per agency.
        @Sendable func counts(_ req: Request, _ p: MeasurePeriod) async throws -> [String: PublicServiceCounts] {
            let rows = try await PublicServiceStats.rows(on: req.db, from: p.from, to: p.to, asOf: p.asOf, groupBy: .agency, agencyCodes: p.agencies)
            return Dictionary(rows.compactMap { r in r.key.map { ($0, r.counts) } }, uniquingKeysWith: +)
        }
        return [
            AgencyMeasure(
                key: "publicservices.onlineShare",
                name: .init(vi: "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến", en: "Share of dossiers received online"),
                definition: .init(vi: "Hồ sơ tiếp nhận trực tuyến / tổng hồ sơ tiếp nhận trong kỳ (báo cáo tình hình giải quyết TTHC theo cơ quan).",
                                  en: "Dossiers received online / all dossiers received in the period (the monthly public-service report by agency)."),
                compute: { req, p in
                    try await counts(req, p).compactMapValues { MeasuredFigure($0.receivedOnline, of: $0.received) }
                }),
            AgencyMeasure(
                key: "publicservices.onTimeShare",
                name: .init(vi: "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", en: "Share of dossiers handled on time"),
                definition: .init(vi: "(Hồ sơ phải giải quyết − hồ sơ quá hạn) / hồ sơ phải giải quyết trong kỳ (QĐ 766, báo cáo theo cơ quan).",
                                  en: "(Dossiers to handle − overdue) / dossiers to handle in the period (QĐ 766, the report by agency)."),
                compute: { req, p in
                    try await counts(req, p).compactMapValues { c in
                        let f = TimelinessRate.onTime.fraction(for: c)
                        return MeasuredFigure(f.numerator, of: f.denominator)
                    }
                }),
        ]
    }
}

/// The public services' tile and service screen.
enum PublicServicesWall {
    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {

            let now = req.now
            let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
            let month = ReportPeriod.calendarMonth(year: today.year, month: today.month).bounds()
            let rows = try await PublicServiceStats.rows(on: req.db, from: month.lowerBound, to: month.upperBound, asOf: now, groupBy: .total, agencyCodes: scope.agencyCodes)
            let c = PublicServicesController.CountsDTO(rows.reduce(PublicServiceCounts.zero) { $0 + $1.counts })
            let last = try await PublicServicesController.latestIngest(req.db, codes: scope.agencyCodes)
            let trend = try await WallTileProviders.dailyCounts(req.db, table: DossierModel.schema, column: "received_at", days: 14, now: now,
                                                                scope: scope.agencyCodes.map { ("agency_code", $0) })
            return WallTile(
                id: "publicservices", title: .init(vi: "Dịch vụ công", en: "Public services"), link: "/#/public-services/report",
                figures: [
                    .init(key: "receivedThisMonth", label: .init(vi: "Tiếp nhận tháng này", en: "Received this month"), value: Double(c.received), format: "integer"),
                    .init(key: "resolvedThisMonth", label: .init(vi: "Đã giải quyết", en: "Processed"), value: Double(c.resolved), format: "integer"),
                    .init(key: "onTimeRate", label: .init(vi: "Đúng hạn", en: "On time"), value: c.onTimeRate, format: "percent",
                          severity: c.onTimeRate.map { $0 >= 0.95 ? "good" : $0 >= 0.85 ? "warn" : "bad" }),
                    .init(key: "overdueNow", label: .init(vi: "Quá hạn hiện tại", en: "Overdue now"), value: Double(c.inProgressOverdue), format: "integer",
                          severity: c.inProgressOverdue > 0 ? "bad" : "good"),
                ],
                trend: .init(label: .init(vi: "Hồ sơ tiếp nhận 14 ngày", en: "Dossiers received, 14 days"), points: trend),
                freshness: .init(lastDataAt: last, expectedSeconds: 86_400, stale: last.map { now.timeIntervalSince($0) > 86_400 } ?? true))
            }


    @Sendable static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = req.now
        let title = LocalizedMessage(vi: "Dịch vụ công", en: "Public services")
        var codes = q.scope.agencyCodes
        if let agency = q.agency { codes = [agency.code] }
        if q.level == .item {
            var query = DossierModel.query(on: req.db).filter(\.$excluded == false).filter(\.$closedAt > now)
            if let codes { query = query.filter(\.$agencyCode ~~ codes) }
            if let unit = q.unit { query = query.filter(\.$unitCode == unit) }
            let rows = try await query.sort(\.$dueAt).limit(400).all()
            let d = try await req.application.agencyDirectory.snapshot(on: req.db)
            var items: [WallDrill.Item] = []
            for m in rows {
                let t = DossierAssessment.fromStored(m).timeliness(asOf: now)
                items.append(.init(code: m.id!, title: .init(vi: m.procedureName, en: m.procedureName), status: t.rawValue,
                                   statusLabel: t.isOverdue ? .init(vi: "Quá hạn", en: "Overdue") : .init(vi: "Đang giải quyết", en: "In progress"),
                                   at: m.receivedAt, dueAt: m.dueAt, overdue: t.isOverdue,
                                   place: m.unitCode.flatMap { req.application.reference.units[$0]?.fullName },
                                   agency: d.agencyByCode[m.agencyCode]?.name,
                                   link: "/#/public-services/overdue?dossier=\(m.id!.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"))
            }
            items.sort { ($0.overdue ? 0 : 1, $0.dueAt ?? .distantFuture) < ($1.overdue ? 0 : 1, $1.dueAt ?? .distantFuture) }
            return WallDrill(tile: "publicservices", title: title, level: .item, asOf: now, agency: WallDrillController.agencyRef(q.agency),
                             unit: WallDrillController.unitRef(q.unit, req.application), columns: [], rows: [], items: Array(items.prefix(200)))
        }
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        let month = ReportPeriod.calendarMonth(year: today.year, month: today.month).bounds()
        let rows = try await PublicServiceStats.rows(on: req.db, from: month.lowerBound, to: month.upperBound, asOf: now,
                                                     groupBy: q.level == .agency ? .agency : .unit, agencyCodes: codes)
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        var out: [WallDrill.Row] = []
        for r in rows {
            guard let key = r.key else { continue }
            let name = q.level == .agency ? (d.agencyByCode[key]?.name ?? r.label ?? key) : (req.application.reference.units[key]?.fullName ?? key)
            let c = PublicServicesController.CountsDTO(r.counts)
            out.append(.init(key: key, name: name,
                             values: ["received": Double(c.received), "resolved": Double(c.resolved), "onTimeRate": c.onTimeRate,
                                      "overdueNow": Double(c.inProgressOverdue)],
                             severity: ["overdueNow": c.inProgressOverdue > 0 ? "bad" : "good",
                                        "onTimeRate": WallDrillController.rateSeverity(c.onTimeRate, good: 0.95, warn: 0.85)].compactMapValues { $0 }))
        }
        return WallDrill(tile: "publicservices", title: title, level: q.level, asOf: now, agency: WallDrillController.agencyRef(q.agency), unit: nil,
                         columns: [
                            .init(key: "received", label: .init(vi: "Tiếp nhận tháng này", en: "Received this month"), format: "integer"),
                            .init(key: "resolved", label: .init(vi: "Đã giải quyết", en: "Processed"), format: "integer"),
                            .init(key: "onTimeRate", label: .init(vi: "Đúng hạn", en: "On time"), format: "percent"),
                            .init(key: "overdueNow", label: .init(vi: "Quá hạn hiện tại", en: "Overdue now"), format: "integer"),
                         ],
                         rows: WallDrillController.sorted(out, by: ["overdueNow", "received", "resolved"]), items: [])
    }
}
