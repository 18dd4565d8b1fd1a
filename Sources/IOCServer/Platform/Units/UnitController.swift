import Fluent
import IOCCore
import Vapor

/// Administrative units, their boundaries and the point → commune lookup. Public reference data.
enum UnitController {
    struct UnitDTO: Content {
        var code: String
        var name: String
        var nameEn: String
        var fullName: String
        var fullNameEn: String
        var level: String
        var unitType: String
        var unitTypeEn: String
        var provinceCode: String?

        init(_ u: AdministrativeUnit) {
            code = u.code; name = u.name; nameEn = u.nameEn; fullName = u.fullName; fullNameEn = u.fullNameEn
            level = u.level.rawValue; unitType = u.unitType; unitTypeEn = u.unitTypeEn; provinceCode = u.provinceCode
        }
    }

    struct UnitList: Content {
        var items: [UnitDTO]
        var total: Int
    }

    struct UnitDetail: Content {
        var unit: UnitDTO
        /// When the code asked for was a pre-2025 province code, the legacy province it named.
        var legacy: LegacyDTO?
        var hasBoundary: Bool
    }

    struct LegacyDTO: Content {
        var code: String
        var name: String
        var fullName: String
        var successorCode: String
    }

    struct LocateResult: Content {
        var commune: UnitDTO?
        var province: UnitDTO?
    }

    static let unitSchema = SharedSchemas.register("Unit", .object([
        "code": .string, "name": .string, "nameEn": .string, "fullName": .string, "fullNameEn": .string,
        "level": .enumeration(["province", "commune"]), "unitType": .string, "unitTypeEn": .string,
        "provinceCode": .nullable(.string),
    ], required: ["code", "name", "level"]))

    static func register(_ api: APIBuilder) {
        let u = api.group("units", tag: "Units")
        u.on(.GET, access: .public, summary: "List administrative units (2025 list: 34 provinces, 3,321 communes)",
             query: [.init("province", "Province code: its communes"), .init("level", "province | commune"),
                     .init("q", "Name contains (accents optional)")],
             response: .list(unitSchema), use: list)
        u.on(.GET, "locate", access: .public, summary: "The commune and province containing a point",
             query: [.init("lat", "Latitude (WGS84)", .number, required: true), .init("lon", "Longitude (WGS84)", .number, required: true)],
             response: .object(["commune": .nullable(unitSchema), "province": .nullable(unitSchema)], required: []), use: locate)
        u.on(.GET, ":code", access: .public, summary: "One unit; a pre-2025 province code resolves to its successor",
             response: .object(["unit": unitSchema, "legacy": .nullable(.object(["code": .string, "name": .string, "fullName": .string, "successorCode": .string], required: [])), "hasBoundary": .boolean], required: ["unit"]),
             use: detail)
        u.on(.GET, ":code", "boundaries", access: .public, summary: "GeoJSON boundaries of a province (outline and communes)",
             response: .object(["type": .string, "features": .array(.any)], required: ["type", "features"]),
             responseContentType: "application/geo+json", use: boundaries)
    }

    @Sendable static func list(_ req: Request) async throws -> UnitList {
        let catalog = req.application.reference.units
        var units = catalog.units
        if let p = req.query[String.self, at: "province"] {
            guard AdministrativeUnit.isWellFormedCode(p), p.count == 2 else {
                throw IOCError.invalid("province", vi: "Mã tỉnh phải gồm 2 chữ số.", en: "A province code has 2 digits.")
            }
            units = units.filter { $0.provinceCode == p }
        }
        if let l = req.query[String.self, at: "level"] {
            guard let level = AdministrativeUnit.Level(rawValue: l) else {
                throw IOCError.invalid("level", vi: "Cấp phải là province hoặc commune.", en: "level must be province or commune.")
            }
            units = units.filter { $0.level == level }
        }
        if let q = try Validate.text(req.query[String.self, at: "q"], field: "q", max: 100, required: false) {
            let needle = q.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "vi"))
                .replacingOccurrences(of: "đ", with: "d")
            units = units.filter {
                $0.name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "vi"))
                    .replacingOccurrences(of: "đ", with: "d").contains(needle)
            }
        }
        return UnitList(items: units.map(UnitDTO.init), total: units.count)
    }

    @Sendable static func detail(_ req: Request) async throws -> UnitDetail {
        let code = req.parameters.get("code") ?? ""
        guard AdministrativeUnit.isWellFormedCode(code) else {
            throw IOCError.invalid("code", vi: "Mã đơn vị hành chính phải gồm 2 hoặc 5 chữ số.", en: "A unit code has 2 or 5 digits.")
        }
        let ref = req.application.reference
        if let u = ref.units[code] {
            return UnitDetail(unit: .init(u), legacy: nil, hasBoundary: ref.boundaryGeoJSON[u.provinceCodeOrSelf] != nil)
        }
        if let legacy = ref.legacyProvinces.first(where: { $0.code == code }), let successor = ref.units[legacy.successorCode] {
            return UnitDetail(unit: .init(successor),
                              legacy: LegacyDTO(code: legacy.code, name: legacy.name, fullName: legacy.fullName, successorCode: legacy.successorCode),
                              hasBoundary: ref.boundaryGeoJSON[successor.code] != nil)
        }
        throw IOCError.notFound("Administrative unit \(code)", vi: "đơn vị hành chính \(code)")
    }

    @Sendable static func boundaries(_ req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        guard AdministrativeUnit.isWellFormedCode(code) else {
            throw IOCError.invalid("code", vi: "Mã đơn vị hành chính phải gồm 2 hoặc 5 chữ số.", en: "A unit code has 2 or 5 digits.")
        }
        guard let data = req.application.reference.boundaryGeoJSON[code] else {
            throw IOCError.notFound("Boundaries of \(code)", vi: "ranh giới của đơn vị \(code)")
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "geo+json")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable static func locate(_ req: Request) async throws -> LocateResult {
        let c = try coordinate(req)
        let ref = req.application.reference
        let commune = ref.boundaries.commune(containing: c).flatMap { ref.units[$0.code] }
        let province = (commune?.provinceCode).flatMap { ref.units[$0] }
            ?? ref.boundaries.province(containing: c).flatMap { ref.units[$0.code] }
        return LocateResult(commune: commune.map(UnitDTO.init), province: province.map(UnitDTO.init))
    }

    /// Reads `lat` and `lon` from the query, with field-level errors.
    static func coordinate(_ req: Request) throws -> Coordinate {
        guard let latText = req.query[String.self, at: "lat"], let lat = Double(latText), lat.isFinite, (-90...90).contains(lat) else {
            throw IOCError.invalid("lat", vi: "Vĩ độ (lat) phải là số trong khoảng -90 đến 90.", en: "lat must be a number between -90 and 90.")
        }
        guard let lonText = req.query[String.self, at: "lon"], let lon = Double(lonText), lon.isFinite, (-180...180).contains(lon) else {
            throw IOCError.invalid("lon", vi: "Kinh độ (lon) phải là số trong khoảng -180 đến 180.", en: "lon must be a number between -180 and 180.")
        }
        return Coordinate(latitude: lat, longitude: lon)
    }
}
