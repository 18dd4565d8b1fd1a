import Foundation
import Testing
import IOCCore

/// Recorded requests of real Open311 clients (Fixtures/clients, see its README.md) decoded with
/// `FormURLEncoded` and validated with `Open311CreateParameters` / `Open311QueryParameters`.
@Suite("Recorded client requests")
struct ClientFixtureTests {
    typealias S = Open311TestSupport

    private func create(_ name: String) throws -> Open311CreateParameters {
        let r = try S.load(name)
        #expect(r.method == "POST")
        #expect(r.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
        return try Open311CreateParameters(pairs: try S.pairs(r))
    }

    private func query(_ name: String) throws -> (S.RecordedRequest, Open311QueryParameters) {
        let r = try S.load(name)
        #expect(r.method == "GET")
        return (r, try Open311QueryParameters(pairs: try S.pairs(r)))
    }

    @Test("every fixture is well-formed, names its source client and decodes")
    func allFixturesDecode() throws {
        let names = try S.fixtureNames()
        #expect(names.count >= 18)
        for name in names {
            let r = try S.load(name)
            #expect(r.comments.first?.hasPrefix("# client: ") == true, "\(name)")
            #expect(["GET", "POST"].contains(r.method), "\(name)")
            #expect(r.resource != nil, "\(name): \(r.path)")
            #expect(!S.text(Array(r.path.utf8)).contains("{{"), "\(name): unsubstituted placeholder")
            _ = try S.pairs(r)
        }
    }

    @Test("FixMyStreet POST, Vietnamese report (perllib/Open311.pm _populate_service_request_params)")
    func fmsVietnamese() throws {
        let r = try S.load("fms-post-request-vi.txt")
        #expect(r.path == "/requests.xml")
        #expect(r.resource?.format == .xml)
        let p = try create("fms-post-request-vi.txt")
        #expect(p.apiKey == "khoa-thu-nghiem-01")
        #expect(p.jurisdictionID == "daklak.gov.vn")
        #expect(p.serviceCode == "GT-O-GA")
        let title = "Ổ gà lớn trước số 12 Lê Duẩn"
        let detail = "Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột (gần ngã sáu). Xe máy đi qua rất nguy hiểm, nhất là ban đêm & khi trời mưa."
        let url = "https://phananh.daklak.gov.vn/report/1234"
        #expect(p.description == title + "\n\n" + detail + "\n\n" + url + "\n") // CRLF on the wire, LF stored
        #expect(p.firstName == "Nguyễn")
        #expect(p.lastName == "Thị Lan")
        #expect(p.email == "lan.nguyen@example.vn")
        #expect(p.phone == "0912 345 678")
        #expect(p.lat == 12.667512)
        #expect(p.long == 108.0383)
        #expect(p.mediaURLs == ["https://phananh.daklak.gov.vn/photo/1234.0.full.jpeg"])
        #expect(p.attributes == ["muc_do": ["nghiem_trong"], "report_url": [url], "title": [title], "description": [detail]])
        // the exact UTF-8 bytes of the title survive decoding
        #expect(Array(p.attributes["title"]![0].utf8) == Array(title.utf8))
    }

    @Test("FixMyStreet's own t/open311.t request")
    func fmsTestSuiteRequest() throws {
        let p = try create("fms-post-request-t-open311.txt")
        #expect(p.serviceCode == "pothole")
        #expect(p.description == "title: a problem\n\ndetail: problem detail\n\nurl: http://example.com/report/1\n\nSubmitted via FixMyStreet\n")
        #expect(p.firstName == "Test")
        #expect(p.lastName == "User")
        #expect(p.email == "test@example.com")
        #expect(p.lat == 1)
        #expect(p.long == 2)
        #expect(p.apiKey == nil)
        #expect(p.jurisdictionID == nil)
    }

    @Test("FixMyStreet UK attributes and repeated media_url")
    func fmsUKAttributes() throws {
        let p = try create("fms-post-request-uk-attributes.txt")
        #expect(p.attributes["easting"] == ["530123"])
        #expect(p.attributes["northing"] == ["181234"])
        #expect(p.attributes["fixmystreet_id"] == ["4321"])
        #expect(p.attributes["title"] == ["Pothole; 30cm deep"])
        #expect(p.attributes["description"] == ["Large pothole outside no. 12 — \"dangerous\" for cyclists."])
        #expect(p.attributes["group"] == ["Roads & pavements"])
        #expect(p.attributes.count == 8)
        #expect(p.email == "jane+fms@example.org")
        #expect(p.lat == 51.4021)
        #expect(p.long == -0.01578)
        #expect(p.mediaURLs == ["https://www.fixmystreet.com/photo/4321.0.full.jpeg", "https://www.fixmystreet.com/photo/4321.1.full.jpeg"])
    }

    @Test("FixMyStreet without a pin: address_string only")
    func fmsAddressString() throws {
        let p = try create("fms-post-request-address-string.txt")
        #expect(p.lat == nil && p.long == nil)
        #expect(p.addressString == "45 Nguyễn Tất Thành, Buôn Ma Thuột")
        #expect(p.description == "Đèn đường hỏng cả tuần nay, khu vực tối om.")
        #expect(p.firstName == "Trần")
        #expect(p.lastName == "Văn Bình")
    }

    @Test("FixMyStreet Bromley: address_id=#NOTPINPOINTED# and deviceid")
    func fmsNotPinpointed() throws {
        let p = try create("fms-post-request-notpinpointed.txt")
        #expect(p.addressID == "#NOTPINPOINTED#")
        #expect(p.lat == nil)
        #expect(p.deviceID == "iPhone")
        #expect(p.attributes["requested_datetime"] == ["2026-03-01T08:15:30+00:00"])
        #expect(p.attributes["public_anonymity_required"] == ["FALSE"])
        #expect(p.attributes["service_request_id_ext"] == ["99"])
    }

    @Test("FixMyStreet GETs: services, definition, token")
    func fmsGets() throws {
        let (services, q1) = try query("fms-get-services.txt")
        #expect(services.path == "/services.xml")
        #expect(q1.jurisdictionID == "daklak.gov.vn")
        let (definition, _) = try query("fms-get-service-definition.txt")
        #expect(definition.path == "/services/GT-O-GA.xml")
        #expect(definition.resource?.name == "GT-O-GA")
        #expect(definition.resource?.format == .xml)
        let (token, _) = try query("fms-get-token.txt")
        #expect(token.path == "/tokens/tok-9f2c7.xml")
        #expect(token.resource?.name == "tok-9f2c7")
    }

    @Test("FixMyStreet report fetch windows (UTC 'Z' and a local +07:00 zone sent as %2B07%3A00)")
    func fmsWindows() throws {
        let (_, utc) = try query("fms-get-requests-window-utc.txt")
        #expect(utc.startDate == W3CDateTime.parse("2026-03-01T07:15:30Z"))
        #expect(utc.endDate == W3CDateTime.parse("2026-03-01T08:15:30Z"))
        #expect(utc.jurisdictionID == "daklak.gov.vn")
        let (_, local) = try query("fms-get-requests-window-local.txt")
        #expect(local.startDate == Date(timeIntervalSince1970: 1_772_319_600)) // 2026-03-01T06:00:00+07:00
        #expect(local.endDate == Date(timeIntervalSince1970: 1_772_420_400))
    }

    @Test("FixMyStreet update poll by ids: service_request_id=a%2Cb")
    func fmsByIDs() throws {
        let (_, q) = try query("fms-get-requests-by-id.txt")
        #expect(q.serviceRequestIDs == ["DLK-2026-000123", "DLK-2026-000124"])
    }

    @Test("FixMyStreet servicerequestupdates GET carries api_key and both dates")
    func fmsUpdates() throws {
        let r = try S.load("fms-get-servicerequestupdates.txt")
        let pairs = try S.pairs(r)
        #expect(pairs.first { $0.name == "api_key" }?.value == "khoa-thu-nghiem-01")
        let q = try Open311QueryParameters(pairs: pairs)
        #expect(q.startDate != nil && q.endDate != nil)
    }

    @Test("three (Python): GET requests.json with page_size and midnight-Z dates")
    func threeGet() throws {
        let (r, q) = try query("three-get-requests-json.txt")
        #expect(r.resource?.format == .json)
        #expect(q.statuses == ["open"])
        #expect(q.serviceCodes == ["GT-O-GA"])
        #expect(q.pageSize == 50)
        #expect(q.startDate == W3CDateTime.parse("2026-03-01T00:00:00Z"))
        #expect(q.endDate == W3CDateTime.parse("2026-03-07T00:00:00Z"))
    }

    @Test("three (Python): POST requests.json with the Vietnamese description")
    func threePost() throws {
        let r = try S.load("three-post-request-json.txt")
        #expect(r.path == "/requests.json")
        let p = try create("three-post-request-json.txt")
        #expect(p.description == "Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột")
        #expect(Array(p.description!.utf8) == Array("Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột".utf8))
        #expect(p.lat == 12.6675)
        #expect(p.long == 108.0378)
        #expect(p.firstName == "Lan" && p.lastName == "Nguyen")
        #expect(p.email == "lan@example.vn")
        #expect(p.attributes == ["muc_do": ["nghiem_trong"]])
        #expect(p.apiKey == "khoa-thu-nghiem-01")
        #expect(p.serviceCode == "GT-O-GA")
    }

    @Test("georeport (Python): dates with +07:00 sent as %2B, status list; single request path")
    func georeport() throws {
        let (_, q) = try query("georeport-get-requests-json.txt")
        #expect(q.startDate == Date(timeIntervalSince1970: 1_772_298_000))
        #expect(q.endDate == W3CDateTime.parse("2026-03-31T23:59:59+07:00"))
        #expect(q.statuses == ["open", "closed"])
        let (single, _) = try query("georeport-get-request-json.txt")
        #expect(single.resource?.name == "DLK-2026-000123")
        #expect(single.resource?.format == .json)
    }

    @Test("old Python open311 asks for the singular /service/{code}.xml")
    func open311Python() throws {
        let (r, q) = try query("open311-python-get-service-definition.txt")
        #expect(r.path == "/service/GT-O-GA.xml")
        #expect(q.jurisdictionID == "daklak.gov.vn")
    }

    @Test("SeeClickFix validator: discovery GET, and a create POST that must be refused with 400")
    func validator() throws {
        let d = try S.load("seeclickfix-validator-get-discovery.txt")
        #expect(d.path == "/discovery.xml")
        #expect(d.query == nil)
        let r = try S.load("seeclickfix-validator-post.txt")
        let pairs = try S.pairs(r)
        #expect(pairs.map(\.value) == ["foo@bar.com", "I know"])
        #expect(throws: Open311Error(code: 400, description: "Thiếu service_code / service_code is missing")) {
            try Open311CreateParameters(pairs: pairs)
        }
    }
}
