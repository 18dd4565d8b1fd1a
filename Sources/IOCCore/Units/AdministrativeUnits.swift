import Foundation

/// An administrative unit after the 1 July 2025 reform (Nghị quyết 202/2025/QH15): a province-level unit
/// (2-digit GSO code) or a commune-level unit (5-digit GSO code: xã, phường, đặc khu). No districts.
///
/// Codes follow Quyết định 19/2025/QĐ-TTg and are kept as zero-padded strings.
public struct AdministrativeUnit: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Codable, CaseIterable {
        case province
        case commune
    }

    public var code: String
    public var name: String
    public var nameEn: String
    public var fullName: String
    public var fullNameEn: String
    public var level: Level
    /// Short type name in Vietnamese: "Tỉnh", "Thành phố", "Xã", "Phường", "Đặc khu".
    public var unitType: String
    public var unitTypeEn: String
    /// For a commune, its province's code; for a province, `nil`.
    public var provinceCode: String?

    public init(
        code: String, name: String, nameEn: String, fullName: String, fullNameEn: String, level: Level,
        unitType: String, unitTypeEn: String, provinceCode: String?
    ) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.fullName = fullName
        self.fullNameEn = fullNameEn
        self.level = level
        self.unitType = unitType
        self.unitTypeEn = unitTypeEn
        self.provinceCode = provinceCode
    }

    /// The province this unit belongs to (itself for a province).
    public var provinceCodeOrSelf: String { provinceCode ?? code }

    /// Whether `self` is `ancestor` or lies inside it (a commune inside its province).
    public func isWithin(_ ancestorCode: String) -> Bool {
        code == ancestorCode || provinceCode == ancestorCode
    }

    /// Syntactic check of a GSO unit code: 2 digits (province) or 5 digits (commune).
    public static func isWellFormedCode(_ code: String) -> Bool {
        (code.count == 2 || code.count == 5) && code.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// The national list of administrative units, parsed from the GSO-derived dataset shipped in `Resources/units/`.
public struct UnitCatalog: Sendable {
    public private(set) var units: [AdministrativeUnit] = []
    private var byCode: [String: Int] = [:]

    public init(units: [AdministrativeUnit]) {
        self.units = units
        for (i, u) in units.enumerated() { byCode[u.code] = i }
    }

    public subscript(code: String) -> AdministrativeUnit? {
        byCode[code].map { units[$0] }
    }

    public var provinces: [AdministrativeUnit] { units.filter { $0.level == .province } }

    public func communes(of provinceCode: String) -> [AdministrativeUnit] {
        units.filter { $0.provinceCode == provinceCode }
    }

    /// Parses `vn-units-2026.json` (thanglequoc/vietnamese-provinces-database, MIT).
    public static func parse2026(_ data: Data) throws -> UnitCatalog {
        struct Raw: Decodable {
            var Code: String
            var Name: String
            var NameEn: String
            var FullName: String
            var FullNameEn: String
            var AdministrativeUnitShortName: String
            var AdministrativeUnitShortNameEn: String
            var ProvinceCode: String?
            var Wards: [Raw]?
        }
        let provinces = try JSONDecoder().decode([Raw].self, from: data)
        var units: [AdministrativeUnit] = []
        units.reserveCapacity(3_400)
        for p in provinces {
            units.append(AdministrativeUnit(
                code: p.Code, name: p.Name, nameEn: p.NameEn, fullName: p.FullName, fullNameEn: p.FullNameEn,
                level: .province, unitType: p.AdministrativeUnitShortName, unitTypeEn: p.AdministrativeUnitShortNameEn,
                provinceCode: nil))
            for w in p.Wards ?? [] {
                units.append(AdministrativeUnit(
                    code: w.Code, name: w.Name, nameEn: w.NameEn, fullName: w.FullName, fullNameEn: w.FullNameEn,
                    level: .commune, unitType: w.AdministrativeUnitShortName,
                    unitTypeEn: w.AdministrativeUnitShortNameEn, provinceCode: w.ProvinceCode ?? p.Code))
            }
        }
        return UnitCatalog(units: units)
    }
}

/// A province-level unit from before the 2025 reform (63 provinces), with the post-reform province it merged into.
public struct LegacyProvince: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var nameEn: String
    public var fullName: String
    /// The 2025 province code that now covers this legacy province.
    public var successorCode: String

    public init(code: String, name: String, nameEn: String, fullName: String, successorCode: String) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.fullName = fullName
        self.successorCode = successorCode
    }

    /// Legacy (63-province) code → 2025 province code, per Nghị quyết 202/2025/QH15 Điều 1. A merged province takes
    /// the code of the unit where the new People's Committee sits (QĐ 19/2025/QĐ-TTg Điều 3); the other codes are
    /// closed. Provinces absent from this table kept their code.
    public static let successors: [String: String] = [
        "02": "08",  // Hà Giang → Tuyên Quang
        "06": "19",  // Bắc Kạn → Thái Nguyên
        "10": "15",  // Lào Cai + Yên Bái → Lào Cai (seat in Yên Bái, code 15)
        "17": "25", "26": "25",  // Hòa Bình, Vĩnh Phúc → Phú Thọ
        "27": "24",  // Bắc Ninh + Bắc Giang → Bắc Ninh (code 24)
        "30": "31",  // Hải Dương → Hải Phòng
        "34": "33",  // Thái Bình → Hưng Yên
        "35": "37", "36": "37",  // Hà Nam, Nam Định → Ninh Bình
        "45": "44",  // Quảng Trị + Quảng Bình → Quảng Trị (code 44)
        "49": "48",  // Quảng Nam → Đà Nẵng
        "62": "51",  // Kon Tum → Quảng Ngãi
        "64": "52",  // Gia Lai + Bình Định → Gia Lai (code 52)
        "54": "66",  // Phú Yên → Đắk Lắk
        "58": "56",  // Ninh Thuận → Khánh Hòa
        "60": "68", "67": "68",  // Bình Thuận, Đắk Nông → Lâm Đồng
        "70": "75",  // Bình Phước → Đồng Nai
        "74": "79", "77": "79",  // Bình Dương, Bà Rịa – Vũng Tàu → Hồ Chí Minh
        "72": "80",  // Tây Ninh + Long An → Tây Ninh (code 80)
        "87": "82",  // Đồng Tháp + Tiền Giang → Đồng Tháp (code 82)
        "83": "86", "84": "86",  // Bến Tre, Trà Vinh → Vĩnh Long
        "93": "92", "94": "92",  // Hậu Giang, Sóc Trăng → Cần Thơ
        "95": "96",  // Bạc Liêu → Cà Mau
        "89": "91",  // An Giang + Kiên Giang → An Giang (code 91)
    ]

    /// Parses `vn-provinces-legacy-63.json` and attaches each province's successor.
    public static func parse(_ data: Data) throws -> [LegacyProvince] {
        struct Raw: Decodable {
            var Code: String
            var Name: String
            var NameEn: String
            var FullName: String
        }
        return try JSONDecoder().decode([Raw].self, from: data).map {
            LegacyProvince(
                code: $0.Code, name: $0.Name, nameEn: $0.NameEn, fullName: $0.FullName,
                successorCode: successors[$0.Code] ?? $0.Code)
        }
    }
}
