import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// The operators' and officers' console over cases: queues, a case with its timeline and the actions the caller may
/// take, attachments, bulk assignment.
enum CasesController {
    static let readers: Access = .roles([.admin, .operator, .leader, .officer, .analyst])
    static let queues = ["new", "mine", "near", "overdue", "reopened", "open", "all"]

    static func register(_ api: APIBuilder) {
        let c = api.group("cases", tag: "Cases")
        c.on(.GET, access: readers, summary: "Case queues (new, mine, near deadline, overdue, reopened, open, all) with filters and counts",
             query: [.init("queue", "new | mine | near | overdue | reopened | open | all (default open)", .string),
                     .init("status", "Only this status", .string), .init("agency", "Agency code", .string),
                     .init("category", "Category code", .string), .init("unit", "Commune code", .string),
                     .init("q", "Code or words of the description", .string),
                     .init("page", "1…", .integer), .init("pageSize", "1–200 (default 50)", .integer)],
             response: .any, use: list)
        c.on(.GET, ":code", access: readers, summary: "A case: details, photos, timeline, contact (when allowed) and the caller's possible actions",
             response: .any, use: detail)
        c.on(.POST, ":code", "actions", access: .roles([.admin, .operator, .leader, .officer]),
             summary: "Act on a case (verify, reject, assign, reroute, return, start, note, extensions, resolve, close_unhandled, merge)",
             body: .object(["action": .string], required: ["action"]), response: .any, use: act)
        c.on(.POST, ":code", "attachments", access: .roles([.admin, .operator, .officer]),
             summary: "Upload a photo for a case (raw image body; metadata stripped); returns its sha256 for resolve/notes",
             body: .binary, bodyContentType: "image/jpeg", response: .any, status: .created, maxBodySize: "6mb", use: upload)
        c.on(.POST, "bulk-assign", access: .roles([.admin, .operator]), summary: "Assign several cases to one agency",
             body: .object(["codes": .array(.string), "agency": .string], required: ["codes", "agency"]), response: .any, use: bulkAssign)
    }

    /// Officers see their agency's cases (and those of agencies below it); everyone else on the staff sees all.
    static func visibleAgencyIDs(_ req: Request, _ d: CaseDirectory.Snapshot) async throws -> Set<UUID>? {
        guard let codes = try await req.visibleAgencyCodes() else { return nil }
        return Set(codes.compactMap { d.agencyByCode[$0]?.id })
    }

    static func actor(_ req: Request, _ d: CaseDirectory.Snapshot) async throws -> CaseActor {
        let user = try req.requireUser()
        var officer: Set<String>?
        if user.role == .officer { officer = Set(try await req.visibleAgencyCodes() ?? []) }
        return CaseActor(name: "user:\(user.username)", user: user, officerAgencies: officer)
    }

    static func find(_ req: Request, _ d: CaseDirectory.Snapshot) async throws -> CaseModel {
        let code = try CaseService.validCode(req.parameters.get("code") ?? "", field: "code")
        guard let c = try await CaseModel.query(on: req.db).filter(\.$code == code).first() else {
            throw IOCError.notFound("Case", vi: "phản ánh")
        }
        if let visible = try await visibleAgencyIDs(req, d), !(c.agencyID.map(visible.contains) ?? false) {
            throw IOCError.notFound("Case", vi: "phản ánh")
        }
        return c
    }

    struct ListDTO: Content {
        var items: [CaseSummary]
        var page: Int
        var pageSize: Int
        var total: Int
        var counts: [String: Int]
    }

    @Sendable static func list(_ req: Request) async throws -> ListDTO {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let user = try req.requireUser()
        let now = req.application.clock.now
        let queue = req.query[String.self, at: "queue"] ?? "open"
        guard queues.contains(queue) else { throw IOCError.invalid("queue", vi: "Hàng đợi không hợp lệ.", en: "Unknown queue.") }
        let page = try intQuery(req, "page", range: 1...100_000) ?? 1
        let pageSize = try intQuery(req, "pageSize", range: 1...200) ?? 50
        let visible = try await visibleAgencyIDs(req, d)
        var status: String?
        if let s = req.query[String.self, at: "status"] {
            guard CaseStatus(rawValue: s) != nil else { throw IOCError.invalid("status", vi: "Trạng thái không hợp lệ.", en: "Unknown status.") }
            status = s
        }
        var agencyID: UUID?
        if let a = req.query[String.self, at: "agency"] {
            guard let agency = d.agencyByCode[try Validate.code(a, field: "agency")] else {
                throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại.", en: "Unknown agency.")
            }
            agencyID = agency.id
        }
        var category: String?
        if let c = req.query[String.self, at: "category"] {
            guard d.categories[c] != nil else { throw IOCError.invalid("category", vi: "Lĩnh vực không tồn tại.", en: "Unknown category.") }
            category = c
        }
        var unit: String?
        if let u = req.query[String.self, at: "unit"] {
            guard req.application.reference.units[u] != nil else { throw IOCError.invalid("unit", vi: "Đơn vị hành chính không tồn tại.", en: "Unknown unit.") }
            unit = u
        }
        let q = try Validate.text(req.query[String.self, at: "q"], field: "q", max: 100, required: false)
        let open = CaseStatus.openStatuses.map(\.rawValue)

        func base() -> QueryBuilder<CaseModel> {
            let b = CaseModel.query(on: req.db)
            if let visible { b.filter(\.$agencyID ~~ Array(visible)) }
            if let status { b.filter(\.$status == status) }
            if let agencyID { b.filter(\.$agencyID == agencyID) }
            if let category { b.filter(\.$category == category) }
            if let unit { b.filter(\.$unitCode == unit) }
            if let q {
                if q.hasPrefix("PA-") { b.filter(\.$code == q) } else { b.filter(\.$description, .custom("LIKE"), "%\(q.replacingOccurrences(of: "%", with: ""))%") }
            }
            return b
        }
        func apply(_ queue: String, _ b: QueryBuilder<CaseModel>) -> QueryBuilder<CaseModel> {
            switch queue {
            case "new": return b.filter(\.$status ~~ [CaseStatus.new.rawValue, CaseStatus.verified.rawValue])
            case "mine":
                if user.role == .officer { return b.filter(\.$status ~~ [CaseStatus.assigned.rawValue, CaseStatus.inProgress.rawValue]) }
                return b.filter(\.$assigneeID == user.id).filter(\.$status ~~ open)
            case "near": return b.filter(\.$status ~~ open).filter(\.$warnAt <= now).filter(\.$dueAt > now)
            case "overdue": return b.filter(\.$status ~~ open).filter(\.$dueAt <= now)
            case "reopened": return b.filter(\.$status ~~ open).filter(\.$reopenCount > 0)
            case "open": return b.filter(\.$status ~~ open)
            default: return b
            }
        }
        var counts: [String: Int] = [:]
        for name in queues where name != "all" { counts[name] = try await apply(name, base()).count() }
        let query = apply(queue, base())
        let total = try await query.count()
        let sorted = queue == "all" || queue == "new" ? query.sort(\.$receivedAt, .descending) : query.sort(\.$dueAt, .ascending)
        let models = try await sorted.range((page - 1) * pageSize..<(page * pageSize)).all()
        let assignees = try await usernames(models.compactMap(\.assigneeID), on: req.db)
        return ListDTO(items: models.map { CaseViews.summary($0, app: req.application, d: d, now: now, assignees: assignees) },
                       page: page, pageSize: pageSize, total: total, counts: counts)
    }


    /// Display names of the staff who acted on a case (`user:<username>` actors).
    static func staffNames(_ events: [CaseEventModel], on db: any Database) async throws -> [String: String] {
        let usernames = Set(events.map(\.actor).filter { $0.hasPrefix("user:") }.map { String($0.dropFirst(5)) })
        guard !usernames.isEmpty else { return [:] }
        let users = try await UserModel.query(on: db).filter(\.$username ~~ Array(usernames)).all()
        return Dictionary(users.map { ($0.username, $0.displayName) }, uniquingKeysWith: { a, _ in a })
    }
    static func usernames(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let users = try await UserModel.query(on: db).filter(\.$id ~~ Array(Set(ids))).all()
        return Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.username) })
    }

    static func detail(_ c: CaseModel, req: Request, d: CaseDirectory.Snapshot) async throws -> CaseDetail {
        let now = req.application.clock.now
        let actor = try await actor(req, d)
        let agencyCode = c.agencyID.flatMap { d.agencies[$0]?.code }
        let events = try await CaseEventModel.query(on: req.db).filter(\.$caseID == c.id!).sort(\.$at).all()
        let (photos, results) = try await CaseViews.attachments(c.id!, on: req.db)
        let user = actor.user!
        // Contact details: the IOC's operators and admins, and officers of the responsible agency.
        var contact: CaseDetail.Contact?
        var mediaURLs: [String] = []
        let mayContact = user.role == .admin || user.role == .operator || (user.role == .officer && agencyCode.map { actor.officerAgencies?.contains($0) ?? false } == true)
        if let r = try await CaseReporterModel.query(on: req.db).filter(\.$caseID == c.id!).first() {
            if mayContact, r.name != nil || r.phone != nil || r.email != nil {
                contact = .init(name: r.name, phone: r.phone, email: r.email, showName: r.showName)
            }
            mediaURLs = r.mediaURLs?.split(separator: "\n").map(String.init) ?? []
        }
        let duplicates = try await CaseModel.query(on: req.db).filter(\.$duplicateOf == c.code).field(\.$code).all().map(\.code)
        var nearby: [CaseSummary] = []
        if (user.role == .admin || user.role == .operator), c.caseStatus.isOpen, let la = c.lat, let lo = c.lon, let cat = d.categories[c.category] {
            nearby = try await CaseMedia.nearby(category: cat, point: Coordinate(latitude: la, longitude: lo), excluding: c.code, now: now, on: req.db)
                .map { CaseViews.summary($0.0, app: req.application, d: d, now: now) }
        }
        let assignees = try await usernames(c.assigneeID.map { [$0] } ?? [], on: req.db)
        return CaseDetail(
            summary: CaseViews.summary(c, app: req.application, d: d, now: now, assignees: assignees),
            description: c.description, address: c.address,
            photos: photos.map { CaseViews.photoURL(c.code, $0) }, resultText: c.resultText,
            resultPhotos: results.map { CaseViews.photoURL(c.code, $0) }, rating: c.rating, ratingComment: c.ratingComment,
            contact: contact, duplicateOf: c.duplicateOf, duplicates: duplicates,
            extension_: c.extensionUntil.map { .init(requestedAt: c.extensionAt, until: $0, reason: c.extensionReason, requestedBy: c.extensionBy) },
            timeline: CaseViews.timeline(events, d: d, publicOnly: false, code: c.code, names: try await staffNames(events, on: req.db)),
            actions: CaseService.allowedActions(c, actor: actor, agencyCode: agencyCode).map(\.rawValue),
            nearby: nearby, resolvedAt: c.resolvedAt, closedAt: c.closedAt, handledLate: c.handledLate, mediaURLs: mediaURLs)
    }

    @Sendable static func detail(_ req: Request) async throws -> CaseDetail {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        return try await detail(try await find(req, d), req: req, d: d)
    }

    @Sendable static func act(_ req: Request) async throws -> CaseDetail {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let input = try req.decodeBody(CaseActionInput.self)
        guard let action = CaseAction(rawValue: input.action), ![.rate, .reopen, .autoClose, .attach].contains(action) else {
            throw IOCError.invalid("action", vi: "Hành động không hợp lệ.", en: "Unknown action.")
        }
        let c = try await find(req, d)
        let updated = try await CaseService.perform(input, on: c.code, actor: try await actor(req, d), app: req.application, db: req.db,
                                                    origin: req.clientAddress)
        return try await detail(updated, req: req, d: try await req.application.caseDirectory.snapshot(on: req.db))
    }

    struct UploadDTO: Content {
        var sha256: String
        var url: String
        var width: Int
        var height: Int
        var bytes: Int
    }

    @Sendable static func upload(_ req: Request) async throws -> UploadDTO {
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let c = try await find(req, d)
        let actor = try await actor(req, d)
        guard CaseService.allowedActions(c, actor: actor, agencyCode: c.agencyID.flatMap { d.agencies[$0]?.code }).contains(.attach) else {
            throw IOCError.forbidden
        }
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu nội dung ảnh.", en: "The image body is missing.")
        }
        let image = try CaseMedia.sanitize(Array(body.readableBytesView), field: "body")
        let now = req.application.clock.now
        let sha = try await req.application.audit.transaction(on: req.db) { tx in
            let shas = try await CaseMedia.store([image], on: tx, at: now)
            let e = CaseService.newEvent(c, type: "attachment", actor: actor.name, at: now)
            e.photos = shas[0]
            try await e.create(on: tx)
            return (shas[0], AuditRecord(actor: actor.name, action: "case.attach", targetType: "case", targetID: c.code,
                                         origin: req.clientAddress, details: "sha256=\(shas[0])"))
        }
        return UploadDTO(sha256: sha, url: CaseViews.photoURL(c.code, sha), width: image.width, height: image.height, bytes: image.bytes.count)
    }

    struct BulkInput: Content {
        var codes: [String]
        var agency: String
        var note: String?
    }

    struct BulkItem: Content {
        var code: String
        var result: String
        var messages: LocalizedMessage?
    }

    struct BulkResult: Content { var items: [BulkItem] }

    @Sendable static func bulkAssign(_ req: Request) async throws -> BulkResult {
        let input = try req.decodeBody(BulkInput.self)
        guard (1...200).contains(input.codes.count) else {
            throw IOCError.invalid("codes", vi: "Chọn từ 1 đến 200 phản ánh.", en: "Choose 1 to 200 cases.")
        }
        let codes = try input.codes.map { try CaseService.validCode($0, field: "codes") }
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        guard let agency = d.agencyByCode[try Validate.code(input.agency, field: "agency")], agency.active else {
            throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại hoặc đã ngừng hoạt động.", en: "Unknown or inactive agency.")
        }
        let actor = try await actor(req, d)
        var items: [BulkItem] = []
        for code in codes {
            do {
                guard let c = try await CaseModel.query(on: req.db).filter(\.$code == code).first() else {
                    throw IOCError.notFound("Case", vi: "phản ánh")
                }
                let action = c.caseStatus == .assigned || c.caseStatus == .inProgress ? "reroute" : "assign"
                _ = try await CaseService.perform(
                    CaseActionInput(action: action, note: input.note, reason: action == "reroute" ? (input.note ?? "Chuyển hàng loạt / Bulk assignment") : nil,
                                    agency: agency.code),
                    on: code, actor: actor, app: req.application, db: req.db, origin: req.clientAddress)
                items.append(BulkItem(code: code, result: "assigned", messages: nil))
            } catch let e as IOCError {
                items.append(BulkItem(code: code, result: "failed", messages: e.message))
            } catch let f as ValidationFailure {
                items.append(BulkItem(code: code, result: "failed", messages: f.message))
            }
        }
        return BulkResult(items: items)
    }
}
