import Fluent
import Foundation
import IOCCore
import Vapor

/// CAP from outside (national forecasting centres, neighbouring provinces): parsed with no DTD, no entities and no
/// network access (`CAPParser`), validated, stored with its document; it becomes an event, and an alarm when one of
/// its areas concerns the province. An expired alert is stored as expired, never refused for its age. Also the
/// province's own published alerts: `/cap/alerts.atom` and `/cap/alerts/{identifier}.xml`.
enum CAPInbound {
    struct Received: Content { var id: UUID; var identifier: String; var version: String; var inProvince: Bool; var expired: Bool; var duplicate: Bool }

    static func problem(_ e: CAPError) -> IOCError {
        IOCError(.unprocessableEntity, code: "cap_\(e.code.rawValue)", vi: e.message.vi, en: e.message.en, field: e.path)
    }

    @Sendable static func receive(_ req: Request) async throws -> Response {
        let ct = req.headers.contentType
        guard let ct, ct.type == "application", ["cap+xml", "xml"].contains(ct.subType) || (ct.type == "text" && ct.subType == "xml") else {
            throw IOCError(.unsupportedMediaType, code: "unsupported_media_type", vi: "Nội dung phải là CAP (Content-Type: application/cap+xml hoặc application/xml).",
                           en: "The body must be CAP (Content-Type: application/cap+xml or application/xml).")
        }
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu nội dung.", en: "The body is missing.")
        }
        let bytes = Array(body.readableBytesView)
        let source = req.principal?.auditName ?? "anonymous"
        let r = try await store(bytes, source: source, app: req.application, db: req.db, now: req.now)
        let response = try await r.encodeResponse(status: r.duplicate ? .ok : .created, for: req)
        return response
    }

    /// Validates and stores one CAP document (idempotent per sender, identifier and sent).
    static func store(_ bytes: [UInt8], source: String, app: Application, db: any Database, now: Date) async throws -> Received {
        let alert: CAPAlert
        do { alert = try CAPParser.parse(bytes) } catch { throw problem(error) }
        guard alert.version != .v1_0 else {
            throw IOCError.invalid("alert", vi: "CAP 1.0 không được hỗ trợ; hãy gửi CAP 1.2.", en: "CAP 1.0 is not supported; send CAP 1.2.")
        }
        if let existing = try await CAPInboundModel.query(on: db).filter(\.$sender == alert.sender).filter(\.$identifier == alert.identifier)
            .filter(\.$sent == alert.sent.text).first() {
            return Received(id: existing.id!, identifier: existing.identifier, version: existing.version, inProvince: existing.inProvince,
                            expired: existing.expires.map { $0 <= now } ?? false, duplicate: true)
        }
        let info = alert.infos.first { $0.language.lowercased().hasPrefix("vi") } ?? alert.infos.first
        let expires = alert.infos.compactMap { $0.expires?.date }.max()
        let areas = alert.infos.flatMap(\.areas)
        let inProvince = concerns(areas, app: app)
        let m = CAPInboundModel()
        m.id = UUID()
        m.identifier = alert.identifier
        m.sender = alert.sender
        m.sent = alert.sent.text
        m.version = alert.version == .v1_1 ? "1.1" : "1.2"
        m.status = alert.status.rawValue
        m.msgType = alert.msgType.rawValue
        m.event = info?.event ?? ""
        m.severity = info?.severity.rawValue ?? "Unknown"
        m.urgency = info?.urgency.rawValue ?? "Unknown"
        m.certainty = info?.certainty.rawValue ?? "Unknown"
        m.headline = String((info?.headline ?? info?.event ?? alert.identifier).prefix(190))
        m.areas = String(decoding: try JSONEncoder().encode(Array(Array(Set(areas.map(\.areaDesc))).sorted().prefix(50))), as: UTF8.self)
        m.expires = expires
        m.inProvince = inProvince
        m.xml = String(decoding: bytes, as: UTF8.self)
        m.source = source
        m.receivedAt = now
        let expired = expires.map { $0 <= now } ?? false
        let actual = alert.status == .actual
        let severe = info.map { [.extreme, .severe].contains($0.severity) } ?? false
        let level = !actual || expired ? "info" : (inProvince ? (severe ? "major" : "minor") : "info")
        let key = "cap/\(alert.sender)/\(alert.identifier)"
        let clearing = alert.msgType == .cancel
        let event = EventService.Valid(externalID: "cap/\(m.id!.uuidString)", kind: "warnings.cap", level: clearing ? "info" : level, occurredAt: min(now, alert.sent.date),
                                       title: "CAP: \(m.headline)", titleEn: "CAP: \(m.headline)",
                                       description: String(("\(alert.sender) · \(m.event) · \(m.severity)/\(m.urgency)/\(m.certainty)" + (expired ? " · hết hiệu lực / expired" : "")).prefix(2_000)),
                                       unitCode: nil, lat: nil, lon: nil,
                                       alarmKey: inProvince && actual ? (alert.references?.entries.first.map { "cap/\($0.sender)/\($0.identifier)" } ?? key) : nil,
                                       clear: clearing && inProvince && actual)
        try await m.create(on: db)
        do {
            _ = try await EventService.ingest([event], sourceID: EventService.manualSource, sourceName: "CAP", actor: source, origin: "cap", app: app, db: db, now: now)
        } catch {
            try? await m.delete(on: db)
            throw error
        }
        _ = app.live.publish(topic: WarningService.topic, json: #"{"kind":"cap"}"#)
        return Received(id: m.id!, identifier: m.identifier, version: m.version, inProvince: inProvince, expired: expired, duplicate: false)
    }

    /// Whether an alert's areas touch the province: a GSO geocode of the province or one of its communes, a polygon or
    /// circle centre inside it, or a point of a polygon inside it.
    static func concerns(_ areas: [CAPArea], app: Application) -> Bool {
        let province = app.iocConfiguration.provinceCode
        for a in areas {
            for g in a.geocodes where ["GSO", "gso", "MAXA", "MATINH"].contains(g.valueName) {
                if g.value == province || app.reference.units[g.value]?.provinceCode == province { return true }
            }
            let points = a.polygons.flatMap { $0 } + a.circles.map(\.center)
            for p in points {
                if (try? app.communeCode(of: Coordinate(latitude: p.latitude, longitude: p.longitude))) != nil { return true }
            }
        }
        return false
    }

    struct InboundDTO: Content {
        var id: UUID; var identifier: String; var sender: String; var sent: String; var version: String; var status: String; var msgType: String
        var event: String; var severity: String; var urgency: String; var certainty: String; var headline: String; var areas: [String]
        var expires: Date?; var expired: Bool; var inProvince: Bool; var receivedAt: Date; var source: String
    }

    @Sendable static func list(_ req: Request) async throws -> [InboundDTO] {
        try await CAPInboundModel.query(on: req.db).sort(\.$receivedAt, .descending).limit(200).all().map { m in
            InboundDTO(id: m.id!, identifier: m.identifier, sender: m.sender, sent: m.sent, version: m.version, status: m.status, msgType: m.msgType,
                       event: m.event, severity: m.severity, urgency: m.urgency, certainty: m.certainty, headline: m.headline,
                       areas: (try? JSONDecoder().decode([String].self, from: Data(m.areas.utf8))) ?? [], expires: m.expires,
                       expired: m.expires.map { $0 <= req.now } ?? false, inProvince: m.inProvince, receivedAt: m.receivedAt, source: m.source)
        }
    }

    // MARK: Published alerts

    static func base(_ req: Request) -> String {
        if let u = req.application.iocConfiguration.publicURL { return u.hasSuffix("/") ? String(u.dropLast()) : u }
        let scheme = req.application.iocConfiguration.publicURLIsHTTPS ? "https" : "http"
        return "\(scheme)://\(req.headers.first(name: .host) ?? "localhost")"
    }

    @Sendable static func feed(_ req: Request) async throws -> Response {
        let list = try await WarningModel.query(on: req.db).filter(\.$capXML != nil).sort(\.$publishedAt, .descending).limit(100).all()
        let base = base(req)
        var entries: [(alert: CAPAlert, url: String)] = []
        for w in list {
            guard let xml = w.capXML, let a = try? CAPParser.parse(Array(xml.utf8)) else { continue }
            entries.append((a, base + WarningService.capPath(w.identifier)))
        }
        let province = req.application.reference.units[req.application.iocConfiguration.provinceCode]?.name ?? ""
        let body = CAPAtom.feed(id: base + "/cap/alerts.atom", title: "Cảnh báo – IOC \(province)", updated: list.first?.publishedAt ?? req.now,
                                selfURL: base + "/cap/alerts.atom", entries: entries)
        let r = Response(status: .ok, body: .init(string: body))
        r.headers.contentType = HTTPMediaType(type: "application", subType: "atom+xml", parameters: ["charset": "utf-8"])
        r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=30")
        return r
    }

    @Sendable static func document(_ req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        guard file.hasSuffix(".xml"), file.count <= 120 else { throw IOCError.notFound("CAP alert", vi: "bản tin CAP") }
        let identifier = String(file.dropLast(4))
        guard (try? Validate.code(identifier, field: "identifier", max: 120)) != nil else { throw IOCError.notFound("CAP alert", vi: "bản tin CAP") }
        guard let w = try await WarningModel.query(on: req.db).filter(\.$identifier == identifier).first(), let xml = w.capXML else {
            throw IOCError.notFound("CAP alert", vi: "bản tin CAP")
        }
        let r = Response(status: .ok, body: .init(string: xml))
        r.headers.contentType = HTTPMediaType(type: "application", subType: "cap+xml", parameters: ["charset": "utf-8"])
        r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return r
    }
}

/// Loudspeaker clusters and the API they pull their playlist from.
enum Loudspeakers {
    struct Input: Content { var code: String?; var name: String?; var unitCode: String?; var lat: Double?; var lon: Double? }
    struct DTO: Content { var code: String; var name: String; var unitCode: String; var unitName: String?; var lat: Double; var lon: Double; var lastSeenAt: Date? }
    struct Created: Content { var cluster: DTO; var apiKey: String }

    static func dto(_ c: LoudspeakerModel, app: Application) -> DTO {
        DTO(code: c.id ?? "", name: c.name, unitCode: c.unitCode, unitName: app.reference.units[c.unitCode]?.name, lat: c.lat, lon: c.lon, lastSeenAt: c.lastSeenAt)
    }

    @Sendable static func list(_ req: Request) async throws -> [DTO] {
        try await LoudspeakerModel.query(on: req.db).sort(\.$id).all().map { dto($0, app: req.application) }
    }

    /// Registers a cluster with a key of kind `loudspeaker` (returned once).
    static func register(_ i: Input, app: Application, db: any Database, actor: String, origin: String, now: Date) async throws -> Created {
        let code: String, name: String
        do {
            code = try Validate.code(i.code, field: "code", max: 32)
            name = try Validate.required(i.name, field: "name", max: 160)
        } catch let v as ValidationFailure { throw IOCError.validation(v) }
        guard let la = i.lat, let lo = i.lon, la.isFinite, lo.isFinite, let commune = try? app.communeCode(of: Coordinate(latitude: la, longitude: lo)) else {
            throw IOCError.invalid("lat", vi: "Vị trí cụm loa nằm ngoài địa bàn tỉnh.", en: "The cluster lies outside the province.")
        }
        if let u = i.unitCode, u != commune {
            throw IOCError.invalid("unitCode", vi: "Vị trí không thuộc xã/phường \(u).", en: "The point is not in commune \(u).")
        }
        let key = APIKey.generate()
        let c = LoudspeakerModel()
        c.id = code; c.name = name; c.unitCode = commune; c.lat = la; c.lon = lo; c.createdAt = now
        try await app.audit.transaction(on: db) { tx in
            guard try await LoudspeakerModel.find(code, on: tx) == nil else {
                throw IOCError.conflict("code", vi: "Đã có cụm loa \(code).", en: "Cluster \(code) already exists.")
            }
            let s = SourceModel(name: "loudspeaker:\(code)", kind: SourceKind.loudspeaker.rawValue, description: name, expectedFreshnessSeconds: 3600)
            s.keyHash = APIKey.hash(key)
            s.keyPrefix = APIKey.prefix(key)
            try await s.create(on: tx)
            c.sourceID = s.id!
            try await c.create(on: tx)
            return ((), AuditRecord(actor: actor, action: "loudspeakers.create", targetType: "loudspeaker", targetID: code, origin: origin, details: commune))
        }
        return Created(cluster: dto(c, app: app), apiKey: key)
    }

    @Sendable static func create(_ req: Request) async throws -> Created {
        try await register(try req.decodeBody(Input.self), app: req.application, db: req.db, actor: req.principal?.auditName ?? "", origin: req.clientAddress, now: req.now)
    }

    static func cluster(_ req: Request) async throws -> LoudspeakerModel? {
        guard case .source(let s)? = req.principal else { return nil }
        guard let c = try await LoudspeakerModel.query(on: req.db).filter(\.$sourceID == s.id).first() else {
            throw IOCError(.forbidden, code: "forbidden", vi: "Khóa không thuộc cụm loa nào.", en: "The key belongs to no cluster.")
        }
        return c
    }

    struct Playlist: Content {
        struct Item: Content { var id: UUID; var title: String; var text: String; var audioUrl: String?; var audioType: String; var playAt: [String]; var warning: String?; var status: String }
        var cluster: String
        var items: [Item]
    }

    @Sendable static func playlist(_ req: Request) async throws -> Playlist {
        guard let c = try await cluster(req) else { throw IOCError.forbidden }
        let now = req.now
        c.lastSeenAt = now
        try await c.save(on: req.db)
        let ds = try await BroadcastDeliveryModel.query(on: req.db).filter(\.$cluster == c.id ?? "").filter(\.$status ~~ ["pending", "fetched"]).all()
        guard !ds.isEmpty else { return Playlist(cluster: c.id ?? "", items: []) }
        let bs = try await BroadcastModel.query(on: req.db).filter(\.$id ~~ ds.map(\.broadcastID))
            .field(\.$id).field(\.$warningID).field(\.$title).field(\.$text).field(\.$audioType).field(\.$playAt).all()
        let ws = Dictionary(try await WarningModel.query(on: req.db).filter(\.$id ~~ bs.compactMap(\.warningID)).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var items: [Playlist.Item] = []
        for b in bs {
            // A warning no longer in force is not played.
            if let wid = b.warningID, let w = ws[wid], WarningService.status(w, now: now) != "published" { continue }
            let d = ds.first { $0.broadcastID == b.id }
            items.append(.init(id: b.id!, title: b.title, text: b.text, audioUrl: b.audioType == "text/plain" ? nil : "/api/v1/broadcast/items/\(b.id!.uuidString)/audio",
                               audioType: b.audioType, playAt: (try? JSONDecoder().decode([String].self, from: Data(b.playAt.utf8))) ?? [],
                               warning: b.warningID.flatMap { ws[$0]?.identifier }, status: d?.status ?? "pending"))
        }
        for d in ds where d.status == "pending" && items.contains(where: { $0.id == d.broadcastID }) {
            d.status = "fetched"
            d.fetchedAt = now
            try await d.save(on: req.db)
        }
        return Playlist(cluster: c.id ?? "", items: items.sorted { ($0.playAt.first ?? "") < ($1.playAt.first ?? "") })
    }

    static func item(_ req: Request) async throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw IOCError.notFound("Bulletin", vi: "bản tin") }
        return id
    }

    @Sendable static func audio(_ req: Request) async throws -> Response {
        let id = try await item(req)
        if let c = try await cluster(req) {
            guard try await BroadcastDeliveryModel.query(on: req.db).filter(\.$broadcastID == id).filter(\.$cluster == c.id ?? "").first() != nil else {
                throw IOCError.notFound("Bulletin", vi: "bản tin")
            }
        }
        guard let b = try await BroadcastModel.find(id, on: req.db), !b.audio.isEmpty else { throw IOCError.notFound("Bulletin audio", vi: "âm thanh bản tin") }
        let r = Response(status: .ok, body: .init(data: b.audio))
        r.headers.replaceOrAdd(name: .contentType, value: b.audioType)
        r.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return r
    }

    struct Report: Content { var status: String?; var note: String? }

    @Sendable static func report(_ req: Request) async throws -> HTTPStatus {
        let id = try await item(req)
        guard let c = try await cluster(req) else { throw IOCError.forbidden }
        let body = try req.decodeBody(Report.self)
        guard let s = body.status, ["played", "failed"].contains(s) else {
            throw IOCError.invalid("status", vi: "status: played hoặc failed.", en: "status must be played or failed.")
        }
        let note = try Validate.text(body.note, field: "note", max: 500, required: false)
        guard let d = try await BroadcastDeliveryModel.query(on: req.db).filter(\.$broadcastID == id).filter(\.$cluster == c.id ?? "").first() else {
            throw IOCError.notFound("Bulletin", vi: "bản tin")
        }
        d.status = s
        d.reportedAt = req.now
        d.note = note
        try await d.save(on: req.db)
        _ = req.application.live.publish(topic: WarningService.topic, json: #"{"kind":"broadcast"}"#)
        return .noContent
    }
}
