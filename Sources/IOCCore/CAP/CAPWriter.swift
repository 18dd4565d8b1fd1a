/// Writes alerts as CAP 1.2 XML that validates against the OASIS schema (`Resources/cap/CAP-v1.2.xsd`).
///
/// - UTF-8, default namespace `urn:oasis:names:tc:emergency:cap:1.2`, elements in the order the schema's sequences
///   require, two-space indentation between elements (never inside text).
/// - Text is escaped (`&`, `<`, `>`; a carriage return as `&#13;` so it survives reading back); Vietnamese and any
///   other Unicode text is written as is. Characters XML 1.0 cannot carry (C0 controls other than tab, newline and
///   carriage return; U+FFFE, U+FFFF) are replaced by U+FFFD.
/// - `language` is always written; numbers never in exponent form.
///
/// The alert should pass `CAPAlert.validate()` first (the parser's alerts always do). A CAP 1.1 alert is written as
/// CAP 1.2.
public enum CAPWriter {
    public static func xml(_ alert: CAPAlert) -> String {
        var w = Output()
        w.out.reserveCapacity(2048)
        w.out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        w.out += "<alert xmlns=\"\(CAPVersion.v1_2.namespace)\">\n"
        w.leaf(1, "identifier", alert.identifier)
        w.leaf(1, "sender", alert.sender)
        w.leaf(1, "sent", alert.sent.text)
        w.leaf(1, "status", alert.status.rawValue)
        w.leaf(1, "msgType", alert.msgType.rawValue)
        w.leaf(1, "source", alert.source)
        w.leaf(1, "scope", alert.scope.rawValue)
        w.leaf(1, "restriction", alert.restriction)
        w.leaf(1, "addresses", alert.addresses)
        for code in alert.codes { w.leaf(1, "code", code) }
        w.leaf(1, "note", alert.note)
        w.leaf(1, "references", alert.references?.raw)
        w.leaf(1, "incidents", alert.incidents)
        for info in alert.infos { w.info(info) }
        w.out += "</alert>\n"
        return w.out
    }

    private struct Output {
        var out = ""

        mutating func indent(_ level: Int) {
            for _ in 0..<level { out += "  " }
        }

        mutating func leaf(_ level: Int, _ name: String, _ value: String?) {
            guard let value else { return }
            indent(level)
            out += "<" + name + ">"
            escape(value)
            out += "</" + name + ">\n"
        }

        mutating func open(_ level: Int, _ name: String) {
            indent(level)
            out += "<" + name + ">\n"
        }

        mutating func close(_ level: Int, _ name: String) {
            indent(level)
            out += "</" + name + ">\n"
        }

        mutating func pair(_ level: Int, _ name: String, _ p: CAPValuePair) {
            open(level, name)
            leaf(level + 1, "valueName", p.valueName)
            leaf(level + 1, "value", p.value)
            close(level, name)
        }

        mutating func info(_ info: CAPInfo) {
            open(1, "info")
            leaf(2, "language", info.language)
            for c in info.categories { leaf(2, "category", c.rawValue) }
            leaf(2, "event", info.event)
            for r in info.responseTypes { leaf(2, "responseType", r.rawValue) }
            leaf(2, "urgency", info.urgency.rawValue)
            leaf(2, "severity", info.severity.rawValue)
            leaf(2, "certainty", info.certainty.rawValue)
            leaf(2, "audience", info.audience)
            for p in info.eventCodes { pair(2, "eventCode", p) }
            leaf(2, "effective", info.effective?.text)
            leaf(2, "onset", info.onset?.text)
            leaf(2, "expires", info.expires?.text)
            leaf(2, "senderName", info.senderName)
            leaf(2, "headline", info.headline)
            leaf(2, "description", info.description)
            leaf(2, "instruction", info.instruction)
            leaf(2, "web", info.web)
            leaf(2, "contact", info.contact)
            for p in info.parameters { pair(2, "parameter", p) }
            for r in info.resources {
                open(2, "resource")
                leaf(3, "resourceDesc", r.resourceDesc)
                leaf(3, "mimeType", r.mimeType)
                leaf(3, "size", r.size.map(String.init))
                leaf(3, "uri", r.uri)
                leaf(3, "derefUri", r.derefUri)
                leaf(3, "digest", r.digest)
                close(2, "resource")
            }
            for a in info.areas {
                open(2, "area")
                leaf(3, "areaDesc", a.areaDesc)
                for ring in a.polygons {
                    leaf(3, "polygon", ring.map(point).joined(separator: " "))
                }
                for c in a.circles {
                    leaf(3, "circle", point(c.center) + " " + CAPText.number(c.radiusKm))
                }
                for g in a.geocodes { pair(3, "geocode", g) }
                leaf(3, "altitude", a.altitude.map(CAPText.number))
                leaf(3, "ceiling", a.ceiling.map(CAPText.number))
                close(2, "area")
            }
            close(1, "info")
        }

        func point(_ p: CAPPoint) -> String {
            CAPText.number(p.latitude) + "," + CAPText.number(p.longitude)
        }

        mutating func escape(_ s: String) {
            for u in s.unicodeScalars {
                switch u {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\r": out += "&#13;"
                case "\t", "\n": out.unicodeScalars.append(u)
                default:
                    if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF {
                        out += "\u{FFFD}"
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
        }
    }
}
