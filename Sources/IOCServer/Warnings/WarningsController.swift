import Fluent
import Foundation
import IOCCore
import Vapor

/// Cảnh báo, truyền thanh thông minh: alert rules, warnings and their approval, CAP in and out, loudspeaker clusters.
enum WarningsController {
    static let staff: Access = .roles([.admin, .operator, .leader, .officer, .analyst])
    static let drafters: Access = .roles([.admin, .operator])
    static let approvers: Access = .roles([.admin, .leader])

    static func register(_ api: APIBuilder, app: Application) {
        let r = api.group("alert-rules", tag: "Warnings")
        r.on(.GET, access: staff, summary: "Alert rules with the subjects firing now", response: .any, use: rules)
        r.on(.GET, "sources", access: staff, summary: "The series rules can watch (every module's), with their parameters", response: .any, use: sources)
        r.on(.POST, access: drafters, summary: "Add a rule (disabled unless enabled is true)", body: .any, response: .any, status: .created, use: createRule)
        r.on(.PUT, ":code", access: drafters, summary: "Change a rule (enable or disable it)", body: .any, response: .any, use: updateRule)
        r.on(.POST, "test", access: drafters, summary: "Try a rule against stored history: the raises and clears it would have made per subject",
             body: .object(["rule": .any, "from": .dateTime, "to": .dateTime], required: ["rule", "from", "to"]), response: .any, use: testRule)
        let w = api.group("warnings", tag: "Warnings")
        w.on(.GET, access: staff, summary: "Warnings (newest first)", query: [.init("status", "draft | submitted | returned | published | cancelled | expired | superseded", .string)],
             response: .any, use: list)
        w.on(.GET, "hazards", access: staff, summary: "Hazards a warning may name", response: .any, use: hazards)
        w.on(.GET, "levels", access: .public, summary: "Risk levels 1–5 and their colours (QĐ 18/2021/QĐ-TTg)", response: .any, use: levels)
        w.on(.POST, access: drafters, summary: "Draft a warning", body: .any, response: .any, status: .created, use: create)
        w.on(.GET, ":id", access: staff, summary: "One warning", response: .any, use: one)
        w.on(.PUT, ":id", access: drafters, summary: "Change a draft or returned warning", body: .any, response: .any, use: edit)
        w.on(.POST, ":id", "submit", access: drafters, summary: "Submit a draft for approval", response: .any, use: submit)
        w.on(.POST, ":id", "approve", access: approvers, summary: "Approve and publish (CAP, wall, public page, feed, loudspeakers)", response: .any, use: approve)
        w.on(.POST, ":id", "return", access: approvers, summary: "Return to the drafter with a reason", body: .object(["reason": .string], required: ["reason"]),
             response: .any, use: sendBack)
        w.on(.POST, ":id", "cancel", access: approvers, summary: "Cancel a published warning (publishes a CAP Cancel)", body: .object(["reason": .string], required: ["reason"]),
             response: .any, use: cancel)
        w.on(.POST, ":id", "update", access: drafters, summary: "Start an update of a published warning (a new draft that references it)", response: .any,
             status: .created, use: startUpdate)
        w.on(.GET, ":id", "broadcast", access: staff, summary: "The warning's broadcast at each commune's cluster", response: .any, use: broadcast)
        api.on(.GET, "public", "warnings", access: .public, summary: "Warnings in force (no sign-in)", response: .any, use: publicList)
        let c = api.group("cap", tag: "Warnings")
        c.on(.POST, "alerts", access: .rolesOrSource([.admin, .operator], kinds: [.cap]),
             summary: "Receive a CAP 1.2 (or 1.1) alert: validated, stored, an event (and an alarm when it concerns the province)",
             body: .any, bodyContentType: "application/cap+xml", response: .any, status: .created, maxBodySize: "1mb", use: CAPInbound.receive)
        c.on(.GET, "alerts", access: staff, summary: "CAP alerts received", response: .any, use: CAPInbound.list)
        let l = api.group("loudspeakers", tag: "Warnings")
        l.on(.GET, access: staff, summary: "Loudspeaker clusters", response: .any, use: Loudspeakers.list)
        l.on(.POST, access: .admin, summary: "Register a commune's cluster; returns its key once", body: .any, response: .any, status: .created, use: Loudspeakers.create)
        let b = api.group("broadcast", tag: "Warnings")
        b.on(.GET, "playlist", access: .rolesOrSource([], kinds: [.loudspeaker]), summary: "The cluster's playlist (its key)", response: .any, use: Loudspeakers.playlist)
        b.on(.GET, "items", ":id", "audio", access: .rolesOrSource([.admin, .operator, .leader], kinds: [.loudspeaker]), summary: "A bulletin's audio",
             response: .binary, responseContentType: "audio/mpeg", use: Loudspeakers.audio)
        b.on(.POST, "items", ":id", "report", access: .rolesOrSource([], kinds: [.loudspeaker]), summary: "The cluster reports playback (played | failed)",
             body: .object(["status": .enumeration(["played", "failed"]), "note": .string], required: ["status"]), response: .any, use: Loudspeakers.report)
        app.get("cap", "alerts.atom", use: CAPInbound.feed)
        app.get("cap", "alerts", ":file", use: CAPInbound.document)
    }

    // MARK: Rules

    @Sendable static func rules(_ req: Request) async throws -> [AlertRuleService.DTO] {
        let all = try await AlertRuleModel.query(on: req.db).sort(\.$id).all()
        let firing = try await AlertRuleStateModel.query(on: req.db).filter(\.$firing == true).all()
        let byRule = Dictionary(grouping: firing, by: \.rule)
        let names = try await AlertRuleService.parameterNames(app: req.application, db: req.db)
        return all.map { AlertRuleService.dto($0, firing: (byRule[$0.id ?? ""] ?? []).map(\.subject).sorted(), names: names) }
    }

    struct SourceDTO: Content { var key: String; var name: LocalizedMessage; var parameters: [SeriesSource.Parameter] }

    @Sendable static func sources(_ req: Request) async throws -> [SourceDTO] {
        var out: [SourceDTO] = []
        for (key, s) in req.application.modules.series.sorted(by: { $0.key < $1.key }) {
            out.append(SourceDTO(key: key, name: s.name, parameters: try await s.parameters(req.application, req.db)))
        }
        return out
    }

    static func actor(_ req: Request) -> String { req.principal?.auditName ?? "anonymous" }

    @Sendable static func createRule(_ req: Request) async throws -> AlertRuleService.DTO {
        let checked = try AlertRuleService.check(try req.decodeBody(AlertRuleService.DTO.self), app: req.application)
        let m = AlertRuleModel()
        try AlertRuleService.apply(checked, to: m, actor: actor(req), now: req.now)
        let (a, origin, code) = (actor(req), req.clientAddress, checked.rule.code)
        try await req.application.audit.transaction(on: req.db) { tx in
            guard try await AlertRuleModel.find(code, on: tx) == nil else {
                throw IOCError.conflict("code", vi: "Đã có quy tắc \(code).", en: "Rule \(code) already exists.")
            }
            try await m.create(on: tx)
            return ((), AuditRecord(actor: a, action: "alert-rules.create", targetType: "alert-rule", targetID: code, origin: origin, details: m.rule))
        }
        return AlertRuleService.dto(m, firing: [], names: try await AlertRuleService.parameterNames(app: req.application, db: req.db))
    }

    @Sendable static func updateRule(_ req: Request) async throws -> AlertRuleService.DTO {
        let code = req.parameters.get("code") ?? ""
        guard (try? Validate.code(code, field: "code", max: 64)) != nil, let m = try await AlertRuleModel.find(code, on: req.db) else {
            throw IOCError.notFound("Rule", vi: "quy tắc")
        }
        var body = try req.decodeBody(AlertRuleService.DTO.self)
        body.code = code
        let checked = try AlertRuleService.check(body, app: req.application)
        try AlertRuleService.apply(checked, to: m, actor: actor(req), now: req.now)
        let (a, origin) = (actor(req), req.clientAddress)
        try await req.application.audit.transaction(on: req.db) { tx in
            try await m.update(on: tx)
            // A changed rule starts again from idle for every subject (its open alarms stay until cleared by hand or by the rule).
            try await AlertRuleStateModel.query(on: tx).filter(\.$rule == code).filter(\.$firing == false).delete()
            return ((), AuditRecord(actor: a, action: "alert-rules.update", targetType: "alert-rule", targetID: code, origin: origin,
                                    details: "enabled=\(m.enabled) \(m.rule)"))
        }
        if m.enabled { req.application.ruleTrigger.request(nil, app: req.application) }
        return AlertRuleService.dto(m, firing: [], names: try await AlertRuleService.parameterNames(app: req.application, db: req.db))
    }

    struct TestInput: Content { var rule: AlertRuleService.DTO; var from: Date; var to: Date }

    @Sendable static func testRule(_ req: Request) async throws -> AlertRuleService.TestResult {
        let input = try req.decodeBody(TestInput.self)
        let checked = try AlertRuleService.check(input.rule, app: req.application)
        guard input.from < input.to, input.to.timeIntervalSince(input.from) <= 31 * 86_400 else {
            throw IOCError.invalid("to", vi: "Khoảng thử tối đa 31 ngày, from trước to.", en: "Try at most 31 days, from before to.")
        }
        return try await AlertRuleService.backtest(checked, from: input.from, to: min(input.to, req.now), app: req.application, db: req.db)
    }

    // MARK: Warnings

    static func find(_ req: Request) async throws -> WarningModel {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let w = try await WarningModel.find(id, on: req.db) else {
            throw IOCError.notFound("Warning", vi: "bản tin cảnh báo")
        }
        return w
    }

    static func dtos(_ list: [WarningModel], req: Request) async throws -> [WarningService.DTO] {
        let summaries = try await BroadcastService.summary(list.compactMap(\.id), on: req.db)
        let refIDs = list.compactMap(\.referencesID)
        let refs = refIDs.isEmpty ? [:] : Dictionary(try await WarningModel.query(on: req.db).filter(\.$id ~~ refIDs).all().map { ($0.id!, $0.identifier) },
                                                      uniquingKeysWith: { a, _ in a })
        let role = req.principal?.user?.role
        return list.map { WarningService.dto($0, app: req.application, role: role, now: req.now, broadcast: summaries[$0.id!],
                                             references: $0.referencesID.flatMap { refs[$0] }) }
    }

    @Sendable static func list(_ req: Request) async throws -> [WarningService.DTO] {
        var q = WarningModel.query(on: req.db).sort(\.$createdAt, .descending).limit(300)
        let status = try? req.query.get(String.self, at: "status")
        if let s = status, s != "expired" { q = q.filter(\.$status == s) }
        var list = try await q.all()
        if let s = status { list = list.filter { WarningService.status($0, now: req.now) == s } }
        return try await dtos(list, req: req)
    }

    struct Named: Content { var code: String; var name: LocalizedMessage }
    struct LevelDTO: Content { var level: Int; var name: LocalizedMessage; var color: String; var colorName: String; var basis: String }

    @Sendable static func hazards(_ req: Request) async throws -> [Named] {
        WarningCatalog.hazards.map { Named(code: $0.code, name: .init(vi: $0.vi, en: $0.en)) }
    }

    @Sendable static func levels(_ req: Request) async throws -> [LevelDTO] {
        WarningCatalog.levels.map { LevelDTO(level: $0.level, name: .init(vi: $0.vi, en: $0.en), color: $0.color, colorName: $0.colorName, basis: WarningCatalog.basis) }
    }

    @Sendable static func one(_ req: Request) async throws -> WarningService.DTO {
        try await dtos([try await find(req)], req: req)[0]
    }

    @Sendable static func create(_ req: Request) async throws -> WarningService.DTO {
        let input = try req.decodeBody(WarningService.Input.self)
        let w = WarningModel()
        w.id = UUID()
        w.msgType = "Alert"
        w.status = "draft"
        w.createdBy = actor(req)
        w.createdAt = req.now
        try WarningService.apply(input, to: w, app: req.application, now: req.now)
        let (a, origin, app, now) = (actor(req), req.clientAddress, req.application, req.now)
        try await app.audit.transaction(on: req.db) { tx in
            w.identifier = try await WarningService.nextIdentifier(app: app, on: tx, now: now)
            try await w.create(on: tx)
            return ((), AuditRecord(actor: a, action: "warnings.draft", targetType: "warning", targetID: w.identifier, origin: origin,
                                    details: "\(w.hazard) level \(w.level)"))
        }
        changed(app)
        return try await dtos([w], req: req)[0]
    }

    static func changed(_ app: Application) { _ = app.live.publish(topic: WarningService.topic, json: #"{"kind":"warnings"}"#) }

    /// Runs a state change of one warning in an audited transaction, refusing it unless the warning is in `from`.
    static func transition(_ req: Request, from: Set<String>, action: String, details: String = "",
                           _ change: @escaping @Sendable (WarningModel, any Database) async throws -> Void) async throws -> WarningService.DTO {
        let w = try await find(req)
        let (a, origin, app, now) = (actor(req), req.clientAddress, req.application, req.now)
        let id = w.id!
        let updated: WarningModel = try await app.audit.transaction(on: req.db) { tx in
            guard let fresh = try await WarningModel.find(id, on: tx) else { throw IOCError.notFound("Warning", vi: "bản tin cảnh báo") }
            guard from.contains(WarningService.status(fresh, now: now)) else {
                throw IOCError.conflict("status", vi: "Bản tin đang ở trạng thái \(WarningService.status(fresh, now: now)): không thực hiện được.",
                                        en: "The warning is \(WarningService.status(fresh, now: now)): this is not possible now.")
            }
            try await change(fresh, tx)
            return (fresh, AuditRecord(actor: a, action: action, targetType: "warning", targetID: fresh.identifier, origin: origin, details: details))
        }
        changed(app)
        return try await dtos([updated], req: req)[0]
    }

    @Sendable static func edit(_ req: Request) async throws -> WarningService.DTO {
        let input = try req.decodeBody(WarningService.Input.self)
        let probe = WarningModel()
        try WarningService.apply(input, to: probe, app: req.application, now: req.now)
        let app = req.application, now = req.now
        return try await transition(req, from: ["draft", "returned"], action: "warnings.edit") { w, tx in
            try WarningService.apply(input, to: w, app: app, now: now)
            try await w.save(on: tx)
        }
    }

    @Sendable static func submit(_ req: Request) async throws -> WarningService.DTO {
        let now = req.now
        return try await transition(req, from: ["draft", "returned"], action: "warnings.submit") { w, tx in
            guard w.expires > now else {
                throw IOCError.invalid("expires", vi: "Bản tin đã quá thời điểm hết hiệu lực: sửa trước khi trình.", en: "The warning has already expired: edit it first.")
            }
            w.status = "submitted"
            w.submittedAt = now
            w.returnReason = nil
            try await w.save(on: tx)
        }
    }

    @Sendable static func approve(_ req: Request) async throws -> WarningService.DTO {
        let w0 = try await find(req)
        // Speech is synthesised before the transaction (it takes a second or two).
        let text = BroadcastService.text(w0, app: req.application)
        let audio = w0.msgType == "Cancel" ? nil : await BroadcastService.synthesize(text, logger: req.logger)
        let (app, now, a) = (req.application, req.now, actor(req))
        let dto = try await transition(req, from: ["submitted"], action: "warnings.publish") { w, tx in
            guard w.expires > now else {
                throw IOCError.conflict("expires", vi: "Bản tin đã hết hiệu lực trước khi duyệt.", en: "The warning expired before approval.")
            }
            try await WarningService.publish(w, by: a, audio: audio, text: text, app: app, tx: tx, now: now)
        }
        return dto
    }

    struct Reason: Content { var reason: String? }

    @Sendable static func sendBack(_ req: Request) async throws -> WarningService.DTO {
        let reason = try Validate.required(try req.decodeBody(Reason.self).reason, field: "reason", max: 1_000)
        return try await transition(req, from: ["submitted"], action: "warnings.return", details: reason) { w, tx in
            w.status = "returned"
            w.returnReason = reason
            try await w.save(on: tx)
        }
    }

    @Sendable static func cancel(_ req: Request) async throws -> WarningService.DTO {
        let reason = try Validate.required(try req.decodeBody(Reason.self).reason, field: "reason", max: 1_000)
        let (app, now, a) = (req.application, req.now, actor(req))
        let original = try await find(req)
        guard WarningService.status(original, now: now) == "published" else {
            throw IOCError.conflict("status", vi: "Chỉ hủy được bản tin đang có hiệu lực.", en: "Only a warning in force can be cancelled.")
        }
        let c = WarningService.follower(of: original, msgType: "Cancel", status: "submitted", by: a, now: now)
        c.headline = "Hủy cảnh báo: \(original.headline)"; c.headlineEn = "Cancelled: \(original.headlineEn)"
        c.description = reason; c.descriptionEn = reason
        c.instruction = "Bản tin cảnh báo trước đây không còn hiệu lực."; c.instructionEn = "The earlier warning is no longer in force."
        c.submittedAt = now
        try await app.audit.transaction(on: req.db) { tx in
            c.identifier = try await WarningService.nextIdentifier(app: app, on: tx, now: now)
            try await c.create(on: tx)
            try await WarningService.publish(c, by: a, audio: nil, text: "", app: app, tx: tx, now: now)
            return ((), AuditRecord(actor: a, action: "warnings.cancel", targetType: "warning", targetID: original.identifier, origin: req.clientAddress,
                                    details: "by \(c.identifier): \(reason)"))
        }
        changed(app)
        return try await dtos([c], req: req)[0]
    }

    @Sendable static func startUpdate(_ req: Request) async throws -> WarningService.DTO {
        let original = try await find(req)
        let (app, now, a) = (req.application, req.now, actor(req))
        guard WarningService.status(original, now: now) == "published" else {
            throw IOCError.conflict("status", vi: "Chỉ cập nhật được bản tin đang có hiệu lực.", en: "Only a warning in force can be updated.")
        }
        let u = WarningService.follower(of: original, msgType: "Update", status: "draft", by: a, now: now)
        try await app.audit.transaction(on: req.db) { tx in
            u.identifier = try await WarningService.nextIdentifier(app: app, on: tx, now: now)
            try await u.create(on: tx)
            return ((), AuditRecord(actor: a, action: "warnings.update", targetType: "warning", targetID: original.identifier, origin: req.clientAddress,
                                    details: "draft \(u.identifier)"))
        }
        changed(app)
        return try await dtos([u], req: req)[0]
    }

    struct DeliveryDTO: Content {
        var cluster: String; var name: String; var unitCode: String; var unitName: String?; var lat: Double; var lon: Double
        var status: String; var fetchedAt: Date?; var playedAt: Date?
    }

    @Sendable static func broadcast(_ req: Request) async throws -> [DeliveryDTO] {
        let w = try await find(req)
        guard let b = try await BroadcastModel.query(on: req.db).filter(\.$warningID == w.id).field(\.$id).first() else { return [] }
        let ds = try await BroadcastDeliveryModel.query(on: req.db).filter(\.$broadcastID == b.id!).all()
        let clusters = Dictionary(try await LoudspeakerModel.query(on: req.db).filter(\.$id ~~ ds.map(\.cluster)).all().map { ($0.id ?? "", $0) },
                                  uniquingKeysWith: { a, _ in a })
        return ds.compactMap { d in
            guard let c = clusters[d.cluster] else { return nil }
            return DeliveryDTO(cluster: d.cluster, name: c.name, unitCode: c.unitCode, unitName: req.application.reference.units[c.unitCode]?.name,
                               lat: c.lat, lon: c.lon, status: d.status, fetchedAt: d.fetchedAt, playedAt: d.status == "played" ? d.reportedAt : nil)
        }.sorted { $0.cluster < $1.cluster }
    }

    struct PublicWarning: Content {
        var identifier: String; var hazard: String; var hazardName: LocalizedMessage; var level: Int; var levelName: LocalizedMessage; var color: String
        var headline: LocalizedMessage; var description: LocalizedMessage; var instruction: LocalizedMessage; var areas: [NamedRef]
        var polygon: [[Double]]?; var circle: WarningService.Input.Circle?; var effective: Date; var expires: Date; var capUrl: String?
    }

    @Sendable static func publicList(_ req: Request) async throws -> Response {
        let now = req.now
        let list = try await WarningModel.query(on: req.db).filter(\.$status == "published").filter(\.$expires > now)
            .sort(\.$level, .descending).sort(\.$publishedAt, .descending).all()
        let out = list.map { w in
            let d = WarningService.dto(w, app: req.application, role: nil, now: now)
            return PublicWarning(identifier: d.identifier, hazard: d.hazard, hazardName: d.hazardName, level: d.level, levelName: d.levelName, color: d.color,
                                 headline: d.headline, description: d.description, instruction: d.instruction, areas: d.areas, polygon: d.polygon,
                                 circle: d.circle, effective: d.effective, expires: d.expires, capUrl: d.capUrl)
        }
        let r = try await out.encodeResponse(for: req)
        r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=15")
        return r
    }
}
