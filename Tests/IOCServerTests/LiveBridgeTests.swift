import Fluent
import Foundation
import IOCCore
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import IOCServer

/// Two `ioc` instances on one PostgreSQL database, each with its own HTTP server on loopback: an event accepted by
/// one reaches a WebSocket client connected to the other (LISTEN/NOTIFY bridge). PostgreSQL only.
@Suite("Live across instances", .enabled(if: TestEnvironment.isPostgres))
struct LiveBridgeTests {
    static func makeApp(schema: String, migrate: Bool) async throws -> Application {
        TestEnvironment.logging
        let app = try await Application.make(.testing)
        var config = IOCConfiguration(
            storage: .postgres(TestEnvironment.postgresURL!), dataDirectory: FileManager.default.temporaryDirectory.path,
            publicDirectory: TestEnvironment.repositoryRoot + "/Public", resourcesDirectory: TestEnvironment.repositoryRoot + "/Resources",
            vendorDirectory: "/usr/share/javascript", backgroundWork: false, databasePoolSize: 2, liveHeartbeat: .seconds(1),
            bcryptCost: 4, autoMigrate: migrate, postgresSchema: schema)
        config.intakeLimit = 0
        try await configure(app, configuration: config, reference: TestEnvironment.reference)
        try await app.asyncBoot()  // what `ioc serve` does: starts the lifecycle handlers, the bridge among them
        return app
    }

    @Test func anEventAcceptedByOneInstanceReachesScreensOnTheOther() async throws {
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let a = try await Self.makeApp(schema: schema, migrate: true)
        let b = try await Self.makeApp(schema: schema, migrate: false)
        do {
            try await FR.province(a)
            try await withLiveServer(a) { _ in
                try await withLiveServer(b) { portB in
                    // Wait until B listens (its bridge connects in the background).
                    for _ in 0..<100 where !(b.live.bridge?.isListening ?? false) { try await Task.sleep(for: .milliseconds(50)) }
                    #expect(b.live.bridge?.isListening == true)
                    try await makeUser(a, "op", role: .operator)
                    let c = TestClient(b)
                    try await c.login("op")
                    var headers = HTTPHeaders()
                    headers.replaceOrAdd(name: .cookie, value: c.cookie!)
                    let ws = try await WebSocketProbe.connect(port: portB, headers: headers, app: b)
                    try await ws.send(["type": "subscribe", "topics": ["fieldreports", "cases", "wall"]])
                    _ = try await ws.wait { ($0["type"] as? String) == "subscribed" && ($0["topics"] as? [String])?.contains("wall") == true }
                    // A citizen files a report on instance A.
                    let r = try await FR.post(a, FR.report())
                    let code = try #require(r.json["code"] as? String)
                    let seen = try await ws.wait(timeout: .seconds(5)) { m in
                        (m["events"] as? [[String: Any]])?.contains {
                            ($0["topic"] as? String) == "fieldreports" && ($0["data"] as? [String: Any])?["code"] as? String == code
                        } ?? false
                    }
                    #expect(seen != nil, "B's screen received A's report")
                    let staff = try await ws.wait(timeout: .seconds(5)) { m in
                        (m["events"] as? [[String: Any]])?.contains {
                            ($0["topic"] as? String) == "cases" && ($0["data"] as? [String: Any])?["type"] as? String == "case.created"
                        } ?? false
                    }
                    #expect(staff != nil, "the staff topic crosses too")
                    // The event's scope crosses with it: an officer of another agency on B does not get A's case.
                    try await makeUser(a, "xd", role: .officer, agencyCode: "SO-XD")
                    let officer = TestClient(b); try await officer.login("xd")
                    let xd = try await WebSocketProbe.connect(port: portB, headers: ["Cookie": officer.cookie!], app: b)
                    try await xd.send(["type": "subscribe", "topics": ["cases"]])
                    _ = try await xd.wait { ($0["type"] as? String) == "subscribed" }
                    let third = try #require(try await FR.post(a, FR.report()).json["code"] as? String)
                    a.live.publish(topic: "cases", ["type": "sentinel"], audience: ["SO-XD"])
                    #expect(try await xd.wait(timeout: .seconds(5)) { m in
                        (m["events"] as? [[String: Any]])?.contains { ($0["data"] as? [String: Any])?["type"] as? String == "sentinel" } ?? false
                    } != nil, "an event for SO-XD crosses to its officer on B")
                    #expect(!xd.events.contains { ($0["data"] as? [String: Any])?["code"] as? String == third }, "UBND-24133's case does not")
                    try? await xd.ws.close()
                    // The wall's feed entry crosses live with its journal id, and a screen that missed it on B resumes
                    // from an earlier id on either instance and finds the same entry (ids are global).
                    let wall = TestClient(b); try await wall.login("op")
                    let before = try #require(try await wall.send(.GET, "/api/v1/wall/events?limit=1").json["lastFeedId"] as? Int)
                    let second = try #require(try await FR.post(a, FR.report()).json["code"] as? String)
                    for app in [a, b] {
                        let reader = TestClient(app); try await reader.login("op")
                        let items = try await reader.send(.GET, "/api/v1/wall/events?after=\(before)").json["items"] as? [[String: Any]] ?? []
                        let entry = items.first { $0["code"] as? String == second }
                        #expect(entry != nil && (entry?["id"] as? Int ?? 0) > before, "resume on \(app === a ? "A" : "B")")
                    }
                    // Nothing echoes back: A's own clients see its events once.
                    #expect(b.live.lastEventID >= 2)
                    try? await ws.ws.close()
                }
            }
        } catch {
            await Self.teardown(a, b, schema: schema)
            throw error
        }
        await Self.teardown(a, b, schema: schema)
    }

    static func teardown(_ a: Application, _ b: Application, schema: String) async {
        if let sql = a.db as? any SQLDatabase { try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run() }
        try? await b.asyncShutdown()
        try? await a.asyncShutdown()
    }
}
