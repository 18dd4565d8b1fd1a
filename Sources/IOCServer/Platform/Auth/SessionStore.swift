import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A signed-in browser's session, held in the database so any instance can serve it. The row is keyed by the SHA-256 of
/// the cookie's token: whoever reads the table cannot replay a session.
final class UserSessionModel: Model, @unchecked Sendable {
    static let schema = "user_sessions"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "csrf") var csrf: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}
}

/// Replaces Vapor's stored sessions (`_fluent_sessions`), which minted a stored session for any unknown cookie and kept
/// the id across sign-in (session fixation), and never expired on the server.
struct CreateUserSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserSessionModel.schema)
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references(UserModel.schema, "id", onDelete: .cascade))
            .field("csrf", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "user_sessions_user_idx").on(UserSessionModel.schema).column("user_id").run()
            // The old store's sessions are dropped: everyone signs in again once, with a session of the new kind.
            try await sql.raw("DROP TABLE IF EXISTS _fluent_sessions").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserSessionModel.schema).delete()
    }
}

/// Sessions of signed-in users: a new random token at every sign-in, nothing stored for anonymous callers, idle and
/// absolute expiry checked on every request, the row deleted at sign-out and by a housekeeping task once expired.
final class SessionStore: Sendable {
    struct Opened: Sendable {
        /// The cookie's value (only its hash is stored).
        var token: String
        var session: Current
    }

    /// A session that was presented and is valid.
    struct Current: Sendable {
        var id: String
        var userID: UUID
        var csrf: String
    }

    /// Without activity for this long, a session ends.
    let idle: TimeInterval
    /// A session ends this long after sign-in, active or not.
    let maxAge: TimeInterval
    let secureCookie: Bool
    /// Security timers keep real time (`app.securityClock`); tests move it to expire sessions.
    let clock: IOCClock
    /// `last_seen_at` is written at most this often per session (not on every request).
    let touchInterval: TimeInterval = 60

    init(idle: TimeInterval, maxAge: TimeInterval, secureCookie: Bool, clock: IOCClock) {
        self.clock = clock
        self.idle = idle
        self.maxAge = maxAge
        self.secureCookie = secureCookie
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A cookie value can only be a token this store made: 64 lower-case hex characters.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Opens a new session for the user.
    func open(userID: UUID, on db: any Database) async throws -> Opened {
        let token = APIKey.randomToken(), csrf = APIKey.randomToken()
        let row = UserSessionModel()
        row.id = Self.hash(token)
        row.$user.id = userID
        row.csrf = csrf
        row.createdAt = clock.now
        row.lastSeenAt = clock.now
        try await row.create(on: db)
        return Opened(token: token, session: Current(id: row.id!, userID: userID, csrf: csrf))
    }

    /// The valid session a cookie names, or nil (unknown, expired — then deleted — or malformed).
    func resolve(token: String, on db: any Database) async throws -> Current? {
        guard Self.isWellFormed(token) else { return nil }
        let id = Self.hash(token)
        guard let row = try await UserSessionModel.find(id, on: db) else { return nil }
        let now = clock.now
        if now.timeIntervalSince(row.createdAt) >= maxAge || now.timeIntervalSince(row.lastSeenAt) >= idle {
            try await row.delete(on: db)
            return nil
        }
        if now.timeIntervalSince(row.lastSeenAt) >= touchInterval {
            row.lastSeenAt = now
            try await row.update(on: db)
        }
        return Current(id: id, userID: row.$user.id, csrf: row.csrf)
    }

    /// Ends one session (sign-out, or the old session at a new sign-in).
    func close(id: String, on db: any Database) async throws {
        try await UserSessionModel.query(on: db).filter(\.$id == id).delete()
    }

    /// Ends every session of a user (deactivation, a new password), except `keeping`.
    func closeAll(userID: UUID, keeping: String? = nil, on db: any Database) async throws {
        var q = UserSessionModel.query(on: db).filter(\.$user.$id == userID)
        if let keeping { q = q.filter(\.$id != keeping) }
        try await q.delete()
    }

    /// Deletes the expired rows.
    func purgeExpired(on db: any Database) async throws {
        let now = clock.now
        try await UserSessionModel.query(on: db).group(.or) {
            $0.filter(\.$createdAt <= now.addingTimeInterval(-maxAge)).filter(\.$lastSeenAt <= now.addingTimeInterval(-idle))
        }.delete()
    }

    func cookie(_ token: String) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, expires: nil, maxAge: Int(maxAge), domain: nil, path: "/", isSecure: secureCookie,
                          isHTTPOnly: true, sameSite: .lax)
    }

    var expiredCookie: HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, domain: nil, path: "/",
                          isSecure: secureCookie, isHTTPOnly: true, sameSite: .lax)
    }

    /// Removes expired sessions on every instance (the delete is idempotent), also when background work is off.
    static let housekeeping = BackgroundTask("platform.session-expiry", mode: .perInstance, every: .seconds(600), jitter: 0.2,
                                             housekeeping: true) { app in
        try await app.sessionStore.purgeExpired(on: app.db)
    }
}

/// What the response should do with the session cookie.
enum SessionCookieChange: Sendable {
    case set(String)
    case expire
}

extension Request {
    private struct CurrentSessionKey: StorageKey { typealias Value = SessionStore.Current }
    private struct CookieChangeKey: StorageKey { typealias Value = SessionCookieChange }

    /// The valid session the request presented, if any.
    var currentSession: SessionStore.Current? {
        get { storage[CurrentSessionKey.self] }
        set { storage[CurrentSessionKey.self] = newValue }
    }

    /// Set by sign-in and sign-out; applied to the response by `PrincipalMiddleware`.
    var sessionCookieChange: SessionCookieChange? {
        get { storage[CookieChangeKey.self] }
        set { storage[CookieChangeKey.self] = newValue }
    }
}

extension Application {
    private struct SessionStoreKey: StorageKey { typealias Value = SessionStore }
    private struct SecurityClockKey: StorageKey { typealias Value = IOCClock }

    /// The time of security timers (sessions, throttles): the system's, never the services' clock, which tests and
    /// demos move by days; tests set this one to expire sessions and windows.
    var securityClock: IOCClock {
        if let c = storage[SecurityClockKey.self] { return c }
        let c = IOCClock()
        storage[SecurityClockKey.self] = c
        return c
    }

    var sessionStore: SessionStore {
        get {
            guard let s = storage[SessionStoreKey.self] else { fatalError("configure(_:) has not run") }
            return s
        }
        set { storage[SessionStoreKey.self] = newValue }
    }
}
