import Testing
@testable import IOCCore

@Suite("Trusted proxies and the client's address")
struct AddressRangeTests {
    @Test func rangesMatchIPv4AndIPv6() {
        let lan = AddressRange("10.0.0.0/8")!
        #expect(lan.contains("10.200.3.4") && !lan.contains("11.0.0.1") && !lan.contains("::1"))
        #expect(AddressRange("::1")!.contains("::1") && !AddressRange("::1")!.contains("::2"))
        #expect(AddressRange("2001:db8::/32")!.contains("2001:db8:1::5"))
        #expect(AddressRange("127.0.0.1")!.contains("::ffff:127.0.0.1"))
        #expect(AddressRange("192.168.1.0/25")!.contains("192.168.1.127") && !AddressRange("192.168.1.0/25")!.contains("192.168.1.128"))
        for bad in ["", "10.0.0.0/33", "nginx", "10.0.0.0/x", "1.2.3.4/8/8"] { #expect(AddressRange(bad) == nil, "\(bad)") }
    }

    @Test func theClientIsTheRightMostUntrustedHop() {
        let trusted = [AddressRange("127.0.0.1")!, AddressRange("10.0.0.0/8")!]
        // nginx appends the address it saw; the client's own "1.1.1.1" claim stays on the left and is not believed.
        #expect(AddressRange.client(peer: "127.0.0.1", forwardedFor: ["1.1.1.1", "203.0.113.7"], trusted: trusted) == "203.0.113.7")
        // Two proxies (an edge on 10.x, then nginx).
        #expect(AddressRange.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.7", "10.1.1.1"], trusted: trusted) == "203.0.113.7")
        // A client talking to us directly cannot choose its address with the header.
        #expect(AddressRange.client(peer: "198.51.100.2", forwardedFor: ["1.1.1.1"], trusted: trusted) == "198.51.100.2")
        // Through a trusted proxy without the header: the proxy itself.
        #expect(AddressRange.client(peer: "127.0.0.1", forwardedFor: [], trusted: trusted) == "127.0.0.1")
        #expect(AddressRange.client(peer: nil, forwardedFor: ["1.1.1.1"], trusted: trusted) == nil)
    }
}
