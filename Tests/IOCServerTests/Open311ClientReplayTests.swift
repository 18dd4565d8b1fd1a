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

/// Real Open311 clients' requests (FixMyStreet's XML client, python `three` and `georeport`, python-open311, the
/// SeeClickFix validator), rebuilt from their source code into `Tests/IOCCoreTests/Open311/Fixtures/clients/`, replayed
/// unchanged against the server; each answer is read the way that client reads it.
@Suite("Open311 recorded clients")
struct Open311ClientReplayTests {
    struct Fixture {
        var name: String
        var method: HTTPMethod
        var path: String
        var headers: HTTPHeaders
        var body: String
    }

    static let directory = TestEnvironment.repositoryRoot + "/Tests/IOCCoreTests/Open311/Fixtures/clients"

    static func load(_ name: String, substitutions: [String: String]) throws -> Fixture {
        let text = try String(contentsOfFile: "\(directory)/\(name).txt", encoding: .utf8)
        var lines = text.components(separatedBy: "\n").filter { !$0.hasPrefix("#") }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        let requestLine = lines.removeFirst().split(separator: " ", maxSplits: 1).map(String.init)
        var headers = HTTPHeaders()
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            let kv = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            headers.add(name: kv[0], value: kv[1])
        }
        var body = lines.dropFirst().joined(separator: "\n").trimmingCharacters(in: .newlines)
        var path = requestLine[1]
        for (k, v) in substitutions {
            body = body.replacingOccurrences(of: "{{\(k)}}", with: v)
            path = path.replacingOccurrences(of: "{{\(k)}}", with: v)
        }
        let prefix = path.hasPrefix("/discovery.") ? "/open311" : "/open311/v2"
        return Fixture(name: name, method: HTTPMethod(rawValue: requestLine[0]), path: prefix + path, headers: headers, body: body)
    }

    static func send(_ app: Application, _ f: Fixture) async throws -> TestClient.Reply {
        let r = try await app.testing().sendRequest(f.method, f.path, headers: f.headers, body: f.body.isEmpty ? nil : ByteBuffer(string: f.body))
        return TestClient.Reply(status: r.status, headers: r.headers, body: r.body)
    }

    @Test func everyRecordedClientRequestWorksUnchanged() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "admin2", role: .admin)
            let admin = TestClient(app); try await admin.login("admin2")
            let key = try #require(try await admin.send(.POST, "/api/v1/sources", json: ["name": "fixmystreet", "kind": "open311", "expectedFreshnessSeconds": 86400]).json["apiKey"] as? String)
            // Reports inside the clients' March 2026 windows: 09:00+07 (local window) and 07:45Z (UTC window).
            var codes: [String] = []
            for instant in ["2026-03-01T02:00:00Z", "2026-03-01T07:45:00Z"] {
                app.clock.set(W3CDateTime.parse(instant))
                codes.append(try #require(try await FR.post(app, FR.report(category: "duong-o-ga")).json["code"] as? String))
            }
            try await makeUser(app, "op", role: .operator, agencyCode: "IOC")
            let op = TestClient(app); try await op.login("op")
            app.clock.set(W3CDateTime.parse("2026-03-01T07:50:00Z"))
            _ = try await FR.act(op, codes[1], ["action": "assign", "agency": "UBND-24133"])
            app.clock.set(W3CDateTime.parse("2026-03-01T08:10:00Z"))
            _ = try await FR.act(op, codes[1], ["action": "resolve", "result": "Đã vá ổ gà."])
            app.clock.set(nil)
            let token = try #require(try await CaseModel.query(on: app.db).filter(\.$code == codes[0]).first()).token
            let subs = ["SERVICE_CODE": "duong-o-ga", "API_KEY": key, "REQUEST_ID": codes[0], "REQUEST_ID_2": codes[1], "TOKEN": token]
            func replay(_ name: String) async throws -> TestClient.Reply { try await Self.send(app, try Self.load(name, substitutions: subs)) }
            func xml(_ r: TestClient.Reply) throws -> XMLNode { try #require(XMLNode.parse(Data(buffer: r.body)), "not XML: \(r.text.prefix(200))") }

            // FixMyStreet: service list, then a definition because metadata=true; attributes must be a list sorted by order.
            var r = try await replay("fms-get-services")
            #expect(r.status == .ok)
            let services = try xml(r).all("service")
            #expect(services.count == 12 && services.allSatisfy { $0["service_code"] != nil && $0["service_name"] != nil && $0["metadata"] == "true" })
            r = try await replay("fms-get-service-definition")
            let attributes = try xml(r).first("attributes")?.all("attribute") ?? []
            #expect(attributes.count == 2 && attributes.compactMap { Int($0["order"] ?? "") } == [1, 2])
            r = try await replay("open311-python-get-service-definition")
            let definitionRoot = try xml(r).name
            #expect(r.status == .ok && definitionRoot == "service_definition", "\(r.text.prefix(200))")

            // FixMyStreet posts a report in Vietnamese (CRLF line breaks) and reads request[0].service_request_id.
            r = try await replay("fms-post-request-vi")
            #expect(r.status == .ok, "\(r.text)")
            let newID = try #require(try xml(r).all("request").first?["service_request_id"])
            let stored = try #require(try await CaseModel.query(on: app.db).filter(\.$code == newID).first())
            #expect(stored.description.hasPrefix("Ổ gà lớn trước số 12 Lê Duẩn\n\nỔ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột"))
            #expect(stored.description.contains("ban đêm & khi trời mưa."))
            let reporter = try #require(try await CaseReporterModel.query(on: app.db).filter(\.$caseID == stored.id!).first())
            #expect(reporter.name == "Nguyễn Thị Lan" && reporter.email == "lan.nguyen@example.vn" && reporter.phone == "0912345678")
            #expect(reporter.mediaURLs == "https://phananh.daklak.gov.vn/photo/1234.0.full.jpeg")
            // Python `three` posts JSON-format requests and reads a list.
            r = try await replay("three-post-request-json")
            #expect(r.status == .ok, "\(r.text)")
            #expect(((try JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [[String: Any]])?.first?["service_request_id"] is String)
            // Requests FixMyStreet cannot have answered here: clear Open311 errors, nothing stored.
            let before = try await CaseModel.query(on: app.db).count()
            for (name, status) in [("fms-post-request-t-open311", 404), ("fms-post-request-uk-attributes", 400),
                                   ("fms-post-request-address-string", 400), ("fms-post-request-notpinpointed", 400),
                                   ("seeclickfix-validator-post", 400)] {
                r = try await replay(name)
                #expect(r.status.code == status, "\(name): \(r.status.code) \(r.text)")
                let errors = try xml(r)
                #expect(errors.name == "errors" && errors.all("error").first?["code"] == String(status) && errors.all("error").first?["description"]?.isEmpty == false,
                        "\(name): \(r.text)")
            }
            #expect(try await CaseModel.query(on: app.db).count() == before)

            // Token polling.
            r = try await replay("fms-get-token")
            #expect(try xml(r).all("request").first?["service_request_id"] == codes[0])
            // Reports pull: every request has service_request_id, lat, long and a W3C updated_datetime.
            for (name, expected) in [("fms-get-requests-window-local", [codes[1], codes[0]]), ("fms-get-requests-window-utc", [codes[1]]),
                                     ("fms-get-requests-by-id", [codes[1], codes[0]])] {
                r = try await replay(name)
                #expect(r.status == .ok, "\(name): \(r.text)")
                let requests = try xml(r).all("request")
                #expect(requests.compactMap { $0["service_request_id"] } == expected, "\(name)")
                #expect(requests.allSatisfy { $0["lat"] != nil && $0["long"] != nil && W3CDateTime.parse($0["updated_datetime"] ?? "") != nil })
            }
            // Updates pull: the status changes in the window, each with an update_id.
            r = try await replay("fms-get-servicerequestupdates")
            #expect(r.status == .ok, "\(r.text)")
            let updates = try xml(r).all("request_update")
            #expect(updates.map { $0["status"] } == ["action_scheduled", "fixed"], "\(r.text)")
            #expect(updates.allSatisfy { $0["update_id"]?.isEmpty == false && $0["service_request_id"] == codes[1] && W3CDateTime.parse($0["updated_datetime"] ?? "") != nil })
            // Python clients reading JSON: a list, and a single request still wrapped in one.
            r = try await replay("georeport-get-requests-json")
            #expect(((try JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [Any])?.count == 2, "\(r.text.prefix(300))")
            r = try await replay("georeport-get-request-json")
            #expect(((try JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [[String: Any]])?.first?["service_request_id"] as? String == codes[0])
            r = try await replay("three-get-requests-json")
            let three = (try JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [[String: Any]] ?? []
            #expect(three.map { $0["service_request_id"] as? String } == [codes[0]], "open duong-o-ga in the first week of March: \(r.text.prefix(300))")
            // The validator's discovery.
            r = try await replay("seeclickfix-validator-get-discovery")
            let discoveryRoot = try xml(r).name
            #expect(r.status == .ok && discoveryRoot == "discovery")
        }
    }
}
