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

/// Helpers for tile providers.
enum WallTileProviders {
    /// Receipts per local (UTC+7) day over the last `days` days, from a table's time column. `scope`: only rows whose
    /// `column` (an agency code or id column) is one of `values` — the caller's agencies, as in its REST views.
    static func dailyCounts(_ db: any Database, table: String, column: String, days: Int, now: Date, extraWhere: String = "",
                            scope: (column: String, values: [any Encodable & Sendable])? = nil) async throws -> [WallTile.Trend.Point] {
        let sql = db as! any SQLDatabase
        if let scope, scope.values.isEmpty { return emptyDays(days, now: now) }
        let from = now.addingTimeInterval(-Double(days) * 86_400)
        let dayExpr = DatabaseDialect(sql).localDayNumber(column)
        struct Row: Decodable { var d: Int; var n: Int }
        var query: SQLQueryString = "SELECT \(dayExpr) AS d, COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) >= \(bind: from)\(unsafeRaw: extraWhere)"
        if let scope {
            query.appendInterpolation(unsafeRaw: " AND ")
            query.appendInterpolation(ident: scope.column)
            query.appendInterpolation(unsafeRaw: " IN (")
            query.appendInterpolation(binds: scope.values)
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(unsafeRaw: " GROUP BY 1")
        let rows = try await sql.raw(query).all(decoding: Row.self)
        let byDay = Dictionary(rows.map { ($0.d, $0.n) }, uniquingKeysWith: +)
        let today = Int((now.timeIntervalSince1970 + 25_200) / 86_400)
        return ((today - days + 1)...today).map { day in
            let date = CivilDate(daysSince1970: day)
            return .init(date: date.description, value: byDay[day] ?? 0)
        }
    }

    static func emptyDays(_ days: Int, now: Date) -> [WallTile.Trend.Point] {
        let today = Int((now.timeIntervalSince1970 + 25_200) / 86_400)
        return ((today - days + 1)...today).map { .init(date: CivilDate(daysSince1970: $0).description, value: 0) }
    }

    /// The agencies' ids for a scope (nil: the whole province).
    static func agencyIDs(_ req: Request, _ scope: WallScope) async throws -> [UUID]? {
        guard let codes = scope.agencyCodes else { return nil }
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        return codes.compactMap { d.agencyByCode[$0]?.id }
    }
}
