import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import IOCCore

/// Helpers shared by the Open311 tests: recorded client fixtures, an XML tree built with
/// Foundation's `XMLParser`, JSON via `JSONSerialization`, and sample values.
enum Open311TestSupport {
    /// `Fixtures/clients` next to this file (works wherever the test folder is copied).
    static let clientFixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .appendingPathComponent("clients")

    /// Values substituted for the fixtures' placeholders.
    static let placeholders: [String: String] = [
        "{{SERVICE_CODE}}": "GT-O-GA",
        "{{REQUEST_ID}}": "DLK-2026-000123",
        "{{REQUEST_ID_2}}": "DLK-2026-000124",
        "{{TOKEN}}": "tok-9f2c7",
        "{{API_KEY}}": "khoa-thu-nghiem-01",
    ]

    /// One recorded request (see Fixtures/clients/README.md for the format).
    struct RecordedRequest {
        var comments: [String]
        var method: String
        var path: String
        var query: String?
        var headers: [String: String]
        var body: [UInt8]?

        /// Last path component split into resource name and format.
        var resource: (name: String, format: Open311Format)? {
            let last = path.split(separator: "/").last.map(String.init) ?? ""
            return Open311Format.split(last)
        }
    }

    static func fixtureNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: clientFixtures.path)
            .filter { $0.hasSuffix(".txt") }
            .sorted()
    }

    static func load(_ name: String) throws -> RecordedRequest {
        var text = try String(contentsOf: clientFixtures.appendingPathComponent(name), encoding: .utf8)
        for (key, value) in placeholders { text = text.replacingOccurrences(of: key, with: value) }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var comments: [String] = []
        var index = 0
        while index < lines.count, lines[index].hasPrefix("#") {
            comments.append(lines[index])
            index += 1
        }
        let requestLine = try #require(index < lines.count ? lines[index] : nil, "no request line in \(name)")
        index += 1
        let parts = requestLine.split(separator: " ", maxSplits: 1).map(String.init)
        try #require(parts.count == 2, "bad request line in \(name)")
        var headers: [String: String] = [:]
        while index < lines.count, !lines[index].isEmpty {
            let h = lines[index]
            let colon = try #require(h.firstIndex(of: ":"), "bad header in \(name)")
            headers[String(h[..<colon]).lowercased()] = h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            index += 1
        }
        var body: [UInt8]?
        if index < lines.count {
            index += 1 // blank line
            body = Array(lines[index...].joined(separator: "\n").utf8)
        }
        let target = parts[1]
        let path: String
        var query: String?
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = target
        }
        return RecordedRequest(comments: comments, method: parts[0], path: path, query: query,
                               headers: headers, body: body)
    }

    /// The decoded parameters of a recorded request (query string for GET, body for POST).
    static func pairs(_ r: RecordedRequest) throws -> [(name: String, value: String)] {
        if r.method == "POST" {
            return try FormURLEncoded.parse(try #require(r.body))
        }
        return try FormURLEncoded.parse(r.query ?? "")
    }

    // MARK: XML

    final class XMLNode {
        let name: String
        var text = ""
        var children: [XMLNode] = []

        init(name: String) { self.name = name }

        func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
        func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
        var childNames: [String] { children.map(\.name) }
        /// Text of a child element (nil when the element is missing).
        subscript(_ name: String) -> String? { child(name)?.text }
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLNode] = []
        var root: XMLNode?
        var namespaces: [String] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let node = XMLNode(name: elementName)
            if attributeDict.keys.contains(where: { $0.hasPrefix("xmlns") }) { namespaces.append(elementName) }
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }

    struct XMLParseFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses an XML body with Foundation's `XMLParser` into a tree. Fails on malformed XML or
    /// any namespace declaration.
    static func parseXML(_ bytes: [UInt8]) throws -> XMLNode {
        let parser = XMLParser(data: Data(bytes))
        let builder = TreeBuilder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw XMLParseFailure(description: "XMLParser failed: \(String(describing: parser.parserError)) in \(String(decoding: bytes, as: UTF8.self))")
        }
        if !builder.namespaces.isEmpty {
            throw XMLParseFailure(description: "unexpected namespace on \(builder.namespaces)")
        }
        return root
    }

    // MARK: JSON

    static func parseJSON(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// True when `needle` occurs in `haystack` byte for byte.
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty, haystack.count >= n.count else { return n.isEmpty }
        var i = 0
        while i + n.count <= haystack.count {
            if haystack[i] == n[0], Array(haystack[i..<(i + n.count)]) == n { return true }
            i += 1
        }
        return false
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Sample values

    /// 2026-03-01T08:15:30+07:00
    static let t0 = Date(timeIntervalSince1970: 1_772_327_730)

    static let vietnamese = "Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột"

    static func sampleRequest(id: String = "DLK-2026-000123", extensions: Open311Request.Extensions? = nil) -> Open311Request {
        Open311Request(
            serviceRequestID: id, status: "open", statusNotes: nil,
            serviceName: "Hư hỏng mặt đường", serviceCode: "GT-O-GA",
            description: vietnamese, agencyResponsible: "Sở Xây dựng tỉnh Đắk Lắk",
            serviceNotice: "Xử lý trong 24 giờ", requestedDatetime: t0,
            updatedDatetime: t0.addingTimeInterval(3600), expectedDatetime: nil,
            address: "12 Lê Duẩn, phường Buôn Ma Thuột", addressID: nil, zipcode: nil,
            lat: 12.6675, long: 108.0378, mediaURL: nil, extensions: extensions)
    }

    static let sampleExtensions = Open311Request.Extensions(
        detailedStatus: "in_progress", statusLabel: "Đang xử lý", ward: "Phường Buôn Ma Thuột",
        wardCode: nil, duplicateOf: nil, channel: "zalo",
        photos: ["https://phananh.daklak.gov.vn/media/1.jpg"],
        notes: [Open311Request.Note(datetime: t0, type: "submitted", description: "Tiếp nhận phản ánh", summary: nil)])
}
