import Fluent
import Foundation
import IOCCore
import Vapor

/// Chỉ số chuyển đổi số (DTI) of the province's departments and communes: frameworks as data, self-assessment with
/// evidence, review, publication, rankings; sub-indices IOC measures itself filled in from the other services' data.
struct DTIModule: ServiceModule {
    var id: String { "dti" }

    func migrations(_ app: Application) -> [any Migration] { [CreateDTI()] }

    func boot(_ app: Application) throws {
        app.dtiMeasureCache = DTIMeasureCache()
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        DTIController.register(v1)
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("dti", DTIWall.tile, drill: DTIWall.drill)
    }

    var liveTopics: [LiveTopicRule] {
        [LiveTopicRule("dti", prefix: DTIService.topic, access: WallController.readers)]
    }

    func loadDemo(_ context: DemoContext) async throws {
        try await DemoDTI.load(context)
    }

    var watchedTables: [String] {
        [DTIFrameworkModel.schema, DTIAssessmentModel.schema, DTIEvidenceModel.schema, DTIResultsModel.schema]
    }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "dti", title: "nav.dti", icon: "i-trend", roles: [.admin, .operator, .leader, .officer, .analyst])]
    }

    var i18nBundles: [String] { ["dti"] }
}

/// The DTI tile (the latest published ranking and the cycle in progress) and its service screen (the ranking).
enum DTIWall {
    /// The latest framework with published results (departments first), and the cycle under way: the latest open one
    /// whose period has begun (a framework prepared for next year waits its turn).
    static func frameworks(_ db: any Database, today: String) async throws -> (published: DTIFrameworkModel?, open: DTIFrameworkModel?) {
        let all = try await DTIFrameworkModel.query(on: db).sort(\.$year, .descending).sort(\.$id).all()
        let published = all.filter { $0.resultsVersion > 0 }
        let open = all.filter { $0.status == "open" }
        let begun = open.filter { $0.periodFrom <= today }
        let department = { (list: [DTIFrameworkModel]) in list.first { $0.subject == DTISubject.department.rawValue } ?? list.first }
        return (department(published), department(begun) ?? department(open))
    }

    static func today(_ req: Request) -> String { WorkingCalendar.vietnamCivilService.civilDate(of: req.now).description }

    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {
        let (pub, open) = try await frameworks(req.db, today: today(req))
        var figures: [WallTile.Figure] = []
        var lastAt: Date?
        if let pub, let r = try await DTIService.publishedResults(pub, version: nil, on: req.db) {
            let rows = scope.agencyCodes.map { codes in r.results.filter { codes.contains($0.agency) } } ?? r.results
            let avg = rows.isEmpty ? nil : DTIScoring.round(rows.reduce(0) { $0 + $1.value } / Double(rows.count), places: 4)
            let top = r.results.first
            if let codes = scope.agencyCodes, let own = rows.first, codes.count <= 3 {
                figures.append(.init(key: "value", label: .init(vi: "DTI \(r.year) của cơ quan", en: "Agency's DTI \(r.year)"), value: own.value, format: "decimal",
                                     severity: nil))
                figures.append(.init(key: "rank", label: .init(vi: "Xếp hạng \(r.year)", en: "Rank \(r.year)"), value: Double(own.rank), format: "integer", severity: nil))
            } else {
                figures.append(.init(key: "average", label: .init(vi: "DTI bình quân \(r.year)", en: "Average DTI \(r.year)"), value: avg, format: "decimal",
                                     severity: avg.map { $0 >= 0.65 ? "good" : $0 >= 0.5 ? "warn" : "bad" }))
                if let top {
                    figures.append(.init(key: "top", label: .init(vi: "Cao nhất: \(top.agencyName)", en: "Top: \(top.agencyNameEn)"), value: top.value, format: "decimal", severity: nil))
                }
            }
            lastAt = r.publishedAt
        }
        if let open {
            let f = try DTIService.definition(open)
            let d = try await req.application.agencyDirectory.snapshot(on: req.db)
            var assessable = Set(DTIService.assessable(open, f, d).map(\.code))
            if let codes = scope.agencyCodes { assessable.formIntersection(codes) }
            let rows = try await DTIAssessmentModel.query(on: req.db).filter(\.$framework == open.id!)
                .field(\.$agency).field(\.$status).field(\.$updatedAt).all().filter { assessable.contains($0.agency) }
            let submitted = rows.filter { $0.status != DTIService.Status.draft.rawValue }.count
            // The cycle's latest activity is the tile's freshness.
            if let latest = rows.map(\.updatedAt).max() { lastAt = max(lastAt ?? latest, latest) }
            figures.append(.init(key: "submitted", label: .init(vi: "Đã nộp \(open.year) / \(assessable.count) cơ quan", en: "Submitted \(open.year) / \(assessable.count) agencies"),
                                 value: Double(submitted), format: "integer", severity: submitted < assessable.count ? "warn" : "good"))
        }
        return WallTile(id: "dti", title: .init(vi: "Chuyển đổi số (DTI)", en: "Digital transformation (DTI)"), link: "/#/dti",
                        figures: figures, trend: nil,
                        freshness: .init(lastDataAt: lastAt, expectedSeconds: 400 * 86_400, stale: false))
    }

    @Sendable static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let (pub, _) = try await frameworks(req.db, today: today(req))
        var r: DTIResults?
        if let pub { r = try await DTIService.publishedResults(pub, version: nil, on: req.db) }
        let title = LocalizedMessage(vi: "Xếp hạng chỉ số chuyển đổi số \(r.map { String($0.year) } ?? "")", en: "DTI ranking \(r.map { String($0.year) } ?? "")")
        var rows = r?.results ?? []
        if let codes = q.scope.agencyCodes { rows = rows.filter { codes.contains($0.agency) } }
        let out = rows.map { row in
            WallDrill.Row(key: row.agency, name: row.agencyName,
                          values: ["value": row.value, "points": row.points, "rank": Double(row.rank), "change": row.change],
                          severity: ["value": row.value >= 0.65 ? "good" : row.value >= 0.5 ? "warn" : "bad",
                                     "change": (row.change ?? 0) < 0 ? "bad" : "good"])
        }
        return WallDrill(tile: "dti", title: title, level: .agency, asOf: r?.publishedAt ?? req.now, agency: nil, unit: nil,
                         columns: [
                            .init(key: "rank", label: .init(vi: "Hạng", en: "Rank"), format: "integer"),
                            .init(key: "value", label: .init(vi: "Chỉ số (0–1)", en: "Value (0–1)"), format: "decimal"),
                            .init(key: "points", label: .init(vi: "Điểm", en: "Points"), format: "decimal"),
                            .init(key: "change", label: .init(vi: "So với năm trước", en: "Change on last year"), format: "decimal"),
                         ],
                         rows: out, items: [])
    }
}
