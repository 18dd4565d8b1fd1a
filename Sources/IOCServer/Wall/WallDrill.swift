import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// A service screen's drill-down: the province by agency, one agency by commune, then the items themselves.
/// A module registers a provider with its tile (`WallContributions.Builder.tile(_:_:drill:)`); the wall renders any of them.
struct WallDrill: Content, Sendable {
    enum Level: String, Codable, Sendable { case agency, unit, item }

    struct Column: Content, Sendable {
        var key: String
        var label: LocalizedMessage
        /// integer | percent
        var format: String
    }

    struct Row: Content, Sendable {
        var key: String
        var name: String
        var values: [String: Double?]
        var severity: [String: String]
    }

    struct Item: Content, Sendable {
        var code: String
        var title: LocalizedMessage
        var status: String
        var statusLabel: LocalizedMessage
        var at: Date
        var dueAt: Date?
        var overdue: Bool
        var place: String?
        var agency: String?
        var link: String
    }

    var tile: String
    var title: LocalizedMessage
    var level: Level
    var asOf: Date
    var agency: NamedRef?
    var unit: NamedRef?
    var columns: [Column]
    var rows: [Row]
    var items: [Item]
}

/// Where a drill-down is: nothing (agencies), an agency (its communes), an agency and/or a commune (items).
struct WallDrillQuery: Sendable {
    var agency: AgencyDirectory.Agency?
    var unit: String?
    var scope: WallScope

    var level: WallDrill.Level {
        if unit != nil { return .item }
        return agency == nil ? .agency : .unit
    }
}

enum WallDrillController {
    @Sendable static func drill(_ req: Request) async throws -> WallDrill {
        let tile = req.parameters.get("tile") ?? ""
        guard let provider = req.application.wall.drill(tile) else {
            throw IOCError(.notFound, code: "not_found", vi: "Không có màn hình chi tiết cho ô này.", en: "This tile has no service screen.")
        }
        let scope = try await WallController.scope(req)
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        var query = WallDrillQuery(agency: nil, unit: nil, scope: scope)
        if let code = req.query[String.self, at: "agency"], !code.isEmpty {
            guard code.count <= 64, let agency = d.agencyByCode[code] else {
                throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại.", en: "Unknown agency.")
            }
            if let visible = scope.agencyCodes, !visible.contains(agency.code) {
                throw IOCError(.forbidden, code: "forbidden", vi: "Bạn không được xem số liệu của cơ quan này.", en: "You may not see this agency's figures.")
            }
            query.agency = agency
        }
        if let unit = req.query[String.self, at: "unit"], !unit.isEmpty {
            guard let u = req.application.reference.units[unit], u.provinceCode == req.application.iocConfiguration.provinceCode else {
                throw IOCError.invalid("unit", vi: "Xã/phường không thuộc tỉnh.", en: "The commune is not in this province.")
            }
            query.unit = u.code
        }
        return try await provider(req, query)
    }

    static func unitRef(_ code: String?, _ app: Application) -> NamedRef? {
        guard let code, let u = app.reference.units[code] else { return nil }
        return NamedRef(code: u.code, name: u.fullName, nameEn: u.nameEn)
    }

    static func agencyRef(_ a: AgencyDirectory.Agency?) -> NamedRef? {
        a.map { NamedRef(code: $0.code, name: $0.name, nameEn: $0.nameEn) }
    }

    /// Rows worst first: by each key in turn (largest first), then by name; rows with nothing to show are left out.
    static func sorted(_ rows: [WallDrill.Row], by keys: [String]) -> [WallDrill.Row] {
        rows.filter { $0.values.values.contains { ($0 ?? 0) > 0 } }.sorted { a, b in
            for key in keys {
                let x = (a.values[key] ?? nil) ?? 0, y = (b.values[key] ?? nil) ?? 0
                if x != y { return x > y }
            }
            return a.name < b.name
        }
    }

    static func rateSeverity(_ rate: Double?, good: Double, warn: Double) -> String? {
        rate.map { $0 >= good ? "good" : $0 >= warn ? "warn" : "bad" }
    }
}
