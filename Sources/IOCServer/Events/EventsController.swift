import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// `POST /events` (sources send facts; some raise alarms) and the alarm feed: list, one alarm with its timeline,
/// and people's actions (acknowledge, assign, comment, clear), each recorded in the audit log and the timeline.
enum EventsController {
    static let readers: Access = .rolesOrSource([.admin, .operator, .leader, .officer, .analyst], kinds: [.display, .events])

    static func register(_ api: APIBuilder) {
        let e = api.group("events", tag: "Events and alarms")
        e.on(.POST, access: .rolesOrSource([.admin, .operator], kinds: [.events]),
             summary: "Send 1–1000 events (idempotent per source and externalId); minor+ events with an alarmKey, and major/critical ones, raise alarms",
             body: .object(["events": .array(.object(["externalId": .string, "kind": .string, "severity": .string, "title": .string],
                                                     required: ["externalId", "kind", "title"]))], required: ["events"]),
             response: .any, maxBodySize: "2mb", use: ingest)
        let a = api.group("alarms", tag: "Events and alarms")
        a.on(.GET, access: readers, summary: "Alarms: open (active + acknowledged, default), active, acknowledged, cleared or all; with counts",
             query: [.init("state", "open | active | acknowledged | cleared | all", .string), .init("limit", "1–500 (default 100)", .integer)],
             response: .any, use: list)
        a.on(.GET, ":code", access: readers, summary: "An alarm with its timeline (who did what, when) and the caller's possible actions",
             response: .any, use: detail)
        a.on(.POST, ":code", "actions", access: .roles([.admin, .operator, .officer]),
             summary: "Acknowledge, assign (to an agency), comment on or clear an alarm",
             body: .object(["action": .string, "agency": .string, "note": .string], required: ["action"]), response: .any, use: act)
    }

    struct IngestBody: Content { var events: [EventService.Input] }

    @Sendable static func ingest(_ req: Request) async throws -> Response {
        let body = try req.decodeBody(IngestBody.self)
        let valid = try EventService.validate(body.events, app: req.application, now: req.now)
        let (sourceID, sourceName): (UUID, String)
        switch req.principal {
        case .source(let s)?: (sourceID, sourceName) = (s.id, s.name)
        case .user?: (sourceID, sourceName) = (EventService.manualSource, "IOC")
        case nil: throw IOCError.unauthenticated
        }
        let outcome = try await EventService.ingest(valid, sourceID: sourceID, sourceName: sourceName, actor: req.principal!.auditName,
                                                    origin: req.clientAddress, app: req.application, db: req.db, now: req.now)
        // 201 when something new was stored; 200 when every event had been received before (a retry).
        let response = Response(status: outcome.accepted > 0 ? .created : .ok)
        try response.content.encode(outcome, using: JSONEncoder.ioc)
        return response
    }

    static func officerAgencies(_ req: Request, _ d: AgencyDirectory.Snapshot) async throws -> Set<UUID>? {
        guard req.principal?.user?.role == .officer else { return nil }
        return try await req.visibleAgencyIDs(d) ?? []
    }

    struct ListDTO: Content {
        var items: [EventService.AlarmDTO]
        var counts: EventService.Counts
    }

    @Sendable static func list(_ req: Request) async throws -> ListDTO {
        let state = req.query[String.self, at: "state"] ?? "open"
        guard ["open", "active", "acknowledged", "cleared", "all"].contains(state) else {
            throw IOCError.invalid("state", vi: "state: open, active, acknowledged, cleared hoặc all.", en: "state must be open, active, acknowledged, cleared or all.")
        }
        let limit = try intQuery(req, "limit", range: 1...500) ?? 100
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let officer = try await officerAgencies(req, d)
        let q = AlarmModel.query(on: req.db)
        if let officer { q.filter(\.$agencyID ~~ Array(officer)) }
        switch state {
        case "open": q.filter(\.$state != "cleared")
        case "all": break
        default: q.filter(\.$state == state)
        }
        let rows = try await q.sort(\.$raisedAt, .descending).limit(state == "open" ? 2_000 : limit).all()
        let sorted = state == "open" ? Array(EventService.mostUrgentFirst(rows).prefix(limit)) : rows
        let sources = try await EventService.sourceNames(on: req.db)
        let counts = try await EventService.counts(on: req.db, agencies: officer, now: req.now)
        return ListDTO(items: sorted.map {
            EventService.dto($0, app: req.application, d: d, sources: sources,
                             actions: EventService.allowed($0, principal: req.principal, officerAgencies: officer).map(\.rawValue))
        }, counts: counts)
    }

    static func find(_ req: Request, _ d: AgencyDirectory.Snapshot, officer: Set<UUID>?) async throws -> AlarmModel {
        let code = req.parameters.get("code") ?? ""
        guard code.count <= 32, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
              let a = try await AlarmModel.query(on: req.db).filter(\.$code == code).first() else {
            throw IOCError.notFound("Alarm", vi: "cảnh báo")
        }
        if let officer, !(a.agencyID.map(officer.contains) ?? false) { throw IOCError.notFound("Alarm", vi: "cảnh báo") }
        return a
    }

    static func detailDTO(_ a: AlarmModel, req: Request, d: AgencyDirectory.Snapshot, officer: Set<UUID>?) async throws -> EventService.AlarmDTO {
        var dto = EventService.dto(a, app: req.application, d: d, sources: try await EventService.sourceNames(on: req.db),
                                   actions: EventService.allowed(a, principal: req.principal, officerAgencies: officer).map(\.rawValue))
        let notes = try await AlarmNoteModel.query(on: req.db).filter(\.$alarmID == a.id!).sort(\.$at).limit(500).all()
        dto.timeline = notes.map { .init(at: $0.at, action: $0.action, actor: $0.actor, agency: d.ref($0.agencyID), note: $0.note) }
        return dto
    }

    @Sendable static func detail(_ req: Request) async throws -> EventService.AlarmDTO {
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let officer = try await officerAgencies(req, d)
        return try await detailDTO(try await find(req, d, officer: officer), req: req, d: d, officer: officer)
    }

    struct ActionInput: Content {
        var action: String?
        var agency: String?
        var note: String?
    }

    @Sendable static func act(_ req: Request) async throws -> EventService.AlarmDTO {
        let input = try req.decodeBody(ActionInput.self)
        guard let name = input.action, let action = EventService.Action(rawValue: name) else {
            throw IOCError.invalid("action", vi: "action: acknowledge, assign, comment hoặc clear.", en: "action must be acknowledge, assign, comment or clear.")
        }
        let note: String?
        do { note = try Validate.text(input.note, field: "note", max: 2_000, required: false) } catch let v as ValidationFailure { throw IOCError.validation(v) }
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        var agency: AgencyDirectory.Agency?
        if action == .assign {
            guard let code = input.agency, code.count <= 64, let a = d.agencyByCode[code], a.active else {
                throw IOCError.invalid("agency", vi: "Cơ quan không tồn tại hoặc đã ngừng hoạt động.", en: "Unknown or inactive agency.")
            }
            agency = a
        }
        let officer = try await officerAgencies(req, d)
        let alarm = try await find(req, d, officer: officer)
        guard EventService.allowed(alarm, principal: req.principal, officerAgencies: officer).contains(action) else {
            // The right role but the wrong moment is a conflict; the wrong role is forbidden.
            let mayEver: Bool = switch req.principal?.user?.role {
            case .admin?, .operator?: true
            case .officer?: action != .assign
            default: false
            }
            if mayEver { throw EventService.stateError(alarm, action) }
            throw IOCError.forbidden
        }
        let user = try req.requireUser()
        let updated = try await EventService.perform(action, on: alarm, agency: agency, note: note, user: user, origin: req.clientAddress,
                                                     app: req.application, db: req.db, now: req.now)
        return try await detailDTO(updated, req: req, d: d, officer: officer)
    }
}
