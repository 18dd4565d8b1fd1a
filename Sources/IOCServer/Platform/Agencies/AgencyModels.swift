import Fluent
import IOCCore
import SQLKit
import Vapor

/// A department, a commune People's Committee, the police, a utility… (table `agencies`).
final class AgencyModel: Model, @unchecked Sendable {
    static let schema = "agencies"

    /// What kind of body an agency is; routing and reports group by it.
    enum Kind: String, Codable, CaseIterable, Sendable {
        case provinceCommittee, department, serviceCenter, communeCommittee, police, utility, company, other
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "kind") var kind: String
    @OptionalParent(key: "parent_id") var parent: AgencyModel?
    @Field(key: "active") var active: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$agency) var jurisdiction: [AgencyUnitModel]

    init() {}

    init(id: UUID? = nil, code: String, name: String, nameEn: String, kind: Kind, parentID: UUID?, active: Bool = true) {
        self.id = id
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.kind = kind.rawValue
        self.$parent.id = parentID
        self.active = active
    }
}

/// One unit of an agency's jurisdiction (table `agency_units`).
final class AgencyUnitModel: Model, @unchecked Sendable {
    static let schema = "agency_units"

    @ID(key: .id) var id: UUID?
    @Parent(key: "agency_id") var agency: AgencyModel
    @Field(key: "unit_code") var unitCode: String

    init() {}

    init(agencyID: UUID, unitCode: String) {
        self.$agency.id = agencyID
        self.unitCode = unitCode
    }
}

struct CreateAgencies: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AgencyModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references(AgencyModel.schema, "id", onDelete: .restrict))
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await database.schema(AgencyUnitModel.schema)
            .id()
            .field("agency_id", .uuid, .required, .references(AgencyModel.schema, "id", onDelete: .cascade))
            .field("unit_code", .string, .required, .references(UnitModel.schema, "code"))
            .unique(on: "agency_id", "unit_code")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "agency_units_unit_code_idx").on(AgencyUnitModel.schema).column("unit_code").run()
            try await sql.create(index: "agencies_parent_id_idx").on(AgencyModel.schema).column("parent_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AgencyUnitModel.schema).delete()
        try await database.schema(AgencyModel.schema).delete()
    }
}
