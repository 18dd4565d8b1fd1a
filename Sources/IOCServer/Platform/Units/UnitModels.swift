import Fluent
import IOCCore
import Vapor

/// An administrative unit row (table `units`), seeded from the shipped GSO list.
final class UnitModel: Model, @unchecked Sendable {
    static let schema = "units"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "full_name") var fullName: String
    @Field(key: "full_name_en") var fullNameEn: String
    @Field(key: "level") var level: String
    @Field(key: "unit_type") var unitType: String
    @Field(key: "unit_type_en") var unitTypeEn: String
    @OptionalField(key: "province_code") var provinceCode: String?

    init() {}

    init(_ u: AdministrativeUnit) {
        id = u.code
        name = u.name
        nameEn = u.nameEn
        fullName = u.fullName
        fullNameEn = u.fullNameEn
        level = u.level.rawValue
        unitType = u.unitType
        unitTypeEn = u.unitTypeEn
        provinceCode = u.provinceCode
    }
}

/// A pre-2025 province (table `legacy_provinces`) and the 2025 province that succeeded it.
final class LegacyProvinceModel: Model, @unchecked Sendable {
    static let schema = "legacy_provinces"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "full_name") var fullName: String
    @Field(key: "successor_code") var successorCode: String

    init() {}

    init(_ p: LegacyProvince) {
        id = p.code
        name = p.name
        nameEn = p.nameEn
        fullName = p.fullName
        successorCode = p.successorCode
    }
}

struct CreateUnits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UnitModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("full_name", .string, .required)
            .field("full_name_en", .string, .required)
            .field("level", .string, .required)
            .field("unit_type", .string, .required)
            .field("unit_type_en", .string, .required)
            .field("province_code", .string)
            .create()
        try await database.schema(LegacyProvinceModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("full_name", .string, .required)
            .field("successor_code", .string, .required, .references(UnitModel.schema, "code"))
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "units_province_code_idx").on(UnitModel.schema).column("province_code").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LegacyProvinceModel.schema).delete()
        try await database.schema(UnitModel.schema).delete()
    }
}

/// Loads the 34 provinces, 3,321 communes and the 63 legacy provinces from `Resources/units/`.
struct SeedUnits: AsyncMigration {
    let reference: ReferenceData

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let units = reference.units.units
        // Batched multi-row inserts: 3,355 rows in a few statements.
        for chunk in stride(from: 0, to: units.count, by: 400).map({ Array(units[$0..<min($0 + 400, units.count)]) }) {
            let insert = sql.insert(into: UnitModel.schema)
                .columns("code", "name", "name_en", "full_name", "full_name_en", "level", "unit_type", "unit_type_en", "province_code")
            for u in chunk {
                let row: [any Encodable & Sendable] = [u.code, u.name, u.nameEn, u.fullName, u.fullNameEn, u.level.rawValue, u.unitType, u.unitTypeEn, u.provinceCode]
                insert.values(row)
            }
            try await insert.run()
        }
        let legacy = sql.insert(into: LegacyProvinceModel.schema).columns("code", "name", "name_en", "full_name", "successor_code")
        for p in reference.legacyProvinces {
            let row: [any Encodable & Sendable] = [p.code, p.name, p.nameEn, p.fullName, p.successorCode]
            legacy.values(row)
        }
        try await legacy.run()
    }

    func revert(on database: any Database) async throws {
        try await LegacyProvinceModel.query(on: database).delete()
        try await UnitModel.query(on: database).delete()
    }
}

import SQLKit
