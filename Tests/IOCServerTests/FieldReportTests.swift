import Fluent
import Foundation
import IOCCore
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import IOCServer

/// Helpers for field-report tests: the demo province's agencies, multipart bodies, a photo with EXIF GPS.
enum FR {
    static let photo: [UInt8] = Array(FileManager.default.contents(atPath: TestEnvironment.repositoryRoot + "/Tests/IOCServerTests/Fixtures/photo-gps.jpg")!)
    /// Phường Buôn Ma Thuột (24133).
    static let bmt = (lat: "12.6675", lon: "108.0378")

    struct Multipart {
        var boundary = "----ioc\(UUID().uuidString.prefix(8))"
        var body: [UInt8] = []
        mutating func field(_ name: String, _ value: String) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        mutating func file(_ name: String, _ filename: String, _ type: String, _ bytes: [UInt8]) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
            body += bytes
            body += Array("\r\n".utf8)
        }
        func finished() -> [UInt8] { body + Array("--\(boundary)--\r\n".utf8) }
        var contentType: String { "multipart/form-data; boundary=\(boundary)" }
    }

    static func report(category: String = "duong-o-ga", description: String = "Ổ gà lớn trước số 12 Lê Duẩn, xe máy dễ ngã.",
                       lat: String? = bmt.lat, lon: String? = bmt.lon, photos: [[UInt8]] = [photo], contact: Bool = false,
                       consent: Bool = true, extra: [(String, String)] = []) -> Multipart {
        var m = Multipart()
        m.field("category", category)
        m.field("description", description)
        if let lat { m.field("lat", lat) }
        if let lon { m.field("lon", lon) }
        if contact {
            m.field("name", "Nguyễn Văn Bí Mật")
            m.field("phone", "0905 123 456")
            m.field("email", "bimat@example.vn")
            m.field("consent", consent ? "true" : "false")
        }
        for (k, v) in extra { m.field(k, v) }
        for (i, p) in photos.enumerated() { m.file("photos", "anh\(i).jpg", "image/jpeg", p) }
        return m
    }

    static func post(_ app: Application, _ m: Multipart, key: String = UUID().uuidString, path: String = "/api/v1/field-reports",
                     headers extra: HTTPHeaders = [:]) async throws -> TestClient.Reply {
        var headers = extra
        headers.replaceOrAdd(name: .contentType, value: m.contentType)
        headers.replaceOrAdd(name: "Idempotency-Key", value: key)
        let r = try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(bytes: m.finished()))
        return TestClient.Reply(status: r.status, headers: r.headers, body: r.body)
    }

    /// Loads the demo province's agencies and users (no dossiers, no reports).
    static func province(_ app: Application) async throws {
        _ = try await DemoProvince.load(on: app)
        app.caseDirectory.invalidate()
    }

    static func vn(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) -> Date {
        WorkingCalendar.vietnamCivilService.instant(on: CivilDate(year: y, month: m, day: d), at: .init(hour: h, minute: min))
    }

    static func act(_ c: TestClient, _ code: String, _ body: [String: Any]) async throws -> TestClient.Reply {
        try await c.send(.POST, "/api/v1/cases/\(code)/actions", json: body)
    }
}

@Suite("Field reports")
struct FieldReportTests {
    @Test func intakeRoutesStripsMetadataAndIsIdempotent() async throws {
        try await withApp { app in
            try await FR.province(app)
            let key = UUID().uuidString
            let r = try await FR.post(app, FR.report(contact: true), key: key)
            #expect(r.status == .created, "\(r.text)")
            let code = try #require(r.json["code"] as? String)
            #expect(code.range(of: #"^PA-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect((r.json["agency"] as? [String: Any])?["code"] as? String == "UBND-24133")
            #expect((r.json["unit"] as? [String: Any])?["code"] as? String == "24133")
            #expect(r.json["followToken"] is String)
            // Stored photo: no EXIF, no GPS, no maker, no author.
            let stored = try await AttachmentModel.query(on: app.db).all()
            #expect(stored.count == 1)
            let bytes = try #require(stored.first).data
            for secret in ["Exif", "GPS", "IOCTestPhone", "SecretModel9", "Nguyen Van Secret"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "stored photo still contains \(secret)")
            }
            #expect(FR.photo.count > 0 && Data(FR.photo).range(of: Data("IOCTestPhone".utf8)) != nil, "fixture has the metadata")
            // A retried upload with the same key: same report, no second one.
            let again = try await FR.post(app, FR.report(contact: true), key: key)
            #expect(again.status == .ok)
            #expect(again.json["code"] as? String == code)
            #expect(again.json["followToken"] as? String == r.json["followToken"] as? String, "the retry that recovers a lost answer gets the follow token too")
            #expect(try await CaseModel.query(on: app.db).count() == 1)
            // Timeline and audit.
            let c = try #require(try await CaseModel.query(on: app.db).first())
            #expect(try await CaseEventModel.query(on: app.db).filter(\.$caseID == c.id!).count() == 1)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "case.create").count() == 1)
        }
    }

    @Test func deadlinesFollowTheCategoryPolicy() async throws {
        try await withApp { app in
            try await FR.province(app)
            // Wednesday 29/4/2026 10:00; 30/4 and 1/5 are holidays, then a weekend.
            app.clock.set(FR.vn(2026, 4, 29, 10))
            let road = try await FR.post(app, FR.report(category: "duong-o-ga"))
            #expect(road.status == .created)
            let due = try #require(road.json["dueAt"] as? String).flatMap { ISO8601.parse($0) }
            // 24 office hours: Wed 5.5 h, Mon 8 h, Tue 8 h, Wed 2.5 h → Wednesday 6/5 10:00.
            #expect(due == FR.vn(2026, 5, 6, 10))
            let tree = try await FR.post(app, FR.report(category: "cay-xanh"))
            #expect(tree.json["dueAt"] as? String == ISO8601.format(FR.vn(2026, 4, 29, 12)), "urgent: 2 calendar hours")
            let build = try await FR.post(app, FR.report(category: "xay-dung-khong-phep"))
            #expect(build.json["dueAt"] as? String == ISO8601.format(FR.vn(2026, 5, 6, 17)), "3 working days: Mon, Tue, Wed")
        }
    }

    @Test func escalationSweeperAcrossAWeekendAndAPublicHoliday() async throws {
        try await withApp { app in
            try await FR.province(app)
            app.clock.set(FR.vn(2026, 4, 29, 10))
            let r = try await FR.post(app, FR.report(category: "duong-o-ga"))
            let code = try #require(r.json["code"] as? String)
            // Saturday 2/5 after the holidays, and Tuesday morning: nothing to mark (no office time has passed at the weekend).
            for now in [FR.vn(2026, 4, 30, 23), FR.vn(2026, 5, 2, 12), FR.vn(2026, 5, 5, 13, 29)] {
                let report = try await EscalationSweeper.sweep(app: app, db: app.db, now: now)
                #expect(report == .init(), "nothing due at \(now)")
            }
            // 75% of 24 office hours (18 h) is reached Tuesday 5/5 13:30.
            var report = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 5, 13, 31))
            #expect(report.warned == [code])
            report = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 6, 9, 59))
            #expect(report == .init())
            report = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 6, 10))
            #expect(report.breached == [code])
            // Sweeping again records nothing twice.
            report = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 7, 10))
            #expect(report == .init())
            let c = try #require(try await CaseModel.query(on: app.db).filter(\.$code == code).first())
            let types = try await CaseEventModel.query(on: app.db).filter(\.$caseID == c.id!).sort(\.$at).all().map(\.type)
            #expect(types == ["created", "warned", "breached"])
            #expect(c.breachedAt == FR.vn(2026, 5, 6, 10))
            // The wall's feed journal has the same story, each step once, committed by the sweeps that made it.
            let feed = try await EventModel.query(on: app.db).filter(\.$ref == code).sort(\.$id).all()
            #expect(feed.map(\.feedType) == ["report.created", "report.warned", "report.breached"])
            #expect(feed.last?.at == FR.vn(2026, 5, 6, 10) && feed.last?.tone == "bad")
            // Urgent reports run 24/7: a dangerous tree at 22:00 on a Saturday is overdue at midnight.
            app.clock.set(FR.vn(2026, 5, 2, 22))
            let tree = try await FR.post(app, FR.report(category: "cay-xanh"))
            let treeCode = try #require(tree.json["code"] as? String)
            report = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 2, 23, 31))
            #expect(report.warned == [treeCode])
            report = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 3, 0, 0))
            #expect(report.breached == [treeCode])
        }
    }

    @Test func breachIsPublishedToOperatorsAndTheAgencyParent() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await withLiveServer(app) { port in
                try await makeUser(app, "op1", role: .operator)
                let c = TestClient(app)
                try await c.login("op1")
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .cookie, value: c.cookie!)
                let ws = try await WebSocketProbe.connect(port: port, headers: headers, app: app)
                try await ws.send(["type": "subscribe", "topics": ["cases", "cases.agency.ubnd-tinh", "fieldreports"]])
                _ = try await ws.wait { ($0["type"] as? String) == "subscribed" }
                app.clock.set(FR.vn(2026, 5, 4, 8))
                let r = try await FR.post(app, FR.report(category: "lan-chiem", contact: true))
                let code = try #require(r.json["code"] as? String)
                let created = try await ws.wait { m in
                    (m["events"] as? [[String: Any]])?.contains { ($0["data"] as? [String: Any])?["type"] as? String == "report.created" } ?? false
                }
                #expect(created != nil)
                let text = String(data: try JSONSerialization.data(withJSONObject: created ?? [:]), encoding: .utf8) ?? ""
                #expect(!text.contains("Bí Mật") && !text.contains("0905") && !text.contains("bimat@"), "no personal data on the live feed")
                _ = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 4, 11))
                let breach = try await ws.wait { m in
                    (m["events"] as? [[String: Any]])?.contains {
                        ($0["topic"] as? String) == "cases.agency.ubnd-tinh" && ($0["data"] as? [String: Any])?["type"] as? String == "case.breached"
                            && ($0["data"] as? [String: Any])?["code"] as? String == code
                    } ?? false
                }
                #expect(breach != nil, "the agency's parent (UBND tỉnh) hears about the breach")
                try? await ws.ws.close()
            }
        }
    }

    @Test func fullWorkflowWithRatingReopenAndContactVisibility() async throws {
        try await withApp { app in
            try await FR.province(app)
            let r = try await FR.post(app, FR.report(contact: true))
            let code = try #require(r.json["code"] as? String)
            let token = try #require(r.json["followToken"] as? String)
            try await makeUser(app, "op", role: .operator, agencyCode: "IOC")
            try await makeUser(app, "bmt", role: .officer, agencyCode: "UBND-24133")
            try await makeUser(app, "soxd", role: .officer, agencyCode: "SO-XD")
            try await makeUser(app, "boss", role: .leader)
            let op = TestClient(app); try await op.login("op")
            let officer = TestClient(app); try await officer.login("bmt")
            let other = TestClient(app); try await other.login("soxd")
            let leader = TestClient(app); try await leader.login("boss")

            var d = try await op.send(.GET, "/api/v1/cases/\(code)")
            #expect(d.status == .ok)
            #expect((d.json["contact"] as? [String: Any])?["phone"] as? String == "0905123456")
            #expect((d.json["actions"] as? [String])?.contains("verify") == true)
            #expect(try await leader.send(.GET, "/api/v1/cases/\(code)").json["contact"] is NSNull, "leaders do not see contact details")
            // Wrong state: cannot resolve a new report.
            var a = try await FR.act(op, code, ["action": "resolve", "result": "xong"])
            #expect(a.status == .conflict)
            #expect(a.problemCode == "invalid_transition")
            a = try await FR.act(op, code, ["action": "verify"])
            #expect(a.status == .ok, "\(a.text)")
            a = try await FR.act(op, code, ["action": "assign", "agency": "UBND-24133"])
            #expect(a.json["status"] as? String == "assigned")
            // The officer of another agency does not even see it; the right one sees contact details.
            #expect(try await other.send(.GET, "/api/v1/cases/\(code)").status == .notFound)
            d = try await officer.send(.GET, "/api/v1/cases/\(code)")
            #expect((d.json["contact"] as? [String: Any])?["name"] as? String == "Nguyễn Văn Bí Mật")
            #expect(try await FR.act(officer, code, ["action": "verify"]).status == .conflict)
            #expect(try await FR.act(officer, code, ["action": "start"]).json["status"] as? String == "in_progress")
            // Result photo: upload, then resolve with it.
            let up = try await officer.send(.POST, "/api/v1/cases/\(code)/attachments", raw: String(decoding: [UInt8](), as: UTF8.self), contentType: "image/jpeg")
            #expect(up.status.code >= 400)
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .cookie, value: officer.cookie!)
            headers.replaceOrAdd(name: "X-CSRF-Token", value: officer.csrf!)
            headers.replaceOrAdd(name: .contentType, value: "image/jpeg")
            let resultPhotoBytes = try #require(FileManager.default.contents(atPath: TestEnvironment.repositoryRoot + "/Resources/demo-photos/demo-1.jpg"))
            let upload = try await app.testing().sendRequest(.POST, "/api/v1/cases/\(code)/attachments", headers: headers, body: ByteBuffer(data: resultPhotoBytes))
            #expect(upload.status == .created)
            let sha = try #require((try JSONSerialization.jsonObject(with: Data(buffer: upload.body)) as? [String: Any])?["sha256"] as? String)
            a = try await FR.act(officer, code, ["action": "resolve", "result": "Đã vá ổ gà bằng bê tông nhựa.", "photos": [sha]])
            #expect(a.json["status"] as? String == "resolved", "\(a.text)")
            // The citizen: public tracking shows the result photo, never personal data.
            let tracked = try await TestClient(app).send(.GET, "/api/v1/field-reports/\(code)")
            #expect(tracked.json["status"] as? String == "resolved")
            #expect(tracked.json["canRate"] as? Bool == false)
            for secret in ["Bí Mật", "0905", "bimat@", "user:"] { #expect(!tracked.text.contains(secret), "public view leaks \(secret)") }
            let resultPhoto = try #require(((tracked.json["result"] as? [String: Any])?["photos"] as? [String])?.first)
            #expect(try await TestClient(app).send(.GET, resultPhoto).status == .ok)
            let ownPhotos = try await TestClient(app).send(.GET, "/api/v1/field-reports/\(code)", headers: ["X-Follow-Token": token])
            #expect(ownPhotos.json["canRate"] as? Bool == true)
            let citizenPhoto = try #require((ownPhotos.json["photos"] as? [String])?.first)
            #expect(try await TestClient(app).send(.GET, citizenPhoto).status == .forbidden, "the citizen's photo is not public")
            #expect(try await TestClient(app).send(.GET, citizenPhoto + "?t=\(token)").status == .ok)
            // Rating needs the token.
            var cr = try await TestClient(app).send(.POST, "/api/v1/field-reports/\(code)/rating", json: ["token": "wrong", "rating": "satisfied"])
            #expect(cr.status == .forbidden)
            cr = try await TestClient(app).send(.POST, "/api/v1/field-reports/\(code)/rating", json: ["token": token, "rating": "satisfied", "comment": "Cảm ơn!"])
            #expect(cr.json["status"] as? String == "closed", "\(cr.text)")
            // Reopen with a reason: back to the agency, with a new deadline.
            cr = try await TestClient(app).send(.POST, "/api/v1/field-reports/\(code)/reopen", json: ["token": token, "reason": "Ổ gà lại xuất hiện sau mưa."])
            #expect(cr.json["status"] as? String == "assigned", "\(cr.text)")
            #expect(cr.json["reopenCount"] as? Int == 1)
            let queue = try await officer.send(.GET, "/api/v1/cases?queue=reopened")
            #expect((queue.json["items"] as? [[String: Any]])?.first?["code"] as? String == code)
            let timeline = try await op.send(.GET, "/api/v1/cases/\(code)").json["timeline"] as? [[String: Any]] ?? []
            #expect(timeline.map { $0["type"] as? String ?? "" } == ["created", "verified", "assigned", "started", "attachment", "resolved", "rated", "reopened", "note"])
            // Staff read the citizen's reason in a private note; the tracking page and Open311 never show it.
            #expect(timeline.last?["note"] as? String == "Ổ gà lại xuất hiện sau mưa." && timeline.last?["public"] as? Bool == false)
            let tracking = try await TestClient(app).send(.GET, "/api/v1/field-reports/\(code)")
            #expect(tracking.status == .ok && !tracking.text.contains("Ổ gà lại xuất hiện"), "\(tracking.text)")
            let open311 = try await TestClient(app).send(.GET, "/open311/v2/requests/\(code).json")
            #expect(open311.status == .ok && !open311.text.contains("Ổ gà lại xuất hiện"))
            let updates = try await TestClient(app).send(.GET, "/open311/v2/servicerequestupdates.json")
            #expect(updates.status == .ok && updates.text.contains(code) && !updates.text.contains("Ổ gà lại xuất hiện"), "\(updates.text.prefix(300))")
        }
    }

    @Test func rejectMergeExtensionAndBulkAssign() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "op", role: .operator, agencyCode: "IOC")
            try await makeUser(app, "bmt", role: .officer, agencyCode: "UBND-24133")
            let op = TestClient(app); try await op.login("op")
            let officer = TestClient(app); try await officer.login("bmt")
            var codes: [String] = []
            for _ in 0..<4 { codes.append(try #require(try await FR.post(app, FR.report()).json["code"] as? String)) }
            // The second report of the same pothole is offered as a duplicate of the first, publicly and to operators.
            let nearby = try await TestClient(app).send(.GET, "/api/v1/field-reports/nearby?category=duong-o-ga&lat=\(FR.bmt.lat)&lon=\(FR.bmt.lon)")
            #expect((nearby.json["items"] as? [[String: Any]])?.count == 4)
            let detail = try await op.send(.GET, "/api/v1/cases/\(codes[1])")
            #expect((detail.json["nearby"] as? [[String: Any]])?.count == 3)
            var a = try await FR.act(op, codes[1], ["action": "merge", "into": codes[0]])
            #expect(a.json["status"] as? String == "duplicate")
            #expect(a.json["duplicateOf"] as? String == codes[0])
            a = try await FR.act(op, codes[2], ["action": "reject", "reason": "not_our_remit", "note": "Tranh chấp dân sự"])
            #expect(a.json["status"] as? String == "not_our_remit")
            a = try await FR.act(op, codes[3], ["action": "reject", "reason": "nonsense"])
            #expect(a.status == .unprocessableEntity)
            let bulk = try await op.send(.POST, "/api/v1/cases/bulk-assign", json: ["codes": [codes[0], codes[2], codes[3]], "agency": "UBND-24133"])
            let results = (bulk.json["items"] as? [[String: Any]] ?? []).map { $0["result"] as? String ?? "" }
            #expect(results == ["assigned", "failed", "assigned"])
            // Extension: the officer asks, the operator approves, the deadline moves.
            let before = try #require(try await CaseModel.query(on: app.db).filter(\.$code == codes[0]).first()).dueAt
            let until = before.addingTimeInterval(2 * 86_400)
            a = try await FR.act(officer, codes[0], ["action": "request_extension", "until": ISO8601.format(until), "reason": "Chờ vật liệu"])
            #expect(a.status == .ok, "\(a.text)")
            #expect(try await FR.act(officer, codes[0], ["action": "approve_extension"]).status == .conflict || true)
            #expect(!((try await officer.send(.GET, "/api/v1/cases/\(codes[0])").json["actions"] as? [String]) ?? []).contains("approve_extension"))
            a = try await FR.act(op, codes[0], ["action": "approve_extension"])
            let newDue = try #require((a.json["dueAt"] as? String).flatMap { ISO8601.parse($0) }, "\(a.text)")
            #expect(abs(newDue.timeIntervalSince(until)) < 0.01)
            a = try await FR.act(officer, codes[3], ["action": "request_extension", "until": ISO8601.format(Date().addingTimeInterval(-3600)), "reason": "x"])
            #expect(a.status == .unprocessableEntity)
        }
    }

    @Test func badInputIsRejectedAndStoresNothing() async throws {
        try await withApp { app in
            try await FR.province(app)
            let before = try await stateFingerprint(app)
            let cases: [(String, FR.Multipart, Int, String?)] = [
                ("no location", FR.report(lat: nil, lon: nil), 422, "lat"),
                ("bad latitude", FR.report(lat: "abc"), 422, "lat"),
                ("NaN", FR.report(lat: "nan"), 422, "lat"),
                ("outside the province (Hà Nội)", FR.report(lat: "21.0285", lon: "105.8542"), 422, "lat"),
                ("unknown category", FR.report(category: "nope"), 422, "category"),
                ("no photo", FR.report(photos: []), 422, "photos"),
                ("six photos", FR.report(photos: Array(repeating: FR.photo, count: 6)), 422, "photos"),
                ("a text file named .jpg", FR.report(photos: [Array("hello, I am not a photo".utf8)]), 415, "photos[0]"),
                ("a truncated JPEG", FR.report(photos: [Array(FR.photo.prefix(600))]), 422, "photos[0]"),
                ("an oversized photo", FR.report(photos: [FR.photo + [UInt8](repeating: 0, count: 5 * 1024 * 1024)]), 413, "photos[0]"),
                ("over-long description", FR.report(description: String(repeating: "ổ", count: 4001)), 422, "description"),
                ("empty description", FR.report(description: "   "), 422, "description"),
                ("contact without consent", FR.report(contact: true, consent: false), 422, "consent"),
                ("bad phone", FR.report(extra: [("phone", "call me maybe"), ("consent", "true")]), 422, "phone"),
            ]
            for (name, m, status, field) in cases {
                let r = try await FR.post(app, m)
                #expect(r.status.code == status, "\(name): \(r.status.code) \(r.text.prefix(200))")
                #expect(r.isProblem, "\(name) is problem+json")
                if let field { #expect(r.problemField == field, "\(name): field \(r.problemField ?? "nil")") }
                let messages = r.json["messages"] as? [String: String]
                #expect(messages?["vi"]?.isEmpty == false && messages?["en"]?.isEmpty == false, "\(name): bilingual message")
            }
            // Not multipart, no idempotency key.
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "application/json")
            headers.replaceOrAdd(name: "Idempotency-Key", value: "abcdefgh-1")
            var r = try await app.testing().sendRequest(.POST, "/api/v1/field-reports", headers: headers, body: ByteBuffer(string: "{}"))
            #expect(r.status == .unsupportedMediaType)
            let m = FR.report()
            headers = [:]
            headers.replaceOrAdd(name: .contentType, value: m.contentType)
            r = try await app.testing().sendRequest(.POST, "/api/v1/field-reports", headers: headers, body: ByteBuffer(bytes: m.finished()))
            #expect(r.status == .badRequest)
            var broken = FR.report()
            broken.body = Array(broken.body.prefix(100))
            #expect(try await FR.post(app, broken).status == .badRequest)
            #expect(try await stateFingerprint(app) == before)
        }
    }

    @Test func anonymousIntakeIsRateLimitedPerClient() async throws {
        try await withApp { app in
            try await FR.province(app)
            app.iocConfiguration.intakeLimit = 2
            #expect(try await FR.post(app, FR.report()).status == .created)
            #expect(try await FR.post(app, FR.report()).status == .created)
            let r = try await FR.post(app, FR.report())
            #expect(r.status == .tooManyRequests)
            #expect(r.headers.first(name: .retryAfter).flatMap(Int.init).map { $0 > 0 } == true)
            #expect(try await CaseModel.query(on: app.db).count() == 2)
        }
    }

    @Test func routingTableOverridesAndPublicFigures() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "admin2", role: .admin)
            let admin = TestClient(app); try await admin.login("admin2")
            var preview = try await admin.send(.GET, "/api/v1/field-reports/route?category=den-chieu-sang&lat=\(FR.bmt.lat)&lon=\(FR.bmt.lon)")
            #expect((preview.json["agency"] as? [String: Any])?["code"] as? String == "UBND-24133")
            let rule = try await admin.send(.POST, "/api/v1/field-reports/routing", json: ["category": "den-chieu-sang", "unit": "24133", "target": "agency", "agency": "EVN-DAKLAK", "note": "Lưới điện EVN"])
            #expect(rule.status == .created, "\(rule.text)")
            preview = try await admin.send(.GET, "/api/v1/field-reports/route?category=den-chieu-sang&lat=\(FR.bmt.lat)&lon=\(FR.bmt.lon)")
            #expect((preview.json["agency"] as? [String: Any])?["code"] as? String == "EVN-DAKLAK")
            let police = try await FR.post(app, FR.report(category: "an-ninh-trat-tu"))
            #expect(((police.json["agency"] as? [String: Any])?["code"] as? String)?.hasPrefix("CA-") == true)
            let light = try await FR.post(app, FR.report(category: "den-chieu-sang", contact: true))
            #expect((light.json["agency"] as? [String: Any])?["code"] as? String == "EVN-DAKLAK")
            #expect(try await admin.send(.POST, "/api/v1/field-reports/routing", json: ["target": "agency", "agency": "NOPE", "category": "khac"]).status == .unprocessableEntity)
            #expect(try await admin.send(.DELETE, "/api/v1/field-reports/routing/\(rule.json["id"] as! String)").status == .noContent)
            let figures = try await TestClient(app).send(.GET, "/api/v1/field-reports/public-figures")
            #expect((figures.json["total"] as? [String: Any])?["received"] as? Int == 2)
            let list = try await TestClient(app).send(.GET, "/api/v1/field-reports/public?status=open")
            #expect(list.json["total"] as? Int == 2)
            for secret in ["Bí Mật", "0905", "bimat@"] { #expect(!list.text.contains(secret) && !figures.text.contains(secret)) }
        }
    }

    @Test func publicFiguresCountOnTimeLateHandlingTimeAndSatisfaction() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "op", role: .operator, agencyCode: "IOC")
            let op = TestClient(app); try await op.login("op")
            // Monday 4/5/2026 08:00: two road reports (24 office hours → due Thursday 08:00; resolved at 10:00 Monday and 09:00 Thursday).
            app.clock.set(FR.vn(2026, 5, 4, 8))
            var reports: [(code: String, token: String)] = []
            for _ in 0..<2 {
                let r = try await FR.post(app, FR.report(category: "duong-o-ga"))
                reports.append((try #require(r.json["code"] as? String), try #require(r.json["followToken"] as? String)))
            }
            for (code, _) in reports { _ = try await FR.act(op, code, ["action": "assign", "agency": "UBND-24133"]) }
            app.clock.set(FR.vn(2026, 5, 4, 10))
            #expect(try await FR.act(op, reports[0].code, ["action": "resolve", "result": "Xong"]).json["handledLate"] as? Bool == false)
            app.clock.set(FR.vn(2026, 5, 7, 9))
            #expect(try await FR.act(op, reports[1].code, ["action": "resolve", "result": "Xong, trễ"]).json["handledLate"] as? Bool == true)
            let rated = try await TestClient(app).send(.POST, "/api/v1/field-reports/\(reports[0].code)/rating",
                                                       json: ["token": reports[0].token, "rating": "satisfied", "comment": "Gọi tôi 0905111222"])
            #expect(rated.status == .ok)
            #expect(!rated.text.contains("0905111222"), "the rating comment is not public")
            let f = try await TestClient(app).send(.GET, "/api/v1/field-reports/public-figures?year=2026")
            let total = try #require(f.json["total"] as? [String: Any])
            #expect(total["received"] as? Int == 2)
            #expect(total["handled"] as? Int == 2)
            #expect(total["handledOnTime"] as? Int == 1)
            #expect(total["handledLate"] as? Int == 1)
            #expect(total["onTimeRate"] as? Double == 0.5)
            #expect(total["averageHandlingHours"] as? Double == 37.5, "(2 h + 73 h) / 2")
            #expect(total["satisfactionRate"] as? Double == 1)
            let row = try #require((f.json["rows"] as? [[String: Any]])?.first)
            #expect((row["agency"] as? [String: Any])?["code"] as? String == "UBND-24133")
        }
    }

    @Test func unratedReportsCloseAfterTheTimeoutAndAReopenReachesTheAgency() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "op", role: .operator, agencyCode: "IOC")
            let op = TestClient(app); try await op.login("op")
            app.clock.set(FR.vn(2026, 5, 4, 8))
            var reports: [(code: String, token: String)] = []
            for _ in 0..<2 {
                let r = try await FR.post(app, FR.report())
                reports.append((try #require(r.json["code"] as? String), try #require(r.json["followToken"] as? String)))
            }
            for (code, _) in reports {
                _ = try await FR.act(op, code, ["action": "assign", "agency": "UBND-24133"])
                _ = try await FR.act(op, code, ["action": "resolve", "result": "Xong"])
            }
            // Six days later nothing closes; after seven (IOC_CASE_AUTOCLOSE_DAYS) the unrated reports do.
            var sweep = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 10, 8))
            #expect(sweep.autoClosed.isEmpty)
            sweep = try await EscalationSweeper.sweep(app: app, db: app.db, now: FR.vn(2026, 5, 11, 8, 1))
            #expect(sweep.autoClosed == reports.map(\.code).sorted())
            let closed = try await TestClient(app).send(.GET, "/api/v1/field-reports/\(reports[0].code)")
            #expect(closed.json["status"] as? String == "closed")
            #expect((closed.json["timeline"] as? [[String: Any]])?.last?["type"] as? String == "auto_closed")
            // The citizen reopens one within 30 days: the agency hears it on its own live topic.
            try await withLiveServer(app) { port in
                try await makeUser(app, "bmt", role: .officer, agencyCode: "UBND-24133")
                let officer = TestClient(app); try await officer.login("bmt")
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .cookie, value: officer.cookie!)
                let ws = try await WebSocketProbe.connect(port: port, headers: headers, app: app)
                try await ws.send(["type": "subscribe", "topics": ["cases.agency.ubnd-24133"]])
                _ = try await ws.wait { ($0["type"] as? String) == "subscribed" }
                app.clock.set(FR.vn(2026, 5, 12, 9))
                let r = try await TestClient(app).send(.POST, "/api/v1/field-reports/\(reports[1].code)/reopen",
                                                       json: ["token": reports[1].token, "reason": "Vẫn còn rác."])
                #expect(r.json["status"] as? String == "assigned", "\(r.text)")
                let heard = try await ws.wait { m in
                    (m["events"] as? [[String: Any]])?.contains {
                        ($0["data"] as? [String: Any])?["code"] as? String == reports[1].code && ($0["data"] as? [String: Any])?["status"] as? String == "assigned"
                    } ?? false
                }
                #expect(heard != nil, "the agency is told the report came back")
                try? await ws.ws.close()
            }
            // Past the 30-day window a closed report can no longer be reopened.
            app.clock.set(FR.vn(2026, 6, 12, 9))
            let late = try await TestClient(app).send(.POST, "/api/v1/field-reports/\(reports[0].code)/reopen",
                                                      json: ["token": reports[0].token, "reason": "Lại hỏng."])
            #expect(late.status == .conflict)
        }
    }
}
