import Foundation

/// Builds an Excel `.xlsx` workbook from typed cells.
///
/// Each sheet's first row is, by default, a header: bold and frozen so that it stays visible while
/// scrolling. Column widths are given or estimated from the content. The output opens in Excel and
/// LibreOffice and is deterministic: the same workbook always gives the same bytes.
///
/// ```swift
/// var writer = XLSXWriter()
/// writer.addSheet(named: "Hồ sơ", rows: [
///     [.text("Thủ tục"), .text("Số hồ sơ"), .text("Tỉ lệ đúng hạn"), .text("Ngày tiếp nhận")],
///     [.text("Đăng ký khai sinh"), .integer(128), .percent(0.953), .date(receivedAt)],
/// ])
/// let file = try writer.data()
/// ```
public struct XLSXWriter: Sendable {
    /// A typed cell value.
    public enum Cell: Sendable, Equatable {
        /// Text; characters XML 1.0 forbids (such as U+0000–U+0008) are dropped.
        case text(String)
        /// A number shown with Excel's General format. Excel cannot store NaN or infinity: those are
        /// written as the error `#NUM!`.
        case number(Double)
        /// A whole number shown without separators or exponent (format `0`). Excel keeps 15 significant
        /// digits, so identifiers longer than that (a 12-digit citizen ID is fine) should be text.
        case integer(Int)
        /// A fraction shown as a percentage with two decimals (format `0.00%`): `0.953` shows `95.30%`.
        case percent(Double)
        /// An instant, written as the wall-clock time in the writer's time zone with format
        /// `dd/mm/yyyy hh:mm`, rounded to the second. Instants before 1900-03-01 are written as ISO text.
        case date(Date)
        /// No cell.
        case empty
    }

    /// One worksheet.
    public struct Sheet: Sendable, Equatable {
        /// The tab name. When written, characters Excel forbids (`: \ / ? * [ ]`) become `_`, the name
        /// is cut to 31 characters, and a number is appended to names that repeat.
        public var name: String
        /// The rows, the first one being the header when ``hasHeaderRow`` is true.
        public var rows: [[Cell]]
        /// Column widths in characters, left to right; `nil` estimates them from the content.
        public var columnWidths: [Double]?
        /// Whether the first row is a bold, frozen header.
        public var hasHeaderRow: Bool

        /// Creates a sheet.
        public init(name: String, rows: [[Cell]], columnWidths: [Double]? = nil, hasHeaderRow: Bool = true) {
            self.name = name
            self.rows = rows
            self.columnWidths = columnWidths
            self.hasHeaderRow = hasHeaderRow
        }
    }

    /// The sheets, in tab order.
    public var sheets: [Sheet]
    /// The zone whose wall-clock time dates are written in; Asia/Ho_Chi_Minh unless told otherwise.
    public var timeZone: TimeZone

    /// Excel's largest sheet: 1,048,576 rows.
    public static let maxRows = 1_048_576
    /// Excel's largest text cell: 32,767 characters.
    public static let maxTextLength = 32_767

    /// Creates a writer.
    public init(sheets: [Sheet] = [], timeZone: TimeZone = XLSXWriter.vietnamTimeZone) {
        self.sheets = sheets
        self.timeZone = timeZone
    }

    /// Asia/Ho_Chi_Minh, or a fixed UTC+7 (the same since 1975) where the system has no zone data.
    public static let vietnamTimeZone: TimeZone =
        TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!

    /// Appends a sheet.
    public mutating func addSheet(
        named name: String, rows: [[Cell]], columnWidths: [Double]? = nil, hasHeaderRow: Bool = true
    ) {
        sheets.append(Sheet(name: name, rows: rows, columnWidths: columnWidths, hasHeaderRow: hasHeaderRow))
    }

    /// The `.xlsx` file.
    ///
    /// - Throws: ``TabularError`` when there is no sheet, a sheet has more rows or columns than Excel
    ///   allows, or a text cell is longer than 32,767 characters (with the row number).
    public func data() throws(TabularError) -> Data {
        guard !sheets.isEmpty else { throw TabularError.emptyWorkbook() }
        let names = Self.sanitizedSheetNames(sheets.map(\.name))
        var sharedStrings = SharedStringTable()
        var parts: [(name: String, data: Data)] = []
        var worksheets: [Data] = []
        for (index, sheet) in sheets.enumerated() {
            worksheets.append(
                try WorksheetXML.build(
                    sheet, isFirst: index == 0, timeZone: timeZone, sharedStrings: &sharedStrings))
        }
        parts.append(("[Content_Types].xml", Data(PackageXML.contentTypes(sheetCount: sheets.count).utf8)))
        parts.append(("_rels/.rels", Data(PackageXML.rootRelationships.utf8)))
        parts.append(("docProps/core.xml", Data(PackageXML.coreProperties.utf8)))
        parts.append(("docProps/app.xml", Data(PackageXML.appProperties.utf8)))
        parts.append(("xl/workbook.xml", Data(PackageXML.workbook(sheetNames: names).utf8)))
        parts.append(
            ("xl/_rels/workbook.xml.rels", Data(PackageXML.workbookRelationships(sheetCount: sheets.count).utf8)))
        parts.append(("xl/styles.xml", Data(PackageXML.styles.utf8)))
        parts.append(("xl/sharedStrings.xml", Data(sharedStrings.xml().utf8)))
        for (index, worksheet) in worksheets.enumerated() {
            parts.append(("xl/worksheets/sheet\(index + 1).xml", worksheet))
        }
        return try ZipWriter.archive(parts)
    }

    /// Makes names acceptable to Excel: NFC, forbidden characters replaced by `_`, no leading or
    /// trailing apostrophe, at most 31 UTF-16 units, not the reserved `History`, unique ignoring case.
    static func sanitizedSheetNames(_ names: [String]) -> [String] {
        var used = Set<String>()
        var result: [String] = []
        for (index, name) in names.enumerated() {
            var cleaned = String(
                String.UnicodeScalarView(
                    name.precomposedStringWithCanonicalMapping.unicodeScalars.map { scalar in
                        ":\\/?*[]".unicodeScalars.contains(scalar) || scalar.value < 0x20 || scalar.value == 0x7F
                            || scalar.value == 0xFFFE || scalar.value == 0xFFFF ? "_" : scalar
                    }))
            cleaned = cleaned.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "'")))
            if cleaned.isEmpty { cleaned = "Sheet\(index + 1)" }
            if cleaned.lowercased() == "history" { cleaned += "_" }
            var candidate = truncated(cleaned, toUTF16Count: 31)
            var suffixNumber = 2
            while used.contains(candidate.lowercased()) {
                let suffix = " (\(suffixNumber))"
                candidate = truncated(cleaned, toUTF16Count: 31 - suffix.utf16.count) + suffix
                suffixNumber += 1
            }
            used.insert(candidate.lowercased())
            result.append(candidate)
        }
        return result
    }

    /// The longest prefix within `limit` UTF-16 units (Excel's unit), without trailing spaces.
    private static func truncated(_ text: String, toUTF16Count limit: Int) -> String {
        var result = ""
        var count = 0
        for character in text {
            count += character.utf16.count
            if count > limit { break }
            result.append(character)
        }
        while result.last == " " { result.removeLast() }
        return result
    }
}
