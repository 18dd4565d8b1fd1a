import Foundation
import Testing
import IOCCore

@Suite("Open311QueryParameters")
struct QueryParametersTests {
    private func make(_ pairs: [(String, String)]) throws(Open311Error) -> Open311QueryParameters {
        try Open311QueryParameters(pairs: pairs.map { (name: $0.0, value: $0.1) })
    }

    private func error(_ pairs: [(String, String)]) -> Open311Error? {
        do {
            _ = try make(pairs)
            return nil
        } catch {
            return error
        }
    }

    @Test("defaults: no filters, page 1, page_size 50, no extensions")
    func defaults() throws {
        let q = try make([])
        #expect(q.serviceRequestIDs == nil)
        #expect(q.serviceCodes == nil)
        #expect(q.statuses == nil)
        #expect(q.startDate == nil && q.endDate == nil)
        #expect(q.page == 1)
        #expect(q.pageSize == 50)
        #expect(q.extensions == false)
        #expect(q == Open311QueryParameters())
    }

    @Test("comma lists are trimmed, empty items and duplicates dropped, repeats merged")
    func lists() throws {
        let q = try make([("service_request_id", " 1, 2,,3 ,2"), ("service_code", "A,B"), ("service_code", "C"), ("status", "Open, closed")])
        #expect(q.serviceRequestIDs == ["1", "2", "3"])
        #expect(q.serviceCodes == ["A", "B", "C"])
        #expect(q.statuses == ["open", "closed"])
        #expect(try make([("service_code", " , ")]).serviceCodes == nil)
    }

    @Test("status other than open/closed is a 400")
    func badStatus() throws {
        let e = try #require(error([("status", "open,pending")]))
        #expect(e.code == 400)
        #expect(e.description.contains("pending"))
        #expect(e.description.contains(" / status must be open or closed"))
    }

    @Test("at most 100 service_request_id values")
    func idLimit() {
        let hundred = (1...100).map(String.init).joined(separator: ",")
        #expect(error([("service_request_id", hundred)]) == nil)
        #expect(error([("service_request_id", hundred + ",101")])?.code == 400)
    }

    @Test("dates must be W3C-DTF with a zone; the error names the parameter")
    func dates() throws {
        let q = try make([("start_date", "2026-03-01T00:00:00+07:00"), ("end_date", "2026-03-07T00:00:00Z")])
        #expect(q.startDate == Date(timeIntervalSince1970: 1_772_298_000))
        #expect(q.endDate == Date(timeIntervalSince1970: 1_772_841_600))
        let e = try #require(error([("start_date", "2026-03-01T00:00:00")]))
        #expect(e.code == 400)
        #expect(e.description.hasPrefix("start_date không phải thời điểm W3C-DTF có múi giờ"))
        #expect(e.description.contains("/ start_date is not a W3C-DTF datetime with a time zone"))
        #expect(error([("end_date", "03-07-2026")])?.description.hasPrefix("end_date") == true)
        #expect(error([("updated_after", "yesterday")])?.description.hasPrefix("updated_after") == true)
        #expect(error([("updated_before", "2026-02-30T00:00:00Z")])?.description.hasPrefix("updated_before") == true)
    }

    @Test("an unencoded '+' (decoded as a space) in the zone is read as '+'")
    func spaceForPlus() throws {
        let pairs = try FormURLEncoded.parse("start_date=2026-03-01T00:00:00+07:00")
        #expect(pairs[0].value == "2026-03-01T00:00:00 07:00")
        let q = try Open311QueryParameters(pairs: pairs)
        #expect(q.startDate == Date(timeIntervalSince1970: 1_772_298_000))
    }

    @Test("start after end and ranges over 90 days are 400s, unless service_request_id is given")
    func ranges() {
        #expect(error([("start_date", "2026-03-02T00:00:00Z"), ("end_date", "2026-03-01T00:00:00Z")])?.code == 400)
        #expect(error([("start_date", "2026-01-01T00:00:00Z"), ("end_date", "2026-04-01T00:00:00Z")]) == nil) // exactly 90 days
        let e = error([("start_date", "2026-01-01T00:00:00Z"), ("end_date", "2026-04-01T00:00:01Z")])
        #expect(e?.description.contains("90") == true)
        #expect(error([("start_date", "2026-03-02T00:00:00Z"), ("end_date", "2026-03-01T00:00:00Z"), ("service_request_id", "7")]) == nil)
        #expect(error([("updated_after", "2026-03-02T00:00:00Z"), ("updated_before", "2026-03-01T00:00:00Z")])?.code == 400)
    }

    @Test("page and page_size bounds", arguments: [("page", "0"), ("page", "-1"), ("page", "100001"), ("page", "1.5"),
                                                    ("page_size", "0"), ("page_size", "1001"), ("page_size", "abc"), ("page", "99999999999999999999")])
    func badPaging(_ name: String, _ value: String) {
        #expect(error([(name, value)])?.code == 400)
    }

    @Test("valid paging and extensions flags")
    func paging() throws {
        let q = try make([("page", "3"), ("page_size", "1000"), ("extensions", "TRUE"), ("jurisdiction_id", "daklak.gov.vn")])
        #expect(q.page == 3)
        #expect(q.pageSize == 1000)
        #expect(q.extensions)
        #expect(q.jurisdictionID == "daklak.gov.vn")
        #expect(try make([("extensions", "0")]).extensions == false)
        #expect(try make([("extensions", "1")]).extensions == true)
        #expect(error([("extensions", "yes")])?.code == 400)
        #expect(try make([("page", "")]).page == 1)
    }

    @Test("the requested window applies the 90-day defaults")
    func window() throws {
        let now = Date(timeIntervalSince1970: 1_772_327_730)
        let ninety = 90.0 * 86_400
        let none = try make([])
        #expect(none.requestedWindow(now: now) == (now.addingTimeInterval(-ninety), now))
        let start = try make([("start_date", "2026-03-01T00:00:00Z")])
        #expect(start.requestedWindow(now: now).end == start.startDate!.addingTimeInterval(ninety))
        let end = try make([("end_date", "2026-03-01T00:00:00Z")])
        #expect(end.requestedWindow(now: now).start == end.endDate!.addingTimeInterval(-ninety))
    }

    @Test("control characters are rejected in queries too")
    func control() {
        #expect(error([("service_code", "A\u{7}")])?.code == 400)
    }
}
