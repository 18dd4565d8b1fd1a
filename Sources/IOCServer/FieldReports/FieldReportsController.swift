import Crypto
import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Phản ánh hiện trường: the citizen's intake and tracking, the public map, list and figures, and the routing table.
enum FieldReportsController {
    static func register(_ api: APIBuilder) {
        let f = api.group("field-reports", tag: "Field reports")
        f.on(.GET, "categories", access: .public, summary: "Categories with their time limits, and intake limits", response: .any, use: categories)
        f.on(.PUT, "categories", ":code", access: .admin, summary: "Edit a category's names, time limit and duplicate settings",
             body: .object(["limit": .object(["value": .integer, "unit": .string], required: ["value", "unit"])], required: []),
             response: .any, use: editCategory)
        f.on(.GET, "nearby", access: .public, summary: "Open reports of a category near a point (possible duplicates)",
             query: [.init("category", "Category code", .string), .init("lat", "Latitude", .number), .init("lon", "Longitude", .number)],
             response: .any, use: nearby)
        f.on(.POST, access: .public, summary: "File a field report (multipart/form-data with 1–5 photos; Idempotency-Key header). 201 Created; 200 for a retry of the same key",
             body: .binary, bodyContentType: "multipart/form-data", response: .any, maxBodySize: "32mb", readsBodyItself: true, use: create)
        f.on(.GET, "public", access: .public, summary: "Public list of reports (no personal data)",
             query: [.init("status", "open | closed", .string), .init("category", "Category code", .string),
                     .init("agency", "Agency code", .string), .init("unit", "Commune code", .string),
                     .init("bbox", "minLon,minLat,maxLon,maxLat", .string), .init("page", "1…", .integer), .init("pageSize", "1–500 (default 50)", .integer)],
             response: .any, use: publicList)
        f.on(.GET, "public-figures", access: .public, summary: "Per-agency figures for a year: received, handled on time, late, satisfaction",
             query: [.init("year", "Year (default this year)", .integer)], response: .any, use: publicFigures)
        f.on(.GET, "summary", access: CasesController.readers, summary: "Headline figures for the wall tile", response: .any, use: summary)
        f.on(.GET, "routing", access: .roles([.admin, .operator]), summary: "The routing table (category × commune → agency)", response: .any, use: routingList)
        f.on(.POST, "routing", access: .admin, summary: "Add a routing rule",
             body: .object(["category": .nullable(.string), "unit": .nullable(.string), "target": .enumeration(["agency", "commune", "police"]),
                            "agency": .nullable(.string), "note": .nullable(.string)], required: ["target"]),
             response: .any, status: .created, use: routingCreate)
        f.on(.DELETE, "routing", ":id", access: .admin, summary: "Delete a routing rule", response: .any, status: .noContent, use: routingDelete)
        f.on(.GET, "route", access: .roles([.admin, .operator]), summary: "Preview where a report would be routed",
             query: [.init("category", "Category code", .string), .init("lat", "Latitude", .number), .init("lon", "Longitude", .number)],
             response: .any, use: routePreview)
        f.on(.GET, ":code", access: .public, summary: "Follow a report by its code (X-Follow-Token adds the citizen's own photos and actions)",
             response: .any, use: track)
        f.on(.GET, ":code", "photos", ":sha", access: .public, summary: "A photo of a report (result photos are public; the citizen's need the follow token or staff)",
             response: .binary, responseContentType: "image/jpeg", use: photo)
        f.on(.POST, ":code", "rating", access: .public, summary: "The citizen rates the result (closes the case)",
             body: .object(["token": .string, "rating": .enumeration(["satisfied", "accepted", "dissatisfied"]), "comment": .nullable(.string)], required: ["token", "rating"]),
             response: .any, use: rate)
        f.on(.POST, ":code", "reopen", access: .public, summary: "The citizen reopens a resolved report with a reason",
             body: .object(["token": .string, "reason": .string], required: ["token", "reason"]), response: .any, use: reopen)
    }

    // MARK: Categories

    struct CategoryDTO: Content {
        var code: String
        var name: LocalizedMessage
        var group: String
        var description: LocalizedMessage
        var limit: Limit
        var `class`: String
        var duplicateRadiusMeters: Int
        var duplicateDays: Int
        struct Limit: Content { var value: Int; var unit: String; var text: LocalizedMessage }
    }

    struct CategoriesDTO: Content {
        var items: [CategoryDTO]
        var limits: Limits
        struct Limits: Content { var maxPhotos: Int; var maxPhotoBytes: Int; var maxDescription: Int; var duplicateRadiusMeters: Int }
    }

    static func dto(_ c: CategoryModel.Snapshot) -> CategoryDTO {
        CategoryDTO(code: c.code, name: c.name, group: c.group, description: c.description,
                    limit: .init(value: c.policy.amount, unit: c.policy.unit.rawValue, text: c.policy.text), class: c.slaClass,
                    duplicateRadiusMeters: c.duplicateRadius, duplicateDays: c.duplicateDays)
    }

    @Sendable static func categories(_ req: Request) async throws -> CategoriesDTO {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let items = d.orderedCategories.filter(\.active).map(dto)
        return CategoriesDTO(items: items, limits: .init(maxPhotos: FieldReportService.maxPhotos, maxPhotoBytes: FieldReportService.maxPhotoBytes,
                                                         maxDescription: FieldReportService.maxDescription,
                                                         duplicateRadiusMeters: items.map(\.duplicateRadiusMeters).max() ?? 150))
    }

    struct CategoryEdit: Content {
        var nameVi: String?
        var nameEn: String?
        var limit: Limit?
        var `class`: String?
        var duplicateRadiusMeters: Int?
        var duplicateDays: Int?
        var active: Bool?
        struct Limit: Content { var value: Int; var unit: String }
    }

    @Sendable static func editCategory(_ req: Request) async throws -> CategoryDTO {
        let input = try req.decodeBody(CategoryEdit.self)
        let code = try Validate.code(req.parameters.get("code"), field: "code")
        let nameVi = try Validate.text(input.nameVi, field: "nameVi", max: 200, required: false)
        let nameEn = try Validate.text(input.nameEn, field: "nameEn", max: 200, required: false)
        if let l = input.limit {
            guard SLAPolicy.Unit(rawValue: l.unit) != nil else {
                throw IOCError.invalid("limit.unit", vi: "Đơn vị thời hạn: workingHours, workingDays hoặc calendarHours.", en: "limit.unit must be workingHours, workingDays or calendarHours.")
            }
            guard SLAPolicy.allowedAmounts.contains(l.value) else {
                throw IOCError.invalid("limit.value", vi: "Thời hạn từ 1 đến 2000.", en: "limit.value must be 1–2000.")
            }
        }
        if let c = input.class, !["simple", "normal", "complex", "urgent", "feedback"].contains(c) {
            throw IOCError.invalid("class", vi: "Phân loại không hợp lệ.", en: "Unknown class.")
        }
        if let r = input.duplicateRadiusMeters, !(1...5_000).contains(r) {
            throw IOCError.invalid("duplicateRadiusMeters", vi: "Bán kính từ 1 đến 5000 m.", en: "Radius must be 1–5000 m.")
        }
        if let days = input.duplicateDays, !(1...365).contains(days) {
            throw IOCError.invalid("duplicateDays", vi: "Số ngày từ 1 đến 365.", en: "Days must be 1–365.")
        }
        let m: CategoryModel = try await req.application.audit.transaction(on: req.db) { tx in
            guard let m = try await CategoryModel.find(code, on: tx) else { throw IOCError.notFound("Category", vi: "lĩnh vực") }
            if let nameVi { m.nameVi = nameVi }
            if let nameEn { m.nameEn = nameEn }
            if let l = input.limit { m.limitAmount = l.value; m.limitUnit = l.unit }
            if let c = input.class { m.slaClass = c }
            if let r = input.duplicateRadiusMeters { m.duplicateRadius = r }
            if let days = input.duplicateDays { m.duplicateDays = days }
            if let a = input.active { m.active = a }
            try await m.save(on: tx)
            return (m, req.auditRecord("category.update", targetType: "fr_category", targetID: code,
                                       details: "limit=\(m.limitAmount) \(m.limitUnit) class=\(m.slaClass) active=\(m.active)"))
        }
        req.application.caseDirectory.invalidate()
        return dto(CategoryModel.Snapshot(m))
    }

    // MARK: Intake

    @Sendable static func create(_ req: Request) async throws -> Response {
        let clientKey = req.clientAddress
        guard let rawKey = req.headers.first(name: "Idempotency-Key"), (8...128).contains(rawKey.utf8.count),
              rawKey.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw IOCError(.badRequest, code: "idempotency_key", vi: "Thiếu hoặc sai tiêu đề Idempotency-Key (8–128 ký tự).",
                           en: "The Idempotency-Key header is missing or invalid (8–128 characters).", field: "Idempotency-Key")
        }
        // The key is the client's secret (a random UUID per draft), not tied to its address: a phone that moves from
        // Wi-Fi to 4G and retries still finds its report. The follow token derives from it, so the retry that
        // recovers a lost response gets the token too, and nobody without the key can.
        let idempotency = APIKey.hash("web|\(rawKey)")
        let followToken = APIKey.hash("ioc-follow|\(rawKey)")
        // A retry of an upload that already succeeded is not a new report: answer before counting it (and before
        // reading its photos again).
        if let existing = try await FieldReportService.replay(idempotency, on: req.db) {
            return try await createdResponse(existing, token: followToken, status: .ok, req: req)
        }
        // The limit first, then the upload: a client over its limit never has 32 MB read and parsed.
        try await IntakeThrottle.admit(clientKey, limit: req.application.iocConfiguration.intakeLimit, app: req.application, on: req.db)
        try await req.collectBody()
        let form = try MultipartForm.parse(req)
        var s = FieldReportSubmission()
        s.category = form.text("category")
        s.description = form.text("description")
        s.lat = form.text("lat")
        s.lon = form.text("lon")
        s.address = form.text("address")
        s.name = form.text("name")
        s.phone = form.text("phone")
        s.email = form.text("email")
        s.consent = form.text("consent") == "true"
        s.showName = form.text("showName") == "true"
        s.photos = form.parts.filter { $0.name == "photos" || $0.name == "photos[]" }.map { Array($0.body) }
        s.channel = "web"
        s.idempotencyHash = idempotency
        s.followToken = followToken
        let created = try await FieldReportService.intake(s, app: req.application, db: req.db, actor: "citizen", origin: clientKey)
        return try await createdResponse(created.model, token: followToken, status: created.replayed ? .ok : .created, req: req)
    }

    struct CreatedDTO: Content {
        var code: String
        var followToken: String?
        var followUrl: String?
        var status: String
        var category: CategoryRef
        var agency: NamedRef?
        var unit: NamedRef?
        var dueAt: Date
        var receivedAt: Date
    }

    static func createdResponse(_ c: CaseModel, token: String?, status: HTTPStatus, req: Request) async throws -> Response {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let dto = CreatedDTO(code: c.code, followToken: token, followUrl: token.map { "/theo-doi.html?code=\(c.code)&t=\($0)" },
                             status: c.status, category: CaseViews.categoryRef(c.category, d), agency: CaseViews.agencyRef(c.agencyID, d),
                             unit: CaseViews.unitRef(c.unitCode, app: req.application), dueAt: c.dueAt, receivedAt: c.receivedAt)
        let response = try await dto.encodeResponse(status: status, for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    // MARK: Citizen tracking

    static func caseByCode(_ req: Request) async throws -> CaseModel {
        let code = try CaseService.validCode(req.parameters.get("code") ?? "", field: "code")
        guard let c = try await CaseModel.query(on: req.db).filter(\.$code == code).first(), c.isPublic else {
            throw IOCError.notFound("Report", vi: "phản ánh")
        }
        return c
    }

    static func hasFollowToken(_ req: Request, _ c: CaseModel, token: String?) async throws -> Bool {
        guard let token, !token.isEmpty else { return false }
        do { try await CaseService.verifyFollowToken(token, caseID: c.id!, on: req.db); return true } catch { return false }
    }

    static func tracked(_ c: CaseModel, req: Request, token: Bool) async throws -> PublicReport {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let now = req.application.clock.now
        let (photos, results) = try await CaseViews.attachments(c.id!, on: req.db)
        var r = CaseViews.publicReport(c, app: req.application, d: d, now: now, resultPhotos: results)
        let events = try await CaseEventModel.query(on: req.db).filter(\.$caseID == c.id!).filter(\.$isPublic == true).sort(\.$at).all()
        r.timeline = CaseViews.timeline(events, d: d, publicOnly: true, code: c.code)
        if token {
            r.photos = photos.map { CaseViews.photoURL(c.code, $0) }
        }
        r.canRate = token && c.caseStatus == .resolved
        r.canReopen = token && (c.caseStatus == .resolved || (c.caseStatus == .closed && c.closedAt.map { now.timeIntervalSince($0) <= 30 * 86_400 } == true))
        return r
    }

    @Sendable static func track(_ req: Request) async throws -> Response {
        let c = try await caseByCode(req)
        let token = try await hasFollowToken(req, c, token: req.headers.first(name: "X-Follow-Token"))
        let response = try await tracked(c, req: req, token: token).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func photo(_ req: Request) async throws -> Response {
        let c = try await caseByCode(req)
        let sha = try CaseService.validSHA(req.parameters.get("sha") ?? "", field: "sha")
        let links = try await CaseAttachmentModel.query(on: req.db).filter(\.$caseID == c.id!).filter(\.$sha256 == sha).all()
        guard !links.isEmpty, let a = try await AttachmentModel.find(sha, on: req.db) else {
            throw IOCError.notFound("Photo", vi: "ảnh")
        }
        let isResult = links.contains { $0.role == CaseAttachmentModel.Role.result.rawValue }
        var allowed = isResult
        if !allowed, let user = req.principal?.user {
            if user.role == .officer {
                let d = try await req.application.caseDirectory.snapshot(on: req.db)
                allowed = try await CasesController.visibleAgencyIDs(req, d).map { v in c.agencyID.map(v.contains) ?? false } ?? true
            } else {
                // Analysts work on figures and security events: a citizen's own photos are not theirs to see.
                allowed = user.role != .analyst
            }
        }
        if !allowed {
            allowed = try await hasFollowToken(req, c, token: req.query[String.self, at: "t"] ?? req.headers.first(name: "X-Follow-Token"))
        }
        guard allowed else { throw IOCError.forbidden }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: a.contentType)
        headers.replaceOrAdd(name: .cacheControl, value: isResult ? "public, max-age=86400" : "private, no-store")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return Response(status: .ok, headers: headers, body: .init(data: a.data))
    }

    struct CitizenAction: Content {
        var token: String?
        var rating: String?
        var comment: String?
        var reason: String?
    }

    @Sendable static func rate(_ req: Request) async throws -> PublicReport {
        let c = try await caseByCode(req)
        let input = try req.decodeBody(CitizenAction.self)
        let updated = try await CaseService.perform(
            CaseActionInput(action: "rate", token: input.token, rating: input.rating, comment: input.comment),
            on: c.code, actor: .citizen, app: req.application, db: req.db, origin: req.clientAddress)
        return try await tracked(updated, req: req, token: true)
    }

    @Sendable static func reopen(_ req: Request) async throws -> PublicReport {
        let c = try await caseByCode(req)
        let input = try req.decodeBody(CitizenAction.self)
        let updated = try await CaseService.perform(
            CaseActionInput(action: "reopen", reason: input.reason, token: input.token),
            on: c.code, actor: .citizen, app: req.application, db: req.db, origin: req.clientAddress)
        return try await tracked(updated, req: req, token: true)
    }

    // MARK: Duplicates

    struct NearbyDTO: Content { var items: [PublicReport] }

    @Sendable static func nearby(_ req: Request) async throws -> NearbyDTO {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        guard let code = req.query[String.self, at: "category"], let category = d.categories[code] else {
            throw IOCError.invalid("category", vi: "Lĩnh vực không tồn tại.", en: "Unknown category.")
        }
        let point = try FieldReportService.coordinate(lat: req.query[String.self, at: "lat"], lon: req.query[String.self, at: "lon"])
        let now = req.application.clock.now
        let found = try await CaseMedia.nearby(category: category, point: point, now: now, on: req.db)
        return NearbyDTO(items: found.map { CaseViews.publicReport($0.0, app: req.application, d: d, now: now, distance: $0.1) })
    }

    // MARK: Public list and figures

    struct PublicList: Content {
        var items: [PublicReport]
        var page: Int
        var pageSize: Int
        var total: Int
    }

    @Sendable static func publicList(_ req: Request) async throws -> PublicList {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let now = req.application.clock.now
        let page = try intQuery(req, "page", range: 1...100_000) ?? 1
        let pageSize = try intQuery(req, "pageSize", range: 1...500) ?? 50
        let q = CaseModel.query(on: req.db).filter(\.$isPublic == true).filter(\.$status != CaseStatus.rejected.rawValue)
        switch req.query[String.self, at: "status"] {
        case nil: break
        case "open": q.filter(\.$status ~~ CaseStatus.openStatuses.map(\.rawValue))
        case "closed": q.filter(\.$status !~ CaseStatus.openStatuses.map(\.rawValue))
        default: throw IOCError.invalid("status", vi: "Trạng thái: open hoặc closed.", en: "status must be open or closed.")
        }
        if let c = req.query[String.self, at: "category"] {
            guard d.categories[c] != nil else { throw IOCError.invalid("category", vi: "Lĩnh vực không tồn tại.", en: "Unknown category.") }
            q.filter(\.$category == c)
        }
        if let a = req.query[String.self, at: "agency"] {
            guard let agency = d.agencyByCode[a] else { throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại.", en: "Unknown agency.") }
            q.filter(\.$agencyID == agency.id)
        }
        if let u = req.query[String.self, at: "unit"] {
            guard req.application.reference.units[u] != nil else { throw IOCError.invalid("unit", vi: "Đơn vị hành chính không tồn tại.", en: "Unknown unit.") }
            q.filter(\.$unitCode == u)
        }
        if let bbox = req.query[String.self, at: "bbox"] {
            let parts = bbox.split(separator: ",").compactMap { Double($0) }
            guard parts.count == 4, parts.allSatisfy(\.isFinite), parts[0] <= parts[2], parts[1] <= parts[3] else {
                throw IOCError.invalid("bbox", vi: "bbox phải là minLon,minLat,maxLon,maxLat.", en: "bbox must be minLon,minLat,maxLon,maxLat.")
            }
            q.filter(\.$lon >= parts[0]).filter(\.$lat >= parts[1]).filter(\.$lon <= parts[2]).filter(\.$lat <= parts[3])
        }
        let total = try await q.count()
        let models = try await q.sort(\.$receivedAt, .descending).range((page - 1) * pageSize..<(page * pageSize)).all()
        var results: [UUID: [String]] = [:]
        if !models.isEmpty {
            for link in try await CaseAttachmentModel.query(on: req.db).filter(\.$caseID ~~ models.compactMap(\.id))
                .filter(\.$role == CaseAttachmentModel.Role.result.rawValue).sort(\.$position).all() {
                results[link.caseID, default: []].append(link.sha256)
            }
        }
        return PublicList(items: models.map { CaseViews.publicReport($0, app: req.application, d: d, now: now, resultPhotos: results[$0.id!] ?? []) },
                          page: page, pageSize: pageSize, total: total)
    }

    struct FigureRow: Content {
        var agency: NamedRef?
        var received = 0
        var handled = 0
        var handledOnTime = 0
        var handledLate = 0
        var open = 0
        var overdue = 0
        var averageHandlingHours: Double?
        var rated = 0
        var satisfied = 0
        var accepted = 0
        var dissatisfied = 0
        var onTimeRate: Double?
        var satisfactionRate: Double?
        var handlingSeconds = 0.0

        mutating func finish() {
            averageHandlingHours = handled > 0 ? ((handlingSeconds / Double(handled) / 3600) * 10).rounded() / 10 : nil
            onTimeRate = handled > 0 ? Double(handledOnTime) / Double(handled) : nil
            satisfactionRate = rated > 0 ? Double(satisfied + accepted) / Double(rated) : nil
        }

        enum CodingKeys: String, CodingKey {
            case agency, received, handled, handledOnTime, handledLate, open, overdue, averageHandlingHours, rated, satisfied, accepted
            case dissatisfied, onTimeRate, satisfactionRate
        }
    }

    struct Figures: Content {
        var year: Int
        var asOf: Date
        var rows: [FigureRow]
        var total: FigureRow
        var definitions: LocalizedMessage
    }

    /// Figures per agency over reports received in a period. "Handled" = resolved or closed after handling
    /// (`resolved`, `closed`); on time = resolved by the deadline in force (extensions approved by the IOC count).
    /// `agencies`: only reports handled by these agencies (a caller's scope); nil: all.
    static func figures(from: Date, to: Date, now: Date, req: Request, agencies: [UUID]? = nil) async throws -> (rows: [FigureRow], total: FigureRow) {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let sql = req.db as! any SQLDatabase
        struct Row: Decodable {
            var agency_id: UUID?
            var status: String
            var handled_late: Bool
            var overdue: Int
            var rating: String?
            var n: Int
            var handling: Double?
        }
        let seconds = sql.iocDialect.secondsBetween("received_at", "resolved_at")
        if let agencies, agencies.isEmpty { return ([], FigureRow()) }
        var query: SQLQueryString = """
            SELECT agency_id, status, handled_late, CASE WHEN due_at <= \(bind: now) THEN 1 ELSE 0 END AS overdue, rating,
                   COUNT(*) AS n, SUM(\(seconds)) AS handling
            FROM cases WHERE kind = 'field_report' AND is_public = \(bind: true) AND received_at >= \(bind: from) AND received_at < \(bind: to)
              AND status NOT IN ('rejected', 'duplicate')
            """
        if let agencies {
            query.appendInterpolation(unsafeRaw: " AND agency_id IN (")
            query.appendInterpolation(binds: agencies)
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(unsafeRaw: " GROUP BY 1, 2, 3, 4, 5")
        let rows = try await sql.raw(query).all(decoding: Row.self)
        var byAgency: [UUID?: FigureRow] = [:]
        var total = FigureRow()
        for r in rows {
            let status = CaseStatus(rawValue: r.status) ?? .new
            func add(_ f: inout FigureRow) {
                f.received += r.n
                if status.isOpen {
                    f.open += r.n
                    if r.overdue == 1 { f.overdue += r.n }
                }
                if status == .resolved || (status == .closed) {
                    f.handled += r.n
                    if r.handled_late { f.handledLate += r.n } else { f.handledOnTime += r.n }
                    f.handlingSeconds += r.handling ?? 0
                }
                switch r.rating {
                case "satisfied": f.satisfied += r.n; f.rated += r.n
                case "accepted": f.accepted += r.n; f.rated += r.n
                case "dissatisfied": f.dissatisfied += r.n; f.rated += r.n
                default: break
                }
            }
            add(&byAgency[r.agency_id, default: FigureRow(agency: CaseViews.agencyRef(r.agency_id, d))])
            add(&total)
        }
        var list = byAgency.values.map { var f = $0; f.finish(); return f }
        list.sort { ($0.received, $0.agency?.code ?? "") > ($1.received, $1.agency?.code ?? "") }
        total.finish()
        return (list, total)
    }

    @Sendable static func publicFigures(_ req: Request) async throws -> Figures {
        let calendar = try await req.application.calendarStore.current(on: req.db)
        let now = req.application.clock.now
        let year = try intQuery(req, "year", range: 2000...2100) ?? calendar.civilDate(of: now).year
        let from = calendar.instant(on: CivilDate(year: year, month: 1, day: 1), at: .init(hour: 0))
        let to = calendar.instant(on: CivilDate(year: year + 1, month: 1, day: 1), at: .init(hour: 0))
        let (rows, total) = try await figures(from: from, to: to, now: now, req: req)
        return Figures(year: year, asOf: now, rows: rows, total: total, definitions: LocalizedMessage(
            vi: "Phản ánh tiếp nhận trong năm (không tính spam và phản ánh trùng). Đã xử lý đúng hạn: hoàn thành trước hạn (kể cả hạn đã được gia hạn). Tỷ lệ hài lòng: (hài lòng + chấp nhận) / số đánh giá.",
            en: "Reports received in the year (spam and duplicates excluded). Handled on time: resolved by the deadline in force (approved extensions included). Satisfaction: (satisfied + accepted) / ratings."))
    }

    struct SummaryDTO: Content {
        var asOf: Date
        var receivedToday: Int
        var open: Int
        var overdue: Int
        var nearDeadline: Int
        var monthOnTimeRate: Double?
        var monthHandled: Int
        var yearSatisfactionRate: Double?
        var lastReportAt: Date?
    }

    @Sendable static func summary(_ req: Request) async throws -> SummaryDTO {
        let calendar = try await req.application.calendarStore.current(on: req.db)
        let now = req.application.clock.now
        let today = calendar.civilDate(of: now)
        let dayStart = calendar.instant(on: today, at: .init(hour: 0))
        let monthStart = calendar.instant(on: CivilDate(year: today.year, month: today.month, day: 1), at: .init(hour: 0))
        let yearStart = calendar.instant(on: CivilDate(year: today.year, month: 1, day: 1), at: .init(hour: 0))
        let open = CaseStatus.openStatuses.map(\.rawValue)
        // The caller's agencies, as in its case lists (officers: their agency and those below it).
        let ids = req.principal?.user == nil ? nil
            : try await req.visibleAgencyIDs(try await req.application.agencyDirectory.snapshot(on: req.db)).map { Array($0) }
        let base = {
            let q = CaseModel.query(on: req.db).filter(\.$kind == "field_report")
            if let ids { q.filter(\.$agencyID ~~ ids) }
            return q
        }
        let month = try await figures(from: monthStart, to: now.addingTimeInterval(1), now: now, req: req, agencies: ids).total
        let year = try await figures(from: yearStart, to: now.addingTimeInterval(1), now: now, req: req, agencies: ids).total
        return SummaryDTO(
            asOf: now,
            receivedToday: try await base().filter(\.$receivedAt >= dayStart).count(),
            open: try await base().filter(\.$status ~~ open).count(),
            overdue: try await base().filter(\.$status ~~ open).filter(\.$dueAt <= now).count(),
            nearDeadline: try await base().filter(\.$status ~~ open).filter(\.$warnAt <= now).filter(\.$dueAt > now).count(),
            monthOnTimeRate: month.onTimeRate, monthHandled: month.handled, yearSatisfactionRate: year.satisfactionRate,
            lastReportAt: try await base().sort(\.$receivedAt, .descending).first()?.receivedAt)
    }

    // MARK: Routing table

    struct RuleDTO: Content {
        var id: UUID
        var category: String?
        var unit: String?
        var agency: NamedRef?
        var target: String
        var note: String
    }

    struct RuleList: Content { var items: [RuleDTO] }

    static func ruleDTO(_ r: RoutingRuleModel, _ d: CaseDirectory.Snapshot) -> RuleDTO {
        RuleDTO(id: r.id!, category: r.category, unit: r.unitCode, agency: CaseViews.agencyRef(r.agencyID, d), target: r.target, note: r.note)
    }

    @Sendable static func routingList(_ req: Request) async throws -> RuleList {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let rules = try await RoutingRuleModel.query(on: req.db).all()
        let order = Dictionary(uniqueKeysWithValues: d.orderedCategories.enumerated().map { ($0.element.code, $0.offset) })
        return RuleList(items: rules.sorted {
            (order[$0.category ?? ""] ?? 999, $0.unitCode ?? "") < (order[$1.category ?? ""] ?? 999, $1.unitCode ?? "")
        }.map { ruleDTO($0, d) })
    }

    struct RuleInput: Content {
        var category: String?
        var unit: String?
        var target: String
        var agency: String?
        var note: String?
    }

    @Sendable static func routingCreate(_ req: Request) async throws -> RuleDTO {
        let input = try req.decodeBody(RuleInput.self)
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        if let c = input.category, d.categories[c] == nil { throw IOCError.invalid("category", vi: "Lĩnh vực không tồn tại.", en: "Unknown category.") }
        if let u = input.unit {
            guard let unit = req.application.reference.units[u], unit.provinceCode == req.application.iocConfiguration.provinceCode else {
                throw IOCError.invalid("unit", vi: "Xã/phường không thuộc tỉnh.", en: "The commune is not in this province.")
            }
        }
        guard ["agency", "commune", "police"].contains(input.target) else {
            throw IOCError.invalid("target", vi: "Đích: agency, commune hoặc police.", en: "target must be agency, commune or police.")
        }
        var agencyIDInput: UUID?
        if input.target == "agency" {
            guard let code = input.agency, let a = d.agencyByCode[code], a.active else {
                throw IOCError.invalid("agency", vi: "Chọn cơ quan xử lý đang hoạt động.", en: "Choose an active agency.")
            }
            agencyIDInput = a.id
        } else if input.agency != nil {
            throw IOCError.invalid("agency", vi: "Chỉ chọn cơ quan khi đích là agency.", en: "agency is only used with target agency.")
        }
        if input.category == nil && input.unit == nil {
            throw IOCError.invalid("category", vi: "Quy tắc cần lĩnh vực hoặc xã/phường.", en: "A rule needs a category or a commune.")
        }
        let note = try Validate.text(input.note, field: "note", max: 500, required: false) ?? ""
        let agencyID = agencyIDInput
        let rule: RoutingRuleModel = try await req.application.audit.transaction(on: req.db) { tx in
            let r = RoutingRuleModel()
            r.category = input.category
            r.unitCode = input.unit
            r.target = input.target
            r.agencyID = agencyID
            r.note = note
            r.createdAt = req.now
            try await r.create(on: tx)
            return (r, req.auditRecord("routing.create", targetType: "fr_routing_rule", targetID: r.id!.uuidString,
                                       details: "category=\(input.category ?? "*") unit=\(input.unit ?? "*") target=\(input.target) agency=\(input.agency ?? "")"))
        }
        return ruleDTO(rule, d)
    }

    @Sendable static func routingDelete(_ req: Request) async throws -> HTTPStatus {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw IOCError.notFound("Rule", vi: "quy tắc") }
        try await req.application.audit.transaction(on: req.db) { tx in
            guard let r = try await RoutingRuleModel.find(id, on: tx) else { throw IOCError.notFound("Rule", vi: "quy tắc") }
            try await r.delete(on: tx)
            return ((), req.auditRecord("routing.delete", targetType: "fr_routing_rule", targetID: id.uuidString))
        }
        return .noContent
    }

    struct RoutePreview: Content {
        var unit: NamedRef?
        var agency: NamedRef?
        var rule: RuleDTO?
    }

    @Sendable static func routePreview(_ req: Request) async throws -> RoutePreview {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        guard let code = req.query[String.self, at: "category"], d.categories[code] != nil else {
            throw IOCError.invalid("category", vi: "Lĩnh vực không tồn tại.", en: "Unknown category.")
        }
        let point = try FieldReportService.coordinate(lat: req.query[String.self, at: "lat"], lon: req.query[String.self, at: "lon"])
        let unit = try req.application.communeCode(of: point)
        let route = try await FieldReportService.route(category: code, unitCode: unit, directory: d, on: req.db)
        return RoutePreview(unit: CaseViews.unitRef(unit, app: req.application),
                            agency: route.agency.map { NamedRef(code: $0.code, name: $0.name, nameEn: $0.nameEn) },
                            rule: route.rule.map { ruleDTO($0, d) })
    }
}

/// Per-client limit on anonymous intake: `limit` reports per 10-minute window from one address, counted in the
/// database (`ThrottleStore`) so that every instance shares the count.
enum IntakeThrottle {
    static let window: TimeInterval = 600

    static func admit(_ key: String, limit: Int, app: Application, on db: any Database) async throws {
        guard limit > 0 else { return }
        let throttle = try ThrottleStore(db, now: app.securityClock.now)
        let counted = try await throttle.hit("intake:\(key)", window: window)
        guard counted.hits > limit else { return }
        var e = IOCError(.tooManyRequests, code: "rate_limited",
                         vi: "Bạn đã gửi quá nhiều phản ánh. Vui lòng thử lại sau \(max(1, (counted.retryAfter + 59) / 60)) phút.",
                         en: "Too many reports from this connection. Try again in \(max(1, (counted.retryAfter + 59) / 60)) minutes.")
        e.headers.replaceOrAdd(name: .retryAfter, value: String(max(1, counted.retryAfter)))
        throw e
    }
}
