import Fluent
import IOCCore
import Vapor

/// Reading and verifying the audit log (admins only).
enum AuditController {
    struct EntryDTO: Content {
        var seq: Int64
        var at: Date
        var actor: String
        var action: String
        var targetType: String
        var targetID: String
        var ip: String
        var details: String
    }

    struct EntryList: Content {
        var items: [EntryDTO]
        /// Entries matching the filters (the page holds at most `limit` of them).
        var total: Int
    }

    struct VerifyResult: Content {
        var ok: Bool
        var entries: Int
        var problem: String?
    }

    static let entrySchema = SharedSchemas.register("AuditEntry", .object([
        "seq": .integer, "at": .dateTime, "actor": .string, "action": .string, "targetType": .string,
        "targetID": .string, "ip": .string, "details": .string,
    ], required: ["seq", "at", "actor", "action", "targetType", "targetID"]))

    static func register(_ api: APIBuilder) {
        let a = api.group("audit", tag: "Audit")
        a.on(.GET, access: .admin, summary: "Audit entries, newest first",
             query: [.init("limit", "1–500 (default 100)", .integer), .init("before", "Entries with seq below this", .integer),
                     .init("targetType", "Filter by target type"), .init("targetID", "Filter by target id")],
             response: .list(entrySchema), use: list)
        a.on(.GET, "verify", access: .admin, summary: "Verify the hash chain",
             response: .object(["ok": .boolean, "entries": .integer, "problem": .nullable(.string)], required: ["ok", "entries"]),
             use: verify)
    }

    @Sendable static func list(_ req: Request) async throws -> EntryList {
        let limit = try intQuery(req, "limit", range: 1...500) ?? 100
        var q = AuditEntryModel.query(on: req.db)
        if let before = try intQuery(req, "before", range: 1...Int.max) { q = q.filter(\.$sequence < Int64(before)) }
        if let t = try Validate.text(req.query[String.self, at: "targetType"], field: "targetType", max: 64, required: false) {
            q = q.filter(\.$targetType == t)
        }
        if let t = try Validate.text(req.query[String.self, at: "targetID"], field: "targetID", max: 128, required: false) {
            q = q.filter(\.$targetID == t)
        }
        let total = try await q.count()
        let rows = try await q.sort(\.$sequence, .descending).limit(limit).all()
        let items = rows.map {
            EntryDTO(seq: $0.sequence, at: $0.at, actor: $0.actor, action: $0.action, targetType: $0.targetType,
                     targetID: $0.targetID, ip: $0.origin, details: $0.details)
        }
        return EntryList(items: items, total: total)
    }

    @Sendable static func verify(_ req: Request) async throws -> VerifyResult {
        let (count, problem) = try await req.application.audit.verify(on: req.db)
        return VerifyResult(ok: problem == nil, entries: count, problem: problem?.description)
    }
}

/// Reads an integer query parameter within a range, or throws a field-level 422.
func intQuery(_ req: Request, _ name: String, range: ClosedRange<Int>) throws -> Int? {
    guard let raw = req.query[String.self, at: name] else { return nil }
    guard let v = Int(raw), range.contains(v) else {
        throw IOCError.invalid(name, vi: "Tham số \(name) phải là số nguyên trong khoảng \(range.lowerBound)–\(range.upperBound).",
                               en: "\(name) must be an integer between \(range.lowerBound) and \(range.upperBound).")
    }
    return v
}
