import Fluent
import Foundation
import IOCCore
import Vapor

/// An agency as the API shows it.
struct AgencyDTO: Content {
    var id: UUID
    var code: String
    var name: String
    var nameEn: String
    var kind: String
    var parentID: UUID?
    var unitCodes: [String]
    var active: Bool
}

/// Agency rules that need the database: hierarchy, jurisdiction, scope.
enum AgencyService {
    struct Input: Content {
        var code: String?
        var name: String?
        var nameEn: String?
        var kind: String?
        var parentID: UUID?
        var unitCodes: [String]?
        var active: Bool?
    }

    static func dto(_ a: AgencyModel) -> AgencyDTO {
        AgencyDTO(
            id: a.id!, code: a.code, name: a.name, nameEn: a.nameEn, kind: a.kind, parentID: a.$parent.id,
            unitCodes: (a.$jurisdiction.value ?? []).map(\.unitCode).sorted(), active: a.active)
    }

    /// Parent chain of an agency, nearest first (bounded, so a corrupt cycle cannot loop forever).
    static func ancestors(of id: UUID, on db: any Database) async throws -> [UUID] {
        var chain: [UUID] = []
        var current = try await AgencyModel.find(id, on: db)?.$parent.id
        while let c = current, chain.count < 32, !chain.contains(c) {
            chain.append(c)
            current = try await AgencyModel.find(c, on: db)?.$parent.id
        }
        return chain
    }

    /// Whether `user` may act on the agency.
    static func userCovers(_ user: AuthenticatedUser, agencyID: UUID, on db: any Database, catalog: UnitCatalog) async throws -> Bool {
        if case .all = user.scope { return true }
        let ancestors = try await ancestors(of: agencyID, on: db).map(\.uuidString)
        let units = try await AgencyUnitModel.query(on: db).filter(\.$agency.$id == agencyID).all().compactMap { catalog[$0.unitCode] }
        return ScopeRules.covers(user.scope, agencyID: agencyID.uuidString, ancestorIDs: ancestors, jurisdiction: units)
    }

    /// Validates an input for create (`existing == nil`) or update.
    static func validate(_ input: Input, existing: AgencyModel?, on db: any Database, catalog: UnitCatalog) async throws
        -> (code: String, name: String, nameEn: String, kind: AgencyModel.Kind, parentID: UUID?, units: [String]?, active: Bool)
    {
        let code = try input.code.map { try Validate.code($0, field: "code", max: 64) } ?? existing?.code
        guard let code else { throw IOCError.invalid("code", vi: "Thiếu mã cơ quan.", en: "code is required.") }
        let name = try input.name.map { try Validate.required($0, field: "name", max: 200) } ?? existing?.name
        guard let name else { throw IOCError.invalid("name", vi: "Thiếu tên cơ quan.", en: "name is required.") }
        let nameEn = try input.nameEn.map { try Validate.text($0, field: "nameEn", max: 200, required: false) ?? "" } ?? existing?.nameEn ?? ""
        let kindRaw = input.kind ?? existing?.kind
        guard let kindRaw, let kind = AgencyModel.Kind(rawValue: kindRaw) else {
            throw IOCError.invalid("kind", vi: "Loại cơ quan không hợp lệ (\(AgencyModel.Kind.allCases.map(\.rawValue).joined(separator: ", "))).",
                                   en: "kind must be one of \(AgencyModel.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var parentID = existing?.$parent.id
        if let p = input.parentID {
            guard try await AgencyModel.find(p, on: db) != nil else {
                throw IOCError.invalid("parentID", vi: "Cơ quan cấp trên không tồn tại.", en: "The parent agency does not exist.")
            }
            if let id = existing?.id {
                if p == id { throw IOCError.invalid("parentID", vi: "Cơ quan không thể là cấp trên của chính nó.", en: "An agency cannot be its own parent.") }
                if try await ancestors(of: p, on: db).contains(id) {
                    throw IOCError.invalid("parentID", vi: "Quan hệ cấp trên tạo thành vòng lặp.", en: "The parent would create a cycle.")
                }
            }
            parentID = p
        }
        var units: [String]?
        if let codes = input.unitCodes {
            guard codes.count <= 500 else {
                throw IOCError.invalid("unitCodes", vi: "Tối đa 500 đơn vị hành chính.", en: "At most 500 units.")
            }
            for (i, c) in codes.enumerated() where catalog[c] == nil {
                throw IOCError.invalid("unitCodes[\(i)]", vi: "Mã đơn vị hành chính \(c.prefix(10)) không tồn tại.", en: "Unknown unit code \(c.prefix(10)).")
            }
            units = Array(Set(codes)).sorted()
        }
        if try await AgencyModel.query(on: db).filter(\.$code == code).filter(\.$id != (existing?.id ?? UUID())).first() != nil {
            throw IOCError.conflict("code", vi: "Mã cơ quan \(code) đã tồn tại.", en: "Agency code \(code) already exists.")
        }
        return (code, name, nameEn, kind, parentID, units, input.active ?? existing?.active ?? true)
    }

    static func replaceJurisdiction(_ agencyID: UUID, units: [String], on db: any Database) async throws {
        try await AgencyUnitModel.query(on: db).filter(\.$agency.$id == agencyID).delete()
        for u in units { try await AgencyUnitModel(agencyID: agencyID, unitCode: u).create(on: db) }
    }
}
