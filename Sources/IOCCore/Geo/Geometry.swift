/// A WGS84 coordinate. GeoJSON order is `[longitude, latitude]`; this type names both explicitly.
public struct Coordinate: Sendable, Hashable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Whether both values are finite and inside the WGS84 range.
    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    public func distance(to other: Coordinate) -> Double {
        let r = 6_371_008.8
        let φ1 = latitude * .pi / 180, φ2 = other.latitude * .pi / 180
        let dφ = (other.latitude - latitude) * .pi / 180
        let dλ = (other.longitude - longitude) * .pi / 180
        let a = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
        return 2 * r * asin(min(1, a.squareRoot()))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An axis-aligned bounding box in degrees.
public struct BoundingBox: Sendable, Hashable, Codable {
    public var minLongitude: Double
    public var minLatitude: Double
    public var maxLongitude: Double
    public var maxLatitude: Double

    public init(minLongitude: Double, minLatitude: Double, maxLongitude: Double, maxLatitude: Double) {
        self.minLongitude = minLongitude
        self.minLatitude = minLatitude
        self.maxLongitude = maxLongitude
        self.maxLatitude = maxLatitude
    }

    public func contains(_ c: Coordinate) -> Bool {
        c.longitude >= minLongitude && c.longitude <= maxLongitude && c.latitude >= minLatitude && c.latitude <= maxLatitude
    }

    public func union(_ other: BoundingBox) -> BoundingBox {
        BoundingBox(
            minLongitude: min(minLongitude, other.minLongitude), minLatitude: min(minLatitude, other.minLatitude),
            maxLongitude: max(maxLongitude, other.maxLongitude), maxLatitude: max(maxLatitude, other.maxLatitude))
    }

    /// Bounding box of a set of `[lon, lat]` points; `nil` when empty.
    public init?(points: [[Double]]) {
        guard let first = points.first, first.count >= 2 else { return nil }
        var box = BoundingBox(minLongitude: first[0], minLatitude: first[1], maxLongitude: first[0], maxLatitude: first[1])
        for p in points where p.count >= 2 {
            box.minLongitude = min(box.minLongitude, p[0]); box.maxLongitude = max(box.maxLongitude, p[0])
            box.minLatitude = min(box.minLatitude, p[1]); box.maxLatitude = max(box.maxLatitude, p[1])
        }
        self = box
    }
}

/// A polygon: an outer ring and optional holes, each ring a list of `[lon, lat]` positions (GeoJSON order).
public struct Polygon: Sendable, Hashable {
    public var rings: [[[Double]]]
    public let bounds: BoundingBox

    public init?(rings: [[[Double]]]) {
        guard let outer = rings.first, outer.count >= 4, let box = BoundingBox(points: outer) else { return nil }
        self.rings = rings
        self.bounds = box
    }

    /// Even–odd ray casting: inside the outer ring and in none of the holes. Points exactly on an edge may fall either way.
    public func contains(_ c: Coordinate) -> Bool {
        guard bounds.contains(c) else { return false }
        guard Self.ring(rings[0], contains: c) else { return false }
        for hole in rings.dropFirst() where Self.ring(hole, contains: c) { return false }
        return true
    }

    static func ring(_ ring: [[Double]], contains c: Coordinate) -> Bool {
        let x = c.longitude, y = c.latitude
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1]
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside.toggle()
            }
            j = i
        }
        return inside
    }
}

/// A polygon or multipolygon geometry.
public struct AreaGeometry: Sendable, Hashable {
    public var polygons: [Polygon]
    public let bounds: BoundingBox

    public init?(polygons: [Polygon]) {
        guard let first = polygons.first else { return nil }
        self.polygons = polygons
        self.bounds = polygons.dropFirst().reduce(first.bounds) { $0.union($1.bounds) }
    }

    public func contains(_ c: Coordinate) -> Bool {
        bounds.contains(c) && polygons.contains { $0.contains(c) }
    }
}
