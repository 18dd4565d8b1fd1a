/// Why a CAP document (or an Atom feed of alerts) was refused: a machine code, the element path
/// (`alert/info/certainty`, `feed/entry/link`; empty when the whole document is at fault) and a message in
/// Vietnamese and English, ready for a `problem+json` body.
public struct CAPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        // The document as bytes and XML (SafeXML's pre-checks and reader).
        case tooLarge = "too-large"
        case tooDeep = "too-deep"
        case unsupportedEncoding = "unsupported-encoding"
        case doctypeForbidden = "doctype-forbidden"
        case entityForbidden = "entity-forbidden"
        case malformedXML = "malformed-xml"
        // What the document is.
        case notCAP = "not-cap"
        case unsupportedVersion = "unsupported-version"
        case notAtom = "not-atom"
        // CAP structure and values.
        case missingElement = "missing-element"
        case unexpectedElement = "unexpected-element"
        case duplicateElement = "duplicate-element"
        case unexpectedText = "unexpected-text"
        case invalidValue = "invalid-value"
        case invalidDateTime = "invalid-datetime"
        case invalidReferences = "invalid-references"
        case invalidPolygon = "invalid-polygon"
        case invalidCircle = "invalid-circle"
        // Atom.
        case missingCAPLink = "missing-cap-link"
    }

    public var code: Code
    public var path: String
    public var message: LocalizedMessage

    public init(_ code: Code, path: String, vi: String, en: String) {
        self.code = code
        self.path = path
        self.message = LocalizedMessage(vi: vi, en: en)
    }

    public var description: String { "\(code.rawValue) [\(path)]: \(message.en)" }
}

extension CAPError {
    /// A value from the document quoted in a message: at most 60 characters, control characters shown as `?`.
    static func quote(_ value: String) -> String {
        var s = String(value.unicodeScalars.prefix(60).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        if value.unicodeScalars.count > 60 { s += "…" }
        return "'" + s + "'"
    }

    static func tooLarge(_ size: Int, max: Int) -> CAPError {
        CAPError(.tooLarge, path: "",
                 vi: "Tài liệu quá lớn (\(size) byte, tối đa \(max) byte)",
                 en: "Document too large (\(size) bytes, at most \(max))")
    }

    static func tooDeep(_ max: Int) -> CAPError {
        CAPError(.tooDeep, path: "",
                 vi: "Tài liệu lồng phần tử quá sâu (tối đa \(max) cấp)",
                 en: "Elements nested too deeply (at most \(max) levels)")
    }

    static func unsupportedEncoding(_ found: String) -> CAPError {
        unsupportedEncoding(found, found)
    }

    static func unsupportedEncoding(_ foundVi: String, _ foundEn: String) -> CAPError {
        CAPError(.unsupportedEncoding, path: "",
                 vi: "Chỉ nhận tài liệu mã hoá UTF-8 (gặp \(foundVi))",
                 en: "Only UTF-8 documents are accepted (found \(foundEn))")
    }

    static func doctypeForbidden() -> CAPError {
        CAPError(.doctypeForbidden, path: "",
                 vi: "Không nhận tài liệu có khai báo DOCTYPE (DTD) từ bên ngoài",
                 en: "Documents from outside may not contain a DOCTYPE (DTD) declaration")
    }

    static func entityForbidden(_ what: String) -> CAPError {
        CAPError(.entityForbidden, path: "",
                 vi: "Không nhận khai báo hay tham chiếu thực thể ngoài 5 thực thể định sẵn của XML (gặp \(quote(what)))",
                 en: "Entity declarations and references other than XML's five predefined entities are not accepted (found \(quote(what)))")
    }

    static func malformed(line: Int, _ vi: String, _ en: String) -> CAPError {
        CAPError(.malformedXML, path: "",
                 vi: "XML không hợp lệ ở dòng \(line): \(vi)",
                 en: "Malformed XML at line \(line): \(en)")
    }

    static func notCAP(_ root: String) -> CAPError {
        CAPError(.notCAP, path: "",
                 vi: "Tài liệu không phải là cảnh báo CAP (phần tử gốc \(quote(root)))",
                 en: "The document is not a CAP alert (root element \(quote(root)))")
    }

    static func unsupportedVersion(_ namespace: String) -> CAPError {
        CAPError(.unsupportedVersion, path: "alert",
                 vi: "Phiên bản CAP \(quote(namespace)) không được hỗ trợ (chỉ nhận CAP 1.2 và 1.1)",
                 en: "CAP version \(quote(namespace)) is not supported (only CAP 1.2 and 1.1 are accepted)")
    }

    static func missing(_ path: String) -> CAPError {
        CAPError(.missingElement, path: path,
                 vi: "Thiếu phần tử bắt buộc \(path)",
                 en: "Required element \(path) is missing")
    }

    static func unexpected(_ path: String, version: CAPVersion) -> CAPError {
        CAPError(.unexpectedElement, path: path,
                 vi: "Phần tử \(path) không có trong CAP \(version.number)",
                 en: "Element \(path) is not part of CAP \(version.number)")
    }

    static func duplicate(_ path: String) -> CAPError {
        CAPError(.duplicateElement, path: path,
                 vi: "Phần tử \(path) chỉ được xuất hiện một lần",
                 en: "Element \(path) may appear only once")
    }

    static func unexpectedText(_ path: String) -> CAPError {
        CAPError(.unexpectedText, path: path,
                 vi: "Phần tử \(path) chỉ được chứa phần tử con, không chứa văn bản",
                 en: "Element \(path) may contain child elements only, not text")
    }

    static func notAllowed(_ path: String, _ value: String, allowed: [String]) -> CAPError {
        CAPError(.invalidValue, path: path,
                 vi: "Giá trị \(quote(value)) của \(path) không hợp lệ; giá trị cho phép: \(allowed.joined(separator: ", "))",
                 en: "Value \(quote(value)) of \(path) is not allowed; allowed values: \(allowed.joined(separator: ", "))")
    }

    static func invalid(_ path: String, _ value: String, vi: String, en: String) -> CAPError {
        CAPError(.invalidValue, path: path,
                 vi: "Giá trị \(quote(value)) của \(path) không hợp lệ: \(vi)",
                 en: "Value \(quote(value)) of \(path) is invalid: \(en)")
    }

    static func empty(_ path: String) -> CAPError {
        CAPError(.invalidValue, path: path,
                 vi: "Phần tử \(path) không được để trống",
                 en: "Element \(path) must not be empty")
    }
}
