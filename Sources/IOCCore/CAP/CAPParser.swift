import Foundation

/// Reads CAP 1.2 (and CAP 1.1) alert messages from outside systems, refusing anything unsafe or invalid.
///
/// - The bytes go through `SafeXML` first: size bound, UTF-8 only, no DOCTYPE/DTD, no entities beyond XML's five,
///   depth bound (see `SafeXML`). Nothing is ever fetched.
/// - The root must be `alert` in the CAP 1.2 or 1.1 namespace, with any prefix; CAP 1.0 and other CAP namespaces are
///   "unsupported-version", anything else "not-cap".
/// - Elements are identified by namespace URI. An element in the message's CAP namespace that CAP does not define
///   there is refused ("unexpected-element"), as is one from another CAP version's namespace; elements in other
///   namespaces (an XML signature, a vendor extension) are skipped. Elements may come in any order; one that may
///   appear once and appears twice is "duplicate-element".
/// - Required elements, enumerations, date-times (`CAPDateTime`: a numeric offset is required, `Z` is refused with
///   a reason), references, polygons, circles and numbers are checked, then `CAPAlert.validate()`.
/// - Free text (description, headline, values, …) is kept exactly as written; identifiers, enumerations, dates,
///   numbers, coordinates and URIs are read without surrounding white space.
///
/// Errors carry the element path without indices, e.g. `alert/info/area/polygon`.
public enum CAPParser {
    /// 1 MiB.
    public static let defaultMaxBytes = 1 << 20
    /// Element nesting bound; a CAP message needs 5 levels (alert/info/area/geocode/value).
    public static let maxDepth = 64

    public static func parse(_ bytes: [UInt8], maxBytes: Int = defaultMaxBytes) throws(CAPError) -> CAPAlert {
        try alert(SafeXML.parse(bytes, maxBytes: maxBytes, maxDepth: maxDepth))
    }

    public static func parse(_ data: Data, maxBytes: Int = defaultMaxBytes) throws(CAPError) -> CAPAlert {
        // Refuse before copying a huge body.
        if data.count > maxBytes { throw CAPError.tooLarge(data.count, max: maxBytes) }
        return try parse([UInt8](data), maxBytes: maxBytes)
    }

    static let capNamespacePrefix = "urn:oasis:names:tc:emergency:cap:"

    static func isCAPNamespace(_ ns: String) -> Bool {
        ns.hasPrefix(capNamespacePrefix) || ns == CAPVersion.v1_0.namespace
    }

    /// Reads a parsed `alert` element.
    static func alert(_ root: SafeXML.Element) throws(CAPError) -> CAPAlert {
        guard root.localName == "alert", isCAPNamespace(root.namespace) else {
            throw CAPError.notCAP(root.namespace.isEmpty ? root.qualifiedName : "{\(root.namespace)}\(root.localName)")
        }
        guard let version = CAPVersion(rawValue: root.namespace), version != .v1_0 else {
            throw CAPError.unsupportedVersion(root.namespace)
        }
        let f = try Fields(
            root, path: "alert", version: version,
            single: ["identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
                     "note", "references", "incidents"],
            multiple: ["code", "info"])
        let identifier = try f.requiredToken("identifier")
        try CAPAlert.checkIdentifier(identifier, "alert/identifier")
        let sender = try f.requiredToken("sender")
        try CAPAlert.checkIdentifier(sender, "alert/sender")
        guard let sent = try f.dateTime("sent") else { throw CAPError.missing("alert/sent") }
        guard let status = try f.enumeration("status", CAPAlert.Status.self) else { throw CAPError.missing("alert/status") }
        guard let msgType = try f.enumeration("msgType", CAPAlert.MsgType.self) else { throw CAPError.missing("alert/msgType") }
        let source = try f.text("source")
        guard let scope = try f.enumeration("scope", CAPAlert.Scope.self) else { throw CAPError.missing("alert/scope") }
        let restriction = try f.text("restriction")
        let addresses = try f.text("addresses")
        let codes = try f.texts("code")
        let note = try f.text("note")
        var references: CAPReferences?
        if let raw = try f.text("references") {
            guard let parsed = CAPReferences(raw) else { throw CAPError.badReferences(raw) }
            references = parsed
        }
        let incidents = try f.text("incidents")
        var infos: [CAPInfo] = []
        for e in f.all("info") { infos.append(try info(e, version: version)) }
        let alert = CAPAlert(
            version: version, identifier: identifier, sender: sender, sent: sent, status: status, msgType: msgType,
            source: source, scope: scope, restriction: restriction, addresses: addresses, codes: codes, note: note,
            references: references, incidents: incidents, infos: infos)
        try alert.validate()
        return alert
    }

    static func info(_ e: SafeXML.Element, version: CAPVersion) throws(CAPError) -> CAPInfo {
        let f = try Fields(
            e, path: "alert/info", version: version,
            single: ["language", "event", "urgency", "severity", "certainty", "audience", "effective", "onset", "expires",
                     "senderName", "headline", "description", "instruction", "web", "contact"],
            multiple: ["category", "responseType", "eventCode", "parameter", "resource", "area"])
        let language = try f.token("language") ?? "en-US"
        let categories = try f.enumerations("category", CAPInfo.Category.self)
        if categories.isEmpty { throw CAPError.missing("alert/info/category") }
        guard let event = try f.text("event") else { throw CAPError.missing("alert/info/event") }
        let responseTypes = try f.enumerations("responseType", CAPInfo.ResponseType.self)
        guard let urgency = try f.enumeration("urgency", CAPInfo.Urgency.self) else { throw CAPError.missing("alert/info/urgency") }
        guard let severity = try f.enumeration("severity", CAPInfo.Severity.self) else { throw CAPError.missing("alert/info/severity") }
        guard let certainty = try f.enumeration("certainty", CAPInfo.Certainty.self) else { throw CAPError.missing("alert/info/certainty") }
        var eventCodes: [CAPValuePair] = []
        for p in f.all("eventCode") { eventCodes.append(try pair(p, "alert/info/eventCode", version)) }
        let effective = try f.dateTime("effective")
        let onset = try f.dateTime("onset")
        let expires = try f.dateTime("expires")
        var parameters: [CAPValuePair] = []
        for p in f.all("parameter") { parameters.append(try pair(p, "alert/info/parameter", version)) }
        var resources: [CAPResource] = []
        for r in f.all("resource") { resources.append(try resource(r, version)) }
        var areas: [CAPArea] = []
        for a in f.all("area") { areas.append(try area(a, version)) }
        return CAPInfo(
            language: language, categories: categories, event: event, responseTypes: responseTypes, urgency: urgency,
            severity: severity, certainty: certainty, audience: try f.text("audience"), eventCodes: eventCodes,
            effective: effective, onset: onset, expires: expires, senderName: try f.text("senderName"),
            headline: try f.text("headline"), description: try f.text("description"),
            instruction: try f.text("instruction"), web: try f.token("web"), contact: try f.text("contact"),
            parameters: parameters, resources: resources, areas: areas)
    }

    static func pair(_ e: SafeXML.Element, _ path: String, _ version: CAPVersion) throws(CAPError) -> CAPValuePair {
        let f = try Fields(e, path: path, version: version, single: ["valueName", "value"], multiple: [])
        guard let name = try f.text("valueName") else { throw CAPError.missing(path + "/valueName") }
        guard let value = try f.text("value") else { throw CAPError.missing(path + "/value") }
        return CAPValuePair(valueName: name, value: value)
    }

    static func resource(_ e: SafeXML.Element, _ version: CAPVersion) throws(CAPError) -> CAPResource {
        let path = "alert/info/resource"
        let f = try Fields(e, path: path, version: version,
                           single: ["resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"], multiple: [])
        guard let desc = try f.text("resourceDesc") else { throw CAPError.missing(path + "/resourceDesc") }
        let mimeType = try f.token("mimeType")
        if version == .v1_2, mimeType == nil { throw CAPError.missing(path + "/mimeType") }
        var size: Int?
        if let s = try f.token("size") {
            let digits = s.hasPrefix("+") ? String(s.dropFirst()) : s
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else {
                throw CAPError.invalid(path + "/size", s, vi: "phải là số nguyên không âm (byte)",
                                       en: "must be a non-negative whole number of bytes")
            }
            size = n
        }
        return CAPResource(resourceDesc: desc, mimeType: mimeType, size: size, uri: try f.token("uri"),
                           derefUri: try f.text("derefUri"), digest: try f.token("digest"))
    }

    static func area(_ e: SafeXML.Element, _ version: CAPVersion) throws(CAPError) -> CAPArea {
        let path = "alert/info/area"
        let f = try Fields(e, path: path, version: version, single: ["areaDesc", "altitude", "ceiling"],
                           multiple: ["polygon", "circle", "geocode"])
        guard let desc = try f.text("areaDesc") else { throw CAPError.missing(path + "/areaDesc") }
        var polygons: [[CAPPoint]] = []
        for text in try f.tokens("polygon") { polygons.append(try polygon(text)) }
        var circles: [CAPCircle] = []
        for text in try f.tokens("circle") { circles.append(try circle(text)) }
        var geocodes: [CAPValuePair] = []
        for g in f.all("geocode") { geocodes.append(try pair(g, path + "/geocode", version)) }
        return CAPArea(areaDesc: desc, polygons: polygons, circles: circles, geocodes: geocodes,
                       altitude: try f.decimal("altitude"), ceiling: try f.decimal("ceiling"))
    }

    /// `lat,lon lat,lon …` (white space between pairs, a comma inside each).
    static func polygon(_ text: String) throws(CAPError) -> [CAPPoint] {
        var points: [CAPPoint] = []
        for token in text.split(whereSeparator: CAPText.isSpace) {
            guard let p = point(token) else {
                throw CAPError.polygon(vi: "\(CAPError.quote(String(token))) không phải cặp vĩ độ,kinh độ",
                                       en: "\(CAPError.quote(String(token))) is not a latitude,longitude pair")
            }
            points.append(p)
        }
        return points
    }

    /// `lat,lon radius` (radius in km).
    static func circle(_ text: String) throws(CAPError) -> CAPCircle {
        let tokens = text.split(whereSeparator: CAPText.isSpace)
        guard tokens.count == 2, let center = point(tokens[0]), let radius = CAPText.decimal(tokens[1]) else {
            throw CAPError(.invalidCircle, path: "alert/info/area/circle",
                           vi: "Vòng tròn \(CAPError.quote(text)) không hợp lệ: phải có dạng 'vĩ độ,kinh độ bán kính'",
                           en: "Circle \(CAPError.quote(text)) is invalid: it must be 'latitude,longitude radius'")
        }
        return CAPCircle(center: center, radiusKm: radius)
    }

    static func point(_ token: Substring) -> CAPPoint? {
        let parts = token.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let lat = CAPText.decimal(parts[0]), let lon = CAPText.decimal(parts[1]) else { return nil }
        return CAPPoint(latitude: lat, longitude: lon)
    }

    /// The CAP children of one container element, checked for unknown and repeated names.
    struct Fields {
        let path: String
        let version: CAPVersion
        private var elements: [String: [SafeXML.Element]] = [:]

        init(_ e: SafeXML.Element, path: String, version: CAPVersion, single: Set<String>, multiple: Set<String>) throws(CAPError) {
            self.path = path
            self.version = version
            if !CAPText.trimmed(e.text).isEmpty { throw CAPError.unexpectedText(path) }
            for child in e.children where CAPParser.isCAPNamespace(child.namespace) {
                let name = child.localName
                guard child.namespace == version.namespace, single.contains(name) || multiple.contains(name) else {
                    throw CAPError.unexpected(path + "/" + name, version: version)
                }
                if single.contains(name), elements[name] != nil { throw CAPError.duplicate(path + "/" + name) }
                elements[name, default: []].append(child)
            }
        }

        func all(_ name: String) -> [SafeXML.Element] { elements[name] ?? [] }

        /// The text of a leaf element, exactly as written.
        func text(_ name: String) throws(CAPError) -> String? {
            guard let e = elements[name]?.first else { return nil }
            return try leafText(e, name)
        }

        func texts(_ name: String) throws(CAPError) -> [String] {
            var out: [String] = []
            for e in all(name) { out.append(try leafText(e, name)) }
            return out
        }

        private func leafText(_ e: SafeXML.Element, _ name: String) throws(CAPError) -> String {
            if let child = e.children.first(where: { CAPParser.isCAPNamespace($0.namespace) }) {
                throw CAPError.unexpected(path + "/" + name + "/" + child.localName, version: version)
            }
            return e.text
        }

        /// The text without surrounding white space.
        func token(_ name: String) throws(CAPError) -> String? {
            try text(name).map(CAPText.trimmed)
        }

        func tokens(_ name: String) throws(CAPError) -> [String] {
            try texts(name).map(CAPText.trimmed)
        }

        func requiredToken(_ name: String) throws(CAPError) -> String {
            guard let v = try token(name) else { throw CAPError.missing(path + "/" + name) }
            return v
        }

        func enumeration<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws(CAPError) -> T?
        where T.RawValue == String {
            guard let v = try token(name) else { return nil }
            guard let value = T(rawValue: v) else {
                throw CAPError.notAllowed(path + "/" + name, v, allowed: T.allCases.map(\.rawValue))
            }
            return value
        }

        func enumerations<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws(CAPError) -> [T]
        where T.RawValue == String {
            var out: [T] = []
            for v in try tokens(name) {
                guard let value = T(rawValue: v) else {
                    throw CAPError.notAllowed(path + "/" + name, v, allowed: T.allCases.map(\.rawValue))
                }
                out.append(value)
            }
            return out
        }

        func dateTime(_ name: String) throws(CAPError) -> CAPDateTime? {
            guard let v = try token(name) else { return nil }
            guard let d = CAPDateTime(v) else { throw CAPError.badDateTime(path + "/" + name, v) }
            return d
        }

        func decimal(_ name: String) throws(CAPError) -> Double? {
            guard let v = try token(name) else { return nil }
            guard let d = CAPText.decimal(v) else {
                throw CAPError.invalid(path + "/" + name, v, vi: "phải là số thập phân (ví dụ 1500 hoặc 12.5)",
                                       en: "must be a decimal number (e.g. 1500 or 12.5)")
            }
            return d
        }
    }
}
