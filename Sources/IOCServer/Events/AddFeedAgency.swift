import Fluent
import SQLKit

/// The agency a feed entry belongs to (a report's or an alarm's handling agency; none for province-wide facts), so an
/// officer's wall shows its agencies' entries only, as its REST views do (issue 18, point 1).
struct AddFeedAgency: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EventModel.schema).field("agency_code", .string).update()
        try await (database as! any SQLDatabase).raw("CREATE INDEX IF NOT EXISTS events_agency_id ON events (agency_code, id)").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX IF EXISTS events_agency_id").run()
        try await database.schema(EventModel.schema).deleteField("agency_code").update()
    }
}
