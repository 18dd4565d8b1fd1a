import Fluent
import IOCCore
import SQLKit
import Vapor

/// The registry of integration sources and their API keys.
enum SourceController {
    struct SourceDTO: Content {
        var id: UUID
        var name: String
        var kind: String
        var description: String
        var keyPrefix: String?
        var expectedFreshnessSeconds: Int
        var lastDataAt: Date?
        var errorCount: Int
        var lastErrorAt: Date?
        var active: Bool
        var stale: Bool
        /// The agencies whose data the source may send; null: every agency.
        var agencies: [String]?
    }

    struct SourceList: Content {
        var items: [SourceDTO]
        var total: Int
    }

    struct CreatedSource: Content {
        var source: SourceDTO
        /// Shown once; only its hash is stored.
        var apiKey: String
    }

    struct Input: Content {
        var name: String?
        var kind: String?
        var description: String?
        var expectedFreshnessSeconds: Int?
        var active: Bool?
        /// Agency codes the source is registered for; `[]` is refused, `null` or absent on creation: every agency.
        var agencies: [String]?
    }

    static let sourceSchema = SharedSchemas.register("Source", .object([
        "id": .uuid, "name": .string, "kind": .string, "description": .string, "keyPrefix": .nullable(.string),
        "expectedFreshnessSeconds": .integer, "lastDataAt": .nullable(.dateTime), "errorCount": .integer,
        "lastErrorAt": .nullable(.dateTime), "active": .boolean, "stale": .boolean, "agencies": .nullable(.array(.string)),
    ], required: ["id", "name", "kind", "expectedFreshnessSeconds", "errorCount", "active", "stale"]))
    static let inputSchema = SharedSchemas.register("SourceInput", .object([
        "name": .string, "kind": .string, "description": .string, "expectedFreshnessSeconds": .integer, "active": .boolean,
        "agencies": .nullable(.array(.string)),
    ], required: []))
    static let createdSchema = SharedSchemas.register("CreatedSource", .object(["source": sourceSchema, "apiKey": .string], required: ["source", "apiKey"]))

    static func register(_ api: APIBuilder) {
        let s = api.group("sources", tag: "Sources")
        s.on(.GET, access: .roles([.admin, .operator, .leader, .analyst]), summary: "List integration sources with freshness",
             response: .list(sourceSchema), use: list)
        s.on(.POST, access: .admin, summary: "Register a source and issue its API key (shown once)", body: inputSchema,
             response: createdSchema, status: .created, use: create)
        s.on(.PATCH, ":id", access: .admin, summary: "Change a source", body: inputSchema, response: sourceSchema, use: update)
        s.on(.POST, ":id", "rotate-key", access: .admin, summary: "Issue a new API key; the old one stops working",
             response: createdSchema, use: rotate)
        s.on(.GET, "self", access: .source, summary: "The calling source", response: sourceSchema, use: current)
        s.on(.POST, "self", "heartbeat", access: .source, summary: "Report that the source is alive (updates its freshness)",
             response: sourceSchema, use: heartbeat)
    }

    static func dto(_ s: SourceModel, now: Date) -> SourceDTO {
        let stale = s.active && (s.lastDataAt.map { now.timeIntervalSince($0) > Double(s.expectedFreshnessSeconds) } ?? true)
        return SourceDTO(id: s.id!, name: s.name, kind: s.kind, description: s.description, keyPrefix: s.keyPrefix,
                         expectedFreshnessSeconds: s.expectedFreshnessSeconds, lastDataAt: s.lastDataAt,
                         errorCount: s.errorCount, lastErrorAt: s.lastErrorAt, active: s.active, stale: stale,
                         agencies: s.agencySet.map { $0.sorted() })
    }

    static func validated(_ input: Input, into s: SourceModel) throws {
        if let n = input.name { s.name = try Validate.code(n, field: "name", max: 64) }
        if let k = input.kind {
            // A key opens only its kind's endpoints: the kind must be one the platform knows (stored by its canonical
            // name). Display keys belong to a wall and are issued there.
            guard let kind = SourceKind.parse(try Validate.code(k, field: "kind", max: 64)), kind != .display else {
                let kinds = SourceKind.allButDisplay.map(\.rawValue).sorted().joined(separator: ", ")
                throw IOCError.invalid("kind", vi: "Loại nguồn phải là một trong: \(kinds) (khóa màn hình tường cấp tại trang Màn hình tường).",
                                       en: "kind must be one of: \(kinds) (wall display keys are issued from the wall).")
            }
            s.kind = kind.rawValue
        }
        if let d = input.description { s.description = try Validate.text(d, field: "description", max: 500, required: false) ?? "" }
        if let f = input.expectedFreshnessSeconds {
            guard (10...31 * 86_400).contains(f) else {
                throw IOCError.invalid("expectedFreshnessSeconds", vi: "Chu kỳ cập nhật phải từ 10 giây đến 31 ngày.",
                                       en: "expectedFreshnessSeconds must be between 10 seconds and 31 days.")
            }
            s.expectedFreshnessSeconds = f
        }
        if let a = input.active { s.active = a }
    }

    @Sendable static func list(_ req: Request) async throws -> SourceList {
        let items = try await SourceModel.query(on: req.db).sort(\.$name).all().map { dto($0, now: req.now) }
        return SourceList(items: items, total: items.count)
    }

    /// Creates the source `name` if needed and issues it a new key. Used by the API and by `ioc apikey create`.
    static func issueKey(name: String, kind: String, on db: any Database, audit: AuditLog, record: @escaping @Sendable (UUID) -> AuditRecord) async throws -> (SourceModel, String) {
        let key = APIKey.generate()
        let source = try await audit.transaction(on: db) { tx in
            let s = try await SourceModel.query(on: tx).filter(\.$name == name).first() ?? SourceModel(name: name, kind: kind)
            s.keyHash = APIKey.hash(key)
            s.keyPrefix = APIKey.prefix(key)
            try await s.save(on: tx)
            return (s, record(s.id!))
        }
        return (source, key)
    }

    /// The registered agencies must exist; stored sorted, comma-separated.
    static func registerAgencies(_ input: Input, into s: SourceModel, on db: any Database) async throws {
        guard let codes = input.agencies else { return }
        let known = Set(try await AgencyModel.query(on: db).all().map(\.code))
        let wanted = Set(try codes.map { try Validate.code($0, field: "agencies", max: 64) })
        guard !wanted.isEmpty, codes.count <= 500 else {
            throw IOCError.invalid("agencies", vi: "Danh sách cơ quan phải có từ 1 đến 500 mã (bỏ trống: mọi cơ quan).",
                                   en: "agencies must list 1–500 codes (null: every agency).")
        }
        if let unknown = wanted.subtracting(known).sorted().first {
            throw IOCError.invalid("agencies", vi: "Cơ quan \(unknown) không có trong danh mục.", en: "Agency \(unknown) is not in the registry.")
        }
        s.agencies = wanted.sorted().joined(separator: ",")
    }

    @Sendable static func create(_ req: Request) async throws -> CreatedSource {
        let input = try req.decodeBody(Input.self)
        let probe = SourceModel(name: "", kind: "generic")
        guard input.name != nil else { throw IOCError.invalid("name", vi: "Thiếu tên nguồn dữ liệu.", en: "name is required.") }
        try validated(input, into: probe)
        try await registerAgencies(input, into: probe, on: req.db)
        if try await SourceModel.query(on: req.db).filter(\.$name == probe.name).first() != nil {
            throw IOCError.conflict("name", vi: "Nguồn dữ liệu \(probe.name) đã tồn tại.", en: "Source \(probe.name) already exists.")
        }
        let key = APIKey.generate()
        let s = try await req.application.audit.transaction(on: req.db) { tx in
            probe.keyHash = APIKey.hash(key)
            probe.keyPrefix = APIKey.prefix(key)
            try await probe.create(on: tx)
            return (probe, req.auditRecord("source.create", targetType: "source", targetID: probe.id!.uuidString, details: "name=\(probe.name)"))
        }
        return CreatedSource(source: dto(s, now: req.now), apiKey: key)
    }

    static func find(_ req: Request) async throws -> SourceModel {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw IOCError.invalid("id", vi: "Mã định danh nguồn phải là UUID.", en: "The source id must be a UUID.")
        }
        guard let s = try await SourceModel.find(id, on: req.db) else { throw IOCError.notFound("Source", vi: "nguồn dữ liệu") }
        return s
    }

    @Sendable static func update(_ req: Request) async throws -> SourceDTO {
        let s = try await find(req)
        let input = try req.decodeBody(Input.self)
        try validated(input, into: s)
        try await registerAgencies(input, into: s, on: req.db)
        if input.name != nil, try await SourceModel.query(on: req.db).filter(\.$name == s.name).filter(\.$id != s.id!).first() != nil {
            throw IOCError.conflict("name", vi: "Nguồn dữ liệu \(s.name) đã tồn tại.", en: "Source \(s.name) already exists.")
        }
        return try await req.application.audit.transaction(on: req.db) { tx in
            try await s.update(on: tx)
            return (dto(s, now: req.now), req.auditRecord("source.update", targetType: "source", targetID: s.id!.uuidString))
        }
    }

    @Sendable static func rotate(_ req: Request) async throws -> CreatedSource {
        let s = try await find(req)
        let (source, key) = try await issueKey(name: s.name, kind: s.kind, on: req.db, audit: req.application.audit) { id in
            req.auditRecord("source.rotate_key", targetType: "source", targetID: id.uuidString)
        }
        return CreatedSource(source: dto(source, now: req.now), apiKey: key)
    }

    @Sendable static func current(_ req: Request) async throws -> SourceDTO {
        guard case .source(let me)? = req.principal, let s = try await SourceModel.find(me.id, on: req.db) else { throw IOCError.unauthenticated }
        return dto(s, now: req.now)
    }

    @Sendable static func heartbeat(_ req: Request) async throws -> SourceDTO {
        guard case .source(let me)? = req.principal else { throw IOCError.unauthenticated }
        try await SourceRegistry.touch(me.id, at: req.now, on: req.db)
        guard let s = try await SourceModel.find(me.id, on: req.db) else { throw IOCError.unauthenticated }
        return dto(s, now: req.now)
    }
}

/// What services call when a source's data is committed.
public enum SourceRegistry {
    /// Records that data from the source was received now.
    public static func touch(_ sourceID: UUID, at date: Date, on db: any Database) async throws {
        try await SourceModel.query(on: db).filter(\.$id == sourceID).set(\.$lastDataAt, to: date).update()
    }
}
