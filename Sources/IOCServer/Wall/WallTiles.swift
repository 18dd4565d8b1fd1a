import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// One tile of the wall's overview: headline figures, a short trend, and how fresh the data is. Services register a
/// provider; the wall renders whatever tiles are registered, in order.
struct WallTile: Content, Sendable {
    struct Figure: Content, Sendable {
        var key: String
        var label: LocalizedMessage
        var value: Double?
        /// integer | percent | hours | decimal
        var format: String
        /// good | warn | bad (colour), or nil
        var severity: String?
    }

    struct Trend: Content, Sendable {
        struct Point: Content, Sendable { var date: String; var value: Int }
        var label: LocalizedMessage
        var points: [Point]
    }

    struct Freshness: Content, Sendable {
        var lastDataAt: Date?
        var expectedSeconds: Int
        var stale: Bool
    }

    var id: String
    var title: LocalizedMessage
    var link: String
    var figures: [Figure]
    var trend: Trend?
    var freshness: Freshness
    /// The tile id of its service screen (drill-down), when the service registered one.
    var drill: String?
}

/// Who the wall shows data for: a signed-in user's agencies (officers) or the whole province (others, and display keys).
struct WallScope: Sendable {
    var agencyCodes: [String]?
}

/// The registry of tile providers (a later service calls `register` from `configure`).
final class WallTileRegistry: Sendable {
    typealias Provider = @Sendable (Request, WallScope) async throws -> WallTile
    private let providers = NIOLockedValueBox<[(id: String, provider: Provider)]>([])
    private let drills = NIOLockedValueBox<[String: DrillProvider]>([:])

    func register(_ id: String, _ provider: @escaping Provider) {
        providers.withLockedValue { $0.removeAll { $0.id == id }; $0.append((id, provider)) }
    }

    var all: [(id: String, provider: Provider)] { providers.withLockedValue { $0 } }

    /// The service screen behind tile `id`: agencies, then an agency's communes, then the items.
    func registerDrill(_ id: String, _ provider: @escaping DrillProvider) {
        drills.withLockedValue { $0[id] = provider }
    }

    func drill(_ id: String) -> DrillProvider? { drills.withLockedValue { $0[id] } }
}

extension Application {
    private struct WallTilesKey: StorageKey { typealias Value = WallTileRegistry }
    var wallTiles: WallTileRegistry {
        get { storage[WallTilesKey.self] ?? WallTileRegistry() }
        set { storage[WallTilesKey.self] = newValue }
    }
}

enum WallTileProviders {
    /// Receipts per local (UTC+7) day over the last `days` days, from a table's time column.
    static func dailyCounts(_ db: any Database, table: String, column: String, days: Int, now: Date, extraWhere: String = "") async throws -> [WallTile.Trend.Point] {
        let sql = db as! any SQLDatabase
        let from = now.addingTimeInterval(-Double(days) * 86_400)
        let dayExpr = sql.dialect.name == "sqlite"
            ? "CAST((\(column) + 25200) / 86400 AS INTEGER)"
            : "CAST(FLOOR((EXTRACT(EPOCH FROM \(column)) + 25200) / 86400) AS INTEGER)"
        struct Row: Decodable { var d: Int; var n: Int }
        let rows = try await sql.raw("SELECT \(unsafeRaw: dayExpr) AS d, COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) >= \(bind: from)\(unsafeRaw: extraWhere) GROUP BY 1")
            .all(decoding: Row.self)
        let byDay = Dictionary(rows.map { ($0.d, $0.n) }, uniquingKeysWith: +)
        let today = Int((now.timeIntervalSince1970 + 25_200) / 86_400)
        return ((today - days + 1)...today).map { day in
            let date = CivilDate(daysSince1970: day)
            return .init(date: date.description, value: byDay[day] ?? 0)
        }
    }

    static func register(_ app: Application) {
        app.wallTiles.registerDrill("fieldreports", WallDrillController.fieldReports)
        app.wallTiles.registerDrill("publicservices", WallDrillController.publicServices)
        app.wallTiles.registerDrill("alarms", WallDrillController.alarms)
        app.wallTiles.register("fieldreports") { req, _ in
            let s = try await FieldReportsController.summary(req)
            let trend = try await dailyCounts(req.db, table: CaseModel.schema, column: "received_at", days: 14, now: s.asOf, extraWhere: " AND kind = 'field_report'")
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
        app.wallTiles.register("publicservices") { req, scope in
            let now = Date()
            let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
            let month = ReportPeriod.calendarMonth(year: today.year, month: today.month).bounds()
            let rows = try await PublicServiceStats.rows(on: req.db, from: month.lowerBound, to: month.upperBound, asOf: now, groupBy: .total, agencyCodes: scope.agencyCodes)
            let c = PublicServicesController.CountsDTO(rows.reduce(PublicServiceCounts.zero) { $0 + $1.counts })
            let last = try await PublicServicesController.latestIngest(req.db, codes: scope.agencyCodes)
            let trend = try await dailyCounts(req.db, table: DossierModel.schema, column: "received_at", days: 14, now: now)
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
        app.wallTiles.register("alarms") { req, _ in
            let now = Date()
            let c = try await EventService.counts(on: req.db, agencies: nil, now: now)
            let trend = try await dailyCounts(req.db, table: EventModel.schema, column: "at", days: 14, now: now, extraWhere: " AND origin = 'source'")
            let last = try await EventModel.query(on: req.db).filter(\.$origin == "source").sort(\.$id, .descending).first()?.at
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
                trend: .init(label: .init(vi: "Sự kiện 14 ngày", en: "Events, 14 days"), points: trend),
                freshness: .init(lastDataAt: last, expectedSeconds: 3_600, stale: last.map { now.timeIntervalSince($0) > 3_600 } ?? true))
        }
    }
}
