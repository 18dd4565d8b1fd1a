import Fluent
import IOCCore
import Vapor

/// A person who signs in (table `users`). Citizens are not users: they report anonymously or by phone.
final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @OptionalParent(key: "agency_id") var agency: AgencyModel?
    /// A unit subtree this user is limited to (a province or commune code), when not limited to an agency.
    @OptionalField(key: "unit_scope") var unitScope: String?
    @Field(key: "active") var active: Bool
    @OptionalField(key: "last_login_at") var lastLoginAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, username: String, displayName: String, passwordHash: String, role: Role, agencyID: UUID?, unitScope: String?) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role.rawValue
        self.$agency.id = agencyID
        self.unitScope = unitScope
        self.active = true
    }

    var roleValue: Role { Role(rawValue: role) ?? .leader }

    /// The user's scope: an agency when attached to one, else a unit subtree, else everything.
    var scope: Scope {
        if let a = $agency.id { return .agency(agencyID: a.uuidString) }
        if let u = unitScope { return .unit(code: u) }
        return .all
    }
}

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserModel.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("agency_id", .uuid, .references(AgencyModel.schema, "id", onDelete: .restrict))
            .field("unit_scope", .string, .references(UnitModel.schema, "code"))
            .field("active", .bool, .required)
            .field("last_login_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserModel.schema).delete()
    }
}
