import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Ingest of events from sources, the alarms they raise, and people's actions on alarms.
enum EventService {
    static let levels = ["info", "minor", "major", "critical"]
    static let maxBatch = 1_000
    /// The pseudo-source of events people enter by hand (admins and operators).
    static let manualSource = UUID(uuidString: "00000000-0000-0000-0000-00000000e001")!

    struct Input: Content {
        var externalId: String?
        var kind: String?
        var severity: String?
        var occurredAt: String?
        var title: String?
        var titleEn: String?
        var description: String?
        var unitCode: String?
        var lat: Double?
        var lon: Double?
        var alarmKey: String?
        var clear: Bool?
    }

    struct Valid: Sendable {
        var externalID: String
        var kind: String
        var level: String
        var occurredAt: Date
        var title: String
        var titleEn: String
        var description: String
        var unitCode: String?
        var lat: Double?
        var lon: Double?
        var alarmKey: String?
        var clear: Bool
    }

    static func validate(_ inputs: [Input], app: Application, now: Date) throws -> [Valid] {
        guard !inputs.isEmpty else {
            throw IOCError.invalid("events", vi: "Cần ít nhất một sự kiện.", en: "At least one event is required.")
        }
        guard inputs.count <= maxBatch else {
            throw IOCError.invalid("events", vi: "Tối đa \(maxBatch) sự kiện mỗi lần gửi.", en: "At most \(maxBatch) events per request.")
        }
        var seen = Set<String>()
        return try inputs.enumerated().map { i, e in
            let f = { (name: String) in "events[\(i)].\(name)" }
            do {
                let externalID = try Validate.required(e.externalId, field: f("externalId"), max: 128)
                guard !externalID.contains("\n"), seen.insert(externalID).inserted else {
                    throw IOCError.invalid(f("externalId"), vi: "externalId trùng trong cùng lần gửi hoặc có xuống dòng.",
                                           en: "externalId is repeated in the request or contains a line break.")
                }
                let kind = try Validate.required(e.kind, field: f("kind"), max: 64)
                guard kind.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }), kind.first?.isLetter == true else {
                    throw IOCError.invalid(f("kind"), vi: "kind chỉ gồm chữ thường, số, dấu . _ -, ví dụ camera.offline.",
                                           en: "kind may only hold lowercase letters, digits and . _ -, e.g. camera.offline.")
                }
                let level = e.severity ?? "info"
                guard levels.contains(level) else {
                    throw IOCError.invalid(f("severity"), vi: "severity: info, minor, major hoặc critical.", en: "severity must be info, minor, major or critical.")
                }
                var occurredAt = now
                if let text = e.occurredAt {
                    guard text.count <= 40, let d = ISO8601.parse(text) else {
                        throw IOCError.invalid(f("occurredAt"), vi: "occurredAt phải là thời điểm ISO 8601 có múi giờ.",
                                               en: "occurredAt must be an ISO 8601 instant with an offset.")
                    }
                    guard d <= now.addingTimeInterval(300), d >= now.addingTimeInterval(-366 * 86_400) else {
                        throw IOCError.invalid(f("occurredAt"), vi: "occurredAt ở tương lai hoặc quá một năm trước.",
                                               en: "occurredAt is in the future or more than a year ago.")
                    }
                    occurredAt = d
                }
                let title = try Validate.required(e.title, field: f("title"), max: 200)
                let titleEn = try Validate.text(e.titleEn, field: f("titleEn"), max: 200, required: false) ?? title
                let description = try Validate.text(e.description, field: f("description"), max: 2_000, required: false) ?? ""
                var unitCode: String?
                if let code = e.unitCode {
                    guard code.count <= 16, let u = app.reference.units[code], u.provinceCode == app.iocConfiguration.provinceCode, u.code != u.provinceCode else {
                        throw IOCError.invalid(f("unitCode"), vi: "Mã xã/phường không thuộc tỉnh.", en: "unitCode is not a commune of this province.")
                    }
                    unitCode = u.code
                }
                switch (e.lat, e.lon) {
                case (nil, nil): break
                case let (la?, lo?):
                    guard la.isFinite, lo.isFinite, (-90...90).contains(la), (-180...180).contains(lo) else {
                        throw IOCError.invalid(f("lat"), vi: "Tọa độ không hợp lệ.", en: "Invalid coordinates.")
                    }
                    do {
                        let inside = try app.communeCode(of: Coordinate(latitude: la, longitude: lo))
                        if unitCode == nil { unitCode = inside }
                    } catch {
                        throw IOCError.invalid(f("lat"), vi: "Vị trí nằm ngoài địa bàn tỉnh.", en: "The location is outside the province.")
                    }
                default:
                    throw IOCError.invalid(f("lat"), vi: "Cần cả lat và lon.", en: "Both lat and lon are required.")
                }
                let alarmKey = try Validate.text(e.alarmKey, field: f("alarmKey"), max: 128, required: false)
                if e.clear == true && alarmKey == nil {
                    throw IOCError.invalid(f("alarmKey"), vi: "Sự kiện kết thúc cảnh báo cần alarmKey.", en: "A clearing event needs an alarmKey.")
                }
                return Valid(externalID: externalID, kind: kind, level: level, occurredAt: occurredAt, title: title, titleEn: titleEn,
                             description: description, unitCode: unitCode, lat: e.lat, lon: e.lon, alarmKey: alarmKey, clear: e.clear ?? false)
            } catch let v as ValidationFailure {
                throw IOCError.validation(v)
            }
        }
    }

    struct Outcome: Content {
        struct Item: Content { var externalId: String; var id: Int; var alarm: String? }
        var accepted: Int
        var duplicates: Int
        var events: [Item]
    }

    static func tone(_ level: String) -> String {
        switch level {
        case "critical", "major": "bad"
        case "minor": "warn"
        default: "info"
        }
    }

    /// The key of the alarm an event raises, repeats or clears (nil when it touches none): minor+ events with an
    /// `alarmKey`, and every major/critical one (keyed by its own id when it has no `alarmKey`).
    static func alarmKey(_ v: Valid, sourceID: UUID) -> String? {
        let severity = AlarmSeverity(rawValue: v.level) ?? .info
        guard AlarmLifecycle.touchesAlarm(severity: severity, hasKey: v.alarmKey != nil, clear: v.clear) else { return nil }
        return "\(sourceID.uuidString.prefix(8))|" + (v.alarmKey ?? "event:\(v.externalID)")
    }

    /// Stores a batch of events (idempotent per source and externalId) with the alarms they raise, repeat or clear,
    /// in one transaction; then publishes the feed entries and alarm changes.
    static func ingest(_ events: [Valid], sourceID: UUID, sourceName: String, actor: String, origin: String,
                       app: Application, db: any Database, now: Date) async throws -> Outcome {
        let year = WorkingCalendar.vietnamCivilService.civilDate(of: now).year
        final class Changes: @unchecked Sendable {
            var alarms: [String: (AlarmModel, Bool)] = [:]
            var pending: [(String, EventModel?, EventModel?)] = []
        }
        let changes = Changes()
        let accepted: Int = try await app.audit.transaction(on: db) { tx in
            let ids = events.map(\.externalID)
            var existing: [String: EventModel] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
                for e in try await EventModel.query(on: tx).filter(\.$sourceID == sourceID).filter(\.$externalID ~~ part).all() {
                    existing[e.externalID ?? ""] = e
                }
            }
            var record = AuditRecord(actor: actor, action: "events.ingest", targetType: "source", targetID: sourceName, origin: origin)
            // The open alarms the batch may repeat or clear, in one query (not one per event).
            var open: [String: AlarmModel] = [:]
            let keys = Array(Set(events.compactMap { alarmKey($0, sourceID: sourceID) }))
            for chunk in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[chunk..<min(chunk + 500, keys.count)])
                for a in try await AlarmModel.query(on: tx).filter(\.$key ~~ part).filter(\.$state != "cleared").all() { open[a.key] = a }
            }
            var raised = 0, cleared = 0
            var pending: [(String, EventModel?, EventModel?)] = []
            for v in events {
                if let e = existing[v.externalID] { pending.append((v.externalID, e, nil)); continue }
                let e = EventModel()
                e.at = now
                e.occurredAt = v.occurredAt
                e.origin = "source"
                e.sourceID = sourceID
                e.externalID = v.externalID
                e.kind = v.kind
                e.feedType = "event"
                e.level = v.level
                e.tone = tone(v.level)
                e.title = v.title
                e.titleEn = v.titleEn
                e.unitCode = v.unitCode
                e.lat = v.lat
                e.lon = v.lon
                if let key = alarmKey(v, sourceID: sourceID) {
                    let alarm = open[key]
                    let effect = AlarmLifecycle.effect(severity: AlarmSeverity(rawValue: v.level) ?? .info, hasKey: v.alarmKey != nil,
                                                       clear: v.clear, open: alarm.map { AlarmSeverity(rawValue: $0.severity) ?? .info })
                    if v.clear {
                        if effect == .clear, let a = alarm {
                            a.state = AlarmState.cleared.rawValue
                            a.clearedAt = now
                            a.clearedBy = sourceName
                            a.updatedAt = now
                            try await a.save(on: tx)
                            try await note(a, action: "cleared", actor: sourceName, note: v.title, at: now, on: tx)
                            open[key] = nil
                            changes.alarms[a.code] = (a, changes.alarms[a.code]?.1 ?? false)
                            e.feedType = "alarm.cleared"
                            e.tone = "good"
                            e.ref = a.code
                            e.link = "/wall#alarm/\(a.code)"
                            cleared += 1
                        }
                    } else if let a = alarm, case .repeated(let severity) = effect {
                        a.count += 1
                        a.lastEventAt = v.occurredAt
                        a.severity = severity.rawValue
                        a.updatedAt = now
                        try await a.save(on: tx)
                        open[key] = a
                        changes.alarms[a.code] = (a, changes.alarms[a.code]?.1 ?? false)
                        e.ref = a.code
                        e.link = "/wall#alarm/\(a.code)"
                    } else {
                        let a = AlarmModel()
                        a.id = UUID()
                        a.code = String(format: "CB-%d-%06d", year, try await Counters.next("CB-\(year)", on: tx))
                        a.key = key
                        a.state = AlarmState.active.rawValue
                        a.severity = v.level
                        a.kind = v.kind
                        a.title = v.title
                        a.titleEn = v.titleEn
                        a.description = v.description
                        a.sourceID = sourceID
                        a.unitCode = v.unitCode
                        a.lat = v.lat
                        a.lon = v.lon
                        a.raisedAt = now
                        a.lastEventAt = v.occurredAt
                        a.count = 1
                        a.updatedAt = now
                        try await a.create(on: tx)
                        try await note(a, action: "raised", actor: sourceName, note: v.description.isEmpty ? nil : v.description, at: now, on: tx)
                        open[key] = a
                        changes.alarms[a.code] = (a, true)
                        e.feedType = "alarm.raised"
                        e.ref = a.code
                        e.link = "/wall#alarm/\(a.code)"
                        raised += 1
                    }
                }
                record.feed.append(e)
                pending.append((v.externalID, nil, e))
            }
            let accepted = record.feed.count
            // The source is alive: its freshness is what the wall's "stale" badges read.
            if sourceID != manualSource {
                try await SourceModel.query(on: tx).filter(\.$id == sourceID).set(\.$lastDataAt, to: now).update()
            }
            record.details = "accepted=\(accepted) duplicates=\(events.count - accepted) raised=\(raised) cleared=\(cleared)"
            changes.pending = pending
            return (accepted, record)
        }
        // The audit log gave the new entries their ids when it appended them.
        let outcome = Outcome(accepted: accepted, duplicates: events.count - accepted, events: changes.pending.map { externalID, old, new in
            let e = old ?? new
            return Outcome.Item(externalId: externalID, id: e?.id ?? 0, alarm: e?.ref)
        })
        if !changes.alarms.isEmpty {
            let d = try await app.agencyDirectory.snapshot(on: db)
            let sources = try await sourceNames(on: db)
            for (a, isNew) in changes.alarms.values.sorted(by: { $0.0.code < $1.0.code }) {
                app.live.publish(topic: AlarmsModule.topic, AlarmLive(type: isNew ? "alarm.raised" : "alarm.changed", alarm: dto(a, app: app, d: d, sources: sources, actions: nil)),
                                 audience: audience(a, d))
            }
        }
        return outcome
    }

    /// Unacknowledged first, then by severity, then the newest: the order of every alarm list.
    static func mostUrgentFirst(_ alarms: [AlarmModel]) -> [AlarmModel] {
        func key(_ a: AlarmModel) -> (Int, Int, Double) {
            let (state, severity) = AlarmLifecycle.urgency(state: AlarmState(rawValue: a.state) ?? .active, severity: AlarmSeverity(rawValue: a.severity) ?? .info)
            return (state, severity, -a.raisedAt.timeIntervalSince1970)
        }
        return alarms.sorted { key($0) < key($1) }
    }

    struct Counts: Content {
        var active: Int
        var acknowledged: Int
        /// Open (active or acknowledged) and critical.
        var critical: Int
        var clearedToday: Int
    }

    /// Who receives an alarm's live events beyond the unscoped: the officers of its agency (the REST rule).
    static func audience(_ a: AlarmModel, _ d: AgencyDirectory.Snapshot) -> Set<String> {
        Set([a.agencyID.flatMap { d.agencies[$0]?.code }].compactMap { $0 })
    }

    /// The alarm panel's and the tile's figures, for all alarms or those of some agencies.
    static func counts(on db: any Database, agencies: Set<UUID>?, now: Date) async throws -> Counts {
        func base() -> QueryBuilder<AlarmModel> {
            let q = AlarmModel.query(on: db)
            if let agencies { q.filter(\.$agencyID ~~ Array(agencies)) }
            return q
        }
        let calendar = WorkingCalendar.vietnamCivilService
        let dayStart = calendar.instant(on: calendar.civilDate(of: now), at: .init(hour: 0))
        return Counts(
            active: try await base().filter(\.$state == "active").count(),
            acknowledged: try await base().filter(\.$state == "acknowledged").count(),
            critical: try await base().filter(\.$state != "cleared").filter(\.$severity == "critical").count(),
            clearedToday: try await base().filter(\.$state == "cleared").filter(\.$clearedAt >= dayStart).count())
    }

    static func note(_ a: AlarmModel, action: String, actor: String, agency: UUID? = nil, note: String?, at: Date, on db: any Database) async throws {
        let n = AlarmNoteModel()
        n.alarmID = a.id!
        n.at = at
        n.action = action
        n.actor = actor
        n.agencyID = agency
        n.note = note
        try await n.create(on: db)
    }

    static func sourceNames(on db: any Database) async throws -> [UUID: String] {
        var names: [UUID: String] = [manualSource: "IOC"]
        for s in try await SourceModel.query(on: db).all() { names[s.id!] = s.name }
        return names
    }

    // MARK: Alarm DTOs

    struct AlarmDTO: Content {
        var code: String
        var state: String
        var severity: String
        var kind: String
        var title: LocalizedMessage
        var description: String
        var source: NamedRef?
        var unit: String?
        var place: String?
        var lat: Double?
        var lon: Double?
        var raisedAt: Date
        var lastEventAt: Date
        var count: Int
        var agency: NamedRef?
        var acknowledgedAt: Date?
        var acknowledgedBy: String?
        var clearedAt: Date?
        var clearedBy: String?
        var updatedAt: Date
        var actions: [String]?
        var timeline: [Note]?
    }

    struct Note: Content {
        var at: Date
        var action: String
        var actor: String
        var agency: NamedRef?
        var note: String?
    }

    struct AlarmLive: Content {
        var type: String
        var alarm: AlarmDTO
    }

    static func dto(_ a: AlarmModel, app: Application, d: AgencyDirectory.Snapshot, sources: [UUID: String], actions: [String]?) -> AlarmDTO {
        AlarmDTO(code: a.code, state: a.state, severity: a.severity, kind: a.kind, title: .init(vi: a.title, en: a.titleEn),
                 description: a.description,
                 source: a.sourceID.flatMap { id in sources[id].map { NamedRef(code: $0, name: $0, nameEn: nil) } },
                 unit: a.unitCode, place: a.unitCode.flatMap { app.reference.units[$0]?.fullName }, lat: a.lat, lon: a.lon,
                 raisedAt: a.raisedAt, lastEventAt: a.lastEventAt, count: a.count, agency: d.ref(a.agencyID),
                 acknowledgedAt: a.acknowledgedAt, acknowledgedBy: a.acknowledgedBy, clearedAt: a.clearedAt, clearedBy: a.clearedBy,
                 updatedAt: a.updatedAt, actions: actions, timeline: nil)
    }

    // MARK: Actions

    typealias Action = AlarmAction

    static func stateNameVi(_ state: String) -> String { AlarmState(rawValue: state)?.nameVi ?? state }

    /// What `principal` may do to `a` now.
    static func allowed(_ a: AlarmModel, principal: Principal?, officerAgencies: Set<UUID>?) -> [Action] {
        guard case .user(let u)? = principal else { return [] }
        let all: [Action]
        switch u.role {
        case .admin, .operator: all = Action.allCases
        case .officer:
            guard let agency = a.agencyID, officerAgencies?.contains(agency) == true else { return [] }
            all = [.acknowledge, .comment, .clear]
        default: return []
        }
        let possible = AlarmLifecycle.actions(in: AlarmState(rawValue: a.state) ?? .cleared)
        return all.filter(possible.contains)
    }

    static func perform(_ action: Action, on a: AlarmModel, agency: AgencyDirectory.Agency?, note text: String?, user: AuthenticatedUser,
                        origin: String, app: Application, db: any Database, now: Date) async throws -> AlarmModel {
        let actor = user.displayName
        let alarmID = a.id!
        let directory = try await app.agencyDirectory.snapshot(on: db)
        let model: AlarmModel = try await app.audit.transaction(on: db) { tx in
            // Read again under the lock: another operator may have acted meanwhile.
            guard let a = try await AlarmModel.find(alarmID, on: tx) else { throw IOCError.notFound("Alarm", vi: "cảnh báo") }
            var feedType: String?
            var titleVi = "", titleEn = ""
            let from = AlarmState(rawValue: a.state) ?? .cleared
            guard let to = AlarmLifecycle.next(action, from: from) else { throw stateError(a, action) }
            switch action {
            case .acknowledge:
                feedType = "alarm.acknowledged"; titleVi = "\(actor) đã xác nhận"; titleEn = "\(actor) acknowledged"
            case .assign:
                guard let agency else { throw IOCError.invalid("agency", vi: "Chọn cơ quan xử lý.", en: "Choose the agency.") }
                a.agencyID = agency.id
                feedType = "alarm.assigned"; titleVi = "Giao \(agency.name)"; titleEn = "Assigned to \(agency.nameEn)"
            case .comment:
                guard text != nil else { throw IOCError.invalid("note", vi: "Nhập nội dung ghi chú.", en: "Write the comment.") }
            case .clear:
                feedType = "alarm.cleared"; titleVi = "\(actor) đã kết thúc"; titleEn = "\(actor) cleared"
            }
            if to != from {
                a.state = to.rawValue
                if to == .acknowledged { a.acknowledgedAt = now; a.acknowledgedBy = actor }
                if to == .cleared { a.clearedAt = now; a.clearedBy = actor }
            }
            a.updatedAt = now
            try await a.save(on: tx)
            try await note(a, action: action.done, actor: actor, agency: action == .assign ? agency?.id : nil, note: text, at: now, on: tx)
            var record = AuditRecord(actor: "user:\(user.username)", action: "alarm.\(action.rawValue)", targetType: "alarm", targetID: a.code,
                                     origin: origin, details: "state=\(a.state)" + (agency.map { " agency=\($0.code)" } ?? ""))
            if let feedType {
                record.feed = [FeedJournal.entry(feedType, tone: feedType == "alarm.cleared" ? "good" : "info", at: now,
                                              title: .init(vi: "\(titleVi): \(a.title)", en: "\(titleEn): \(a.titleEn)"),
                                              unit: a.unitCode, lat: a.lat, lon: a.lon, ref: a.code, link: "/wall#alarm/\(a.code)",
                                              agency: a.agencyID.flatMap { directory.agencies[$0]?.code })]
            }
            return (a, record)
        }
        let d = try await app.agencyDirectory.snapshot(on: db)
        app.live.publish(topic: AlarmsModule.topic, AlarmLive(type: "alarm.changed", alarm: dto(model, app: app, d: d, sources: try await sourceNames(on: db), actions: nil)),
                         audience: audience(model, d))
        return model
    }

    static func stateError(_ a: AlarmModel, _ action: Action) -> IOCError {
        IOCError(.conflict, code: "invalid_transition",
                 vi: "Không thể \(action.verbVi) cảnh báo \(stateNameVi(a.state)).",
                 en: "Cannot \(action.rawValue) an alarm that is \(a.state).")
    }
}
