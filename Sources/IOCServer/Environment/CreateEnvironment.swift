import Fluent
import SQLKit

/// Stations, their observations (one row per station × parameter × instant) and the hourly and daily aggregates kept
/// with them. Instants are whole seconds since 1970 (`BIGINT`) so that both databases group and compare them the
/// same way in the hot paths.
struct CreateEnvironment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StationModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("lat", .double, .required)
            .field("lon", .double, .required)
            .field("unit_code", .string, .required)
            .field("owner_agency", .string)
            .field("parameters", .string, .required)
            .field("interval_seconds", .int, .required)
            .field("alarm_levels", .string)
            .field("river", .string)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("env_observations")
            .field("station", .string, .required)
            .field("parameter", .string, .required)
            .field("t", .int64, .required)
            .field("hour", .int64, .required)
            .field("value", .double, .required)
            .field("received_at", .int64, .required)
            .unique(on: "station", "parameter", "t")
            .create()
        try await database.schema("env_hourly")
            .field("station", .string, .required)
            .field("parameter", .string, .required)
            .field("hour", .int64, .required)
            .field("n", .int, .required)
            .field("total", .double, .required)
            .field("vmin", .double, .required)
            .field("vmax", .double, .required)
            .unique(on: "station", "parameter", "hour")
            .create()
        try await database.schema("env_daily")
            .field("station", .string, .required)
            .field("parameter", .string, .required)
            .field("day", .int64, .required)
            .field("n", .int, .required)
            .field("total", .double, .required)
            .field("vmin", .double, .required)
            .field("vmax", .double, .required)
            .unique(on: "station", "parameter", "day")
            .create()
    }

    func revert(on database: any Database) async throws {
        for t in ["env_daily", "env_hourly", "env_observations", StationModel.schema] { try await database.schema(t).delete() }
    }
}
