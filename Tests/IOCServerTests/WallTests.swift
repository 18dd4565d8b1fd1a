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
            #expect(tiles.compactMap { $0["id"] as? String } == ["fieldreports", "publicservices", "alarms", "indicators", "dti"])
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
                #expect((r.json["takeover"] as? [String: Any])?["by"] as? String == "op")
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
