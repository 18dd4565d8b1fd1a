import Fluent
import Foundation
import SQLKit
import Vapor

/// An administrative-procedure dossier mirrored from the province's one-stop system (table `dossiers`), keyed by
/// the source's own code, with the legal deadline and the facts classification needs precomputed at ingest
/// (`IOCCore.TimelinessRules.assess`), so reports are plain SQL comparisons.
final class DossierModel: Model, @unchecked Sendable {
    static let schema = "dossiers"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "procedure_code") var procedureCode: String
    @Field(key: "procedure_name") var procedureName: String
    @Field(key: "agency_code") var agencyCode: String
    @OptionalField(key: "unit_code") var unitCode: String?
    @Field(key: "channel") var channel: String
    @OptionalField(key: "online_level") var onlineLevel: String?
    @OptionalField(key: "limit_value") var limitValue: Int?
    @OptionalField(key: "limit_unit") var limitUnit: String?
    @Field(key: "received_at") var receivedAt: Date
    @OptionalField(key: "source_due_at") var sourceDueAt: Date?
    @Field(key: "status") var status: Int
    /// JSON: `[{"status": 4, "at": "…"}]`, as sent.
    @Field(key: "history") var history: String
    /// JSON: `[{"requestedAt": "…", "completedAt": "…"|null}]`, as sent.
    @Field(key: "supplements") var supplements: String
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @OptionalField(key: "returned_at") var returnedAt: Date?
    @OptionalField(key: "paid_online") var paidOnline: Bool?
    @OptionalField(key: "digitized") var digitized: Bool?
    @OptionalField(key: "e_result") var eResult: Bool?
    @OptionalField(key: "apology_issued") var apologyIssued: Bool?
    /// The latest instant the dossier's data mentions: a re-sent version replaces this one only when newer.
    @Field(key: "version_at") var versionAt: Date
    @Field(key: "version_events") var versionEvents: Int
    @OptionalField(key: "source_id") var sourceID: UUID?
    @Field(key: "ingested_at") var ingestedAt: Date

    // Precomputed by TimelinessRules (see IOCCore/PublicServices).
    @Field(key: "effective_receipt") var effectiveReceipt: Date
    @OptionalField(key: "due_at") var dueAt: Date?
    /// Local (Asia/Ho_Chi_Minh) date of `due_at` as yyyymmdd, for day limits.
    @OptionalField(key: "due_date") var dueDate: Int?
    @Field(key: "compares_by_date") var comparesByDate: Bool
    @OptionalField(key: "end_at") var endAt: Date?
    /// early | onTime | late once processing ended.
    @OptionalField(key: "final_timeliness") var finalTimeliness: String?
    @OptionalField(key: "paused_at") var pausedAt: Date?
    @Field(key: "paused_late") var pausedLate: Bool
    @Field(key: "supplement_count") var supplementCount: Int
    @Field(key: "forced_late") var forcedLate: Bool
    @Field(key: "excluded") var excluded: Bool
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    /// When the dossier stopped counting as open (end of processing or withdrawal); far future while open.
    @Field(key: "closed_at") var closedAt: Date

    init() {}
}

/// The freshness of the figures is the newest ingest: index it.
struct AddDossierIngestedIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "dossiers_ingested_idx").on(DossierModel.schema).column("ingested_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "dossiers_ingested_idx").run()
    }
}

struct CreateDossiers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DossierModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("procedure_code", .string, .required)
            .field("procedure_name", .string, .required)
            .field("agency_code", .string, .required)
            .field("unit_code", .string)
            .field("channel", .string, .required)
            .field("online_level", .string)
            .field("limit_value", .int)
            .field("limit_unit", .string)
            .field("received_at", .datetime, .required)
            .field("source_due_at", .datetime)
            .field("status", .int, .required)
            .field("history", .string, .required)
            .field("supplements", .string, .required)
            .field("finished_at", .datetime)
            .field("returned_at", .datetime)
            .field("paid_online", .bool)
            .field("digitized", .bool)
            .field("e_result", .bool)
            .field("apology_issued", .bool)
            .field("version_at", .datetime, .required)
            .field("version_events", .int, .required)
            .field("source_id", .uuid)
            .field("ingested_at", .datetime, .required)
            .field("effective_receipt", .datetime, .required)
            .field("due_at", .datetime)
            .field("due_date", .int)
            .field("compares_by_date", .bool, .required)
            .field("end_at", .datetime)
            .field("final_timeliness", .string)
            .field("paused_at", .datetime)
            .field("paused_late", .bool, .required)
            .field("supplement_count", .int, .required)
            .field("forced_late", .bool, .required)
            .field("excluded", .bool, .required)
            .field("withdrawn_at", .datetime)
            .field("closed_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            // Reports read the dossiers open during a period: received before its end and closed after its start.
            try await sql.create(index: "dossiers_closed_received_idx").on(DossierModel.schema).column("closed_at").column("received_at").run()
            try await sql.create(index: "dossiers_received_idx").on(DossierModel.schema).column("received_at").run()
            try await sql.create(index: "dossiers_agency_idx").on(DossierModel.schema).column("agency_code").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DossierModel.schema).delete()
    }
}

import IOCCore

extension DossierModel {
    /// The stored dossier as the rules see it (history and supplements decoded from their JSON columns).
    func facts() -> DossierFacts {
        let decoder = JSONDecoder.ioc
        let history = (try? decoder.decode([DossierView.HistoryEntry].self, from: Data(self.history.utf8))) ?? []
        let supplements = (try? decoder.decode([DossierView.Supplement].self, from: Data(self.supplements.utf8))) ?? []
        let limit = limitUnit.flatMap(ProcessingLimit.Unit.init(rawValue:)).flatMap { u in limitValue.flatMap { ProcessingLimit(value: $0, unit: u) } }
        return DossierFacts(
            code: id ?? "", receivedAt: receivedAt, dueAt: sourceDueAt, limit: limit, status: DossierStatus(rawValue: status) ?? .processing,
            history: history.compactMap { h in DossierStatus(rawValue: h.status).map { StatusChange(status: $0, at: h.at) } },
            supplements: supplements.map { SupplementRequest(requestedAt: $0.requestedAt, completedAt: $0.completedAt) },
            finishedAt: finishedAt, returnedAt: returnedAt)
    }
}

extension DossierModel {
    /// The stored dossier as an ingest item (to re-assess it through the same path).
    func input() -> DossierInput {
        let f = facts()
        return DossierInput(
            code: id, procedureCode: procedureCode, procedureName: procedureName, agencyCode: agencyCode, unitCode: unitCode,
            channel: channel, onlineLevel: onlineLevel, limit: f.limit.map { .init(value: $0.value, unit: $0.unit.rawValue) },
            receivedAt: receivedAt, dueAt: sourceDueAt, status: status,
            history: f.history.map { .init(status: $0.status.rawValue, at: $0.at) },
            supplements: f.supplements.map { .init(requestedAt: $0.requestedAt, completedAt: $0.completedAt) },
            finishedAt: finishedAt, returnedAt: returnedAt, paidOnline: paidOnline, digitized: digitized, eResult: eResult,
            apologyIssued: apologyIssued)
    }
}
