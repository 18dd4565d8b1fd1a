import Fluent
import Foundation
import IOCCore
import NIOCore
import Testing
import Vapor
import VaporTesting
@testable import IOCServer

@Suite("Events, alarms and the wall's feed journal")
struct EventsTests {
    static func event(_ id: String, kind: String = "camera.offline", severity: String = "major", title: String = "Camera ngã sáu mất tín hiệu",
                      key: String? = nil, clear: Bool = false) -> [String: Any] {
        var e: [String: Any] = ["externalId": id, "kind": kind, "severity": severity, "title": title, "titleEn": "Camera offline",
                                "lat": 12.6681, "lon": 108.0391]
        if let key { e["alarmKey"] = key }
        if clear { e["clear"] = true }
        return e
    }

    @Test func sourcesRaiseRepeatAndClearAlarmsIdempotently() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "admin2", role: .admin)
            let admin = TestClient(app); try await admin.login("admin2")
            let key = try #require(try await admin.send(.POST, "/api/v1/sources", json: ["name": "vms-bmt", "kind": "camera", "expectedFreshnessSeconds": 600])
                .json["apiKey"] as? String)
            let vms = TestClient(app); vms.bearer = key
            let first = try await vms.send(.POST, "/api/v1/events", json: ["events": [
                Self.event("e1", key: "cam-7/offline"),
                Self.event("e2", kind: "sensor.reading", severity: "info", title: "Mực nước 3,2 m"),
            ]])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["accepted"] as? Int == 2)
            // The source is alive: its freshness (what the "stale" badges read) moved with the ingest.
            #expect(try await SourceModel.query(on: app.db).filter(\.$name == "vms-bmt").first()?.lastDataAt != nil)
            let items = first.json["events"] as? [[String: Any]] ?? []
            let alarm = try #require(items.first?["alarm"] as? String)
            #expect(alarm.hasPrefix("CB-") && items.last?["alarm"] == nil)
            // The same event again (a retry) is a duplicate: same id, nothing new.
            let again = try await vms.send(.POST, "/api/v1/events", json: ["events": [Self.event("e1", key: "cam-7/offline")]])
            #expect(again.status == .ok && again.json["duplicates"] as? Int == 1, "\(again.status) \(again.text)")
            #expect((again.json["events"] as? [[String: Any]])?.first?["id"] as? Int == items.first?["id"] as? Int)
            // A new event with the same key repeats the open alarm, a critical one raises its severity.
            let repeated = try await vms.send(.POST, "/api/v1/events", json: ["events": [Self.event("e3", severity: "critical", key: "cam-7/offline")]])
            #expect((repeated.json["events"] as? [[String: Any]])?.first?["alarm"] as? String == alarm)
            var detail = try await admin.send(.GET, "/api/v1/alarms/\(alarm)")
            #expect(detail.json["count"] as? Int == 2 && detail.json["severity"] as? String == "critical" && detail.json["state"] as? String == "active")
            #expect((detail.json["source"] as? [String: Any])?["name"] as? String == "vms-bmt")
            #expect(detail.json["place"] as? String == "Phường Buôn Ma Thuột")
            // The clearing event clears it; a later event with the key raises a new alarm.
            _ = try await vms.send(.POST, "/api/v1/events", json: ["events": [Self.event("e4", severity: "info", title: "Camera có tín hiệu lại", key: "cam-7/offline", clear: true)]])
            detail = try await admin.send(.GET, "/api/v1/alarms/\(alarm)")
            #expect(detail.json["state"] as? String == "cleared" && detail.json["clearedBy"] as? String == "vms-bmt")
            let next = try await vms.send(.POST, "/api/v1/events", json: ["events": [Self.event("e5", key: "cam-7/offline")]])
            let second = try #require((next.json["events"] as? [[String: Any]])?.first?["alarm"] as? String)
            #expect(second != alarm)
            let open = try await admin.send(.GET, "/api/v1/alarms")
            #expect((open.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == [second])
            #expect((open.json["counts"] as? [String: Any])?["active"] as? Int == 1)
            // The feed journal: every accepted event once, ids increasing, alarm entries linked.
            let feed = try await admin.send(.GET, "/api/v1/wall/events?after=0")
            let entries = feed.json["items"] as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["type"] as? String } == ["alarm.raised", "event", "event", "alarm.cleared", "alarm.raised"])
            let ids = entries.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted() && Set(ids).count == 5)
            #expect(entries[0]["link"] as? String == "/wall#alarm/\(alarm)")
            // Bad input: a clear message, nothing stored.
            let before = try await stateFingerprint(app)
            for (body, field) in [
                (["events": []] as [String: Any], "events"),
                (["events": [["externalId": "x", "kind": "Camera Offline", "title": "t"]]], "events[0].kind"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t", "severity": "huge"]]], "events[0].severity"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t", "occurredAt": "2099-01-01T00:00:00Z"]]], "events[0].occurredAt"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t", "lat": 21.0, "lon": 105.8]]], "events[0].lat"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t", "lat": 12.6]]], "events[0].lat"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t", "unitCode": "00001"]]], "events[0].unitCode"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t\u{7}"]]], "events[0].title"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t", "clear": true]]], "events[0].alarmKey"),
                (["events": [["externalId": "x", "kind": "a.b", "title": "t"], ["externalId": "x", "kind": "a.b", "title": "t"]]], "events[1].externalId"),
                (["events": Array(repeating: ["externalId": "x", "kind": "a.b", "title": "t"], count: 1_001)], "events"),
            ] {
                let r = try await vms.send(.POST, "/api/v1/events", json: body)
                #expect(r.status == .unprocessableEntity && r.isProblem && r.problemField == field, "\(field): \(r.status) \(r.text.prefix(200))")
            }
            #expect(try await stateFingerprint(app) == before)
            #expect(try await EventModel.query(on: app.db).count() == 5)
            // Leaders read alarms but may not send events or act.
            try await makeUser(app, "boss", role: .leader)
            let leader = TestClient(app); try await leader.login("boss")
            #expect(try await leader.send(.POST, "/api/v1/events", json: ["events": [Self.event("z")]]).status == .forbidden)
            #expect(try await leader.send(.GET, "/api/v1/alarms/\(second)").json["actions"] as? [String] == [])
        }
    }

    @Test func acknowledgeAssignCommentClearAreAuditedAndLive() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "op", role: .operator)
            try await makeUser(app, "xd", role: .officer, agencyCode: "SO-XD")
            try await makeUser(app, "other", role: .officer, agencyCode: "EVN-DAKLAK")
            let op = TestClient(app); try await op.login("op")
            let xd = TestClient(app); try await xd.login("xd")
            let other = TestClient(app); try await other.login("other")
            let raised = try await op.send(.POST, "/api/v1/events", json: ["events": [Self.event("m1", kind: "soc.alert", severity: "critical", title: "Tấn công dò mật khẩu cổng DVC")]])
            let code = try #require((raised.json["events"] as? [[String: Any]])?.first?["alarm"] as? String, "\(raised.text)")
            try await withLiveServer(app) { port in
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Cookie": op.cookie!], app: app)
                try await probe.send(["type": "subscribe", "topics": ["alarms", "wall"]])
                _ = try await probe.wait { $0["type"] as? String == "subscribed" && ($0["topics"] as? [String])?.contains("wall") == true }
                let ack = try await op.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "acknowledge", "note": "Đang kiểm tra"])
                #expect(ack.status == .ok, "\(ack.text)")
                #expect(ack.json["state"] as? String == "acknowledged" && (ack.json["acknowledgedBy"] as? String)?.isEmpty == false)
                let live = try await probe.wait { m in
                    (m["events"] as? [[String: Any]])?.contains { ($0["topic"] as? String) == "alarms" } == true
                }
                #expect(live != nil, "alarm change reaches the live topic")
                let wall = try await probe.wait { m in
                    (m["events"] as? [[String: Any]])?.contains { (($0["data"] as? [String: Any])?["type"] as? String) == "alarm.acknowledged" } == true
                }
                #expect(wall != nil, "the acknowledgement is a feed entry")
                try await probe.ws.close()
            }
            // Acknowledging twice is a conflict; the others follow the rules.
            let twice = try await op.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "acknowledge"])
            #expect(twice.status == .conflict && twice.isProblem)
            #expect(try await xd.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "comment", "note": "x"]).status == .notFound,
                    "an officer sees only alarms assigned to the agency")
            let assign = try await op.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "assign", "agency": "SO-XD", "note": "Giao Sở XD"])
            #expect((assign.json["agency"] as? [String: Any])?["code"] as? String == "SO-XD")
            #expect(try await xd.send(.GET, "/api/v1/alarms/\(code)").json["actions"] as? [String] == ["comment", "clear"])
            #expect(try await other.send(.GET, "/api/v1/alarms/\(code)").status == .notFound)
            #expect(try await xd.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "assign", "agency": "EVN-DAKLAK"]).status == .forbidden)
            let noNote = try await xd.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "comment"])
            #expect(noNote.status == .unprocessableEntity && noNote.problemField == "note")
            #expect(try await xd.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "comment", "note": "Đã chặn IP nguồn"]).status == .ok)
            let cleared = try await xd.send(.POST, "/api/v1/alarms/\(code)/actions", json: ["action": "clear", "note": "Xử lý xong"])
            #expect(cleared.json["state"] as? String == "cleared")
            let timeline = cleared.json["timeline"] as? [[String: Any]] ?? []
            #expect(timeline.compactMap { $0["action"] as? String } == ["raised", "acknowledged", "assigned", "commented", "cleared"])
            #expect(timeline.compactMap { $0["note"] as? String } == ["Đang kiểm tra", "Giao Sở XD", "Đã chặn IP nguồn", "Xử lý xong"])
            #expect((timeline[2]["agency"] as? [String: Any])?["code"] as? String == "SO-XD")
            let audited = try await AuditEntryModel.query(on: app.db).filter(\.$targetID == code).all().map(\.action)
            #expect(audited == ["alarm.acknowledge", "alarm.assign", "alarm.comment", "alarm.clear"])
            #expect(try await app.audit.verify(on: app.db).problem == nil)
            for bad in [["action": "explode"], ["action": "assign", "agency": "NOPE"], ["action": "assign"]] {
                let r = try await op.send(.POST, "/api/v1/alarms/\(code)/actions", json: bad)
                #expect(r.status == .unprocessableEntity && r.isProblem, "\(bad): \(r.status)")
            }
            #expect(try await op.send(.GET, "/api/v1/alarms/CB-1999-000001").status == .notFound)
            #expect(try await op.send(.GET, "/api/v1/alarms?state=weird").status == .unprocessableEntity)
        }
    }

    @Test func summariesCoalesceAFloodIntoFewMessages() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "op", role: .operator)
            let op = TestClient(app); try await op.login("op")
            try await withLiveServer(app) { port in
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Cookie": op.cookie!], app: app)
                try await probe.send(["type": "subscribe", "topics": ["wall.summary"]])
                _ = try await probe.wait { $0["type"] as? String == "subscribed" }
                var ids: [Int] = []
                for batch in 0..<3 {
                    let events = (0..<100).map { ["externalId": "flood-\(batch)-\($0)", "kind": "bench.tick", "title": "Sự kiện \($0)"] }
                    let r = try await op.send(.POST, "/api/v1/events", json: ["events": events])
                    ids += (r.json["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                }
                #expect(ids.count == 300)
                // Every entry is counted once, in far fewer messages than entries, and the id ranges cover them all.
                var summaries: [[String: Any]] = []
                let deadline = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < deadline {
                    summaries = probe.events.filter { $0["topic"] as? String == "wall.summary" }.compactMap { $0["data"] as? [String: Any] }
                    if summaries.reduce(0, { $0 + ($1["count"] as? Int ?? 0) }) >= 300 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(summaries.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 300)
                #expect(!summaries.isEmpty && summaries.count <= 10, "\(summaries.count) summaries")
                #expect(summaries.compactMap { $0["firstId"] as? Int }.min() == ids.min() && summaries.compactMap { $0["lastId"] as? Int }.max() == ids.max())
                #expect(summaries.allSatisfy { ($0["latest"] as? [Any])?.count ?? 99 <= 5 })
                try await probe.ws.close()
            }
        }
    }

    @Test func feedResumesFromTheLastIdSeen() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "boss", role: .leader)
            let leader = TestClient(app); try await leader.login("boss")
            var codes: [String] = []
            for _ in 0..<3 { codes.append(try #require(try await FR.post(app, FR.report()).json["code"] as? String)) }
            let snapshot = try await leader.send(.GET, "/api/v1/wall/events?limit=2")
            let seen = try #require(snapshot.json["lastFeedId"] as? Int)
            #expect((snapshot.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == [codes[2], codes[1]])
            // A screen that saw everything up to `seen` misses two reports and a breach, then asks for what came after.
            let more = [try #require(try await FR.post(app, FR.report()).json["code"] as? String),
                        try #require(try await FR.post(app, FR.report()).json["code"] as? String)]
            let resumed = try await leader.send(.GET, "/api/v1/wall/events?after=\(seen)")
            let items = resumed.json["items"] as? [[String: Any]] ?? []
            let newer = items.filter { ($0["id"] as? Int ?? 0) > seen }
            #expect(newer.compactMap { $0["code"] as? String } == more, "oldest first, exactly the missed ones")
            #expect(resumed.json["more"] as? Bool == false)
            // Entries of the last seconds before `seen` come again (the commit-order overlap); the client de-duplicates by id.
            #expect(items.count >= 2 && items.count <= 5)
            let limited = try await leader.send(.GET, "/api/v1/wall/events?after=0&limit=2")
            #expect(limited.json["more"] as? Bool == true && (limited.json["items"] as? [Any])?.count == 2)
            // (Resuming on another instance of the same PostgreSQL database: LiveBridgeTests.)
            for bad in ["after=-1", "after=x", "limit=0", "after=1&limit=5000"] {
                let r = try await leader.send(.GET, "/api/v1/wall/events?\(bad)")
                #expect(r.status == .unprocessableEntity && r.isProblem, "\(bad): \(r.status)")
            }
        }
    }

    @Test func serviceScreensDrillFromAgencyToCommuneToItem() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "boss", role: .leader)
            let leader = TestClient(app); try await leader.login("boss")
            var codes: [String] = []
            for _ in 0..<2 { codes.append(try #require(try await FR.post(app, FR.report()).json["code"] as? String)) }
            let overview = try await leader.send(.GET, "/api/v1/wall/overview")
            #expect((overview.json["tiles"] as? [[String: Any]])?.compactMap { $0["drill"] as? String } == ["fieldreports", "publicservices", "alarms", "indicators", "dti", "environment", "warnings"])
            // Reports at the BMT point go to the ward's committee (the default routing).
            let top = try await leader.send(.GET, "/api/v1/wall/drill/fieldreports")
            #expect(top.json["level"] as? String == "agency", "\(top.text.prefix(300))")
            let rows = top.json["rows"] as? [[String: Any]] ?? []
            let agencyRow = try #require(rows.first { (($0["values"] as? [String: Any])?["open"] as? Double ?? 0) == 2 }, "\(rows)")
            let agency = try #require(agencyRow["key"] as? String)
            let communes = try await leader.send(.GET, "/api/v1/wall/drill/fieldreports?agency=\(agency)")
            #expect(communes.json["level"] as? String == "unit")
            let unitRow = try #require((communes.json["rows"] as? [[String: Any]])?.first)
            #expect(unitRow["key"] as? String == "24133" && (unitRow["values"] as? [String: Any])?["open"] as? Double == 2)
            let list = try await leader.send(.GET, "/api/v1/wall/drill/fieldreports?agency=\(agency)&unit=24133")
            #expect(list.json["level"] as? String == "item")
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(Set(items.compactMap { $0["code"] as? String }) == Set(codes))
            #expect(items.first?["link"] as? String == "/wall#case/\(items.first?["code"] as? String ?? "")")
            // Alarms: unassigned ones are the operations centre's (IOC), then by commune, then the alarm itself.
            try await makeUser(app, "op", role: .operator)
            let op = TestClient(app); try await op.login("op")
            let raised = try await op.send(.POST, "/api/v1/events", json: ["events": [Self.event("d1", severity: "critical")]])
            let alarm = try #require((raised.json["events"] as? [[String: Any]])?.first?["alarm"] as? String)
            let byAgency = try await leader.send(.GET, "/api/v1/wall/drill/alarms")
            let ioc = try #require((byAgency.json["rows"] as? [[String: Any]])?.first, "\(byAgency.text.prefix(300))")
            #expect(ioc["key"] as? String == "IOC" && (ioc["values"] as? [String: Any])?["critical"] as? Double == 1)
            let alarmUnits = try await leader.send(.GET, "/api/v1/wall/drill/alarms?agency=IOC")
            #expect((alarmUnits.json["rows"] as? [[String: Any]])?.first?["key"] as? String == "24133")
            let alarmItems = try await leader.send(.GET, "/api/v1/wall/drill/alarms?agency=IOC&unit=24133")
            #expect((alarmItems.json["items"] as? [[String: Any]])?.first?["link"] as? String == "/wall#alarm/\(alarm)")
            let ps = try await leader.send(.GET, "/api/v1/wall/drill/publicservices")
            #expect(ps.status == .ok && ps.json["level"] as? String == "agency")
            for bad in ["/api/v1/wall/drill/nothing", "/api/v1/wall/drill/fieldreports?agency=NOPE", "/api/v1/wall/drill/fieldreports?unit=01001"] {
                let r = try await leader.send(.GET, bad)
                #expect(r.isProblem && [.notFound, .unprocessableEntity].contains(r.status), "\(bad): \(r.status)")
            }
            // An officer of another agency may not drill into this one.
            try await makeUser(app, "evn", role: .officer, agencyCode: "EVN-DAKLAK")
            let evn = TestClient(app); try await evn.login("evn")
            #expect(try await evn.send(.GET, "/api/v1/wall/drill/fieldreports?agency=\(agency)").status == .forbidden)
        }
    }
}
