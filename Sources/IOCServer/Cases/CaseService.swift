import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Who acts on a case.
struct CaseActor: Sendable {
    var name: String
    var user: AuthenticatedUser?
    /// Codes of the agencies an officer acts for (nil: not an officer).
    var officerAgencies: Set<String>?

    static let citizen = CaseActor(name: "citizen", user: nil, officerAgencies: nil)
    static let system = CaseActor(name: "system", user: nil, officerAgencies: nil)
}

/// What an action carries (validated by `CaseService.perform`).
struct CaseActionInput: Content {
    var action: String
    var note: String?
    var reason: String?
    var agency: String?
    var until: String?
    var result: String?
    var photos: [String]?
    var into: String?
    var `public`: Bool?
    // Citizen actions.
    var token: String?
    var rating: String?
    var comment: String?
}

/// The shared case mechanism: transitions, timeline, deadlines, extensions, escalation. Every change commits with its
/// timeline entry and audit record in one transaction and is then published on the live hub.
enum CaseService {
    /// "14:30 07/12/2026" in Vietnam's time, for notes people read.
    static func localText(_ d: Date) -> String {
        let cal = WorkingCalendar.vietnamCivilService
        let c = cal.civilDate(of: d)
        let seconds = Int(d.timeIntervalSince(cal.instant(on: c, at: .init(hour: 0))))
        return String(format: "%02d:%02d %02d/%02d/%04d", seconds / 3600, seconds % 3600 / 60, c.day, c.month, c.year)
    }

    static let staffRoles: Set<Role> = [.admin, .operator, .leader, .officer, .analyst]

    // MARK: Permissions

    /// The actions `actor` may take on the case now (drives the UI's buttons and the checks in `perform`).
    static func allowedActions(_ c: CaseModel, actor: CaseActor, agencyCode: String?) -> [CaseAction] {
        guard let user = actor.user else { return [] }
        let status = c.caseStatus
        let isOperator = user.role == .admin || user.role == .operator
        let isOwnOfficer = user.role == .officer && agencyCode.map { actor.officerAgencies?.contains($0) ?? false } == true
        var result: [CaseAction] = []
        for action in CaseAction.allCases {
            switch action {
            case .rate, .reopen, .autoClose: continue
            case .note:
                if isOperator || isOwnOfficer || user.role == .leader { result.append(action) }
                continue
            case .attach:
                if isOperator || isOwnOfficer { result.append(action) }
                continue
            case .approveExtension, .denyExtension:
                if isOperator, c.extensionUntil != nil, status.isOpen { result.append(action) }
                continue
            case .requestExtension:
                if (isOperator || isOwnOfficer), c.extensionUntil == nil, CaseWorkflow.next(status, action) != nil { result.append(action) }
                continue
            default: break
            }
            guard CaseWorkflow.next(status, action) != nil else { continue }
            if action.isOperatorOnly {
                if isOperator { result.append(action) }
            } else if isOperator || isOwnOfficer {
                // An officer cannot hand back a case the IOC has not given them.
                if action == .return, agencyCode == nil { continue }
                result.append(action)
            }
        }
        return result
    }

    // MARK: Actions

    struct Outcome: Sendable {
        var model: CaseModel
        var events: [String]
    }

    /// Applies one action. Throws 409 `invalid_transition` when the state does not allow it, 403 when the actor may not.
    static func perform(_ input: CaseActionInput, on code: String, actor: CaseActor, app: Application, db: any Database,
                        origin: String) async throws -> CaseModel {
        guard let action = CaseAction(rawValue: input.action), action != .autoClose else {
            throw IOCError.invalid("action", vi: "Hành động không hợp lệ.", en: "Unknown action.")
        }
        let now = app.clock.now
        let directory = try await app.caseDirectory.snapshot(on: db)
        let calendar = try await app.calendarStore.current(on: db)

        // Validate the input before taking the lock (nothing is stored on a bad request).
        let note = try Validate.text(input.note, field: "note", max: 4000, required: action == .note)
        let reason = try Validate.text(input.reason, field: "reason", max: 1000,
                                       required: [.reject, .reroute, .return, .requestExtension, .denyExtension, .closeUnhandled, .reopen].contains(action))
        var targetAgencyInput: CaseDirectory.Agency?
        if action == .assign || action == .reroute {
            guard let raw = input.agency else { throw IOCError.invalid("agency", vi: "Chọn cơ quan xử lý.", en: "agency is required.") }
            let code = try Validate.code(raw, field: "agency")
            guard let a = directory.agencyByCode[code], a.active else {
                throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại hoặc đã ngừng hoạt động.", en: "Unknown or inactive agency.")
            }
            targetAgencyInput = a
        }
        var rejectAsRemitInput = false
        if action == .reject {
            switch input.reason {
            case "spam": rejectAsRemitInput = false
            case "not_our_remit": rejectAsRemitInput = true
            default: throw IOCError.invalid("reason", vi: "Lý do từ chối: spam hoặc not_our_remit.", en: "reason must be spam or not_our_remit.")
            }
        }
        let rejectNote = action == .reject ? try Validate.text(input.note, field: "note", max: 1000, required: false) : nil
        var untilInput: Date?
        if action == .requestExtension {
            guard let s = input.until, let d = ISO8601.parse(s) else {
                throw IOCError.invalid("until", vi: "Thời hạn mới phải là thời điểm ISO 8601.", en: "until must be an ISO 8601 instant.")
            }
            untilInput = d
        }
        let result = action == .resolve ? try Validate.text(input.result, field: "result", max: 4000) : nil
        let photos = try (input.photos ?? []).map { try validSHA($0, field: "photos") }
        if photos.count > 5 { throw IOCError.invalid("photos", vi: "Tối đa 5 ảnh.", en: "At most 5 photos.") }
        var satisfactionInput: Satisfaction?
        if action == .rate {
            guard let r = input.rating.flatMap(Satisfaction.init(rawValue:)) else {
                throw IOCError.invalid("rating", vi: "Đánh giá: satisfied, accepted hoặc dissatisfied.", en: "rating must be satisfied, accepted or dissatisfied.")
            }
            satisfactionInput = r
        }
        let comment = try Validate.text(input.comment, field: "comment", max: 1000, required: false)
        var mergeIntoInput: String?
        if action == .merge {
            guard let into = input.into else { throw IOCError.invalid("into", vi: "Chọn phản ánh chính.", en: "into is required.") }
            mergeIntoInput = try validCode(into, field: "into")
        }

        let rejectAsRemit = rejectAsRemitInput, targetAgency = targetAgencyInput, until = untilInput
        let mergeInto = mergeIntoInput, satisfaction = satisfactionInput
        let published = PublishedBox()
        let model: CaseModel = try await app.audit.transaction(on: db) { tx in
            guard let c = try await CaseModel.query(on: tx).filter(\.$code == code).first() else {
                throw IOCError.notFound("Case", vi: "phản ánh")
            }
            let agencyCode = c.agencyID.flatMap { directory.agencies[$0]?.code }
            // Permission.
            switch action {
            case .rate, .reopen:
                guard actor.user == nil else { throw IOCError.forbidden }
                try await verifyFollowToken(input.token, caseID: c.id!, on: tx)
            default:
                guard actor.user != nil else { throw IOCError.forbidden }
                guard allowedActions(c, actor: actor, agencyCode: agencyCode).contains(action) else {
                    if CaseWorkflow.next(c.caseStatus, action, rejectAsNotOurRemit: rejectAsRemit) == nil
                        || (action == .approveExtension || action == .denyExtension) && c.extensionUntil == nil
                        || action == .requestExtension && c.extensionUntil != nil {
                        throw transitionError(c.caseStatus, action)
                    }
                    throw IOCError.forbidden
                }
            }
            if action == .reopen, c.caseStatus == .closed, let closed = c.closedAt, now.timeIntervalSince(closed) > 30 * 86_400 {
                throw IOCError(.conflict, code: "reopen_window", vi: "Chỉ mở lại trong vòng 30 ngày sau khi đóng.", en: "A case can only be reopened within 30 days of closing.")
            }
            guard let next = CaseWorkflow.next(c.caseStatus, action, rejectAsNotOurRemit: rejectAsRemit) else {
                throw transitionError(c.caseStatus, action)
            }
            let from = c.caseStatus
            let event = newEvent(c, type: action.rawValue, actor: actor.name, at: now)
            event.fromStatus = from.rawValue
            event.toStatus = next.rawValue
            event.note = note ?? reason
            event.isPublic = true
            var live: [String] = []
            var privateNotes: [CaseEventModel] = []
            switch action {
            case .verify:
                event.type = "verified"
            case .reject:
                event.type = "rejected"
                event.note = rejectNote ?? (rejectAsRemit ? "Không thuộc thẩm quyền" : "Tin rác")
                event.noteEn = rejectNote == nil ? (rejectAsRemit ? "Not our remit" : "Spam") : nil
                c.closedAt = now
            case .assign, .reroute:
                event.type = action == .assign ? "assigned" : "rerouted"
                c.agencyID = targetAgency!.id
                c.assigneeID = nil
                event.agencyID = targetAgency!.id
                event.note = note ?? reason
                live.append(targetAgency!.code)
            case .return:
                event.type = "returned"
                event.isPublic = false
                c.agencyID = nil
                c.assigneeID = nil
            case .start:
                event.type = "started"
                c.assigneeID = actor.user?.id
            case .note:
                event.type = "note"
                event.fromStatus = nil
                event.toStatus = nil
                // A leader's note is a direction to staff: never published (leaders change no public data).
                if input.public == true, actor.user?.role == .leader {
                    throw IOCError(.forbidden, code: "forbidden", vi: "Lãnh đạo chỉ ghi ý kiến chỉ đạo nội bộ, không đăng công khai.",
                                   en: "A leader's note is an internal direction; it cannot be published.")
                }
                event.isPublic = input.public ?? false
            case .requestExtension:
                guard let until, until > c.dueAt, until <= c.dueAt.addingTimeInterval(60 * 86_400), until > now else {
                    throw IOCError.invalid("until", vi: "Thời hạn mới phải sau hạn hiện tại và không quá 60 ngày.", en: "The new deadline must be after the current one and within 60 days of it.")
                }
                event.type = "extension_requested"
                event.fromStatus = nil
                event.toStatus = nil
                event.isPublic = false
                event.note = "\(reason ?? "") (→ \(ISO8601.format(until)))"
                c.extensionUntil = until
                c.extensionReason = reason
                c.extensionBy = actor.name
                c.extensionAt = now
            case .approveExtension:
                let newDue = c.extensionUntil!
                event.type = "extension_approved"
                event.fromStatus = nil
                event.toStatus = nil
                let until = CaseService.localText(newDue)
                event.note = "Gia hạn đến \(until)" + (note.map { ": \($0)" } ?? "")
                event.noteEn = "Extended to \(until)" + (note.map { ": \($0)" } ?? "")
                c.dueAt = newDue
                c.warnAt = c.receivedAt.addingTimeInterval(newDue.timeIntervalSince(c.receivedAt) * c.policy.warnFraction)
                if newDue > now { c.breachedAt = nil; c.warnedAt = c.warnAt <= now ? now : nil }
                c.clearExtensionRequest()
            case .denyExtension:
                event.type = "extension_denied"
                event.fromStatus = nil
                event.toStatus = nil
                event.isPublic = false
                c.clearExtensionRequest()
            case .resolve:
                event.type = "resolved"
                event.note = result
                c.resultText = result
                c.resolvedAt = now
                c.clearExtensionRequest()
                if now > c.dueAt { c.handledLate = true }
                // A result photo must have been uploaded to this case by staff: never another case's file, and never
                // the citizen's own (private) report photos.
                if !photos.isEmpty {
                    let uploaded = Set(try await CaseEventModel.query(on: tx).filter(\.$caseID == c.id!).filter(\.$type == "attachment").all()
                        .flatMap { $0.photos.split(separator: ",").map(String.init) })
                    for sha in photos where !uploaded.contains(sha) {
                        throw IOCError.invalid("photos", vi: "Ảnh \(sha.prefix(12))… không được tải lên cho phản ánh này.",
                                               en: "Photo \(sha.prefix(12))… was not uploaded to this case.")
                    }
                }
                try await attach(photos, to: c, role: .result, on: tx, at: now)
                event.photos = photos.joined(separator: ",")
            case .closeUnhandled:
                event.type = "closed_unhandled"
                c.closedAt = now
            case .merge:
                guard let into = mergeInto, into != c.code else {
                    throw IOCError.invalid("into", vi: "Không thể gộp vào chính nó.", en: "A report cannot be merged into itself.")
                }
                guard let main = try await CaseModel.query(on: tx).filter(\.$code == into).first(), main.caseStatus != .duplicate,
                      main.caseStatus != .rejected else {
                    throw IOCError.invalid("into", vi: "Phản ánh chính không tồn tại hoặc không hợp lệ.", en: "The main report does not exist or cannot take duplicates.")
                }
                event.type = "merged_into"
                event.note = "Gộp vào \(main.code)"
                event.noteEn = "Merged into \(main.code)"
                c.duplicateOf = main.code
                c.closedAt = now
                let mainEvent = newEvent(main, type: "merged", actor: actor.name, at: now)
                mainEvent.note = "Đã gộp \(c.code) vào phản ánh này"
                mainEvent.noteEn = "\(c.code) merged into this report"
                mainEvent.isPublic = true
                try await mainEvent.create(on: tx)
                main.updatedAt = now
                try await main.save(on: tx)
            case .rate:
                event.type = "rated"
                // The comment may carry personal details: staff see it on the case, the public timeline only the verdict.
                event.note = satisfaction!.label.vi
                event.noteEn = satisfaction!.label.en
                c.rating = satisfaction!.rawValue
                c.ratingComment = comment
                c.closedAt = now
            case .reopen:
                event.type = "reopened"
                // The citizen's own words stay with staff (a private note); the public timeline says only that it
                // was reopened.
                event.note = nil
                if let words = note ?? reason, !words.isEmpty {
                    let said = newEvent(c, type: "note", actor: actor.name, at: now)
                    said.note = words
                    said.isPublic = false
                    privateNotes.append(said)
                }
                c.reopenCount += 1
                c.resolvedAt = nil
                c.closedAt = nil
                c.rating = nil
                c.ratingComment = nil
                c.dueAt = c.policy.deadline(from: now, calendar: calendar)
                c.warnAt = c.policy.warningInstant(from: now, deadline: c.dueAt, calendar: calendar)
                c.warnedAt = nil
                c.breachedAt = nil
                if let a = agencyCode { live.append(a) }
            case .attach, .autoClose:
                break
            }
            c.status = next.rawValue
            c.updatedAt = now
            try await c.save(on: tx)
            try await event.create(on: tx)
            for n in privateNotes { try await n.create(on: tx) }
            published.set(live)
            let details = "status \(from.rawValue)→\(next.rawValue)" + (targetAgency.map { " agency=\($0.code)" } ?? "")
            var record = AuditRecord(actor: actor.name, action: "case.\(action.rawValue)", targetType: "case", targetID: c.code,
                                     origin: origin, details: details)
            record.feed = [CaseFeed.caseEntry(c, type: "case.status", at: now, directory: directory)].compactMap { $0 }
            return (c, record)
        }
        publish(model, type: "case.status", app: app, directory: directory, extraAgencies: published.value)
        return model
    }

    static func transitionError(_ status: CaseStatus, _ action: CaseAction) -> IOCError {
        IOCError(.conflict, code: "invalid_transition",
                 vi: "Không thể thực hiện \"\(action.rawValue)\" khi phản ánh đang ở trạng thái \"\(status.label.vi)\".",
                 en: "Cannot \(action.rawValue) a case that is \(status.label.en.lowercased()).")
    }

    static func newEvent(_ c: CaseModel, type: String, actor: String, at: Date) -> CaseEventModel {
        let e = CaseEventModel()
        e.id = UUID()
        e.caseID = c.id!
        e.at = at
        e.type = type
        e.actor = actor
        e.isPublic = false
        e.photos = ""
        return e
    }

    static func attach(_ shas: [String], to c: CaseModel, role: CaseAttachmentModel.Role, on db: any Database, at: Date) async throws {
        guard !shas.isEmpty else { return }
        let existing = Set(try await AttachmentModel.query(on: db).filter(\.$id ~~ shas).field(\.$id).all().compactMap(\.id))
        for sha in shas where !existing.contains(sha) {
            throw IOCError.invalid("photos", vi: "Ảnh \(sha.prefix(12))… chưa được tải lên.", en: "Photo \(sha.prefix(12))… has not been uploaded.")
        }
        let start = try await CaseAttachmentModel.query(on: db).filter(\.$caseID == c.id!).count()
        for (i, sha) in shas.enumerated() {
            let link = CaseAttachmentModel()
            link.caseID = c.id!
            link.sha256 = sha
            link.role = role.rawValue
            link.position = start + i
            link.createdAt = at
            try await link.create(on: db)
        }
    }

    static func verifyFollowToken(_ token: String?, caseID: UUID, on db: any Database) async throws {
        guard let token, !token.isEmpty, token.count <= 200,
              let r = try await CaseReporterModel.query(on: db).filter(\.$caseID == caseID).first(),
              constantTimeEqual(r.followTokenHash, APIKey.hash(token)) else {
            throw IOCError(.forbidden, code: "follow_token", vi: "Mã theo dõi không đúng.", en: "The follow token is not valid.")
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static func validSHA(_ s: String, field: String) throws -> String {
        guard s.utf8.count == 64, s.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw IOCError.invalid(field, vi: "Mã ảnh không hợp lệ.", en: "Invalid photo id.")
        }
        return s
    }

    static func validCode(_ s: String, field: String) throws -> String {
        guard (8...24).contains(s.utf8.count), s.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || $0 == 45 }) else {
            throw IOCError.invalid(field, vi: "Mã phản ánh không hợp lệ.", en: "Invalid report code.")
        }
        return s
    }

    // MARK: Live

    /// Publishes a case change: the staff topic `cases`, the agency's topic (and its parent's), and the public-safe
    /// `fieldreports` topic (no personal data: code, category, status, commune, agency, point).
    static func publish(_ c: CaseModel, type: String, app: Application, directory: CaseDirectory.Snapshot, extraAgencies: [String] = []) {
        let agency = c.agencyID.flatMap { directory.agencies[$0] }
        let payload: [String: String] = [
            "type": type, "code": c.code, "kind": c.kind, "status": c.status, "category": c.category,
            "agency": agency?.code ?? "", "unit": c.unitCode ?? "", "dueAt": ISO8601.format(c.dueAt),
            "at": ISO8601.format(c.updatedAt),
        ]
        var agencies = Set(extraAgencies)
        if let agency {
            agencies.insert(agency.code)
            if type == "case.breached" || type == "case.warned", let parent = agency.parentID.flatMap({ directory.agencies[$0] }) {
                agencies.insert(parent.code)
            }
        }
        // Staff topics reach only those whose scope covers the case's agency (the REST rule), never other agencies.
        let audience = Set([agency?.code].compactMap { $0 } + agencies.sorted())
        app.live.publish(topic: CasesModule.topic, payload, audience: audience)
        for code in agencies.sorted() {
            app.live.publish(topic: "\(CasesModule.agencyTopic)\(code.lowercased())", payload, audience: [code])
        }
        guard c.kind == "field_report", c.isPublic else { return }
        var pub = payload
        pub["type"] = type == "case.created" ? "report.created" : (type == "case.breached" ? "report.breached" : "report.status")
        pub["lat"] = c.lat.map { String(format: "%.5f", $0) } ?? ""
        pub["lon"] = c.lon.map { String(format: "%.5f", $0) } ?? ""
        pub.removeValue(forKey: "kind")
        app.live.publish(topic: CasesModule.publicTopic, pub)
    }
}

/// Carries values out of a transaction closure.
final class PublishedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func set(_ v: [String]) { lock.lock(); stored = v; lock.unlock() }
    var value: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
