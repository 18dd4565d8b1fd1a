import Crypto
import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// A field report as it arrives from any channel (the web page, Open311, an operator taking a phone call), before
/// validation.
struct FieldReportSubmission: Sendable {
    var category: String?
    var description: String?
    var lat: String?
    var lon: String?
    var address: String?
    var name: String?
    var phone: String?
    var email: String?
    var consent: Bool = false
    var showName: Bool = false
    var photos: [[UInt8]] = []
    var mediaURLs: [String] = []
    var channel: String = "web"
    /// SHA-256 of the client's idempotency key (scoped by channel).
    var idempotencyHash: String?
    /// The follow token to give the citizen (derived from their idempotency key, so a retry can return it again).
    var followToken: String?
    var requirePhoto: Bool = true
}

/// Intake, routing and duplicate suggestion of field reports.
enum FieldReportService {
    static let maxPhotos = 5
    static let maxPhotoBytes = CaseMedia.maxPhotoBytes
    static let maxDescription = 4000

    struct Created: Sendable {
        var model: CaseModel
        var replayed: Bool
    }

    struct Validated: Sendable {
        var category: CategoryModel.Snapshot
        var description: String
        var point: Coordinate
        var unitCode: String
        var address: String?
        var name, phone, email: String?
        var photos: [SanitizedImage]
        var mediaURLs: [String]
    }

    // MARK: Validation

    static func validate(_ s: FieldReportSubmission, app: Application, directory: CaseDirectory.Snapshot) throws -> Validated {
        guard let raw = s.category, !raw.isEmpty else {
            throw IOCError.invalid("category", vi: "Chọn lĩnh vực phản ánh.", en: "Choose a category.")
        }
        guard let category = directory.categories[raw], category.active else {
            throw IOCError.invalid("category", vi: "Lĩnh vực không tồn tại.", en: "Unknown category.")
        }
        guard let description = try Validate.text(s.description, field: "description", max: maxDescription) else {
            throw IOCError.invalid("description", vi: "Nhập nội dung phản ánh.", en: "Describe the problem.")
        }
        let point = try coordinate(lat: s.lat, lon: s.lon)
        let unitCode = try app.communeCode(of: point)
        let address = try Validate.text(s.address, field: "address", max: 300, required: false)
        let name = try Validate.text(s.name, field: "name", max: 100, required: false)
        var phone = try Validate.text(s.phone, field: "phone", max: 20, required: false)
        if let p = phone {
            let digits = p.filter { $0 != " " && $0 != "." && $0 != "-" }
            guard (8...15).contains(digits.count), digits.enumerated().allSatisfy({ $0.element.isASCII && ($0.element.isNumber || ($0.offset == 0 && $0.element == "+")) }) else {
                throw IOCError.invalid("phone", vi: "Số điện thoại không hợp lệ.", en: "Invalid phone number.")
            }
            phone = digits
        }
        let email = try Validate.text(s.email, field: "email", max: 254, required: false)
        if let e = email {
            let parts = e.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !e.contains(" ") else {
                throw IOCError.invalid("email", vi: "Địa chỉ email không hợp lệ.", en: "Invalid email address.")
            }
        }
        if (name != nil || phone != nil || email != nil) && !s.consent {
            throw IOCError.invalid("consent", vi: "Cần đồng ý cung cấp thông tin liên hệ cho cơ quan xử lý, hoặc bỏ trống các trường liên hệ.",
                                   en: "Agree to share your contact details with the handling agency, or leave them empty.")
        }
        if s.photos.count > maxPhotos {
            throw IOCError.invalid("photos", vi: "Tối đa \(maxPhotos) ảnh.", en: "At most \(maxPhotos) photos.")
        }
        if s.requirePhoto && s.photos.isEmpty {
            throw IOCError.invalid("photos", vi: "Cần ít nhất 1 ảnh.", en: "At least one photo is required.")
        }
        let photos = try s.photos.enumerated().map { try CaseMedia.sanitize($0.element, field: "photos[\($0.offset)]") }
        var mediaURLs: [String] = []
        for url in s.mediaURLs.prefix(5) {
            guard url.utf8.count <= 2048, url.hasPrefix("https://") || url.hasPrefix("http://"), URL(string: url) != nil else {
                throw IOCError.invalid("media_url", vi: "media_url phải là địa chỉ http(s).", en: "media_url must be an http(s) URL.")
            }
            mediaURLs.append(url)
        }
        return Validated(category: category, description: description, point: point, unitCode: unitCode, address: address,
                         name: name, phone: phone, email: email, photos: photos, mediaURLs: mediaURLs)
    }

    static func coordinate(lat: String?, lon: String?) throws -> Coordinate {
        guard let latText = lat, !latText.isEmpty else {
            throw IOCError.invalid("lat", vi: "Thiếu vị trí (vĩ độ). Chọn điểm trên bản đồ.", en: "Location (latitude) is missing. Pick a point on the map.")
        }
        guard let lonText = lon, !lonText.isEmpty else {
            throw IOCError.invalid("lon", vi: "Thiếu vị trí (kinh độ). Chọn điểm trên bản đồ.", en: "Location (longitude) is missing. Pick a point on the map.")
        }
        guard latText.utf8.count <= 32, let la = Double(latText), la.isFinite, (-90...90).contains(la) else {
            throw IOCError.invalid("lat", vi: "Vĩ độ không hợp lệ.", en: "Invalid latitude.")
        }
        guard lonText.utf8.count <= 32, let lo = Double(lonText), lo.isFinite, (-180...180).contains(lo) else {
            throw IOCError.invalid("lon", vi: "Kinh độ không hợp lệ.", en: "Invalid longitude.")
        }
        return Coordinate(latitude: la, longitude: lo)
    }

    // MARK: Routing

    struct Route: Sendable {
        var agency: CaseDirectory.Agency?
        var rule: RoutingRuleModel?
    }

    /// category × commune → agency: the most specific rule wins (category+commune, category, commune); no rule or no
    /// matching agency → the IOC operators' triage (no agency yet).
    static func route(category: String, unitCode: String, directory: CaseDirectory.Snapshot, on db: any Database) async throws -> Route {
        let rules = try await RoutingRuleModel.query(on: db).group(.or) { g in
            g.filter(\.$category == category).filter(\.$category == nil)
        }.all()
        func score(_ r: RoutingRuleModel) -> Int? {
            if let u = r.unitCode, u != unitCode { return nil }
            return (r.category != nil ? 2 : 0) + (r.unitCode != nil ? 1 : 0) + (r.category == nil && r.unitCode == nil ? -1 : 0)
        }
        let ordered = rules.compactMap { r in score(r).map { (r, $0) } }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.createdAt > $1.0.createdAt }
        for (rule, _) in ordered {
            if let agency = resolve(rule, unitCode: unitCode, directory: directory) { return Route(agency: agency, rule: rule) }
        }
        return Route(agency: nil, rule: nil)
    }

    static func resolve(_ rule: RoutingRuleModel, unitCode: String, directory: CaseDirectory.Snapshot) -> CaseDirectory.Agency? {
        switch rule.target {
        case "agency":
            return rule.agencyID.flatMap { directory.agencies[$0] }.flatMap { $0.active ? $0 : nil }
        case "commune":
            return directory.agencies.values.filter { $0.active && $0.kind == AgencyModel.Kind.communeCommittee.rawValue && $0.units.contains(unitCode) }
                .min { $0.units.count < $1.units.count }
        case "police":
            let police = directory.agencies.values.filter { $0.active && $0.kind == AgencyModel.Kind.police.rawValue }
            return police.filter { $0.units.contains(unitCode) }.min { $0.units.count < $1.units.count }
                ?? police.filter { $0.parentID == nil }.min { $0.code < $1.code }
        default:
            return nil
        }
    }

    // MARK: Intake

    static func intake(_ s: FieldReportSubmission, app: Application, db: any Database, actor: String, origin: String) async throws -> Created {
        let directory = try await app.caseDirectory.snapshot(on: db)
        if let key = s.idempotencyHash, let existing = try await replay(key, on: db) {
            return Created(model: existing, replayed: true)
        }
        let v = try validate(s, app: app, directory: directory)
        let route = try await route(category: v.category.code, unitCode: v.unitCode, directory: directory, on: db)
        let calendar = try await app.calendarStore.current(on: db)
        let now = app.clock.now
        let followToken = s.followToken ?? APIKey.randomToken()
        let year = calendar.civilDate(of: now).year

        do {
            let model: CaseModel = try await app.audit.transaction(on: db) { tx in
                let n = try await Counters.next("PA-\(year)", on: tx)
                let c = CaseModel()
                c.id = UUID()
                c.code = String(format: "PA-%d-%06d", year, n)
                c.kind = "field_report"
                c.category = v.category.code
                c.status = CaseStatus.new.rawValue
                c.agencyID = route.agency?.id
                c.unitCode = v.unitCode
                c.lat = v.point.latitude
                c.lon = v.point.longitude
                c.address = v.address
                c.description = v.description
                c.channel = s.channel
                c.receivedAt = now
                c.policyAmount = v.category.policy.amount
                c.policyUnit = v.category.policy.unit.rawValue
                c.dueAt = v.category.policy.deadline(from: now, calendar: calendar)
                c.warnAt = v.category.policy.warningInstant(from: now, deadline: c.dueAt, calendar: calendar)
                c.handledLate = false
                c.reopenCount = 0
                c.isPublic = true
                c.updatedAt = now
                c.token = UUID().uuidString.lowercased()
                try await c.create(on: tx)
                let r = CaseReporterModel()
                r.caseID = c.id!
                r.name = v.name
                r.phone = v.phone
                r.email = v.email
                r.consent = s.consent
                r.showName = s.showName
                r.followTokenHash = APIKey.hash(followToken)
                r.idempotencyHash = s.idempotencyHash
                r.mediaURLs = v.mediaURLs.isEmpty ? nil : v.mediaURLs.joined(separator: "\n")
                try await r.create(on: tx)
                let shas = try await CaseMedia.store(v.photos, on: tx, at: now)
                try await CaseService.attach(shas, to: c, role: .report, on: tx, at: now)
                let e = CaseService.newEvent(c, type: "created", actor: actor, at: now)
                e.toStatus = CaseStatus.new.rawValue
                e.isPublic = true
                e.agencyID = route.agency?.id
                e.note = route.agency.map { "Tiếp nhận; dự kiến chuyển \($0.name)" } ?? "Tiếp nhận"
                e.noteEn = route.agency.map { "Received; routed to \($0.nameEn)" } ?? "Received"
                try await e.create(on: tx)
                var record = AuditRecord(actor: actor, action: "case.create", targetType: "case", targetID: c.code, origin: origin,
                                         details: "category=\(c.category) unit=\(c.unitCode ?? "") agency=\(route.agency?.code ?? "triage") channel=\(s.channel)")
                record.feed = [CaseFeed.caseEntry(c, type: "case.created", at: now, directory: directory)].compactMap { $0 }
                return (c, record)
            }
            CaseService.publish(model, type: "case.created", app: app, directory: directory)
            return Created(model: model, replayed: false)
        } catch {
            // Two retries of one upload racing: the second loses on the unique key and returns the first.
            if let key = s.idempotencyHash, let existing = try await replay(key, on: db) {
                return Created(model: existing, replayed: true)
            }
            throw error
        }
    }

    static func replay(_ key: String, on db: any Database) async throws -> CaseModel? {
        guard let r = try await CaseReporterModel.query(on: db).filter(\.$idempotencyHash == key).first() else { return nil }
        return try await CaseModel.find(r.caseID, on: db)
    }
}
