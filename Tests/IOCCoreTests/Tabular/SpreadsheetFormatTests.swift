import Foundation
import Testing

@testable import IOCCore

@Suite("Spreadsheet formats")
struct SpreadsheetFormatTests {
    // MARK: Excel serial dates

    @Test(arguments: [
        (45366.4375, "2024-03-15T10:30:00"),
        (45659.3369097222, "2025-01-02T08:05:09"),  // rounded to the nearest second
        (25569.0, "1970-01-01T00:00:00"),
        (61.0, "1900-03-01T00:00:00"),
        (59.0, "1900-02-28T00:00:00"),  // before Lotus's phantom 1900-02-29
        (1.0, "1900-01-01T00:00:00"),
        (0.5, "1899-12-30T12:00:00"),  // a time of day alone
        (0.999_999_99, "1900-01-01T00:00:00"),  // rounds up to serial 1
        (2_958_465.0, "9999-12-31T00:00:00"),
    ])
    func serialsInThe1900DateSystem(serial: Double, expected: String) {
        #expect(ExcelSerialDate.localDateTime(serial: serial, date1904: false)?.isoString == expected)
    }

    @Test func serialsInThe1904DateSystem() {
        #expect(ExcelSerialDate.localDateTime(serial: 0, date1904: true)?.isoString == "1904-01-01T00:00:00")
        #expect(ExcelSerialDate.localDateTime(serial: 43904.75, date1904: true)?.isoString == "2024-03-15T18:00:00")
    }

    @Test func serialsOutsideExcelsRangeAreNotDates() {
        #expect(ExcelSerialDate.localDateTime(serial: -1, date1904: false) == nil)
        #expect(ExcelSerialDate.localDateTime(serial: 2_958_466, date1904: false) == nil)
        #expect(ExcelSerialDate.localDateTime(serial: .nan, date1904: false) == nil)
    }

    @Test func civilDateConversionsAreInverse() {
        for days in stride(from: -30_000, through: 3_000_000, by: 997) {
            let civil = ExcelSerialDate.civilDate(daysSinceUnixEpoch: days)
            #expect(ExcelSerialDate.daysSinceUnixEpoch(year: civil.year, month: civil.month, day: civil.day) == days)
        }
        #expect(ExcelSerialDate.civilDate(daysSinceUnixEpoch: 19_797) == (2024, 3, 15))
        #expect(ExcelSerialDate.civilDate(daysSinceUnixEpoch: 19_782) == (2024, 2, 29))
    }

    @Test func writerSerialsReadBackToTheSameLocalTime() throws {
        // 2024-03-15T10:30:00 local = 1_710_498_600 local seconds since the epoch.
        let serial = try #require(ExcelSerialDate.serial(localSecondsSinceUnixEpoch: 1_710_498_600))
        #expect(serial == 45366.4375)
        #expect(ExcelSerialDate.serial(localSecondsSinceUnixEpoch: -2_208_988_800) == nil)  // 1900-01-01
    }

    // MARK: Number formats

    @Test(arguments: [
        ("dd/mm/yyyy hh:mm", true),
        ("[$-42A]dd/mm/yyyy;@", true),
        ("DD/MM/YYYY", true),
        ("yyyy\\-mm\\-dd", true),
        ("mmm-yy", true),
        ("hh:mm", true),  // "m" is read as a date part, as for built-in times 18–21
        ("General", false),
        ("0.00%", false),
        ("#,##0 [$₫-42A]", false),
        ("#,##0.00\" m\"", false),
        ("#,##0\\ \\d", false),
        ("[Red]0.00;[Blue]-0.00", false),
        ("0_);(0)", false),
    ])
    func customDateFormatsAreRecognised(code: String, isDate: Bool) {
        #expect(XLSXReader.NumberFormat.isDateFormat(code) == isDate)
    }

    @Test func builtInDateFormats() {
        let dates = (0...200).filter(XLSXReader.NumberFormat.isBuiltInDateFormat)
        #expect(dates == Array(14...22) + Array(45...47))
    }

    // MARK: XML text

    @Test func escapingHandlesMarkupAndIllegalCharacters() {
        #expect(SpreadsheetXML.escaped("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;")
        #expect(SpreadsheetXML.escaped("x\u{0}\u{1}\u{8}\u{B}\u{C}\u{1F}\u{FFFE}\u{FFFF}y\t\n") == "xy\t\n")
        #expect(SpreadsheetXML.escaped("Đắk Lắk 😀") == "Đắk Lắk 😀")
        #expect(SpreadsheetXML.escaped("a\r\nb", encodingControlCharacters: true) == "a_x000D_\nb")
        #expect(SpreadsheetXML.escaped("_x0041_ _x12_", encodingControlCharacters: true) == "_x005F_x0041_ _x12_")
    }

    @Test func escapesDecodeBackToTheOriginalText() {
        for text in ["a\r\nb", "_x0041_", "_x005F_x0041_", "plain _ text_x", "Phường_x000A_"] {
            let stored = SpreadsheetXML.escaped(text, encodingControlCharacters: true)
            #expect(SpreadsheetXML.decodingEscapes(stored) == text)
        }
        #expect(SpreadsheetXML.decodingEscapes("a_x000D__x000A_b") == "a\r\nb")
    }

    @Test func columnReferences() {
        #expect(SpreadsheetXML.columnName(0) == "A")
        #expect(SpreadsheetXML.columnName(25) == "Z")
        #expect(SpreadsheetXML.columnName(26) == "AA")
        #expect(SpreadsheetXML.columnName(16_383) == "XFD")
        #expect(SpreadsheetXML.columnIndex(ofReference: "A1") == 0)
        #expect(SpreadsheetXML.columnIndex(ofReference: "ab12") == 27)
        #expect(SpreadsheetXML.columnIndex(ofReference: "$C$3") == 2)
        #expect(SpreadsheetXML.columnIndex(ofReference: "XFD1048576") == 16_383)
        #expect(SpreadsheetXML.columnIndex(ofReference: "12") == nil)
        #expect(SpreadsheetXML.columnIndex(ofReference: "ZZZZZZZZZZZZZZZ1") == nil)
        for index in [0, 1, 25, 26, 701, 702, 16_383] {
            #expect(SpreadsheetXML.columnIndex(ofReference: SpreadsheetXML.columnName(index) + "7") == index)
        }
    }

    @Test func documentTypeDeclarationsAreFoundOnlyInTheProlog() {
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(Data("<?xml version=\"1.0\"?><!DOCTYPE x><x/>".utf8)))
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(Data("<!-- <y> --><!DOCTYPE x><x/>".utf8)))
        #expect(!SpreadsheetXML.hasDocumentTypeDeclaration(Data("<?xml version=\"1.0\"?><x>&lt;!DOCTYPE</x>".utf8)))
        #expect(!SpreadsheetXML.hasDocumentTypeDeclaration(Data("<x><![CDATA[<!DOCTYPE]]></x>".utf8)))
    }

    /// Issue 11: the pre-check was bypassable by a processing instruction containing "<" and by UTF-16 parts.
    @Test func documentTypeDeclarationsAreFoundInAnyEncodingAndPastProcessingInstructions() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE w [<!ENTITY a \"b\">]><w>&a;</w>"
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(Data("<?xml version=\"1.0\"?><?x <y?><!DOCTYPE w [<!ENTITY a \"b\">]><w/>".utf8)))
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(doc.data(using: .utf16)!))             // with BOM
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(doc.data(using: .utf16BigEndian)!))    // no BOM
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(doc.data(using: .utf16LittleEndian)!))
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(doc.data(using: .utf32BigEndian)!))
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(Data(([0xEF, 0xBB, 0xBF] + Array("<!DOCTYPE x><x/>".utf8)))))
        // An encoding the scan cannot read is refused outright.
        #expect(SpreadsheetXML.hasDocumentTypeDeclaration(Data("<?xml version=\"1.0\" encoding=\"UTF-7\"?><x/>".utf8)))
        // Ordinary parts pass, in UTF-8 and UTF-16.
        let plain = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet><sheetData/></worksheet>"
        #expect(!SpreadsheetXML.hasDocumentTypeDeclaration(Data(plain.utf8)))
        #expect(!SpreadsheetXML.hasDocumentTypeDeclaration(plain.replacingOccurrences(of: "UTF-8", with: "UTF-16").data(using: .utf16)!))
        #expect(!SpreadsheetXML.hasDocumentTypeDeclaration(Data("<?xml version=\"1.0\"?><?mso-application progid=\"Excel.Sheet\"?><x/>".utf8)))
    }
}
