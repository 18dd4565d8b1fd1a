import Foundation
import Testing

@testable import IOCCore

@Suite("CSV files")
struct CSVTableTests {
    private let vietnamese = "Đăng ký khai sinh – Phường Buôn Ma Thuột"

    private func parse(_ text: String, limits: CSVTable.Limits = .init()) throws -> [[String]] {
        try CSVTable.parse(Data(text.utf8), limits: limits)
    }

    @Test func quotedFieldsKeepSeparatorsQuotesAndLineBreaks() throws {
        let rows = try parse(
            "id,note\r\n1,\"a, b\"\r\n2,\"say \"\"xin chào\"\"\"\r\n3,\"dòng 1\r\ndòng 2\ndòng 3\"\r\n")
        #expect(
            rows == [
                ["id", "note"],
                ["1", "a, b"],
                ["2", "say \"xin chào\""],
                ["3", "dòng 1\r\ndòng 2\ndòng 3"],
            ])
    }

    @Test func acceptsLFCRLFAndAMissingFinalLineBreak() throws {
        #expect(try parse("a,b\nc,d") == [["a", "b"], ["c", "d"]])
        #expect(try parse("a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(try parse("a,b\rc,d\r") == [["a", "b"], ["c", "d"]])
    }

    @Test func keepsEmptyFieldsAndBlankLinesSoThatIndexesMatchSpreadsheetRows() throws {
        let rows = try parse("a,,c,\n\nx\n")
        #expect(rows == [["a", "", "c", ""], [""], ["x"]])
        #expect(try parse("") == [])
    }

    @Test func stripsTheUTF8ByteOrderMark() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("Thủ tục,Số hồ sơ\n\(vietnamese),12\n".utf8)
        #expect(try CSVTable.parse(data) == [["Thủ tục", "Số hồ sơ"], [vietnamese, "12"]])
    }

    @Test func detectsTheSemicolonOfVietnameseExcelExports() throws {
        let rows = try parse("Thủ tục;Phường/Xã;Tỉ lệ\nĐăng ký khai sinh;\"Phường Tân Lợi; Phường Ea Tam\";95,3\n")
        #expect(
            rows == [
                ["Thủ tục", "Phường/Xã", "Tỉ lệ"], ["Đăng ký khai sinh", "Phường Tân Lợi; Phường Ea Tam", "95,3"],
            ])
    }

    @Test func detectsTheSeparatorFromTheHeaderOnly() throws {
        // Commas in later rows do not matter when the header is separated by semicolons, and the other way round.
        #expect(try parse("a;b\n1,5;2,5\n") == [["a", "b"], ["1,5", "2,5"]])
        #expect(try parse("a,b\nx;y,z\n") == [["a", "b"], ["x;y", "z"]])
        #expect(try parse("\"Họ; tên\",tuổi\nAn,30\n") == [["Họ; tên", "tuổi"], ["An", "30"]])
        #expect(try parse("a\tb\n1\t2\n") == [["a", "b"], ["1", "2"]])
    }

    @Test func honoursAnExplicitSeparatorAndExcelsSepLine() throws {
        #expect(try CSVTable.parse(Data("a;b,c\n".utf8), separator: .comma) == [["a;b", "c"]])
        #expect(try parse("sep=;\r\na,b;c\r\n") == [["a,b", "c"]])
    }

    @Test func readsExcelUnicodeTextInUTF16LittleEndian() throws {
        let text = "Thủ tục\tGhi chú\r\n\(vietnamese)\t\"có \"\"ngoặc\"\"\"\r\n"
        var data = Data([0xFF, 0xFE])
        for unit in text.utf16 { data.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        #expect(try CSVTable.parse(data) == [["Thủ tục", "Ghi chú"], [vietnamese, "có \"ngoặc\""]])
    }

    @Test func readsUTF16BigEndianWithByteOrderMark() throws {
        var data = Data([0xFE, 0xFF])
        for unit in "a;Đ\n".utf16 { data.append(contentsOf: [UInt8(unit >> 8), UInt8(unit & 0xFF)]) }
        #expect(try CSVTable.parse(data) == [["a", "Đ"]])
    }

    @Test func leniencyMatchesExcelForStrayQuotes() throws {
        #expect(try parse("a\"b,\"c\"d\n") == [["a\"b", "cd"]])
    }

    @Test func writesUTF8WithByteOrderMarkAndQuotesOnlyWhenNeeded() {
        let data = CSVTable.write([["a", "b c", "x,y", "q\"r", "l\nm", ""], []])
        let expected = Data([0xEF, 0xBB, 0xBF]) + Data("a,b c,\"x,y\",\"q\"\"r\",\"l\nm\",\r\n\r\n".utf8)
        #expect(data == expected)
        let semicolons = CSVTable.write([["1,5", "a;b"]], separator: .semicolon)
        #expect(semicolons == Data([0xEF, 0xBB, 0xBF]) + Data("1,5;\"a;b\"\r\n".utf8))
    }

    @Test(arguments: CSVTable.Separator.allCases)
    func vietnameseTextRoundTrips(separator: CSVTable.Separator) throws {
        let rows = [
            ["Thủ tục", "Địa bàn", "Ghi chú"],
            [vietnamese, "Xã Hòa Phú, huyện Buôn Đôn", "Trả kết quả \"đúng hạn\"\r\nĐã ký số"],
            ["Cấp phép xây dựng", "", "ưu tiên; khẩn\tgấp"],
        ]
        let data = CSVTable.write(rows, separator: separator)
        #expect(try CSVTable.parse(data) == rows)
    }

    // MARK: Errors

    @Test func unterminatedQuoteReportsTheRowWhereTheFieldStarts() throws {
        let error = #expect(throws: TabularError.self) {
            try parse("Thủ tục,Ghi chú\nA,ok\nB,\"chưa đóng\nvẫn trong ô\nC,x\n")
        }
        #expect(error?.code == .unterminatedQuote)
        #expect(error?.row == 3)
        #expect(error?.messageVietnamese.contains("Dòng 3") == true)
        #expect(error?.messageEnglish.contains("Row 3") == true)
    }

    @Test func rowNumbersCountRecordsNotLines() throws {
        // Row 2 spans two lines; the broken field is on line 4 but in spreadsheet row 3.
        let error = #expect(throws: TabularError.self) { try parse("h\n\"a\nb\"\n\"c\n") }
        #expect(error?.row == 3)
    }

    @Test func rejectsAFieldLargerThanOneMegabyte() throws {
        let big = String(repeating: "x", count: 1_048_577)
        let error = #expect(throws: TabularError.self) { try parse("a,b\n1,\(big)\n") }
        #expect(error?.code == .fieldTooLarge)
        #expect(error?.row == 2)
        let quoted = #expect(throws: TabularError.self) { try parse("a\n\"\(big)\"\n") }
        #expect(quoted?.code == .fieldTooLarge)
        #expect(try parse("a\n\(big.dropLast())\n")[1][0].utf8.count == 1_048_576)
    }

    @Test func rejectsMoreRowsThanTheLimit() throws {
        let limits = CSVTable.Limits(maxRows: 3)
        #expect(try parse("h\n1\n2\n", limits: limits).count == 3)
        let error = #expect(throws: TabularError.self) { try parse("h\n1\n2\n3\n", limits: limits) }
        #expect(error?.code == .tooManyRows)
        #expect(error?.row == 4)
        let withoutFinalBreak = #expect(throws: TabularError.self) { try parse("h\n1\n2\n3", limits: limits) }
        #expect(withoutFinalBreak?.code == .tooManyRows)
    }

    @Test func theDefaultRowLimitIsOneMillion() {
        #expect(CSVTable.Limits().maxRows == 1_000_000)
        #expect(CSVTable.Limits().maxFieldBytes == 1_048_576)
    }

    @Test func rejectsLegacyEncodingsWithTheRowOfTheFirstBadByte() throws {
        // "Hà Nội" in Windows-1258 is not UTF-8.
        var data = Data("Tỉnh\n".utf8)
        data.append(contentsOf: [0x48, 0xE0, 0x20, 0x4E, 0xF4, 0xD2, 0x69, 0x0A])
        let error = #expect(throws: TabularError.self) { try CSVTable.parse(data) }
        #expect(error?.code == .unsupportedEncoding)
        #expect(error?.row == 2)
    }

    @Test func rejectsTruncatedUTF16() throws {
        let error = #expect(throws: TabularError.self) { try CSVTable.parse(Data([0xFF, 0xFE, 0x41])) }
        #expect(error?.code == .unsupportedEncoding)
    }
}
