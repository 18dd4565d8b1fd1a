import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import Testing
import Vapor
@testable import IOCServer

/// Environment stations and warnings through the API, on SQLite and PostgreSQL: observations and VN_AQI, alert rules
/// with an injected clock, the warning workflow to CAP 1.2 (validated by xmllint against the OASIS schema), CAP
/// received, loudspeaker clusters.
@Suite("Environment and warnings: observations, VN_AQI, rules, approval, CAP, broadcast")
struct WarningsTests {
    /// 8 December 2026, 10:00 in Vietnam.
    static let now = ISO8601.parse("2026-12-08T03:00:00Z")!

    static func local(_ s: String) -> String { s + ":00+07:00" }

    struct Setup { var admin: TestClient; var op: TestClient; var leader: TestClient; var officer: TestClient; var anon: TestClient }

    static func setUp(_ app: Application) async throws -> Setup {
        app.clock.set(now)
        try await makeUser(app, "quantri", role: .admin)
        try await makeUser(app, "dieuhanh", role: .operator)
        try await makeUser(app, "lanhdao", role: .leader)
        try await makeUser(app, "canbo", role: .officer, agencyCode: "SO-A")
        let s = Setup(admin: TestClient(app), op: TestClient(app), leader: TestClient(app), officer: TestClient(app), anon: TestClient(app))
        try await s.admin.login("quantri"); try await s.op.login("dieuhanh"); try await s.leader.login("lanhdao"); try await s.officer.login("canbo")
        return s
    }

    static func stations(_ admin: TestClient) async throws {
        var r = try await admin.send(.POST, "/api/v1/stations", json: ["code": "KK-1", "name": "Không khí BMT", "kind": "air", "lat": 12.6679, "lon": 108.0382])
        #expect(r.status == .created, "\(r.text)")
        r = try await admin.send(.POST, "/api/v1/stations", json: ["code": "TV-1", "name": "Thủy văn 1", "kind": "water", "lat": 12.6905, "lon": 108.06,
                                                                  "alarmLevels": ["1": 300, "2": 400, "3": 500]])
        #expect(r.status == .created, "\(r.text)")
        r = try await admin.send(.POST, "/api/v1/stations", json: ["code": "TV-2", "name": "Thủy văn 2", "kind": "water", "lat": 13.089, "lon": 109.306,
                                                                  "alarmLevels": ["1": 100, "2": 200, "3": 300]])
        #expect(r.status == .created, "\(r.text)")
    }

    @Test func observationsAreIdempotentAndTheAQIIsTheDecisionsFormula() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            try await Self.stations(s.admin)
            let key = try #require(try await s.admin.send(.POST, "/api/v1/sources", json: ["name": "tram-kk", "kind": "observations"]).json["apiKey"] as? String)
            let source = TestClient(app); source.bearer = key
            // 12 hourly PM2.5 values ending 10:00 (c1 = 10:00 … c12 = 23:00 the day before) and the 10:00 gases.
            let pm = [57.0, 62, 70, 55, 40, 35, 30, 28, 25, 24, 22, 20]
            var items: [[String: Any]] = []
            for (k, v) in pm.enumerated() {
                let t = Self.now.addingTimeInterval(Double(-k) * 3600)
                items.append(["station": "KK-1", "parameter": "pm25", "time": ISO8601.format(t), "value": v])
            }
            items.append(["station": "KK-1", "parameter": "no2", "time": Self.local("2026-12-08T10:00"), "value": 118.7])
            var r = try await source.send(.POST, "/api/v1/observations", json: items)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["accepted"] as? Int == 13)
            // Sent again: nothing new, same aggregates.
            r = try await source.send(.POST, "/api/v1/observations", json: items)
            #expect(r.status == .created)
            let sql = try #require(app.db as? any SQLDatabase)
            struct N: Decodable { var n: Int }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM env_observations").first(decoding: N.self)?.n == 13)
            // Hourly AQI at 10:00: NowCast of the 12 values (the engine in IOCCore), NO2 sub-index 50 + 50/100×18.7 = 59.35.
            r = try await s.anon.send(.GET, "/api/v1/stations/KK-1/aqi?kind=hourly&at=2026-12-08T10:00")
            #expect(r.status == .ok, "\(r.text)")
            let expected = VNAQI.hourly { p, k in p == .pm25 ? pm[k] : (p == .no2 && k == 0 ? 118.7 : nil) }
            #expect(r.json["aqi"] as? Int == expected.aqi)
            #expect(r.json["dominant"] as? String == "pm25")
            #expect((r.json["subIndices"] as? [String: Any])?["no2"] as? Int == 59)
            #expect(r.json["category"] as? String == expected.category?.name)
            // An hour with no PM: no AQI, with the reason.
            r = try await s.anon.send(.GET, "/api/v1/stations/KK-1/aqi?kind=hourly&at=2026-12-07T05:00")
            #expect(r.json["aqi"] is NSNull || r.json["aqi"] == nil)
            #expect(r.json["reasonCode"] as? String == "no-pm")
            // A value labelled 10:00 is the hour 09:00–10:00: two readings inside it average into the hourly mean.
            r = try await source.send(.POST, "/api/v1/observations", json: [
                ["station": "TV-1", "parameter": "water_level", "time": Self.local("2026-12-08T09:20"), "value": 100],
                ["station": "TV-1", "parameter": "water_level", "time": Self.local("2026-12-08T09:40"), "value": 200],
            ])
            #expect(r.status == .created)
            r = try await s.anon.send(.GET, "/api/v1/stations/TV-1/series?hours=2")
            let hours = try #require(r.json["hours"] as? [[String: Any]])
            #expect(hours.last?["at"] as? String == "2026-12-08T10:00+07:00")
            #expect((hours.last?["values"] as? [String: Any])?["water_level"] as? Double == 150)
            // A corrected value for an instant already stored replaces it, and its hour is recomputed: (100 + 300) / 2.
            r = try await source.send(.POST, "/api/v1/observations", json: [
                ["station": "TV-1", "parameter": "water_level", "time": Self.local("2026-12-08T09:40"), "value": 300]])
            #expect(r.status == .created)
            r = try await s.anon.send(.GET, "/api/v1/stations/TV-1/series?hours=2")
            #expect(((r.json["hours"] as? [[String: Any]])?.last?["values"] as? [String: Any])?["water_level"] as? Double == 200)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM env_observations WHERE station = 'TV-1'").first(decoding: N.self)?.n == 2)
            struct D: Decodable { var n: Int; var total: Double }
            let day = try #require(try await sql.raw("SELECT n, total FROM env_daily WHERE station = 'TV-1' AND parameter = 'water_level'").first(decoding: D.self))
            #expect(day.n == 1 && day.total == 200, "the day's one hour, with its mean")
            // Bad input: refused whole, nothing stored.
            let before = try await stateFingerprint(app)
            for (bad, field) in [
                ([["station": "KK-9", "parameter": "pm25", "time": Self.local("2026-12-08T10:00"), "value": 1]], "[0].station"),
                ([["station": "KK-1", "parameter": "water_level", "time": Self.local("2026-12-08T10:00"), "value": 1]], "[0].parameter"),
                ([["station": "KK-1", "parameter": "pm25", "time": "hôm qua", "value": 1]], "[0].time"),
                ([["station": "KK-1", "parameter": "pm25", "time": Self.local("2026-12-09T10:00"), "value": 1]], "[0].time"),
                ([["station": "KK-1", "parameter": "pm25", "time": Self.local("2026-12-08T10:00"), "value": -5]], "[0].value"),
                ([["station": "KK-1", "parameter": "pm25", "time": Self.local("2026-12-08T08:00"), "value": 5],
                  ["station": "KK-1", "parameter": "pm25", "time": Self.local("2026-12-08T08:00"), "value": 6]], "[1].time"),
            ] as [([[String: Any]], String)] {
                let r = try await source.send(.POST, "/api/v1/observations", json: bad)
                #expect(r.status == .unprocessableEntity, "\(field): \(r.text)")
                #expect(r.problemField == field)
            }
            r = try await source.send(.POST, "/api/v1/observations", raw: #"[{"station":"KK-1","parameter":"pm25","time":"2026-12-08T10:00","value":"nhiều"}]"#)
            #expect(r.status.code >= 400 && r.status.code < 500)
            #expect(try await stateFingerprint(app) == before)
            // A station outside the province, a duplicate code: refused.
            r = try await s.admin.send(.POST, "/api/v1/stations", json: ["code": "X", "name": "Hà Nội", "kind": "air", "lat": 21.03, "lon": 105.85])
            #expect(r.status == .unprocessableEntity && r.problemField == "lat")
            r = try await s.admin.send(.POST, "/api/v1/stations", json: ["code": "KK-1", "name": "Trùng", "kind": "air", "lat": 12.6679, "lon": 108.0382])
            #expect(r.status == .conflict)
            // Only admins and observation sources post observations.
            r = try await s.op.send(.POST, "/api/v1/observations", json: items)
            #expect(r.status == .forbidden)
        }
    }

    @Test func observationTimesAreReadLikeTheGeneralParser() {
        for text in ["2026-12-08T10:00:00+07:00", "2026-12-08T03:00:00Z", "2026-12-08T03:00:00.123Z", "2026-12-08T03:00:00.5-05:30",
                     "2024-02-29T23:59:59+14:00", "2026-12-31T23:00:00-12:00"] {
            #expect(EnvTime.fast(text) == ISO8601.parse(text).map { Int64($0.timeIntervalSince1970.rounded(.down)) }, "\(text)")
        }
        for bad in ["2026-02-30T10:00:00+07:00", "2026-12-08T24:00:00Z", "2026-12-08T10:00:00", "2026-12-08T10:00:00+0700", "2026-12-08 10:00:00Z",
                    "2026-12-08T10:00:00.Z", "２026-12-08T10:00:00Z"] {
            #expect(EnvTime.fast(bad) == nil, "\(bad)")
        }
        // Local times without an offset are Vietnam's (UTC+7), and an hour label of 24:00 is the next day's 00:00.
        #expect(EnvTime.parse("2026-12-08T10:00") == EnvTime.parse("2026-12-08T03:00:00Z"))
        #expect(EnvTime.parse("2026-12-08 24:00") == EnvTime.parse("2026-12-09T00:00:00+07:00"))
        #expect(EnvTime.hourLabel(EnvTime.parse("2026-12-08T09:10:00+07:00")!) == EnvTime.parse("2026-12-08T10:00:00+07:00"))
        #expect(EnvTime.hourLabel(EnvTime.parse("2026-12-08T10:00:00+07:00")!) == EnvTime.parse("2026-12-08T10:00:00+07:00"))
    }

    @Test func aSilentStationRaisesOneAlarmClearedWhenItReportsAgain() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let r = try await s.admin.send(.POST, "/api/v1/stations", json: ["code": "MUA-1", "name": "Đo mưa 1", "kind": "rain", "lat": 12.6679, "lon": 108.0382,
                                                                            "intervalSeconds": 3600])
            #expect(r.status == .created, "\(r.text)")
            func silentAlarms(_ state: String) async throws -> Int {
                let r = try await s.admin.send(.GET, "/api/v1/alarms?state=\(state)")
                return ((r.json["items"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "environment.silent" }.count
            }
            // Reported 90 minutes ago: within twice its interval, no alarm.
            #expect(try await s.admin.send(.POST, "/api/v1/observations", json: [["station": "MUA-1", "parameter": "rainfall",
                "time": ISO8601.format(Self.now.addingTimeInterval(-5_400)), "value": 1.5]]).status == .created)
            try await StationSilence.sweep(app: app, now: Self.now)
            #expect(try await silentAlarms("open") == 0)
            // Three hours later, still nothing new: one alarm, not repeated on the next sweep.
            let later = Self.now.addingTimeInterval(3 * 3600)
            app.clock.set(later)
            try await StationSilence.sweep(app: app, now: later)
            try await StationSilence.sweep(app: app, now: later.addingTimeInterval(300))
            #expect(try await silentAlarms("open") == 1)
            // It reports again: the alarm clears.
            #expect(try await s.admin.send(.POST, "/api/v1/observations", json: [["station": "MUA-1", "parameter": "rainfall",
                "time": ISO8601.format(later), "value": 0]]).status == .created)
            try await StationSilence.sweep(app: app, now: later.addingTimeInterval(600))
            #expect(try await silentAlarms("open") == 0)
            #expect(try await silentAlarms("cleared") == 1)
        }
    }

    static func waterRule(_ c: TestClient, enabled: Bool = true) async throws -> TestClient.Reply {
        try await c.send(.POST, "/api/v1/alert-rules", json: [
            "code": "water-2", "name": "Mực nước vượt báo động II", "series": "environment.observation", "parameter": "water_level",
            "condition": ["kind": "crossing", "comparison": "above", "levelRef": "2"], "hysteresis": 20, "severity": "critical",
            "proposeWarning": ["hazard": "flood", "level": 3], "enabled": enabled,
        ])
    }

    @Test func aRuleFansOutOverStationsRaisesOneAlarmEachAndClearsWithHysteresis() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            try await Self.stations(s.admin)
            var r = try await Self.waterRule(s.op)
            #expect(r.status == .created, "\(r.text)")
            // Bad rules: refused with the field.
            r = try await s.op.send(.POST, "/api/v1/alert-rules", json: ["code": "x", "name": "x", "series": "nope", "parameter": "pm25", "condition": ["kind": "crossing", "value": 1]])
            #expect(r.status == .unprocessableEntity && r.problemField == "series")
            r = try await s.op.send(.POST, "/api/v1/alert-rules", json: ["code": "x", "name": "x", "series": "environment.observation", "parameter": "rainfall",
                                                                         "condition": ["kind": "rate", "value": 50, "windowMinutes": -5]])
            #expect(r.status == .unprocessableEntity, "\(r.text)")
            r = try await s.officer.send(.POST, "/api/v1/alert-rules", json: ["code": "y"])
            #expect(r.status == .forbidden)

            func post(_ station: String, _ at: Date, _ v: Double) async throws {
                app.clock.set(at)
                let r = try await s.admin.send(.POST, "/api/v1/observations", json: [["station": station, "parameter": "water_level", "time": ISO8601.format(at), "value": v]])
                #expect(r.status == .created, "\(r.text)")
            }
            func alarms() async throws -> [[String: Any]] {
                let r = try await s.admin.send(.GET, "/api/v1/alarms?state=open")
                return ((r.json["items"] as? [[String: Any]]) ?? [])
                    .filter { $0["kind"] as? String == "warnings.rule" }
            }
            var t = Self.now
            try await post("TV-1", t, 350); try await post("TV-2", t, 250)   // TV-2 is above its level II (200); TV-1 below (400)
            var ts = try await AlertRuleService.evaluate(app: app, now: t)
            #expect(ts.count == 1 && ts.first?.subject == "TV-2")
            #expect(try await alarms().count == 1)
            // Evaluated again and again with more high values: no second alarm.
            for i in 1...3 {
                t = Self.now.addingTimeInterval(Double(i) * 600)
                try await post("TV-2", t, 260 + Double(i))
                ts = try await AlertRuleService.evaluate(app: app, now: t)
                #expect(ts.isEmpty)
            }
            #expect(try await alarms().count == 1)
            // TV-1 crosses too: its own alarm (fan-out).
            t = t.addingTimeInterval(600)
            try await post("TV-1", t, 420)
            ts = try await AlertRuleService.evaluate(app: app, now: t)
            #expect(ts.map(\.subject) == ["TV-1"])
            #expect(try await alarms().count == 2)
            // TV-2 falls to 190: inside the hysteresis band (200 − 20), no clear; at 170 it clears.
            t = t.addingTimeInterval(600)
            try await post("TV-2", t, 190)
            #expect(try await AlertRuleService.evaluate(app: app, now: t).isEmpty)
            t = t.addingTimeInterval(600)
            try await post("TV-2", t, 170)
            ts = try await AlertRuleService.evaluate(app: app, now: t)
            #expect(ts.count == 1, "\(ts)")
            if case .clear? = ts.first?.transition {} else { Issue.record("expected a clear, got \(ts)") }
            #expect(try await alarms().count == 1)
            // The raises proposed a flood warning per commune (drafts for the operator, not published).
            r = try await s.op.send(.GET, "/api/v1/warnings?status=draft")
            let drafts = try #require(try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
            #expect(drafts.count == 2)
            #expect(drafts.allSatisfy { $0["ruleCode"] as? String == "water-2" && $0["hazard"] as? String == "flood" })
            // Trying the rule on history finds the same raises and the clear.
            r = try await s.op.send(.POST, "/api/v1/alert-rules/test", json: [
                "rule": ["code": "water-2", "name": "x", "series": "environment.observation", "parameter": "water_level",
                         "condition": ["kind": "crossing", "comparison": "above", "levelRef": "2"], "hysteresis": 20],
                "from": ISO8601.format(Self.now.addingTimeInterval(-3600)), "to": ISO8601.format(t)])
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["raises"] as? Int == 2)
        }
    }

    static func draft(_ c: TestClient, areas: [String] = ["24133"]) async throws -> TestClient.Reply {
        try await c.send(.POST, "/api/v1/warnings", json: [
            "hazard": "flood", "level": 3, "areas": areas,
            "headline": "Lũ sông Sêrêpốk vượt báo động II", "headlineEn": "Sêrêpốk flood above alarm level II",
            "description": "Mực nước đang lên & có thể vượt báo động III <trong đêm>.", "descriptionEn": "Rising; may pass level III overnight.",
            "instruction": "Di dời người dân vùng trũng.", "instructionEn": "Evacuate low-lying areas.",
            "expires": ISO8601.format(now.addingTimeInterval(12 * 3600)),
        ])
    }

    @Test func aWarningGoesFromDraftToApprovedCAPThatTheOASISSchemaAccepts() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            // A cluster in the warned commune, with its key.
            var r = try await s.admin.send(.POST, "/api/v1/loudspeakers", json: ["code": "LOA-1", "name": "Cụm loa BMT", "lat": 12.6679, "lon": 108.0382])
            #expect(r.status == .created, "\(r.text)")
            let cluster = TestClient(app); cluster.bearer = try #require(r.json["apiKey"] as? String)
            let unit = try #require((r.json["cluster"] as? [String: Any])?["unitCode"] as? String)
            // Bad drafts change nothing.
            let before = try await stateFingerprint(app)
            for (body, field) in [(["hazard": "meteor", "level": 3], "hazard"), (["hazard": "flood", "level": 7], "level"),
                                  (["hazard": "flood", "level": 2, "areas": ["01001"]], "areas[0]"), (["hazard": "flood", "level": 2, "areas": []], "areas")] as [([String: Any], String)] {
                let r = try await s.op.send(.POST, "/api/v1/warnings", json: body)
                #expect(r.status == .unprocessableEntity && r.problemField == field, "\(field): \(r.text)")
            }
            #expect(try await stateFingerprint(app) == before)
            r = try await Self.draft(s.op, areas: [unit])
            #expect(r.status == .created, "\(r.text)")
            let id = try #require(r.json["id"] as? String)
            #expect(r.json["actions"] as? [String] == ["edit", "submit"])
            // The operator cannot approve; the leader cannot approve a draft.
            #expect(try await s.op.send(.POST, "/api/v1/warnings/\(id)/approve").status == .forbidden)
            #expect(try await s.leader.send(.POST, "/api/v1/warnings/\(id)/approve").status == .conflict)
            #expect(try await s.op.send(.POST, "/api/v1/warnings/\(id)/submit").status == .ok)
            r = try await s.leader.send(.POST, "/api/v1/warnings/\(id)/return", json: ["reason": "Bổ sung khu vực"])
            #expect(r.json["status"] as? String == "returned")
            #expect(r.json["returnReason"] as? String == "Bổ sung khu vực")
            #expect(try await s.op.send(.POST, "/api/v1/warnings/\(id)/submit").status == .ok)
            #expect(try await s.anon.send(.GET, "/api/v1/public/warnings").text == "[]", "nothing public before approval")
            r = try await s.leader.send(.POST, "/api/v1/warnings/\(id)/approve")
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["status"] as? String == "published")
            let capURL = try #require(r.json["capUrl"] as? String)
            // Public: the page's list, the CAP document, the Atom feed.
            r = try await s.anon.send(.GET, "/api/v1/public/warnings")
            #expect(r.text.contains("Lũ sông Sêrêpốk"))
            r = try await s.anon.send(.GET, capURL)
            #expect(r.status == .ok)
            #expect(r.headers.first(name: .contentType)?.hasPrefix("application/cap+xml") == true)
            let xml = r.text
            try Self.xmllint(xml)
            let alert = try CAPParser.parse(Array(xml.utf8))
            #expect(alert.infos.map(\.language) == ["vi-VN", "en-US"])
            #expect(alert.infos[0].severity == .severe)
            #expect(alert.infos[0].areas.first?.geocodes.first?.value == unit)
            #expect(alert.infos[0].areas.first?.polygons.first?.count ?? 0 >= 4)
            #expect(alert.infos[0].description?.contains("<trong đêm>") == true)
            r = try await s.anon.send(.GET, "/cap/alerts.atom")
            #expect(r.text.contains(capURL))
            // The cluster pulls its playlist, fetches the audio, confirms.
            r = try await cluster.send(.GET, "/api/v1/broadcast/playlist")
            #expect(r.status == .ok, "\(r.text)")
            let items = try #require(r.json["items"] as? [[String: Any]])
            #expect(items.count == 1)
            let item = try #require(items.first?["id"] as? String)
            #expect((items.first?["playAt"] as? [String])?.count == 4)
            if let audio = items.first?["audioUrl"] as? String {
                r = try await cluster.send(.GET, audio)
                #expect(r.status == .ok && r.body.readableBytes > 1_000)
            } else {
                Issue.record("no audio: espeak-ng and ffmpeg must be installed (scripts/bootstrap.sh test)")
            }
            #expect(try await cluster.send(.POST, "/api/v1/broadcast/items/\(item)/report", json: ["status": "played"]).status == .noContent)
            r = try await s.op.send(.GET, "/api/v1/warnings/\(id)")
            #expect((r.json["broadcast"] as? [String: Any])?["confirmed"] as? Int == 1)
            // A key of another kind does not open the playlist.
            #expect(try await s.officer.send(.GET, "/api/v1/broadcast/playlist").status == .forbidden)
            // Cancel: a CAP Cancel referencing it, valid too; the original is no longer in force.
            r = try await s.leader.send(.POST, "/api/v1/warnings/\(id)/cancel", json: ["reason": "Nước đã rút"])
            #expect(r.status == .ok, "\(r.text)")
            let cancelXML = try await s.anon.send(.GET, try #require(r.json["capUrl"] as? String)).text
            try Self.xmllint(cancelXML)
            let cancel = try CAPParser.parse(Array(cancelXML.utf8))
            #expect(cancel.msgType == .cancel)
            #expect(cancel.references?.entries.first?.identifier == alert.identifier)
            #expect(try await s.anon.send(.GET, "/api/v1/public/warnings").text == "[]")
            // Every step audited.
            let sql = try #require(app.db as? any SQLDatabase)
            struct A: Decodable { var action: String }
            let actions = try await sql.raw("SELECT action FROM audit_log WHERE action LIKE 'warnings.%' ORDER BY seq").all(decoding: A.self).map(\.action)
            #expect(actions == ["warnings.draft", "warnings.submit", "warnings.return", "warnings.submit", "warnings.publish", "warnings.cancel"])
        }
    }

    static func xmllint(_ xml: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-cap-\(UUID().uuidString).xml")
        try Data(xml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else {
            Issue.record("xmllint is missing: run scripts/bootstrap.sh test")
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--noout", "--nonet", "--schema", root.appendingPathComponent("Resources/cap/CAP-v1.2.xsd").path, file.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "xmllint: \(out)")
    }

    static func fixture(_ name: String) throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return try Data(contentsOf: root.appendingPathComponent("IOCCoreTests/CAP/Fixtures/\(name)"))
    }

    @Test func capFromOutsideIsValidatedStoredOnceAndNeverFetchesAnything() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let key = try #require(try await s.admin.send(.POST, "/api/v1/sources", json: ["name": "kttv", "kind": "cap"]).json["apiKey"] as? String)
            let kttv = TestClient(app); kttv.bearer = key
            // The OASIS thunderstorm example (expired in 2003): accepted and stored as expired.
            var r = try await kttv.send(.POST, "/api/v1/cap/alerts", bytes: try Self.fixture("Oasis_ThunderstormWarning.xml"), contentType: "application/cap+xml")
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["expired"] as? Bool == true)
            #expect(r.json["version"] as? String == "1.2")
            #expect(r.json["inProvince"] as? Bool == false)
            // Again: the same alert, not stored twice.
            r = try await kttv.send(.POST, "/api/v1/cap/alerts", bytes: try Self.fixture("Oasis_ThunderstormWarning.xml"), contentType: "application/cap+xml")
            #expect(r.json["duplicate"] as? Bool == true, "\(r.text)")
            // CAP 1.1 is recognised as such.
            r = try await kttv.send(.POST, "/api/v1/cap/alerts", bytes: try Self.fixture("weather.cap"), contentType: "application/xml")
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["version"] as? String == "1.1")
            // Invalid documents are refused with the reason.
            r = try await kttv.send(.POST, "/api/v1/cap/alerts", bytes: try Self.fixture("invalid.cap"), contentType: "application/cap+xml")
            #expect(r.status == .unprocessableEntity && r.problemField == "alert/scope", "\(r.text)")
            // An alert for a commune of the province (by its GSO code) raises an alarm.
            let ours = """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>KTTV-2026-77</identifier><sender>kttv@nchmf.gov.vn</sender>
            <sent>2026-12-08T09:00:00+07:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
            <info><language>vi-VN</language><category>Met</category><event>Mưa lớn</event><urgency>Expected</urgency><severity>Severe</severity>
            <certainty>Likely</certainty><expires>2026-12-09T09:00:00+07:00</expires><headline>Mưa rất to ở Tây Nguyên</headline>
            <area><areaDesc>Buôn Ma Thuột</areaDesc><geocode><valueName>GSO</valueName><value>24133</value></geocode></area></info></alert>
            """
            r = try await kttv.send(.POST, "/api/v1/cap/alerts", raw: ours, contentType: "application/cap+xml")
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["inProvince"] as? Bool == true)
            r = try await s.admin.send(.GET, "/api/v1/alarms?state=open")
            #expect(r.text.contains("Mưa rất to ở Tây Nguyên"))
            // XXE, external DTD and XInclude: refused, and the listener on loopback they point at never sees a connection.
            try await Self.withListener { port, connections in
                let attacks = [
                    "<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY x SYSTEM \"http://127.0.0.1:\(port)/x\">]><alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&x;</identifier></alert>",
                    "<?xml version=\"1.0\"?><!DOCTYPE alert SYSTEM \"http://127.0.0.1:\(port)/cap.dtd\"><alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>",
                    "<?xml version=\"1.0\"?><alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\" xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"http://127.0.0.1:\(port)/x.xml\"/></alert>",
                ]
                for a in attacks {
                    let r = try await kttv.send(.POST, "/api/v1/cap/alerts", raw: a, contentType: "application/cap+xml")
                    #expect(r.status == .unprocessableEntity, "\(r.text)")
                }
                #expect(connections() == 0, "nothing was fetched")
            }
            // Another kind of key, and citizens: no.
            let events = TestClient(app)
            events.bearer = try #require(try await s.admin.send(.POST, "/api/v1/sources", json: ["name": "cam", "kind": "events"]).json["apiKey"] as? String)
            #expect(try await events.send(.POST, "/api/v1/cap/alerts", raw: ours, contentType: "application/cap+xml").status == .forbidden)
            #expect(try await s.anon.send(.POST, "/api/v1/cap/alerts", raw: ours, contentType: "application/cap+xml").status == .unauthorized)
        }
    }

    @Test func capFeedsArePolledOverRealHTTPWithoutLeavingTheFeedsHost() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            // A published warning: the app's own Atom feed serves as the neighbour's feed, over a real HTTP server.
            var r = try await Self.draft(s.op)
            let id = try #require(r.json["id"] as? String)
            _ = try await s.op.send(.POST, "/api/v1/warnings/\(id)/submit")
            r = try await s.leader.send(.POST, "/api/v1/warnings/\(id)/approve")
            #expect(r.status == .ok, "\(r.text)")
            let identifier = try #require(r.json["identifier"] as? String)
            try await withLiveServer(app) { port in
                let feed = "http://127.0.0.1:\(port)/cap/alerts.atom"
                var outcome = try await CAPFeedPoller.poll(app: app, feeds: [feed])
                #expect(outcome.stored == 1, "\(outcome.errors)")
                // Polled again: nothing new.
                outcome = try await CAPFeedPoller.poll(app: app, feeds: [feed])
                #expect(outcome.stored == 0)
                // A feed that is not there: an error counted, nothing stored.
                outcome = try await CAPFeedPoller.poll(app: app, feeds: ["http://127.0.0.1:\(port)/cap/nothing.atom"])
                #expect(outcome.stored == 0 && outcome.errors.count == 1)
            }
            r = try await s.op.send(.GET, "/api/v1/cap/alerts")
            let inbound = try #require(try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
            #expect(inbound.map { $0["identifier"] as? String } == [identifier])
            #expect(inbound.first?["inProvince"] as? Bool == true)
            // Only the feed's own scheme, host and port.
            #expect(CAPFeedPoller.allowed("http://127.0.0.1:8080/cap/a.xml", feed: "http://127.0.0.1:8080/cap/alerts.atom"))
            #expect(!CAPFeedPoller.allowed("http://127.0.0.1:9090/cap/a.xml", feed: "http://127.0.0.1:8080/cap/alerts.atom"))
            #expect(!CAPFeedPoller.allowed("http://169.254.169.254/latest", feed: "http://127.0.0.1:8080/cap/alerts.atom"))
            #expect(!CAPFeedPoller.allowed("file:///etc/passwd", feed: "http://127.0.0.1:8080/cap/alerts.atom"))
            #expect(!CAPFeedPoller.allowed("https://127.0.0.1:8080/a.xml", feed: "http://127.0.0.1:8080/cap/alerts.atom"))
        }
    }

    @Test func rulesWatchEventCountsPerCommuneAndTheDailyAQIBulletinGoesToTheClusters() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            // More than 2 fire events in a commune within 3 hours.
            var r = try await s.op.send(.POST, "/api/v1/alert-rules", json: [
                "code": "fires-3h", "name": "Nhiều điểm cháy trong 3 giờ", "series": "events.count", "parameter": "fire.hotspot",
                "condition": ["kind": "rate", "comparison": "above", "value": 2, "windowMinutes": 180, "sum": true], "severity": "warning", "enabled": true])
            #expect(r.status == .created, "\(r.text)")
            let key = try #require(try await s.admin.send(.POST, "/api/v1/sources", json: ["name": "vetinh", "kind": "events"]).json["apiKey"] as? String)
            let sat = TestClient(app); sat.bearer = key
            let events = (0..<3).map { i in
                ["externalId": "hs-\(i)", "kind": "fire.hotspot", "title": "Điểm cháy \(i)", "unitCode": "24133",
                 "occurredAt": ISO8601.format(Self.now.addingTimeInterval(Double(-i) * 1800))] as [String: Any]
            }
            r = try await sat.send(.POST, "/api/v1/events", json: ["events": events])
            #expect(r.status.code < 300, "\(r.text)")
            let ts = try await AlertRuleService.evaluate(app: app, now: Self.now)
            #expect(ts.map(\.subject) == ["24133"], "one commune fires: \(ts)")
            // The daily AQI bulletin: an air station and a cluster in its commune.
            _ = try await s.admin.send(.POST, "/api/v1/stations", json: ["code": "KK-1", "name": "Không khí BMT", "kind": "air", "lat": 12.6679, "lon": 108.0382])
            r = try await s.admin.send(.POST, "/api/v1/loudspeakers", json: ["code": "LOA-1", "name": "Cụm loa BMT", "lat": 12.6679, "lon": 108.0382])
            let cluster = TestClient(app); cluster.bearer = try #require(r.json["apiKey"] as? String)
            let items = (0..<3).map { k in ["station": "KK-1", "parameter": "pm25", "time": ISO8601.format(Self.now.addingTimeInterval(Double(-k) * 3600)), "value": 60.0] as [String: Any] }
            #expect(try await s.admin.send(.POST, "/api/v1/observations", json: items).status == .created)
            #expect(try await AQIBulletin.run(app: app, now: Self.now, force: true) != nil)
            r = try await cluster.send(.GET, "/api/v1/broadcast/playlist")
            let list = try #require(r.json["items"] as? [[String: Any]])
            #expect(list.count == 1)
            // Three equal hours: NowCast 60 µg/m³; PM2.5 segment 50–80 → 100–150: 100 + 50/30 × 10 = 116.7 → 117, "kém".
            #expect((list.first?["text"] as? String)?.contains("VN_AQI là 117, mức kém") == true, "\(String(describing: list.first?["text"]))")
        }
    }

    /// A TCP listener on an ephemeral loopback port that counts the connections made to it.
    static func withListener(_ body: (Int, @Sendable () -> Int) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let counter = NIOLockedValueBox(0)
        final class Count: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            let counter: NIOLockedValueBox<Int>
            init(_ c: NIOLockedValueBox<Int>) { counter = c }
            func channelActive(context: ChannelHandlerContext) { counter.withLockedValue { $0 += 1 }; context.close(promise: nil) }
        }
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { ch in ch.pipeline.addHandler(Count(counter)) }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        do {
            try await body(port) { counter.withLockedValue { $0 } }
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
    }
}
