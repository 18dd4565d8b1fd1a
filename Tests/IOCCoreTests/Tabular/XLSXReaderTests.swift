import Foundation
import Testing

@testable import IOCCore

@Suite("Reading XLSX")
struct XLSXReaderTests {
    typealias Fixture = TabularFixtures

    // MARK: A workbook written by LibreOffice

    /// `libreoffice-dossiers.xlsx` is `libreoffice-dossiers.csv` converted by LibreOffice 7.4 with
    /// `soffice --headless --infilter="CSV:44,34,76,1,,1033" --convert-to xlsx`.
    @Test func readsAWorkbookWrittenByLibreOffice() throws {
        let rows = try XLSXReader.read(try Fixture.file("libreoffice-dossiers.xlsx"))
        #expect(rows.count == 4)
        #expect(rows[0] == ["Thủ tục", "Phường/Xã", "Số hồ sơ", "Tỉ lệ đúng hạn", "Ngày tiếp nhận", "Ghi chú"])
        #expect(
            rows[1] == [
                "Đăng ký khai sinh", "Phường Buôn Ma Thuột", "128", "0.953", "2024-03-15T10:30:00", "Có \"ưu tiên\"",
            ])
        // B3 is missing in the file: the gap is an empty string; the row ends at its last value.
        #expect(rows[2] == ["Cấp phép xây dựng", "", "7", "1.5", "2024-12-31T00:00:00"])
        // 45659.3369097222 is 08:05:09 once rounded to the second.
        #expect(
            rows[3] == ["Chứng thực bản sao", "Xã Hòa Phú", "-42", "3.14159", "2025-01-02T08:05:09", "Dòng 1\nDòng 2"])
        #expect(try XLSXReader.sheetNames(try Fixture.file("libreoffice-dossiers.xlsx")) == ["dossiers"])
    }

    /// `openpyxl-report.xlsx` was written by openpyxl 3.1.5: a rich-text cell, a Vietnamese-locale custom
    /// date format, booleans, a formula without a cached value and a second sheet with one cell at C3.
    @Test func readsAWorkbookWrittenByOpenpyxl() throws {
        let file = try Fixture.file("openpyxl-report.xlsx")
        #expect(try XLSXReader.sheetNames(file) == ["Báo cáo", "Trang 2"])
        #expect(
            try XLSXReader.read(file) == [
                ["Thủ tục", "Ngày", "Tỉ lệ", "Đúng hạn", "Số"],
                ["Đăng ký khai sinh", "2024-03-15T10:30:00", "0.953", "TRUE", "5"],
                ["x", "2024-12-31T00:00:00", "", "FALSE"],
            ])
        #expect(try XLSXReader.read(file, sheet: 1) == [[], [], ["", "", "xa"]])
    }

    @Test func readsAFileCutOutOfALargerBuffer() throws {
        let file = try Fixture.file("libreoffice-dossiers.xlsx")
        let body = Data("--boundary\r\n\r\n".utf8) + file + Data("\r\n--boundary--".utf8)
        let upload = body[14..<(14 + file.count)]
        #expect(upload.startIndex != 0)
        #expect(try XLSXReader.read(upload) == (try XLSXReader.read(file)))
    }

    @Test func dateTextBecomesAnInstantInTheCallersTimeZone() throws {
        let date = XLSXReader.date(fromISOText: "2024-03-15T10:30:00", timeZone: XLSXWriter.vietnamTimeZone)
        #expect(date == Date(timeIntervalSince1970: 1_710_473_400))  // 2024-03-15T03:30:00Z
        #expect(XLSXReader.date(fromISOText: "2024-13-15T10:30:00", timeZone: .gmt) == nil)
        #expect(XLSXReader.date(fromISOText: "128", timeZone: .gmt) == nil)
    }

    // MARK: Cell kinds

    @Test func readsSharedStringsWithRichTextRunsAndSkipsPhoneticHints() throws {
        let sharedStrings = """
            <sst xmlns="\(Fixture.main)"><si><t>Đăng ký</t></si>\
            <si><r><rPr><b/></rPr><t xml:space="preserve">Phường </t></r><r><t>Buôn Ma Thuột</t></r>\
            <rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>\
            <si><t>A &amp; B &lt;c&gt;_x000D_
            x_x005F_x0041_</t></si></sst>
            """
        let sheet = Fixture.sheet(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>"
        )
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet, sharedStrings: sharedStrings))
        #expect(rows == [["Đăng ký", "Phường Buôn Ma Thuột", "A & B <c>\r\nx_x0041_"]])
    }

    @Test func readsInlineStringsBooleansErrorsAndFormulaResults() throws {
        let sheet = Fixture.sheet(
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Xã Hòa Phú</t></is></c>\
            <c r="B1" t="inlineStr"><is><r><t>Rich </t></r><r><t>inline</t></r></is></c>\
            <c r="C1" t="b"><v>1</v></c><c r="D1" t="b"><v>0</v></c>\
            <c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c>\
            <c r="F1" t="str"><f>CONCAT("a","b")</f><v>ab</v></c>\
            <c r="G1"><f>SUM(1,2)</f><v>3</v></c><c r="H1"><f>NOW()</f></c>\
            <c r="I1" t="d"><v>2024-03-15T10:30:00.000</v></c><c r="J1" t="d"><v>2024-03-15</v></c></row>
            """)
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet))
        #expect(
            rows == [
                [
                    "Xã Hòa Phú", "Rich inline", "TRUE", "FALSE", "#DIV/0!", "ab", "3", "", "2024-03-15T10:30:00",
                    "2024-03-15T00:00:00",
                ]
            ])
    }

    @Test func readsTextInCDATASections() throws {
        let sharedStrings = "<sst xmlns=\"\(Fixture.main)\"><si><t><![CDATA[<Phường> & xã]]></t></si></sst>"
        let sheet = Fixture.sheet(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"inlineStr\"><is><t><![CDATA[a<b]]></t></is></c></row>"
        )
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet, sharedStrings: sharedStrings))
        #expect(rows == [["<Phường> & xã", "a<b"]])
    }

    @Test func writesNumbersAsStoredButIntegersWithoutFraction() throws {
        let sheet = Fixture.sheet(
            """
            <row r="1"><c r="A1"><v>42</v></c><c r="B1" t="n"><v>5.0</v></c><c r="C1"><v>0.1</v></c>\
            <c r="D1"><v>1.5E-7</v></c><c r="E1"><v>1E+3</v></c><c r="F1"><v>-0.25</v></c>\
            <c r="G1"><v>1.2345678901234567E+20</v></c></row>
            """)
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet))
        #expect(rows == [["42", "5", "0.1", "1.5E-7", "1000", "-0.25", "1.2345678901234567E+20"]])
    }

    @Test func datesFollowTheCellStyleNumberFormat() throws {
        // Styles: 0 General, 1 built-in 14 (d/m/yyyy), 2 built-in 22 (date time), 3 Vietnamese custom date,
        // 4 a custom number with an "m" inside quotes (metres, not months), 5 built-in 10 (percent),
        // 6 built-in 46 ([h]:mm:ss), 7 a custom time format: times read as a time on day 0, 1899-12-30.
        let styles = Fixture.styles(
            numberFormatIDs: [0, 14, 22, 164, 165, 10, 46, 166],
            customFormats: [164: "[$-42A]dd/mm/yyyy;@", 165: "#,##0.00\" m\"", 166: "[Red]hh:mm"])
        let sheet = Fixture.sheet(
            """
            <row r="1"><c r="A1" s="0"><v>45366.4375</v></c><c r="B1" s="1"><v>45366</v></c>\
            <c r="C1" s="2"><v>45366.4375</v></c><c r="D1" s="3"><v>45657</v></c>\
            <c r="E1" s="4"><v>12.5</v></c><c r="F1" s="5"><v>0.953</v></c>\
            <c r="G1" s="6"><v>0.5</v></c><c r="H1" s="7"><v>0.75</v></c><c r="I1" s="99"><v>7</v></c>\
            <c r="J1" s="1"><v>-1</v></c></row>
            """)
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet, styles: styles))
        #expect(
            rows == [
                [
                    "45366.4375", "2024-03-15T00:00:00", "2024-03-15T10:30:00", "2024-12-31T00:00:00", "12.5",
                    "0.953", "1899-12-30T12:00:00", "1899-12-30T18:00:00", "7", "-1",
                ]
            ])
    }

    @Test func honoursThe1904DateSystem() throws {
        let workbook = """
            <workbook xmlns="\(Fixture.main)" xmlns:r="\(Fixture.relationships)"><workbookPr date1904="1"/>\
            <sheets><sheet name="Mac" sheetId="1" r:id="rId1"/></sheets></workbook>
            """
        let sheet = Fixture.sheet("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>43904</v></c></row>")
        let data = try Fixture.workbook(
            sheet: sheet, styles: Fixture.styles(numberFormatIDs: [0, 14]), workbook: workbook)
        #expect(try XLSXReader.read(data) == [["2024-03-15T00:00:00"]])
    }

    // MARK: Layout

    @Test func fillsSkippedColumnsAndRowsAndWorksWithoutReferences() throws {
        let sheet = Fixture.sheet(
            """
            <row r="1"><c r="B1" t="inlineStr"><is><t>b1</t></is></c><c r="D1"><v>4</v></c></row>\
            <row r="3" spans="1:3"><c r="A3"><v>1</v></c><c><v>2</v></c><c r="AA3"><v>27</v></c></row>\
            <row><c><v>x</v></c><c t="inlineStr"><is><t></t></is></c><c><v>3</v></c></row>\
            <row r="6"><c r="A6" s="0"/></row>
            """)
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet))
        #expect(rows.count == 4)
        #expect(rows[0] == ["", "b1", "", "4"])
        #expect(rows[1] == [])
        #expect(rows[2].count == 27)
        #expect(rows[2][0...1] == ["1", "2"])
        #expect(rows[2][26] == "27")
        #expect(rows[3] == ["x", "", "3"])
    }

    @Test func acceptsNamespacePrefixedElements() throws {
        let sheet = """
            <x:worksheet xmlns:x="\(Fixture.main)"><x:sheetData><x:row r="1">\
            <x:c r="A1" t="inlineStr"><x:is><x:t>Tiền tố</x:t></x:is></x:c><x:c r="B1"><x:v>2</x:v></x:c>\
            </x:row></x:sheetData></x:worksheet>
            """
        let workbook = """
            <x:workbook xmlns:x="\(Fixture.main)" xmlns:rel="\(Fixture.relationships)"><x:sheets>\
            <x:sheet name="Một" sheetId="1" rel:id="rId1"/></x:sheets></x:workbook>
            """
        let data = try Fixture.workbook(sheet: sheet, workbook: workbook)
        #expect(try XLSXReader.read(data) == [["Tiền tố", "2"]])
        #expect(try XLSXReader.sheetNames(data) == ["Một"])
    }

    @Test func findsSheetsThroughTheWorkbookRelationshipsInTabOrder() throws {
        // The first tab points at a part that is not named sheet1.xml, through an absolute target.
        let workbook = """
            <workbook xmlns="\(Fixture.main)" xmlns:r="\(Fixture.relationships)"><sheets>\
            <sheet name="Tổng hợp" sheetId="7" r:id="rIdSummary"/><sheet name="Chi tiết" sheetId="2" r:id="rId1"/>\
            </sheets></workbook>
            """
        let relationships = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="\(Fixture.relationships)/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rIdSummary" Type="\(Fixture.relationships)/worksheet" Target="/xl/data/summary.xml"/>\
            </Relationships>
            """
        let data = try Fixture.workbook(
            sheet: Fixture.sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), workbook: workbook,
            workbookRelationships: relationships,
            extraParts: [("xl/data/summary.xml", Fixture.sheet("<row r=\"1\"><c r=\"A1\"><v>99</v></c></row>"))])
        #expect(try XLSXReader.sheetNames(data) == ["Tổng hợp", "Chi tiết"])
        #expect(try XLSXReader.read(data) == [["99"]])
        #expect(try XLSXReader.read(data, sheet: 1) == [["1"]])
        let missing = #expect(throws: TabularError.self) { try XLSXReader.read(data, sheet: 2) }
        #expect(missing?.code == .sheetNotFound)
    }

    // MARK: Rejected input

    @Test func rejectsAPNGRenamedToXLSX() throws {
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(Fixture.png) }
        #expect(error?.code == .notXLSX)
        #expect(throws: TabularError.self) { try XLSXReader.read(Data()) }
    }

    @Test func rejectsLegacyXLSWithAHint() throws {
        let ole2 = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + Data(count: 504)
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(ole2) }
        #expect(error?.code == .legacyOrEncryptedWorkbook)
        #expect(error?.messageVietnamese.contains(".xls") == true)
    }

    @Test func rejectsAZipThatIsNotAWorkbook() throws {
        let plainZip = try XLSXWriter.ZipWriter.archive([("readme.txt", Data("xin chào".utf8))])
        #expect((#expect(throws: TabularError.self) { try XLSXReader.read(plainZip) })?.code == .notXLSX)
        // A Word document is an OPC package too, but its main part is not a workbook.
        let document = try XLSXWriter.ZipWriter.archive([
            ("[Content_Types].xml", Data("<Types/>".utf8)),
            (
                "_rels/.rels",
                Data(
                    ("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"\(Fixture.relationships)/officeDocument\" "
                        + "Target=\"word/document.xml\"/></Relationships>").utf8)
            ),
            ("word/document.xml", Data("<w:document xmlns:w=\"urn:w\"/>".utf8)),
        ])
        #expect((#expect(throws: TabularError.self) { try XLSXReader.read(document) })?.code == .notXLSX)
    }

    @Test func rejectsATruncatedFile() throws {
        let file = try Fixture.file("libreoffice-dossiers.xlsx")
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(file.prefix(file.count / 2)) }
        #expect(error?.code == .corruptedArchive)
    }

    @Test func rejectsACorruptedSheet() throws {
        var file = try Fixture.file("libreoffice-dossiers.xlsx")
        let name = Data("xl/worksheets/sheet1.xml".utf8)
        let header = try #require(file.range(of: name))
        // Damage the compressed sheet right after its local file header.
        for offset in 40..<60 { file[header.upperBound + offset] ^= 0x5A }
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(file) }
        #expect(error?.code == .corruptedArchive)
    }

    @Test func rejectsAZipBomb() throws {
        let zeros = String(repeating: "0", count: 300_000)
        let sheet = Fixture.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\(zeros)</t></is></c></row>")
        let data = try Fixture.workbook(sheet: sheet)
        #expect(data.count < 10_000)
        let limits = XLSXReader.Limits(maxUncompressedBytes: 100_000)
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(data, limits: limits) }
        #expect(error?.code == .uncompressedSizeLimitExceeded)
        #expect(try XLSXReader.read(data)[0][0].count == 300_000)
    }

    @Test func rejectsAZipBombThatUnderstatesItsSize() throws {
        let zeros = String(repeating: "0", count: 300_000)
        let sheet = Fixture.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\(zeros)</t></is></c></row>")
        var data = try Fixture.workbook(sheet: sheet)
        // Rewrite the sheet's declared uncompressed size to 1,000 bytes in both headers.
        let name = Data("xl/worksheets/sheet1.xml".utf8)
        let local = try #require(data.range(of: name))
        let central = try #require(data.range(of: name, in: local.upperBound..<data.endIndex))
        for sizeField in [local.lowerBound - 30 + 22, central.lowerBound - 46 + 24] {
            data.replaceSubrange(sizeField..<(sizeField + 4), with: [0xE8, 0x03, 0x00, 0x00])
        }
        let limits = XLSXReader.Limits(maxUncompressedBytes: 100_000)
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(data, limits: limits) }
        #expect(error?.code == .uncompressedSizeLimitExceeded)
        let unlimited = #expect(throws: TabularError.self) { try XLSXReader.read(data) }
        #expect(unlimited?.code == .corruptedArchive)
    }

    @Test func rejectsRowsAndCellsBeyondTheLimits() throws {
        let farRow = try Fixture.workbook(sheet: Fixture.sheet("<row r=\"11\"><c r=\"A11\"><v>1</v></c></row>"))
        let rowError = #expect(throws: TabularError.self) {
            try XLSXReader.read(farRow, limits: XLSXReader.Limits(maxRows: 10))
        }
        #expect(rowError?.code == .tooManyRows)
        #expect(rowError?.row == 11)

        // One value in the last column makes 16,384 cells once the gap is filled.
        let wide = try Fixture.workbook(sheet: Fixture.sheet("<row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row>"))
        let cellError = #expect(throws: TabularError.self) {
            try XLSXReader.read(wide, limits: XLSXReader.Limits(maxCells: 10_000))
        }
        #expect(cellError?.code == .tooManyCells)
        #expect(try XLSXReader.read(wide)[0].count == 16_384)

        let beyondExcel = try Fixture.workbook(sheet: Fixture.sheet("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"))
        #expect((#expect(throws: TabularError.self) { try XLSXReader.read(beyondExcel) })?.code == .malformedWorkbook)
    }

    @Test func rejectsMalformedXMLAndDocumentTypeDeclarations() throws {
        let broken = try Fixture.workbook(sheet: "<worksheet xmlns=\"\(Fixture.main)\"><sheetData><row>")
        #expect((#expect(throws: TabularError.self) { try XLSXReader.read(broken) })?.code == .malformedWorkbook)
        let entityBomb = """
            <?xml version="1.0"?><!-- a comment --><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">\
            <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\
            <worksheet xmlns="\(Fixture.main)"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c>\
            </row></sheetData></worksheet>
            """
        let bomb = try Fixture.workbook(sheet: entityBomb)
        let error = #expect(throws: TabularError.self) { try XLSXReader.read(bomb) }
        #expect(error?.code == .malformedWorkbook)
        #expect(error?.messageEnglish.contains("DOCTYPE") == true)
        let badSharedString = try Fixture.workbook(
            sheet: Fixture.sheet("<row r=\"2\"><c r=\"A2\" t=\"s\"><v>5</v></c></row>"))
        let stringError = #expect(throws: TabularError.self) { try XLSXReader.read(badSharedString) }
        #expect(stringError?.row == 2)
    }

    @Test func partsLargerThanTenMegabytesParse() throws {
        // libxml2 refuses a single >10 MB chunk; the reader streams the part instead.
        let row = "<row><c t=\"inlineStr\"><is><t>\(String(repeating: "Phường ", count: 20))</t></is></c></row>"
        let sheet = Fixture.sheet(String(repeating: row, count: 60_000))
        #expect(sheet.utf8.count > 10_000_000)
        let rows = try XLSXReader.read(try Fixture.workbook(sheet: sheet))
        #expect(rows.count == 60_000)
    }
}
