import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Sign-in, sessions and CSRF")
struct SessionTests {
    @Test func signInReturnsTheUserAndACSRFTokenAndSetsAnHttpOnlyCookie() async throws {
        try await withApp { app in
            try await makeUser(app, "dieuhanh", role: .operator, agencyCode: "IOC")
            let c = TestClient(app)
            let r = try await c.login("dieuhanh")
            #expect(r.status == .ok)
            let user = r.json["user"] as? [String: Any]
            #expect(user?["role"] as? String == "operator")
            #expect((user?["agency"] as? [String: Any])?["code"] as? String == "IOC")
            #expect((r.json["csrfToken"] as? String)?.count == 64)
            let setCookie = r.headers.first(name: .setCookie) ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.lowercased().contains("samesite=lax"))
            #expect(try await c.send(.GET, "/api/v1/session").status == .ok)
            // The login is audited.
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "session.login").count() == 1)
        }
    }

    @Test func wrongPasswordAndUnknownUserAreTheSame401() async throws {
        try await withApp { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let c = TestClient(app)
            let wrong = try await c.login("lanhdao", "not-the-password")
            let unknown = try await c.login("nobody", "not-the-password")
            for r in [wrong, unknown] {
                #expect(r.status == .unauthorized)
                #expect(r.isProblem)
                #expect(r.problemCode == "invalid_credentials")
                #expect((r.json["messages"] as? [String: String])?["vi"]?.isEmpty == false)
            }
            let session = try await c.send(.GET, "/api/v1/session")
            #expect(session.status == .unauthorized)
        }
    }

    @Test func repeatedFailuresAreThrottled() async throws {
        try await withApp { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let c = TestClient(app)
            for _ in 0..<10 { #expect(try await c.login("lanhdao", "wrong-password-x").status == .unauthorized) }
            let blocked = try await c.login("lanhdao")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) == "900")
        }
    }

    @Test func deactivatedUserCannotSignIn() async throws {
        try await withApp { app in
            let u = try await makeUser(app, "canbo", role: .officer)
            u.active = false
            try await u.update(on: app.db)
            #expect(try await TestClient(app).login("canbo").status == .unauthorized)
        }
    }

    @Test func stateChangingRequestsNeedTheCSRFTokenWithACookieSession() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            let c = TestClient(app)
            try await c.login("admin")
            let before = try await stateFingerprint(app)
            let body: [String: Any] = ["code": "SO-TEST", "name": "Sở Thử nghiệm", "kind": "department"]
            let noToken = try await c.send(.POST, "/api/v1/agencies", json: body, csrf: false)
            #expect(noToken.status == .forbidden)
            #expect(noToken.problemCode == "csrf")
            let wrongToken = try await c.send(.POST, "/api/v1/agencies", json: body, headers: ["X-CSRF-Token": String(repeating: "0", count: 64)], csrf: false)
            #expect(wrongToken.status == .forbidden)
            #expect(try await stateFingerprint(app) == before)
            #expect(try await c.send(.POST, "/api/v1/agencies", json: body).status == .created)
        }
    }

    @Test func signOutEndsTheSession() async throws {
        try await withApp { app in
            try await makeUser(app, "phantich", role: .analyst)
            let c = TestClient(app)
            try await c.login("phantich")
            #expect(try await c.send(.DELETE, "/api/v1/session").status == .noContent)
            #expect(try await c.send(.GET, "/api/v1/session").status == .unauthorized)
        }
    }

    @Test func demoLoadCreatesUsersForEveryRoleThatCanSignIn() async throws {
        try await withApp { app in
            // Demo hashes use the configured cost (4 in tests).
            let first = try await DemoProvince.load(on: app)
            let second = try await DemoProvince.load(on: app)
            #expect(first.createdAgencies == first.agencies)
            #expect(second.createdAgencies == 0)
            #expect(first.agencies >= 40)
            #expect(try await AgencyModel.query(on: app.db).count() == first.agencies)
            #expect(try await AgencyModel.query(on: app.db).filter(\.$kind == "communeCommittee").count() == 102)
            #expect(Set(DemoProvince.users.map(\.role)) == Set(Role.allCases))
            for u in DemoProvince.users {
                let c = TestClient(app)
                let r = try await c.login(u.username, u.password)
                #expect(r.status == .ok, "demo login \(u.username)")
                #expect((r.json["user"] as? [String: Any])?["role"] as? String == u.role.rawValue)
            }
            // The ward officer belongs to UBND phường Buôn Ma Thuột, whose jurisdiction is ward 24133.
            let bmt = try await AgencyModel.query(on: app.db).filter(\.$code == "UBND-24133").with(\.$jurisdiction).first()
            #expect(bmt?.jurisdiction.map(\.unitCode) == ["24133"])
            #expect(bmt?.name == "UBND phường Buôn Ma Thuột")
        }
    }
}
