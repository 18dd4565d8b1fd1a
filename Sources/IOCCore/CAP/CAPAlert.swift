import Foundation

/// The CAP version of a document, identified by its XML namespace.
public enum CAPVersion: String, Sendable, Codable, CaseIterable {
    case v1_2 = "urn:oasis:names:tc:emergency:cap:1.2"
    case v1_1 = "urn:oasis:names:tc:emergency:cap:1.1"
    /// Recognised only to be refused with "unsupported-version".
    case v1_0 = "http://www.incident.com/cap/1.0"

    public var namespace: String { rawValue }

    /// "1.2", "1.1", "1.0".
    public var number: String {
        switch self {
        case .v1_2: "1.2"
        case .v1_1: "1.1"
        case .v1_0: "1.0"
        }
    }
}

/// One OASIS CAP 1.2 alert message (Common Alerting Protocol v1.2, OASIS Standard, 1 July 2010, §3.2.1),
/// or a CAP 1.1 message read into the same shape.
///
/// Names follow the CAP elements; repeated elements are plural arrays (`code` → `codes`, `info` → `infos`).
/// `CAPParser` only returns alerts that pass `validate()`; build your own, then call `validate()` before
/// publishing it with `CAPWriter`.
public struct CAPAlert: Sendable, Equatable, Codable {
    /// `<status>`: the appropriate handling of the alert.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case actual = "Actual", exercise = "Exercise", system = "System", test = "Test", draft = "Draft"
    }

    /// `<msgType>`: the nature of the alert message.
    public enum MsgType: String, Sendable, Codable, CaseIterable {
        case alert = "Alert", update = "Update", cancel = "Cancel", ack = "Ack", error = "Error"
    }

    /// `<scope>`: the intended distribution.
    public enum Scope: String, Sendable, Codable, CaseIterable {
        case `public` = "Public", restricted = "Restricted", `private` = "Private"
    }

    /// The namespace the message was read from; `CAPWriter` always writes CAP 1.2.
    public var version: CAPVersion
    /// Unique for the sender; no spaces, commas, `<` or `&`.
    public var identifier: String
    /// Globally unique originator id (often an e-mail or a domain); no spaces, commas, `<` or `&`.
    public var sender: String
    public var sent: CAPDateTime
    public var status: Status
    public var msgType: MsgType
    public var source: String?
    public var scope: Scope
    /// Required (non-empty) when `scope` is `.restricted`.
    public var restriction: String?
    /// Space-separated addressees; required (non-empty) when `scope` is `.private`.
    public var addresses: String?
    public var codes: [String]
    public var note: String?
    public var references: CAPReferences?
    public var incidents: String?
    public var infos: [CAPInfo]

    public init(
        version: CAPVersion = .v1_2, identifier: String, sender: String, sent: CAPDateTime,
        status: Status, msgType: MsgType, source: String? = nil, scope: Scope,
        restriction: String? = nil, addresses: String? = nil, codes: [String] = [], note: String? = nil,
        references: CAPReferences? = nil, incidents: String? = nil, infos: [CAPInfo] = []
    ) {
        self.version = version
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.status = status
        self.msgType = msgType
        self.source = source
        self.scope = scope
        self.restriction = restriction
        self.addresses = addresses
        self.codes = codes
        self.note = note
        self.references = references
        self.incidents = incidents
        self.infos = infos
    }
}

/// One `<info>` block: the event in one language (§3.2.2).
public struct CAPInfo: Sendable, Equatable, Codable {
    public enum Category: String, Sendable, Codable, CaseIterable {
        case geo = "Geo", met = "Met", safety = "Safety", security = "Security", rescue = "Rescue", fire = "Fire"
        case health = "Health", env = "Env", transport = "Transport", infra = "Infra", cbrne = "CBRNE", other = "Other"
    }

    /// `avoid` and `allClear` are new in CAP 1.2 and refused in a CAP 1.1 message.
    public enum ResponseType: String, Sendable, Codable, CaseIterable {
        case shelter = "Shelter", evacuate = "Evacuate", prepare = "Prepare", execute = "Execute", avoid = "Avoid"
        case monitor = "Monitor", assess = "Assess", allClear = "AllClear", none = "None"
    }

    public enum Urgency: String, Sendable, Codable, CaseIterable {
        case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"
    }

    public enum Severity: String, Sendable, Codable, CaseIterable {
        case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown"
    }

    public enum Certainty: String, Sendable, Codable, CaseIterable {
        case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely", unknown = "Unknown"
    }

    /// RFC 3066 language tag; "en-US" when the message has no `<language>` (the schema's default).
    public var language: String
    public var categories: [Category]
    public var event: String
    public var responseTypes: [ResponseType]
    public var urgency: Urgency
    public var severity: Severity
    public var certainty: Certainty
    public var audience: String?
    public var eventCodes: [CAPValuePair]
    public var effective: CAPDateTime?
    public var onset: CAPDateTime?
    /// An alert whose `expires` has passed is still a valid message; nothing here judges age.
    public var expires: CAPDateTime?
    public var senderName: String?
    public var headline: String?
    public var description: String?
    public var instruction: String?
    public var web: String?
    public var contact: String?
    public var parameters: [CAPValuePair]
    public var resources: [CAPResource]
    public var areas: [CAPArea]

    public init(
        language: String = "en-US", categories: [Category], event: String, responseTypes: [ResponseType] = [],
        urgency: Urgency, severity: Severity, certainty: Certainty, audience: String? = nil,
        eventCodes: [CAPValuePair] = [], effective: CAPDateTime? = nil, onset: CAPDateTime? = nil,
        expires: CAPDateTime? = nil, senderName: String? = nil, headline: String? = nil, description: String? = nil,
        instruction: String? = nil, web: String? = nil, contact: String? = nil, parameters: [CAPValuePair] = [],
        resources: [CAPResource] = [], areas: [CAPArea] = []
    ) {
        self.language = language
        self.categories = categories
        self.event = event
        self.responseTypes = responseTypes
        self.urgency = urgency
        self.severity = severity
        self.certainty = certainty
        self.audience = audience
        self.eventCodes = eventCodes
        self.effective = effective
        self.onset = onset
        self.expires = expires
        self.senderName = senderName
        self.headline = headline
        self.description = description
        self.instruction = instruction
        self.web = web
        self.contact = contact
        self.parameters = parameters
        self.resources = resources
        self.areas = areas
    }
}

/// `<eventCode>`, `<parameter>`, `<geocode>`: a system-specific name and its value (the value may be empty).
public struct CAPValuePair: Sendable, Equatable, Codable {
    public var valueName: String
    public var value: String

    public init(valueName: String, value: String) {
        self.valueName = valueName
        self.value = value
    }
}

/// `<resource>`: a file with more information (§3.2.3).
public struct CAPResource: Sendable, Equatable, Codable {
    public var resourceDesc: String
    /// Required in CAP 1.2; optional in CAP 1.1.
    public var mimeType: String?
    /// Approximate size in bytes.
    public var size: Int?
    public var uri: String?
    /// The content itself, base64-encoded.
    public var derefUri: String?
    /// SHA-1 of the content.
    public var digest: String?

    public init(
        resourceDesc: String, mimeType: String?, size: Int? = nil, uri: String? = nil, derefUri: String? = nil,
        digest: String? = nil
    ) {
        self.resourceDesc = resourceDesc
        self.mimeType = mimeType
        self.size = size
        self.uri = uri
        self.derefUri = derefUri
        self.digest = digest
    }
}

/// A WGS 84 point.
public struct CAPPoint: Sendable, Equatable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// `<circle>`: a centre and a radius in kilometres.
public struct CAPCircle: Sendable, Equatable, Codable {
    public var center: CAPPoint
    public var radiusKm: Double

    public init(center: CAPPoint, radiusKm: Double) {
        self.center = center
        self.radiusKm = radiusKm
    }
}

/// `<area>`: the affected area (§3.2.4).
public struct CAPArea: Sendable, Equatable, Codable {
    public var areaDesc: String
    /// Each polygon is a closed ring of at least 4 points (the first repeated last).
    public var polygons: [[CAPPoint]]
    public var circles: [CAPCircle]
    public var geocodes: [CAPValuePair]
    /// Feet above mean sea level.
    public var altitude: Double?
    /// Feet above mean sea level; only together with `altitude`.
    public var ceiling: Double?

    public init(
        areaDesc: String, polygons: [[CAPPoint]] = [], circles: [CAPCircle] = [], geocodes: [CAPValuePair] = [],
        altitude: Double? = nil, ceiling: Double? = nil
    ) {
        self.areaDesc = areaDesc
        self.polygons = polygons
        self.circles = circles
        self.geocodes = geocodes
        self.altitude = altitude
        self.ceiling = ceiling
    }
}

/// A CAP date-time as written (`2003-04-02T14:39:01-05:00`) and the instant it names.
///
/// CAP 1.2 (§3.3.2 and the schema's pattern `\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d`) requires seconds, no
/// fraction and a numeric offset: `Z` is refused with a message saying to write `+00:00`; `-00:00` is allowed.
/// The same rule is applied to CAP 1.1 messages, whose specification also forbids `Z`. The value is only ever made
/// from a valid text, so `text` and `date` always agree; it encodes (`Codable`) as the text.
public struct CAPDateTime: Sendable, Hashable, Codable, CustomStringConvertible {
    public let text: String
    public let date: Date

    /// Parses a CAP date-time; nil when it is not one (see `CAPDateTime.check` for the reason).
    public init?(_ text: String) {
        guard case .success(let date) = Self.check(text) else { return nil }
        self.text = text
        self.date = date
    }

    /// The instant, written in the given offset (default +07:00, Vietnam). Sub-second parts are dropped.
    public init(_ date: Date, offsetMinutes: Int = 420) {
        let offset = max(-14 * 60, min(14 * 60, offsetMinutes))
        var text = W3CDateTime.format(date, offsetMinutes: offset)
        if text.hasSuffix("Z") { text = String(text.dropLast()) + "+00:00" }
        self.text = text
        self.date = Date(timeIntervalSince1970: W3CDateTime.parse(text)!.timeIntervalSince1970)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = CAPDateTime(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a CAP date-time: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }

    public var description: String { text }

    enum Problem: Error, Equatable {
        /// Ends in `Z` (or `z`): CAP wants a numeric offset.
        case zulu
        /// Not of the form `YYYY-MM-DDThh:mm:ss±hh:mm`, or not a real date, time or offset.
        case format
    }

    static func check(_ text: String) -> Result<Date, Problem> {
        let b = Array(text.utf8)
        if let last = b.last, last == 0x5A || last == 0x7A { return .failure(.zulu) }
        guard b.count == 25 else { return .failure(.format) }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = digits(0..<4), b[4] == 0x2D, digits(5..<7) != nil, b[7] == 0x2D, digits(8..<10) != nil,
              b[10] == 0x54, digits(11..<13) != nil, b[13] == 0x3A, digits(14..<16) != nil, b[16] == 0x3A,
              digits(17..<19) != nil, b[19] == 0x2B || b[19] == 0x2D, let oh = digits(20..<22), b[22] == 0x3A,
              let om = digits(23..<25)
        else { return .failure(.format) }
        // xs:dateTime: no year 0000, offsets within ±14:00.
        guard year >= 1, oh * 60 + om <= 14 * 60, let date = W3CDateTime.parse(text) else { return .failure(.format) }
        return .success(date)
    }
}

/// `<references>`: earlier messages this one refers to, as `sender,identifier,sent` entries separated by white
/// space (§3.2.1). Made only from valid text or from entries, so `raw` and `entries` always agree; encodes as `raw`.
public struct CAPReferences: Sendable, Equatable, Codable, CustomStringConvertible {
    public struct Entry: Sendable, Equatable, Codable {
        public var sender: String
        public var identifier: String
        public var sent: CAPDateTime

        public init(sender: String, identifier: String, sent: CAPDateTime) {
            self.sender = sender
            self.identifier = identifier
            self.sent = sent
        }
    }

    /// The text as written (surrounding white space trimmed).
    public let raw: String
    public let entries: [Entry]

    /// Parses the text of `<references>`; nil when it is empty or any entry is not `sender,identifier,sent` with a
    /// valid CAP date-time.
    public init?(_ raw: String) {
        let trimmed = CAPText.trimmed(raw)
        var entries: [Entry] = []
        for token in trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            let parts = token.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, let sent = CAPDateTime(String(parts[2])),
                  CAPText.isIdentifier(String(parts[0])), CAPText.isIdentifier(String(parts[1]))
            else { return nil }
            entries.append(Entry(sender: String(parts[0]), identifier: String(parts[1]), sent: sent))
        }
        guard !entries.isEmpty else { return nil }
        self.raw = trimmed
        self.entries = entries
    }

    /// Writes the entries as CAP text. The entries' senders and identifiers must be valid (see `CAPAlert.validate`).
    public init(_ entries: [Entry]) {
        self.entries = entries
        self.raw = entries.map { "\($0.sender),\($0.identifier),\($0.sent.text)" }.joined(separator: " ")
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = CAPReferences(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not CAP references: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(raw)
    }

    public var description: String { raw }
}

/// Small lexical rules shared by the parser, the validator and the writer.
enum CAPText {
    static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    /// Without leading and trailing XML white space.
    static func trimmed(_ s: String) -> String {
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(s[first...last])
    }

    /// CAP §3.2.1 for `identifier` and `sender`: non-empty, no white space, commas, `<` or `&`.
    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && !s.contains { isSpace($0) || $0 == "," || $0 == "<" || $0 == "&" }
    }

    /// xs:language (RFC 3066): `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
    static func isLanguage(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        for (i, p) in parts.enumerated() {
            guard (1...8).contains(p.count) else { return false }
            for c in p.unicodeScalars {
                let letter = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
                guard letter || (i > 0 && c >= "0" && c <= "9") else { return false }
            }
        }
        return true
    }

    /// A plain decimal: `[+-]?(\d+(\.\d*)?|\.\d+)`; no exponent, no `nan`/`inf`.
    static func decimal(_ s: some StringProtocol) -> Double? {
        var digitsBefore = 0, digitsAfter = 0, seenPoint = false
        for (i, c) in s.unicodeScalars.enumerated() {
            switch c {
            case "+" where i == 0, "-" where i == 0: continue
            case ".": if seenPoint { return nil }; seenPoint = true
            case "0"..."9": if seenPoint { digitsAfter += 1 } else { digitsBefore += 1 }
            default: return nil
            }
        }
        guard digitsBefore + digitsAfter > 0 else { return nil }
        return Double(String(s))
    }

    /// A number for CAP text: shortest round-tripping digits, never in exponent form (xs:decimal has none).
    static func number(_ d: Double) -> String {
        let s = "\(d)"
        guard s.contains("e") || s.contains("E") else { return s }
        var fixed = String(format: "%.20f", d)
        while fixed.hasSuffix("0") { fixed.removeLast() }
        if fixed.hasSuffix(".") { fixed += "0" }
        return fixed
    }
}
