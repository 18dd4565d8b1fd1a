import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension XLSXReader {
    // SAX handlers for the parts of a workbook. Element names are compared without their namespace
    // prefix, because some generators write `<x:row>` instead of `<row>`.

    /// Reads a relationships part (`*.rels`).
    final class RelationshipsHandler: NSObject, SpreadsheetXML.PartHandler {
        var failure: TabularError?
        private(set) var relationships: [String: XLSXReader.Relationship] = [:]

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            guard SpreadsheetXML.localName(elementName) == "Relationship",
                let id = attributeDict["Id"], let type = attributeDict["Type"], let target = attributeDict["Target"],
                attributeDict["TargetMode"] != "External"
            else { return }
            relationships[id] = XLSXReader.Relationship(type: type, target: target)
        }
    }

    /// Reads `xl/workbook.xml`: the sheets in tab order and the date system.
    final class WorkbookHandler: NSObject, SpreadsheetXML.PartHandler {
        var failure: TabularError?
        private(set) var sheets: [XLSXReader.SheetReference] = []
        private(set) var date1904 = false
        private(set) var isWorkbook = false
        private var sawRoot = false

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            let name = SpreadsheetXML.localName(elementName)
            if !sawRoot {
                sawRoot = true
                isWorkbook = name == "workbook"
                if !isWorkbook { fail(TabularError.notXLSX(), parser) }
                return
            }
            switch name {
            case "workbookPr":
                let value = attributeDict["date1904"]
                date1904 = value == "1" || value == "true"
            case "sheet":
                // The relationship id is `r:id`, whatever prefix the file gives the relationships namespace.
                let id = attributeDict.first { key, _ in key != "id" && SpreadsheetXML.localName(key) == "id" }?.value
                guard let name = attributeDict["name"], let id else { return }
                sheets.append(XLSXReader.SheetReference(name: SpreadsheetXML.decodingEscapes(name), relationshipID: id))
            default:
                return
            }
        }
    }

    /// Reads `xl/sharedStrings.xml`, joining the runs of rich text and skipping phonetic hints (`rPh`).
    final class SharedStringsHandler: NSObject, SpreadsheetXML.PartHandler {
        var failure: TabularError?
        private(set) var strings: [String] = []
        private var current = ""
        private var text = ""
        private var inItem = false
        private var inText = false
        private var phoneticDepth = 0

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            switch SpreadsheetXML.localName(elementName) {
            case "si":
                inItem = true
                current = ""
            case "rPh":
                phoneticDepth += 1
            case "t" where inItem && phoneticDepth == 0:
                inText = true
                text = ""
            default:
                return
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA cdataBlock: Data) {
            if inText { text += String(decoding: cdataBlock, as: UTF8.self) }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            switch SpreadsheetXML.localName(elementName) {
            case "t" where inText:
                current += text
                inText = false
            case "rPh":
                phoneticDepth -= 1
            case "si":
                strings.append(SpreadsheetXML.decodingEscapes(current))
                inItem = false
            default:
                return
            }
        }
    }

    /// Reads `xl/styles.xml`: the number format of each cell style and the custom format codes.
    final class StylesHandler: NSObject, SpreadsheetXML.PartHandler {
        var failure: TabularError?
        private(set) var customFormats: [Int: String] = [:]
        /// Number format id of each entry of `cellXfs`, in order; a cell's `s` attribute indexes it.
        private(set) var cellFormatIDs: [Int] = []
        private var inCellFormats = false

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            switch SpreadsheetXML.localName(elementName) {
            case "numFmt":
                if let id = attributeDict["numFmtId"].flatMap({ Int($0) }), let code = attributeDict["formatCode"] {
                    customFormats[id] = code
                }
            case "cellXfs":
                inCellFormats = true
            case "xf" where inCellFormats:
                cellFormatIDs.append(attributeDict["numFmtId"].flatMap { Int($0) } ?? 0)
            default:
                return
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            if SpreadsheetXML.localName(elementName) == "cellXfs" { inCellFormats = false }
        }
    }

    /// Reads a worksheet's `sheetData` into rows of cell texts.
    final class WorksheetHandler: NSObject, SpreadsheetXML.PartHandler {
        var failure: TabularError?
        private(set) var rows: [[String]] = []

        private let part: String
        private let sharedStrings: [String]
        private let dateStyles: [Bool]
        private let date1904: Bool
        private let limits: XLSXReader.Limits

        private var cellCount = 0
        private var inSheetData = false
        private var rowIndex = -1
        private var row: [String] = []
        private var column = -1
        private var cellType: String?
        private var cellStyle = 0
        private var value = ""
        private var inlineText = ""
        private var text = ""
        private var capturing = false
        private var inInlineString = false
        private var phoneticDepth = 0

        init(part: String, sharedStrings: [String], dateStyles: [Bool], date1904: Bool, limits: XLSXReader.Limits) {
            self.part = part
            self.sharedStrings = sharedStrings
            self.dateStyles = dateStyles
            self.date1904 = date1904
            self.limits = limits
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            switch SpreadsheetXML.localName(elementName) {
            case "c" where inSheetData:
                if let reference = attributeDict["r"] {
                    guard let index = SpreadsheetXML.columnIndex(ofReference: reference),
                        index < SpreadsheetXML.maxColumns
                    else {
                        return fail(.malformedWorkbook(part: part, detail: "bad cell reference \(reference)"), parser)
                    }
                    column = index
                } else {
                    column += 1
                }
                cellType = attributeDict["t"]
                cellStyle = attributeDict["s"].flatMap { Int($0) } ?? 0
                value = ""
                inlineText = ""
            case "v" where inSheetData:
                capturing = true
                text = ""
            case "is":
                inInlineString = true
            case "rPh":
                phoneticDepth += 1
            case "t" where inInlineString && phoneticDepth == 0:
                capturing = true
                text = ""
            case "row" where inSheetData:
                if let number = attributeDict["r"] {
                    guard let parsed = Int(number), parsed >= 1 else {
                        return fail(.malformedWorkbook(part: part, detail: "bad row number \(number)"), parser)
                    }
                    rowIndex = parsed - 1
                } else {
                    rowIndex += 1
                }
                guard rowIndex < limits.maxRows else {
                    return fail(.tooManyRows(row: rowIndex + 1, limit: limits.maxRows), parser)
                }
                row = []
                column = -1
            case "sheetData":
                inSheetData = true
            default:
                return
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if capturing { text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA cdataBlock: Data) {
            if capturing { text += String(decoding: cdataBlock, as: UTF8.self) }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            switch SpreadsheetXML.localName(elementName) {
            case "v" where capturing:
                value = text
                capturing = false
            case "t" where capturing:
                inlineText += text
                capturing = false
            case "rPh":
                phoneticDepth -= 1
            case "is":
                inInlineString = false
            case "c" where inSheetData:
                guard let cell = cellText(parser) else { return }
                if !cell.isEmpty { place(cell, parser) }
            case "row" where inSheetData:
                finishRow()
            case "sheetData":
                inSheetData = false
            default:
                return
            }
        }

        private func place(_ cell: String, _ parser: XMLParser) {
            if column < row.count {
                row[column] = cell
                return
            }
            guard cellCount + column + 1 <= limits.maxCells else {
                return fail(.tooManyCells(row: rowIndex + 1, limit: limits.maxCells), parser)
            }
            if column > row.count { row.append(contentsOf: repeatElement("", count: column - row.count)) }
            row.append(cell)
        }

        private func finishRow() {
            guard !row.isEmpty else { return }
            if rowIndex < rows.count {
                // Rows are normally in order; a repeated row number replaces the earlier row.
                cellCount -= rows[rowIndex].count
                rows[rowIndex] = row
            } else {
                if rowIndex > rows.count { rows.append(contentsOf: repeatElement([], count: rowIndex - rows.count)) }
                rows.append(row)
            }
            cellCount += row.count
            row = []
        }

        /// The text of the cell that just ended, or `nil` after reporting a failure.
        private func cellText(_ parser: XMLParser) -> String? {
            switch cellType {
            case "s":
                guard !value.isEmpty else { return "" }
                guard let index = Int(value), sharedStrings.indices.contains(index) else {
                    fail(
                        .malformedWorkbook(part: part, detail: "unknown shared string \(value)", row: rowIndex + 1),
                        parser)
                    return nil
                }
                return sharedStrings[index]
            case "inlineStr":
                return SpreadsheetXML.decodingEscapes(inlineText.isEmpty ? value : inlineText)
            case "str":
                return SpreadsheetXML.decodingEscapes(value)
            case "b":
                switch value {
                case "1", "true": return "TRUE"
                case "0", "false": return "FALSE"
                default: return value
                }
            case "e":
                return value
            case "d":
                return Self.normalizedISODate(value)
            default:
                guard !value.isEmpty else { return "" }
                if dateStyles.indices.contains(cellStyle), dateStyles[cellStyle], let serial = Double(value),
                    let date = ExcelSerialDate.localDateTime(serial: serial, date1904: date1904)
                {
                    return date.isoString
                }
                return Self.normalizedNumber(value)
            }
        }

        /// A number as written, except that an integral value loses its fraction or exponent (`5.0` → `5`).
        static func normalizedNumber(_ text: String) -> String {
            guard text.utf8.contains(where: { $0 == 0x2E || $0 == 0x45 || $0 == 0x65 }),
                let number = Double(text), number == number.rounded(), abs(number) < 1e15
            else { return text }
            return String(Int64(number))
        }

        /// An ISO 8601 date cell (`t="d"`) as `yyyy-MM-ddTHH:mm:ss`, without fraction or offset.
        static func normalizedISODate(_ text: String) -> String {
            let utf8 = Array(text.utf8)
            if utf8.count == 10 { return text + "T00:00:00" }
            if utf8.count >= 19, utf8[10] == UInt8(ascii: "T") { return String(decoding: utf8[0..<19], as: UTF8.self) }
            return text
        }
    }
}
