/// A message shown to people, in Vietnamese (the default) and English.
public struct LocalizedMessage: Sendable, Hashable, Codable {
    public var vi: String
    public var en: String

    public init(vi: String, en: String) {
        self.vi = vi
        self.en = en
    }
}

/// One invalid input: which field, and what is wrong with it in both languages.
public struct ValidationFailure: Error, Sendable, Hashable {
    public var field: String
    public var message: LocalizedMessage

    public init(field: String, vi: String, en: String) {
        self.field = field
        self.message = LocalizedMessage(vi: vi, en: en)
    }
}

/// Small, reusable checks for values that come from outside.
public enum Validate {
    /// A trimmed, non-empty string no longer than `max` characters, with no control characters.
    public static func text(_ value: String?, field: String, max: Int, required: Bool = true) throws -> String? {
        // Trimming through Foundation is slow on Linux, and most values need none (this runs per field at ingest).
        let trimmed: String
        if let value, let first = value.first, let last = value.last, !first.isWhitespace, !last.isWhitespace {
            trimmed = value
        } else {
            trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        if trimmed.isEmpty {
            if required {
                throw ValidationFailure(field: field, vi: "Trường \(field) là bắt buộc.", en: "\(field) is required.")
            }
            return nil
        }
        if trimmed.count > max {
            throw ValidationFailure(
                field: field, vi: "Trường \(field) dài quá \(max) ký tự.", en: "\(field) is longer than \(max) characters.")
        }
        // General category Cc is exactly U+0000–U+001F and U+007F–U+009F.
        if trimmed.unicodeScalars.contains(where: { ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) && $0 != "\n" && $0 != "\t" }) {
            throw ValidationFailure(
                field: field, vi: "Trường \(field) chứa ký tự điều khiển không hợp lệ.",
                en: "\(field) contains invalid control characters.")
        }
        return trimmed
    }

    /// A required trimmed string.
    public static func required(_ value: String?, field: String, max: Int) throws -> String {
        try text(value, field: field, max: max, required: true)!
    }

    /// An identifier-like code: letters, digits, `.`, `_`, `-`; 1…`max` characters.
    public static func code(_ value: String?, field: String, max: Int = 64) throws -> String {
        let v = try required(value, field: field, max: max)
        guard v.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0) }) else {
            throw ValidationFailure(
                field: field, vi: "Mã \(field) chỉ được gồm chữ, số và các ký tự . _ -",
                en: "\(field) may contain only letters, digits and . _ -")
        }
        return v
    }
}

import Foundation
