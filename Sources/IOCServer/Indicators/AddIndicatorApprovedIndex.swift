import Fluent
import SQLKit

/// The wall tile's freshness is the newest approval: index it (a scan of millions of values on every overview).
struct AddIndicatorApprovedIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "ind_values_approved_idx").on(IndicatorValueModel.schema).column("approved_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "ind_values_approved_idx").run()
    }
}
