import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// The monthly-form figures (vietnam.md §1.5) computed in SQL from the columns `TimelinessRules.assess` filled at
/// ingest. The CASE expressions mirror `DossierAssessment.timeliness(asOf:)` exactly; a test compares both.
enum PublicServiceStats {
    enum Grouping: String, CaseIterable, Sendable {
        case agency, agencyKind, unit, procedure, channel, total

        var column: String {
            switch self {
            case .agency: "agency_code"
            // Sở/ban/ngành, land registration offices, commune committees… (the rows of the official form).
            case .agencyKind: "(SELECT kind FROM agencies WHERE agencies.code = agency_code)"
            case .unit: "unit_code"
            case .procedure: "procedure_code"
            case .channel: "channel"
            case .total: "'all'"
            }
        }
    }

    struct Row: Sendable {
        var key: String?
        var label: String?
        var counts: PublicServiceCounts
    }

    /// Counts per group for the period `[from, to)`, judged at `asOf` (the period's end, or now if earlier).
    /// Only dossiers open at some point of the period are read (index on `closed_at, received_at`).
    static func rows(on db: any Database, from: Date, to: Date, asOf: Date, groupBy: Grouping, agencyCodes: [String]? = nil) async throws -> [Row] {
        guard let sql = db as? any SQLDatabase else { return [] }
        if let codes = agencyCodes, codes.isEmpty { return [] }
        let rows = try await sql.raw(query(from: from, to: to, asOf: asOf, groupBy: groupBy, agencyCodes: agencyCodes,
                                           dialect: sql.iocDialect)).all()
        return try rows.map(decode)
    }

    /// The aggregate query itself (the benchmark also runs it bare, to measure what the service adds).
    static func query(from: Date, to: Date, asOf: Date, groupBy: Grouping, agencyCodes: [String]?, dialect: DatabaseDialect) -> SQLQueryString {
        // Open dossiers are judged at the last instant of the period (asOf is exclusive): its local date counts.
        let asOfDate = WorkingCalendar.vietnamCivilService.civilDate(of: asOf.addingTimeInterval(-0.001))
        let asOfDay = asOfDate.year * 10_000 + asOfDate.month * 100 + asOfDate.day
        let t = SQLBind(true)
        let open = SQLQueryString("closed_at >= \(bind: asOf)")
        let pausedNow = SQLQueryString("paused_at IS NOT NULL AND paused_at < \(bind: asOf)")
        let pausedLate = SQLQueryString("(forced_late = \(t) OR paused_late = \(t))")
        let overdueNow = SQLQueryString("(forced_late = \(t) OR (compares_by_date = \(t) AND due_date < \(bind: asOfDay)) OR (compares_by_date <> \(t) AND due_at < \(bind: asOf)))")
        let receivedIn = SQLQueryString("received_at >= \(bind: from)")
        let resolvedIn = SQLQueryString("end_at >= \(bind: from) AND end_at < \(bind: asOf)")
        func sum(_ condition: SQLQueryString, _ alias: String) -> SQLQueryString {
            "SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END) AS \(ident: alias)"
        }
        let columns: [SQLQueryString] = [
            "\(unsafeRaw: groupBy.column) AS grp",
            sum("received_at < \(bind: from)", "carried_over"),
            sum("\(receivedIn) AND channel = 'online'", "received_online"),
            sum("\(receivedIn) AND channel = 'direct'", "received_direct"),
            sum("\(receivedIn) AND channel = 'postal'", "received_postal"),
            sum("\(resolvedIn) AND final_timeliness = 'early'", "resolved_early"),
            sum("\(resolvedIn) AND final_timeliness = 'onTime'", "resolved_on_time"),
            sum("\(resolvedIn) AND final_timeliness = 'late'", "resolved_late"),
            // Open at asOf and not withdrawn by then: withdrawn ones have left (closed_at = withdrawal).
            sum("\(open) AND NOT (\(pausedNow)) AND NOT \(overdueNow)", "in_progress_within"),
            sum("\(open) AND NOT (\(pausedNow)) AND \(overdueNow)", "in_progress_overdue"),
            sum("\(open) AND \(pausedNow) AND NOT \(pausedLate)", "paused_within"),
            sum("\(open) AND \(pausedNow) AND \(pausedLate)", "paused_overdue"),
            sum("withdrawn_at >= \(bind: from) AND withdrawn_at < \(bind: asOf)", "withdrawn"),
            sum("\(receivedIn) AND channel = 'online' AND online_level = 'full'", "online_full"),
            sum("\(receivedIn) AND channel = 'online' AND online_level IS NOT NULL", "online_level_known"),
            sum("\(receivedIn) AND paid_online = \(t)", "paid_online"),
            sum("\(receivedIn) AND paid_online IS NOT NULL", "fee_bearing"),
            sum("\(receivedIn) AND digitized = \(t) AND e_result = \(t)", "digitized"),
            sum("\(receivedIn) AND e_result = \(t)", "e_result"),
            sum("\(receivedIn) AND e_result IS NOT NULL", "require_result"),
            groupBy == .procedure ? "MAX(procedure_name) AS label" : "NULL AS label",
        ]
        var parts: [SQLQueryString] = [
            // SQLite's planner prefers the agency index for the GROUP BY and then reads every row; the period's range
            // on closed_at is far more selective, so name it (PostgreSQL plans this well by itself).
            "SELECT \(columns.joined(separator: ", ")) FROM \(ident: DossierModel.schema)\(dialect.indexHint("dossiers_closed_received_idx"))",
            "WHERE excluded <> \(t) AND received_at < \(bind: asOf) AND closed_at >= \(bind: from)",
        ]
        if let codes = agencyCodes {
            parts.append("AND agency_code IN (\(binds: codes))")
        }
        if groupBy != .total { parts.append("GROUP BY \(unsafeRaw: groupBy.column)") }
        return parts.joined(separator: " ")
    }

    static func decode(_ r: any SQLRow) throws -> Row {
        do {
            func n(_ c: String) throws -> Int { try r.decodeNil(column: c) ? 0 : Int(try r.decode(column: c, as: Int64.self)) }
            let counts = PublicServiceCounts(
                carriedOver: try n("carried_over"), receivedOnline: try n("received_online"), receivedDirect: try n("received_direct"),
                receivedPostal: try n("received_postal"), resolvedEarly: try n("resolved_early"), resolvedOnTime: try n("resolved_on_time"),
                resolvedLate: try n("resolved_late"), inProgressWithin: try n("in_progress_within"),
                inProgressOverdue: try n("in_progress_overdue"), pausedWithin: try n("paused_within"),
                pausedOverdue: try n("paused_overdue"), withdrawn: try n("withdrawn"), onlineFull: try n("online_full"),
                eligibleForFull: nil, onlineLevelKnown: try n("online_level_known"), paidOnline: try n("paid_online"),
                feeBearing: try n("fee_bearing"), digitized: try n("digitized"), eResult: try n("e_result"),
                requireResult: try n("require_result"), satisfactionNegative: 0)
            let key = try r.decodeNil(column: "grp") ? nil : try r.decode(column: "grp", as: String.self)
            let label = try r.decodeNil(column: "label") ? nil : try r.decode(column: "label", as: String.self)
            return Row(key: key, label: label, counts: counts)
        }
    }
}
