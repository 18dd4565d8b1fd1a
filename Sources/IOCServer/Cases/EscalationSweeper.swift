import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Marks cases that enter the last part of their time ("near deadline") or pass their deadline, records it on the
/// timeline, and tells the operators and the agency (and its parent agency) on the live hub; closes resolved cases the
/// citizen never rated. Each mark is a conditional UPDATE … RETURNING, so two instances sweeping at once never
/// record the same breach twice.
enum EscalationSweeper {
    struct Report: Sendable, Equatable {
        var warned: [String] = []
        var breached: [String] = []
        var autoClosed: [String] = []
    }

    /// What a sweep committed, to publish after the commit.
    private struct Committed: Sendable {
        var report = Report()
        var publish: [(CaseModel, String)] = []
        var directory: CaseDirectory.Snapshot?
    }

    /// One transaction: the marks, the timeline entries, the audit entry and the wall's feed commit together or not
    /// at all (an audit entry can never be missing for a committed mark).
    static func sweep(app: Application, db: any Database, now: Date? = nil) async throws -> Report {
        let now = now ?? app.clock.now
        let committed = try await app.audit.transactionIfAny(on: db) { tx in try await mark(app: app, db: tx, now: now) }
        if let directory = committed.directory {
            for (m, type) in committed.publish { CaseService.publish(m, type: type, app: app, directory: directory) }
        }
        return committed.report
    }

    private static func mark(app: Application, db: any Database, now: Date) async throws -> (Committed, AuditRecord?) {
        let sql = db as! any SQLDatabase
        let open = CaseStatus.openStatuses.map(\.rawValue)
        var report = Report()
        struct Row: Decodable { var id: UUID; var code: String }

        // Near deadline: warn_at passed, due not yet.
        let warned = try await sql.raw("""
            UPDATE cases SET warned_at = \(bind: now), updated_at = \(bind: now)
            WHERE status IN (\(binds: open)) AND warned_at IS NULL AND breached_at IS NULL
              AND warn_at <= \(bind: now) AND due_at > \(bind: now)
            RETURNING id, code
            """).all(decoding: Row.self)
        // Breached.
        let breached = try await sql.raw("""
            UPDATE cases SET breached_at = \(bind: now), updated_at = \(bind: now)
            WHERE status IN (\(binds: open)) AND breached_at IS NULL AND due_at <= \(bind: now)
            RETURNING id, code
            """).all(decoding: Row.self)
        // Resolved but never rated.
        let cutoff = now.addingTimeInterval(-Double(app.iocConfiguration.caseAutoCloseDays) * 86_400)
        let closed = try await sql.raw("""
            UPDATE cases SET status = \(bind: CaseStatus.closed.rawValue), closed_at = \(bind: now), updated_at = \(bind: now)
            WHERE status = \(bind: CaseStatus.resolved.rawValue) AND resolved_at <= \(bind: cutoff)
            RETURNING id, code
            """).all(decoding: Row.self)
        guard !(warned.isEmpty && breached.isEmpty && closed.isEmpty) else { return (Committed(report: report), nil) }

        let directory = try await app.caseDirectory.snapshot(on: db)
        for (rows, type, public_) in [(warned, "warned", false), (breached, "breached", true), (closed, "auto_closed", true)] {
            for row in rows {
                let e = CaseEventModel()
                e.caseID = row.id
                e.at = now
                e.type = type
                e.actor = "system"
                e.isPublic = public_
                e.photos = ""
                switch type {
                case "warned": e.note = "Sắp đến hạn xử lý"; e.noteEn = "Deadline approaching"
                case "breached": e.note = "Quá hạn xử lý"; e.noteEn = "Deadline passed"
                default:
                    e.note = "Tự động đóng sau \(app.iocConfiguration.caseAutoCloseDays) ngày không có đánh giá"
                    e.noteEn = "Closed automatically after \(app.iocConfiguration.caseAutoCloseDays) days without a rating"
                    e.fromStatus = CaseStatus.resolved.rawValue
                    e.toStatus = CaseStatus.closed.rawValue
                }
                try await e.create(on: db)
            }
        }
        report.warned = warned.map(\.code).sorted()
        report.breached = breached.map(\.code).sorted()
        report.autoClosed = closed.map(\.code).sorted()
        let ids = (warned + breached + closed).map(\.id)
        let models = try await CaseModel.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: models.map { ($0.id!, $0) })
        var record = AuditRecord(actor: "system", action: "case.sweep", targetType: "cases", targetID: "sweep",
                                 origin: "sweeper", details: "warned=\(warned.count) breached=\(breached.count) autoClosed=\(closed.count)")
        for (rows, type) in [(warned, "case.warned"), (breached, "case.breached")] {
            for row in rows {
                if let m = byID[row.id], let e = CaseFeed.caseEntry(m, type: type, at: now, directory: directory) { record.feed.append(e) }
            }
        }
        // The wall's feed entries are committed with the audit entry and published after it.
        var publish: [(CaseModel, String)] = []
        for (rows, type) in [(warned, "case.warned"), (breached, "case.breached"), (closed, "case.status")] {
            for row in rows { if let m = byID[row.id] { publish.append((m, type)) } }
        }
        return (Committed(report: report, publish: publish, directory: directory), record)
    }
}

extension EscalationSweeper {
    /// Every `IOC_SWEEP_SECONDS`, on the leading instance (each mark is conditional, so a double run records nothing twice).
    static func task(seconds: Int) -> BackgroundTask {
        BackgroundTask("cases.escalation-sweep", mode: .singleton, every: .seconds(seconds)) { app in
            _ = try await sweep(app: app, db: app.db)
        }
    }
}
