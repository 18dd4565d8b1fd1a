import Foundation
import ZIPFoundation

extension XLSXWriter {
    // The XML parts of a workbook, as ECMA-376 Part 1 (SpreadsheetML) and Part 2 (packaging) define them.

    enum Namespace {
        static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        static let officeRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        static let packageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships"
    }

    static let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    /// The cell styles (`cellXfs`) of `xl/styles.xml`: each number format, regular and bold.
    enum CellStyle: Int, CaseIterable {
        case general = 0
        case integer
        case percent
        case dateTime
        /// Text with line breaks, wrapped so that every line shows and the row grows to fit.
        case wrappedText

        /// Custom number format id for `dd/mm/yyyy hh:mm`; ids from 164 on are free for custom formats.
        static let dateTimeFormatID = 164

        var numberFormatID: Int {
            switch self {
            case .general, .wrappedText: 0
            case .integer: 1  // built-in "0"
            case .percent: 10  // built-in "0.00%"
            case .dateTime: Self.dateTimeFormatID
            }
        }

        /// The `s` attribute of a cell.
        func index(bold: Bool) -> Int {
            rawValue + (bold ? Self.allCases.count : 0)
        }

        /// ` s="N"`, or nothing for the default style, as Excel writes it.
        func attribute(bold: Bool) -> String {
            let index = index(bold: bold)
            return index == 0 ? "" : " s=\"\(index)\""
        }
    }

    /// Strings stored once in `xl/sharedStrings.xml` and referred to by index from cells.
    struct SharedStringTable {
        private var indices: [String: Int] = [:]
        private var strings: [String] = []
        private var references = 0

        mutating func index(of text: String) -> Int {
            references += 1
            if let index = indices[text] { return index }
            let index = strings.count
            indices[text] = index
            strings.append(text)
            return index
        }

        func xml() -> String {
            var xml = xmlDeclaration
            xml += "<sst xmlns=\"\(Namespace.main)\" count=\"\(references)\" uniqueCount=\"\(strings.count)\">"
            for string in strings {
                xml += "<si><t xml:space=\"preserve\">"
                xml += SpreadsheetXML.escaped(string, encodingControlCharacters: true)
                xml += "</t></si>"
            }
            xml += "</sst>"
            return xml
        }
    }

    /// Builds `xl/worksheets/sheetN.xml`.
    enum WorksheetXML {
        static func build(
            _ sheet: XLSXWriter.Sheet, isFirst: Bool, timeZone: TimeZone, sharedStrings: inout SharedStringTable
        ) throws(TabularError) -> Data {
            guard sheet.rows.count <= XLSXWriter.maxRows else {
                throw TabularError.tooManyRows(row: XLSXWriter.maxRows + 1, limit: XLSXWriter.maxRows)
            }
            let columnCount = sheet.rows.map(\.count).max() ?? 0
            guard columnCount <= SpreadsheetXML.maxColumns else {
                let row = (sheet.rows.firstIndex { $0.count > SpreadsheetXML.maxColumns } ?? 0) + 1
                throw TabularError.tooManyCells(row: row, limit: SpreadsheetXML.maxColumns)
            }
            let columnNames = (0..<columnCount).map(SpreadsheetXML.columnName)
            let freezesHeader = sheet.hasHeaderRow && sheet.rows.count > 1

            var xml = xmlDeclaration
            xml.reserveCapacity(sheet.rows.count * max(columnCount, 1) * 40)
            xml += "<worksheet xmlns=\"\(Namespace.main)\" xmlns:r=\"\(Namespace.officeRelationships)\">"
            let lastCell = columnCount == 0 ? "A1" : "\(columnNames[columnCount - 1])\(max(sheet.rows.count, 1))"
            xml += "<dimension ref=\"\(columnCount == 0 ? "A1" : "A1:\(lastCell)")\"/>"
            xml += "<sheetViews><sheetView\(isFirst ? " tabSelected=\"1\"" : "") workbookViewId=\"0\">"
            if freezesHeader {
                xml += "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
                xml += "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>"
            }
            xml += "</sheetView></sheetViews>"
            xml += "<sheetFormatPr defaultRowHeight=\"15\"/>"
            let widths = sheet.columnWidths ?? estimatedWidths(sheet.rows, columnCount: columnCount)
            if !widths.isEmpty {
                xml += "<cols>"
                for (index, width) in widths.enumerated() where width.isFinite && width > 0 {
                    let clamped = min(width, 255)
                    xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(clamped)\" customWidth=\"1\"/>"
                }
                xml += "</cols>"
            }
            xml += "<sheetData>"
            for (rowIndex, row) in sheet.rows.enumerated() {
                let rowNumber = rowIndex + 1
                let bold = sheet.hasHeaderRow && rowIndex == 0
                guard row.contains(where: { $0 != .empty }) else { continue }
                // Not every reader sizes rows to wrapped text on opening (LibreOffice 7.4 does not), so rows
                // with line breaks get an explicit height: 15 points a line, at most Excel's 409.
                let rowLineCount =
                    row.map { cell -> Int in
                        guard case .text(let text) = cell else { return 1 }
                        return lineCount(of: text)
                    }.max() ?? 1
                if rowLineCount > 1 {
                    xml += "<row r=\"\(rowNumber)\" ht=\"\(min(rowLineCount * 15, 409))\" customHeight=\"1\">"
                } else {
                    xml += "<row r=\"\(rowNumber)\">"
                }
                for (columnIndex, cell) in row.enumerated() {
                    let reference = "\(columnNames[columnIndex])\(rowNumber)"
                    switch cell {
                    case .empty:
                        continue
                    case .text(let text):
                        guard text.utf16.count <= XLSXWriter.maxTextLength else {
                            throw TabularError.cellTooLong(row: rowNumber, limit: XLSXWriter.maxTextLength)
                        }
                        let style: CellStyle = lineCount(of: text) > 1 ? .wrappedText : .general
                        xml += textCell(reference, sharedStrings.index(of: text), style: style, bold: bold)
                    case .number(let number):
                        xml += numberCell(reference, number, style: .general, bold: bold)
                    case .integer(let integer):
                        xml += "<c r=\"\(reference)\"\(CellStyle.integer.attribute(bold: bold))><v>\(integer)</v></c>"
                    case .percent(let fraction):
                        xml += numberCell(reference, fraction, style: .percent, bold: bold)
                    case .date(let date):
                        let localSeconds =
                            Int(date.timeIntervalSince1970.rounded()) + timeZone.secondsFromGMT(for: date)
                        if let serial = ExcelSerialDate.serial(localSecondsSinceUnixEpoch: localSeconds) {
                            xml += numberCell(reference, serial, style: .dateTime, bold: bold)
                        } else {
                            let text = ExcelSerialDate.localDateTime(localSecondsSinceUnixEpoch: localSeconds).isoString
                            xml += textCell(reference, sharedStrings.index(of: text), style: .general, bold: bold)
                        }
                    }
                }
                xml += "</row>"
            }
            xml += "</sheetData>"
            xml +=
                "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
            xml += "</worksheet>"
            return Data(xml.utf8)
        }

        /// Lines in a text: LF, CRLF and a lone CR each end one.
        static func lineCount(of text: String) -> Int {
            var count = 1
            var previous: UInt8 = 0
            for byte in text.utf8 {
                if byte == 0x0A, previous != 0x0D { count += 1 }
                if byte == 0x0D { count += 1 }
                previous = byte
            }
            return count
        }

        private static func textCell(_ reference: String, _ index: Int, style: CellStyle, bold: Bool) -> String {
            "<c r=\"\(reference)\"\(style.attribute(bold: bold)) t=\"s\"><v>\(index)</v></c>"
        }

        private static func numberCell(_ reference: String, _ number: Double, style: CellStyle, bold: Bool) -> String {
            guard number.isFinite else {
                return "<c r=\"\(reference)\"\(style.attribute(bold: bold)) t=\"e\"><v>#NUM!</v></c>"
            }
            return "<c r=\"\(reference)\"\(style.attribute(bold: bold))><v>\(number)</v></c>"
        }

        /// Widths from the longest value of each column among the first rows, between 8 and 60 characters.
        static func estimatedWidths(_ rows: [[XLSXWriter.Cell]], columnCount: Int) -> [Double] {
            var longest = [Int](repeating: 0, count: columnCount)
            for row in rows.prefix(1000) {
                for (index, cell) in row.enumerated() {
                    let length: Int
                    switch cell {
                    case .text(let text):
                        length =
                            text.split(separator: "\n", omittingEmptySubsequences: false)
                            .map(\.count).max() ?? 0
                    case .number(let number): length = min("\(number)".count, 15)
                    case .integer(let integer): length = "\(integer)".count
                    case .percent: length = 8
                    case .date: length = 16
                    case .empty: length = 0
                    }
                    longest[index] = max(longest[index], length)
                }
            }
            return longest.map { Double(min(max($0 + 2, 8), 60)) }
        }
    }

    /// The fixed parts of the package.
    enum PackageXML {
        static func contentTypes(sheetCount: Int) -> String {
            var xml = xmlDeclaration
            xml += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            xml +=
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            xml += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            let spreadsheetML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
            xml += "<Override PartName=\"/xl/workbook.xml\" ContentType=\"\(spreadsheetML).sheet.main+xml\"/>"
            for index in 1...sheetCount {
                xml +=
                    "<Override PartName=\"/xl/worksheets/sheet\(index).xml\" "
                    + "ContentType=\"\(spreadsheetML).worksheet+xml\"/>"
            }
            xml += "<Override PartName=\"/xl/styles.xml\" ContentType=\"\(spreadsheetML).styles+xml\"/>"
            xml += "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"\(spreadsheetML).sharedStrings+xml\"/>"
            xml +=
                "<Override PartName=\"/docProps/core.xml\" "
                + "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
            xml +=
                "<Override PartName=\"/docProps/app.xml\" "
                + "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
            xml += "</Types>"
            return xml
        }

        static let rootRelationships =
            xmlDeclaration
            + "<Relationships xmlns=\"\(Namespace.packageRelationships)\">"
            + "<Relationship Id=\"rId1\" Type=\"\(Namespace.officeRelationships)/officeDocument\" "
            + "Target=\"xl/workbook.xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
            + "core-properties\" Target=\"docProps/core.xml\"/>"
            + "<Relationship Id=\"rId3\" Type=\"\(Namespace.officeRelationships)/extended-properties\" "
            + "Target=\"docProps/app.xml\"/>"
            + "</Relationships>"

        static let coreProperties =
            xmlDeclaration
            + "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
            + "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
            + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
            + "<dc:creator>IOC</dc:creator></cp:coreProperties>"

        static let appProperties =
            xmlDeclaration
            + "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
            + "<Application>IOC</Application></Properties>"

        static func workbook(sheetNames: [String]) -> String {
            var xml = xmlDeclaration
            xml += "<workbook xmlns=\"\(Namespace.main)\" xmlns:r=\"\(Namespace.officeRelationships)\">"
            xml += "<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>"
            for (index, name) in sheetNames.enumerated() {
                xml +=
                    "<sheet name=\"\(SpreadsheetXML.escaped(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
            }
            xml += "</sheets></workbook>"
            return xml
        }

        static func workbookRelationships(sheetCount: Int) -> String {
            var xml = xmlDeclaration
            xml += "<Relationships xmlns=\"\(Namespace.packageRelationships)\">"
            for index in 1...sheetCount {
                xml +=
                    "<Relationship Id=\"rId\(index)\" Type=\"\(Namespace.officeRelationships)/worksheet\" "
                    + "Target=\"worksheets/sheet\(index).xml\"/>"
            }
            xml +=
                "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"\(Namespace.officeRelationships)/styles\" "
                + "Target=\"styles.xml\"/>"
            xml +=
                "<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"\(Namespace.officeRelationships)/sharedStrings\" "
                + "Target=\"sharedStrings.xml\"/>"
            xml += "</Relationships>"
            return xml
        }

        static var styles: String {
            let font = "<sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>"
            var xml = xmlDeclaration
            xml += "<styleSheet xmlns=\"\(Namespace.main)\">"
            xml +=
                "<numFmts count=\"1\"><numFmt numFmtId=\"\(CellStyle.dateTimeFormatID)\" "
                + "formatCode=\"dd/mm/yyyy hh:mm\"/></numFmts>"
            xml += "<fonts count=\"2\"><font>\(font)</font><font><b/>\(font)</font></fonts>"
            xml +=
                "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
                + "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
            xml += "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
            xml +=
                "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
            xml += "<cellXfs count=\"\(CellStyle.allCases.count * 2)\">"
            for bold in [false, true] {
                for style in CellStyle.allCases {
                    xml +=
                        "<xf numFmtId=\"\(style.numberFormatID)\" fontId=\"\(bold ? 1 : 0)\" fillId=\"0\" borderId=\"0\" "
                        + "xfId=\"0\"\(style.numberFormatID == 0 ? "" : " applyNumberFormat=\"1\"")"
                        + (bold ? " applyFont=\"1\"" : "")
                    if style == .wrappedText {
                        xml += " applyAlignment=\"1\"><alignment wrapText=\"1\"/></xf>"
                    } else {
                        xml += "/>"
                    }
                }
            }
            xml += "</cellXfs>"
            xml += "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
            xml += "</styleSheet>"
            return xml
        }
    }

    /// Packs parts into a ZIP archive with deflate, `[Content_Types].xml` first.
    enum ZipWriter {
        /// A fixed entry date (1980-01-02) keeps the output identical for identical input.
        private static let entryDate = Date(timeIntervalSince1970: 315_619_200)

        static func archive(_ parts: [(name: String, data: Data)]) throws(TabularError) -> Data {
            do {
                let archive = try Archive(data: Data(), accessMode: .create)
                for part in parts {
                    let contents = part.data
                    try archive.addEntry(
                        with: part.name, type: .file, uncompressedSize: Int64(contents.count),
                        modificationDate: entryDate, compressionMethod: .deflate, bufferSize: 64 * 1024
                    ) { position, size in
                        let start = contents.startIndex + Int(position)
                        return contents.subdata(in: start..<(start + size))
                    }
                }
                guard let data = archive.data else { throw TabularError.corruptedArchive("archive has no data") }
                return data
            } catch let error as TabularError {
                throw error
            } catch {
                throw TabularError.corruptedArchive("could not write the archive: \(error)")
            }
        }
    }
}
