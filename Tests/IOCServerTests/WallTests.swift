import Fluent
import Foundation
import IOCCore
import NIOCore
import Testing
import Vapor
import VaporTesting
@testable import IOCServer

@Suite("The wall")
struct WallTests {
    @Test func overviewTilesFeedAndMapLayers() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await makeUser(app, "boss", role: .leader)
            let leader = TestClient(app); try await leader.login("boss")
            var codes: [String] = []
            for (lat, lon) in [("12.6675", "108.0378"), ("12.6680", "108.0380"), ("12.6690", "108.0390")] {
                codes.append(try #require(try await FR.post(app, FR.report(lat: lat, lon: lon)).json["code"] as? String))
            }
            let o = try await leader.send(.GET, "/api/v1/wall/overview")
            #expect(o.status == .ok, "\(o.text)")
            let tiles = o.json["tiles"] as? [[String: Any]] ?? []
            #expect(tiles.compactMap { $0["id"] as? String } == ["fieldreports", "publicservices", "alarms", "indicators", "dti", "environment", "warnings"])
            let fr = try #require(tiles.first)
            let figures = Dictionary(uniqueKeysWithValues: (fr["figures"] as? [[String: Any]] ?? []).map { ($0["key"] as! String, $0["value"]) })
            #expect(figures["receivedToday"] as? Double == 3 && figures["open"] as? Double == 3)
            #expect(((fr["trend"] as? [String: Any])?["points"] as? [[String: Any]])?.count == 14)
            #expect((fr["freshness"] as? [String: Any])?["stale"] as? Bool == false)
            #expect(((tiles[1]["freshness"] as? [String: Any])?["stale"] as? Bool) == true, "no dossiers at all: stale")
            let feed = try await leader.send(.GET, "/api/v1/wall/events?limit=10")
            #expect((feed.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String }.sorted() == codes.sorted())
            // Map: a wide view at low zoom gives cells, a close one gives points.
            let wide = try await leader.send(.GET, "/api/v1/map/reports?bbox=107.5,12.0,109.5,13.8&zoom=8&status=open")
            #expect(wide.json["total"] as? Int == 3)
            let near = try await leader.send(.GET, "/api/v1/map/reports?bbox=108.0,12.6,108.1,12.7&zoom=15")
            #expect((near.json["points"] as? [[String: Any]])?.count == 3)
            let ch = try await leader.send(.GET, "/api/v1/map/choropleth?metric=fieldreports.open")
            #expect((ch.json["values"] as? [String: Int])?["24133"] == 3)
            for bad in ["/api/v1/map/reports", "/api/v1/map/reports?bbox=1,2,3", "/api/v1/map/reports?bbox=109,12,108,13",
                        "/api/v1/map/reports?bbox=107,12,109,13&zoom=99", "/api/v1/map/reports?bbox=107,12,109,13&status=x",
                        "/api/v1/map/choropleth?metric=nope"] {
                let r = try await leader.send(.GET, bad)
                #expect(r.status == .unprocessableEntity && r.isProblem, "\(bad): \(r.status)")
            }
            #expect(try await TestClient(app).send(.GET, "/api/v1/wall/overview").status == .unauthorized)
        }
    }

    /// Issue 18, point 1: an officer's wall shows what the officer's REST views show — tiles, trends, the feed, the
    /// map — and says whose figures they are; a leader's wall shows the province.
    @Test func anOfficersWallTotalsEqualTheOfficersRESTTotals() async throws {
        try await withApp { app in
            let now = ISO8601.parse("2026-12-01T03:00:00Z")!
            app.clock.set(now)
            try await FR.province(app)
            _ = try await DemoFieldReports.load(on: app, count: 500, now: now)
            _ = try await DemoDossiers.load(on: app, count: 2_000, now: now)
            try await DemoAlarms.load(on: app)
            app.caseDirectory.invalidate()
            app.agencyDirectory.invalidate()
            app.mapPoints.markDirty()
            try await makeUser(app, "boss", role: .leader)
            try await makeUser(app, "canbo", role: .officer, agencyCode: "UBND-24133")
            let leader = TestClient(app); try await leader.login("boss")
            let officer = TestClient(app); try await officer.login("canbo")
            func tiles(_ c: TestClient) async throws -> (overview: [String: Any], byID: [String: [String: Double]], trend: [String: Int]) {
                let o = try await c.send(.GET, "/api/v1/wall/overview").json
                var figures: [String: [String: Double]] = [:], trend: [String: Int] = [:]
                for tile in o["tiles"] as? [[String: Any]] ?? [] {
                    let id = tile["id"] as? String ?? ""
                    for f in tile["figures"] as? [[String: Any]] ?? [] { figures[id, default: [:]][f["key"] as? String ?? ""] = f["value"] as? Double }
                    trend[id] = ((tile["trend"] as? [String: Any])?["points"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["value"] as? Int ?? 0) }
                }
                return (o, figures, trend)
            }
            let mine = try await tiles(officer)
            let all = try await tiles(leader)
            // Field reports: open and overdue equal the officer's case queues.
            let cases = try await officer.send(.GET, "/api/v1/cases?queue=open&pageSize=1").json
            let counts = cases["counts"] as? [String: Int] ?? [:]
            #expect(mine.byID["fieldreports"]?["open"] == Double(cases["total"] as? Int ?? -1), "open reports: tile vs the officer's queue")
            #expect(mine.byID["fieldreports"]?["overdue"] == Double(counts["overdue"] ?? -1))
            #expect((mine.byID["fieldreports"]?["open"] ?? 0) > 0 && (mine.byID["fieldreports"]?["open"] ?? 0) < (all.byID["fieldreports"]?["open"] ?? 0))
            // The 14-day trend counts the same reports as the officer's list of the last 14 days.
            #expect((mine.trend["fieldreports"] ?? 0) < (all.trend["fieldreports"] ?? 0))
            // Alarms: the tile equals the officer's alarm list (the demo gives none to the ward's committee).
            let alarms = try await officer.send(.GET, "/api/v1/alarms").json["counts"] as? [String: Int] ?? [:]
            #expect(mine.byID["alarms"]?["active"] == Double(alarms["active"] ?? -1))
            #expect(mine.byID["alarms"]?["critical"] == Double(alarms["critical"] ?? -1))
            #expect((all.byID["alarms"]?["active"] ?? 0) > (mine.byID["alarms"]?["active"] ?? 0), "the province has alarms the ward does not")
            // Public services: this month's receipts and the 14-day chart are the officer's agency's.
            let month = try await officer.send(.GET, "/api/v1/public-services/stats?month=2026-12&groupBy=total").json
            #expect(mine.byID["publicservices"]?["receivedThisMonth"] == Double(((month["total"] as? [String: Any])?["received"] as? Int) ?? -1))
            let dossiers14 = try await DossierModel.query(on: app.db).filter(\.$agencyCode == "UBND-24133")
                .filter(\.$receivedAt >= now.addingTimeInterval(-14 * 86_400)).count()
            #expect(mine.trend["publicservices"] == dossiers14, "the chart counts the agency's dossiers, not the province's")
            #expect((all.trend["publicservices"] ?? 0) > dossiers14)
            // It says whose figures they are.
            #expect(((mine.overview["scope"] as? [String: Any])?["label"] as? [String: String])?["vi"]?.contains("Buôn Ma Thuột") == true)
            #expect(all.overview["scope"] == nil, "the leader sees the province")
            // The feed and the map: the agency's reports only.
            let feed = try await officer.send(.GET, "/api/v1/wall/events?limit=200").json["items"] as? [[String: Any]] ?? []
            let reportCodes = Set(try await CaseModel.query(on: app.db).filter(\.$agencyID == (try await AgencyModel.query(on: app.db).filter(\.$code == "UBND-24133").first()?.id)).all().map(\.code))
            #expect(feed.allSatisfy { reportCodes.contains($0["code"] as? String ?? "") }, "every feed entry is one of the agency's reports")
            let map = try await officer.send(.GET, "/api/v1/map/reports?bbox=107.0,11.5,110.0,14.5&zoom=7&status=open").json
            #expect(map["total"] as? Int == cases["total"] as? Int, "the map's open reports are the officer's")
            let ch = try await officer.send(.GET, "/api/v1/map/choropleth?metric=fieldreports.open").json["values"] as? [String: Int] ?? [:]
            #expect(ch.values.reduce(0, +) == cases["total"] as? Int)
            // A new report in the ward reaches both feeds; one for another commune only the leader's.
            let near = try #require(try await FR.post(app, FR.report()).json["code"] as? String)
            let far = try #require(try await FR.post(app, FR.report(lat: "13.0950", lon: "109.3000")).json["code"] as? String)
            let leaderFeed = (try await leader.send(.GET, "/api/v1/wall/events?limit=5").json["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(leaderFeed.contains(far) && leaderFeed.contains(near), "\(leaderFeed)")
            let officerFeed = (try await officer.send(.GET, "/api/v1/wall/events?limit=5").json["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(officerFeed.first == near && !officerFeed.contains(far), "\(officerFeed)")
        }
    }

    @Test func clustersAtLowZoomWhenManyPoints() async throws {
        try await withApp { app in
            try await FR.province(app)
            _ = try await DemoFieldReports.load(on: app, count: 1_500)
            try await makeUser(app, "boss", role: .leader)
            let leader = TestClient(app); try await leader.login("boss")
            let r = try await leader.send(.GET, "/api/v1/map/reports?bbox=107.0,11.5,110.0,14.5&zoom=7&status=all")
            let cells = r.json["cells"] as? [[String: Any]] ?? []
            // Spam and merged duplicates are not on the map.
            let shown = try await CaseModel.query(on: app.db).filter(\.$status !~ ["rejected", "duplicate"]).count()
            #expect(shown > 1_300 && shown < 1_500)
            #expect(r.json["total"] as? Int == shown)
            #expect(!cells.isEmpty && cells.count < 200, "\(cells.count) cells")
            #expect(cells.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == shown, "every report in exactly one cell")
            // A change shows at once: a new report in the view is counted by the next request.
            _ = try await FR.post(app, FR.report())
            let after = try await leader.send(.GET, "/api/v1/map/reports?bbox=107.0,11.5,110.0,14.5&zoom=7&status=all")
            #expect(after.json["total"] as? Int == shown + 1)
        }
    }

    @Test func layoutsRotationTakeoverLiveAndDisplayKeys() async throws {
        try await withApp { app in
            try await FR.province(app)
            try await DemoWalls.load(on: app)
            try await makeUser(app, "op", role: .operator)
            try await makeUser(app, "admin2", role: .admin)
            let op = TestClient(app); try await op.login("op")
            let admin = TestClient(app); try await admin.login("admin2")
            let walls = try await op.send(.GET, "/api/v1/walls")
            let items = walls.json["items"] as? [[String: Any]] ?? []
            #expect(items.map { ($0["screens"] as? [Any])?.count ?? 0 }.sorted() == [9, 27])
            try await withLiveServer(app) { port in
                // A kiosk screen with the wall's display key (no user session).
                let key = try #require(try await admin.send(.POST, "/api/v1/walls/phong-dieu-hanh/display-key").json["key"] as? String)
                let kiosk = TestClient(app)
                kiosk.bearer = key
                let screen = try await kiosk.send(.GET, "/api/v1/walls/phong-dieu-hanh/screens/5")
                #expect((screen.json["view"] as? [String: Any])?["kind"] as? String == "overview")
                #expect(try await kiosk.send(.GET, "/api/v1/wall/overview").status == .ok)
                #expect(try await kiosk.send(.GET, "/api/v1/cases").status == .forbidden)
                // The kiosk page exchanges the key for its HttpOnly cookie; the live connection carries the cookie.
                let exchanged = try await kiosk.send(.POST, "/api/v1/display/session")
                let cookie = try #require(exchanged.headers.setCookie?[SessionSettings.displayCookieName])
                let ws = try await WebSocketProbe.connect(port: port, headers: ["Cookie": "\(SessionSettings.displayCookieName)=\(cookie.string)"], app: app)
                try await ws.send(["type": "subscribe", "topics": ["wall.phong-dieu-hanh", "wall"]])
                _ = try await ws.wait { ($0["type"] as? String) == "subscribed" }
                // The operator assigns a rotation, then takes the screen over, then releases it.
                var r = try await op.send(.PUT, "/api/v1/walls/phong-dieu-hanh/screens/5", json: [
                    "view": ["kind": "overview"],
                    "rotation": [["view": ["kind": "map", "params": ["metric": "fieldreports.overdue"]], "seconds": 30],
                                 ["view": ["kind": "tile", "params": ["tile": "fieldreports"]], "seconds": 20]]])
                #expect(r.status == .ok, "\(r.text)")
                #expect((r.json["rotation"] as? [Any])?.count == 2)
                let v1 = try #require(r.json["version"] as? Int)
                let changed = try await ws.wait { m in
                    (m["events"] as? [[String: Any]])?.contains { ($0["data"] as? [String: Any])?["type"] as? String == "screen.changed" } ?? false
                }
                #expect(changed != nil, "the screen hears about the change live")
                let code = try #require(try await FR.post(app, FR.report()).json["code"] as? String)
                let fed = try await ws.wait { m in
                    (m["events"] as? [[String: Any]])?.contains { ($0["topic"] as? String) == "wall" && ($0["data"] as? [String: Any])?["code"] as? String == code } ?? false
                }
                #expect(fed != nil, "a new report reaches the wall's feed")
                r = try await op.send(.POST, "/api/v1/walls/phong-dieu-hanh/screens/5/takeover", json: ["view": ["kind": "case", "params": ["code": code]]])
                #expect((r.json["takeover"] as? [String: Any])?["by"] as? String == "Người dùng op", "the operator's name, not the user name (issue 18, point 6)")
                #expect(r.json["version"] as? Int == v1 + 1)
                r = try await op.send(.DELETE, "/api/v1/walls/phong-dieu-hanh/screens/5/takeover")
                #expect(r.json["takeover"] is NSNull || r.json["takeover"] == nil)
                try? await ws.ws.close()
            }
            // Bad assignments change nothing.
            for body: [String: Any] in [["view": ["kind": "tv"]], ["view": ["kind": "url", "params": ["url": "https://evil.example"]]],
                                        ["view": ["kind": "tile", "params": ["tile": "nope"]]], ["view": ["kind": "case", "params": ["code": "x"]]],
                                        ["view": ["kind": "case", "params": ["code": "PA-2020-999999"]]],
                                        ["view": ["kind": "overview"], "rotation": [["view": ["kind": "overview"], "seconds": 1]]]] {
                let r = try await op.send(.PUT, "/api/v1/walls/phong-dieu-hanh/screens/5", json: body)
                #expect(r.status == .unprocessableEntity, "\(body): \(r.status) \(r.text)")
            }
            #expect(try await op.send(.GET, "/api/v1/walls/phong-dieu-hanh/screens/10").status == .notFound)
            #expect(try await op.send(.POST, "/api/v1/walls/phong-dieu-hanh/display-key").status == .forbidden)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action ~~ ["wall.assign", "wall.takeover", "wall.release"]).count()
            #expect(audit == 3)
        }
    }
}
