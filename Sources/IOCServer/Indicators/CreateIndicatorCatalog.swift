import Fluent
import SQLKit

/// The catalogue: groups, indicators and their superseded definitions.
struct CreateIndicatorCatalog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IndicatorGroupModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("parent", .string)
            .field("sort_order", .int, .required)
            .create()
        try await database.schema(IndicatorModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("group_code", .string, .required)
            .field("unit", .string, .required)
            .field("unit_en", .string, .required)
            .field("period", .string, .required)
            .field("cumulative", .bool, .required)
            .field("aggregation", .string, .required)
            .field("weight", .string)
            .field("direction", .string, .required)
            .field("owner_agency", .string, .required)
            .field("deadline", .string, .required)
            .field("legal_basis", .string, .required)
            .field("formula", .string)
            .field("headline", .int)
            .field("communes", .bool, .required)
            .field("requires_approval", .bool, .required)
            .field("version", .int, .required)
            .field("active", .bool, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(IndicatorVersionModel.schema)
            .id()
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("definition", .string, .required)
            .field("valid_to", .datetime, .required)
            .field("changed_by", .string, .required)
            .unique(on: "code", "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IndicatorVersionModel.schema).delete()
        try await database.schema(IndicatorModel.schema).delete()
        try await database.schema(IndicatorGroupModel.schema).delete()
    }
}
