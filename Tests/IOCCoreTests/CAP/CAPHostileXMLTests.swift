import Foundation
import Testing
@testable import IOCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP listener on 127.0.0.1 (ephemeral port) that never accepts on its own: connections anyone makes wait in the
/// kernel's backlog, where `takeConnections()` finds them.
final class LoopbackTrap {
    let fd: Int32
    let port: UInt16

    init() throws {
        let sock = socket(AF_INET, Self.stream, 0)
        guard sock >= 0 else { throw POSIXError(.EIO) }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(sock, 64) == 0 else { close(sock); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &length) }
        }
        _ = fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK)
        fd = sock
        port = UInt16(bigEndian: address.sin_port)
    }

    #if canImport(Glibc)
    static let stream = Int32(SOCK_STREAM.rawValue)
    #else
    static let stream = SOCK_STREAM
    #endif

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Accepts (and closes) every connection made so far; returns how many there were.
    func takeConnections() -> Int {
        var n = 0
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { return n }
            close(client)
            n += 1
        }
    }

    /// Connects to the trap, as a parser fetching a URL would.
    func knock() {
        let s = socket(AF_INET, Self.stream, 0)
        var address = Self.loopback(port: port)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(s)
    }

    deinit { close(fd) }
}

@Suite("CAP: hostile XML never reaches the network")
struct CAPHostileXMLTests {
    /// Documents that try to make a parser fetch from the trap: external DTD, external and parameter entities,
    /// billion laughs, XInclude, schemaLocation, stylesheet, and the same in UTF-16. Each must be refused (or, for
    /// markup that is merely inert, parsed without effect) and the trap must see no connection.
    @Test func noDocumentMakesAConnection() throws {
        let trap = try LoopbackTrap()
        let u = trap.url
        let body = """
        <identifier>X1</identifier><sender>s@example.org</sender><sent>2026-03-01T08:15:30+07:00</sent>\
        <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
        """
        let cap = "urn:oasis:names:tc:emergency:cap:1.2"
        let refused: [(String, CAPError.Code)] = [
            // Classic XXE: an external general entity.
            ("<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM \"\(u)/xxe\">]><alert xmlns=\"\(cap)\">\(body)<note>&xxe;</note></alert>", .doctypeForbidden),
            // External DTD subset.
            ("<!DOCTYPE alert SYSTEM \"\(u)/cap.dtd\"><alert xmlns=\"\(cap)\">\(body)</alert>", .doctypeForbidden),
            ("<!DOCTYPE alert PUBLIC \"-//A//B\" \"\(u)/public.dtd\"><alert xmlns=\"\(cap)\">\(body)</alert>", .doctypeForbidden),
            // Parameter entities (out-of-band exfiltration pattern).
            ("<!DOCTYPE alert [<!ENTITY % p SYSTEM \"\(u)/p.dtd\"> %p; <!ENTITY % file SYSTEM \"file:///etc/passwd\">]><alert xmlns=\"\(cap)\">\(body)</alert>", .doctypeForbidden),
            // Billion laughs.
            ("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]><alert xmlns=\"\(cap)\">\(body)<note>&lol4;</note></alert>", .doctypeForbidden),
            // An entity declaration smuggled without a DOCTYPE, and a reference to an undeclared entity.
            ("<alert xmlns=\"\(cap)\"><!ENTITY xxe SYSTEM \"\(u)/e\">\(body)</alert>", .entityForbidden),
            ("<alert xmlns=\"\(cap)\">\(body)<note>&xxe;</note></alert>", .entityForbidden),
        ]
        for (doc, code) in refused {
            #expect(CAPFixtures.refusal(doc)?.code == code, "\(doc.prefix(60))")
            do { _ = try CAPAtom.entries(Array(doc.utf8)); Issue.record("feed reader accepted \(doc.prefix(60))") } catch {
                #expect(error.code == code)
            }
        }
        // The same XXE in UTF-16: refused for its encoding before anything reads it.
        let utf16 = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE alert SYSTEM \"\(u)/u16.dtd\"><alert xmlns=\"\(cap)\">\(body)</alert>"
        #expect(CAPFixtures.refusal([0xFF, 0xFE] + [UInt8](utf16.data(using: .utf16LittleEndian)!))?.code == .unsupportedEncoding)
        // An Atom feed with an external DTD.
        let feed = "<!DOCTYPE feed SYSTEM \"\(u)/atom.dtd\"><feed xmlns=\"http://www.w3.org/2005/Atom\"/>"
        do { _ = try CAPAtom.entries(Array(feed.utf8)); Issue.record("feed with DTD accepted") } catch {
            #expect(error.code == .doctypeForbidden)
        }
        // XInclude, xsi:schemaLocation and xml-stylesheet are inert markup here: the alert is read, nothing fetched.
        let inert = """
        <?xml version="1.0" encoding="UTF-8"?>
        <?xml-stylesheet type="text/xsl" href="\(u)/style.xsl"?>
        <alert xmlns="\(cap)" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="\(cap) \(u)/cap.xsd">
          <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="\(u)/include.xml" parse="xml"/>
          \(body)
        </alert>
        """
        let alert = try CAPParser.parse(Array(inert.utf8))
        #expect(alert.identifier == "X1")
        // Google's XXE fixtures (they aim at localhost:8080; refused all the same).
        #expect(CAPFixtures.refusal(try CAPFixtures.bytes("xee.cap"))?.code == .doctypeForbidden)

        #expect(trap.takeConnections() == 0, "a document made the parser connect to \(u)")
        // The trap does see a connection when one is made, so the zero above means something.
        trap.knock()
        #expect(trap.takeConnections() == 1)
    }
}
