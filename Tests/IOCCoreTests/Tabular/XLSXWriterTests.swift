import Foundation
import Testing

@testable import IOCCore

@Suite("Writing XLSX")
struct XLSXWriterTests {
    /// 2024-03-15T03:30:00Z, that is 10:30 in Buôn Ma Thuột.
    private let receivedAt = Date(timeIntervalSince1970: 1_710_473_400)
    private let vietnamese = "Đăng ký khai sinh – Phường Buôn Ma Thuột"

    private func part(_ name: String, of file: Data) throws -> String {
        var package = try XLSXPackage(data: file, maxUncompressedBytes: 10_000_000)
        return String(decoding: try #require(try package.read(name)), as: UTF8.self)
    }

    @Test func everyCellTypeRoundTripsThroughTheReader() throws {
        var writer = XLSXWriter()
        writer.addSheet(
            named: "Hồ sơ tháng 3",
            rows: [
                [
                    .text("Thủ tục"), .text("Số hồ sơ"), .text("Giá trị"), .text("Tỉ lệ"), .text("Ngày tiếp nhận"),
                    .text("Ghi chú"),
                ],
                [.text(vietnamese), .integer(128), .number(3.14159), .percent(0.953), .date(receivedAt), .empty],
                [
                    .text("<b> & \"c\" 'd'"), .integer(-42), .number(2), .percent(1), .empty,
                    .text("  có khoảng trắng  "),
                ],
                [
                    .text("dòng 1\r\ndòng 2\tcột"), .integer(1_234_567_890_123), .number(-1.5e-7), .empty, .empty,
                    .text("_x0041_"),
                ],
                [],
                [.empty, .text("\u{0}\u{8}sạch\u{B}\u{FFFE}"), .number(.nan), .number(.infinity)],
                [.text(vietnamese)],
            ])
        writer.addSheet(named: "Tổng hợp", rows: [[.text("Tổng"), .integer(1)]], hasHeaderRow: false)
        let file = try writer.data()

        #expect(try XLSXReader.sheetNames(file) == ["Hồ sơ tháng 3", "Tổng hợp"])
        let rows = try XLSXReader.read(file)
        #expect(
            rows == [
                ["Thủ tục", "Số hồ sơ", "Giá trị", "Tỉ lệ", "Ngày tiếp nhận", "Ghi chú"],
                [vietnamese, "128", "3.14159", "0.953", "2024-03-15T10:30:00"],
                ["<b> & \"c\" 'd'", "-42", "2", "1", "", "  có khoảng trắng  "],
                ["dòng 1\r\ndòng 2\tcột", "1234567890123", "-1.5e-07", "", "", "_x0041_"],
                [],
                ["", "sạch", "#NUM!", "#NUM!"],
                [vietnamese],
            ])
        #expect(try XLSXReader.read(file, sheet: 1) == [["Tổng", "1"]])
        let date = XLSXReader.date(fromISOText: rows[1][4], timeZone: XLSXWriter.vietnamTimeZone)
        #expect(date == receivedAt)
    }

    @Test func headerIsBoldAndFrozenAndFormatsAreApplied() throws {
        var writer = XLSXWriter()
        writer.addSheet(
            named: "Báo cáo",
            rows: [[.text("Ngày"), .text("Tỉ lệ")], [.date(receivedAt), .percent(0.5)]],
            columnWidths: [18, 12.5])
        let file = try writer.data()
        let sheet = try part("xl/worksheets/sheet1.xml", of: file)
        #expect(sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(sheet.contains("<col min=\"1\" max=\"1\" width=\"18.0\" customWidth=\"1\"/>"))
        #expect(sheet.contains("<col min=\"2\" max=\"2\" width=\"12.5\" customWidth=\"1\"/>"))
        let boldText = XLSXWriter.CellStyle.general.index(bold: true)
        #expect(sheet.contains("<c r=\"A1\" s=\"\(boldText)\" t=\"s\">"))
        #expect(
            sheet.contains(
                "<c r=\"A2\" s=\"\(XLSXWriter.CellStyle.dateTime.index(bold: false))\"><v>45366.4375</v></c>"))
        #expect(sheet.contains("<c r=\"B2\" s=\"\(XLSXWriter.CellStyle.percent.index(bold: false))\"><v>0.5</v></c>"))

        let styles = try part("xl/styles.xml", of: file)
        #expect(styles.contains("formatCode=\"dd/mm/yyyy hh:mm\""))
        #expect(styles.contains("<font><b/>"))
        // The bold cell style uses the bold font, and the percent style the built-in 0.00% format.
        let cellFormats = styles.components(separatedBy: "<cellXfs")[1].components(separatedBy: "<xf ").dropFirst()
        #expect(cellFormats[cellFormats.startIndex + boldText].contains("fontId=\"1\""))
        #expect(
            cellFormats[cellFormats.startIndex + XLSXWriter.CellStyle.percent.index(bold: false)].contains(
                "numFmtId=\"10\""))
    }

    @Test func withoutHeaderNothingIsFrozenAndWidthsAreEstimated() throws {
        var writer = XLSXWriter()
        writer.addSheet(
            named: "Dữ liệu", rows: [[.text("ngắn"), .text(String(repeating: "dài ", count: 30))], [.integer(1)]],
            hasHeaderRow: false)
        let sheet = try part("xl/worksheets/sheet1.xml", of: try writer.data())
        #expect(!sheet.contains("frozen"))
        #expect(sheet.contains("<c r=\"A1\" t=\"s\">"))
        #expect(sheet.contains("<col min=\"1\" max=\"1\" width=\"8.0\" customWidth=\"1\"/>"))
        #expect(sheet.contains("<col min=\"2\" max=\"2\" width=\"60.0\" customWidth=\"1\"/>"))
    }

    @Test func packageHasThePartsExcelExpects() throws {
        var writer = XLSXWriter()
        writer.addSheet(named: "A", rows: [[.text("x")]])
        writer.addSheet(named: "B", rows: [])
        let file = try writer.data()
        let contentTypes = try part("[Content_Types].xml", of: file)
        #expect(contentTypes.contains("PartName=\"/xl/worksheets/sheet2.xml\""))
        #expect(contentTypes.contains("spreadsheetml.sheet.main+xml"))
        #expect(try part("_rels/.rels", of: file).contains("Target=\"xl/workbook.xml\""))
        #expect(try part("xl/_rels/workbook.xml.rels", of: file).contains("Target=\"worksheets/sheet2.xml\""))
        #expect(try part("docProps/core.xml", of: file).contains("<dc:creator>IOC</dc:creator>"))
        #expect(try part("docProps/app.xml", of: file).contains("<Application>IOC</Application>"))
        // [Content_Types].xml comes first in the archive, as some readers expect.
        #expect(file.range(of: Data("[Content_Types].xml".utf8))?.lowerBound == 30)
        #expect(try XLSXReader.read(file, sheet: 1) == [])
    }

    @Test func sameWorkbookGivesTheSameBytes() throws {
        var writer = XLSXWriter()
        writer.addSheet(named: "Hồ sơ", rows: [[.text(vietnamese), .date(receivedAt)]])
        #expect(try writer.data() == (try writer.data()))
    }

    @Test func sheetNamesAreMadeAcceptableToExcel() {
        let names = XLSXWriter.sanitizedSheetNames([
            "Hồ sơ: tháng 3/2024",
            "hồ sơ_ tháng 3_2024",
            "",
            "History",
            "Phường Buôn Ma Thuột và các xã lân cận",
            "'Trích dẫn'",
            "Ho\u{0302} so\u{031B}",  // decomposed (NFD) Vietnamese, as macOS may send it
            "Phường Buôn Ma Thuột và các xã lân cận",
        ])
        #expect(
            names == [
                "Hồ sơ_ tháng 3_2024",
                "hồ sơ_ tháng 3_2024 (2)",
                "Sheet3",
                "History_",
                "Phường Buôn Ma Thuột và các xã",
                "Trích dẫn",
                "Hô sơ",
                "Phường Buôn Ma Thuột và các (2)",
            ])
        #expect(names.allSatisfy { $0.utf16.count <= 31 })
    }

    @Test func escapesSheetNamesInTheWorkbookPart() throws {
        var writer = XLSXWriter()
        writer.addSheet(named: "A & B <\"C\">", rows: [[.text("x")]])
        let file = try writer.data()
        #expect(try part("xl/workbook.xml", of: file).contains("name=\"A &amp; B &lt;&quot;C&quot;&gt;\""))
        #expect(try XLSXReader.sheetNames(file) == ["A & B <\"C\">"])
    }

    @Test func datesBefore1900AreWrittenAsText() throws {
        let old = Date(timeIntervalSince1970: -2_500_000_000)  // 1890-10-11T19:33:20Z
        var writer = XLSXWriter(timeZone: .gmt)
        writer.addSheet(named: "Cũ", rows: [[.date(old)]], hasHeaderRow: false)
        #expect(try XLSXReader.read(try writer.data()) == [["1890-10-11T19:33:20"]])
    }

    @Test func refusesWhatExcelCannotOpen() throws {
        #expect((#expect(throws: TabularError.self) { try XLSXWriter().data() })?.code == .emptyWorkbook)

        var tooLong = XLSXWriter()
        tooLong.addSheet(named: "A", rows: [[.text("ok")], [.text(String(repeating: "x", count: 32_768))]])
        let error = #expect(throws: TabularError.self) { try tooLong.data() }
        #expect(error?.code == .cellTooLong)
        #expect(error?.row == 2)

        var tooWide = XLSXWriter()
        tooWide.addSheet(named: "A", rows: [Array(repeating: .integer(1), count: 16_385)])
        #expect((#expect(throws: TabularError.self) { try tooWide.data() })?.code == .tooManyCells)
    }
}
