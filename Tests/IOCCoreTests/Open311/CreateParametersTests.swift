import Foundation
import Testing
import IOCCore

@Suite("Open311CreateParameters")
struct CreateParametersTests {
    private func make(_ pairs: [(String, String)]) throws(Open311Error) -> Open311CreateParameters {
        try Open311CreateParameters(pairs: pairs.map { (name: $0.0, value: $0.1) })
    }

    private func error(_ pairs: [(String, String)]) -> Open311Error? {
        do {
            _ = try make(pairs)
            return nil
        } catch {
            return error
        }
    }

    private let located: [(String, String)] = [("service_code", "GT-O-GA"), ("lat", "12.6675"), ("long", "108.0378")]

    @Test("a minimal request with lat/long")
    func minimal() throws {
        let p = try make(located)
        #expect(p.serviceCode == "GT-O-GA")
        #expect(p.lat == 12.6675)
        #expect(p.long == 108.0378)
        #expect(p.description == nil)
        #expect(p.mediaURLs.isEmpty)
        #expect(p.attributes.isEmpty)
    }

    @Test("service_code is required; empty means absent")
    func serviceCodeRequired() {
        let e = error([("lat", "1"), ("long", "2")])
        #expect(e == Open311Error(code: 400, description: "Thiếu service_code / service_code is missing"))
        #expect(error([("service_code", ""), ("lat", "1"), ("long", "2")])?.code == 400)
        #expect(error([("service_code", "   "), ("lat", "1"), ("long", "2")])?.code == 400)
    }

    @Test("a location is required: lat+long, address_string or address_id")
    func locationRequired() throws {
        let e = try #require(error([("service_code", "X")]))
        #expect(e.code == 400)
        #expect(e.description.hasPrefix("Thiếu vị trí"))
        #expect(e.description.contains("A location is required"))
        #expect(try make([("service_code", "X"), ("address_string", "12 Lê Duẩn, Buôn Ma Thuột")]).addressString == "12 Lê Duẩn, Buôn Ma Thuột")
        #expect(try make([("service_code", "X"), ("address_id", "#NOTPINPOINTED#")]).addressID == "#NOTPINPOINTED#")
        #expect(error([("service_code", "X"), ("address_string", ""), ("lat", ""), ("long", "")])?.code == 400)
    }

    @Test("lat and long must come together")
    func latLongTogether() {
        #expect(error([("service_code", "X"), ("lat", "12.5")])?.description == "lat và long phải được gửi cùng nhau / lat and long must be given together")
        #expect(error([("service_code", "X"), ("long", "108"), ("address_string", "a")])?.code == 400)
    }

    @Test("lat/long must be plain finite decimals in range",
          arguments: [("abc", "108"), ("12,5", "108"), ("1e1", "108"), ("nan", "108"), ("inf", "108"),
                      ("90.0001", "108"), ("-91", "108"), ("12", "180.5"), ("12", "-181"), ("0x10", "1"), ("--1", "1"), ("1.2.3", "1")])
    func badCoordinates(_ lat: String, _ long: String) {
        #expect(error([("service_code", "X"), ("lat", lat), ("long", long)])?.code == 400)
    }

    @Test("boundary and signed coordinates are accepted")
    func goodCoordinates() throws {
        let p = try make([("service_code", "X"), ("lat", "-90"), ("long", "+180.0")])
        #expect(p.lat == -90)
        #expect(p.long == 180)
        #expect(try make([("service_code", "X"), ("lat", " 12.667512 "), ("long", "108.0383")]).lat == 12.667512)
    }

    @Test("description up to 4,000 characters (Vietnamese characters count once)")
    func descriptionLength() throws {
        let ok = String(repeating: "ổ", count: 4000) // 12,000 UTF-8 bytes
        #expect(try make(located + [("description", ok)]).description == ok)
        let tooLong = String(repeating: "ổ", count: 4001)
        let e = try #require(error(located + [("description", tooLong)]))
        #expect(e.code == 400)
        #expect(e.description.contains("4000"))
    }

    @Test("every value ≤ 4,000 characters, names ≤ 200, at most 200 parameters")
    func limits() {
        #expect(error(located + [("first_name", String(repeating: "a", count: 4001))])?.code == 400)
        #expect(error(located + [(String(repeating: "n", count: 201), "x")])?.code == 400)
        let many = (0..<198).map { ("x\($0)", "1") }
        #expect(error(located + many) != nil) // 201 parameters
        #expect(error(Array((located + many).dropLast())) == nil) // 200
    }

    @Test("control characters other than TAB, LF, CR are rejected",
          arguments: ["a\u{0}b", "a\u{1}b", "a\u{1B}b", "a\u{7F}b", "a\u{85}b", "a\u{FFFE}b", "a\u{FFFF}b"])
    func controlCharacters(_ value: String) {
        #expect(error(located + [("description", value)])?.code == 400)
        #expect(error(located + [("attribute[x]", value)])?.code == 400)
    }

    @Test("TAB and line breaks are kept; CRLF and CR become LF")
    func lineBreaks() throws {
        let p = try make(located + [("description", "dòng 1\r\ndòng 2\rdòng 3\n\tthụt lề")])
        #expect(p.description == "dòng 1\ndòng 2\ndòng 3\n\tthụt lề")
    }

    @Test("attribute[CODE] and attribute[CODE][] are collected in order; malformed names ignored")
    func attributes() throws {
        let p = try make(located + [
            ("attribute[muc_do]", "nghiem_trong"),
            ("attribute[loai][]", "o_ga"),
            ("attribute[loai][]", "nut"),
            ("attribute[loai]", "lun"),
            ("attribute[empty]", ""),
            ("attribute[]", "x"),
            ("attribute[a][b]", "x"),
            ("attribute[a", "x"),
            ("attribute", "{'WHEREIST': 'BIKE'}"),
            ("attribute[title]", "Ổ gà lớn"),
        ])
        #expect(p.attributes == ["muc_do": ["nghiem_trong"], "loai": ["o_ga", "nut", "lun"], "title": ["Ổ gà lớn"]])
    }

    @Test("media_url may repeat and must be http(s)")
    func mediaURLs() throws {
        let p = try make(located + [("media_url", "https://a.vn/1.jpg"), ("media_url[]", "http://a.vn/2.jpg"), ("media_url", "")])
        #expect(p.mediaURLs == ["https://a.vn/1.jpg", "http://a.vn/2.jpg"])
        #expect(error(located + [("media_url", "javascript:alert(1)")])?.code == 400)
        #expect(error(located + [("media_url", "ftp://a.vn/x")])?.code == 400)
    }

    @Test("identity fields, aliases and unknown parameters")
    func identity() throws {
        let p = try make(located + [
            ("email", " lan@example.vn "), ("first_name", "Nguyễn"), ("last_name", "Thị Lan"),
            ("phone", "0912 345 678"), ("deviceid", "iPhone"), ("account_id", "A1"),
            ("api_key", "k"), ("jurisdiction_id", "daklak.gov.vn"), ("phone_number", "ignored"), ("foo", "bar"),
        ])
        #expect(p.email == "lan@example.vn")
        #expect(p.firstName == "Nguyễn")
        #expect(p.lastName == "Thị Lan")
        #expect(p.phone == "0912 345 678")
        #expect(p.deviceID == "iPhone")
        #expect(p.accountID == "A1")
        #expect(p.apiKey == "k")
        #expect(p.jurisdictionID == "daklak.gov.vn")
        #expect(try make(located + [("device_id", "d")]).deviceID == "d")
        #expect(try make(located + [("email", "")]).email == nil)
        #expect(error(located + [("email", "not an email")])?.code == 400)
        #expect(error(located + [("email", "a@b@c")])?.code == 400)
    }

    @Test("a single-valued parameter repeated with another value is a 400; the same value is fine")
    func duplicates() throws {
        #expect(error(located + [("service_code", "OTHER")])?.description.contains("service_code") == true)
        #expect(try make(located + [("service_code", "GT-O-GA")]).serviceCode == "GT-O-GA")
        #expect(try make(located + [("email", ""), ("email", "a@b.vn")]).email == "a@b.vn")
    }

    @Test("errors are bilingual Vietnamese / English")
    func bilingual() throws {
        let e = try #require(error([("service_code", "X"), ("lat", "91"), ("long", "1")]))
        #expect(e.description == "lat phải là số thập phân trong khoảng -90 đến 90 / lat must be a decimal number between -90 and 90")
    }
}
