import Foundation

/// Reads the cells of an Excel `.xlsx` workbook as strings.
///
/// Every cell becomes the text a user would recognise:
/// - text (shared strings, rich text runs, inline strings) as is;
/// - numbers as written in the file, integers without a trailing `.0` (`42`, `0.25`, `1.5E-7`);
/// - booleans as `TRUE` / `FALSE`, error values as Excel shows them (`#DIV/0!`);
/// - formulas as their cached result;
/// - dates — numbers whose cell style is a date or time format (built-in formats 14–22 and 45–47, or a
///   custom format that uses day, month or year) — as ISO 8601 `yyyy-MM-ddTHH:mm:ss`, rounded to the
///   second. Excel dates have no time zone: the text is the wall-clock time typed into the workbook,
///   and the caller decides which zone that was, normally `Asia/Ho_Chi_Minh`
///   (see ``date(fromISOText:timeZone:)``). A time of day alone has the date 1899-12-30.
///
/// `rows[i]` is spreadsheet row `i + 1`: rows missing from the file are empty arrays, and cells
/// skipped within a row are empty strings. Trailing empty cells are not added, so rows can have
/// different lengths; merged cells keep their value in the top-left cell only.
///
/// The sheet is found through `xl/workbook.xml` and its relationships, never by assuming a part name.
public enum XLSXReader: Sendable {
    /// Bounds that protect the server from zip bombs and oversized uploads.
    public struct Limits: Sendable, Equatable {
        /// Total bytes all parts read may expand to.
        public var maxUncompressedBytes: Int
        /// Largest row number accepted.
        public var maxRows: Int
        /// Largest number of cells returned, counting the empty strings that fill skipped columns.
        public var maxCells: Int

        /// Creates limits; the defaults are 200 MB uncompressed, Excel's 1,048,576 rows and 25 million cells.
        public init(maxUncompressedBytes: Int = 200 * 1_048_576, maxRows: Int = 1_048_576, maxCells: Int = 25_000_000) {
            self.maxUncompressedBytes = maxUncompressedBytes
            self.maxRows = maxRows
            self.maxCells = maxCells
        }
    }

    /// Reads one sheet of a workbook.
    ///
    /// - Parameters:
    ///   - data: The `.xlsx` file's bytes.
    ///   - sheet: Zero-based position of the sheet in the workbook's tab order.
    ///   - limits: Size bounds.
    /// - Returns: The sheet's rows of cell texts.
    /// - Throws: ``TabularError`` when the bytes are not an XLSX workbook (``TabularError/Code/notXLSX``,
    ///   ``TabularError/Code/legacyOrEncryptedWorkbook``), are damaged, exceed the limits or have no such sheet.
    public static func read(_ data: Data, sheet: Int = 0, limits: Limits = Limits()) throws(TabularError) -> [[String]]
    {
        var workbook = try Workbook(data: data, limits: limits)
        return try workbook.rows(ofSheetAt: sheet)
    }

    /// The names of the workbook's sheets in tab order.
    public static func sheetNames(_ data: Data, limits: Limits = Limits()) throws(TabularError) -> [String] {
        try Workbook(data: data, limits: limits).sheets.map(\.name)
    }

    /// Converts a date cell's text (`yyyy-MM-ddTHH:mm:ss`, as this reader returns it) to a `Date`,
    /// reading it as wall-clock time in `timeZone`.
    public static func date(fromISOText text: String, timeZone: TimeZone) -> Date? {
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard text.utf8.count == 19, parts.count == 6, let year = parts[0], let month = parts[1], let day = parts[2],
            let hour = parts[3], let minute = parts[4], let second = parts[5],
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = ExcelSerialDate.daysSinceUnixEpoch(year: year, month: month, day: day)
        let localSeconds = TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second)
        // The offset in force at that moment; guessed from the local time read as UTC, which is
        // exact for zones without daylight saving such as Asia/Ho_Chi_Minh.
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: localSeconds))
        return Date(timeIntervalSince1970: localSeconds - TimeInterval(offset))
    }
}

// MARK: - Workbook

extension XLSXReader {
    /// A sheet as listed in the workbook part.
    struct SheetReference: Equatable {
        var name: String
        var relationshipID: String
    }

    /// An opened workbook: its sheets and the shared parts its worksheets need.
    struct Workbook {
        private var package: XLSXPackage
        private let limits: Limits
        let workbookPart: String
        let sheets: [SheetReference]
        let date1904: Bool
        private let relationships: [String: Relationship]

        init(data: Data, limits: Limits) throws(TabularError) {
            self.limits = limits
            package = try XLSXPackage(data: data, maxUncompressedBytes: limits.maxUncompressedBytes)
            guard package.contains("[Content_Types].xml") else { throw TabularError.notXLSX() }
            let rootRelationships = try Self.relationships(of: "", in: &package)
            let officeDocument = rootRelationships.values.first { $0.type.hasSuffix("/officeDocument") }
            workbookPart = officeDocument.map { XLSXPackage.resolve(target: $0.target, from: "") } ?? "xl/workbook.xml"
            guard let workbookData = try package.read(workbookPart) else { throw TabularError.notXLSX() }
            let handler = WorkbookHandler()
            try SpreadsheetXML.parse(workbookData, part: workbookPart, with: handler)
            guard handler.isWorkbook else { throw TabularError.notXLSX() }
            sheets = handler.sheets
            date1904 = handler.date1904
            relationships = try Self.relationships(of: workbookPart, in: &package)
        }

        mutating func rows(ofSheetAt index: Int) throws(TabularError) -> [[String]] {
            guard sheets.indices.contains(index) else {
                throw TabularError.sheetNotFound(index: index, count: sheets.count)
            }
            guard let relationship = relationships[sheets[index].relationshipID] else {
                throw TabularError.malformedWorkbook(
                    part: workbookPart, detail: "sheet \(sheets[index].name) has no relationship")
            }
            guard relationship.type.hasSuffix("/worksheet") else {
                throw TabularError.malformedWorkbook(
                    part: workbookPart, detail: "sheet \(sheets[index].name) is not a worksheet")
            }
            let sheetPart = XLSXPackage.resolve(target: relationship.target, from: workbookPart)
            let sharedStrings = try readSharedStrings()
            let dateStyles = try readDateStyles()
            guard let sheetData = try package.read(sheetPart) else {
                throw TabularError.malformedWorkbook(part: sheetPart, detail: "part is missing")
            }
            let handler = WorksheetHandler(
                part: sheetPart, sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: date1904,
                limits: limits)
            try SpreadsheetXML.parse(sheetData, part: sheetPart, with: handler)
            return handler.rows
        }

        private mutating func readSharedStrings() throws(TabularError) -> [String] {
            guard let part = partName(relationshipSuffix: "/sharedStrings", fallback: "sharedStrings.xml"),
                let data = try package.read(part)
            else { return [] }
            let handler = SharedStringsHandler()
            try SpreadsheetXML.parse(data, part: part, with: handler)
            return handler.strings
        }

        /// For each cell style index, whether it formats numbers as dates.
        private mutating func readDateStyles() throws(TabularError) -> [Bool] {
            guard let part = partName(relationshipSuffix: "/styles", fallback: "styles.xml"),
                let data = try package.read(part)
            else { return [] }
            let handler = StylesHandler()
            try SpreadsheetXML.parse(data, part: part, with: handler)
            return handler.cellFormatIDs.map { id in
                if let code = handler.customFormats[id] { return NumberFormat.isDateFormat(code) }
                return NumberFormat.isBuiltInDateFormat(id)
            }
        }

        private func partName(relationshipSuffix: String, fallback: String) -> String? {
            if let relationship = relationships.values.first(where: { $0.type.hasSuffix(relationshipSuffix) }) {
                return XLSXPackage.resolve(target: relationship.target, from: workbookPart)
            }
            let guess = XLSXPackage.resolve(target: fallback, from: workbookPart)
            return package.contains(guess) ? guess : nil
        }

        private static func relationships(
            of part: String, in package: inout XLSXPackage
        ) throws(TabularError) -> [String: Relationship] {
            let relsPart = XLSXPackage.relationshipsPart(of: part)
            guard let data = try package.read(relsPart) else { return [:] }
            let handler = RelationshipsHandler()
            try SpreadsheetXML.parse(data, part: relsPart, with: handler)
            return handler.relationships
        }
    }

    struct Relationship: Equatable {
        var type: String
        var target: String
    }
}

// MARK: - Number formats

extension XLSXReader {
    /// Which number formats display a number as a date or time.
    enum NumberFormat {
        /// Built-in formats 14–22 (dates and times) and 45–47 (minutes and seconds), ECMA-376 Part 1, §18.8.30.
        static func isBuiltInDateFormat(_ id: Int) -> Bool {
            (14...22).contains(id) || (45...47).contains(id)
        }

        /// Whether a custom format code shows a date: it uses `d`, `m` or `y` outside quoted literals,
        /// escaped characters and bracketed sections such as `[Red]` or the locale tag `[$-42A]`.
        static func isDateFormat(_ code: String) -> Bool {
            var inQuotes = false
            var inBrackets = false
            var skipNext = false
            for character in code.lowercased() {
                if skipNext {
                    skipNext = false
                    continue
                }
                if inQuotes {
                    if character == "\"" { inQuotes = false }
                    continue
                }
                if inBrackets {
                    if character == "]" { inBrackets = false }
                    continue
                }
                switch character {
                case "\"": inQuotes = true
                case "[": inBrackets = true
                case "\\", "_", "*": skipNext = true  // an escaped character, or the one after a padding mark
                case "d", "m", "y": return true
                default: continue
                }
            }
            return false
        }
    }
}
