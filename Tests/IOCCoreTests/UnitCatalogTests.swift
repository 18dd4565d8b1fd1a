import Foundation
import Testing
@testable import IOCCore

@Suite("Administrative units after the 2025 reform")
struct UnitCatalogTests {
    static let catalog = try! UnitCatalog.parse2026(Fixtures.resource("units/vn-units-2026.json"))
    static let legacy = try! LegacyProvince.parse(Fixtures.resource("units/vn-provinces-legacy-63.json"))

    @Test func thirtyFourProvincesAnd3321Communes() {
        #expect(Self.catalog.provinces.count == 34)
        #expect(Self.catalog.units.filter { $0.level == .commune }.count == 3_321)
    }

    @Test func dakLakHas102CommunesOf14WardsAnd88Communes() {
        let communes = Self.catalog.communes(of: "66")
        #expect(communes.count == 102)
        #expect(communes.filter { $0.unitType == "Phường" }.count == 14)
        #expect(communes.filter { $0.unitType == "Xã" }.count == 88)
        #expect(Self.catalog["24133"]?.fullName == "Phường Buôn Ma Thuột")
        #expect(Self.catalog["24133"]?.provinceCode == "66")
    }

    @Test func lamDongHas124UnitsIncludingPhuQuySpecialZone() {
        let units = Self.catalog.communes(of: "68")
        #expect(units.count == 124)
        #expect(Self.catalog["23272"]?.unitType == "Đặc khu")
    }

    @Test func every63LegacyProvinceMapsToAn2025Province() {
        #expect(Self.legacy.count == 63)
        for p in Self.legacy {
            #expect(Self.catalog[p.successorCode]?.level == .province, "legacy \(p.code) \(p.name) → \(p.successorCode)")
        }
        // Every 2025 province has at least one legacy predecessor; 11 kept their territory unchanged.
        let successors = Set(Self.legacy.map(\.successorCode))
        #expect(successors.count == 34)
        #expect(Self.legacy.first { $0.code == "54" }?.successorCode == "66")  // Phú Yên → Đắk Lắk
        #expect(Self.legacy.first { $0.code == "67" }?.successorCode == "68")  // Đắk Nông → Lâm Đồng
        #expect(Self.legacy.first { $0.code == "01" }?.successorCode == "01")  // Hà Nội unchanged
    }

    @Test(arguments: ["66", "24133", "00004"]) func wellFormedCodes(_ code: String) {
        #expect(AdministrativeUnit.isWellFormedCode(code))
    }

    @Test(arguments: ["", "6", "666", "2413a", "241330", "٦٦"]) func malformedCodes(_ code: String) {
        #expect(!AdministrativeUnit.isWellFormedCode(code))
    }

    @Test func communeIsWithinItsProvinceOnly() {
        let bmt = Self.catalog["24133"]!
        #expect(bmt.isWithin("66"))
        #expect(bmt.isWithin("24133"))
        #expect(!bmt.isWithin("68"))
    }
}
