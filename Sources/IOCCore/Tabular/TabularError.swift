import Foundation

/// Why a CSV or XLSX file could not be read or written.
///
/// Every error carries a Vietnamese and an English message meant for the person who uploaded the
/// file, and, where it is known, the spreadsheet row (1-based, the header being row 1) so that the
/// user can find the problem in Excel.
public struct TabularError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for code that reacts to particular failures.
    public enum Code: String, Sendable, Equatable {
        /// A quoted CSV field was never closed.
        case unterminatedQuote
        /// A single field is larger than the configured limit.
        case fieldTooLarge
        /// The file has more rows than the configured limit.
        case tooManyRows
        /// The file has more cells (or columns) than the configured limit.
        case tooManyCells
        /// A text cell is longer than Excel accepts.
        case cellTooLong
        /// The bytes are not text in a supported encoding (UTF-8, UTF-16 with BOM).
        case unsupportedEncoding
        /// The file is not an XLSX workbook at all (an image, a PDF, a renamed file…).
        case notXLSX
        /// The file is a legacy `.xls` workbook or a password-protected workbook.
        case legacyOrEncryptedWorkbook
        /// The ZIP container is damaged or truncated.
        case corruptedArchive
        /// The uncompressed content is larger than the configured limit (zip bomb protection).
        case uncompressedSizeLimitExceeded
        /// A part that the workbook refers to is missing or its XML is malformed.
        case malformedWorkbook
        /// The requested sheet does not exist.
        case sheetNotFound
        /// A workbook to be written has no sheet.
        case emptyWorkbook
    }

    /// What went wrong.
    public let code: Code
    /// The spreadsheet row (1-based, header included) where the problem was found, when known.
    public let row: Int?
    /// Message for the user, in Vietnamese.
    public let messageVietnamese: String
    /// Message for the user, in English.
    public let messageEnglish: String

    /// Creates an error; the messages should already include the row when there is one.
    public init(code: Code, row: Int? = nil, messageVietnamese: String, messageEnglish: String) {
        self.code = code
        self.row = row
        self.messageVietnamese = messageVietnamese
        self.messageEnglish = messageEnglish
    }

    public var description: String {
        "\(code.rawValue): \(messageEnglish) / \(messageVietnamese)"
    }
}

extension TabularError: LocalizedError {
    public var errorDescription: String? { messageEnglish }
}

// MARK: - Factories

extension TabularError {
    static func unterminatedQuote(row: Int) -> TabularError {
        TabularError(
            code: .unterminatedQuote, row: row,
            messageVietnamese: "Dòng \(row): dấu ngoặc kép (\") mở nhưng không được đóng.",
            messageEnglish: "Row \(row): a quoted field is never closed (missing \")."
        )
    }

    static func fieldTooLarge(row: Int, limit: Int) -> TabularError {
        TabularError(
            code: .fieldTooLarge, row: row,
            messageVietnamese: "Dòng \(row): một ô dài hơn giới hạn \(limit) byte.",
            messageEnglish: "Row \(row): a field is larger than the limit of \(limit) bytes."
        )
    }

    static func tooManyRows(row: Int, limit: Int) -> TabularError {
        TabularError(
            code: .tooManyRows, row: row,
            messageVietnamese: "Tệp có hơn \(limit) dòng, vượt quá giới hạn cho phép.",
            messageEnglish: "The file has more than \(limit) rows, which is over the limit."
        )
    }

    static func tooManyCells(row: Int, limit: Int) -> TabularError {
        TabularError(
            code: .tooManyCells, row: row,
            messageVietnamese: "Dòng \(row): bảng tính có quá nhiều ô (giới hạn \(limit)).",
            messageEnglish: "Row \(row): the sheet has too many cells (limit \(limit))."
        )
    }

    static func cellTooLong(row: Int, limit: Int) -> TabularError {
        TabularError(
            code: .cellTooLong, row: row,
            messageVietnamese: "Dòng \(row): nội dung một ô dài hơn \(limit) ký tự mà Excel cho phép.",
            messageEnglish: "Row \(row): a cell holds more than the \(limit) characters Excel allows."
        )
    }

    static func invalidUTF8(row: Int) -> TabularError {
        TabularError(
            code: .unsupportedEncoding, row: row,
            messageVietnamese: "Dòng \(row): tệp không phải mã UTF-8. Hãy lưu lại trong Excel bằng "
                + "\"CSV UTF-8 (Comma delimited)\".",
            messageEnglish: "Row \(row): the file is not UTF-8. Save it again from Excel as "
                + "\"CSV UTF-8 (Comma delimited)\"."
        )
    }

    static func invalidUTF16() -> TabularError {
        TabularError(
            code: .unsupportedEncoding,
            messageVietnamese: "Tệp có dấu BOM UTF-16 nhưng nội dung không hợp lệ.",
            messageEnglish: "The file starts with a UTF-16 byte order mark but its content is not valid UTF-16."
        )
    }

    static func notXLSX() -> TabularError {
        TabularError(
            code: .notXLSX,
            messageVietnamese: "Tệp không phải bảng tính Excel .xlsx.",
            messageEnglish: "The file is not an Excel .xlsx workbook."
        )
    }

    static func legacyOrEncryptedWorkbook() -> TabularError {
        TabularError(
            code: .legacyOrEncryptedWorkbook,
            messageVietnamese: "Tệp là định dạng Excel 97–2003 (.xls) hoặc đã đặt mật khẩu. "
                + "Hãy mở bằng Excel và lưu lại dưới dạng .xlsx không mật khẩu.",
            messageEnglish: "The file is a legacy Excel 97–2003 (.xls) or a password-protected workbook. "
                + "Open it in Excel and save it as an .xlsx without a password."
        )
    }

    static func corruptedArchive(_ detail: String) -> TabularError {
        TabularError(
            code: .corruptedArchive,
            messageVietnamese: "Tệp .xlsx bị hỏng hoặc không đầy đủ (\(detail)).",
            messageEnglish: "The .xlsx file is damaged or truncated (\(detail))."
        )
    }

    static func uncompressedSizeLimitExceeded(limit: Int) -> TabularError {
        TabularError(
            code: .uncompressedSizeLimitExceeded,
            messageVietnamese: "Nội dung giải nén của tệp vượt quá \(limit / 1_048_576) MB.",
            messageEnglish: "The uncompressed content of the file exceeds \(limit / 1_048_576) MB."
        )
    }

    static func malformedWorkbook(part: String, detail: String, row: Int? = nil) -> TabularError {
        TabularError(
            code: .malformedWorkbook, row: row,
            messageVietnamese: "Tệp .xlsx không hợp lệ: phần \(part) bị lỗi (\(detail)).",
            messageEnglish: "The .xlsx file is invalid: part \(part) is broken (\(detail))."
        )
    }

    static func sheetNotFound(index: Int, count: Int) -> TabularError {
        TabularError(
            code: .sheetNotFound,
            messageVietnamese: "Không có trang tính số \(index + 1); tệp có \(count) trang tính.",
            messageEnglish: "There is no sheet number \(index + 1); the workbook has \(count) sheet(s)."
        )
    }

    static func emptyWorkbook() -> TabularError {
        TabularError(
            code: .emptyWorkbook,
            messageVietnamese: "Bảng tính cần ít nhất một trang tính.",
            messageEnglish: "A workbook needs at least one sheet."
        )
    }
}
