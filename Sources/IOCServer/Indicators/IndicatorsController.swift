import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Giám sát, điều hành kinh tế – xã hội: the catalogue, entry and approval of values, plans.
enum IndicatorsController {
    static let readers: Access = .roles([.admin, .operator, .leader, .officer, .analyst])
    static let approvers: Access = .roles([.admin, .operator])
    static let topic = "indicators"
    static let catalogTopic = "indicators-catalog"

    static let itemErrorSchema = JSONSchema.object(["index": .integer, "field": .string, "messages": .object(["vi": .string, "en": .string], required: ["vi", "en"])], required: ["index", "field"])
    static let valueInputSchema = SharedSchemas.register("IndicatorValueInput", .object([
        "indicator": .string, "period": .described(.string, "2026 | 2026-Q1 | 2026-03 | 2026-W05 | 2026-03-15"),
        "unit": .described(.string, "GSO code of the province or one of its communes"), "value": .number,
        "status": .enumeration(["estimate", "preliminary", "official"]), "note": .string,
    ], required: ["indicator", "period", "unit", "value"]))
    static let indicatorSchema = SharedSchemas.register("IndicatorDefinition", .object([
        "code": .string, "name": .string, "nameEn": .string, "group": .string, "unit": .string, "unitEn": .string,
        "period": .enumeration(PeriodKind.allCases.map(\.rawValue)), "cumulative": .boolean,
        "aggregation": .enumeration(IndicatorAggregation.allCases.map(\.rawValue)), "weight": .string,
        "direction": .enumeration(["up", "down"]), "ownerAgency": .string, "deadline": .string, "legalBasis": .string,
        "formula": .string, "headline": .integer, "communes": .boolean, "requiresApproval": .boolean, "active": .boolean,
    ], required: ["code", "name", "unit", "period", "ownerAgency"]))

    static func register(_ api: APIBuilder) {
        let g = api.group("indicators", tag: "Indicators")
        g.on(.GET, access: readers, summary: "The indicator catalogue: groups and indicators", response: .any, use: catalogue)
        g.on(.POST, access: .admin, summary: "Add or redefine catalogue entries (one, an array, or a pack {groups, indicators}); all or nothing",
             body: .any, response: .any, maxBodySize: "4mb", use: define)
        g.on(.GET, "catalogue.xlsx", access: readers, summary: "The catalogue as an XLSX workbook (indicators and groups)",
             response: .binary, responseContentType: IndicatorViews.xlsxType, use: exportCatalogue)
        g.on(.POST, "catalogue", access: .admin, summary: "Import the catalogue from an XLSX workbook in the export's shape (all or nothing)",
             body: .binary, bodyContentType: IndicatorViews.xlsxType, response: .any, maxBodySize: "8mb", use: importCatalogue)
        g.on(.POST, "values", access: .rolesOrSource([.admin, .operator, .officer], kinds: [.indicators]),
             summary: "Post values (sources and admins: approved on arrival unless the indicator requires approval; staff: drafts); all or nothing",
             body: .array(valueInputSchema), response: .any, status: .created, maxBodySize: "4mb", use: ingest)
        g.on(.POST, "values", "submit", access: .roles([.admin, .operator, .officer]), summary: "Submit drafts for approval",
             body: .object(["ids": .array(.string)], required: ["ids"]), response: .any, use: submit)
        g.on(.GET, "approvals", access: .roles([.admin, .operator, .leader]), summary: "Submitted values waiting for approval, with anomaly flags",
             response: .any, use: IndicatorViews.approvals)
        g.on(.POST, "values", ":id", "approve", access: approvers, summary: "Approve a submitted value (it becomes the current vintage)",
             response: .any, use: approve)
        g.on(.POST, "values", ":id", "return", access: approvers, summary: "Return a submitted value to its agency with a reason",
             body: .object(["reason": .string], required: ["reason"]), response: .any, use: sendBack)
        g.on(.GET, "template.xlsx", access: .roles([.admin, .operator, .officer]), summary: "The agency's entry template (what is due) as XLSX",
             query: [.init("agency", "Agency code (admins and operators)", .string)],
             response: .binary, responseContentType: IndicatorViews.xlsxType, use: template)
        g.on(.POST, "imports", access: .roles([.admin, .operator, .officer]),
             summary: "Upload a filled template (raw XLSX body): entered like POST values; an error per row, nothing stored when any row is wrong",
             body: .binary, bodyContentType: IndicatorViews.xlsxType, response: .any, status: .created, maxBodySize: "8mb", use: importFile)
        g.on(.GET, "due", access: .roles([.admin, .operator, .officer]), summary: "What an agency has to enter now, with last period and same period last year",
             query: [.init("agency", "Agency code (admins and operators)", .string)], response: .any, use: IndicatorViews.due)
        g.on(.GET, ":code", "values", access: readers, summary: "Approved values with comparisons (previous, same period, year to date, plan)",
             query: [.init("unit", "GSO unit code (default: the province)", .string), .init("from", "First period", .string),
                     .init("to", "Last period", .string), .init("asOf", "As known at this instant (ISO 8601)", .dateTime)],
             response: .any, use: IndicatorViews.values)
        g.on(.GET, ":code", "communes", access: readers, summary: "One period's values per commune with rank",
             query: [.init("period", "Period (default: the latest with data)", .string)], response: .any, use: IndicatorViews.communes)
        g.on(.PUT, ":code", "plans", ":year", access: approvers, summary: "Set the annual plan (or a budget estimate, or a quarterly target); history kept",
             body: .object(["unit": .string, "value": .number, "kind": .enumeration(["plan", "estimateCentral", "estimateCouncil", "quarter"]),
                            "quarter": .integer, "document": .string], required: ["value"]), response: .any, use: setPlan)
        g.on(.GET, "screen", access: WallController.readers, summary: "A group's screen (headline indicators without a group): latest values against plan",
             query: [.init("group", "Group code", .string), .init("asOf", "As known at this instant", .dateTime)], response: .any, use: IndicatorViews.screen)
        g.on(.GET, "report", access: readers, summary: "The monthly KT-XH report table",
             query: [.init("month", "yyyy-MM (default: last month)", .string), .init("group", "Group code", .string)], response: .any, use: IndicatorViews.report)
        g.on(.GET, "report.xlsx", access: readers, summary: "The monthly KT-XH report as XLSX",
             query: [.init("month", "yyyy-MM", .string), .init("group", "Group code", .string)],
             response: .binary, responseContentType: IndicatorViews.xlsxType, use: IndicatorViews.reportXLSX)
        g.on(.GET, "freshness", access: readers, summary: "Late and missing submissions by agency", response: .any, use: IndicatorViews.freshness)
        let o = api.group("open-data", tag: "Open data")
        o.on(.GET, "indicators.json", access: .public, summary: "Published official values with the catalogue (no sign-in)",
             response: .any, use: IndicatorViews.openJSON)
        o.on(.GET, "indicators.csv", access: .public, summary: "Published official values as CSV (no sign-in)",
             response: .binary, responseContentType: "text/csv", use: IndicatorViews.openCSV)
    }

    // MARK: Catalogue

    struct CatalogueDTO: Content { var groups: [IndicatorGroupDTO]; var indicators: [IndicatorDTO] }

    @Sendable static func catalogue(_ req: Request) async throws -> CatalogueDTO {
        let c = try await req.indicatorCatalog()
        return CatalogueDTO(groups: c.groups, indicators: c.ordered.map(\.dto))
    }

    static func rejected(_ req: Request, _ errors: [IndicatorCatalogService.ItemError], vi: String, en: String) throws -> Response {
        try ProblemMiddleware.rejectedBatch(
            IOCError.invalid(errors.first?.field ?? "", vi: vi + " " + (errors.first?.messages.vi ?? ""), en: en + " " + (errors.first?.messages.en ?? "")),
            items: Array(errors.prefix(500)), request: req)
    }

    @Sendable static func exportCatalogue(_ req: Request) async throws -> Response {
        try Downloads.xlsx(IndicatorCatalogSheet.export(try await req.indicatorCatalog()), filename: "danh-muc-chi-tieu.xlsx")
    }

    @Sendable static func importCatalogue(_ req: Request) async throws -> Response {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu tệp tải lên.", en: "The file is missing.")
        }
        let sheet = try IndicatorCatalogSheet.read(Data(buffer.readableBytesView))
        return try await define(req, sheet.batch) { e in
            // Name the sheet row: "[3].unit" is the 4th indicator row, "groups[1].name" the 2nd group row.
            let isGroup = e.field.hasPrefix("groups[")
            let rows = isGroup ? sheet.groupRows : sheet.indicatorRows
            guard e.index < rows.count else { return e }
            var out = e
            let sheetName = isGroup ? ("Nhóm", "groups") : ("Chỉ tiêu", "indicators")
            out.messages = .init(vi: "Trang \(sheetName.0), dòng \(rows[e.index]): \(e.messages.vi)", en: "Sheet \(sheetName.1), row \(rows[e.index]): \(e.messages.en)")
            return out
        }
    }

    @Sendable static func define(_ req: Request) async throws -> Response {
        try await define(req, try req.decodeBody(IndicatorCatalogService.Batch.self))
    }

    static func define(_ req: Request, _ batch: IndicatorCatalogService.Batch,
                       relabel: (IndicatorCatalogService.ItemError) -> IndicatorCatalogService.ItemError = { $0 }) async throws -> Response {
        guard !batch.indicators.isEmpty || !batch.groups.isEmpty, batch.indicators.count <= IndicatorCatalogService.maxBatch else {
            throw IOCError.invalid("", vi: "Mỗi lần gửi từ 1 đến \(IndicatorCatalogService.maxBatch) chỉ tiêu.", en: "Send 1 to \(IndicatorCatalogService.maxBatch) indicators per request.")
        }
        let catalogue = try await req.indicatorCatalog()
        let agencies = try await req.application.agencyDirectory.snapshot(on: req.db)
        var counts: [String: Int] = [:]
        if let sql = req.db as? any SQLDatabase {
            for row in try await sql.raw("SELECT indicator, COUNT(*) AS n FROM ind_values GROUP BY indicator").all() {
                counts[try row.decode(column: "indicator", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
        }
        let checked = IndicatorCatalogService.validate(batch, catalogue: catalogue, agencies: agencies, valueCounts: counts)
        if !checked.errors.isEmpty {
            return try rejected(req, checked.errors.map(relabel), vi: "Danh mục chưa được lưu.", en: "Nothing was stored.")
        }
        let actor = req.principal?.auditName ?? "anonymous"
        let now = req.now
        let result = try await req.application.audit.transaction(on: req.db) { tx in
            let r = try await IndicatorCatalogService.store(groups: checked.groups, indicators: checked.indicators, catalogue: catalogue,
                                                            actor: actor, now: now, on: tx)
            return (r, req.auditRecord("indicators.define", targetType: "indicators", targetID: "catalogue",
                                       details: "groups=\(checked.groups.count) created=\(r.created) updated=\(r.updated) unchanged=\(r.unchanged)"))
        }
        req.application.indicatorCatalog.invalidate()
        req.application.live.publish(topic: topic, ["type": "indicators.catalog"])
        // For the other instances' catalogue caches (their observers get the topic, not the payload).
        req.application.live.publish(topic: catalogTopic, ["type": "indicators.catalog"])
        let body = ["created": result.created, "updated": result.updated, "unchanged": result.unchanged, "groups": checked.groups.count]
        let response = try await body.encodeResponse(for: req)
        response.status = result.created > 0 ? .created : .ok
        return response
    }

    // MARK: Values

    struct StoredItem: Content {
        var index: Int
        var id: UUID
        var indicator: String
        var period: String
        var unit: String
        var state: String
        var vintage: Int
        var flags: [IndicatorFlag]
    }

    struct IngestDTO: Content { var accepted: Int; var items: [StoredItem] }

    @Sendable static func ingest(_ req: Request) async throws -> Response {
        let items = try req.decodeBody([IndicatorValueService.Input].self)
        guard !items.isEmpty, items.count <= IndicatorValueService.maxBatch else {
            throw IOCError.invalid("", vi: "Mỗi lần gửi từ 1 đến \(IndicatorValueService.maxBatch) giá trị.", en: "Send 1 to \(IndicatorValueService.maxBatch) values per request.")
        }
        return try await accept(req, items, action: "indicators.values")
    }

    /// Validates and stores a batch from the API or a spreadsheet: all or nothing.
    static func accept(_ req: Request, _ items: [IndicatorValueService.Input], action: String,
                       label: @escaping (Int) -> (vi: String, en: String) = { ("Mục \($0 + 1)", "Item \($0 + 1)") }) async throws -> Response {
        // Sources and admins publish; staff enter drafts for the agencies they may see (an officer: its own).
        var direct = false
        var sourceID: UUID?
        var own: Set<String>?
        switch req.principal {
        case .source(let s)?:
            // A source registered for some agencies publishes only theirs.
            direct = true; sourceID = s.id; own = s.agencies
        case .user(let u)?:
            direct = u.role == .admin
            // An officer enters its agency's indicators (none without an agency: the platform's scope fails closed).
            if u.role == .officer { own = Set(try await req.visibleAgencyCodes() ?? []) }
        case nil: throw IOCError.unauthenticated
        }
        let catalogue = try await req.indicatorCatalog()
        let province = req.application.iocConfiguration.provinceCode
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: req.now)
        let (valid, errors) = IndicatorValueService.validate(items, catalogue: catalogue, province: province, units: req.application.reference.units,
                                                             ownAgencies: own, today: today, label: label)
        if !errors.isEmpty { return try rejected(req, errors, vi: "Không có giá trị nào được lưu.", en: "No value was stored.") }
        // Staff enter drafts: a cell whose value waits for approval is not entered a second time.
        let cells = try await IndicatorValueService.openEntries(valid, on: req.db)
        if !direct {
            let pending: [IndicatorCatalogService.ItemError] = valid.compactMap { v in
                guard cells[IndicatorValueService.cellKey(v)]?.contains(where: { $0.state == "submitted" }) == true else { return nil }
                let l = label(v.index)
                return .init(index: v.index, code: v.entry.dto.code, field: "[\(v.index)].period", messages: .init(
                    vi: "\(l.vi): \(v.entry.dto.code) kỳ \(v.period) đang chờ duyệt; đợi duyệt hoặc trả lại rồi mới nhập lại.",
                    en: "\(l.en): \(v.entry.dto.code) for \(v.period) is waiting for approval; enter it again once approved or returned."))
            }
            if !pending.isEmpty { return try rejected(req, pending, vi: "Không có giá trị nào được lưu.", en: "No value was stored.") }
        }
        let actor = req.principal!.auditName
        let now = req.now
        let (isDirect, source) = (direct, sourceID)
        let stored: [StoredItem] = try await req.application.audit.transaction(on: req.db) { tx in
            var out: [StoredItem] = []
            let allFlags = try await IndicatorValueService.flags(for: valid, province: province, on: tx)
            for v in valid {
                let flags = allFlags[v.index] ?? []
                var row: IndicatorValueModel
                if !isDirect, let draft = cells[IndicatorValueService.cellKey(v)]?.first(where: { $0.state == "draft" || $0.state == "returned" }) {
                    row = draft
                } else {
                    row = IndicatorValueModel()
                    row.indicator = v.entry.dto.code; row.period = v.period.description; row.periodOrd = IndicatorValueService.ord(v.period)
                    row.unitCode = v.unit; row.vintage = 0; row.current = false; row.agencyCode = v.entry.dto.ownerAgency
                }
                row.value = v.value; row.status = v.status; row.note = v.note; row.enteredBy = actor; row.enteredAt = now
                row.flags = IndicatorValueService.encodeFlags(flags); row.sourceID = source
                if isDirect && !v.entry.dto.requiresApproval {
                    try await IndicatorValueService.approve(row, by: actor, at: now, on: tx)
                } else {
                    row.state = isDirect ? "submitted" : "draft"
                    row.submittedAt = isDirect ? now : nil
                    row.returnReason = nil
                    try await row.save(on: tx)
                }
                out.append(StoredItem(index: v.index, id: row.id!, indicator: row.indicator, period: row.period, unit: row.unitCode,
                                      state: row.state, vintage: row.vintage, flags: flags))
            }
            if let source { try await SourceRegistry.touch(source, at: now, on: tx) }
            let approved = out.filter { $0.state == "approved" }.count
            return (out, req.auditRecord(action, targetType: "indicators", targetID: "batch",
                                         details: "accepted=\(out.count) approved=\(approved) drafts=\(out.filter { $0.state == "draft" }.count)"))
        }
        publish(req, stored)
        let response = try await IngestDTO(accepted: stored.count, items: stored).encodeResponse(for: req)
        response.status = .created
        return response
    }

    @Sendable static func template(_ req: Request) async throws -> Response {
        let due = try await IndicatorViews.due(req)
        return try Downloads.xlsx(IndicatorImport.template(due, province: req.application.iocConfiguration.provinceCode),
                                  filename: "mau-nhap-chi-tieu-\(due.agency?.code ?? "tat-ca").xlsx")
    }

    @Sendable static func importFile(_ req: Request) async throws -> Response {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu tệp tải lên.", en: "The file is missing.")
        }
        let rows = try IndicatorImport.parse(Data(buffer.readableBytesView))
        let numbers = rows.map(\.row)
        return try await accept(req, rows.map(\.input), action: "indicators.import") { ("Dòng \(numbers[$0])", "Row \(numbers[$0])") }
    }

    static func publish(_ req: Request, _ items: [StoredItem]) {
        for state in ["approved", "submitted"] {
            let some = items.filter { $0.state == state }
            guard let first = some.first else { continue }
            req.application.live.publish(topic: topic, ["type": "indicators.\(state)", "indicator": first.indicator, "period": first.period,
                                                        "unit": first.unit, "count": "\(some.count)"])
        }
    }

    struct IDs: Content { var ids: [UUID] }

    @Sendable static func submit(_ req: Request) async throws -> [String: Int] {
        let body = try req.decodeBody(IDs.self)
        guard (1...2000).contains(body.ids.count) else { throw IOCError.invalid("ids", vi: "Cần từ 1 đến 2.000 mục.", en: "Send 1 to 2,000 ids.") }
        let visible = try await req.visibleAgencyCodes()
        let rows = try await IndicatorValueModel.query(on: req.db).filter(\.$id ~~ body.ids).all()
        for id in body.ids {
            guard let r = rows.first(where: { $0.id == id }) else { throw IOCError.notFound("Value \(id)", vi: "giá trị \(id)") }
            if let visible, !visible.contains(r.agencyCode) { throw IOCError.notFound("Value \(id)", vi: "giá trị \(id)") }
            guard r.state == "draft" || r.state == "returned" else {
                throw IOCError(.conflict, code: "conflict", vi: "Giá trị \(r.indicator) kỳ \(r.period) đã gửi hoặc đã duyệt.",
                               en: "The value of \(r.indicator) for \(r.period) was already submitted or approved.")
            }
        }
        let catalogue = try await req.indicatorCatalog()
        let province = req.application.iocConfiguration.provinceCode
        let now = req.now
        let n: Int = try await req.application.audit.transaction(on: req.db) { tx in
            let items: [IndicatorValueService.Valid] = rows.enumerated().compactMap { i, r in
                guard let entry = catalogue.indicators[r.indicator], let p = IndicatorPeriod(r.period) else { return nil }
                return .init(index: i, entry: entry, period: p, unit: r.unitCode, value: r.value, status: r.status, note: r.note)
            }
            let flags = try await IndicatorValueService.flags(for: items, province: province, on: tx)
            for (i, r) in rows.enumerated() {
                if let f = flags[i] { r.flags = IndicatorValueService.encodeFlags(f) }
                r.state = "submitted"; r.submittedAt = now
                try await r.save(on: tx)
            }
            return (rows.count, req.auditRecord("indicators.submit", targetType: "indicators", targetID: rows.first?.agencyCode ?? "",
                                                details: rows.map { "\($0.indicator)@\($0.period)/\($0.unitCode)" }.joined(separator: " ")))
        }
        if let first = rows.first {
            req.application.live.publish(topic: topic, ["type": "indicators.submitted", "indicator": first.indicator, "period": first.period,
                                                        "unit": first.unitCode, "count": "\(n)"])
        }
        return ["submitted": n]
    }

    static func submitted(_ req: Request) async throws -> IndicatorValueModel {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let row = try await IndicatorValueModel.find(id, on: req.db) else { throw IOCError.notFound("Value", vi: "giá trị") }
        guard row.state == "submitted" else {
            throw IOCError(.conflict, code: "conflict", vi: "Giá trị này không ở trạng thái chờ duyệt (\(row.state)).",
                           en: "This value is not waiting for approval (\(row.state)).")
        }
        return row
    }

    @Sendable static func approve(_ req: Request) async throws -> IndicatorViews.ValueRowDTO {
        let row = try await submitted(req)
        let actor = try req.requireUser().username
        let now = req.now
        try await req.application.audit.transaction(on: req.db) { tx in
            try await IndicatorValueService.approve(row, by: actor, at: now, on: tx)
            return ((), req.auditRecord("indicators.approve", targetType: "indicator_value", targetID: row.id!.uuidString,
                                        details: "\(row.indicator)@\(row.period)/\(row.unitCode) value=\(row.value) vintage=\(row.vintage)"))
        }
        req.application.live.publish(topic: topic, ["type": "indicators.approved", "indicator": row.indicator, "period": row.period,
                                                    "unit": row.unitCode, "count": "1"])
        return IndicatorViews.ValueRowDTO(row)
    }

    struct ReturnBody: Content { var reason: String? }

    @Sendable static func sendBack(_ req: Request) async throws -> IndicatorViews.ValueRowDTO {
        let body = try req.decodeBody(ReturnBody.self)
        let reason = try Validate.required(body.reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty, field: "reason", max: 1000)
        let row = try await submitted(req)
        try await req.application.audit.transaction(on: req.db) { tx in
            row.state = "returned"
            row.returnReason = reason
            try await row.save(on: tx)
            return ((), req.auditRecord("indicators.return", targetType: "indicator_value", targetID: row.id!.uuidString,
                                        details: "\(row.indicator)@\(row.period)/\(row.unitCode) reason=\(reason)"))
        }
        req.application.live.publish(topic: topic, ["type": "indicators.returned", "indicator": row.indicator, "period": row.period, "unit": row.unitCode])
        return IndicatorViews.ValueRowDTO(row)
    }

    // MARK: Plans

    struct PlanBody: Content { var unit: String?; var value: Double?; var kind: String?; var quarter: Int?; var document: String? }

    @Sendable static func setPlan(_ req: Request) async throws -> [String: String] {
        let body = try req.decodeBody(PlanBody.self)
        let catalogue = try await req.indicatorCatalog()
        let code = req.parameters.get("code") ?? ""
        guard catalogue.indicators[code] != nil else { throw IOCError.notFound("Indicator \(code)", vi: "chỉ tiêu \(code)") }
        guard let year = req.parameters.get("year").flatMap(Int.init), IndicatorPeriod.years.contains(year) else {
            throw IOCError.invalid("year", vi: "Năm kế hoạch không hợp lệ.", en: "The plan's year is not valid.")
        }
        let province = req.application.iocConfiguration.provinceCode
        let unit = body.unit ?? province
        guard unit == province || req.application.reference.units[unit]?.provinceCode == province else {
            throw IOCError.invalid("unit", vi: "Đơn vị hành chính \(unit) không thuộc tỉnh.", en: "Unit \(unit) is not in the province.")
        }
        guard let value = body.value, value.isFinite else { throw IOCError.invalid("value", vi: "Giá trị kế hoạch phải là một số.", en: "The plan's value must be a number.") }
        let kind = body.kind ?? "plan"
        guard ["plan", "estimateCentral", "estimateCouncil", "quarter"].contains(kind) else {
            throw IOCError.invalid("kind", vi: "Loại kế hoạch phải là plan, estimateCentral, estimateCouncil hoặc quarter.", en: "kind must be plan, estimateCentral, estimateCouncil or quarter.")
        }
        let quarter = kind == "quarter" ? (body.quarter ?? 0) : 0
        guard kind != "quarter" || (1...4).contains(quarter) else { throw IOCError.invalid("quarter", vi: "Quý từ 1 đến 4.", en: "quarter is 1 to 4.") }
        let document = try Validate.text(body.document, field: "document", max: 300, required: false) ?? ""
        let actor = req.principal?.auditName ?? ""
        let now = req.now
        try await req.application.audit.transaction(on: req.db) { tx in
            try await IndicatorPlanModel.query(on: tx).filter(\.$indicator == code).filter(\.$year == year).filter(\.$unitCode == unit)
                .filter(\.$kind == kind).filter(\.$quarter == quarter).set(\.$current, to: false).update()
            let p = IndicatorPlanModel()
            p.indicator = code; p.year = year; p.unitCode = unit; p.kind = kind; p.quarter = quarter; p.value = value
            p.document = document; p.current = true; p.createdBy = actor; p.createdAt = now
            try await p.create(on: tx)
            return ((), req.auditRecord("indicators.plan", targetType: "indicator", targetID: code,
                                        details: "year=\(year) unit=\(unit) kind=\(kind) quarter=\(quarter) value=\(value) document=\(document)"))
        }
        req.application.live.publish(topic: topic, ["type": "indicators.plan", "indicator": code, "unit": unit])
        return ["indicator": code, "year": "\(year)", "unit": unit, "kind": kind]
    }
}
