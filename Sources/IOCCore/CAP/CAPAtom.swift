import Foundation

/// Atom feeds (RFC 4287) of CAP alerts: the feed IOC publishes of its own warnings, and reading the feeds other
/// publishers poll-serve (NWS, Meteoalarm, USGS, Google Public Alerts style).
public enum CAPAtom {
    public static let namespace = "http://www.w3.org/2005/Atom"
    /// The media type of a CAP message (IANA registration, CAP 1.2 Appendix).
    public static let capMediaType = "application/cap+xml"

    /// One entry of a remote feed: where to fetch its CAP message.
    public struct Entry: Sendable, Equatable {
        /// `atom:id`, as written.
        public var id: String
        /// `atom:updated`, as written.
        public var updated: String
        /// `updated` as an instant, when it is an RFC 3339 date-time.
        public var updatedDate: Date?
        /// Absolute http(s) URL of the entry's CAP message.
        public var capURL: String

        public init(id: String, updated: String, updatedDate: Date?, capURL: String) {
            self.id = id
            self.updated = updated
            self.updatedDate = updatedDate
            self.capURL = capURL
        }
    }

    /// An Atom feed with one entry per alert, each linking to the alert's CAP XML
    /// (`<link rel="alternate" type="application/cap+xml" href=…>`) and using that URL as its id.
    ///
    /// Entry title: the first info's headline, else its event, else the alert identifier; entry author: the first
    /// info's sender name, else the alert's sender; entry `updated`: the alert's `sent`. The feed's own author is
    /// `author`, or the title when nil. `updated` is written in +07:00.
    public static func feed(
        id: String, title: String, updated: Date, selfURL: String, author: String? = nil,
        entries: [(alert: CAPAlert, url: String)]
    ) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<feed xmlns=\"\(namespace)\">\n"
        out += "  <id>\(escape(id))</id>\n"
        out += "  <title>\(escape(title))</title>\n"
        out += "  <updated>\(W3CDateTime.format(updated))</updated>\n"
        out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(escape(selfURL))\"/>\n"
        out += "  <author><name>\(escape(author ?? title))</name></author>\n"
        for (alert, url) in entries {
            let info = alert.infos.first
            let entryTitle = info?.headline ?? info?.event ?? alert.identifier
            out += "  <entry>\n"
            out += "    <id>\(escape(url))</id>\n"
            out += "    <title>\(escape(entryTitle))</title>\n"
            out += "    <updated>\(escape(alert.sent.text))</updated>\n"
            out += "    <author><name>\(escape(info?.senderName ?? alert.sender))</name></author>\n"
            out += "    <link rel=\"alternate\" type=\"\(capMediaType)\" href=\"\(escape(url))\"/>\n"
            out += "  </entry>\n"
        }
        out += "</feed>\n"
        return out
    }

    /// Reads a remote Atom feed of CAP alerts with the same safety rules as `CAPParser` (size bound, UTF-8 only,
    /// no DOCTYPE or entities, depth bound; nothing is fetched).
    ///
    /// Each entry's CAP URL is, in this order: the href of a link typed `application/cap+xml` (any `rel`; NWS and
    /// Meteoalarm use `alternate` or `related`); else the href of the entry's only `alternate` link if it is untyped
    /// or XML-typed (the NWS index style); else the entry's id when it is an http(s) URL. Relative hrefs are resolved
    /// against the feed's `rel="self"` link. Only http and https URLs are returned — a `file:` or other scheme is
    /// refused ("invalid-value"), so a hostile feed cannot steer the poller at local files. An entry without `id`
    /// or `updated` is "missing-element"; one with no CAP URL is "missing-cap-link" (path `feed/entry/link`).
    public static func entries(_ bytes: [UInt8], maxBytes: Int = CAPParser.defaultMaxBytes) throws(CAPError) -> [Entry] {
        let root = try SafeXML.parse(bytes, maxBytes: maxBytes, maxDepth: CAPParser.maxDepth)
        guard root.localName == "feed", root.namespace == namespace else {
            throw CAPError(.notAtom, path: "",
                           vi: "Tài liệu không phải nguồn tin Atom (phần tử gốc \(CAPError.quote(root.qualifiedName)))",
                           en: "The document is not an Atom feed (root element \(CAPError.quote(root.qualifiedName)))")
        }
        let atom = root.children.filter { $0.namespace == namespace }
        let base = atom.first { $0.localName == "link" && $0.attribute("rel") == "self" }?.attribute("href")
            .flatMap { URL(string: CAPText.trimmed($0)) }
        var result: [Entry] = []
        for entry in atom where entry.localName == "entry" {
            let children = entry.children.filter { $0.namespace == namespace }
            guard let id = children.first(where: { $0.localName == "id" }).map({ CAPText.trimmed($0.text) }), !id.isEmpty else {
                throw CAPError.missing("feed/entry/id")
            }
            guard let updated = children.first(where: { $0.localName == "updated" }).map({ CAPText.trimmed($0.text) }),
                  !updated.isEmpty
            else { throw CAPError.missing("feed/entry/updated") }
            let links = children.filter { $0.localName == "link" && $0.attribute("href") != nil }
            func mediaType(_ link: SafeXML.Element) -> String? {
                link.attribute("type").map { CAPText.trimmed($0.split(separator: ";").first.map(String.init) ?? "").lowercased() }
            }
            var href: String?
            if let cap = links.first(where: { mediaType($0) == capMediaType }) {
                href = cap.attribute("href")
            } else {
                let alternates = links.filter { ($0.attribute("rel") ?? "alternate") == "alternate" }
                if alternates.count == 1, [nil, "application/xml", "text/xml"].contains(mediaType(alternates[0])) {
                    href = alternates[0].attribute("href")
                } else if isHTTP(id) {
                    href = id
                }
            }
            guard let href else {
                throw CAPError(.missingCAPLink, path: "feed/entry/link",
                               vi: "Mục \(CAPError.quote(id)) không có liên kết tới bản tin CAP (link type=\"application/cap+xml\")",
                               en: "Entry \(CAPError.quote(id)) has no link to a CAP message (link type=\"application/cap+xml\")")
            }
            let trimmed = CAPText.trimmed(href)
            let absolute = URL(string: trimmed, relativeTo: base)?.absoluteURL.absoluteString ?? trimmed
            guard isHTTP(absolute) else {
                throw CAPError.invalid("feed/entry/link", trimmed, vi: "chỉ nhận địa chỉ http hoặc https",
                                       en: "only http and https URLs are accepted")
            }
            result.append(Entry(id: id, updated: updated, updatedDate: W3CDateTime.parse(updated), capURL: absolute))
        }
        return result
    }

    public static func entries(_ data: Data, maxBytes: Int = CAPParser.defaultMaxBytes) throws(CAPError) -> [Entry] {
        if data.count > maxBytes { throw CAPError.tooLarge(data.count, max: maxBytes) }
        return try entries([UInt8](data), maxBytes: maxBytes)
    }

    /// An absolute http(s) URL with something after the scheme, and no white space.
    static func isHTTP(_ s: String) -> Bool {
        let lower = s.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else { return false }
        return !rest.isEmpty && !rest.hasPrefix("/") && !s.contains(where: CAPText.isSpace)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            default:
                if (u.value < 0x20 && u != "\t" && u != "\n") || u.value == 0xFFFE || u.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}
