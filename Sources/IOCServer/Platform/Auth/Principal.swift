import Crypto
import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Who is calling: a signed-in user or an integration source.
public enum Principal: Sendable {
    case user(AuthenticatedUser)
    case source(AuthenticatedSource)

    var auditName: String {
        switch self {
        case .user(let u): "user:\(u.username)"
        case .source(let s): "source:\(s.name)"
        }
    }

    public var user: AuthenticatedUser? {
        if case .user(let u) = self { return u }
        return nil
    }
}

public struct AuthenticatedUser: Sendable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var role: Role
    public var agencyID: UUID?
    public var unitScope: String?
    public var scope: Scope {
        if let a = agencyID { return .agency(agencyID: a.uuidString) }
        if let u = unitScope { return .unit(code: u) }
        return .all
    }
}

public struct AuthenticatedSource: Sendable {
    public var id: UUID
    public var name: String
    public var kind: String
    /// The agencies whose data it may send (nil: every agency).
    public var agencies: Set<String>? = nil
    /// The kind's meaning (nil: a name that is no known kind).
    public var sourceKind: SourceKind? { SourceKind.parse(kind) }
    /// A display key's wall (its source is named `wall:<code>`).
    public var wall: String? {
        guard sourceKind == .display, name.hasPrefix("wall:") else { return nil }
        return String(name.dropFirst(5))
    }
}

enum SessionSettings {
    static let cookieName = "ioc_session"
    /// A kiosk's display key, once exchanged at `POST /api/v1/display/session` (HttpOnly: no script reads it, and it
    /// is never in an address, so never in a proxy's access log).
    static let displayCookieName = "ioc_display"
    static let csrfHeader = "X-CSRF-Token"
}

/// How the caller authenticated: cookie sessions need a CSRF token on unsafe methods; API keys do not; a display
/// cookie only ever reads.
enum AuthMethod: Sendable { case session, apiKey, displayCookie }

extension Request {
    private struct PrincipalKey: StorageKey { typealias Value = Principal }
    private struct AuthMethodKey: StorageKey { typealias Value = AuthMethod }

    public internal(set) var principal: Principal? {
        get { storage[PrincipalKey.self] }
        set { storage[PrincipalKey.self] = newValue }
    }

    var authMethod: AuthMethod? {
        get { storage[AuthMethodKey.self] }
        set { storage[AuthMethodKey.self] = newValue }
    }

    /// The signed-in user; throws 401 when the caller is not a user.
    func requireUser() throws -> AuthenticatedUser {
        guard let u = principal?.user else { throw IOCError.unauthenticated }
        return u
    }
}

/// API keys: `ioc_` + 43 characters of base64url (256 random bits). Stored as SHA-256 only.
enum APIKey {
    static func generate() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let b64 = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "ioc_" + b64
    }

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func prefix(_ key: String) -> String { String(key.prefix(10)) }

    /// A random token for CSRF protection.
    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
    }
}

/// Resolves the caller from a bearer API key or the session cookie. A presented but invalid key is a 401;
/// a stale session is simply dropped. Also counts a source's failed requests.
struct PrincipalMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // `/metrics` takes its own scrape token (IOC_METRICS_TOKEN) as a bearer token, not an API key. Keys are never
        // read from an address (`?key=`): addresses end up in access logs.
        if req.url.path != "/metrics", let token = req.headers.bearerAuthorization?.token {
            let source = try await Self.source(forKey: token, on: req.db)
            guard let source, let id = source.id else {
                throw IOCError(.unauthorized, code: "invalid_api_key", vi: "Khóa API không hợp lệ hoặc đã bị thu hồi.",
                               en: "The API key is invalid or has been revoked.")
            }
            req.principal = .source(AuthenticatedSource(id: id, name: source.name, kind: source.kind, agencies: source.agencySet))
            req.authMethod = .apiKey
            do {
                let response = try await next.respond(to: req)
                if response.status.code >= 400 { await Self.countError(sourceID: id, on: req.db) }
                return response
            } catch {
                await Self.countError(sourceID: id, on: req.db)
                throw error
            }
        }
        // A kiosk's display cookie (no user session on a kiosk): read-only access to its wall.
        if req.cookies[SessionSettings.cookieName] == nil, let token = req.cookies[SessionSettings.displayCookieName]?.string, !token.isEmpty {
            if let source = try await Self.source(forKey: token, on: req.db), let id = source.id, SourceKind.parse(source.kind) == .display {
                req.principal = .source(AuthenticatedSource(id: id, name: source.name, kind: source.kind))
                req.authMethod = .displayCookie
            }
            return try await next.respond(to: req)
        }
        // A session cookie counts only when it names a live session: nothing is stored for anonymous callers, and a
        // stale or unknown cookie is expired in the answer.
        if let token = req.cookies[SessionSettings.cookieName]?.string, !token.isEmpty {
            let store = req.application.sessionStore
            if let session = try await store.resolve(token: token, on: req.db),
               let user = try await UserModel.find(session.userID, on: req.db), user.active {
                req.currentSession = session
                req.principal = .user(AuthenticatedUser(
                    id: session.userID, username: user.username, displayName: user.displayName, role: user.roleValue,
                    agencyID: user.$agency.id, unitScope: user.unitScope))
                req.authMethod = .session
            } else {
                req.sessionCookieChange = .expire
            }
        }
        let response: Response
        do {
            response = try await next.respond(to: req)
        } catch where req.sessionCookieChange != nil {
            // The refusal still carries the cookie change (a stale cookie is expired even on a 401).
            response = ProblemMiddleware.response(for: error, request: req)
        }
        switch req.sessionCookieChange {
        case .set(let token): response.cookies[SessionSettings.cookieName] = req.application.sessionStore.cookie(token)
        case .expire: response.cookies[SessionSettings.cookieName] = req.application.sessionStore.expiredCookie
        case nil: break
        }
        return response
    }

    /// The active source a key belongs to.
    static func source(forKey token: String, on db: any Database) async throws -> SourceModel? {
        guard token.count <= 128, token.hasPrefix("ioc_") else { return nil }
        return try await SourceModel.query(on: db).filter(\.$keyHash == APIKey.hash(token)).filter(\.$active == true).first()
    }

    static func countError(sourceID: UUID, on db: any Database) async {
        guard let sql = db as? any SQLDatabase else { return }
        try? await sql.update(SourceModel.schema)
            .set(SQLIdentifier("error_count"), to: SQLRaw("error_count + 1"))
            .set("last_error_at", to: SQLBind(Date()))
            .where("id", .equal, SQLBind(sourceID))
            .run()
    }
}

/// The one place that decides whether a caller may use a route.
enum Authorization {
    static let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]

    static func check(_ access: Access, method: HTTPMethod, on req: Request) throws {
        guard access != .public else { return }
        guard let principal = req.principal else { throw IOCError.unauthenticated }
        guard access.admits(principal) else { throw IOCError.forbidden }
        if case .source(let s) = principal, s.sourceKind == .display {
            // A display reads, and only its own wall.
            guard safeMethods.contains(method) || req.authMethod == .apiKey else { throw IOCError.forbidden }
            if let wall = req.parameters.get("wall"), wall.lowercased() != s.wall?.lowercased() { throw IOCError.forbidden }
        }
        if req.authMethod == .session, !safeMethods.contains(method) {
            guard let expected = req.currentSession?.csrf, let sent = req.headers.first(name: SessionSettings.csrfHeader),
                  constantTimeEquals(expected, sent)
            else {
                throw IOCError(.forbidden, code: "csrf", vi: "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang.",
                               en: "Missing or wrong CSRF token. Reload the page.")
            }
        }
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
