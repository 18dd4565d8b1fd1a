import Foundation
import Vapor

/// A small, strict multipart/form-data reader for collected bodies (RFC 7578): parts with their field name, optional
/// file name and content type. Bounded: at most `maxParts` parts; anything malformed is a 400.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var body: ArraySlice<UInt8>
        var text: String? { String(validating: body, as: UTF8.self) }
    }

    var parts: [Part]

    func values(_ name: String) -> [Part] { parts.filter { $0.name == name } }
    func text(_ name: String) -> String? { parts.first { $0.name == name && $0.filename == nil }?.text }

    static func malformed() -> IOCError {
        IOCError(.badRequest, code: "malformed_body", vi: "Nội dung multipart/form-data không hợp lệ.", en: "Malformed multipart/form-data body.")
    }

    static func parse(_ req: Request, maxParts: Int = 40) throws -> MultipartForm {
        guard let type = req.headers.contentType, type.type == "multipart", type.subType == "form-data",
              let boundary = type.parameters["boundary"], (1...70).contains(boundary.utf8.count) else {
            throw IOCError(.unsupportedMediaType, code: "unsupported_media_type",
                           vi: "Nội dung phải là multipart/form-data.", en: "The body must be multipart/form-data.")
        }
        guard let buffer = req.body.data, buffer.readableBytes > 0 else { throw malformed() }
        return try parse(Array(buffer.readableBytesView), boundary: boundary, maxParts: maxParts)
    }

    static func parse(_ body: [UInt8], boundary: String, maxParts: Int) throws -> MultipartForm {
        let delimiter = Array("--\(boundary)".utf8)
        guard var position = find(delimiter, in: body, from: 0) else { throw malformed() }
        var parts: [Part] = []
        let crlf: [UInt8] = [13, 10]
        let separator = crlf + delimiter
        while true {
            position += delimiter.count
            // "--" after the delimiter ends the body.
            if body.count >= position + 2, body[position] == 45, body[position + 1] == 45 { break }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else { throw malformed() }
            position += 2
            guard let headerEnd = find(crlf + crlf, in: body, from: position) else { throw malformed() }
            guard let headerText = String(validating: body[position..<headerEnd], as: UTF8.self) else { throw malformed() }
            var name: String?
            var filename: String?
            var contentType: String?
            for line in headerText.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { throw malformed() }
                let key = line[..<colon].lowercased().trimmingCharacters(in: .whitespaces)
                let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                if key == "content-disposition" {
                    for param in value.split(separator: ";").dropFirst() {
                        let kv = param.split(separator: "=", maxSplits: 1)
                        guard kv.count == 2 else { continue }
                        var v = kv[1].trimmingCharacters(in: .whitespaces)
                        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                        switch kv[0].trimmingCharacters(in: .whitespaces).lowercased() {
                        case "name": name = v
                        case "filename": filename = v
                        default: break
                        }
                    }
                } else if key == "content-type" {
                    contentType = value.lowercased()
                }
            }
            guard let name, !name.isEmpty, name.utf8.count <= 100 else { throw malformed() }
            let bodyStart = headerEnd + 4
            guard let next = find(separator, in: body, from: bodyStart) else { throw malformed() }
            parts.append(Part(name: name, filename: filename, contentType: contentType, body: body[bodyStart..<next]))
            if parts.count > maxParts {
                throw IOCError(.badRequest, code: "too_many_parts", vi: "Quá nhiều trường trong biểu mẫu.", en: "Too many form fields.")
            }
            position = next + 2
        }
        return MultipartForm(parts: parts)
    }

    /// First index of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                while i <= last {
                    if h[i] == first {
                        var j = 1
                        while j < n.count, h[i + j] == n[j] { j += 1 }
                        if j == n.count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }
}
