import Foundation
import Testing
@testable import IOCCore

@Suite("Point-in-polygon and the commune lookup")
struct GeometryTests {
    static let square = Polygon(rings: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]])!

    @Test func insideOutsideAndHole() {
        #expect(Self.square.contains(Coordinate(latitude: 1, longitude: 1)))
        #expect(!Self.square.contains(Coordinate(latitude: 5, longitude: 5)))  // in the hole
        #expect(!Self.square.contains(Coordinate(latitude: 11, longitude: 5)))
        #expect(!Self.square.contains(Coordinate(latitude: 5, longitude: -0.1)))
    }

    @Test func degenerateRingsAreRejected() {
        #expect(Polygon(rings: [[[0, 0], [1, 1], [0, 0]]]) == nil)
        #expect(Polygon(rings: []) == nil)
    }

    static let index: BoundaryIndex = {
        let dakLak = try! GeoJSON.decode(Fixtures.resource("geo/66_dak_lak.geojson"))
        let lamDong = try! GeoJSON.decode(Fixtures.resource("geo/68_lam_dong.geojson"))
        return BoundaryIndex(collections: [dakLak, lamDong])
    }()

    @Test func loadsBothProvincesAndTheirCommunes() {
        #expect(Set(Self.index.provinceCodes()) == ["66", "68"])
        #expect(Self.index.communes.filter { $0.properties.provinceCode == "66" }.count == 102)
        #expect(Self.index.communes.filter { $0.properties.provinceCode == "68" }.count == 124)
    }

    @Test func buonMaThuotCentreIsInWardBuonMaThuot() {
        // The provincial People's Committee, 9 Lê Duẩn, Buôn Ma Thuột.
        let hit = Self.index.commune(containing: Coordinate(latitude: 12.6797, longitude: 108.0440))
        #expect(hit?.code == "24133")
        #expect(Self.index.province(containing: Coordinate(latitude: 12.6797, longitude: 108.0440))?.code == "66")
    }

    @Test func everyCommuneContainsItsOwnLabelPoint() {
        var misses: [String] = []
        for c in Self.index.communes {
            guard let p = c.properties.labelPoint, p.count == 2 else { continue }
            let found = Self.index.commune(containing: Coordinate(latitude: p[1], longitude: p[0]))
            if found?.code != c.code { misses.append(c.code) }
        }
        #expect(misses.isEmpty, "label points resolved to another commune: \(misses)")
    }

    @Test func pointsOutsideBothProvincesFindNothing() {
        #expect(Self.index.commune(containing: Coordinate(latitude: 21.0285, longitude: 105.8542)) == nil)  // Hà Nội
        #expect(Self.index.commune(containing: Coordinate(latitude: 12.9, longitude: 110.5)) == nil)  // East Sea
        #expect(Self.index.commune(containing: Coordinate(latitude: .nan, longitude: 108)) == nil)
        #expect(Self.index.commune(containing: Coordinate(latitude: 95, longitude: 108)) == nil)
    }

    @Test func haversineDistance() {
        let bmt = Coordinate(latitude: 12.6797, longitude: 108.0440)
        let dalat = Coordinate(latitude: 11.9404, longitude: 108.4583)
        let d = bmt.distance(to: dalat)
        #expect(d > 90_000 && d < 100_000, "BMT–Đà Lạt is about 93 km as the crow flies, got \(d)")
        #expect(bmt.distance(to: bmt) == 0)
    }
}
