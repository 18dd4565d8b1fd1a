import Fluent
import Foundation
import IOCCore
import Vapor

/// Giám sát, điều hành kinh tế – xã hội: the catalogue of socio-economic indicators, plans, values entered by agencies
/// or posted by the statistics office, approval, comparisons, anomalies, the monthly report and open data.
struct IndicatorsModule: ServiceModule {
    var id: String { "indicators" }

    func migrations(_ app: Application) -> [any Migration] {
        [CreateIndicatorCatalog(), CreateIndicatorValues(), CreateIndicatorPlans(), AddIndicatorApprovedIndex()]
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        IndicatorsController.register(v1)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        [IndicatorLateness.task()]
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("indicators", IndicatorsWall.tile, drill: IndicatorsWall.drill)
        // One group's screen: `params.group` is a group code of the catalogue.
        wall.view("indicators", order: 35, validate: { params, field, _ in
            guard let g = params["group"], IndicatorCatalogService.isCode(g) else {
                throw IOCError.invalid(field, vi: "Cần mã nhóm chỉ tiêu (group).", en: "A group code (group) is required.")
            }
        }, check: { params, field, db in
            let g = params["group"] ?? ""
            guard try await IndicatorGroupModel.find(g, on: db) != nil else {
                throw IOCError.invalid(field, vi: "Không có nhóm chỉ tiêu \(g).", en: "No indicator group \(g).")
            }
        })
    }

    var liveTopics: [LiveTopicRule] {
        // The wall's screens read the group screens and follow approvals (display keys included, as for the wall).
        [LiveTopicRule("indicators", prefix: IndicatorsController.topic, access: WallController.readers)]
    }

    var liveObservers: [LiveObserver] {
        // A catalogue change on another instance: read it again.
        [LiveObserver(prefix: IndicatorsController.catalogTopic) { app, topic in
            if topic == IndicatorsController.catalogTopic { app.indicatorCatalog.invalidate() }
        }]
    }

    func loadDemo(_ context: DemoContext) async throws {
        try await DemoIndicators.load(context)
    }

    var watchedTables: [String] {
        [IndicatorGroupModel.schema, IndicatorModel.schema, IndicatorVersionModel.schema, IndicatorValueModel.schema, IndicatorPlanModel.schema]
    }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "indicators", title: "nav.indicators", icon: "i-chart", roles: [.admin, .operator, .leader, .officer, .analyst])]
    }

    var i18nBundles: [String] { ["indicators"] }

    var series: [SeriesSource] { [IndicatorSeries.source] }
}

/// The KT-XH tile (the leader's headline indicators against plan) and its service screen (submissions by agency).
enum IndicatorsWall {
    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {
        let c = try await req.indicatorCatalog()
        let items = try await IndicatorViews.items(Array(c.ordered.filter { $0.dto.headline != nil }.prefix(8)), asOf: nil, req: req, catalogue: c)
        let figures = items.map { i in
            WallTile.Figure(key: i.indicator.code, label: .init(vi: "\(i.indicator.name) (\(i.indicator.unit))", en: "\(i.indicator.nameEn) (\(i.indicator.unitEn))"),
                            value: i.value, format: "decimal", severity: i.severity)
        }
        let last = try await IndicatorValueModel.query(on: req.db).max(\.$approvedAt)
        let now = req.now
        return WallTile(id: "indicators", title: .init(vi: "Kinh tế – xã hội", en: "Socio-economic"), link: "/#/indicators",
                        figures: figures, trend: nil,
                        freshness: .init(lastDataAt: last, expectedSeconds: 35 * 86_400, stale: last.map { now.timeIntervalSince($0) > 35 * 86_400 } ?? true))
    }

    @Sendable static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let c = try await req.indicatorCatalog()
        let title = LocalizedMessage(vi: "Kinh tế – xã hội: tình hình gửi số liệu", en: "Socio-economic: submissions")
        var rows = try await IndicatorViews.freshnessRows(req.application, db: req.db, now: req.now, catalogue: c)
        if let codes = q.scope.agencyCodes { rows = rows.filter { codes.contains($0.agency.code) } }
        if let agency = q.agency {
            // The agency's indicators due and missing, as items.
            let row = rows.first { $0.agency.code == agency.code }
            let items = (row?.missingCodes ?? []).compactMap { c.indicators[$0] }.map { e in
                WallDrill.Item(code: e.dto.code, title: .init(vi: e.dto.name, en: e.dto.nameEn), status: "missing",
                               statusLabel: .init(vi: "Chưa gửi", en: "Missing"), at: req.now, dueAt: nil, overdue: true,
                               place: nil, agency: agency.name, link: "/#/indicators/entry")
            }
            return WallDrill(tile: "indicators", title: title, level: .item, asOf: req.now, agency: WallDrillController.agencyRef(q.agency),
                             unit: nil, columns: [], rows: [], items: items)
        }
        let out = rows.map { r in
            WallDrill.Row(key: r.agency.code, name: r.agency.name,
                          values: ["due": Double(r.due), "approved": Double(r.approved), "submitted": Double(r.submitted),
                                   "late": Double(r.late), "missing": Double(r.missing)],
                          severity: ["missing": r.missing > 0 ? "bad" : "good", "late": r.late > 0 ? "warn" : "good"])
        }
        return WallDrill(tile: "indicators", title: title, level: .agency, asOf: req.now, agency: nil, unit: nil,
                         columns: [
                            .init(key: "due", label: .init(vi: "Chỉ tiêu đến hạn", en: "Due"), format: "integer"),
                            .init(key: "approved", label: .init(vi: "Đã duyệt", en: "Approved"), format: "integer"),
                            .init(key: "submitted", label: .init(vi: "Chờ duyệt", en: "Awaiting approval"), format: "integer"),
                            .init(key: "late", label: .init(vi: "Gửi trễ", en: "Late"), format: "integer"),
                            .init(key: "missing", label: .init(vi: "Chưa gửi", en: "Missing"), format: "integer"),
                         ],
                         rows: WallDrillController.sorted(out, by: ["missing", "late", "due"]), items: [])
    }
}
