import Fluent
import Foundation
import IOCCore
import Vapor

/// Warnings: draft → submitted → published (approved by a leader) or returned; a published warning is updated or
/// cancelled by a new message that references it. Publishing writes the CAP 1.2 document, which never changes after.
enum WarningService {
    static let topic = "warnings"

    struct Input: Content {
        struct Circle: Content { var lat: Double; var lon: Double; var radiusKm: Double }
        var hazard: String?
        var level: Int?
        var areas: [String]?
        var polygon: [[Double]]?
        var circle: Circle?
        var headline: String?
        var headlineEn: String?
        var description: String?
        var descriptionEn: String?
        var instruction: String?
        var instructionEn: String?
        var effective: Date?
        var expires: Date?
    }

    struct DTO: Content {
        var id: UUID
        var identifier: String
        var msgType: String
        var status: String
        var hazard: String
        var hazardName: LocalizedMessage
        var level: Int
        var levelName: LocalizedMessage
        var color: String
        var areas: [NamedRef]
        var polygon: [[Double]]?
        var circle: Input.Circle?
        var headline: LocalizedMessage
        var description: LocalizedMessage
        var instruction: LocalizedMessage
        var effective: Date
        var expires: Date
        var createdBy: String
        var createdAt: Date
        var submittedAt: Date?
        var approvedBy: String?
        var approvedAt: Date?
        var publishedAt: Date?
        var returnReason: String?
        var ruleCode: String?
        var references: String?
        var capUrl: String?
        var broadcast: BroadcastSummary?
        var actions: [String]
    }

    struct BroadcastSummary: Content { var clusters: Int; var confirmed: Int }

    static func status(_ w: WarningModel, now: Date) -> String {
        w.status == "published" && w.expires <= now ? "expired" : w.status
    }

    static func actions(_ w: WarningModel, role: Role?, now: Date) -> [String] {
        guard let role else { return [] }
        let drafter = role == .admin || role == .operator
        let approver = role == .admin || role == .leader
        switch status(w, now: now) {
        case "draft", "returned": return drafter ? ["edit", "submit"] : []
        case "submitted": return approver ? ["approve", "return"] : []
        case "published": return (approver ? ["cancel"] : []) + (drafter ? ["update"] : [])
        default: return []
        }
    }

    static func dto(_ w: WarningModel, app: Application, role: Role?, now: Date, broadcast: BroadcastSummary? = nil, references: String? = nil) -> DTO {
        let h = WarningCatalog.hazard(w.hazard)
        let l = WarningCatalog.level(w.level)
        let areas = decodeAreas(w).map { NamedRef(code: $0, name: app.reference.units[$0]?.name ?? $0, nameEn: app.reference.units[$0]?.name ?? $0) }
        let polygon = w.polygon.flatMap { try? JSONDecoder().decode([[Double]].self, from: Data($0.utf8)) }
        let circle = w.circle.flatMap { try? JSONDecoder().decode(Input.Circle.self, from: Data($0.utf8)) }
        return DTO(id: w.id!, identifier: w.identifier, msgType: w.msgType, status: status(w, now: now), hazard: w.hazard,
                   hazardName: .init(vi: h?.vi ?? w.hazard, en: h?.en ?? w.hazard), level: w.level,
                   levelName: .init(vi: l?.vi ?? "", en: l?.en ?? ""), color: l?.color ?? "#999999", areas: areas, polygon: polygon, circle: circle,
                   headline: .init(vi: w.headline, en: w.headlineEn), description: .init(vi: w.description, en: w.descriptionEn),
                   instruction: .init(vi: w.instruction, en: w.instructionEn), effective: w.effective, expires: w.expires,
                   createdBy: w.createdBy, createdAt: w.createdAt, submittedAt: w.submittedAt, approvedBy: w.approvedBy, approvedAt: w.approvedAt,
                   publishedAt: w.publishedAt, returnReason: w.returnReason, ruleCode: w.ruleCode, references: references,
                   capUrl: w.capXML != nil ? capPath(w.identifier) : nil, broadcast: broadcast, actions: actions(w, role: role, now: now))
    }

    static func capPath(_ identifier: String) -> String { "/cap/alerts/\(identifier).xml" }
    static func decodeAreas(_ w: WarningModel) -> [String] { (try? JSONDecoder().decode([String].self, from: Data(w.areas.utf8))) ?? [] }

    /// Checks an input and writes it onto a draft.
    static func apply(_ i: Input, to w: WarningModel, app: Application, now: Date) throws {
        do {
            guard let hz = i.hazard, WarningCatalog.hazard(hz) != nil else {
                throw IOCError.invalid("hazard", vi: "Loại thiên tai không hợp lệ (\(WarningCatalog.hazards.map(\.code).joined(separator: ", "))).",
                                       en: "Unknown hazard (\(WarningCatalog.hazards.map(\.code).joined(separator: ", "))).")
            }
            guard let level = i.level, (1...5).contains(level) else {
                throw IOCError.invalid("level", vi: "Cấp độ rủi ro từ 1 đến 5 (QĐ 18/2021/QĐ-TTg).", en: "Risk level is 1 to 5 (QĐ 18/2021/QĐ-TTg).")
            }
            let province = app.iocConfiguration.provinceCode
            let areas = Array(NSOrderedSet(array: i.areas ?? [])).compactMap { $0 as? String }
            guard areas.count <= 200 else { throw IOCError.invalid("areas", vi: "Tối đa 200 xã/phường.", en: "At most 200 communes.") }
            for (n, a) in areas.enumerated() {
                guard let u = app.reference.units[a], u.provinceCode == province, u.code != u.provinceCode else {
                    throw IOCError.invalid("areas[\(n)]", vi: "\(a) không phải xã/phường của tỉnh.", en: "\(a) is not a commune of the province.")
                }
            }
            var polygon: String?
            if let p = i.polygon {
                guard p.count >= 4, p.count <= 500, p.allSatisfy({ $0.count == 2 && (-90...90).contains($0[0]) && (-180...180).contains($0[1]) }), p.first == p.last else {
                    throw IOCError.invalid("polygon", vi: "Vùng vẽ cần ít nhất 4 điểm [vĩ độ, kinh độ], điểm cuối trùng điểm đầu.",
                                           en: "A polygon needs at least 4 [lat, lon] points, the last equal to the first.")
                }
                polygon = String(decoding: try JSONEncoder().encode(p), as: UTF8.self)
            }
            var circle: String?
            if let c = i.circle {
                guard (-90...90).contains(c.lat), (-180...180).contains(c.lon), c.radiusKm > 0, c.radiusKm <= 500 else {
                    throw IOCError.invalid("circle", vi: "Vòng tròn: tâm hợp lệ, bán kính 0–500 km.", en: "Circle: a valid centre and a radius of 0–500 km.")
                }
                circle = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
            }
            guard !areas.isEmpty || polygon != nil || circle != nil else {
                throw IOCError.invalid("areas", vi: "Cần chọn xã/phường hoặc vẽ vùng cảnh báo.", en: "Choose communes or draw the warned area.")
            }
            let headline = try Validate.required(i.headline, field: "headline", max: 160)
            let description = try Validate.required(i.description, field: "description", max: 4_000)
            let instruction = try Validate.required(i.instruction, field: "instruction", max: 4_000)
            let effective = i.effective ?? now
            guard let expires = i.expires else { throw IOCError.invalid("expires", vi: "Cần thời điểm hết hiệu lực.", en: "expires is required.") }
            guard expires > effective, expires.timeIntervalSince(effective) <= 30 * 86_400 else {
                throw IOCError.invalid("expires", vi: "Hết hiệu lực phải sau thời điểm có hiệu lực, tối đa 30 ngày.", en: "expires must be after effective, at most 30 days.")
            }
            w.hazard = hz
            w.level = level
            w.areas = String(decoding: try JSONEncoder().encode(areas), as: UTF8.self)
            w.polygon = polygon
            w.circle = circle
            w.headline = headline
            w.headlineEn = try Validate.text(i.headlineEn, field: "headlineEn", max: 160, required: false) ?? headline
            w.description = description
            w.descriptionEn = try Validate.text(i.descriptionEn, field: "descriptionEn", max: 4_000, required: false) ?? description
            w.instruction = instruction
            w.instructionEn = try Validate.text(i.instructionEn, field: "instructionEn", max: 4_000, required: false) ?? instruction
            w.effective = effective
            w.expires = expires
        } catch let v as ValidationFailure {
            throw IOCError.validation(v)
        }
    }

    /// The next identifier: `<province>-CB-<year>-<number>` (unique per sender, as CAP requires).
    static func nextIdentifier(app: Application, on db: any Database, now: Date) async throws -> String {
        let year = WorkingCalendar.vietnamCivilService.civilDate(of: now).year
        let prefix = "VN-\(app.iocConfiguration.provinceCode)-CB-\(year)-"
        let n = try await WarningModel.query(on: db).filter(\.$identifier =~ prefix).count()
        return prefix + String(format: "%04d", n + 1)
    }

    /// A new message about a published warning (an update or a cancellation), with its areas, texts and level.
    static func follower(of original: WarningModel, msgType: String, status: String, by actor: String, now: Date) -> WarningModel {
        let w = WarningModel()
        w.id = UUID()
        w.hazard = original.hazard; w.level = original.level; w.areas = original.areas; w.polygon = original.polygon; w.circle = original.circle
        w.headline = original.headline; w.headlineEn = original.headlineEn; w.description = original.description; w.descriptionEn = original.descriptionEn
        w.instruction = original.instruction; w.instructionEn = original.instructionEn
        w.effective = now; w.expires = max(original.expires, now.addingTimeInterval(3600))
        w.referencesID = original.id; w.msgType = msgType; w.status = status; w.createdBy = actor; w.createdAt = now; w.ruleCode = original.ruleCode
        return w
    }

    static func sender(_ app: Application) -> String { "ioc@\(app.iocConfiguration.open311Jurisdiction)" }

    // MARK: CAP

    /// The CAP 1.2 document of a warning (one `<info>` per language; areas as commune polygons with GSO geocodes).
    static func cap(_ w: WarningModel, app: Application, sent: Date, references: WarningModel?, msgType: CAPAlert.MsgType) -> CAPAlert {
        let h = WarningCatalog.hazard(w.hazard) ?? WarningCatalog.hazards.last!
        let l = WarningCatalog.level(w.level) ?? WarningCatalog.levels[0]
        var areas: [CAPArea] = []
        let communes = decodeAreas(w)
        for code in communes {
            let name = app.reference.units[code]?.name ?? code
            let polygon = app.reference.boundaries.communes.first { $0.code == code }.map { capRing($0.geometry) } ?? []
            areas.append(CAPArea(areaDesc: name, polygons: polygon.isEmpty ? [] : [polygon], geocodes: [CAPValuePair(valueName: "GSO", value: code)]))
        }
        if let p = w.polygon.flatMap({ try? JSONDecoder().decode([[Double]].self, from: Data($0.utf8)) }) {
            areas.append(CAPArea(areaDesc: "Vùng cảnh báo", polygons: [p.map { CAPPoint(latitude: $0[0], longitude: $0[1]) }]))
        }
        if let c = w.circle.flatMap({ try? JSONDecoder().decode(Input.Circle.self, from: Data($0.utf8)) }) {
            areas.append(CAPArea(areaDesc: "Vùng cảnh báo (bán kính \(AlertRuleService.format(c.radiusKm)) km)",
                                 circles: [CAPCircle(center: CAPPoint(latitude: c.lat, longitude: c.lon), radiusKm: c.radiusKm)]))
        }
        let urgency: CAPInfo.Urgency = msgType == .cancel ? .past : (w.effective <= sent ? .immediate : .expected)
        let params = [CAPValuePair(valueName: "riskLevel", value: String(w.level)), CAPValuePair(valueName: "riskLevelColor", value: l.color),
                      CAPValuePair(valueName: "riskLevelBasis", value: WarningCatalog.basis)]
        func info(_ lang: String, event: String, headline: String, description: String, instruction: String, senderName: String) -> CAPInfo {
            CAPInfo(language: lang, categories: [h.category], event: event, responseTypes: msgType == .cancel ? [.allClear] : h.responses,
                    urgency: urgency, severity: msgType == .cancel ? .minor : l.severity, certainty: .likely,
                    eventCodes: [CAPValuePair(valueName: "IOC-VN", value: h.code)],
                    effective: CAPDateTime(w.effective), expires: CAPDateTime(w.expires), senderName: senderName, headline: headline,
                    description: description, instruction: instruction, parameters: params, areas: areas)
        }
        let province = app.reference.units[app.iocConfiguration.provinceCode]?.name ?? app.iocConfiguration.provinceCode
        return CAPAlert(version: .v1_2, identifier: w.identifier, sender: sender(app), sent: CAPDateTime(sent), status: .actual, msgType: msgType,
                        source: "IOC \(province)", scope: .public,
                        references: references.flatMap { r in r.sent.flatMap(CAPDateTime.init).map { CAPReferences([.init(sender: sender(app), identifier: r.identifier, sent: $0)]) } },
                        infos: [
                            info("vi-VN", event: h.vi, headline: "\(WarningCatalog.short(l.level).vi): \(w.headline)", description: w.description, instruction: w.instruction,
                                 senderName: "Trung tâm giám sát, điều hành đô thị thông minh \(province)"),
                            info("en-US", event: h.en, headline: "\(WarningCatalog.short(l.level).en): \(w.headlineEn)", description: w.descriptionEn, instruction: w.instructionEn,
                                 senderName: "Intelligent Operations Centre, \(province)"),
                        ])
    }

    /// A commune's largest outer ring, thinned to at most 100 points, as a closed CAP polygon.
    static func capRing(_ g: AreaGeometry) -> [CAPPoint] {
        guard let p = g.polygons.max(by: { $0.rings[0].count < $1.rings[0].count }) else { return [] }
        var ring = p.rings[0]
        if ring.count > 100 {
            let step = Double(ring.count - 1) / 99
            ring = (0..<99).map { ring[Int((Double($0) * step).rounded(.down))] }
        }
        var points = ring.map { CAPPoint(latitude: ($0[1] * 1e5).rounded() / 1e5, longitude: ($0[0] * 1e5).rounded() / 1e5) }
        if let f = points.first, points.last != f { points.append(f) }
        return points.count >= 4 ? points : []
    }

    // MARK: Workflow

    /// Publishes a submitted warning: its CAP document, the warning it supersedes, the broadcast to the clusters of its
    /// communes. Runs inside the caller's transaction.
    static func publish(_ w: WarningModel, by actor: String, audio: BroadcastService.Audio?, text: String, app: Application, tx: any Database, now: Date) async throws {
        var previous: WarningModel?
        if let id = w.referencesID { previous = try await WarningModel.find(id, on: tx) }
        let msgType = CAPAlert.MsgType(rawValue: w.msgType) ?? .alert
        let alert = cap(w, app: app, sent: now, references: previous, msgType: msgType)
        do { try alert.validate() } catch {
            throw IOCError.invalid(error.path, vi: "Bản tin chưa hợp lệ theo CAP 1.2: \(error.message.vi)", en: "The warning is not valid CAP 1.2: \(error.message.en)")
        }
        w.sent = alert.sent.text
        w.capXML = CAPWriter.xml(alert)
        w.status = msgType == .cancel ? "cancelled" : "published"
        w.approvedBy = actor
        w.approvedAt = now
        w.publishedAt = now
        try await w.save(on: tx)
        if let previous, previous.status == "published" {
            previous.status = msgType == .cancel ? "cancelled" : "superseded"
            try await previous.save(on: tx)
        }
        if msgType != .cancel { try await BroadcastService.schedule(for: w, audio: audio, text: text, app: app, tx: tx, now: now) }
    }

    /// A firing rule with a proposal drafts a warning for the subject's commune (one open proposal per rule and commune).
    static func propose(rule m: AlertRuleModel, subject s: SeriesSource.Subject, value: Double?, app: Application, now: Date) async throws {
        guard let hazard = m.proposeHazard, let level = m.proposeLevel, let unit = s.unitCode else { return }
        let open = try await WarningModel.query(on: app.db).filter(\.$ruleCode == m.id).filter(\.$status ~~ ["draft", "submitted", "returned"]).all()
        if open.contains(where: { decodeAreas($0).contains(unit) }) { return }
        let h = WarningCatalog.hazard(hazard)
        let unitName = app.reference.units[unit]?.name ?? unit
        let v = value.map { " (\(AlertRuleService.format($0)))" } ?? ""
        let w = WarningModel()
        w.id = UUID()
        w.msgType = "Alert"
        w.status = "draft"
        w.ruleCode = m.id
        w.createdBy = "system:rule:\(m.id ?? "")"
        w.createdAt = now
        try apply(Input(hazard: hazard, level: level, areas: [unit],
                        headline: "\(h?.vi ?? hazard) tại \(unitName)", headlineEn: "\(h?.en ?? hazard) in \(unitName)",
                        description: "Quy tắc \"\(m.name)\" tại \(s.name)\(v). Đề xuất do hệ thống tạo, cần điều hành viên kiểm tra trước khi trình duyệt.",
                        descriptionEn: "Rule \"\(m.nameEn)\" at \(s.name)\(v). Proposed by the system; an operator checks it before submitting.",
                        instruction: "Theo dõi thông tin chính thức, chuẩn bị phương án ứng phó.", instructionEn: "Follow official information and prepare to respond.",
                        effective: now, expires: now.addingTimeInterval(24 * 3600)), to: w, app: app, now: now)
        let actor = w.createdBy
        try await app.audit.transaction(on: app.db) { tx in
            w.identifier = try await nextIdentifier(app: app, on: tx, now: now)
            try await w.create(on: tx)
            return ((), AuditRecord(actor: actor, action: "warnings.propose", targetType: "warning", targetID: w.identifier, origin: "warnings",
                                    details: "rule=\(m.id ?? "") subject=\(s.code)"))
        }
        _ = app.live.publish(topic: topic, json: #"{"kind":"warnings"}"#)
    }
}
