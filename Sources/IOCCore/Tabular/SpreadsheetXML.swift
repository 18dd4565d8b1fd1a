import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// XML helpers shared by the XLSX reader and writer.
enum SpreadsheetXML {
    // MARK: Cell references

    /// Excel's last column, XFD.
    static let maxColumns = 16_384

    /// The column letters for a zero-based column index: 0 → `A`, 26 → `AA`.
    static func columnName(_ index: Int) -> String {
        var scalars: [Unicode.Scalar] = []
        var remaining = index + 1
        while remaining > 0 {
            let letter = (remaining - 1) % 26
            scalars.append(Unicode.Scalar(UInt8(65 + letter)))
            remaining = (remaining - 1) / 26
        }
        var name = ""
        name.unicodeScalars.append(contentsOf: scalars.reversed())
        return name
    }

    /// The zero-based column of a cell reference such as `AB12`, or `nil` when it has no letters.
    static func columnIndex(ofReference reference: String) -> Int? {
        var index = 0
        var sawLetter = false
        for byte in reference.utf8 {
            let letter: Int
            switch byte {
            case 0x41...0x5A: letter = Int(byte) - 0x40
            case 0x61...0x7A: letter = Int(byte) - 0x60
            case 0x24: continue  // `$` of an absolute reference
            default:
                return sawLetter ? index - 1 : nil
            }
            sawLetter = true
            index = index * 26 + letter
            if index > maxColumns { return nil }
        }
        return sawLetter ? index - 1 : nil
    }

    // MARK: Text

    /// Escapes text for element content or a double-quoted attribute, dropping characters XML 1.0
    /// forbids (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF).
    ///
    /// With `encodingControlCharacters`, a carriage return becomes `_x000D_` (XML parsers would turn
    /// a raw one into a line feed) and a literal `_xHHHH_` in the text is protected as `_x005F_xHHHH_`,
    /// as ECMA-376 Part 1, §22.9.2.19 (ST_Xstring) prescribes.
    static func escaped(_ text: String, encodingControlCharacters: Bool = false) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar.value {
            case 0x26: out.append(contentsOf: "&amp;".unicodeScalars)
            case 0x3C: out.append(contentsOf: "&lt;".unicodeScalars)
            case 0x3E: out.append(contentsOf: "&gt;".unicodeScalars)
            case 0x22: out.append(contentsOf: "&quot;".unicodeScalars)
            case 0x0D where encodingControlCharacters: out.append(contentsOf: "_x000D_".unicodeScalars)
            case 0x5F where encodingControlCharacters && isEscapeSequence(scalars, at: index):
                out.append(contentsOf: "_x005F".unicodeScalars)
                out.append(scalar)
            case 0x09, 0x0A, 0x0D: out.append(scalar)
            case 0x00...0x1F, 0xFFFE, 0xFFFF: break
            default: out.append(scalar)
            }
            index += 1
        }
        return String(out)
    }

    /// Decodes `_xHHHH_` escapes (ECMA-376 Part 1, §22.9.2.19) in text read from a workbook.
    static func decodingEscapes(_ text: String) -> String {
        guard text.utf8.contains(0x5F) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if isEscapeSequence(scalars, at: index),
                let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)..<(index + 6)])), radix: 16),
                let decoded = Unicode.Scalar(value)
            {
                out.append(decoded)
                index += 7
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// Whether `_xHHHH_` starts at `index`.
    private static func isEscapeSequence(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index] == "_", scalars[index + 1] == "x",
            scalars[index + 6] == "_"
        else { return false }
        return scalars[(index + 2)..<(index + 6)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// An element or attribute name without its namespace prefix (`x:row` → `row`).
    ///
    /// Called for every element of a sheet, so it scans UTF-8 rather than characters and returns the
    /// name itself, without copying, when there is no prefix.
    static func localName(_ qualifiedName: String) -> String {
        guard let colon = qualifiedName.utf8.firstIndex(of: UInt8(ascii: ":")) else { return qualifiedName }
        return String(qualifiedName[qualifiedName.utf8.index(after: colon)...])
    }

    // MARK: Parsing

    /// Parses one part of a workbook with a SAX handler.
    ///
    /// Parts of an OOXML package never carry a document type declaration, so one is refused before
    /// parsing: that rules out entity-expansion bombs and external entities whatever libxml2 allows.
    /// The parser reads from a stream because on Linux `XMLParser(data:)` hands the whole buffer to
    /// libxml2 at once, which then refuses any part larger than 10 MB ("huge input lookup").
    static func parse(_ data: Data, part: String, with handler: some PartHandler) throws(TabularError) {
        if hasDocumentTypeDeclaration(data) {
            throw TabularError.malformedWorkbook(part: part, detail: "DOCTYPE is not allowed")
        }
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = handler
        let succeeded = parser.parse()
        if let failure = handler.failure { throw failure }
        // Foundation runs libxml2 in recovery mode, so a malformed or truncated part can still "succeed";
        // the error it recovered from is left in `parserError`.
        if !succeeded || parser.parserError != nil {
            throw TabularError.malformedWorkbook(
                part: part, detail: "XML error at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
    }

    /// The part as UTF-8 for scanning: UTF-8 (with or without BOM) as is; UTF-16 and UTF-32 (by BOM or by the zero
    /// bytes around the first `<`) transcoded. Nil when it cannot be read as one of those, or when its XML declaration
    /// names another encoding (libxml2 would decode UTF-7, EBCDIC… where a byte scan sees nothing).
    static func scannableUTF8(_ data: Data) -> Data? {
        let b = [UInt8](data.prefix(4)) + [UInt8](repeating: 0xAA, count: max(0, 4 - data.count))
        var utf8: Data
        if b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
            utf8 = data.dropFirst(3)
        } else if b == [0x00, 0x00, 0xFE, 0xFF] || b == [0x00, 0x00, 0x00, 0x3C] {
            guard let s = String(data: data, encoding: .utf32BigEndian) else { return nil }
            utf8 = Data(s.utf8)
        } else if b == [0xFF, 0xFE, 0x00, 0x00] || b == [0x3C, 0x00, 0x00, 0x00] {
            guard let s = String(data: data, encoding: .utf32LittleEndian) else { return nil }
            utf8 = Data(s.utf8)
        } else if (b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) {
            guard let s = String(data: data, encoding: .utf16) else { return nil }
            utf8 = Data(s.utf8)
        } else if b[0] == 0x00 && b[1] != 0x00 {
            guard let s = String(data: data, encoding: .utf16BigEndian) else { return nil }
            utf8 = Data(s.utf8)
        } else if b[0] != 0x00 && b[1] == 0x00 {
            guard let s = String(data: data, encoding: .utf16LittleEndian) else { return nil }
            utf8 = Data(s.utf8)
        } else {
            utf8 = data
        }
        if utf8.first == 0xFE || utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8 = utf8.drop { $0 == 0xFE || $0 == 0xFF || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF } }
        // The declared encoding, if any, must be one the scan understood.
        let head = String(decoding: utf8.prefix(200), as: UTF8.self)
        if head.hasPrefix("<?xml"), let end = head.range(of: "?>") {
            let decl = head[..<end.lowerBound].lowercased()
            if let r = decl.range(of: "encoding") {
                let value = decl[r.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }.prefix { $0 != "\"" && $0 != "'" }
                guard ["utf-8", "utf8", "utf-16", "utf16", "utf-32", "ucs-2", "iso-10646-ucs-2"].contains(String(value)) else { return nil }
            }
        }
        return utf8
    }

    /// Whether a `<!DOCTYPE` appears in the prolog, that is before the root element starts, in any encoding the
    /// parser could read (a part that cannot be scanned counts as having one).
    static func hasDocumentTypeDeclaration(_ data: Data) -> Bool {
        guard let data = scannableUTF8(data) else { return true }
        let doctype = Array("<!DOCTYPE".utf8)
        let commentEnd = Array("-->".utf8)
        let piEnd = Array("?>".utf8)
        return data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var index = 0
            func matches(_ pattern: [UInt8], at position: Int) -> Bool {
                guard position + pattern.count <= bytes.count else { return false }
                for offset in 0..<pattern.count where bytes[position + offset] != pattern[offset] { return false }
                return true
            }
            while index + 1 < bytes.count {
                guard bytes[index] == UInt8(ascii: "<") else {
                    index += 1
                    continue
                }
                let next = bytes[index + 1]
                if next == UInt8(ascii: "?") {
                    // A processing instruction (or the XML declaration): skip to its end, so that a "<" inside it
                    // is not taken for the root.
                    var end = index + 2
                    while end < bytes.count, !matches(piEnd, at: end) { end += 1 }
                    index = end + 2
                } else if matches(doctype, at: index) {
                    return true
                } else if next == UInt8(ascii: "!") {
                    // A comment: skip to its end so that a "<" inside it is not taken for the root.
                    var end = index + 4
                    while end < bytes.count, !matches(commentEnd, at: end) { end += 1 }
                    index = end + 3
                } else {
                    return false
                }
            }
            return false
        }
    }
}

extension SpreadsheetXML {
    /// A SAX handler for one workbook part; it records the first failure and stops the parser.
    ///
    /// A protocol rather than a base class: `XMLParserDelegate` methods have default implementations on
    /// Linux, and a subclass's methods would not replace the base class's witnesses.
    protocol PartHandler: XMLParserDelegate {
        /// The error that stopped parsing, if any.
        var failure: TabularError? { get set }
    }

}

extension SpreadsheetXML.PartHandler {
    func fail(_ error: TabularError, _ parser: XMLParser) {
        if failure == nil { failure = error }
        parser.abortParsing()
    }
}
