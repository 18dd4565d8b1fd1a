import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Users and integration sources")
struct UserAndSourceTests {
    @Test func adminCreatesAUserWhoCanSignInAndNeverSeesPasswordHashes() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            let c = TestClient(app)
            try await c.login("admin")
            let r = try await c.send(.POST, "/api/v1/users", json: ["username": "CanBo.SoXD", "displayName": "Lê Hoàng Nam", "password": "mat-khau-dai-1", "role": "officer",
                                                                     "unitScope": "24133"])
            #expect(r.status == .created)
            #expect(r.json["username"] as? String == "canbo.soxd")
            #expect(!r.text.contains("password"))
            #expect(!r.text.contains("$2"))
            let list = try await c.send(.GET, "/api/v1/users")
            #expect(!list.text.contains("$2"))
            #expect(try await TestClient(app).login("canbo.soxd", "mat-khau-dai-1").status == .ok)

            let dup = try await c.send(.POST, "/api/v1/users", json: ["username": "canbo.soxd", "password": "mat-khau-dai-1", "role": "officer"])
            #expect(dup.status == .conflict)
            let short = try await c.send(.POST, "/api/v1/users", json: ["username": "x", "password": "short", "role": "officer"])
            #expect(short.problemField == "password")
            let role = try await c.send(.POST, "/api/v1/users", json: ["username": "y", "password": "mat-khau-dai-1", "role": "superuser"])
            #expect(role.problemField == "role")
        }
    }

    @Test func adminCannotLockThemselvesOut() async throws {
        try await withApp { app in
            let me = try await makeUser(app, "admin", role: .admin)
            let c = TestClient(app)
            try await c.login("admin")
            #expect(try await c.send(.PATCH, "/api/v1/users/\(me.id!)", json: ["active": false]).status == .unprocessableEntity)
            #expect(try await c.send(.PATCH, "/api/v1/users/\(me.id!)", json: ["role": "leader"]).status == .unprocessableEntity)
        }
    }

    @Test func sourceKeyAuthenticatesAndUpdatesFreshnessAndErrors() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            let admin = TestClient(app)
            try await admin.login("admin")
            let created = try await admin.send(.POST, "/api/v1/sources", json: ["name": "igate-daklak", "kind": "igate", "expectedFreshnessSeconds": 900])
            #expect(created.status == .created)
            let key = try #require(created.json["apiKey"] as? String)
            #expect(key.hasPrefix("ioc_"))
            let stored = try #require(try await SourceModel.query(on: app.db).first())
            #expect(stored.keyHash != key && stored.keyHash?.count == 64)

            let source = TestClient(app)
            source.bearer = key
            let me = try await source.send(.GET, "/api/v1/sources/self")
            #expect(me.status == .ok)
            #expect(me.json["stale"] as? Bool == true)
            let beat = try await source.send(.POST, "/api/v1/sources/self/heartbeat")
            #expect(beat.json["stale"] as? Bool == false)
            #expect(beat.json["lastDataAt"] as? String != nil)

            // A source may not use user routes; the failure counts against it.
            #expect(try await source.send(.GET, "/api/v1/users").status == .forbidden)
            #expect(try await SourceModel.find(stored.id, on: app.db)?.errorCount == 1)

            let bad = TestClient(app)
            bad.bearer = "ioc_not-a-real-key"
            let denied = try await bad.send(.GET, "/api/v1/sources/self")
            #expect(denied.status == .unauthorized)
            #expect(denied.problemCode == "invalid_api_key")

            // Rotation: the old key stops working.
            let rotated = try await admin.send(.POST, "/api/v1/sources/\(stored.id!)/rotate-key")
            let newKey = try #require(rotated.json["apiKey"] as? String)
            #expect(try await source.send(.GET, "/api/v1/sources/self").status == .unauthorized)
            source.bearer = newKey
            #expect(try await source.send(.GET, "/api/v1/sources/self").status == .ok)

            let list = try await admin.send(.GET, "/api/v1/sources")
            #expect(!list.text.contains(newKey))
            #expect(!list.text.contains("keyHash"))
        }
    }
}
