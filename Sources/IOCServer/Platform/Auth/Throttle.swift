import Fluent
import Foundation
import SQLKit
import Vapor

/// Counters of attempts per key (a user name, a client address) in fixed windows, held in the database so that every
/// instance counts together and a restart forgets nothing. A row lives as long as its window: housekeeping deletes the
/// rows of ended windows, never a counter that is still running, so the table stays small without forgetting an
/// active attacker (an in-memory map had to be emptied when it grew, which forgot them all).
struct CreateThrottleCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ThrottleStore.table)
            .field("counter_key", .string, .identifier(auto: false))
            .field("hits", .int, .required)
            .field("window_start", .double, .required)
            .field("window_seconds", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ThrottleStore.table).delete()
    }
}

struct ThrottleStore: Sendable {
    static let table = "throttle_counters"

    struct Count: Sendable {
        var hits: Int
        /// Seconds until the window ends.
        var retryAfter: Int
    }

    let db: any SQLDatabase
    let now: Date

    init(_ db: any Database, now: Date) throws {
        guard let sql = db as? any SQLDatabase else { throw IOCStartupError("the throttle needs an SQL database") }
        self.db = sql
        self.now = now
    }

    private struct Row: Decodable {
        var hits: Int
        var window_start: Double
        var window_seconds: Double
    }

    /// The hits of the running window (0 when none runs).
    func count(_ key: String, window: TimeInterval) async throws -> Count {
        let t = now.timeIntervalSince1970
        guard let r = try await db.select().columns("hits", "window_start", "window_seconds").from(Self.table)
            .where("counter_key", .equal, SQLBind(Self.bounded(key))).first(decoding: Row.self),
            r.window_start + r.window_seconds > t
        else { return Count(hits: 0, retryAfter: 0) }
        return Count(hits: r.hits, retryAfter: Int((r.window_start + r.window_seconds - t).rounded(.up)))
    }

    /// Counts one hit in one statement (atomic on both databases): a window that has ended starts again at 1.
    /// `sliding`: each hit restarts the window, so the count ends only after `window` without hits (sign-in failures);
    /// otherwise the window runs from its first hit (report intake).
    @discardableResult
    func hit(_ key: String, window: TimeInterval, sliding: Bool = false) async throws -> Count {
        let t = now.timeIntervalSince1970
        let start: SQLQueryString = sliding ? "\(bind: t)"
            : "CASE WHEN \(ident: Self.table).window_start + \(ident: Self.table).window_seconds <= \(bind: t) THEN \(bind: t) ELSE \(ident: Self.table).window_start END"
        let row = try await db.raw("""
            INSERT INTO \(ident: Self.table) (counter_key, hits, window_start, window_seconds) VALUES (\(bind: Self.bounded(key)), 1, \(bind: t), \(bind: window))
            ON CONFLICT (counter_key) DO UPDATE SET
              hits = CASE WHEN \(ident: Self.table).window_start + \(ident: Self.table).window_seconds <= \(bind: t) THEN 1 ELSE \(ident: Self.table).hits + 1 END,
              window_start = \(start),
              window_seconds = \(bind: window)
            RETURNING hits, window_start, window_seconds
            """).first(decoding: Row.self)
        guard let row else { return Count(hits: 1, retryAfter: Int(window)) }
        return Count(hits: row.hits, retryAfter: Int((row.window_start + row.window_seconds - t).rounded(.up)))
    }

    func reset(_ key: String) async throws {
        try await db.delete(from: Self.table).where("counter_key", .equal, SQLBind(Self.bounded(key))).run()
    }

    /// Deletes the counters whose window has ended.
    func purgeEnded() async throws {
        try await db.delete(from: Self.table)
            .where(SQLRaw("window_start + window_seconds"), .lessThanOrEqual, SQLBind(now.timeIntervalSince1970)).run()
    }

    /// Keys are at most 200 characters (a long user name is cut, not refused: it counts all the same).
    static func bounded(_ key: String) -> String { String(key.prefix(200)) }

    /// Every instance deletes ended windows (idempotent), also when background work is off.
    static let housekeeping = BackgroundTask("platform.throttle-expiry", mode: .perInstance, every: .seconds(300), jitter: 0.2,
                                             housekeeping: true) { app in
        try await ThrottleStore(app.db, now: app.securityClock.now).purgeEnded()
    }
}
