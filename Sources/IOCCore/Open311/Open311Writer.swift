import Foundation

/// Serialises Open311 GeoReport v2 response bodies (field-reports.md §1).
///
/// XML: starts with `<?xml version="1.0" encoding="utf-8"?>`, no namespace, no whitespace between
/// elements. Absent optional fields are written as empty elements (`<status_notes/>`), booleans as
/// `true`/`false`, numbers as text.
///
/// JSON: the Spark convention — the root element is dropped (`services`, `service_requests`,
/// `errors` → array; `service_definition`, `discovery` → object), repeated containers are arrays
/// even with one child (`endpoints`, `formats`, `attributes`, `values`, `photos`, `notes`), absent
/// optional fields are `null`, `metadata`/`variable`/`required` are booleans and `lat`, `long`,
/// `order` and error `code` are numbers. Non-ASCII text is never escaped.
///
/// Every function returns the complete body as UTF-8 bytes, built in one pre-sized array.
/// Datetimes are written with `W3CDateTime` in +07:00.
public enum Open311Writer {
    /// Offset used for every datetime in the output (Vietnam, UTC+7).
    public static let offsetMinutes = 420

    // MARK: Discovery

    public static func discovery(_ d: Open311Discovery, _ format: Open311Format) -> [UInt8] {
        var estimate = 256 + d.changeset.utf8.count + d.contact.utf8.count + d.keyService.utf8.count
        for e in d.endpoints {
            estimate += 160 + e.specification.utf8.count + e.url.utf8.count + e.changeset.utf8.count
                + e.type.utf8.count
            for f in e.formats { estimate += 24 + f.utf8.count }
        }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                s.put("<discovery>")
                s.xml("changeset", d.changeset)
                s.xml("contact", d.contact)
                s.xml("key_service", d.keyService)
                if d.endpoints.isEmpty {
                    s.put("<endpoints/>")
                } else {
                    s.put("<endpoints>")
                    for e in d.endpoints {
                        s.put("<endpoint>")
                        s.xml("specification", e.specification)
                        s.xml("url", e.url)
                        s.xml("changeset", e.changeset)
                        s.xml("type", e.type)
                        if e.formats.isEmpty {
                            s.put("<formats/>")
                        } else {
                            s.put("<formats>")
                            for f in e.formats { s.xml("format", f) }
                            s.put("</formats>")
                        }
                        s.put("</endpoint>")
                    }
                    s.put("</endpoints>")
                }
                s.put("</discovery>")
            case .json:
                s.put("{\"changeset\":")
                s.jsonString(d.changeset)
                s.put(",\"contact\":")
                s.jsonString(d.contact)
                s.put(",\"key_service\":")
                s.jsonString(d.keyService)
                s.put(",\"endpoints\":[")
                for (i, e) in d.endpoints.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.put("{\"specification\":")
                    s.jsonString(e.specification)
                    s.put(",\"url\":")
                    s.jsonString(e.url)
                    s.put(",\"changeset\":")
                    s.jsonString(e.changeset)
                    s.put(",\"type\":")
                    s.jsonString(e.type)
                    s.put(",\"formats\":[")
                    for (j, f) in e.formats.enumerated() {
                        if j > 0 { s.byte(0x2C) }
                        s.jsonString(f)
                    }
                    s.put("]}")
                }
                s.put("]}")
            }
        }
    }

    // MARK: Services

    public static func services(_ list: [Open311Service], _ format: Open311Format) -> [UInt8] {
        var estimate = 96
        for v in list {
            estimate += 260 + v.code.utf8.count + v.name.utf8.count + v.description.utf8.count
                + v.type.utf8.count + v.keywords.utf8.count + v.group.utf8.count
        }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                if list.isEmpty { s.put("<services/>"); return }
                s.put("<services>")
                for v in list {
                    s.put("<service>")
                    s.xml("service_code", v.code)
                    s.xml("service_name", v.name)
                    s.xml("description", v.description)
                    s.xmlBool("metadata", v.metadata)
                    s.xml("type", v.type)
                    s.xml("keywords", v.keywords)
                    s.xml("group", v.group)
                    s.put("</service>")
                }
                s.put("</services>")
            case .json:
                s.byte(0x5B)
                for (i, v) in list.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.put("{\"service_code\":")
                    s.jsonString(v.code)
                    s.put(",\"service_name\":")
                    s.jsonString(v.name)
                    s.put(",\"description\":")
                    s.jsonString(v.description)
                    s.put(",\"metadata\":")
                    s.jsonBool(v.metadata)
                    s.put(",\"type\":")
                    s.jsonString(v.type)
                    s.put(",\"keywords\":")
                    s.jsonString(v.keywords)
                    s.put(",\"group\":")
                    s.jsonString(v.group)
                    s.byte(0x7D)
                }
                s.byte(0x5D)
            }
        }
    }

    // MARK: Service definition

    public static func serviceDefinition(_ def: Open311ServiceDefinition, _ format: Open311Format) -> [UInt8] {
        var estimate = 160 + def.serviceCode.utf8.count
        for a in def.attributes {
            estimate += 330 + a.code.utf8.count + a.datatype.utf8.count
                + (a.datatypeDescription?.utf8.count ?? 0) + a.description.utf8.count
            for v in a.values { estimate += 60 + v.key.utf8.count + v.name.utf8.count }
        }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                s.put("<service_definition>")
                s.xml("service_code", def.serviceCode)
                if def.attributes.isEmpty {
                    s.put("<attributes/>")
                } else {
                    s.put("<attributes>")
                    for a in def.attributes {
                        s.put("<attribute>")
                        s.xmlBool("variable", a.variable)
                        s.xml("code", a.code)
                        s.xml("datatype", a.datatype)
                        s.xmlBool("required", a.required)
                        s.xml("datatype_description", a.datatypeDescription)
                        s.put("<order>")
                        s.int(a.order)
                        s.put("</order>")
                        s.xml("description", a.description)
                        if a.values.isEmpty {
                            s.put("<values/>")
                        } else {
                            s.put("<values>")
                            for v in a.values {
                                s.put("<value>")
                                s.xml("key", v.key)
                                s.xml("name", v.name)
                                s.put("</value>")
                            }
                            s.put("</values>")
                        }
                        s.put("</attribute>")
                    }
                    s.put("</attributes>")
                }
                s.put("</service_definition>")
            case .json:
                s.put("{\"service_code\":")
                s.jsonString(def.serviceCode)
                s.put(",\"attributes\":[")
                for (i, a) in def.attributes.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.put("{\"variable\":")
                    s.jsonBool(a.variable)
                    s.put(",\"code\":")
                    s.jsonString(a.code)
                    s.put(",\"datatype\":")
                    s.jsonString(a.datatype)
                    s.put(",\"required\":")
                    s.jsonBool(a.required)
                    s.put(",\"datatype_description\":")
                    s.jsonOptional(a.datatypeDescription)
                    s.put(",\"order\":")
                    s.int(a.order)
                    s.put(",\"description\":")
                    s.jsonString(a.description)
                    s.put(",\"values\":[")
                    for (j, v) in a.values.enumerated() {
                        if j > 0 { s.byte(0x2C) }
                        s.put("{\"key\":")
                        s.jsonString(v.key)
                        s.put(",\"name\":")
                        s.jsonString(v.name)
                        s.byte(0x7D)
                    }
                    s.put("]}")
                }
                s.put("]}")
            }
        }
    }

    // MARK: Requests

    /// `service_requests/request` (XML) or an array (JSON) of full requests; also used for
    /// `GET /requests/{id}` (a list of one). Every field of §1.8 is always written, absent ones as
    /// empty elements / `null`; `extended_attributes` and `notes` only when `extensions` is set.
    public static func requests(_ list: [Open311Request], _ format: Open311Format) -> [UInt8] {
        var estimate = 96
        for i in list.indices { estimate += estimatedSize(list[i]) }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                if list.isEmpty { s.put("<service_requests/>"); return }
                s.put("<service_requests>")
                for i in list.indices where !s.overflowed { writeXML(list[i], &s) }
                s.put("</service_requests>")
            case .json:
                s.byte(0x5B)
                for i in list.indices where !s.overflowed {
                    if i > 0 { s.byte(0x2C) }
                    writeJSON(list[i], &s)
                }
                s.byte(0x5D)
            }
        }
    }

    // MARK: Created / tokens / errors

    /// The answer to `POST /requests`: `service_requests/request` with `service_request_id` **or**
    /// `token` (whichever is set; both if both are set, though the spec says a server sends one; an
    /// empty `service_request_id` / `null` when neither is), then `service_notice` and `account_id`
    /// (empty element / `null` when nil).
    public static func created(_ list: [Open311CreatedRequest], _ format: Open311Format) -> [UInt8] {
        var estimate = 96
        for c in list {
            estimate += 200 + (c.serviceRequestID?.utf8.count ?? 0) + (c.token?.utf8.count ?? 0)
                + (c.serviceNotice?.utf8.count ?? 0) + (c.accountID?.utf8.count ?? 0)
        }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                if list.isEmpty { s.put("<service_requests/>"); return }
                s.put("<service_requests>")
                for c in list {
                    s.put("<request>")
                    if c.serviceRequestID != nil || c.token == nil {
                        s.xml("service_request_id", c.serviceRequestID)
                    }
                    if let t = c.token { s.xml("token", t) }
                    s.xml("service_notice", c.serviceNotice)
                    s.xml("account_id", c.accountID)
                    s.put("</request>")
                }
                s.put("</service_requests>")
            case .json:
                s.byte(0x5B)
                for (i, c) in list.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.byte(0x7B)
                    if c.serviceRequestID != nil || c.token == nil {
                        s.put("\"service_request_id\":")
                        s.jsonOptional(c.serviceRequestID)
                        s.byte(0x2C)
                    }
                    if let t = c.token {
                        s.put("\"token\":")
                        s.jsonString(t)
                        s.byte(0x2C)
                    }
                    s.put("\"service_notice\":")
                    s.jsonOptional(c.serviceNotice)
                    s.put(",\"account_id\":")
                    s.jsonOptional(c.accountID)
                    s.byte(0x7D)
                }
                s.byte(0x5D)
            }
        }
    }

    /// `GET /tokens/{token}`: `service_requests/request` with `service_request_id` (empty / null
    /// while processing) and `token`.
    public static func tokens(_ list: [Open311TokenResult], _ format: Open311Format) -> [UInt8] {
        var estimate = 96
        for t in list { estimate += 120 + (t.serviceRequestID?.utf8.count ?? 0) + t.token.utf8.count }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                if list.isEmpty { s.put("<service_requests/>"); return }
                s.put("<service_requests>")
                for t in list {
                    s.put("<request>")
                    s.xml("service_request_id", t.serviceRequestID)
                    s.xml("token", t.token)
                    s.put("</request>")
                }
                s.put("</service_requests>")
            case .json:
                s.byte(0x5B)
                for (i, t) in list.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.put("{\"service_request_id\":")
                    s.jsonOptional(t.serviceRequestID)
                    s.put(",\"token\":")
                    s.jsonString(t.token)
                    s.byte(0x7D)
                }
                s.byte(0x5D)
            }
        }
    }

    /// `errors/error` {`code`, `description`}; `code` is a JSON number.
    public static func errors(_ list: [Open311Error], _ format: Open311Format) -> [UInt8] {
        var estimate = 96
        for e in list { estimate += 100 + e.description.utf8.count }
        return Open311ByteSink.render(estimate: estimate + estimate / 8) { s in
            switch format {
            case .xml:
                s.put(xmlDeclaration)
                if list.isEmpty { s.put("<errors/>"); return }
                s.put("<errors>")
                for e in list {
                    s.put("<error><code>")
                    s.int(e.code)
                    s.put("</code>")
                    s.xml("description", e.description)
                    s.put("</error>")
                }
                s.put("</errors>")
            case .json:
                s.byte(0x5B)
                for (i, e) in list.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.put("{\"code\":")
                    s.int(e.code)
                    s.put(",\"description\":")
                    s.jsonString(e.description)
                    s.byte(0x7D)
                }
                s.byte(0x5D)
            }
        }
    }

    // MARK: - Internals

    static let xmlDeclaration: StaticString = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"

    @inline(__always)
    private static func n(_ s: String?) -> Int { s?.utf8.count ?? 0 }

    static func estimatedSize(_ r: borrowing Open311Request) -> Int {
        var size = 640 + r.serviceRequestID.utf8.count + r.status.utf8.count + n(r.statusNotes)
            + r.serviceName.utf8.count + r.serviceCode.utf8.count + n(r.description)
            + n(r.agencyResponsible) + n(r.serviceNotice) + n(r.address) + n(r.addressID)
            + n(r.zipcode) + n(r.mediaURL)
        if let x = r.extensions {
            size += 360 + x.detailedStatus.utf8.count + x.statusLabel.utf8.count + n(x.ward)
                + n(x.wardCode) + n(x.duplicateOf) + n(x.channel)
            for p in x.photos { size += 20 + p.utf8.count }
            for note in x.notes {
                size += 140 + note.type.utf8.count + note.description.utf8.count + n(note.summary)
            }
        }
        return size
    }

    @inline(__always)
    private static func writeXML(_ r: borrowing Open311Request, _ s: inout Open311ByteSink) {
        s.put("<request>")
        s.xml("service_request_id", r.serviceRequestID)
        s.xml("status", r.status)
        s.xml("status_notes", r.statusNotes)
        s.xml("service_name", r.serviceName)
        s.xml("service_code", r.serviceCode)
        s.xml("description", r.description)
        s.xml("agency_responsible", r.agencyResponsible)
        s.xml("service_notice", r.serviceNotice)
        s.xmlDate("requested_datetime", r.requestedDatetime)
        s.xmlDate("updated_datetime", r.updatedDatetime)
        s.xmlDate("expected_datetime", r.expectedDatetime)
        s.xml("address", r.address)
        s.xml("address_id", r.addressID)
        s.xml("zipcode", r.zipcode)
        s.xmlNumber("lat", r.lat)
        s.xmlNumber("long", r.long)
        s.xml("media_url", r.mediaURL)
        if let x = r.extensions {
            s.put("<extended_attributes>")
            s.xml("detailed_status", x.detailedStatus)
            s.xml("status_label", x.statusLabel)
            s.xml("ward", x.ward)
            s.xml("ward_code", x.wardCode)
            s.xml("duplicate_of", x.duplicateOf)
            s.xml("channel", x.channel)
            if x.photos.isEmpty {
                s.put("<photos/>")
            } else {
                s.put("<photos>")
                for p in x.photos { s.xml("photo", p) }
                s.put("</photos>")
            }
            s.put("</extended_attributes>")
            if x.notes.isEmpty {
                s.put("<notes/>")
            } else {
                s.put("<notes>")
                for note in x.notes {
                    s.put("<note>")
                    s.xmlDate("datetime", note.datetime)
                    s.xml("type", note.type)
                    s.xml("description", note.description)
                    s.xml("summary", note.summary)
                    s.put("</note>")
                }
                s.put("</notes>")
            }
        }
        s.put("</request>")
    }

    @inline(__always)
    private static func writeJSON(_ r: borrowing Open311Request, _ s: inout Open311ByteSink) {
        s.put("{\"service_request_id\":")
        s.jsonString(r.serviceRequestID)
        s.put(",\"status\":")
        s.jsonString(r.status)
        s.put(",\"status_notes\":")
        s.jsonOptional(r.statusNotes)
        s.put(",\"service_name\":")
        s.jsonString(r.serviceName)
        s.put(",\"service_code\":")
        s.jsonString(r.serviceCode)
        s.put(",\"description\":")
        s.jsonOptional(r.description)
        s.put(",\"agency_responsible\":")
        s.jsonOptional(r.agencyResponsible)
        s.put(",\"service_notice\":")
        s.jsonOptional(r.serviceNotice)
        s.put(",\"requested_datetime\":")
        s.jsonDate(r.requestedDatetime)
        s.put(",\"updated_datetime\":")
        s.jsonDate(r.updatedDatetime)
        s.put(",\"expected_datetime\":")
        s.jsonDate(r.expectedDatetime)
        s.put(",\"address\":")
        s.jsonOptional(r.address)
        s.put(",\"address_id\":")
        s.jsonOptional(r.addressID)
        s.put(",\"zipcode\":")
        s.jsonOptional(r.zipcode)
        s.put(",\"lat\":")
        s.jsonNumber(r.lat)
        s.put(",\"long\":")
        s.jsonNumber(r.long)
        s.put(",\"media_url\":")
        s.jsonOptional(r.mediaURL)
        if let x = r.extensions {
            s.put(",\"extended_attributes\":{\"detailed_status\":")
            s.jsonString(x.detailedStatus)
            s.put(",\"status_label\":")
            s.jsonString(x.statusLabel)
            s.put(",\"ward\":")
            s.jsonOptional(x.ward)
            s.put(",\"ward_code\":")
            s.jsonOptional(x.wardCode)
            s.put(",\"duplicate_of\":")
            s.jsonOptional(x.duplicateOf)
            s.put(",\"channel\":")
            s.jsonOptional(x.channel)
            s.put(",\"photos\":[")
            for (i, p) in x.photos.enumerated() {
                if i > 0 { s.byte(0x2C) }
                s.jsonString(p)
            }
            s.put("]},\"notes\":[")
            for (i, note) in x.notes.enumerated() {
                if i > 0 { s.byte(0x2C) }
                s.put("{\"datetime\":")
                s.jsonDate(note.datetime)
                s.put(",\"type\":")
                s.jsonString(note.type)
                s.put(",\"description\":")
                s.jsonString(note.description)
                s.put(",\"summary\":")
                s.jsonOptional(note.summary)
                s.byte(0x7D)
            }
            s.byte(0x5D)
        }
        s.byte(0x7D)
    }
}

// MARK: - Element and member helpers

extension Open311ByteSink {
    /// `<name>escaped value</name>`, or `<name/>` when the value is nil or empty.
    @inline(__always)
    mutating func xml(_ name: StaticString, _ value: String?) {
        byte(0x3C)
        put(name)
        guard let value, !value.isEmpty else {
            put("/>")
            return
        }
        byte(0x3E)
        xmlText(value)
        put("</")
        put(name)
        byte(0x3E)
    }

    @inline(__always)
    mutating func xmlBool(_ name: StaticString, _ value: Bool) {
        byte(0x3C)
        put(name)
        put(value ? ">true</" : ">false</")
        put(name)
        byte(0x3E)
    }

    @inline(__always)
    mutating func xmlDate(_ name: StaticString, _ value: Date?) {
        byte(0x3C)
        put(name)
        guard let value else {
            put("/>")
            return
        }
        byte(0x3E)
        date(value, offsetMinutes: Open311Writer.offsetMinutes)
        put("</")
        put(name)
        byte(0x3E)
    }

    /// A finite number, or an empty element for nil / NaN / infinity.
    @inline(__always)
    mutating func xmlNumber(_ name: StaticString, _ value: Double?) {
        byte(0x3C)
        put(name)
        guard let value, value.isFinite else {
            put("/>")
            return
        }
        byte(0x3E)
        double(value)
        put("</")
        put(name)
        byte(0x3E)
    }

    @inline(__always)
    mutating func jsonString(_ value: String) {
        byte(0x22)
        jsonText(value)
        byte(0x22)
    }

    @inline(__always)
    mutating func jsonOptional(_ value: String?) {
        if let value { jsonString(value) } else { put("null") }
    }

    @inline(__always)
    mutating func jsonBool(_ value: Bool) {
        put(value ? "true" : "false")
    }

    @inline(__always)
    mutating func jsonDate(_ value: Date?) {
        guard let value else {
            put("null")
            return
        }
        byte(0x22)
        date(value, offsetMinutes: Open311Writer.offsetMinutes)
        byte(0x22)
    }

    /// A finite number, or `null` for nil / NaN / infinity (JSON has no NaN).
    @inline(__always)
    mutating func jsonNumber(_ value: Double?) {
        guard let value, value.isFinite else {
            put("null")
            return
        }
        double(value)
    }
}
