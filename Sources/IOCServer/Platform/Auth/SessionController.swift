import Fluent
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// Sign-in, the current session, sign-out.
enum SessionController {
    struct LoginRequest: Content {
        var username: String
        var password: String
    }

    struct SessionDTO: Content {
        struct User: Content {
            var id: UUID
            var username: String
            var displayName: String
            var role: String
            var roleName: LocalizedMessage
            var agency: AgencyRef?
            var unitScope: String?
        }

        struct AgencyRef: Content {
            var id: UUID
            var code: String
            var name: String
        }

        var user: User
        var csrfToken: String
    }

    static let loginSchema = SharedSchemas.register("LoginRequest", .object(["username": .string, "password": .string], required: ["username", "password"]))
    static let sessionSchema = SharedSchemas.register("Session", .object([
        "user": .object([
            "id": .uuid, "username": .string, "displayName": .string, "role": .enumeration(Role.allCases.map(\.rawValue)),
            "roleName": .object(["vi": .string, "en": .string], required: ["vi", "en"]),
            "agency": .nullable(.object(["id": .uuid, "code": .string, "name": .string], required: ["id", "code", "name"])),
            "unitScope": .nullable(.string),
        ], required: ["id", "username", "displayName", "role"]),
        "csrfToken": .string,
    ], required: ["user", "csrfToken"]))

    static func register(_ api: APIBuilder) {
        let s = api.group("session", tag: "Session")
        s.on(.POST, access: .public, summary: "Sign in with username and password (sets the session cookie)",
             body: loginSchema, response: sessionSchema, use: login)
        s.on(.GET, access: .anyUser, summary: "The signed-in user and the CSRF token", response: sessionSchema, use: current)
        s.on(.DELETE, access: .anyUser, summary: "Sign out", status: .noContent, use: logout)
    }

    @Sendable static func login(_ req: Request) async throws -> SessionDTO {
        let body = try req.decodeBody(LoginRequest.self)
        let username = try Validate.required(body.username, field: "username", max: 64).lowercased()
        guard !body.password.isEmpty, body.password.count <= 256 else {
            throw IOCError.invalid("password", vi: "Mật khẩu không hợp lệ.", en: "Invalid password.")
        }
        // Failures count per user name (from any address: a password guessed from many addresses is still slowed)
        // and per address (spraying many user names from one address is too), in the database for every instance.
        let throttle = try LoginThrottle(req.db, now: req.application.securityClock.now, username: username, address: req.clientAddress)
        try await throttle.admit()
        let user = try await UserModel.query(on: req.db).filter(\.$username == username).with(\.$agency).first()
        let valid: Bool
        if let user, user.active {
            valid = (try? await req.password.async.verify(body.password, created: user.passwordHash)) ?? false
        } else {
            // Same work whether or not the user exists, so timing does not reveal user names.
            _ = try? await req.password.async.verify(body.password, created: LoginThrottle.dummyHash)
            valid = false
        }
        guard valid, let user, let uid = user.id else {
            try await throttle.fail()
            // The attempted name is not recorded (people type passwords into it); a known account is.
            try await req.application.audit.record(
                req.auditRecord("session.login_failed", targetType: "user", targetID: user?.id?.uuidString ?? "unknown"), on: req.db)
            throw IOCError(.unauthorized, code: "invalid_credentials", vi: "Tên đăng nhập hoặc mật khẩu không đúng.",
                           en: "Wrong username or password.")
        }
        try await throttle.succeed()
        // A new session with a new id, whatever cookie came with the request (no fixation); the one it named ends.
        let store = req.application.sessionStore
        if let old = req.currentSession { try await store.close(id: old.id, on: req.db) }
        let opened = try await store.open(userID: uid, on: req.db)
        req.currentSession = opened.session
        req.sessionCookieChange = .set(opened.token)
        let csrf = opened.session.csrf
        user.lastLoginAt = Date()
        try await user.update(on: req.db)
        req.principal = .user(AuthenticatedUser(id: uid, username: user.username, displayName: user.displayName,
                                                role: user.roleValue, agencyID: user.$agency.id, unitScope: user.unitScope))
        try await req.application.audit.record(req.auditRecord("session.login", targetType: "user", targetID: uid.uuidString), on: req.db)
        return dto(user, csrf: csrf)
    }

    @Sendable static func current(_ req: Request) async throws -> SessionDTO {
        let u = try req.requireUser()
        guard let user = try await UserModel.query(on: req.db).filter(\.$id == u.id).with(\.$agency).first() else {
            throw IOCError.unauthenticated
        }
        guard let session = req.currentSession else { throw IOCError.unauthenticated }
        return dto(user, csrf: session.csrf)
    }

    @Sendable static func logout(_ req: Request) async throws -> HTTPStatus {
        let u = try req.requireUser()
        try await req.application.audit.record(req.auditRecord("session.logout", targetType: "user", targetID: u.id.uuidString), on: req.db)
        if let session = req.currentSession { try await req.application.sessionStore.close(id: session.id, on: req.db) }
        req.currentSession = nil
        req.sessionCookieChange = .expire
        return .noContent
    }

    static func dto(_ user: UserModel, csrf: String) -> SessionDTO {
        let role = user.roleValue
        return SessionDTO(
            user: .init(
                id: user.id!, username: user.username, displayName: user.displayName, role: role.rawValue,
                roleName: LocalizedMessage(vi: role.nameVi, en: role.nameEn),
                agency: user.agency.map { .init(id: $0.id!, code: $0.code, name: $0.name) }, unitScope: user.unitScope),
            csrfToken: csrf)
    }
}

/// The sign-in limits: 10 failures for one user name, or 50 from one address, without a 15-minute pause between them
/// lock further attempts until 15 minutes after the last attempt (counted in `ThrottleStore`).
struct LoginThrottle {
    static let perUser = 10
    static let perAddress = 50
    static let window: TimeInterval = 15 * 60

    let store: ThrottleStore
    let userKey: String
    let addressKey: String

    init(_ db: any Database, now: Date, username: String, address: String) throws {
        store = try ThrottleStore(db, now: now)
        userKey = "login.user:\(username)"
        addressKey = "login.addr:\(address)"
    }

    /// Refuses (429) while the user name or the address is locked; an attempt while locked counts too, so whoever
    /// keeps trying keeps the lock for another full window.
    func admit() async throws {
        let perUser = try await store.count(userKey, window: Self.window)
        let perAddress = try await store.count(addressKey, window: Self.window)
        let userLocked = perUser.hits >= Self.perUser, addressLocked = perAddress.hits >= Self.perAddress
        guard userLocked || addressLocked else { return }
        let (u, a) = try await hitBoth()
        let wait = max(userLocked ? u.retryAfter : 0, addressLocked ? a.retryAfter : 0)
        var e = IOCError(.tooManyRequests, code: "too_many_attempts",
                         vi: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau \(max(1, (wait + 59) / 60)) phút.",
                         en: "Too many failed sign-ins. Try again in \(max(1, (wait + 59) / 60)) minutes.")
        e.headers.replaceOrAdd(name: .retryAfter, value: String(max(1, wait)))
        throw e
    }

    func fail() async throws { _ = try await hitBoth() }

    /// The account's count starts again; the address's does not (one known password does not excuse a spray).
    func succeed() async throws { try await store.reset(userKey) }

    private func hitBoth() async throws -> (ThrottleStore.Count, ThrottleStore.Count) {
        (try await store.hit(userKey, window: Self.window, sliding: true), try await store.hit(addressKey, window: Self.window, sliding: true))
    }

    /// A bcrypt hash of a random string, verified when the user does not exist.
    static let dummyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuSk3xWr8W1w0xvZRwX7lQ4aKfMZvU0iK"
}

