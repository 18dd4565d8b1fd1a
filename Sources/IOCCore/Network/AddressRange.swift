import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `::1/128`, or a single address), for the list of trusted proxies.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]
    public let prefix: Int
    public let description: String

    /// The address's bytes (4 for IPv4, 16 for IPv6; an IPv4-mapped IPv6 address is read as IPv4), nil when not an address.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: &v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return Array(b[12..<16]) }
        return b
    }

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let b = Self.parseAddress(String(parts[0])) else { return nil }
        let max = b.count * 8
        let p = parts.count == 2 ? Int(parts[1]) : max
        guard let p, (0...max).contains(p) else { return nil }
        bytes = b
        prefix = p
        description = text.trimmingCharacters(in: .whitespaces)
    }

    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        var bits = prefix
        for i in 0..<bytes.count where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
            if address[i] & mask != bytes[i] & mask { return false }
            bits -= 8
        }
        return true
    }

    public func contains(_ text: String) -> Bool { Self.parseAddress(text).map(contains) ?? false }

    /// The client of a request that reached us from `peer` with these `X-Forwarded-For` entries: the right-most
    /// address not in `trusted` (each proxy appends what it saw; entries left of the last trusted hop are the
    /// client's own claims and are never believed). Without a trusted peer the header is ignored.
    public static func client(peer: String?, forwardedFor: [String], trusted: [AddressRange]) -> String? {
        func isTrusted(_ a: String) -> Bool { trusted.contains { $0.contains(a) } }
        guard let peer else { return nil }
        guard isTrusted(peer) else { return peer }
        for hop in forwardedFor.reversed() {
            let a = hop.trimmingCharacters(in: .whitespaces)
            guard parseAddress(a) != nil else { return a.isEmpty ? peer : String(a.prefix(64)) }
            if !isTrusted(a) { return a }
        }
        return forwardedFor.first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(64)) } ?? peer
    }
}
