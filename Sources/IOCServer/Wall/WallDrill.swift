import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// A service screen's drill-down: the province by agency, one agency by commune, then the items themselves.
/// A service registers a provider next to its tile (`app.wallTiles.registerDrill`); the wall renders any of them.
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
    var agency: CaseDirectory.Agency?
    var unit: String?
    var scope: WallScope

    var level: WallDrill.Level {
        if unit != nil { return .item }
        return agency == nil ? .agency : .unit
    }
}

extension WallTileRegistry {
    typealias DrillProvider = @Sendable (Request, WallDrillQuery) async throws -> WallDrill
}

enum WallDrillController {
    @Sendable static func drill(_ req: Request) async throws -> WallDrill {
        let tile = req.parameters.get("tile") ?? ""
        guard let provider = req.application.wallTiles.drill(tile) else {
            throw IOCError(.notFound, code: "not_found", vi: "Không có màn hình chi tiết cho ô này.", en: "This tile has no service screen.")
        }
        let scope = try await WallController.scope(req)
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
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

    static func agencyRef(_ a: CaseDirectory.Agency?) -> NamedRef? {
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

    // MARK: Field reports

    static func fieldReports(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = req.application.caseClock.now
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
            return WallDrill(tile: "fieldreports", title: title, level: .item, asOf: now, agency: agencyRef(q.agency),
                             unit: unitRef(q.unit, req.application), columns: [], rows: [], items: items)
        }
        let group = q.level == .agency ? "agency_id" : "unit_code"
        let t = SQLBind(true)
        let openList = SQLQueryString("status IN (\(binds: open))")
        let since30 = now.addingTimeInterval(-30 * 86_400)
        let since90 = now.addingTimeInterval(-90 * 86_400)
        struct Agg: Decodable { var grp: String?; var open: Int?; var overdue: Int?; var received30: Int?; var resolved90: Int?; var late90: Int? }
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: group == "agency_id" ? (sql.dialect.name == "sqlite" ? "agency_id" : "CAST(agency_id AS TEXT)") : group) AS grp,
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
            severity["onTimeRate"] = rateSeverity(rate, good: 0.9, warn: 0.75)
            out.append(.init(key: code, name: name, values: ["open": Double(r.open ?? 0), "overdue": Double(r.overdue ?? 0),
                                                             "received30d": Double(r.received30 ?? 0), "onTimeRate": rate],
                             severity: severity))
        }
        return WallDrill(tile: "fieldreports", title: title, level: q.level, asOf: now, agency: agencyRef(q.agency), unit: nil,
                         columns: [
                            .init(key: "open", label: .init(vi: "Đang xử lý", en: "Open"), format: "integer"),
                            .init(key: "overdue", label: .init(vi: "Quá hạn", en: "Overdue"), format: "integer"),
                            .init(key: "received30d", label: .init(vi: "Tiếp nhận 30 ngày", en: "Received, 30 days"), format: "integer"),
                            .init(key: "onTimeRate", label: .init(vi: "Đúng hạn 90 ngày", en: "On time, 90 days"), format: "percent"),
                         ],
                         rows: sorted(out, by: ["overdue", "open", "received30d"]), items: [])
    }

    static func empty(_ req: Request, _ q: WallDrillQuery, _ now: Date) -> WallDrill {
        WallDrill(tile: "fieldreports", title: .init(vi: "Phản ánh hiện trường", en: "Field reports"), level: q.level, asOf: now,
                  agency: agencyRef(q.agency), unit: unitRef(q.unit, req.application), columns: [], rows: [], items: [])
    }

    // MARK: Alarms

    /// Open alarms by the agency handling them (unassigned ones are the operations centre's, agency `IOC`), then by
    /// commune, then the alarms themselves.
    static func alarms(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = Date()
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let title = LocalizedMessage(vi: "Cảnh báo", en: "Alarms")
        let triage = d.agencyByCode["IOC"]
        var rows = try await AlarmModel.query(on: req.db).filter(\.$state != "cleared").sort(\.$raisedAt, .descending).limit(5_000).all()
        let agencyOf = { (a: AlarmModel) -> CaseDirectory.Agency? in a.agencyID.flatMap { d.agencies[$0] } ?? triage }
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
            return WallDrill(tile: "alarms", title: title, level: .item, asOf: now, agency: agencyRef(q.agency), unit: unitRef(q.unit, req.application),
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
        return WallDrill(tile: "alarms", title: title, level: q.level, asOf: now, agency: agencyRef(q.agency), unit: nil,
                         columns: [
                            .init(key: "active", label: .init(vi: "Chưa xác nhận", en: "Unacknowledged"), format: "integer"),
                            .init(key: "critical", label: .init(vi: "Nghiêm trọng", en: "Critical"), format: "integer"),
                            .init(key: "open", label: .init(vi: "Đang mở", en: "Open"), format: "integer"),
                         ],
                         rows: sorted(out, by: ["critical", "active", "open"]), items: [])
    }

    // MARK: Public services

    static func publicServices(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        let now = Date()
        let title = LocalizedMessage(vi: "Dịch vụ công", en: "Public services")
        var codes = q.scope.agencyCodes
        if let agency = q.agency { codes = [agency.code] }
        if q.level == .item {
            var query = DossierModel.query(on: req.db).filter(\.$excluded == false).filter(\.$closedAt > now)
            if let codes { query = query.filter(\.$agencyCode ~~ codes) }
            if let unit = q.unit { query = query.filter(\.$unitCode == unit) }
            let rows = try await query.sort(\.$dueAt).limit(400).all()
            let d = try await req.application.caseDirectory.snapshot(on: req.db)
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
            return WallDrill(tile: "publicservices", title: title, level: .item, asOf: now, agency: agencyRef(q.agency),
                             unit: unitRef(q.unit, req.application), columns: [], rows: [], items: Array(items.prefix(200)))
        }
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        let month = ReportPeriod.calendarMonth(year: today.year, month: today.month).bounds()
        let rows = try await PublicServiceStats.rows(on: req.db, from: month.lowerBound, to: month.upperBound, asOf: now,
                                                     groupBy: q.level == .agency ? .agency : .unit, agencyCodes: codes)
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        var out: [WallDrill.Row] = []
        for r in rows {
            guard let key = r.key else { continue }
            let name = q.level == .agency ? (d.agencyByCode[key]?.name ?? r.label ?? key) : (req.application.reference.units[key]?.fullName ?? key)
            let c = PublicServicesController.CountsDTO(r.counts)
            out.append(.init(key: key, name: name,
                             values: ["received": Double(c.received), "resolved": Double(c.resolved), "onTimeRate": c.onTimeRate,
                                      "overdueNow": Double(c.inProgressOverdue)],
                             severity: ["overdueNow": c.inProgressOverdue > 0 ? "bad" : "good",
                                        "onTimeRate": rateSeverity(c.onTimeRate, good: 0.95, warn: 0.85)].compactMapValues { $0 }))
        }
        return WallDrill(tile: "publicservices", title: title, level: q.level, asOf: now, agency: agencyRef(q.agency), unit: nil,
                         columns: [
                            .init(key: "received", label: .init(vi: "Tiếp nhận tháng này", en: "Received this month"), format: "integer"),
                            .init(key: "resolved", label: .init(vi: "Đã giải quyết", en: "Processed"), format: "integer"),
                            .init(key: "onTimeRate", label: .init(vi: "Đúng hạn", en: "On time"), format: "percent"),
                            .init(key: "overdueNow", label: .init(vi: "Quá hạn hiện tại", en: "Overdue now"), format: "integer"),
                         ],
                         rows: sorted(out, by: ["overdueNow", "received", "resolved"]), items: [])
    }
}
