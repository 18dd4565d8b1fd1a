import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import IOCCore
import NIOCore
import Testing
import Vapor
import VaporTesting
@testable import IOCServer

/// A minimal XML tree (what XML::Simple / xmltodict give clients), to check shapes without a schema.
final class XMLNode {
    let name: String
    var children: [XMLNode] = []
    var text = ""
    init(_ name: String) { self.name = name }
    func all(_ n: String) -> [XMLNode] { children.filter { $0.name == n } }
    func first(_ n: String) -> XMLNode? { children.first { $0.name == n } }
    subscript(_ n: String) -> String? { first(n)?.text }

    static func parse(_ data: Data) -> XMLNode? {
        final class Delegate: NSObject, XMLParserDelegate {
            var stack: [XMLNode] = [XMLNode("#document")]
            func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                let n = XMLNode(e)
                stack.last?.children.append(n)
                stack.append(n)
            }
            func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
            func parser(_ parser: XMLParser, foundCharacters s: String) { stack.last?.text += s }
        }
        let parser = XMLParser(data: data)
        let d = Delegate()
        parser.delegate = d
        guard parser.parse() else { return nil }
        return d.stack.first?.children.first
    }
}

enum O311 {
    static func get(_ app: Application, _ path: String) async throws -> TestClient.Reply {
        try await TestClient(app).send(.GET, path)
    }

    static func post(_ app: Application, _ path: String, form: String, contentType: String = "application/x-www-form-urlencoded; charset=utf-8") async throws -> TestClient.Reply {
        try await TestClient(app).send(.POST, path, raw: form, contentType: contentType)
    }

    static func xml(_ r: TestClient.Reply) -> XMLNode? { XMLNode.parse(Data(buffer: r.body)) }
    static func json(_ r: TestClient.Reply) -> Any? { try? JSONSerialization.jsonObject(with: Data(buffer: r.body), options: [.fragmentsAllowed]) }

    static let vietnamese = "Ổ gà sâu trước số 12 Lê Duẩn, phường Buôn Ma Thuột — nguy hiểm cho xe máy & người đi bộ <ban đêm>"
    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
}

@Suite("Open311 GeoReport v2")
struct Open311Tests {
    @Test func discoveryInBothFormats() async throws {
        try await withApp { app in
            let x = try await O311.get(app, "/open311/discovery.xml")
            #expect(x.status == .ok)
            #expect(x.headers.first(name: .contentType) == "text/xml", "exactly the type the SeeClickFix validator expects (the declaration names the encoding)")
            #expect(x.text.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>"))
            let root = try #require(O311.xml(x))
            #expect(root.name == "discovery")
            let endpoints = root.first("endpoints")?.all("endpoint") ?? []
            #expect(Set(endpoints.compactMap { $0["type"] }) == ["production", "test"])
            #expect(endpoints.allSatisfy { $0["specification"] == "http://wiki.open311.org/GeoReport_v2" })
            #expect(endpoints.first?.first("formats")?.all("format").map(\.text) == ["text/xml", "application/json"])
            #expect(ISO8601.parse(root["changeset"] ?? "") != nil, "changeset parses as ISO 8601 (validators check it)")
            let j = try await O311.get(app, "/open311/discovery.json")
            #expect(j.headers.first(name: .contentType) == "application/json", "JSON is UTF-8 by definition (RFC 8259)")
            let obj = try #require(O311.json(j) as? [String: Any])
            #expect((obj["endpoints"] as? [[String: Any]])?.count == 2)
            #expect(((obj["endpoints"] as? [[String: Any]])?.first?["formats"] as? [String]) == ["text/xml", "application/json"])
            #expect(try await O311.get(app, "/open311/discovery.html").status == .notFound)
            #expect(try await O311.get(app, "/open311/nothing.json").status == .notFound)
        }
    }

    @Test func servicesAndDefinitions() async throws {
        try await withApp { app in
            let x = try #require(O311.xml(try await O311.get(app, "/open311/v2/services.xml")))
            #expect(x.name == "services")
            let services = x.all("service")
            #expect(services.count == 12)
            let road = try #require(services.first { $0["service_code"] == "duong-o-ga" })
            #expect(road["service_name"] == "Hư hỏng đường, ổ gà")
            #expect(road["metadata"] == "true" && road["type"] == "realtime" && road["group"] == "ha-tang")
            let j = try #require(O311.json(try await O311.get(app, "/open311/v2/services.json")) as? [[String: Any]])
            #expect(j.count == 12)
            #expect(j.first?["metadata"] as? Bool == true)
            let def = try #require(O311.xml(try await O311.get(app, "/open311/v2/services/duong-o-ga.xml")))
            #expect(def.name == "service_definition")
            #expect(def["service_code"] == "duong-o-ga")
            let attributes = def.first("attributes")?.all("attribute") ?? []
            #expect(attributes.map { $0["order"] } == ["1", "2"])
            #expect(attributes.first?["variable"] == "false")
            let dj = try #require(O311.json(try await O311.get(app, "/open311/v2/services/duong-o-ga.json")) as? [String: Any])
            #expect((dj["attributes"] as? [[String: Any]])?.first?["order"] as? Int == 1)
            // Unknown service and jurisdiction: 404 in the Open311 error shape.
            for (path, isXML) in [("/open311/v2/services/nope.xml", true), ("/open311/v2/services/nope.json", false),
                                  ("/open311/v2/services.xml?jurisdiction_id=hanoi.gov.vn", true)] {
                let r = try await O311.get(app, path)
                #expect(r.status == .notFound, "\(path)")
                if isXML {
                    let e = try #require(O311.xml(r))
                    #expect(e.name == "errors" && e.first("error")?["code"] == "404")
                } else {
                    let e = try #require(O311.json(r) as? [[String: Any]])
                    #expect(e.first?["code"] as? Int == 404)
                }
            }
            #expect(try await O311.get(app, "/open311/v2/services.xml?jurisdiction_id=daklak.gov.vn").status == .ok)
        }
    }

    @Test func postRequestThenReadItBackInBothFormatsWithVietnameseIntact() async throws {
        try await withApp { app in
            try await FR.province(app)
            let form = "service_code=duong-o-ga&lat=12.6675&long=108.0378&description=\(O311.enc(O311.vietnamese))&first_name=Nguy%E1%BB%85n&last_name=An&email=an%40example.vn&attribute%5Bdia_chi_chi_tiet%5D=S%E1%BB%91+12+L%C3%AA+Du%E1%BA%A9n"
            let r = try await O311.post(app, "/open311/v2/requests.xml", form: form)
            #expect(r.status == .ok, "\(r.text)")
            let created = try #require(O311.xml(r))
            #expect(created.name == "service_requests")
            let request = try #require(created.first("request"))
            let id = try #require(request["service_request_id"])
            #expect(request.first("token") == nil, "either id or token, never both")
            #expect(request["service_notice"]?.contains("24 giờ làm việc") == true)
            // Read back: XML.
            let one = try #require(O311.xml(try await O311.get(app, "/open311/v2/requests/\(id).xml")))
            let item = try #require(one.all("request").first)
            #expect(one.all("request").count == 1)
            #expect(item["description"] == O311.vietnamese, "Vietnamese round-trips exactly in XML")
            #expect(item["status"] == "open")
            #expect(item["service_code"] == "duong-o-ga")
            #expect(item["agency_responsible"] == "UBND phường Buôn Ma Thuột")
            #expect(item["address"] == "Số 12 Lê Duẩn")
            #expect(item["lat"] == "12.6675" && item["long"] == "108.0378")
            let expected = try #require(item["expected_datetime"])
            #expect(expected.hasSuffix("+07:00"))
            let due = try #require(try await CaseModel.query(on: app.db).filter(\.$code == id).first()).dueAt
            #expect(W3CDateTime.parse(expected).map { abs($0.timeIntervalSince(due)) < 1 } == true, "expected_datetime is the SLA deadline")
            let oneText = try await O311.get(app, "/open311/v2/requests/\(id).xml").text
            for secret in ["Nguyễn", "an@example.vn"] { #expect(!oneText.contains(secret)) }
            // Read back: JSON (array of one, numbers for lat/long, nulls for absent).
            let jr = try await O311.get(app, "/open311/v2/requests/\(id).json")
            let arr = try #require(O311.json(jr) as? [[String: Any]])
            #expect(arr.count == 1)
            #expect(arr[0]["description"] as? String == O311.vietnamese, "Vietnamese round-trips exactly in JSON")
            #expect(arr[0]["lat"] as? Double == 12.6675)
            #expect(arr[0]["zipcode"] is NSNull)
            #expect(!jr.text.contains("an@example.vn") && !jr.text.contains("Nguyễn"))
            // Extensions: detailed status and the public timeline.
            let ext = try #require(O311.json(try await O311.get(app, "/open311/v2/requests/\(id).json?extensions=true")) as? [[String: Any]])
            #expect((ext[0]["extended_attributes"] as? [String: Any])?["detailed_status"] as? String == "for_triage")
            #expect((ext[0]["notes"] as? [[String: Any]])?.first?["type"] as? String == "created")
            let extXML = try #require(O311.xml(try await O311.get(app, "/open311/v2/requests/\(id).xml?extensions=true")))
            #expect(extXML.first("request")?.first("extended_attributes")?["detailed_status"] == "for_triage")
            // Token lookup.
            let token = try #require(try await CaseModel.query(on: app.db).filter(\.$code == id).first()).token
            let t = try #require(O311.xml(try await O311.get(app, "/open311/v2/tokens/\(token).xml")))
            #expect(t.first("request")?["service_request_id"] == id && t.first("request")?["token"] == token)
            #expect(try await O311.get(app, "/open311/v2/tokens/unknown.json").status == .notFound)
            #expect(try await O311.get(app, "/open311/v2/requests/PA-2026-999999.json").status == .notFound)
        }
    }

    @Test func listFiltersPagingAndStatus() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "op", role: .operator, agencyCode: "IOC")
            let op = TestClient(app); try await op.login("op")
            var codes: [String] = []
            for (i, category) in ["duong-o-ga", "rac-thai", "duong-o-ga", "lan-chiem", "duong-o-ga"].enumerated() {
                app.clock.set(Date().addingTimeInterval(Double(i - 10) * 60))
                let r = try await O311.post(app, "/open311/v2/requests.json", form: "service_code=\(category)&lat=12.6675&long=108.0378&description=report+\(i)")
                codes.append(try #require((O311.json(r) as? [[String: Any]])?.first?["service_request_id"] as? String, "\(r.text)"))
            }
            app.clock.set(nil)
            _ = try await FR.act(op, codes[0], ["action": "reject", "reason": "spam"])
            _ = try await FR.act(op, codes[1], ["action": "assign", "agency": "UBND-24133"])
            _ = try await FR.act(op, codes[1], ["action": "resolve", "result": "Đã thu gom"])
            func list(_ q: String) async throws -> [[String: Any]] {
                let r = try await O311.get(app, "/open311/v2/requests.json" + q)
                #expect(r.status == .ok, "\(q): \(r.text)")
                return O311.json(r) as? [[String: Any]] ?? []
            }
            #expect(try await list("").count == 4, "rejected (spam) reports are not public")
            #expect(try await list("?service_code=duong-o-ga").map { $0["service_request_id"] as? String } == [codes[4], codes[2]], "newest first")
            #expect(try await list("?service_code=duong-o-ga,lan-chiem").count == 3)
            #expect(try await list("?status=closed").map { $0["service_request_id"] as? String } == [codes[1]])
            #expect(try await list("?status=open").count == 3)
            #expect(try await list("?status=open,closed").count == 4)
            #expect(try await list("?page_size=2&page=1").count == 2)
            #expect(try await list("?page_size=2&page=2").count == 2)
            #expect(try await list("?page_size=2&page=3").isEmpty)
            #expect(try await list("?service_request_id=\(codes[2]),\(codes[3])&service_code=rac-thai").count == 2, "ids override other filters")
            let now = Date()
            #expect(try await list("?start_date=\(O311.enc(W3CDateTime.format(now.addingTimeInterval(86_400))))").isEmpty)
            #expect(try await list("?updated_after=\(O311.enc(W3CDateTime.format(now.addingTimeInterval(-5))))").map { $0["service_request_id"] as? String } == [codes[1]])
            #expect(try await list("?updated_before=\(O311.enc(W3CDateTime.format(now.addingTimeInterval(-3600))))").isEmpty)
            #expect(try await list("?status=&service_code=").count == 4, "empty parameters behave as absent")
            let closed = try #require(try await list("?status=closed").first)
            #expect((closed["status_notes"] as? String)?.contains("Đã thu gom") == true)
            // One-item list in XML is still a list (clients force arrays; the wrapper must be there).
            let x = try #require(O311.xml(try await O311.get(app, "/open311/v2/requests.xml?status=closed")))
            #expect(x.name == "service_requests" && x.all("request").count == 1)
        }
    }

    @Test func malformedParametersGetOpen311Errors() async throws {
        try await withApp { app in
            try await FR.province(app)
            let before = try await stateFingerprint(app)
            let gets: [(String, Int)] = [
                ("/open311/v2/requests.json?start_date=yesterday", 400),
                ("/open311/v2/requests.json?start_date=2026-01-01T00:00:00", 400),  // no time zone
                ("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),  // > 90 days
                ("/open311/v2/requests.json?status=pending", 400),
                ("/open311/v2/requests.json?page=0", 400),
                ("/open311/v2/requests.json?page_size=100000", 400),
                ("/open311/v2/requests.json?page=abc", 400),
                ("/open311/v2/requests.json?start_date=%ZZ", 400),
                ("/open311/v2/requests.json?jurisdiction_id=other.gov.vn", 404),
                ("/open311/v2/requests.txt", 404),
                ("/open311/v2/unknown.json", 404),
            ]
            for (path, status) in gets {
                let r = try await O311.get(app, path)
                #expect(r.status.code == status, "\(path): \(r.status.code) \(r.text)")
                let errors = O311.json(r) as? [[String: Any]]
                let xmlErrors = O311.xml(r)
                #expect((errors?.first?["code"] as? Int) == status || xmlErrors?.first("error")?["code"] == String(status), "\(path): \(r.text)")
                #expect((errors?.first?["description"] as? String)?.isEmpty == false || xmlErrors?.first("error")?["description"]?.isEmpty == false)
            }
            let posts: [(String, String, Int)] = [
                ("missing service_code", "lat=12.6675&long=108.0378&description=x", 400),
                ("unknown service_code", "service_code=nope&lat=12.6675&long=108.0378&description=x", 404),
                ("no location", "service_code=rac-thai&description=x", 400),
                ("lat without long", "service_code=rac-thai&lat=12.6675&description=x", 400),
                ("address only (no geocoding)", "service_code=rac-thai&address_string=L%C3%AA+Du%E1%BA%A9n&description=x", 400),
                ("outside the province", "service_code=rac-thai&lat=21.0285&long=105.8542&description=x", 400),
                ("latitude out of range", "service_code=rac-thai&lat=123&long=108.0378&description=x", 400),
                ("description too long", "service_code=rac-thai&lat=12.6675&long=108.0378&description=\(String(repeating: "a", count: 4001))", 400),
                ("bad percent escape", "service_code=rac-thai&lat=12.6675&long=108.0378&description=%E1%BB", 400),
                ("wrong api_key", "service_code=rac-thai&lat=12.6675&long=108.0378&description=x&api_key=ioc_wrong", 403),
                ("bad jurisdiction", "service_code=rac-thai&lat=12.6675&long=108.0378&description=x&jurisdiction_id=hcm.gov.vn", 404),
                ("no description", "service_code=rac-thai&lat=12.6675&long=108.0378", 400),
            ]
            for (name, form, status) in posts {
                for format in ["xml", "json"] {
                    let r = try await O311.post(app, "/open311/v2/requests.\(format)", form: form)
                    #expect(r.status.code == status, "\(name) (\(format)): \(r.status.code) \(r.text)")
                    if format == "xml" {
                        let e = O311.xml(r)
                        #expect(e?.name == "errors" && e?.first("error")?["code"] == String(status), "\(name): \(r.text)")
                    } else {
                        #expect((O311.json(r) as? [[String: Any]])?.first?["code"] as? Int == status, "\(name): \(r.text)")
                    }
                }
            }
            let json = try await O311.post(app, "/open311/v2/requests.json", form: "{\"service_code\":\"rac-thai\"}", contentType: "application/json")
            #expect(json.status == .badRequest)
            #expect(try await stateFingerprint(app) == before, "nothing stored")
        }
    }

    @Test func apiKeySettingTestEndpointAndRateLimit() async throws {
        try await withApp { app in
            try await FR.province(app)
            let form = "service_code=rac-thai&lat=12.6675&long=108.0378&description=R%C3%A1c"
            // The test endpoint validates but stores nothing.
            let t = try await O311.post(app, "/open311/test/v2/requests.json", form: form)
            #expect(t.status == .ok)
            #expect(((O311.json(t) as? [[String: Any]])?.first?["service_request_id"] as? String)?.hasPrefix("TEST-") == true)
            #expect(try await O311.post(app, "/open311/test/v2/requests.json", form: "service_code=rac-thai").status == .badRequest)
            #expect((O311.json(try await O311.get(app, "/open311/test/v2/requests.json")) as? [Any])?.isEmpty == true)
            #expect(try await CaseModel.query(on: app.db).count() == 0)
            // A province may require a key.
            app.iocConfiguration.open311RequiresKey = true
            #expect(try await O311.post(app, "/open311/v2/requests.xml", form: form).status == .forbidden)
            try await makeUser(app, "admin2", role: .admin)
            let admin = TestClient(app); try await admin.login("admin2")
            let source = try await admin.send(.POST, "/api/v1/sources", json: ["name": "fixmystreet", "kind": "open311", "expectedFreshnessSeconds": 86400])
            let key = try #require(source.json["apiKey"] as? String, "\(source.text)")
            #expect(try await O311.post(app, "/open311/v2/requests.xml", form: form + "&api_key=\(key)").status == .ok)
            // Another kind's key is no Open311 key (issue 11, point 1).
            let camera = try await admin.send(.POST, "/api/v1/sources", json: ["name": "vms-o311", "kind": "events"])
            let cameraKey = try #require(camera.json["apiKey"] as? String, "\(camera.text)")
            #expect(try await O311.post(app, "/open311/v2/requests.xml", form: form + "&api_key=\(cameraKey)").status == .forbidden)
            app.iocConfiguration.open311RequiresKey = false
            // Anonymous posts are rate-limited per client.
            app.iocConfiguration.intakeLimit = 1
            #expect(try await O311.post(app, "/open311/v2/requests.json", form: form).status == .ok)
            let limited = try await O311.post(app, "/open311/v2/requests.json", form: form)
            #expect(limited.status == .tooManyRequests)
            #expect((O311.json(limited) as? [[String: Any]])?.first?["code"] as? Int == 429)
        }
    }
}
