import Fluent
import SQLKit

/// Annual plans, budget estimates and quarterly targets, with their history.
struct CreateIndicatorPlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IndicatorPlanModel.schema)
            .id()
            .field("indicator", .string, .required)
            .field("year", .int, .required)
            .field("unit_code", .string, .required)
            .field("kind", .string, .required)
            .field("quarter", .int, .required)
            .field("value", .double, .required)
            .field("document", .string, .required)
            .field("current", .bool, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "ind_plans_idx").on(IndicatorPlanModel.schema)
            .column("indicator").column("year").column("unit_code").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IndicatorPlanModel.schema).delete()
    }
}
