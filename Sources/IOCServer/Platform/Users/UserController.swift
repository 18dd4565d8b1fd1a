import Fluent
import IOCCore
import Vapor

/// User administration (admins only).
enum UserController {
    struct UserDTO: Content {
        var id: UUID
        var username: String
        var displayName: String
        var role: String
        var agencyID: UUID?
        var unitScope: String?
        var active: Bool
        var lastLoginAt: Date?
    }

    struct UserList: Content {
        var items: [UserDTO]
        var total: Int
    }

    struct Input: Content {
        var username: String?
        var displayName: String?
        var password: String?
        var role: String?
        var agencyID: UUID?
        var unitScope: String?
        var active: Bool?
    }

    static let userSchema = SharedSchemas.register("User", .object([
        "id": .uuid, "username": .string, "displayName": .string, "role": .enumeration(Role.allCases.map(\.rawValue)),
        "agencyID": .nullable(.uuid), "unitScope": .nullable(.string), "active": .boolean, "lastLoginAt": .nullable(.dateTime),
    ], required: ["id", "username", "displayName", "role", "active"]))
    static let inputSchema = SharedSchemas.register("UserInput", .object([
        "username": .string, "displayName": .string, "password": .described(.string, "10–128 characters"),
        "role": .enumeration(Role.allCases.map(\.rawValue)), "agencyID": .nullable(.uuid), "unitScope": .nullable(.string),
        "active": .boolean,
    ], required: []))

    static func register(_ api: APIBuilder) {
        let u = api.group("users", tag: "Users")
        u.on(.GET, access: .admin, summary: "List users", response: .list(userSchema), use: list)
        u.on(.POST, access: .admin, summary: "Create a user", body: inputSchema, response: userSchema, status: .created, use: create)
        u.on(.PATCH, ":id", access: .admin, summary: "Change a user (role, scope, password, active)", body: inputSchema, response: userSchema, use: update)
    }

    static func dto(_ u: UserModel) -> UserDTO {
        UserDTO(id: u.id!, username: u.username, displayName: u.displayName, role: u.role, agencyID: u.$agency.id,
                unitScope: u.unitScope, active: u.active, lastLoginAt: u.lastLoginAt)
    }

    @Sendable static func list(_ req: Request) async throws -> UserList {
        let me = try req.requireUser()
        var items = try await UserModel.query(on: req.db).sort(\.$username).all()
        if me.scope != .all {
            var visible: [UserModel] = []
            for u in items where try await covers(me, u, req: req) { visible.append(u) }
            items = visible
        }
        return UserList(items: items.map(dto), total: items.count)
    }

    static func covers(_ me: AuthenticatedUser, _ target: UserModel, req: Request) async throws -> Bool {
        if me.scope == .all { return true }
        if let a = target.$agency.id {
            return try await AgencyService.userCovers(me, agencyID: a, on: req.db, catalog: req.application.reference.units)
        }
        if let u = target.unitScope, let unit = req.application.reference.units[u] { return ScopeRules.covers(me.scope, unit: unit) }
        return false
    }

    static func validatePassword(_ p: String) throws -> String {
        guard p.count >= 10, p.count <= 128 else {
            throw IOCError.invalid("password", vi: "Mật khẩu phải có từ 10 đến 128 ký tự.", en: "The password must have 10 to 128 characters.")
        }
        return p
    }

    static func apply(_ input: Input, to user: UserModel, req: Request) async throws {
        if let name = input.displayName { user.displayName = try Validate.required(name, field: "displayName", max: 120) }
        if let r = input.role {
            guard let role = Role(rawValue: r) else {
                throw IOCError.invalid("role", vi: "Vai trò không hợp lệ (\(Role.allCases.map(\.rawValue).joined(separator: ", "))).",
                                       en: "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            user.role = role.rawValue
        }
        if let a = input.agencyID {
            guard try await AgencyModel.find(a, on: req.db) != nil else {
                throw IOCError.invalid("agencyID", vi: "Cơ quan không tồn tại.", en: "The agency does not exist.")
            }
            user.$agency.id = a
        }
        if let s = input.unitScope {
            guard req.application.reference.units[s] != nil else {
                throw IOCError.invalid("unitScope", vi: "Mã đơn vị hành chính không tồn tại.", en: "Unknown unit code.")
            }
            user.unitScope = s
        }
        if let active = input.active { user.active = active }
        if let p = input.password { user.passwordHash = try await req.password.async.hash(try validatePassword(p)) }
        try requireOfficerScope(role: user.role, agencyID: user.$agency.id, unitScope: user.unitScope)
    }

    /// An officer belongs to an agency or a unit: without one, its scope would be everything.
    static func requireOfficerScope(role: String, agencyID: UUID?, unitScope: String?) throws {
        if role == Role.officer.rawValue, agencyID == nil, unitScope == nil {
            throw IOCError.invalid("agencyID", vi: "Cán bộ phải thuộc một cơ quan hoặc một đơn vị hành chính.",
                                   en: "An officer must belong to an agency or a unit.")
        }
    }

    @Sendable static func create(_ req: Request) async throws -> UserDTO {
        let me = try req.requireUser()
        let input = try req.decodeBody(Input.self)
        let username = try Validate.code(input.username, field: "username", max: 64).lowercased()
        guard input.password != nil else { throw IOCError.invalid("password", vi: "Thiếu mật khẩu.", en: "password is required.") }
        guard input.role != nil else { throw IOCError.invalid("role", vi: "Thiếu vai trò.", en: "role is required.") }
        if try await UserModel.query(on: req.db).filter(\.$username == username).first() != nil {
            throw IOCError.conflict("username", vi: "Tên đăng nhập \(username) đã tồn tại.", en: "Username \(username) already exists.")
        }
        let user = UserModel(username: username, displayName: username, passwordHash: "", role: .leader, agencyID: nil, unitScope: nil)
        if input.displayName == nil { user.displayName = username }
        try await apply(input, to: user, req: req)
        guard try await covers(me, user, req: req) else { throw IOCError.forbidden }
        return try await req.application.audit.transaction(on: req.db) { tx in
            try await user.create(on: tx)
            return (dto(user), req.auditRecord("user.create", targetType: "user", targetID: user.id!.uuidString, details: "username=\(username) role=\(user.role)"))
        }
    }

    @Sendable static func update(_ req: Request) async throws -> UserDTO {
        let me = try req.requireUser()
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw IOCError.invalid("id", vi: "Mã định danh người dùng phải là UUID.", en: "The user id must be a UUID.")
        }
        guard let user = try await UserModel.find(id, on: req.db) else { throw IOCError.notFound("User", vi: "người dùng") }
        guard try await covers(me, user, req: req) else { throw IOCError.forbidden }
        let input = try req.decodeBody(Input.self)
        if input.username != nil, input.username?.lowercased() != user.username {
            throw IOCError.invalid("username", vi: "Không thể đổi tên đăng nhập.", en: "The username cannot be changed.")
        }
        if id == me.id, input.active == false || (input.role != nil && input.role != Role.admin.rawValue) {
            throw IOCError.invalid("role", vi: "Không thể tự khóa hoặc tự hạ quyền quản trị của chính mình.",
                                   en: "You cannot deactivate or demote yourself.")
        }
        try await apply(input, to: user, req: req)
        guard try await covers(me, user, req: req) else { throw IOCError.forbidden }
        let changed = [input.role.map { "role=\($0)" }, input.active.map { "active=\($0)" }, input.password.map { _ in "password" }]
            .compactMap { $0 }.joined(separator: " ")
        // A deactivated account or a new password ends the account's sessions (the admin's own current one stays).
        let endSessions = input.active == false || input.password != nil
        let store = req.application.sessionStore, keeping = req.currentSession?.id
        return try await req.application.audit.transaction(on: req.db) { tx in
            try await user.update(on: tx)
            if endSessions { try await store.closeAll(userID: id, keeping: keeping, on: tx) }
            return (dto(user), req.auditRecord("user.update", targetType: "user", targetID: id.uuidString, details: changed))
        }
    }
}
