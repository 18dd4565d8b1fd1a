import Foundation

/// An optional field that is written as `null` when absent (synthesized Codable leaves the key out), for documented
/// fields an API client reads by name: `{"planPct": null}` rather than no `planPct`.
@propertyWrapper
struct NullEncoded<T: Codable & Sendable>: Codable, Sendable {
    var wrappedValue: T?
    init(wrappedValue: T?) { self.wrappedValue = wrappedValue }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(T.self)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue { try c.encode(v) } else { try c.encodeNil() }
    }
}

extension NullEncoded: Equatable where T: Equatable {}
extension NullEncoded: Hashable where T: Hashable {}

extension KeyedDecodingContainer {
    func decode<T>(_ type: NullEncoded<T>.Type, forKey key: Key) throws -> NullEncoded<T> {
        try decodeIfPresent(type, forKey: key) ?? NullEncoded(wrappedValue: nil)
    }
}
