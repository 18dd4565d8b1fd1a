import Foundation
import Testing
import IOCCore

@Suite("Open311Writer XML")
struct WriterXMLTests {
    typealias S = Open311TestSupport

    private let declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"

    private func service(_ code: String, _ name: String = "Ổ gà, hư hỏng mặt đường") -> Open311Service {
        Open311Service(code: code, name: name, description: "Phản ánh ổ gà trên đường", metadata: true,
                       type: "realtime", keywords: "ổ gà, mặt đường", group: "Giao thông")
    }

    @Test("every body starts with the XML declaration and has no namespace")
    func declarationAndNamespace() throws {
        let bodies: [[UInt8]] = [
            Open311Writer.services([service("A")], .xml),
            Open311Writer.requests([S.sampleRequest()], .xml),
            Open311Writer.errors([Open311Error(code: 404, description: "x")], .xml),
            Open311Writer.tokens([Open311TokenResult(serviceRequestID: nil, token: "t")], .xml),
        ]
        for body in bodies {
            #expect(S.text(body).hasPrefix(declaration + "<"))
            #expect(!S.contains(body, "xmlns"))
            _ = try S.parseXML(body)
        }
    }

    @Test("services: one item and many items keep the services/service shape")
    func servicesShape() throws {
        let one = try S.parseXML(Open311Writer.services([service("GT-O-GA")], .xml))
        #expect(one.name == "services")
        #expect(one.childNames == ["service"])
        let s = try #require(one.child("service"))
        #expect(s.childNames == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"])
        #expect(s["service_code"] == "GT-O-GA")
        #expect(s["service_name"] == "Ổ gà, hư hỏng mặt đường")
        #expect(s["metadata"] == "true")
        let many = try S.parseXML(Open311Writer.services([service("A"), service("B"), service("C")], .xml))
        #expect(many.all("service").map { $0["service_code"] } == ["A", "B", "C"])
        #expect(S.text(Open311Writer.services([], .xml)) == declaration + "<services/>")
    }

    @Test("requests: all spec fields in order, absent ones as empty elements")
    func requestFields() throws {
        let body = Open311Writer.requests([S.sampleRequest()], .xml)
        let root = try S.parseXML(body)
        #expect(root.name == "service_requests")
        let r = try #require(root.child("request"))
        #expect(r.childNames == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                                 "description", "agency_responsible", "service_notice", "requested_datetime",
                                 "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                                 "lat", "long", "media_url"])
        #expect(r["status_notes"] == "")
        #expect(r["requested_datetime"] == "2026-03-01T08:15:30+07:00")
        #expect(r["updated_datetime"] == "2026-03-01T09:15:30+07:00")
        #expect(r["lat"] == "12.6675")
        #expect(r["long"] == "108.0378")
        #expect(S.contains(body, "<status_notes/>"))
        #expect(S.contains(body, "<expected_datetime/>"))
        #expect(S.contains(body, "<address_id/>"))
        #expect(S.contains(body, "<media_url/>"))
        #expect(!S.contains(body, "extended_attributes"))
    }

    @Test("requests: many items, and an empty list")
    func manyRequests() throws {
        let list = (1...3).map { S.sampleRequest(id: "R\($0)") }
        let root = try S.parseXML(Open311Writer.requests(list, .xml))
        #expect(root.all("request").map { $0["service_request_id"] } == ["R1", "R2", "R3"])
        #expect(S.text(Open311Writer.requests([], .xml)) == declaration + "<service_requests/>")
    }

    @Test("escaping of < & > \" ' and stripping of characters XML 1.0 forbids")
    func escaping() throws {
        var r = S.sampleRequest()
        r.description = "a<b & c>d \"q\" 'p' \u{1}\u{8}x\u{FFFE}y\u{FFFF}z\u{FF01}"
        r.statusNotes = "dòng 1\r\ndòng 2\ttab"
        let body = Open311Writer.requests([r], .xml)
        #expect(S.contains(body, "<description>a&lt;b &amp; c&gt;d &quot;q&quot; &apos;p&apos; xyz\u{FF01}</description>"))
        #expect(S.contains(body, "dòng 1&#13;\ndòng 2\ttab"))
        let parsed = try S.parseXML(body).child("request")
        #expect(parsed?["description"] == "a<b & c>d \"q\" 'p' xyz\u{FF01}")
        #expect(parsed?["status_notes"] == "dòng 1\r\ndòng 2\ttab")
    }

    @Test("every special character is escaped at every position of long and short strings")
    func escapingPositions() throws {
        let specials: [Character] = ["<", ">", "&", "\"", "'", "\r"]
        for special in specials {
            for length in [1, 7, 8, 9, 15, 16, 17, 33, 48] {
                for position in 0..<length {
                    var chars = Array(String(repeating: "aễ", count: length).prefix(length))
                    chars[position] = special
                    var r = S.sampleRequest()
                    r.description = String(chars)
                    let parsed = try S.parseXML(Open311Writer.requests([r], .xml)).child("request")
                    #expect(parsed?["description"] == r.description, "\(special) at \(position)/\(length)")
                }
            }
        }
    }

    @Test("Vietnamese text round-trips byte for byte")
    func vietnamese() throws {
        let text = "Ổ gà lớn — “nguy hiểm”; Đắk Lắk: ỹ ự ặ ẫ ờ ổ ẽ ị 🚧"
        var r = S.sampleRequest()
        r.description = text
        let body = Open311Writer.requests([r], .xml)
        #expect(S.contains(body, "<description>" + text + "</description>"))
        #expect(try S.parseXML(body).child("request")?["description"] == text)
    }

    @Test("extensions: extended_attributes with photos/photo and notes/note")
    func extensions() throws {
        let body = Open311Writer.requests([S.sampleRequest(extensions: S.sampleExtensions)], .xml)
        let r = try #require(try S.parseXML(body).child("request"))
        #expect(r.childNames.suffix(2) == ["extended_attributes", "notes"])
        let x = try #require(r.child("extended_attributes"))
        #expect(x.childNames == ["detailed_status", "status_label", "ward", "ward_code", "duplicate_of", "channel", "photos"])
        #expect(x["status_label"] == "Đang xử lý")
        #expect(x.child("photos")?.all("photo").map(\.text) == ["https://phananh.daklak.gov.vn/media/1.jpg"])
        #expect(S.contains(body, "<ward_code/><duplicate_of/>"))
        let notes = try #require(r.child("notes")).all("note")
        #expect(notes.count == 1)
        #expect(notes[0].childNames == ["datetime", "type", "description", "summary"])
        #expect(notes[0]["datetime"] == "2026-03-01T08:15:30+07:00")
        #expect(S.contains(body, "<summary/>"))
        var empty = S.sampleExtensions
        empty.photos = []
        empty.notes = []
        let emptyBody = Open311Writer.requests([S.sampleRequest(extensions: empty)], .xml)
        #expect(S.contains(emptyBody, "<photos/></extended_attributes><notes/></request>"))
    }

    @Test("service definition: attributes/attribute and values/value with one and many children")
    func serviceDefinition() throws {
        let def = Open311ServiceDefinition(serviceCode: "GT-O-GA", attributes: [
            .init(variable: true, code: "muc_do", datatype: "singlevaluelist", required: true, datatypeDescription: nil,
                  order: 1, description: "Mức độ nguy hiểm:", values: [.init(key: "nhe", name: "Nhẹ"), .init(key: "nang", name: "Nghiêm trọng")]),
            .init(variable: true, code: "ghi_chu", datatype: "text", required: false, datatypeDescription: "Tối đa 500 ký tự",
                  order: 2, description: "Ghi chú", values: [.init(key: "x", name: "y")]),
            .init(variable: false, code: "thong_bao", datatype: "string", required: false, order: 3, description: "Chỉ để đọc"),
        ])
        let body = Open311Writer.serviceDefinition(def, .xml)
        let root = try S.parseXML(body)
        #expect(root.name == "service_definition")
        #expect(root.childNames == ["service_code", "attributes"])
        let attrs = try #require(root.child("attributes")).all("attribute")
        #expect(attrs.count == 3)
        #expect(attrs[0].childNames == ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"])
        #expect(attrs[0]["required"] == "true")
        #expect(attrs[0]["order"] == "1")
        #expect(attrs[0]["datatype_description"] == "")
        #expect(attrs[0].child("values")?.all("value").map { $0["name"] } == ["Nhẹ", "Nghiêm trọng"])
        #expect(attrs[1].child("values")?.all("value").count == 1)
        #expect(attrs[2]["variable"] == "false")
        #expect(S.contains(body, "<values/></attribute>"))
        let none = Open311Writer.serviceDefinition(Open311ServiceDefinition(serviceCode: "X", attributes: []), .xml)
        #expect(S.text(none) == declaration + "<service_definition><service_code>X</service_code><attributes/></service_definition>")
    }

    @Test("discovery: endpoints/endpoint and formats/format")
    func discovery() throws {
        let d = Open311Discovery(changeset: "2026-01-01T00:00:00Z", contact: "Trung tâm IOC Đắk Lắk — 0262 123 456",
                                 keyService: "Liên hệ để nhận api_key", endpoints: [
            .init(specification: "http://wiki.open311.org/GeoReport_v2", url: "https://ioc.daklak.gov.vn/open311/v2",
                  changeset: "2026-01-01T00:00:00Z", type: "production", formats: ["text/xml", "application/json"]),
            .init(specification: "http://wiki.open311.org/GeoReport_v2", url: "https://test.ioc.daklak.gov.vn/open311/v2",
                  changeset: "2026-01-01T00:00:00Z", type: "test", formats: ["text/xml"]),
        ])
        let root = try S.parseXML(Open311Writer.discovery(d, .xml))
        #expect(root.name == "discovery")
        #expect(root.childNames == ["changeset", "contact", "key_service", "endpoints"])
        let endpoints = try #require(root.child("endpoints")).all("endpoint")
        #expect(endpoints.count == 2)
        #expect(endpoints[0].childNames == ["specification", "url", "changeset", "type", "formats"])
        #expect(endpoints[0].child("formats")?.all("format").map(\.text) == ["text/xml", "application/json"])
        #expect(endpoints[1].child("formats")?.all("format").map(\.text) == ["text/xml"])
        #expect(root["contact"] == "Trung tâm IOC Đắk Lắk — 0262 123 456")
    }

    @Test("created: id or token, service_notice and an empty account_id")
    func created() throws {
        let body = Open311Writer.created([Open311CreatedRequest(serviceRequestID: "293944", serviceNotice: "Xử lý trong 24 giờ")], .xml)
        #expect(S.text(body) == declaration + "<service_requests><request><service_request_id>293944</service_request_id><service_notice>Xử lý trong 24 giờ</service_notice><account_id/></request></service_requests>")
        let token = try S.parseXML(Open311Writer.created([Open311CreatedRequest(token: "tok-1")], .xml))
        #expect(token.child("request")?.childNames == ["token", "service_notice", "account_id"])
        let neither = try S.parseXML(Open311Writer.created([Open311CreatedRequest()], .xml))
        #expect(neither.child("request")?.childNames == ["service_request_id", "service_notice", "account_id"])
    }

    @Test("tokens: service_requests/request with an empty id while processing")
    func tokens() throws {
        let body = Open311Writer.tokens([Open311TokenResult(serviceRequestID: nil, token: "tok-1"),
                                         Open311TokenResult(serviceRequestID: "12", token: "tok-2")], .xml)
        #expect(S.text(body) == declaration + "<service_requests><request><service_request_id/><token>tok-1</token></request><request><service_request_id>12</service_request_id><token>tok-2</token></request></service_requests>")
    }

    @Test("errors: errors/error with code and description")
    func errors() throws {
        let body = Open311Writer.errors([Open311Error(code: 403, description: "api_key không hợp lệ / Invalid api_key"),
                                         Open311Error(code: 400, description: "a < b")], .xml)
        let root = try S.parseXML(body)
        #expect(root.name == "errors")
        #expect(root.all("error").map { $0["code"] } == ["403", "400"])
        #expect(root.all("error").map { $0["description"] } == ["api_key không hợp lệ / Invalid api_key", "a < b"])
    }

    @Test("output far larger than the size estimate is still complete")
    func overflowRetry() throws {
        var r = S.sampleRequest()
        r.description = String(repeating: "\"'<>&", count: 800) // 4,000 chars → 24,000 bytes escaped
        let body = Open311Writer.requests([r, r], .xml)
        let parsed = try S.parseXML(body)
        #expect(parsed.all("request").map { $0["description"] } == [r.description, r.description])
    }
}
