import Foundation
import IOCCore
import NIOCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Live hub over a real WebSocket")
struct LiveTests {
    @Test func signedInClientSubscribesAndReceivesPublishedEvents() async throws {
        try await withApp { app in
            try await makeUser(app, "dieuhanh", role: .operator)
            let c = TestClient(app)
            try await c.login("dieuhanh")
            try await withLiveServer(app) { port in
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Cookie": c.cookie!], app: app)
                #expect(try await probe.wait { $0["type"] as? String == "welcome" } != nil)
                try await probe.send(["type": "subscribe", "topics": ["fieldreports", "wall"]])
                #expect(try await probe.wait { $0["type"] as? String == "subscribed" } != nil)
                app.live.publish(topic: "fieldreports", ["code": "PA-2026-000123", "status": "new", "title": "Ổ gà đường Lê Duẩn"])
                app.live.publish(topic: "other", ["x": 1])
                app.live.publish(topic: "wall", ["tile": "fieldreports"])
                _ = try await probe.wait { _ in probe.events.count >= 2 }
                let events = probe.events
                #expect(events.map { $0["topic"] as? String } == ["fieldreports", "wall"])
                #expect((events.first?["data"] as? [String: Any])?["title"] as? String == "Ổ gà đường Lê Duẩn")
                let ids = events.compactMap { $0["id"] as? Int }
                #expect(ids.count == 2 && ids[0] < ids[1])

                // Heartbeats arrive by themselves (1 s in tests).
                #expect(try await probe.wait(timeout: .seconds(4)) { $0["type"] as? String == "heartbeat" } != nil)
                try await probe.send(["type": "ping"])
                #expect(try await probe.wait { $0["type"] as? String == "pong" } != nil)

                // Unsubscribe stops delivery.
                try await probe.send(["type": "unsubscribe", "topics": ["wall"]])
                #expect(try await probe.wait { $0["type"] as? String == "unsubscribed" } != nil)
                app.live.publish(topic: "wall", ["tile": "x"])
                app.live.publish(topic: "fieldreports", ["code": "PA-2026-000124"])
                _ = try await probe.wait { _ in probe.events.count >= 3 }
                #expect(probe.events.last?["topic"] as? String == "fieldreports")
                #expect(probe.events.count == 3)

                // Bad messages get an error, not a disconnect.
                try await probe.ws.send("not json")
                #expect(try await probe.wait { $0["code"] as? String == "bad_message" } != nil)
                try await probe.send(["type": "subscribe", "topics": ["BAD TOPIC!"]])
                #expect(try await probe.wait { $0["code"] as? String == "bad_topics" } != nil)
                #expect(!probe.isClosed)
                #expect(app.live.clientCount == 1)
                try await probe.ws.close()
                for _ in 0..<100 where app.live.clientCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(app.live.clientCount == 0)
            }
        }
    }

    @Test func resumingClientCatchesUpFromItsLastSeenEvent() async throws {
        try await withApp { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let c = TestClient(app)
            try await c.login("lanhdao")
            let first = app.live.publish(topic: "wall", ["n": 1])
            app.live.publish(topic: "wall", ["n": 2])
            app.live.publish(topic: "wall", ["n": 3])
            try await withLiveServer(app) { port in
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Cookie": c.cookie!], app: app)
                try await probe.send(["type": "subscribe", "topics": ["wall"], "since": first])
                _ = try await probe.wait { _ in probe.events.count >= 2 }
                #expect(probe.events.compactMap { ($0["data"] as? [String: Any])?["n"] as? Int } == [2, 3])
                try await probe.ws.close()
            }
        }
    }

    @Test func anonymousUpgradeIsRefusedAndAnAPIKeyIsAccepted() async throws {
        try await withApp { app in
            let (_, key) = try await SourceController.issueKey(name: "vms", kind: "camera", on: app.db, audit: app.audit) { id in
                AuditRecord(actor: "test", action: "source.issue_key", targetType: "source", targetID: id.uuidString, origin: "test")
            }
            try await withLiveServer(app) { port in
                await #expect(throws: (any Error).self) {
                    _ = try await WebSocketProbe.connect(port: port, headers: [:], app: app)
                }
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Authorization": "Bearer \(key)"], app: app)
                #expect(try await probe.wait { $0["type"] as? String == "welcome" } != nil)
                try await probe.ws.close()
            }
        }
    }

    @Test func restrictedTopicsRefuseTheWrongRole() async throws {
        try await withApp { app in
            app.live.restrict(prefix: "soc.", to: .roles([.analyst, .admin]))
            try await makeUser(app, "lanhdao", role: .leader)
            let c = TestClient(app)
            try await c.login("lanhdao")
            try await withLiveServer(app) { port in
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Cookie": c.cookie!], app: app)
                try await probe.send(["type": "subscribe", "topics": ["soc.incidents"]])
                #expect(try await probe.wait { $0["code"] as? String == "forbidden_topic" } != nil)
                try await probe.ws.close()
            }
        }
    }

    @Test func aSlowClientsBufferStaysBounded() async throws {
        try await withApp { app in
            // The first message after a quiet spell goes out at once; after that frames wait for the (hour-long)
            // interval, so the client's buffer must cap at 100 messages and count the rest as dropped instead of growing.
            let dropped = NIOLockedValueBox(0)
            app.live = LiveHub(bufferLimit: 100, flushInterval: .seconds(3600), onDrop: { n in dropped.withLockedValue { $0 += n } })
            try await makeUser(app, "dieuhanh", role: .operator)
            let c = TestClient(app)
            try await c.login("dieuhanh")
            try await withLiveServer(app) { port in
                let probe = try await WebSocketProbe.connect(port: port, headers: ["Cookie": c.cookie!], app: app)
                try await probe.send(["type": "subscribe", "topics": ["flood"]])
                _ = try await probe.wait { $0["type"] as? String == "subscribed" }
                app.live.publish(topic: "flood", json: "{\"i\":-1}")
                #expect(try await probe.wait { $0["type"] as? String == "events" } != nil, "the first message is not held back")
                for i in 0..<10_000 { app.live.publish(topic: "flood", json: "{\"i\":\(i)}") }
                #expect(dropped.withLockedValue { $0 } == 10_000 - 100)
                try await probe.ws.close()
            }
        }
    }
}

import NIOConcurrencyHelpers
