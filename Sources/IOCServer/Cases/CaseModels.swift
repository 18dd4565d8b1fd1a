import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// A unit of work with a responsible agency and a deadline (table `cases`). A field report is a case of kind
/// `field_report`; incidents and escalated dossiers will be other kinds. Personal data of the person who raised it
/// is NOT here: it lives in `case_reporters`, which only the few paths allowed to show it read.
final class CaseModel: Model, @unchecked Sendable {
    static let schema = "cases"

    @ID(key: .id) var id: UUID?
    /// Public tracking code, e.g. `PA-2026-000123`.
    @Field(key: "code") var code: String
    @Field(key: "kind") var kind: String
    /// Category (Open311 service_code).
    @Field(key: "category") var category: String
    @Field(key: "status") var status: String
    @OptionalField(key: "agency_id") var agencyID: UUID?
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @OptionalField(key: "unit_code") var unitCode: String?
    @OptionalField(key: "lat") var lat: Double?
    @OptionalField(key: "lon") var lon: Double?
    @OptionalField(key: "address") var address: String?
    @Field(key: "description") var description: String
    @Field(key: "channel") var channel: String
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "policy_amount") var policyAmount: Int
    @Field(key: "policy_unit") var policyUnit: String
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "warn_at") var warnAt: Date
    @OptionalField(key: "warned_at") var warnedAt: Date?
    @OptionalField(key: "breached_at") var breachedAt: Date?
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    /// Set when the case was resolved after its deadline (kept even if it is reopened later).
    @Field(key: "handled_late") var handledLate: Bool
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "result_text") var resultText: String?
    @OptionalField(key: "rating") var rating: String?
    @OptionalField(key: "rating_comment") var ratingComment: String?
    @Field(key: "reopen_count") var reopenCount: Int
    @OptionalField(key: "duplicate_of") var duplicateOf: String?
    @OptionalField(key: "extension_until") var extensionUntil: Date?
    @OptionalField(key: "extension_reason") var extensionReason: String?
    @OptionalField(key: "extension_by") var extensionBy: String?
    @OptionalField(key: "extension_at") var extensionAt: Date?
    @Field(key: "is_public") var isPublic: Bool
    @Field(key: "updated_at") var updatedAt: Date
    /// Open311 token (opaque, public).
    @Field(key: "token") var token: String

    init() {}

    var caseStatus: CaseStatus { CaseStatus(rawValue: status) ?? .new }

    /// Forgets a pending extension request (approved, denied or overtaken).
    func clearExtensionRequest() {
        extensionUntil = nil
        extensionReason = nil
        extensionBy = nil
        extensionAt = nil
    }
    var policy: SLAPolicy { SLAPolicy(amount: policyAmount, unit: SLAPolicy.Unit(rawValue: policyUnit) ?? .workingHours) }
    var escalation: EscalationCheck {
        EscalationCheck(dueAt: dueAt, warnAt: warnAt, warned: warnedAt != nil, breached: breachedAt != nil, isOpen: caseStatus.isOpen)
    }
}

/// Who raised a case, when they gave contact details (table `case_reporters`, one row per case). Never in a public
/// response, the live feed, a log or a leader's export.
final class CaseReporterModel: Model, @unchecked Sendable {
    static let schema = "case_reporters"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "email") var email: String?
    @Field(key: "consent") var consent: Bool
    @Field(key: "show_name") var showName: Bool
    /// SHA-256 of the secret follow token given to the citizen.
    @Field(key: "follow_token_hash") var followTokenHash: String
    /// SHA-256 of `client key + Idempotency-Key`: a retried upload finds the report it already created.
    @OptionalField(key: "idempotency_hash") var idempotencyHash: String?
    @OptionalField(key: "media_urls") var mediaURLs: String?

    init() {}
}

/// One entry of a case's timeline (table `case_events`): status changes, notes, attachments, assignments,
/// extensions, escalations — each with actor and time.
final class CaseEventModel: Model, @unchecked Sendable {
    static let schema = "case_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "type") var type: String
    /// `user:<name>`, `citizen`, `system`, `source:<name>`.
    @Field(key: "actor") var actor: String
    @OptionalField(key: "from_status") var fromStatus: String?
    @OptionalField(key: "to_status") var toStatus: String?
    @OptionalField(key: "agency_id") var agencyID: UUID?
    /// A person's words as typed, or the Vietnamese of a note the system wrote (its English in `noteEn`).
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "note_en") var noteEn: String?
    @Field(key: "is_public") var isPublic: Bool
    /// Attachment hashes, comma-separated.
    @Field(key: "photos") var photos: String

    init() {}
}

/// Image bytes, content-addressed by SHA-256 (table `attachments`), so every instance serves them and the same
/// photo uploaded twice is stored once. Metadata is stripped before storage.
final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(custom: "sha256", generatedBy: .user) var id: String?
    @Field(key: "content_type") var contentType: String
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    @Field(key: "size") var size: Int
    @Field(key: "data") var data: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Which attachments belong to a case and in what role (table `case_attachments`).
final class CaseAttachmentModel: Model, @unchecked Sendable {
    static let schema = "case_attachments"

    enum Role: String { case report, result, note }

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "sha256") var sha256: String
    @Field(key: "role") var role: String
    @Field(key: "position") var position: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Named monotonic counters (tracking-code sequences per year).
struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseModel.schema)
            .id()
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("category", .string, .required)
            .field("status", .string, .required)
            .field("agency_id", .uuid)
            .field("assignee_id", .uuid)
            .field("unit_code", .string)
            .field("lat", .double)
            .field("lon", .double)
            .field("address", .string)
            .field("description", .string, .required)
            .field("channel", .string, .required)
            .field("received_at", .datetime, .required)
            .field("policy_amount", .int, .required)
            .field("policy_unit", .string, .required)
            .field("due_at", .datetime, .required)
            .field("warn_at", .datetime, .required)
            .field("warned_at", .datetime)
            .field("breached_at", .datetime)
            .field("resolved_at", .datetime)
            .field("handled_late", .bool, .required)
            .field("closed_at", .datetime)
            .field("result_text", .string)
            .field("rating", .string)
            .field("rating_comment", .string)
            .field("reopen_count", .int, .required)
            .field("duplicate_of", .string)
            .field("extension_until", .datetime)
            .field("extension_reason", .string)
            .field("extension_by", .string)
            .field("extension_at", .datetime)
            .field("is_public", .bool, .required)
            .field("updated_at", .datetime, .required)
            .field("token", .string, .required)
            .unique(on: "code")
            .unique(on: "token")
            .create()
        try await database.schema(CaseReporterModel.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseModel.schema, "id", onDelete: .cascade))
            .field("name", .string)
            .field("phone", .string)
            .field("email", .string)
            .field("consent", .bool, .required)
            .field("show_name", .bool, .required)
            .field("follow_token_hash", .string, .required)
            .field("idempotency_hash", .string)
            .field("media_urls", .string)
            .unique(on: "case_id")
            .unique(on: "idempotency_hash")
            .create()
        try await database.schema(CaseEventModel.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseModel.schema, "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("type", .string, .required)
            .field("actor", .string, .required)
            .field("from_status", .string)
            .field("to_status", .string)
            .field("agency_id", .uuid)
            .field("note", .string)
            .field("is_public", .bool, .required)
            .field("photos", .string, .required)
            .create()
        try await database.schema(AttachmentModel.schema)
            .field("sha256", .string, .identifier(auto: false))
            .field("content_type", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("size", .int, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(CaseAttachmentModel.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseModel.schema, "id", onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("role", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("counters")
            .field("name", .string, .identifier(auto: false))
            .field("value", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            // (…, code): lists ordered by time then code (stable paging) read the index in order, no sort.
            "CREATE INDEX cases_received_idx ON cases (received_at, code)",
            "CREATE INDEX cases_updated_idx ON cases (updated_at, code)",
            "CREATE INDEX cases_category_received_idx ON cases (category, received_at, code)",
            "CREATE INDEX cases_status_due_idx ON cases (status, due_at)",
            "CREATE INDEX cases_agency_status_idx ON cases (agency_id, status)",
            "CREATE INDEX case_events_case_idx ON case_events (case_id, at)",
            "CREATE INDEX case_attachments_case_idx ON case_attachments (case_id, position)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["counters", CaseAttachmentModel.schema, AttachmentModel.schema, CaseEventModel.schema,
                      CaseReporterModel.schema, CaseModel.schema] {
            try await database.schema(table).delete()
        }
    }
}

enum Counters {
    /// The next value of a named counter, inside the caller's transaction (atomic on both databases).
    static func next(_ name: String, on db: any Database) async throws -> Int64 {
        let sql = db as! any SQLDatabase
        try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: name), 0) ON CONFLICT (name) DO NOTHING").run()
        struct Row: Decodable { var value: Int64 }
        guard let row = try await sql.raw("UPDATE counters SET value = value + 1 WHERE name = \(bind: name) RETURNING value")
            .first(decoding: Row.self) else {
            throw Abort(.internalServerError, reason: "counter \(name) missing")
        }
        return row.value
    }
}
