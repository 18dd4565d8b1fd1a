import Foundation
import IOCCore
import Vapor

/// Shipped reference data, read once at start from `Resources/`: the unit list, legacy provinces and the
/// boundaries that the point-in-polygon lookup uses.
public struct ReferenceData: Sendable {
    public var units: UnitCatalog
    public var legacyProvinces: [LegacyProvince]
    public var boundaries: BoundaryIndex
    /// Raw GeoJSON per province code, served as is to the map.
    public var boundaryGeoJSON: [String: Data]

    public static func load(from directory: String) throws -> ReferenceData {
        let base = URL(fileURLWithPath: directory)
        func read(_ path: String) throws -> Data {
            let url = base.appendingPathComponent(path)
            do { return try Data(contentsOf: url) } catch {
                throw IOCStartupError("Cannot read reference data \(url.path): set IOC_RESOURCES_DIR to the repository's Resources folder")
            }
        }
        let units = try UnitCatalog.parse2026(read("units/vn-units-2026.json"))
        let legacy = try LegacyProvince.parse(read("units/vn-provinces-legacy-63.json"))
        var index = BoundaryIndex()
        var raw: [String: Data] = [:]
        let geoDir = base.appendingPathComponent("geo")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: geoDir.path)) ?? []
        for file in files.sorted() where file.hasSuffix(".geojson") {
            let data = try Data(contentsOf: geoDir.appendingPathComponent(file))
            let collection = try GeoJSON.decode(data)
            index.add(collection)
            if let province = collection.features.first(where: { $0.properties.level == "province" })?.properties.code {
                raw[province] = data
            }
        }
        return ReferenceData(units: units, legacyProvinces: legacy, boundaries: index, boundaryGeoJSON: raw)
    }
}

/// A configuration or environment problem that prevents the server from starting.
public struct IOCStartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Application {
    private struct ReferenceKey: StorageKey { typealias Value = ReferenceData }

    public var reference: ReferenceData {
        get {
            guard let r = storage[ReferenceKey.self] else { fatalError("reference data not loaded") }
            return r
        }
        set { storage[ReferenceKey.self] = newValue }
    }
}
