import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// An immutable fact (table `events`): from a source (a camera went offline, a security alert, a threshold crossed)
/// or from IOC itself (a report arrived, a deadline passed, an alarm was acknowledged). The table is also the wall's
/// feed journal: its id is global (one sequence for every instance of a province) and rows are appended while the
/// audit lock is held, so ids follow commit order and a screen can resume from the last id it saw.
final class EventModel: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    /// When IOC recorded it.
    @Field(key: "at") var at: Date
    /// When it happened, as the source says.
    @Field(key: "occurred_at") var occurredAt: Date
    /// `source` (sent by an integrated system) or `ioc` (IOC's own).
    @Field(key: "origin") var origin: String
    @OptionalField(key: "source_id") var sourceID: UUID?
    @OptionalField(key: "external_id") var externalID: String?
    /// e.g. `camera.offline`, `report.created`, `alarm.acknowledged`.
    @Field(key: "kind") var kind: String
    /// What the wall's feed calls it: `report.created`, `alarm.raised`, `alarm.acknowledged`, `event`…
    @Field(key: "feed_type") var feedType: String
    /// info | minor | major | critical
    @Field(key: "level") var level: String
    /// How the wall colours it: info | good | warn | bad
    @Field(key: "tone") var tone: String
    @Field(key: "title") var title: String
    @Field(key: "title_en") var titleEn: String
    @OptionalField(key: "unit_code") var unitCode: String?
    @OptionalField(key: "lat") var lat: Double?
    @OptionalField(key: "lon") var lon: Double?
    /// The case or alarm it is about (`PA-…`, `CB-…`).
    @OptionalField(key: "ref") var ref: String?
    @OptionalField(key: "link") var link: String?
    /// The agency the entry belongs to (nil: a province-wide fact); officers' walls show their agencies' entries.
    @OptionalField(key: "agency_code") var agencyCode: String?

    init() {}
}

/// An alarm raised by events (table `alarms`): active → acknowledged → cleared, with who and when.
final class AlarmModel: Model, @unchecked Sendable {
    static let schema = "alarms"

    @ID(key: .id) var id: UUID?
    /// e.g. `CB-2026-000042`.
    @Field(key: "code") var code: String
    /// Events with the same key repeat an open alarm instead of raising another (`<source>|<alarmKey>`).
    @Field(key: "alarm_key") var key: String
    /// active | acknowledged | cleared
    @Field(key: "state") var state: String
    /// minor | major | critical
    @Field(key: "severity") var severity: String
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "description") var description: String
    @OptionalField(key: "source_id") var sourceID: UUID?
    @OptionalField(key: "unit_code") var unitCode: String?
    @OptionalField(key: "lat") var lat: Double?
    @OptionalField(key: "lon") var lon: Double?
    @Field(key: "raised_at") var raisedAt: Date
    @Field(key: "last_event_at") var lastEventAt: Date
    @Field(key: "event_count") var count: Int
    @OptionalField(key: "agency_id") var agencyID: UUID?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "acknowledged_by") var acknowledgedBy: String?
    @OptionalField(key: "cleared_at") var clearedAt: Date?
    @OptionalField(key: "cleared_by") var clearedBy: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var isOpen: Bool { state != "cleared" }
}

/// An alarm's timeline (table `alarm_notes`): raised, repeated, acknowledged, assigned, commented, cleared.
final class AlarmNoteModel: Model, @unchecked Sendable {
    static let schema = "alarm_notes"

    @ID(key: .id) var id: UUID?
    @Field(key: "alarm_id") var alarmID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "action") var action: String
    /// The person's display name, or the source's name.
    @Field(key: "actor") var actor: String
    @OptionalField(key: "agency_id") var agencyID: UUID?
    @OptionalField(key: "note") var note: String?

    init() {}
}

struct CreateEventsAndAlarms: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(EventModel.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("occurred_at", .datetime, .required)
            .field("origin", .string, .required)
            .field("source_id", .uuid)
            .field("external_id", .string)
            .field("kind", .string, .required)
            .field("feed_type", .string, .required)
            .field("level", .string, .required)
            .field("tone", .string, .required)
            .field("title", .string, .required)
            .field("title_en", .string, .required)
            .field("unit_code", .string)
            .field("lat", .double)
            .field("lon", .double)
            .field("ref", .string)
            .field("link", .string)
            .unique(on: "source_id", "external_id")
            .create()
        try await db.schema(AlarmModel.schema)
            .id()
            .field("code", .string, .required)
            .field("alarm_key", .string, .required)
            .field("state", .string, .required)
            .field("severity", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("title_en", .string, .required)
            .field("description", .string, .required)
            .field("source_id", .uuid)
            .field("unit_code", .string)
            .field("lat", .double)
            .field("lon", .double)
            .field("raised_at", .datetime, .required)
            .field("last_event_at", .datetime, .required)
            .field("event_count", .int, .required)
            .field("agency_id", .uuid)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .string)
            .field("cleared_at", .datetime)
            .field("cleared_by", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await db.schema(AlarmNoteModel.schema)
            .id()
            .field("alarm_id", .uuid, .required, .references(AlarmModel.schema, "id"))
            .field("at", .datetime, .required)
            .field("action", .string, .required)
            .field("actor", .string, .required)
            .field("agency_id", .uuid)
            .field("note", .string)
            .create()
        let sql = db as! any SQLDatabase
        for statement in [
            "CREATE INDEX alarms_key_idx ON alarms (alarm_key, state)",
            "CREATE INDEX alarms_state_idx ON alarms (state, raised_at)",
            "CREATE INDEX alarm_notes_alarm_idx ON alarm_notes (alarm_id, at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema(AlarmNoteModel.schema).delete()
        try await db.schema(AlarmModel.schema).delete()
        try await db.schema(EventModel.schema).delete()
    }
}
