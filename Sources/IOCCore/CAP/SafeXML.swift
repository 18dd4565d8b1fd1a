/// A deliberately small XML 1.0 reader for documents from outside (CAP alerts, Atom feeds of alerts).
///
/// Hostile input is the normal case, so `preflight` runs before any parsing and refuses, in this order:
/// 1. more than `maxBytes` bytes ("too-large");
/// 2. anything but UTF-8 ("unsupported-encoding"): a UTF-16/UTF-32 byte-order mark, a NUL byte (UTF-16/32 without a
///    mark), an XML declaration naming another encoding (`encoding="ISO-8859-1"`, `"UTF-16"`, …; `UTF-8` in any
///    letter case, no encoding or no declaration is accepted), then bytes that are not valid UTF-8;
/// 3. `<!DOCTYPE` or `<!ENTITY` anywhere, in any letter case, even inside a comment or CDATA section
///    ("doctype-forbidden", "entity-forbidden") — so no DTD, internal or external, and no entity declaration, ever.
///
/// The reader itself has no DTD support: it knows the five predefined entities and character references only
/// (any other `&name;` is "entity-forbidden"), never opens a file or a URL, skips processing instructions (an
/// `xml-stylesheet` is inert) and treats XInclude or `xsi:schemaLocation` as ordinary, unprocessed markup. Elements
/// nested deeper than `maxDepth` are refused ("too-deep"). Everything else that is not well-formed XML 1.0 with
/// namespaces is "malformed-xml".
enum SafeXML {
    /// One element with its namespace resolved, its attributes, its child elements and the character data directly
    /// inside it (CDATA included, line ends normalised to `\n`).
    struct Element: Sendable {
        var namespace: String
        var localName: String
        var qualifiedName: String
        var attributes: [Attribute]
        var children: [Element]
        var text: String

        /// The value of the attribute with this local name and no namespace.
        func attribute(_ localName: String) -> String? {
            attributes.first { $0.namespace.isEmpty && $0.localName == localName }?.value
        }
    }

    struct Attribute: Sendable {
        var namespace: String
        var localName: String
        var qualifiedName: String
        var value: String
    }

    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    /// Runs the pre-checks, then parses the document into a tree.
    static func parse(_ bytes: [UInt8], maxBytes: Int, maxDepth: Int = 64) throws(CAPError) -> Element {
        let start = try preflight(bytes, maxBytes: maxBytes)
        var reader = Reader(bytes: bytes, position: start, maxDepth: maxDepth)
        return try reader.document()
    }

    /// The pre-checks above; returns the offset where markup starts (after a UTF-8 byte-order mark and the XML
    /// declaration, if any).
    static func preflight(_ bytes: [UInt8], maxBytes: Int) throws(CAPError) -> Int {
        if bytes.count > maxBytes { throw CAPError.tooLarge(bytes.count, max: maxBytes) }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw CAPError.unsupportedEncoding("UTF-16")
        }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { throw CAPError.unsupportedEncoding("UTF-32") }
        if bytes.contains(0) { throw CAPError.unsupportedEncoding("UTF-16/UTF-32") }
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        // The declaration is ASCII and is read first, so a Latin-1 document is refused naming its encoding.
        let markup = try declarationEnd(bytes, from: start)
        if String(validating: bytes[start...], as: UTF8.self) == nil {
            throw CAPError.unsupportedEncoding("không phải UTF-8 hợp lệ", "invalid UTF-8")
        }
        if containsIgnoringCase(bytes, Array("<!DOCTYPE".utf8)) { throw CAPError.doctypeForbidden() }
        if containsIgnoringCase(bytes, Array("<!ENTITY".utf8)) { throw CAPError.entityForbidden("<!ENTITY") }
        return markup
    }

    /// Checks the XML declaration, if the document has one, and returns the offset just after it.
    private static func declarationEnd(_ b: [UInt8], from start: Int) throws(CAPError) -> Int {
        let open = Array("<?xml".utf8)
        guard b.count >= start + 6, Array(b[start..<start + 5]) == open, isSpace(b[start + 5]) else { return start }
        var i = start + 5
        var end = -1
        while i + 1 < b.count {
            if b[i] == 0x3F, b[i + 1] == 0x3E { end = i; break }
            i += 1
        }
        if end < 0 { throw CAPError.malformed(line: 1, "khai báo XML không có '?>'", "XML declaration without '?>'") }
        var pseudo: [(String, String)] = []
        i = start + 5
        while i < end {
            while i < end, isSpace(b[i]) { i += 1 }
            if i >= end { break }
            let nameStart = i
            while i < end, b[i] != 0x3D, !isSpace(b[i]) { i += 1 }
            let name = String(decoding: b[nameStart..<i], as: UTF8.self)
            while i < end, isSpace(b[i]) { i += 1 }
            guard i < end, b[i] == 0x3D else {
                throw CAPError.malformed(line: 1, "khai báo XML sai cú pháp", "malformed XML declaration")
            }
            i += 1
            while i < end, isSpace(b[i]) { i += 1 }
            guard i < end, b[i] == 0x22 || b[i] == 0x27 else {
                throw CAPError.malformed(line: 1, "khai báo XML sai cú pháp", "malformed XML declaration")
            }
            let quote = b[i]
            i += 1
            let valueStart = i
            while i < end, b[i] != quote { i += 1 }
            guard i < end else {
                throw CAPError.malformed(line: 1, "khai báo XML sai cú pháp", "malformed XML declaration")
            }
            pseudo.append((name, String(decoding: b[valueStart..<i], as: UTF8.self)))
            i += 1
        }
        guard let version = pseudo.first(where: { $0.0 == "version" })?.1, version.hasPrefix("1.") else {
            throw CAPError.malformed(line: 1, "khai báo XML thiếu version=\"1.0\"", "XML declaration without version=\"1.0\"")
        }
        for (name, value) in pseudo where !["version", "encoding", "standalone"].contains(name) {
            throw CAPError.malformed(
                line: 1, "khai báo XML có thuộc tính lạ '\(name)=\(value)'", "unknown XML declaration attribute '\(name)'")
        }
        if let encoding = pseudo.first(where: { $0.0 == "encoding" })?.1, encoding.lowercased() != "utf-8" {
            throw CAPError.unsupportedEncoding(encoding)
        }
        return end + 2
    }

    private static func containsIgnoringCase(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        let n = needle.count
        guard haystack.count >= n else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - n {
            if haystack[i] == first {
                var j = 1
                while j < n, lower(haystack[i + j]) == lower(needle[j]) { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always) private static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// The tokenizer and tree builder. Input is already known to be valid UTF-8 without NUL bytes.
    private struct Reader {
        let bytes: [UInt8]
        var position: Int
        let maxDepth: Int
        /// Elements being built, outermost first, with their local names for error paths.
        var open: [Element] = []
        /// Namespace bindings declared by each open element (prefix "" is the default namespace).
        var scopes: [[(prefix: String, uri: String)]] = []
        /// Character data of each open element, as UTF-8 bytes.
        var textBuffers: [[UInt8]] = []

        init(bytes: [UInt8], position: Int, maxDepth: Int) {
            self.bytes = bytes
            self.position = position
            self.maxDepth = maxDepth
        }

        var path: String { open.map(\.localName).joined(separator: "/") }

        func line(at offset: Int) -> Int {
            var n = 1
            var i = 0
            while i < offset, i < bytes.count {
                if bytes[i] == 0x0A { n += 1 }
                i += 1
            }
            return n
        }

        func fail(_ vi: String, _ en: String) -> CAPError {
            var e = CAPError.malformed(line: line(at: position), vi, en)
            e.path = path
            return e
        }

        func at(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard position + n <= bytes.count else { return false }
            let p = s.utf8Start
            for k in 0..<n where bytes[position + k] != p[k] { return false }
            return true
        }

        /// Reads the whole document: prolog, exactly one root element, epilogue. Iterative, so nesting depth costs no
        /// stack; `maxDepth` bounds it anyway.
        mutating func document() throws(CAPError) -> Element {
            var root: Element?
            while position < bytes.count {
                let c = bytes[position]
                if open.isEmpty {
                    if isSpace(c) {
                        position += 1
                    } else if at("<!--") {
                        try comment()
                    } else if at("<?") {
                        try processingInstruction()
                    } else if c == 0x3C, root == nil, !at("</"), !at("<!") {
                        if try startTag() { root = closeElement() }
                    } else if c == 0x3C, root != nil {
                        throw fail("có nội dung sau phần tử gốc", "markup after the root element")
                    } else {
                        throw fail("có văn bản ngoài phần tử gốc", "text outside the root element")
                    }
                    continue
                }
                if c == 0x3C {
                    if at("</") {
                        try endTag()
                        finish(&root)
                    } else if at("<!--") {
                        try comment()
                    } else if at("<![CDATA[") {
                        try cdata()
                    } else if at("<?") {
                        try processingInstruction()
                    } else if at("<!") {
                        throw fail("khai báo '<!' không được hỗ trợ", "'<!' declarations are not supported")
                    } else if try startTag() {
                        finish(&root)
                    }
                } else if c == 0x26 {
                    let decoded = try reference()
                    textBuffers[textBuffers.count - 1].append(contentsOf: decoded)
                } else {
                    try characterData()
                }
            }
            if let last = open.last {
                throw fail("tài liệu kết thúc khi phần tử <\(last.qualifiedName)> chưa đóng",
                           "document ends inside <\(last.qualifiedName)>")
            }
            guard let root else { throw fail("không có phần tử gốc", "no root element") }
            return root
        }

        /// Closes the innermost open element and hands it to its parent (or makes it the root).
        mutating func finish(_ root: inout Element?) {
            let e = closeElement()
            if open.isEmpty { root = e } else { open[open.count - 1].children.append(e) }
        }

        /// Pops the innermost open element, with its text.
        mutating func closeElement() -> Element {
            var e = open.removeLast()
            e.text = String(decoding: textBuffers.removeLast(), as: UTF8.self)
            scopes.removeLast()
            return e
        }

        /// Reads `<name attr="v" …>` or `<name …/>` and pushes the element. Returns true for an empty-element tag,
        /// which the caller closes at once.
        mutating func startTag() throws(CAPError) -> Bool {
            position += 1 // <
            let qname = try name()
            var rawAttributes: [(String, String)] = []
            var selfClosing = false
            while true {
                let hadSpace = skipSpace()
                guard position < bytes.count else { throw fail("thẻ <\(qname)> không đóng", "unterminated tag <\(qname)>") }
                if bytes[position] == 0x3E { position += 1; break }
                if at("/>") { position += 2; selfClosing = true; break }
                guard hadSpace else { throw fail("thiếu khoảng trắng giữa các thuộc tính", "missing space between attributes") }
                let attributeName = try name()
                skipSpace()
                guard position < bytes.count, bytes[position] == 0x3D else {
                    throw fail("thuộc tính '\(attributeName)' thiếu '='", "attribute '\(attributeName)' without '='")
                }
                position += 1
                skipSpace()
                let value = try attributeValue()
                if rawAttributes.contains(where: { $0.0 == attributeName }) {
                    throw fail("thuộc tính '\(attributeName)' lặp lại", "duplicate attribute '\(attributeName)'")
                }
                rawAttributes.append((attributeName, value))
            }
            if open.count >= maxDepth {
                var e = CAPError.tooDeep(maxDepth)
                e.path = path
                throw e
            }
            var bindings: [(prefix: String, uri: String)] = []
            for (n, v) in rawAttributes {
                if n == "xmlns" {
                    bindings.append(("", v))
                } else if n.hasPrefix("xmlns:") {
                    let prefix = String(n.dropFirst(6))
                    if v.isEmpty { throw fail("không được bỏ khai báo tiền tố '\(prefix)'", "prefix '\(prefix)' cannot be undeclared") }
                    bindings.append((prefix, v))
                }
            }
            scopes.append(bindings)
            let (prefix, local) = try split(qname)
            guard let ns = resolve(prefix) else {
                throw fail("tiền tố '\(prefix)' chưa được khai báo", "undeclared namespace prefix '\(prefix)'")
            }
            var attributes: [Attribute] = []
            for (n, v) in rawAttributes where n != "xmlns" && !n.hasPrefix("xmlns:") {
                let (p, l) = try split(n)
                var attributeNamespace = ""
                if !p.isEmpty {
                    guard let u = resolve(p) else {
                        throw fail("tiền tố '\(p)' chưa được khai báo", "undeclared namespace prefix '\(p)'")
                    }
                    attributeNamespace = u
                }
                attributes.append(Attribute(namespace: attributeNamespace, localName: l, qualifiedName: n, value: v))
            }
            open.append(Element(namespace: ns, localName: local, qualifiedName: qname, attributes: attributes, children: [], text: ""))
            textBuffers.append([])
            return selfClosing
        }

        /// Reads `</name>` and checks it closes the innermost open element.
        mutating func endTag() throws(CAPError) {
            position += 2
            let qname = try name()
            skipSpace()
            guard position < bytes.count, bytes[position] == 0x3E else {
                throw fail("thẻ đóng </\(qname)> sai cú pháp", "malformed end tag </\(qname)>")
            }
            position += 1
            guard let current = open.last, current.qualifiedName == qname else {
                throw fail("thẻ đóng </\(qname)> không khớp <\(open.last?.qualifiedName ?? "")>",
                           "end tag </\(qname)> does not match <\(open.last?.qualifiedName ?? "")>")
            }
        }

        func resolve(_ prefix: String) -> String? {
            if prefix == "xml" { return SafeXML.xmlNamespace }
            for scope in scopes.reversed() {
                if let b = scope.last(where: { $0.prefix == prefix }) { return b.uri }
            }
            return prefix.isEmpty ? "" : nil
        }

        func split(_ qname: String) throws(CAPError) -> (String, String) {
            guard let colon = qname.firstIndex(of: ":") else { return ("", qname) }
            let prefix = String(qname[..<colon])
            let local = String(qname[qname.index(after: colon)...])
            if prefix.isEmpty || local.isEmpty || local.contains(":") {
                throw fail("tên '\(qname)' sai quy tắc không gian tên", "name '\(qname)' is not namespace-well-formed")
            }
            return (prefix, local)
        }

        @discardableResult
        mutating func skipSpace() -> Bool {
            let start = position
            while position < bytes.count, isSpace(bytes[position]) { position += 1 }
            return position > start
        }

        mutating func name() throws(CAPError) -> String {
            let start = position
            while position < bytes.count {
                let c = bytes[position]
                let ok: Bool
                if c >= 0x80 || c == 0x3A || c == 0x5F || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) {
                    ok = true
                } else {
                    ok = position > start && ((c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E)
                }
                if !ok { break }
                position += 1
            }
            guard position > start else { throw fail("thiếu tên", "name expected") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func attributeValue() throws(CAPError) -> String {
            guard position < bytes.count, bytes[position] == 0x22 || bytes[position] == 0x27 else {
                throw fail("giá trị thuộc tính phải nằm trong dấu nháy", "attribute value must be quoted")
            }
            let quote = bytes[position]
            position += 1
            var out: [UInt8] = []
            while true {
                guard position < bytes.count else { throw fail("giá trị thuộc tính không đóng", "unterminated attribute value") }
                let c = bytes[position]
                if c == quote { position += 1; break }
                if c == 0x3C { throw fail("'<' trong giá trị thuộc tính", "'<' in an attribute value") }
                if c == 0x26 {
                    out.append(contentsOf: try reference())
                    continue
                }
                if c < 0x20, c != 0x09, c != 0x0A, c != 0x0D {
                    throw fail("ký tự điều khiển không hợp lệ", "invalid control character")
                }
                // Attribute-value normalisation (XML 1.0 §3.3.3): literal white space becomes a space.
                if c == 0x0D {
                    out.append(0x20)
                    position += 1
                    if position < bytes.count, bytes[position] == 0x0A { position += 1 }
                    continue
                }
                out.append(c == 0x09 || c == 0x0A ? 0x20 : c)
                position += 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// Plain character data up to the next `<` or `&`, with line ends normalised (XML 1.0 §2.11).
        mutating func characterData() throws(CAPError) {
            let index = textBuffers.count - 1
            while position < bytes.count {
                let c = bytes[position]
                if c == 0x3C || c == 0x26 { return }
                if c < 0x20, c != 0x09, c != 0x0A, c != 0x0D {
                    throw fail("ký tự điều khiển không hợp lệ", "invalid control character")
                }
                if c == 0x3E, position >= 2, bytes[position - 1] == 0x5D, bytes[position - 2] == 0x5D {
                    throw fail("']]>' trong văn bản", "']]>' in character data")
                }
                if c == 0x0D {
                    textBuffers[index].append(0x0A)
                    position += 1
                    if position < bytes.count, bytes[position] == 0x0A { position += 1 }
                    continue
                }
                textBuffers[index].append(c)
                position += 1
            }
        }

        mutating func cdata() throws(CAPError) {
            position += 9 // <![CDATA[
            let index = textBuffers.count - 1
            while true {
                guard position < bytes.count else { throw fail("CDATA không đóng", "unterminated CDATA section") }
                if at("]]>") { position += 3; return }
                let c = bytes[position]
                if c < 0x20, c != 0x09, c != 0x0A, c != 0x0D {
                    throw fail("ký tự điều khiển không hợp lệ", "invalid control character")
                }
                if c == 0x0D {
                    textBuffers[index].append(0x0A)
                    position += 1
                    if position < bytes.count, bytes[position] == 0x0A { position += 1 }
                    continue
                }
                textBuffers[index].append(c)
                position += 1
            }
        }

        mutating func comment() throws(CAPError) {
            position += 4
            while true {
                guard position < bytes.count else { throw fail("chú thích không đóng", "unterminated comment") }
                if at("-->") { position += 3; return }
                position += 1
            }
        }

        mutating func processingInstruction() throws(CAPError) {
            position += 2
            let target = try name()
            if target.lowercased() == "xml" {
                throw fail("khai báo XML chỉ được ở đầu tài liệu", "the XML declaration is allowed only at the very start")
            }
            while true {
                guard position < bytes.count else { throw fail("chỉ thị xử lý không đóng", "unterminated processing instruction") }
                if at("?>") { position += 2; return }
                position += 1
            }
        }

        /// `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` `&#NN;` `&#xHH;`; anything else is refused.
        mutating func reference() throws(CAPError) -> [UInt8] {
            let start = position
            position += 1
            var end = position
            while end < bytes.count, end - start < 16, bytes[end] != 0x3B { end += 1 }
            guard end < bytes.count, bytes[end] == 0x3B else {
                throw fail("'&' không thuộc tham chiếu nào (hãy viết &amp;)", "'&' that starts no reference (write &amp;)")
            }
            let body = Array(bytes[position..<end])
            position = end + 1
            switch body {
            case Array("lt".utf8): return [0x3C]
            case Array("gt".utf8): return [0x3E]
            case Array("amp".utf8): return [0x26]
            case Array("apos".utf8): return [0x27]
            case Array("quot".utf8): return [0x22]
            default:
                guard body.first == 0x23 else {
                    var e = CAPError.entityForbidden("&" + String(decoding: body, as: UTF8.self) + ";")
                    e.path = path
                    throw e
                }
                var value: UInt32 = 0
                var digits = body.dropFirst()
                let hex = digits.first == 0x78
                if hex { digits = digits.dropFirst() }
                guard !digits.isEmpty, digits.count <= 8 else { throw fail("tham chiếu ký tự sai", "malformed character reference") }
                for d in digits {
                    let v: UInt32
                    switch d {
                    case 0x30...0x39: v = UInt32(d - 0x30)
                    case 0x61...0x66 where hex: v = UInt32(d - 0x61 + 10)
                    case 0x41...0x46 where hex: v = UInt32(d - 0x41 + 10)
                    default: throw fail("tham chiếu ký tự sai", "malformed character reference")
                    }
                    value = value * (hex ? 16 : 10) + v
                }
                // XML 1.0 §2.2 Char.
                let allowed = value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                    || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
                guard allowed, let scalar = Unicode.Scalar(value) else {
                    throw fail("tham chiếu tới ký tự không hợp lệ trong XML", "reference to a character XML does not allow")
                }
                return Array(String(Character(scalar)).utf8)
            }
        }
    }
}
