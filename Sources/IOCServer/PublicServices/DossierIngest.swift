import Fluent
import Foundation
import IOCCore
import SQLKit
import SQLiteNIO
import Vapor

/// Validates, assesses and upserts batches of dossiers. A rejected item stores nothing; accepted items commit
/// together; a re-sent dossier replaces the stored one only when its data is newer.
struct DossierIngest {
    static let maxBatch = 5_000
    let rules: TimelinessRules
    let catalog: UnitCatalog
    let now: Date

    /// A validated dossier with its assessment, ready to write.
    struct Prepared {
        var index: Int
        var input: DossierInput
        var facts: DossierFacts
        var assessment: DossierAssessment
        var versionAt: Date
        var versionEvents: Int
    }

    static let farFuture = Date(timeIntervalSince1970: 32_503_680_000)  // 3000-01-01, "still open"

    /// Checks one item; returns the facts or the first problem found (with its field).
    func validate(_ d: DossierInput, agencies: Set<String>, registered: Set<String>? = nil) -> Result<Prepared, ValidationFailure> {
        func fail(_ field: String, _ vi: String, _ en: String) -> Result<Prepared, ValidationFailure> {
            .failure(ValidationFailure(field: field, vi: vi, en: en))
        }
        do {
            let code = try Validate.required(d.code, field: "code", max: 100)
            let procedureCode = try Validate.required(d.procedureCode, field: "procedureCode", max: 64)
            _ = try Validate.required(d.procedureName, field: "procedureName", max: 500)
            let agency = try Validate.required(d.agencyCode, field: "agencyCode", max: 64)
            guard agencies.contains(agency) else {
                return fail("agencyCode", "Cơ quan \(agency.prefix(64)) không có trong danh mục cơ quan.", "Agency \(agency.prefix(64)) is not in the agency registry.")
            }
            if let registered, !registered.contains(agency) {
                return fail("agencyCode", "Nguồn dữ liệu này không được đăng ký gửi hồ sơ của cơ quan \(agency.prefix(64)).",
                            "This source is not registered to send dossiers of agency \(agency.prefix(64)).")
            }
            _ = procedureCode
            if let u = d.unitCode {
                guard let unit = catalog[u], unit.level == .commune else {
                    return fail("unitCode", "Mã xã/phường \(u.prefix(10)) không tồn tại.", "Unknown commune code \(u.prefix(10)).")
                }
            }
            guard let channel = d.channel, ["online", "direct", "postal"].contains(channel) else {
                return fail("channel", "Kênh nộp phải là online, direct hoặc postal.", "channel must be online, direct or postal.")
            }
            if let level = d.onlineLevel, !["full", "partial"].contains(level) {
                return fail("onlineLevel", "Mức độ trực tuyến phải là full, partial hoặc null.", "onlineLevel must be full, partial or null.")
            }
            guard let status = d.status.flatMap(DossierStatus.init(rawValue:)) else {
                return fail("status", "Trạng thái phải là mã quốc gia từ 1 đến 10.", "status must be a national status code 1–10.")
            }
            guard let received = d.receivedAt else {
                return fail("receivedAt", "Thiếu thời điểm tiếp nhận (ISO 8601 có múi giờ).", "receivedAt is required (ISO 8601 with offset).")
            }
            let earliest = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
            let latest = now.addingTimeInterval(300)
            func checkTime(_ date: Date?, _ field: String) throws {
                guard let date else { return }
                guard date >= earliest, date <= latest else {
                    throw ValidationFailure(field: field, vi: "Thời điểm \(field) nằm ngoài khoảng hợp lệ (từ 2000 đến hiện tại).", en: "\(field) is outside the valid range (2000 to now).")
                }
                guard date >= received || field == "dueAt" else {
                    throw ValidationFailure(field: field, vi: "\(field) sớm hơn thời điểm tiếp nhận.", en: "\(field) is earlier than receivedAt.")
                }
            }
            try checkTime(received, "receivedAt")
            try checkTime(d.finishedAt, "finishedAt")
            try checkTime(d.returnedAt, "returnedAt")
            if let due = d.dueAt, due < received {
                return fail("dueAt", "Hạn trả kết quả sớm hơn thời điểm tiếp nhận.", "dueAt is earlier than receivedAt.")
            }
            var limit: ProcessingLimit?
            if let l = d.limit {
                guard let value = l.value, let unitRaw = l.unit, let unit = ProcessingLimit.Unit(rawValue: unitRaw),
                      let pl = ProcessingLimit(value: value, unit: unit), value <= 3_650
                else {
                    return fail("limit", "Thời hạn phải có dạng {\"value\": 0–3650, \"unit\": \"workingDays\" | \"workingHours\" | \"days\"}.",
                                "limit must be {\"value\": 0–3650, \"unit\": \"workingDays\" | \"workingHours\" | \"days\"}.")
                }
                limit = pl
            }
            if limit == nil, d.dueAt == nil, status != .submitted, status != .refused {
                return fail("limit", "Cần thời hạn giải quyết (limit) hoặc hạn trả kết quả (dueAt).", "limit or dueAt is required.")
            }
            let rawHistory = d.history ?? []
            guard rawHistory.count <= 200 else { return fail("history", "Tối đa 200 mốc trạng thái.", "At most 200 history entries.") }
            var history: [StatusChange] = []
            for (i, h) in rawHistory.enumerated() {
                guard let s = h.status.flatMap(DossierStatus.init(rawValue:)) else {
                    return fail("history[\(i)].status", "Trạng thái phải là mã từ 1 đến 10.", "status must be 1–10.")
                }
                guard let at = h.at else { return fail("history[\(i)].at", "Thiếu thời điểm.", "at is required.") }
                try checkTime(at, "history[\(i)].at")
                history.append(StatusChange(status: s, at: at))
            }
            let rawSupplements = d.supplements ?? []
            guard rawSupplements.count <= 50 else { return fail("supplements", "Tối đa 50 yêu cầu bổ sung.", "At most 50 supplement requests.") }
            var supplements: [SupplementRequest] = []
            for (i, s) in rawSupplements.enumerated() {
                guard let requested = s.requestedAt else {
                    return fail("supplements[\(i)].requestedAt", "Thiếu thời điểm yêu cầu bổ sung.", "requestedAt is required.")
                }
                try checkTime(requested, "supplements[\(i)].requestedAt")
                try checkTime(s.completedAt, "supplements[\(i)].completedAt")
                if let c = s.completedAt, c < requested {
                    return fail("supplements[\(i)].completedAt", "Thời điểm hoàn thành bổ sung sớm hơn thời điểm yêu cầu.", "completedAt is earlier than requestedAt.")
                }
                supplements.append(SupplementRequest(requestedAt: requested, completedAt: s.completedAt))
            }
            let facts = DossierFacts(code: code, receivedAt: received, dueAt: d.dueAt, limit: limit, status: status, history: history,
                                     supplements: supplements, finishedAt: d.finishedAt, returnedAt: d.returnedAt)
            let moments = [received, d.finishedAt, d.returnedAt].compactMap { $0 } + history.map(\.at)
                + supplements.flatMap { [$0.requestedAt, $0.completedAt].compactMap { $0 } }
            return .success(Prepared(index: 0, input: d, facts: facts, assessment: rules.assess(facts),
                                     versionAt: moments.max() ?? received, versionEvents: history.count + supplements.count + status.rawValue))
        } catch let v as ValidationFailure {
            return .failure(v)
        } catch {
            return fail("", "Hồ sơ không hợp lệ.", "Invalid dossier.")
        }
    }

    /// Validates and commits a batch. Items repeated in one batch: the last one wins.
    /// `registered`: the agencies the sending source is registered for (nil: every agency).
    func ingest(_ items: [LossyDossier], sourceID: UUID?, registered: Set<String>? = nil, on db: any Database) async throws -> IngestResult {
        let agencies = Set(try await AgencyModel.query(on: db).all().map(\.code))
        var results: [IngestResult.Item] = []
        var prepared: [String: Prepared] = [:]
        for (i, item) in items.enumerated() {
            guard let value = item.value else {
                let e = item.error ?? ValidationFailure(field: "", vi: "Hồ sơ không hợp lệ.", en: "Invalid dossier.")
                results.append(.init(index: i, code: nil, result: "rejected", field: e.field, messages: e.message))
                continue
            }
            switch validate(value, agencies: agencies, registered: registered) {
            case .failure(let e):
                results.append(.init(index: i, code: value.code.map { String($0.prefix(100)) }, result: "rejected", field: e.field, messages: e.message))
            case .success(var p):
                p.index = i
                prepared[p.facts.code] = p
                results.append(.init(index: i, code: p.facts.code, result: "pending", field: nil, messages: nil))
            }
        }
        let accepted = Array(prepared.values)
        var outcome: [String: String] = [:]
        if !accepted.isEmpty {
            outcome = try await write(accepted, sourceID: sourceID, on: db)
        }
        var created = 0, updated = 0, unchanged = 0
        for i in results.indices where results[i].result == "pending" {
            let code = results[i].code!
            // An earlier duplicate of a code in the same batch was superseded by the later one.
            let r = prepared[code]?.index == results[i].index ? (outcome[code] ?? "unchanged") : "unchanged"
            results[i].result = r
            switch r {
            case "created": created += 1
            case "updated": updated += 1
            default: unchanged += 1
            }
        }
        let rejected = results.filter { $0.result == "rejected" }.count
        return IngestResult(accepted: results.count - rejected, rejected: rejected, created: created, updated: updated,
                            unchanged: unchanged, items: results)
    }

    static let columns = [
        "code", "procedure_code", "procedure_name", "agency_code", "unit_code", "channel", "online_level", "limit_value",
        "limit_unit", "received_at", "source_due_at", "status", "history", "supplements", "finished_at", "returned_at",
        "paid_online", "digitized", "e_result", "apology_issued", "version_at", "version_events", "source_id", "ingested_at",
        "effective_receipt", "due_at", "due_date", "compares_by_date", "end_at", "final_timeliness", "paused_at",
        "paused_late", "supplement_count", "forced_late", "excluded", "withdrawn_at", "closed_at",
    ]

    /// Re-assesses stored dossiers after the working calendar changed (their data is unchanged, their deadline may move).
    static func reassess(receivedBefore: Date, openAt: Date, rules: TimelinessRules, catalog: UnitCatalog, now: Date, on db: any Database) async throws {
        let ingest = DossierIngest(rules: rules, catalog: catalog, now: now)
        var after = ""
        while true {
            let page = try await DossierModel.query(on: db).filter(\.$receivedAt < receivedBefore).filter(\.$closedAt >= openAt)
                .filter(\.$id > after).sort(\.$id).limit(1_000).all()
            guard let last = page.last?.id else { return }
            after = last
            let prepared = page.map { m in
                let facts = m.facts()
                return Prepared(index: 0, input: m.input(), facts: facts, assessment: rules.assess(facts), versionAt: m.versionAt,
                                versionEvents: m.versionEvents)
            }
            _ = try await ingest.write(prepared, sourceID: nil, on: db, force: true, sourceIDs: Dictionary(uniqueKeysWithValues: page.map { ($0.id!, $0.sourceID) }))
        }
    }

    /// Writes the accepted dossiers that are new or newer than the stored version; returns created/updated/unchanged per code.
    /// `force` rewrites them whatever their version (re-assessment), keeping each one's source.
    private func write(_ items: [Prepared], sourceID: UUID?, on db: any Database, force: Bool = false,
                       sourceIDs: [String: UUID?] = [:]) async throws -> [String: String] {
        try await db.transaction { fluentTx in
            guard let tx = fluentTx as? any SQLDatabase else {
                throw IOCError(.internalServerError, code: "internal", vi: "Lỗi cơ sở dữ liệu.", en: "Database error.")
            }
            var outcome: [String: String] = [:]
            let sqlite = fluentTx as? any SQLiteDatabase
            // SQLite allows 32,766 parameters per statement: 800 rows × 37 columns.
            let size = sqlite == nil ? 400 : 800
            for chunk in stride(from: 0, to: items.count, by: size).map({ Array(items[$0..<min($0 + size, items.count)]) }) {
                var stored: [String: (Date, Int)] = [:]
                if let sqlite {
                    let sql = "SELECT code, version_at, version_events FROM \"\(DossierModel.schema)\" WHERE code IN ("
                        + Array(repeating: "?", count: chunk.count).joined(separator: ",") + ")"
                    for r in try await sqlite.query(sql, chunk.map { .text($0.facts.code) }).get() {
                        guard let code = r.column("code")?.string, let at = r.column("version_at")?.double,
                              let events = r.column("version_events")?.integer else { continue }
                        stored[code] = (Date(timeIntervalSince1970: at), events)
                    }
                } else {
                    let existing = try await tx.select().column("code").column("version_at").column("version_events")
                        .from(DossierModel.schema).where(SQLIdentifier("code"), .in, SQLBind.group(chunk.map(\.facts.code))).all()
                    for r in existing {
                        stored[try r.decode(column: "code", as: String.self)] =
                            (try r.decode(column: "version_at", as: Date.self), try r.decode(column: "version_events", as: Int.self))
                    }
                }
                var toWrite: [Prepared] = []
                for p in chunk {
                    if let (at, events) = stored[p.facts.code] {
                        if force || p.versionAt > at || (p.versionAt == at && p.versionEvents > events) {
                            outcome[p.facts.code] = "updated"
                            toWrite.append(p)
                        } else {
                            outcome[p.facts.code] = "unchanged"
                        }
                    } else {
                        outcome[p.facts.code] = "created"
                        toWrite.append(p)
                    }
                }
                guard !toWrite.isEmpty else { continue }
                let rows = toWrite.map { row($0, sourceID: force ? (sourceIDs[$0.facts.code] ?? nil) : sourceID) }
                if let sqlite {
                    _ = try await sqlite.query(Self.sqliteUpsert(rows: rows.count), rows.flatMap { $0.map(\.sqlite) }).get()
                } else {
                    let insert = tx.insert(into: DossierModel.schema).columns(Self.columns)
                    for r in rows { insert.values(r.map(\.expression)) }
                    try await insert.onConflict(with: ["code"]) { update in
                        var u = update
                        for c in Self.columns where c != "code" { u = u.set(excludedValueOf: c) }
                        return u
                    }.run()
                }
            }
            return outcome
        }
    }

    /// One column value of a dossier row, typed so that each database gets it in its own form without going through
    /// `Encodable` (generic encoding and Optional unwrapping were most of the ingest time).
    enum Cell {
        case text(String), int(Int), date(Date), bool(Bool), uuid(UUID), null

        /// For SQLKit (PostgreSQL): a concrete bind or a NULL literal.
        var expression: any SQLExpression {
            switch self {
            case .text(let v): SQLBind(v)
            case .int(let v): SQLBind(v)
            case .date(let v): SQLBind(v)
            case .bool(let v): SQLBind(v)
            case .uuid(let v): SQLBind(v)
            case .null: SQLLiteral.null
            }
        }

        /// For SQLite, exactly as Fluent stores these types there (dates as seconds since 1970, UUIDs as text).
        var sqlite: SQLiteData {
            switch self {
            case .text(let v): .text(v)
            case .int(let v): .integer(v)
            case .date(let v): .float(v.timeIntervalSince1970)
            case .bool(let v): .integer(v ? 1 : 0)
            case .uuid(let v): .text(v.uuidString)
            case .null: .null
            }
        }
    }

    private func v(_ value: String?) -> Cell { value.map(Cell.text) ?? .null }
    private func v(_ value: Int?) -> Cell { value.map(Cell.int) ?? .null }
    private func v(_ value: Date?) -> Cell { value.map(Cell.date) ?? .null }
    private func v(_ value: Bool?) -> Cell { value.map(Cell.bool) ?? .null }
    private func v(_ value: UUID?) -> Cell { value.map(Cell.uuid) ?? .null }

    /// The upsert statement for SQLite with `rows` rows of `?` placeholders.
    static func sqliteUpsert(rows: Int) -> String {
        let one = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return "INSERT INTO \"\(DossierModel.schema)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
            + Array(repeating: one, count: rows).joined(separator: ",")
            + " ON CONFLICT (\"code\") DO UPDATE SET " + columns.dropFirst().map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
    }

    private func row(_ p: Prepared, sourceID: UUID?) -> [Cell] {
        let d = p.input, a = p.assessment
        // Built by hand: JSONSerialization was a third of the ingest time. Keys sorted, values are digits and ISO times.
        let history = "[" + p.facts.history.map { #"{"at":"\#(ISO8601.format($0.at))","status":\#($0.status.rawValue)}"# }.joined(separator: ",") + "]"
        let supplements = "[" + p.facts.supplements.map { s in
            (s.completedAt.map { #"{"completedAt":"\#(ISO8601.format($0))","# } ?? "{") + #""requestedAt":"\#(ISO8601.format(s.requestedAt))"}"#
        }.joined(separator: ",") + "]"
        let final: String? = a.endAt.map { a.timeliness(asOf: $0).rawValue }
        let pausedLate = a.pausedAt.map { a.forcedLate || a.judge($0) == .late } ?? false
        // Mirrors PublicServiceCounts(dossier:…): a withdrawn dossier leaves the form when withdrawn (its receipt
        // when that instant is unknown); any other when processing ends.
        let withdrawalAt: Date? = a.withdrawn ? (a.withdrawnAt ?? a.receivedAt) : nil
        let closed = (a.withdrawn ? withdrawalAt : a.endAt) ?? Self.farFuture
        return [
            v(p.facts.code), v(d.procedureCode!), v(d.procedureName!), v(d.agencyCode!), v(d.unitCode), v(d.channel!), v(d.onlineLevel),
            v(p.facts.limit?.value), v(p.facts.limit?.unit.rawValue), v(p.facts.receivedAt), v(d.dueAt), v(p.facts.status.rawValue),
            v(history), v(supplements), v(d.finishedAt), v(d.returnedAt), v(d.paidOnline), v(d.digitized), v(d.eResult),
            v(d.apologyIssued), v(p.versionAt), v(p.versionEvents), v(sourceID), v(now), v(a.effectiveReceipt), v(a.due),
            v(a.dueDate.map { $0.year * 10_000 + $0.month * 100 + $0.day }), v(a.comparesByDate), v(a.endAt), v(final), v(a.pausedAt),
            v(pausedLate), v(a.supplementCount), v(a.forcedLate), v(a.excluded), v(withdrawalAt), v(closed),
        ]
    }
}
