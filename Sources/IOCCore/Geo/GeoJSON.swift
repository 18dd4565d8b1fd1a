import Foundation

/// The part of GeoJSON (RFC 7946) that administrative boundaries use: a FeatureCollection of
/// Polygon / MultiPolygon features with string properties.
public enum GeoJSON {
    public struct FeatureCollection: Sendable, Codable {
        public var type: String
        public var features: [Feature]
    }

    public struct Feature: Sendable, Codable {
        public var type: String
        public var id: String?
        public var properties: UnitProperties
        public var geometry: Geometry
    }

    /// Properties of a boundary feature as shipped in `Resources/geo/*.geojson`.
    public struct UnitProperties: Sendable, Codable, Hashable {
        public var code: String
        public var name: String
        public var nameEn: String?
        public var fullName: String?
        public var level: String
        public var unitType: String?
        public var provinceCode: String?
        public var labelPoint: [Double]?
    }

    public struct Geometry: Sendable, Codable {
        public var type: String
        /// Polygon: rings; MultiPolygon: polygons of rings.
        public var polygons: [[[[Double]]]]

        enum CodingKeys: String, CodingKey { case type, coordinates }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            switch type {
            case "Polygon": polygons = [try c.decode([[[Double]]].self, forKey: .coordinates)]
            case "MultiPolygon": polygons = try c.decode([[[[Double]]]].self, forKey: .coordinates)
            default:
                throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "Unsupported geometry \(type)")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            if type == "Polygon", let first = polygons.first {
                try c.encode(first, forKey: .coordinates)
            } else {
                try c.encode(polygons, forKey: .coordinates)
            }
        }

        public var area: AreaGeometry? {
            AreaGeometry(polygons: polygons.compactMap { Polygon(rings: $0) })
        }
    }

    public static func decode(_ data: Data) throws -> FeatureCollection {
        try JSONDecoder().decode(FeatureCollection.self, from: data)
    }
}
