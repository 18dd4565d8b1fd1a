import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Giám sát dịch vụ công: dossier ingest from the one-stop system, a dossier with its computed deadline, the
/// monthly-form figures and the overdue list.
enum PublicServicesController {
    static let readers: Access = .roles([.admin, .operator, .leader, .officer, .analyst])

    static let ingestItemSchema = SharedSchemas.register("DossierInput", .object([
        "code": .string, "procedureCode": .string, "procedureName": .string, "agencyCode": .string, "unitCode": .nullable(.string),
        "channel": .enumeration(["online", "direct", "postal"]), "onlineLevel": .nullable(.enumeration(["full", "partial"])),
        "limit": .object(["value": .integer, "unit": .enumeration(["workingDays", "workingHours", "days"])], required: ["value", "unit"]),
        "receivedAt": .dateTime, "dueAt": .nullable(.dateTime), "status": .described(.integer, "National status code 1–10"),
        "history": .array(.object(["status": .integer, "at": .dateTime], required: ["status", "at"])),
        "supplements": .array(.object(["requestedAt": .dateTime, "completedAt": .nullable(.dateTime)], required: ["requestedAt"])),
        "finishedAt": .nullable(.dateTime), "returnedAt": .nullable(.dateTime), "paidOnline": .nullable(.boolean),
        "digitized": .nullable(.boolean), "eResult": .nullable(.boolean), "apologyIssued": .nullable(.boolean),
    ], required: ["code", "procedureCode", "procedureName", "agencyCode", "channel", "receivedAt", "status"]))
    static let ingestResultSchema = SharedSchemas.register("IngestResult", .object([
        "accepted": .integer, "rejected": .integer, "created": .integer, "updated": .integer, "unchanged": .integer,
        "items": .array(.object(["index": .integer, "code": .nullable(.string), "result": .enumeration(["created", "updated", "unchanged", "rejected"]),
                                 "field": .nullable(.string), "messages": .nullable(.object(["vi": .string, "en": .string], required: []))], required: ["index", "result"])),
    ], required: ["accepted", "rejected", "items"]))
    static let countsSchema = JSONSchema.object([
        "carriedOver": .integer, "receivedOnline": .integer, "receivedDirect": .integer, "receivedPostal": .integer, "received": .integer,
        "toHandle": .integer, "resolvedEarly": .integer, "resolvedOnTime": .integer, "resolvedLate": .integer, "resolved": .integer,
        "inProgressWithin": .integer, "inProgressOverdue": .integer, "pausedWithin": .integer, "pausedOverdue": .integer,
        "withdrawn": .integer, "onTimeRate": .nullable(.number), "earlyOrOnTimeAmongResolvedRate": .nullable(.number),
    ], required: [])
    static let statsSchema = SharedSchemas.register("PublicServiceStats", .object([
        "from": .dateTime, "to": .dateTime, "asOf": .dateTime, "groupBy": .string,
        "definitions": .any, "rows": .array(.object(["key": .nullable(.string), "label": .nullable(.string), "counts": countsSchema], required: [])),
        "total": countsSchema,
    ], required: ["from", "to", "rows", "total"]))

    static func register(_ api: APIBuilder) {
        let p = api.group("public-services", tag: "Public services")
        p.on(.POST, "dossiers", access: .rolesOrSource([.admin], kinds: [.dossiers]),
             summary: "Ingest up to 5,000 dossiers (upsert by code; per-item result; rejected items store nothing)",
             body: .array(ingestItemSchema), response: ingestResultSchema, maxBodySize: "32mb", use: ingest)
        p.on(.GET, "dossiers", ":code", access: readers, summary: "A dossier with its computed due moment and timeliness",
             query: [.init("asOf", "ISO 8601 instant to judge at (default now)", .dateTime)], response: .any, use: dossier)
        p.on(.GET, "stats", access: readers, summary: "Monthly-form figures per agency, commune, procedure or channel",
             query: [.init("from", "Period start (ISO 8601)", .dateTime), .init("to", "Period end, exclusive (ISO 8601)", .dateTime),
                     .init("month", "yyyy-MM: a whole month instead of from/to", .string),
                     .init("period", "calendarMonth (default) | reportMonth (15th→14th, NĐ 09/2019)", .string),
                     .init("groupBy", "agency | agencyKind | unit | procedure | channel | total", .string),
                     .init("agency", "Only this agency's dossiers", .string)],
             response: statsSchema, use: stats)
        p.on(.GET, "stats.xlsx", access: readers, summary: "The monthly report as an XLSX workbook (same query as stats)",
             query: [.init("month", "yyyy-MM", .string), .init("period", "calendarMonth | reportMonth", .string),
                     .init("from", "Period start", .dateTime), .init("to", "Period end, exclusive", .dateTime),
                     .init("groupBy", "agency | unit | procedure | channel | total", .string)],
             response: .binary, responseContentType: xlsxType, use: statsXLSX)
        p.on(.POST, "imports", access: .roles([.admin, .operator]),
             summary: "Import dossiers from a CSV or XLSX file (raw body); per-row error report",
             body: .binary, bodyContentType: "text/csv", response: .any, maxBodySize: "64mb", use: importFile)
        p.on(.GET, "public-figures", access: .public,
             summary: "Per-agency on-time figures for the citizen portal (this year; no personal data)", response: .any, use: publicFigures)
        p.on(.GET, "summary", access: readers, summary: "Headline figures for the wall tile: this month and overdue now, with data freshness",
             response: .any, use: summary)
        p.on(.GET, "scorecard", access: readers, summary: "QĐ 766 scorecard for what the data supports (per province, agency or commune)",
             query: [.init("month", "yyyy-MM (default: this month)", .string), .init("period", "calendarMonth | reportMonth", .string),
                     .init("from", "Period start", .dateTime), .init("to", "Period end, exclusive", .dateTime),
                     .init("agency", "Agency code", .string), .init("unit", "Commune code", .string)],
             response: .any, use: scorecard)
        p.on(.GET, "overdue", access: readers, summary: "Overdue and due-soon dossiers now",
             query: [.init("dueSoonHours", "Also list dossiers due within this many hours (default 24)", .integer),
                     .init("limit", "1–1000 (default 200)", .integer)],
             response: .any, use: overdue)
    }

    static func rules(_ req: Request) async throws -> TimelinessRules { try await req.application.calendarStore.rules(on: req.db) }

    // MARK: Ingest

    @Sendable static func ingest(_ req: Request) async throws -> Response {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu nội dung yêu cầu.", en: "The request body is missing.")
        }
        guard req.headers.contentType?.subType == "json" else {
            throw IOCError(.unsupportedMediaType, code: "unsupported_media_type", vi: "Nội dung phải là JSON.", en: "The body must be JSON.")
        }
        let items: [LossyDossier]
        do {
            items = try JSONDecoder.ioc.decode([LossyDossier].self, from: Data(buffer.readableBytesView))
        } catch {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Nội dung phải là một mảng JSON các hồ sơ.", en: "The body must be a JSON array of dossiers.")
        }
        guard !items.isEmpty, items.count <= DossierIngest.maxBatch else {
            throw IOCError.invalid("", vi: "Mỗi lần gửi từ 1 đến \(DossierIngest.maxBatch) hồ sơ.", en: "Send 1 to \(DossierIngest.maxBatch) dossiers per request.")
        }
        var sourceIDInput: UUID?
        var registeredInput: Set<String>?
        if case .source(let s)? = req.principal { sourceIDInput = s.id; registeredInput = s.agencies }
        let sourceID = sourceIDInput, registered = registeredInput
        let ingest = DossierIngest(rules: try await rules(req), catalog: req.application.reference.units, now: req.now)
        // One transaction: the dossiers, the audit entry and the source's freshness commit together (one fsync, not three).
        struct NothingAccepted: Error { var result: IngestResult }
        let result: IngestResult
        do {
            result = try await req.application.audit.transaction(on: req.db) { tx in
                let result = try await ingest.ingest(items, sourceID: sourceID, registered: registered, on: tx)
                guard result.accepted > 0 else { throw NothingAccepted(result: result) }
                if let sourceID { try await SourceRegistry.touch(sourceID, at: req.now, on: tx) }
                return (result, req.auditRecord(
                    "dossiers.ingest", targetType: "dossiers", targetID: "batch",
                    details: "accepted=\(result.accepted) rejected=\(result.rejected) created=\(result.created) updated=\(result.updated)"))
            }
        } catch let rejected as NothingAccepted {
            let result = rejected.result
            return try ProblemMiddleware.rejectedBatch(
                IOCError.invalid(result.items.first?.field ?? "", vi: "Không hồ sơ nào hợp lệ; không có gì được lưu.", en: "No dossier was valid; nothing was stored."),
                items: result.items, request: req)
        }
        if result.created + result.updated > 0 {
            // `first`: the first accepted dossier's code, so a screen (and the live benchmark) can tell ingests apart.
            let first = result.items.first { $0.result != "rejected" }?.code ?? ""
            req.application.live.publish(topic: "publicservices", ["type": "dossiers.ingested", "created": "\(result.created)",
                                                                   "updated": "\(result.updated)", "first": first])
        }
        return try await result.encodeResponse(for: req)
    }

    // MARK: One dossier

    @Sendable static func dossier(_ req: Request) async throws -> DossierView {
        let code = try Validate.required(req.parameters.get("code"), field: "code", max: 100)
        let asOf = try instantQuery(req, "asOf") ?? req.now
        // Another agency's dossier answers exactly like an unknown one (no existence oracle).
        let notFound = IOCError.notFound("Dossier \(code)", vi: "hồ sơ \(code)")
        guard let m = try await DossierModel.find(code, on: req.db) else { throw notFound }
        if let visible = try await req.visibleAgencyCodes(), !visible.contains(m.agencyCode) { throw notFound }
        let agency = try await AgencyModel.query(on: req.db).filter(\.$code == m.agencyCode).first()
        let facts = m.facts()
        let limit = facts.limit
        let history = facts.history.map {
            DossierView.HistoryEntry(status: $0.status.rawValue, at: $0.at, statusName: LocalizedMessage(vi: $0.status.vietnameseName, en: $0.status.englishName))
        }
        let supplements = facts.supplements.map { DossierView.Supplement(requestedAt: $0.requestedAt, completedAt: $0.completedAt) }
        let r = try await rules(req)
        let a = r.assess(facts)
        let t = a.timeliness(asOf: asOf)
        let status = DossierStatus(rawValue: m.status) ?? .processing
        return DossierView(
            code: code, procedureCode: m.procedureCode, procedureName: m.procedureName, agencyCode: m.agencyCode, agencyName: agency?.name,
            unitCode: m.unitCode, channel: m.channel, onlineLevel: m.onlineLevel,
            limit: limit.map { .init(value: $0.value, unit: $0.unit.rawValue) }, receivedAt: m.receivedAt,
            effectiveReceivedAt: a.effectiveReceipt, dueAt: a.due, dueSource: a.dueSource.rawValue, status: m.status,
            statusName: LocalizedMessage(vi: status.vietnameseName, en: status.englishName), history: history, supplements: supplements,
            finishedAt: m.finishedAt, returnedAt: m.returnedAt, endOfProcessingAt: a.endAt, paidOnline: m.paidOnline,
            digitized: m.digitized, eResult: m.eResult, apologyIssued: m.apologyIssued, asOf: asOf, timeliness: t.rawValue,
            timelinessName: LocalizedMessage(vi: t.vietnameseName, en: t.englishName), daysLate: r.daysLate(a, asOf: asOf))
    }

    // MARK: Figures

    struct CountsDTO: Content {
        var carriedOver, receivedOnline, receivedDirect, receivedPostal, received, toHandle: Int
        var resolvedEarly, resolvedOnTime, resolvedLate, resolved: Int
        var inProgressWithin, inProgressOverdue, pausedWithin, pausedOverdue, withdrawn: Int
        var onTimeRate: Double?
        var earlyOrOnTimeAmongResolvedRate: Double?

        init(_ c: PublicServiceCounts) {
            carriedOver = c.carriedOver; receivedOnline = c.receivedOnline; receivedDirect = c.receivedDirect
            receivedPostal = c.receivedPostal; received = c.received; toHandle = c.toHandle; resolvedEarly = c.resolvedEarly
            resolvedOnTime = c.resolvedOnTime; resolvedLate = c.resolvedLate; resolved = c.resolved
            inProgressWithin = c.inProgressWithin; inProgressOverdue = c.inProgressOverdue; pausedWithin = c.pausedWithin
            pausedOverdue = c.pausedOverdue; withdrawn = c.withdrawn
            onTimeRate = c.onTimeRate.map { ($0 * 10_000).rounded() / 10_000 }
            earlyOrOnTimeAmongResolvedRate = c.earlyOrOnTimeAmongResolvedRate.map { ($0 * 10_000).rounded() / 10_000 }
        }
    }

    struct StatsDTO: Content {
        struct Row: Content {
            var key: String?
            var label: String?
            var labelEn: String?
            var counts: CountsDTO
        }

        struct Definition: Content {
            var name: LocalizedMessage
            var definition: LocalizedMessage
        }

        var from: Date
        var to: Date
        var asOf: Date
        var groupBy: String
        var definitions: [String: Definition]
        var rows: [Row]
        var total: CountsDTO
        /// When the newest dossier data arrived (the figure's freshness).
        var lastDataAt: Date?
    }

    static func latestIngest(_ db: any Database, codes: [String]?) async throws -> Date? {
        var q = DossierModel.query(on: db).sort(\.$ingestedAt, .descending)
        if let codes { q = q.filter(\.$agencyCode ~~ codes) }
        return try await q.first()?.ingestedAt
    }

    /// Both on-time rates with their names and definitions, keyed like the fields of `CountsDTO`.
    static var rateDefinitions: [String: StatsDTO.Definition] {
        Dictionary(uniqueKeysWithValues: TimelinessRate.allCases.map { rate in
            (rate == .onTime ? "onTimeRate" : "earlyOrOnTimeAmongResolvedRate",
             StatsDTO.Definition(name: .init(vi: rate.vietnameseName, en: rate.englishName),
                                 definition: .init(vi: rate.vietnameseDefinition, en: rate.englishDefinition)))
        })
    }

    /// Parses the period: `month=yyyy-MM` (+ `period=reportMonth`) or `from`/`to`; default the current calendar month.
    static func period(_ req: Request) throws -> (Date, Date) {
        if let month = req.query[String.self, at: "month"] {
            let parts = month.split(separator: "-")
            guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (2000...2100).contains(y), (1...12).contains(m) else {
                throw IOCError.invalid("month", vi: "Tháng phải có dạng yyyy-MM.", en: "month must be yyyy-MM.")
            }
            let kind = req.query[String.self, at: "period"] ?? "calendarMonth"
            let p: ReportPeriod
            switch kind {
            case "calendarMonth": p = .calendarMonth(year: y, month: m)
            case "reportMonth": p = .reportMonth(year: y, month: m)
            default: throw IOCError.invalid("period", vi: "Kỳ báo cáo phải là calendarMonth hoặc reportMonth.", en: "period must be calendarMonth or reportMonth.")
            }
            let b = p.bounds()
            return (b.lowerBound, b.upperBound)
        }
        let from = try instantQuery(req, "from")
        let to = try instantQuery(req, "to")
        if from == nil && to == nil {
            let today = WorkingCalendar.vietnamCivilService.civilDate(of: req.now)
            let b = ReportPeriod.calendarMonth(year: today.year, month: today.month).bounds()
            return (b.lowerBound, b.upperBound)
        }
        guard let from, let to else {
            throw IOCError.invalid(from == nil ? "from" : "to", vi: "Cần cả from và to.", en: "Both from and to are required.")
        }
        guard from < to, to.timeIntervalSince(from) <= 5 * 366 * 86_400 else {
            throw IOCError.invalid("to", vi: "Khoảng thời gian không hợp lệ (from < to, tối đa 5 năm).", en: "Invalid range (from < to, at most 5 years).")
        }
        return (from, to)
    }

    /// The `agency` query parameter as a filter inside what the caller may see (nil: no filter asked).
    static func agencyFilter(_ req: Request, visible: [String]?) async throws -> [String]? {
        guard let agency = req.query[String.self, at: "agency"] else { return visible }
        let code = try Validate.code(agency, field: "agency")
        guard try await AgencyModel.query(on: req.db).filter(\.$code == code).first() != nil else {
            throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại.", en: "Unknown agency.")
        }
        if let visible, !visible.contains(code) { throw IOCError.forbidden }
        return [code]
    }

    @Sendable static func stats(_ req: Request) async throws -> StatsDTO {
        let (from, to) = try period(req)
        let groupRaw = req.query[String.self, at: "groupBy"] ?? "agency"
        guard let group = PublicServiceStats.Grouping(rawValue: groupRaw) else {
            throw IOCError.invalid("groupBy", vi: "groupBy phải là agency, agencyKind, unit, procedure, channel hoặc total.",
                                   en: "groupBy must be agency, agencyKind, unit, procedure, channel or total.")
        }
        let asOf = min(to, req.now)
        let codes = try await agencyFilter(req, visible: try await req.visibleAgencyCodes())
        let rows = try await PublicServiceStats.rows(on: req.db, from: from, to: to, asOf: asOf, groupBy: group, agencyCodes: codes)
        var labels: [String: String] = [:], labelsEn: [String: String] = [:]
        switch group {
        case .agency: for a in try await AgencyModel.query(on: req.db).all() { labels[a.code] = a.name; labelsEn[a.code] = a.nameEn }
        case .unit:
            for r in rows {
                if let k = r.key { labels[k] = req.application.reference.units[k]?.fullName; labelsEn[k] = req.application.reference.units[k]?.fullNameEn }
            }
        case .procedure: for r in rows { if let k = r.key { labels[k] = r.label } }
        case .channel:
            labels = ["online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính công ích"]
            labelsEn = ["online": "Online", "direct": "In person", "postal": "Public postal service"]
        case .agencyKind:
            labels = ["department": "Sở, ban, ngành", "serviceCenter": "Trung tâm, văn phòng đăng ký đất đai", "communeCommittee": "UBND xã, phường",
                      "provinceCommittee": "UBND tỉnh", "police": "Công an", "utility": "Doanh nghiệp cung cấp dịch vụ", "company": "Doanh nghiệp", "other": "Khác"]
            labelsEn = ["department": "Provincial departments", "serviceCenter": "Service centres, land registration offices",
                        "communeCommittee": "Commune and ward committees", "provinceCommittee": "Provincial People's Committee",
                        "police": "Police", "utility": "Utilities", "company": "Companies", "other": "Other"]
        default: break
        }
        let total = rows.reduce(PublicServiceCounts.zero) { $0 + $1.counts }
        let definitions = rateDefinitions
        return StatsDTO(
            from: from, to: to, asOf: asOf, groupBy: group.rawValue, definitions: definitions,
            rows: rows.sorted { ($0.key ?? "") < ($1.key ?? "") }.map {
                .init(key: $0.key, label: $0.key.flatMap { labels[$0] }, labelEn: $0.key.flatMap { labelsEn[$0] } ?? $0.key.flatMap { labels[$0] },
                      counts: CountsDTO($0.counts))
            },
            total: CountsDTO(total), lastDataAt: try await latestIngest(req.db, codes: codes))
    }

    static let xlsxType = Downloads.xlsxType

    // MARK: Export and import

    @Sendable static func statsXLSX(_ req: Request) async throws -> Response {
        let report = try await stats(req)
        func pct(_ v: Double?) -> XLSXWriter.Cell { v.map { .percent($0) } ?? .text("—") }
        let header = ["Nhóm / Group", "Tên / Name", "Kỳ trước chuyển sang", "Tiếp nhận trực tuyến", "Tiếp nhận trực tiếp", "Tiếp nhận BCCI",
                      "Tổng tiếp nhận", "Tổng cần giải quyết", "Giải quyết trước hạn", "Giải quyết đúng hạn", "Giải quyết quá hạn",
                      "Đang giải quyết trong hạn", "Đang giải quyết quá hạn", "Tạm dừng trong hạn", "Tạm dừng quá hạn", "Rút hồ sơ",
                      "Tỷ lệ đúng hạn (766)", "Tỷ lệ trước hạn và đúng hạn / đã giải quyết"]
        func row(_ key: String, _ label: String, _ c: CountsDTO) -> [XLSXWriter.Cell] {
            [.text(key), .text(label), .integer(c.carriedOver), .integer(c.receivedOnline), .integer(c.receivedDirect), .integer(c.receivedPostal),
             .integer(c.received), .integer(c.toHandle), .integer(c.resolvedEarly), .integer(c.resolvedOnTime), .integer(c.resolvedLate),
             .integer(c.inProgressWithin), .integer(c.inProgressOverdue), .integer(c.pausedWithin), .integer(c.pausedOverdue),
             .integer(c.withdrawn), pct(c.onTimeRate), pct(c.earlyOrOnTimeAmongResolvedRate)]
        }
        var rows: [[XLSXWriter.Cell]] = [header.map { .text($0) }]
        rows += report.rows.map { row($0.key ?? "—", $0.label ?? "", $0.counts) }
        rows.append(row("TỔNG / TOTAL", "", report.total))
        var notes: [[XLSXWriter.Cell]] = [[.text("Kỳ báo cáo / Period"), .date(report.from), .date(report.to.addingTimeInterval(-1))],
                                         [.text("Số liệu tính đến / As of"), .date(report.asOf)]]
        for (_, d) in report.definitions.sorted(by: { $0.key < $1.key }) {
            notes.append([.text(d.name.vi), .text(d.definition.vi)])
            notes.append([.text(d.name.en), .text(d.definition.en)])
        }
        if req.application.iocConfiguration.demo { notes.append([.text("Dữ liệu minh họa / Demo data")]) }
        var book = XLSXWriter()
        book.addSheet(named: "Báo cáo TTHC", rows: rows, columnWidths: [16, 40] + Array(repeating: 14, count: 16), hasHeaderRow: true)
        book.addSheet(named: "Định nghĩa", rows: notes, columnWidths: [40, 90], hasHeaderRow: false)
        let month = WorkingCalendar.vietnamCivilService.civilDate(of: report.from.addingTimeInterval(3600))
        return try Downloads.xlsx(book, filename: "bao-cao-tthc-\(month.year)-\(String(format: "%02d", month.month))-\(report.groupBy).xlsx")
    }

    @Sendable static func importFile(_ req: Request) async throws -> DossierImport.Report {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu tệp.", en: "The file is missing.")
        }
        guard let format = DossierImport.format(contentType: req.headers.contentType, filename: req.headers.first(name: "X-Filename")) else {
            throw IOCError(.unsupportedMediaType, code: "unsupported_media_type", vi: "Chỉ nhận tệp CSV hoặc XLSX.", en: "Only CSV or XLSX files are accepted.")
        }
        // The file's dossiers and the audit entry commit together (one transaction), or nothing does.
        let data = Data(buffer.readableBytesView)
        let report = try await req.application.audit.transaction(on: req.db) { tx in
            let report = try await DossierImport.run(data, format: format, on: req.application, db: tx)
            return (report, req.auditRecord(
                "dossiers.import", targetType: "dossiers", targetID: "file",
                details: "rows=\(report.rows) accepted=\(report.accepted) rejected=\(report.rejected)"))
        }
        if report.created + report.updated > 0 {
            req.application.live.publish(topic: "publicservices", ["type": "dossiers.imported", "created": "\(report.created)", "updated": "\(report.updated)"])
        }
        return report
    }

    // MARK: Citizen portal

    struct PublicFigures: Content {
        struct Agency: Content {
            var code: String
            var name: String
            var received: Int
            var resolved: Int
            var onTimeRate: Double?
            var earlyOrOnTimeAmongResolvedRate: Double?
        }

        var from: Date
        var asOf: Date
        var agencies: [Agency]
        var definitions: [String: StatsDTO.Definition]
        var demo: Bool
    }

    @Sendable static func publicFigures(_ req: Request) async throws -> PublicFigures {
        let now = req.now
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        let from = ReportPeriod.calendarMonth(year: today.year, month: 1).bounds().lowerBound
        let rows = try await PublicServiceStats.rows(on: req.db, from: from, to: now, asOf: now, groupBy: .agency)
        var names: [String: String] = [:]
        for a in try await AgencyModel.query(on: req.db).all() { names[a.code] = a.name }
        let definitions = rateDefinitions
        let agencies = rows.compactMap { r -> PublicFigures.Agency? in
            guard let code = r.key else { return nil }
            let c = CountsDTO(r.counts)
            return .init(code: code, name: names[code] ?? code, received: c.received, resolved: c.resolved, onTimeRate: c.onTimeRate,
                         earlyOrOnTimeAmongResolvedRate: c.earlyOrOnTimeAmongResolvedRate)
        }.sorted { $0.name < $1.name }
        return PublicFigures(from: from, asOf: now, agencies: agencies, definitions: definitions, demo: req.application.iocConfiguration.demo)
    }

    // MARK: Wall tile

    struct Summary: Content {
        var month: String
        var receivedThisMonth: Int
        var resolvedThisMonth: Int
        var onTimeRate: Double?
        var earlyOrOnTimeAmongResolvedRate: Double?
        var overdueNow: Int
        var pausedOverdueNow: Int
        /// When the newest dossier data arrived; the tile shows its age.
        var lastDataAt: Date?
        var asOf: Date
    }

    @Sendable static func summary(_ req: Request) async throws -> Summary {
        let now = req.now
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        let month = ReportPeriod.calendarMonth(year: today.year, month: today.month).bounds()
        let codes = try await req.visibleAgencyCodes()
        let rows = try await PublicServiceStats.rows(on: req.db, from: month.lowerBound, to: month.upperBound, asOf: now, groupBy: .total, agencyCodes: codes)
        let c = CountsDTO(rows.reduce(PublicServiceCounts.zero) { $0 + $1.counts })
        return Summary(
            month: String(format: "%04d-%02d", today.year, today.month), receivedThisMonth: c.received, resolvedThisMonth: c.resolved,
            onTimeRate: c.onTimeRate, earlyOrOnTimeAmongResolvedRate: c.earlyOrOnTimeAmongResolvedRate,
            overdueNow: c.inProgressOverdue, pausedOverdueNow: c.pausedOverdue, lastDataAt: try await latestIngest(req.db, codes: codes), asOf: now)
    }

    // MARK: QĐ 766 scorecard

    struct ScorecardDTO: Content {
        struct Indicator: Content {
            var id: String
            var name: LocalizedMessage
            var formula: LocalizedMessage
            var supported: Bool
            var reason: LocalizedMessage?
            var numerator: Int?
            var denominator: Int?
            var rate: Double?
            var threshold: Double?
            var maxScore: Double
            var score: Double?
        }

        var from: Date
        var to: Date
        var asOf: Date
        var scope: String
        var indicators: [Indicator]
        var totalScore: Double
        var scoredMaxScore: Double
        var supportedMaxScore: Double
        var fullMaxScore: Double
    }

    @Sendable static func scorecard(_ req: Request) async throws -> ScorecardDTO {
        let (from, to) = try period(req)
        let asOf = min(to, req.now)
        let codes = try await agencyFilter(req, visible: try await req.visibleAgencyCodes())
        var scope = req.query[String.self, at: "agency"].map { "agency:\($0)" } ?? "province"
        var rows = try await PublicServiceStats.rows(on: req.db, from: from, to: to, asOf: asOf, groupBy: .unit, agencyCodes: codes)
        if let unit = req.query[String.self, at: "unit"] {
            guard req.application.reference.units[unit]?.level == .commune else {
                throw IOCError.invalid("unit", vi: "Mã xã/phường không tồn tại.", en: "Unknown commune code.")
            }
            rows = rows.filter { $0.key == unit }
            scope = scope == "province" ? "unit:\(unit)" : scope + ",unit:\(unit)"
        }
        let card = Scorecard766(counts: rows.reduce(PublicServiceCounts.zero) { $0 + $1.counts })
        return ScorecardDTO(
            from: from, to: to, asOf: asOf, scope: scope,
            indicators: card.indicators.map { i in
                .init(id: i.id, name: .init(vi: i.vietnameseName, en: i.englishName), formula: .init(vi: i.vietnameseFormula, en: i.englishFormula),
                      supported: i.supported, reason: i.vietnameseReason.map { LocalizedMessage(vi: $0, en: i.englishReason ?? $0) },
                      numerator: i.numerator, denominator: i.denominator, rate: i.rate, threshold: i.threshold, maxScore: i.maxScore, score: i.score)
            },
            totalScore: card.totalScore, scoredMaxScore: card.scoredMaxScore, supportedMaxScore: card.supportedMaxScore,
            fullMaxScore: card.fullMaxScore)
    }

    // MARK: Overdue now

    struct OverdueItem: Content {
        var code: String
        var procedureName: String
        var agencyCode: String
        var unitCode: String?
        var receivedAt: Date
        var dueAt: Date?
        var timeliness: String
        var daysLate: Int
        /// Late because of more than one supplement request, whatever the dates.
        var forcedLate: Bool
        var agencyName: String?
        var apologyIssued: Bool?
    }

    struct OverdueList: Content {
        var asOf: Date
        var overdue: [OverdueItem]
        var dueSoon: [OverdueItem]
    }

    @Sendable static func overdue(_ req: Request) async throws -> OverdueList {
        let soonHours = try intQuery(req, "dueSoonHours", range: 0...24 * 30) ?? 24
        let limit = try intQuery(req, "limit", range: 1...1_000) ?? 200
        let now = req.now
        var q = DossierModel.query(on: req.db).filter(\.$excluded == false).filter(\.$closedAt > now)
            .filter(\.$dueAt != nil).filter(\.$dueAt < now.addingTimeInterval(Double(soonHours) * 3600))
        if let codes = try await req.visibleAgencyCodes() {
            guard !codes.isEmpty else { return OverdueList(asOf: now, overdue: [], dueSoon: []) }
            q = q.filter(\.$agencyCode ~~ codes)
        }
        let rows = try await q.sort(\.$dueAt).limit(limit * 2).all()
        let r = try await rules(req)
        var names: [String: String] = [:]
        for a in try await AgencyModel.query(on: req.db).all() { names[a.code] = a.name }
        var overdue: [OverdueItem] = [], soon: [OverdueItem] = []
        for m in rows {
            let a = DossierAssessment.fromStored(m)
            let t = a.timeliness(asOf: now)
            let item = OverdueItem(code: m.id!, procedureName: m.procedureName, agencyCode: m.agencyCode, unitCode: m.unitCode,
                                   receivedAt: m.receivedAt, dueAt: m.dueAt, timeliness: t.rawValue, daysLate: r.daysLate(a, asOf: now),
                                   forcedLate: m.forcedLate, agencyName: names[m.agencyCode], apologyIssued: m.apologyIssued)
            if t.isOverdue { if overdue.count < limit { overdue.append(item) } } else if soon.count < limit { soon.append(item) }
        }
        return OverdueList(asOf: now, overdue: overdue.sorted { $0.daysLate > $1.daysLate }, dueSoon: soon)
    }

    static func instantQuery(_ req: Request, _ name: String) throws -> Date? {
        guard let raw = req.query[String.self, at: name] else { return nil }
        guard let d = ISO8601.parse(raw) else {
            throw IOCError.invalid(name, vi: "\(name) phải là thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-01T00:00:00+07:00.",
                                   en: "\(name) must be an ISO 8601 instant with offset, e.g. 2026-11-01T00:00:00+07:00.")
        }
        return d
    }
}

extension DossierAssessment {
    /// Rebuilds the assessment from its stored columns (no re-computation of the calendar).
    static func fromStored(_ m: DossierModel) -> DossierAssessment {
        DossierAssessment(
            receivedAt: m.receivedAt, effectiveReceipt: m.effectiveReceipt, due: m.dueAt,
            dueDate: m.dueDate.map { CivilDate(year: $0 / 10_000, month: $0 / 100 % 100, day: $0 % 100) },
            dueSource: m.sourceDueAt != nil ? .source : (m.dueAt != nil ? .limit : .noDeadline), comparesByDate: m.comparesByDate,
            endAt: m.endAt, pausedAt: m.pausedAt, withdrawnAt: m.withdrawnAt, supplementCount: m.supplementCount,
            supplementPause: 0, forcedLate: m.forcedLate, excluded: m.excluded, withdrawn: m.withdrawnAt != nil)
    }
}
