import Fluent
import IOCCore
import Vapor

/// Agencies: list for every signed-in user; create, update and deactivate for admins within their scope.
enum AgencyController {
    struct AgencyList: Content {
        var items: [AgencyDTO]
        var total: Int
    }

    static let agencySchema = SharedSchemas.register("Agency", .object([
        "id": .uuid, "code": .string, "name": .string, "nameEn": .string,
        "kind": .enumeration(AgencyModel.Kind.allCases.map(\.rawValue)), "parentID": .nullable(.uuid),
        "unitCodes": .array(.string), "active": .boolean,
    ], required: ["id", "code", "name", "kind", "unitCodes", "active"]))
    static let inputSchema = SharedSchemas.register("AgencyInput", .object([
        "code": .string, "name": .string, "nameEn": .string, "kind": .enumeration(AgencyModel.Kind.allCases.map(\.rawValue)),
        "parentID": .nullable(.uuid), "unitCodes": .array(.string), "active": .boolean,
    ], required: []))

    static func register(_ api: APIBuilder) {
        let a = api.group("agencies", tag: "Agencies")
        a.on(.GET, access: .anyUser, summary: "List agencies",
             query: [.init("kind", "Agency kind"), .init("unit", "Agencies whose jurisdiction includes this unit"),
                     .init("parentID", "Children of this agency"), .init("includeInactive", "true to include deactivated", .boolean)],
             response: .list(agencySchema), use: list)
        a.on(.GET, ":id", access: .anyUser, summary: "One agency", response: agencySchema, use: get)
        a.on(.POST, access: .admin, summary: "Create an agency", body: inputSchema, response: agencySchema, status: .created, use: create)
        a.on(.PATCH, ":id", access: .admin, summary: "Change an agency", body: inputSchema, response: agencySchema, use: update)
        a.on(.DELETE, ":id", access: .admin, summary: "Deactivate an agency (kept for history)", response: agencySchema, use: deactivate)
    }

    @Sendable static func list(_ req: Request) async throws -> AgencyList {
        var q = AgencyModel.query(on: req.db).with(\.$jurisdiction).sort(\.$code)
        if let k = req.query[String.self, at: "kind"] {
            guard AgencyModel.Kind(rawValue: k) != nil else {
                throw IOCError.invalid("kind", vi: "Loại cơ quan không hợp lệ.", en: "Unknown agency kind.")
            }
            q = q.filter(\.$kind == k)
        }
        if let p = req.query[String.self, at: "parentID"] {
            guard let id = UUID(uuidString: p) else { throw IOCError.invalid("parentID", vi: "parentID phải là UUID.", en: "parentID must be a UUID.") }
            q = q.filter(\.$parent.$id == id)
        }
        if let u = req.query[String.self, at: "unit"] {
            guard AdministrativeUnit.isWellFormedCode(u) else {
                throw IOCError.invalid("unit", vi: "Mã đơn vị hành chính phải gồm 2 hoặc 5 chữ số.", en: "A unit code has 2 or 5 digits.")
            }
            q = q.join(AgencyUnitModel.self, on: \AgencyUnitModel.$agency.$id == \AgencyModel.$id)
                .filter(AgencyUnitModel.self, \.$unitCode == u)
        }
        if req.query[String.self, at: "includeInactive"] != "true" { q = q.filter(\.$active == true) }
        let items = try await q.all().map(AgencyService.dto)
        return AgencyList(items: items, total: items.count)
    }

    static func find(_ req: Request) async throws -> AgencyModel {
        guard let raw = req.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw IOCError.invalid("id", vi: "Mã định danh cơ quan phải là UUID.", en: "The agency id must be a UUID.")
        }
        guard let a = try await AgencyModel.query(on: req.db).filter(\.$id == id).with(\.$jurisdiction).first() else {
            throw IOCError.notFound("Agency", vi: "cơ quan")
        }
        return a
    }

    @Sendable static func get(_ req: Request) async throws -> AgencyDTO {
        AgencyService.dto(try await find(req))
    }

    @Sendable static func create(_ req: Request) async throws -> AgencyDTO {
        let user = try req.requireUser()
        let input = try req.decodeBody(AgencyService.Input.self)
        let catalog = req.application.reference.units
        let v = try await AgencyService.validate(input, existing: nil, on: req.db, catalog: catalog)
        try await checkScope(user, parentID: v.parentID, units: v.units ?? [], req: req)
        let dto = try await req.application.audit.transaction(on: req.db) { tx in
            let agency = AgencyModel(code: v.code, name: v.name, nameEn: v.nameEn, kind: v.kind, parentID: v.parentID, active: v.active)
            try await agency.create(on: tx)
            try await AgencyService.replaceJurisdiction(agency.id!, units: v.units ?? [], on: tx)
            try await agency.$jurisdiction.load(on: tx)
            let dto = AgencyService.dto(agency)
            return (dto, req.auditRecord("agency.create", targetType: "agency", targetID: dto.id.uuidString, details: "code=\(dto.code)"))
        }
        return dto
    }

    @Sendable static func update(_ req: Request) async throws -> AgencyDTO {
        let user = try req.requireUser()
        let agency = try await find(req)
        let catalog = req.application.reference.units
        guard try await AgencyService.userCovers(user, agencyID: agency.id!, on: req.db, catalog: catalog) else { throw IOCError.forbidden }
        let input = try req.decodeBody(AgencyService.Input.self)
        let v = try await AgencyService.validate(input, existing: agency, on: req.db, catalog: catalog)
        if let units = v.units { try await checkScope(user, parentID: v.parentID, units: units, req: req) }
        return try await req.application.audit.transaction(on: req.db) { tx in
            agency.code = v.code; agency.name = v.name; agency.nameEn = v.nameEn; agency.kind = v.kind.rawValue
            agency.$parent.id = v.parentID; agency.active = v.active
            try await agency.update(on: tx)
            if let units = v.units { try await AgencyService.replaceJurisdiction(agency.id!, units: units, on: tx) }
            try await agency.$jurisdiction.load(on: tx)
            let dto = AgencyService.dto(agency)
            return (dto, req.auditRecord("agency.update", targetType: "agency", targetID: dto.id.uuidString, details: "code=\(dto.code)"))
        }
    }

    @Sendable static func deactivate(_ req: Request) async throws -> AgencyDTO {
        let user = try req.requireUser()
        let agency = try await find(req)
        guard try await AgencyService.userCovers(user, agencyID: agency.id!, on: req.db, catalog: req.application.reference.units) else {
            throw IOCError.forbidden
        }
        return try await req.application.audit.transaction(on: req.db) { tx in
            agency.active = false
            try await agency.update(on: tx)
            return (AgencyService.dto(agency), req.auditRecord("agency.deactivate", targetType: "agency", targetID: agency.id!.uuidString))
        }
    }

    /// A scoped admin may only create agencies under an agency or inside units they cover.
    static func checkScope(_ user: AuthenticatedUser, parentID: UUID?, units: [String], req: Request) async throws {
        switch user.scope {
        case .all: return
        case .agency:
            guard let parentID, try await AgencyService.userCovers(user, agencyID: parentID, on: req.db, catalog: req.application.reference.units) else {
                throw IOCError.forbidden
            }
        case .unit:
            let catalog = req.application.reference.units
            guard !units.isEmpty, units.allSatisfy({ catalog[$0].map { ScopeRules.covers(user.scope, unit: $0) } ?? false }) else {
                throw IOCError.forbidden
            }
        }
    }
}
