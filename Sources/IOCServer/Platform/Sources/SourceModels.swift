import Fluent
import Vapor

/// An integrated system that sends data with an API key (table `sources`).
final class SourceModel: Model, @unchecked Sendable {
    static let schema = "sources"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "description") var description: String
    /// SHA-256 of the API key, hex. Keys are 256-bit random, so a fast hash is enough; the key itself is never stored.
    @OptionalField(key: "key_hash") var keyHash: String?
    /// The key's first characters, shown to admins to tell keys apart.
    @OptionalField(key: "key_prefix") var keyPrefix: String?
    @Field(key: "expected_freshness_seconds") var expectedFreshnessSeconds: Int
    @OptionalField(key: "last_data_at") var lastDataAt: Date?
    @Field(key: "error_count") var errorCount: Int
    @OptionalField(key: "last_error_at") var lastErrorAt: Date?
    @Field(key: "active") var active: Bool
    /// The agencies (codes, comma-separated) whose data the source may send; nil: every agency (a province-wide system).
    @OptionalField(key: "agencies") var agencies: String?

    /// `agencies` as a set (nil: every agency).
    var agencySet: Set<String>? { agencies.map { Set($0.split(separator: ",").map(String.init)) } }
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, kind: String, description: String = "", expectedFreshnessSeconds: Int = 3600) {
        self.name = name
        self.kind = kind
        self.description = description
        self.expectedFreshnessSeconds = expectedFreshnessSeconds
        self.errorCount = 0
        self.active = true
    }
}

struct CreateSources: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SourceModel.schema)
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("description", .string, .required)
            .field("key_hash", .string)
            .field("key_prefix", .string)
            .field("expected_freshness_seconds", .int, .required)
            .field("last_data_at", .datetime)
            .field("error_count", .int, .required)
            .field("last_error_at", .datetime)
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "name")
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SourceModel.schema).delete()
    }
}

/// Sources may be registered for some agencies: where their data names an agency, only those.
struct AddSourceAgencies: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SourceModel.schema).field("agencies", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SourceModel.schema).deleteField("agencies").update()
    }
}
