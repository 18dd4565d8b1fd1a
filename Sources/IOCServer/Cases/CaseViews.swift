import Fluent
import Foundation
import IOCCore
import Vapor

/// Wire types of cases and field reports. Public views never carry personal data: they are built from `CaseModel`
/// alone (the reporter's row is read only for the staff detail, and only for callers allowed to see it).
struct NamedRef: Content, Sendable {
    var code: String
    var name: String
    var nameEn: String?
}

struct CategoryRef: Content, Sendable {
    var code: String
    var name: LocalizedMessage
}

struct TimelineEntry: Content, Sendable {
    var at: Date
    var type: String
    var label: LocalizedMessage
    var note: String?
    /// The English of a note the system wrote (a person's note has none: show `note` as typed).
    var noteEn: String?
    var actor: String?
    /// The staff member's name for `user:<username>` actors (people read names, not user names).
    var actorName: String?
    var `public`: Bool?
    var photos: [String]?
    var fromStatus: String?
    var toStatus: String?
    var agency: NamedRef?
}

struct PublicReport: Content, Sendable {
    var code: String
    var status: String
    var statusLabel: LocalizedMessage
    var category: CategoryRef
    var agency: NamedRef?
    var unit: NamedRef?
    var lat: Double?
    var lon: Double?
    var address: String?
    var description: String
    var receivedAt: Date
    var dueAt: Date
    var resolvedAt: Date?
    var closedAt: Date?
    var overdue: Bool
    var handledLate: Bool
    var result: Result?
    var rating: String?
    var duplicateOf: String?
    var reopenCount: Int
    var distanceMeters: Double?
    var timeline: [TimelineEntry]?
    var photos: [String]?
    var canRate: Bool?
    var canReopen: Bool?

    struct Result: Content, Sendable {
        var text: String
        var photos: [String]
    }
}

struct CaseSummary: Content, Sendable {
    var code: String
    var kind: String
    var status: String
    var statusLabel: LocalizedMessage
    var category: CategoryRef
    var agency: NamedRef?
    var unit: NamedRef?
    var receivedAt: Date
    var dueAt: Date
    var overdue: Bool
    var nearDeadline: Bool
    var reopenCount: Int
    var title: String
    var lat: Double?
    var lon: Double?
    var assignee: String?
    var channel: String
}

struct CaseDetail: Content, Sendable {
    var summary: CaseSummary
    var description: String
    var address: String?
    var photos: [String]
    var resultText: String?
    var resultPhotos: [String]
    var rating: String?
    var ratingComment: String?
    var contact: Contact?
    var duplicateOf: String?
    var duplicates: [String]
    var extension_: Extension?
    var timeline: [TimelineEntry]
    var actions: [String]
    var nearby: [CaseSummary]
    var resolvedAt: Date?
    var closedAt: Date?
    var handledLate: Bool
    var mediaURLs: [String]

    struct Contact: Content, Sendable {
        var name: String?
        var phone: String?
        var email: String?
        var showName: Bool
    }

    struct Extension: Content, Sendable {
        var requestedAt: Date?
        var until: Date
        var reason: String?
        var requestedBy: String?
    }

    // Flatten the summary into the detail object on the wire.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(description, forKey: .description)
        try c.encode(address, forKey: .address)
        try c.encode(photos, forKey: .photos)
        try c.encode(resultText, forKey: .resultText)
        try c.encode(resultPhotos, forKey: .resultPhotos)
        try c.encode(rating, forKey: .rating)
        try c.encode(ratingComment, forKey: .ratingComment)
        try c.encode(contact, forKey: .contact)
        try c.encode(duplicateOf, forKey: .duplicateOf)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(extension_, forKey: .extension)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(actions, forKey: .actions)
        try c.encode(nearby, forKey: .nearby)
        try c.encode(resolvedAt, forKey: .resolvedAt)
        try c.encode(closedAt, forKey: .closedAt)
        try c.encode(handledLate, forKey: .handledLate)
        try c.encode(mediaURLs, forKey: .mediaURLs)
    }

    enum Keys: String, CodingKey {
        case description, address, photos, resultText, resultPhotos, rating, ratingComment, contact, duplicateOf, duplicates
        case `extension`, timeline, actions, nearby, resolvedAt, closedAt, handledLate, mediaURLs
    }

    init(summary: CaseSummary, description: String, address: String?, photos: [String], resultText: String?, resultPhotos: [String],
         rating: String?, ratingComment: String?, contact: Contact?, duplicateOf: String?, duplicates: [String], extension_: Extension?,
         timeline: [TimelineEntry], actions: [String], nearby: [CaseSummary], resolvedAt: Date?, closedAt: Date?, handledLate: Bool,
         mediaURLs: [String]) {
        self.summary = summary; self.description = description; self.address = address; self.photos = photos
        self.resultText = resultText; self.resultPhotos = resultPhotos; self.rating = rating; self.ratingComment = ratingComment
        self.contact = contact; self.duplicateOf = duplicateOf; self.duplicates = duplicates; self.extension_ = extension_
        self.timeline = timeline; self.actions = actions; self.nearby = nearby; self.resolvedAt = resolvedAt; self.closedAt = closedAt
        self.handledLate = handledLate; self.mediaURLs = mediaURLs
    }

    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "CaseDetail is response-only"))
    }
}

enum CaseViews {
    static func agencyRef(_ id: UUID?, _ d: CaseDirectory.Snapshot) -> NamedRef? {
        guard let id, let a = d.agencies[id] else { return nil }
        return NamedRef(code: a.code, name: a.name, nameEn: a.nameEn)
    }

    static func unitRef(_ code: String?, app: Application) -> NamedRef? {
        guard let code, let u = app.reference.units[code] else { return nil }
        return NamedRef(code: u.code, name: u.fullName, nameEn: u.fullNameEn)
    }

    static func categoryRef(_ code: String, _ d: CaseDirectory.Snapshot) -> CategoryRef {
        CategoryRef(code: code, name: d.categories[code]?.name ?? LocalizedMessage(vi: code, en: code))
    }

    static func photoURL(_ code: String, _ sha: String) -> String { "/api/v1/field-reports/\(code)/photos/\(sha)" }

    static func eventLabel(_ type: String) -> LocalizedMessage {
        switch type {
        case "created": LocalizedMessage(vi: "Tiếp nhận phản ánh", en: "Report received")
        case "verified": LocalizedMessage(vi: "Đã xác minh", en: "Verified")
        case "rejected": LocalizedMessage(vi: "Từ chối", en: "Rejected")
        case "assigned": LocalizedMessage(vi: "Chuyển cơ quan xử lý", en: "Assigned to an agency")
        case "rerouted": LocalizedMessage(vi: "Chuyển lại cơ quan khác", en: "Re-routed")
        case "returned": LocalizedMessage(vi: "Cơ quan trả lại Trung tâm", en: "Returned to the IOC")
        case "started": LocalizedMessage(vi: "Bắt đầu xử lý", en: "Work started")
        case "note": LocalizedMessage(vi: "Ghi chú", en: "Note")
        case "attachment": LocalizedMessage(vi: "Thêm tệp đính kèm", en: "Attachment added")
        case "extension_requested": LocalizedMessage(vi: "Xin gia hạn", en: "Extension requested")
        case "extension_approved": LocalizedMessage(vi: "Được gia hạn", en: "Extension approved")
        case "extension_denied": LocalizedMessage(vi: "Không chấp thuận gia hạn", en: "Extension denied")
        case "resolved": LocalizedMessage(vi: "Đã xử lý xong", en: "Resolved")
        case "closed_unhandled": LocalizedMessage(vi: "Đóng, không xử lý được", en: "Closed, not handled")
        case "auto_closed": LocalizedMessage(vi: "Tự động đóng", en: "Closed automatically")
        case "reopened": LocalizedMessage(vi: "Người dân phản ánh lại", en: "Reopened by the citizen")
        case "rated": LocalizedMessage(vi: "Người dân đánh giá", en: "Rated by the citizen")
        case "merged": LocalizedMessage(vi: "Gộp phản ánh trùng", en: "Duplicate merged in")
        case "merged_into": LocalizedMessage(vi: "Gộp vào phản ánh khác", en: "Merged into another report")
        case "warned": LocalizedMessage(vi: "Sắp đến hạn", en: "Deadline approaching")
        case "breached": LocalizedMessage(vi: "Quá hạn xử lý", en: "Deadline passed")
        default: LocalizedMessage(vi: type, en: type)
        }
    }

    static func publicReport(_ c: CaseModel, app: Application, d: CaseDirectory.Snapshot, now: Date,
                             resultPhotos: [String] = [], distance: Double? = nil) -> PublicReport {
        let status = c.caseStatus
        let agencyVisible = status != .new || c.agencyID != nil
        return PublicReport(
            code: c.code, status: c.status, statusLabel: status.label, category: categoryRef(c.category, d),
            agency: agencyVisible ? agencyRef(c.agencyID, d) : nil, unit: unitRef(c.unitCode, app: app),
            lat: c.lat, lon: c.lon, address: c.address, description: c.description, receivedAt: c.receivedAt, dueAt: c.dueAt,
            resolvedAt: c.resolvedAt, closedAt: c.closedAt, overdue: status.isOpen && now >= c.dueAt, handledLate: c.handledLate,
            result: c.resultText.map { PublicReport.Result(text: $0, photos: resultPhotos.map { photoURL(c.code, $0) }) },
            rating: c.rating, duplicateOf: c.duplicateOf, reopenCount: c.reopenCount, distanceMeters: distance.map { ($0 * 10).rounded() / 10 })
    }

    static func summary(_ c: CaseModel, app: Application, d: CaseDirectory.Snapshot, now: Date, assignees: [UUID: String] = [:]) -> CaseSummary {
        let status = c.caseStatus
        let state = c.escalation.state(at: now)
        return CaseSummary(
            code: c.code, kind: c.kind, status: c.status, statusLabel: status.label, category: categoryRef(c.category, d),
            agency: agencyRef(c.agencyID, d), unit: unitRef(c.unitCode, app: app), receivedAt: c.receivedAt, dueAt: c.dueAt,
            overdue: state == .overdue, nearDeadline: state == .near, reopenCount: c.reopenCount,
            title: String(c.description.prefix(120)), lat: c.lat, lon: c.lon, assignee: c.assigneeID.flatMap { assignees[$0] },
            channel: c.channel)
    }

    static func timeline(_ events: [CaseEventModel], d: CaseDirectory.Snapshot, publicOnly: Bool, code: String,
                         names: [String: String] = [:]) -> [TimelineEntry] {
        events.filter { !publicOnly || $0.isPublic }.map { e in
            let photos = e.photos.split(separator: ",").map { photoURL(code, String($0)) }
            return TimelineEntry(
                at: e.at, type: e.type, label: eventLabel(e.type), note: e.note, noteEn: e.noteEn,
                actor: publicOnly ? nil : e.actor,
                actorName: publicOnly || !e.actor.hasPrefix("user:") ? nil : names[String(e.actor.dropFirst(5))],
                public: publicOnly ? nil : e.isPublic,
                photos: photos.isEmpty ? nil : photos,
                fromStatus: e.fromStatus, toStatus: e.toStatus, agency: agencyRef(e.agencyID, d))
        }
    }

    static func attachments(_ caseID: UUID, on db: any Database) async throws -> (report: [String], result: [String]) {
        let links = try await CaseAttachmentModel.query(on: db).filter(\.$caseID == caseID).sort(\.$position).all()
        return (links.filter { $0.role == CaseAttachmentModel.Role.report.rawValue }.map(\.sha256),
                links.filter { $0.role == CaseAttachmentModel.Role.result.rawValue }.map(\.sha256))
    }
}
