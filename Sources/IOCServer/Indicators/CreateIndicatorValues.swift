import Fluent
import SQLKit

/// Values with their vintages and approval state.
struct CreateIndicatorValues: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IndicatorValueModel.schema)
            .id()
            .field("indicator", .string, .required)
            .field("period", .string, .required)
            .field("period_ord", .int, .required)
            .field("unit_code", .string, .required)
            .field("value", .double, .required)
            .field("status", .string, .required)
            .field("vintage", .int, .required)
            .field("state", .string, .required)
            .field("current", .bool, .required)
            .field("agency_code", .string, .required)
            .field("entered_by", .string, .required)
            .field("entered_at", .datetime, .required)
            .field("submitted_at", .datetime)
            .field("approved_by", .string)
            .field("approved_at", .datetime)
            .field("return_reason", .string)
            .field("note", .string, .required)
            .field("flags", .string, .required)
            .field("source_id", .uuid)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // Leaders' views: the current value of a few indicators for one unit over a range of periods.
        try await sql.create(index: "ind_values_current_idx").on(IndicatorValueModel.schema)
            .column("indicator").column("unit_code").column("period_ord").column("current").run()
        // Entry and approval queues: by state and agency.
        try await sql.create(index: "ind_values_state_idx").on(IndicatorValueModel.schema)
            .column("state").column("agency_code").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IndicatorValueModel.schema).delete()
    }
}
