import Foundation

@testable import IOCCore

/// Files under `Tabular/Fixtures/` and workbooks built part by part for reader tests.
enum TabularFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func file(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// A minimal workbook whose parts are given as XML text; parts left out get a plain default.
    static func workbook(
        sheet: String,
        sharedStrings: String? = nil,
        styles: String? = nil,
        workbook: String? = nil,
        workbookRelationships: String? = nil,
        extraParts: [(String, String)] = []
    ) throws -> Data {
        var rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        rels += "<Relationship Id=\"rId1\" Type=\"\(relationships)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        if sharedStrings != nil {
            rels += "<Relationship Id=\"rId2\" Type=\"\(relationships)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        }
        if styles != nil {
            rels += "<Relationship Id=\"rId3\" Type=\"\(relationships)/styles\" Target=\"styles.xml\"/>"
        }
        rels += "</Relationships>"
        var parts: [(name: String, data: Data)] = [
            (
                "[Content_Types].xml",
                Data("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".utf8)
            ),
            (
                "_rels/.rels",
                Data(
                    ("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"\(relationships)/officeDocument\" Target=\"xl/workbook.xml\"/>"
                        + "</Relationships>").utf8)
            ),
            (
                "xl/workbook.xml",
                Data(
                    (workbook
                        ?? "<workbook xmlns=\"\(main)\" xmlns:r=\"\(relationships)\"><sheets>"
                        + "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>").utf8)
            ),
            ("xl/_rels/workbook.xml.rels", Data((workbookRelationships ?? rels).utf8)),
            ("xl/worksheets/sheet1.xml", Data(sheet.utf8)),
        ]
        if let sharedStrings { parts.append(("xl/sharedStrings.xml", Data(sharedStrings.utf8))) }
        if let styles { parts.append(("xl/styles.xml", Data(styles.utf8))) }
        for (name, xml) in extraParts { parts.append((name, Data(xml.utf8))) }
        return try XLSXWriter.ZipWriter.archive(parts)
    }

    /// A worksheet part around the given `sheetData` content.
    static func sheet(_ sheetData: String) -> String {
        "<worksheet xmlns=\"\(main)\"><sheetData>\(sheetData)</sheetData></worksheet>"
    }

    /// A styles part whose cell styles use the given number formats, in order.
    static func styles(numberFormatIDs: [Int], customFormats: [Int: String] = [:]) -> String {
        var xml = "<styleSheet xmlns=\"\(main)\">"
        if !customFormats.isEmpty {
            xml += "<numFmts count=\"\(customFormats.count)\">"
            for (id, code) in customFormats.sorted(by: { $0.key < $1.key }) {
                xml += "<numFmt numFmtId=\"\(id)\" formatCode=\"\(SpreadsheetXML.escaped(code))\"/>"
            }
            xml += "</numFmts>"
        }
        // cellStyleXfs comes first and must not be taken for cell styles.
        xml += "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
        xml += "<cellXfs count=\"\(numberFormatIDs.count)\">"
        for id in numberFormatIDs { xml += "<xf numFmtId=\"\(id)\" fontId=\"0\" xfId=\"0\"/>" }
        xml += "</cellXfs></styleSheet>"
        return xml
    }

    /// A PNG file's first bytes.
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52])
}
