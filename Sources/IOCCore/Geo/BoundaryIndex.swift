/// Finds the commune (or province) that contains a coordinate.
///
/// Built once from boundary features; lookups test bounding boxes first and run the ray-casting test only on the
/// few candidates, so a lookup over a province's ~100 communes costs microseconds.
public struct BoundaryIndex: Sendable {
    public struct Area: Sendable {
        public var properties: GeoJSON.UnitProperties
        public var geometry: AreaGeometry
        public var code: String { properties.code }
    }

    public private(set) var communes: [Area] = []
    public private(set) var provinces: [Area] = []

    public init() {}

    public init(collections: [GeoJSON.FeatureCollection]) {
        for collection in collections { add(collection) }
    }

    public mutating func add(_ collection: GeoJSON.FeatureCollection) {
        for feature in collection.features {
            guard let area = feature.geometry.area else { continue }
            let entry = Area(properties: feature.properties, geometry: area)
            if feature.properties.level == "province" {
                provinces.append(entry)
            } else {
                communes.append(entry)
            }
        }
    }

    /// The commune whose boundary contains the point, if any.
    public func commune(containing c: Coordinate) -> Area? {
        guard c.isValid else { return nil }
        return communes.first { $0.geometry.contains(c) }
    }

    /// The province whose outline contains the point, if any.
    public func province(containing c: Coordinate) -> Area? {
        guard c.isValid else { return nil }
        return provinces.first { $0.geometry.contains(c) }
    }

    public func provinceCodes() -> [String] { provinces.map(\.code) }
}
