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

    /// Issue 11, point 3: session fixation. An attacker plants a cookie value in the victim's browser, the victim signs
    /// in, and the attacker presents the same value. Vapor's sessions stored a session for any unknown cookie and kept
    /// its id at sign-in, so the attacker was signed in as the victim.
    @Test func aCookieChosenBeforeSignInIsNeverTheSignedInSession() async throws {
        try await withApp { app in
            try await makeUser(app, "dieuhanh", role: .operator, agencyCode: "IOC")
            let planted = "\(SessionSettings.cookieName)=" + String(repeating: "ab", count: 32)
            // Anonymous requests with made-up cookies store nothing and are told to drop them.
            let attacker = TestClient(app)
            attacker.cookie = planted
            let probe = try await attacker.send(.GET, "/api/v1/session")
            #expect(probe.status == .unauthorized)
            #expect(probe.headers.setCookie?[SessionSettings.cookieName]?.string == "")
            for junk in ["x", String(repeating: "z", count: 64), String(repeating: "AB", count: 32), UUID().uuidString] {
                let c = TestClient(app)
                c.cookie = "\(SessionSettings.cookieName)=\(junk)"
                #expect(try await c.send(.GET, "/api/v1/units?level=province").status == .ok)
            }
            #expect(try await UserSessionModel.query(on: app.db).count() == 0)

            // The victim signs in carrying the planted cookie: the answer names a new session.
            let victim = TestClient(app)
            victim.cookie = planted
            #expect(try await victim.login("dieuhanh").status == .ok)
            #expect(victim.cookie != planted)
            #expect(try await victim.send(.GET, "/api/v1/session").status == .ok)
            attacker.cookie = planted
            #expect(try await attacker.send(.GET, "/api/v1/session").status == .unauthorized)

            // Signing in again also changes the id, and the old one is dead.
            let first = victim.cookie
            #expect(try await victim.login("dieuhanh").status == .ok)
            #expect(victim.cookie != first)
            let stale = TestClient(app)
            stale.cookie = first
            #expect(try await stale.send(.GET, "/api/v1/session").status == .unauthorized)
            #expect(try await UserSessionModel.query(on: app.db).count() == 1)
            // The table holds hashes: the cookie's token is not in it.
            let token = String(victim.cookie?.split(separator: "=").last ?? "")
            #expect(try await UserSessionModel.find(token, on: app.db) == nil)
            #expect(try await UserSessionModel.find(SessionStore.hash(token), on: app.db) != nil)
        }
    }

    @Test func signOutDeletesTheSessionSoItsCookieCannotBeReplayed() async throws {
        try await withApp { app in
            try await makeUser(app, "phantich", role: .analyst)
            let c = TestClient(app)
            try await c.login("phantich")
            let copy = c.cookie
            let out = try await c.send(.DELETE, "/api/v1/session")
            #expect(out.status == .noContent)
            let expired = try #require(out.headers.setCookie?[SessionSettings.cookieName])
            #expect(expired.string == "" && expired.maxAge == 0)
            let replay = TestClient(app)
            replay.cookie = copy
            #expect(try await replay.send(.GET, "/api/v1/session").status == .unauthorized)
            #expect(try await UserSessionModel.query(on: app.db).count() == 0)
        }
    }

    @Test func sessionsExpireWhenIdleAndAfterTheirMaximumAgeOnTheServer() async throws {
        try await withApp(adjust: { $0.sessionIdle = 30 * 60; $0.sessionMaxAge = 2 * 3600 }) { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let store = app.sessionStore
            let start = Date()
            store.clock.set(start)
            let idle = TestClient(app)
            try await idle.login("lanhdao")
            let busy = TestClient(app)
            try await busy.login("lanhdao")
            // The busy one is used every 20 minutes; the idle one is not.
            for minutes in [20.0, 40, 60, 80, 100] {
                store.clock.set(start.addingTimeInterval(minutes * 60))
                #expect(try await busy.send(.GET, "/api/v1/session").status == .ok, "active after \(minutes) min")
            }
            #expect(try await idle.send(.GET, "/api/v1/session").status == .unauthorized)
            // Past the maximum age, activity does not help.
            store.clock.set(start.addingTimeInterval(2 * 3600 + 1))
            #expect(try await busy.send(.GET, "/api/v1/session").status == .unauthorized)
            #expect(try await UserSessionModel.query(on: app.db).count() == 0)
        }
    }

    @Test func housekeepingRemovesExpiredSessionsThatNobodyPresentsAgain() async throws {
        try await withApp(adjust: { $0.sessionIdle = 30 * 60 }) { app in
            try await makeUser(app, "lanhdao", role: .leader)
            for _ in 0..<3 { try await TestClient(app).login("lanhdao") }
            #expect(try await UserSessionModel.query(on: app.db).count() == 3)
            await app.backgroundRunner.runNow("platform.session-expiry", app: app)
            #expect(try await UserSessionModel.query(on: app.db).count() == 3)
            app.sessionStore.clock.set(Date().addingTimeInterval(31 * 60))
            await app.backgroundRunner.runNow("platform.session-expiry", app: app)
            #expect(try await UserSessionModel.query(on: app.db).count() == 0)
        }
    }

    @Test func deactivatingAnAccountOrSettingItsPasswordEndsItsSessions() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            let u = try await makeUser(app, "canbo", role: .officer, agencyCode: "IOC")
            let admin = TestClient(app)
            try await admin.login("admin")
            let officer = TestClient(app)
            try await officer.login("canbo")
            #expect(try await admin.send(.PATCH, "/api/v1/users/\(u.id!)", json: ["password": "a-new-password-2026"]).status == .ok)
            #expect(try await officer.send(.GET, "/api/v1/session").status == .unauthorized)
            try await officer.login("canbo", "a-new-password-2026")
            #expect(try await admin.send(.PATCH, "/api/v1/users/\(u.id!)", json: ["active": false]).status == .ok)
            #expect(try await UserSessionModel.query(on: app.db).filter(\.$user.$id == u.id!).count() == 0)
            #expect(try await officer.send(.GET, "/api/v1/session").status == .unauthorized)
            #expect(try await admin.send(.GET, "/api/v1/session").status == .ok)
        }
    }

    @Test func anHTTPSPublicURLMakesTheCookieSecureAndSendsHSTS() async throws {
        try await withApp(adjust: { $0.publicURL = "https://ioc.daklak.gov.vn" }) { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let r = try await TestClient(app).login("lanhdao")
            #expect(r.headers.setCookie?[SessionSettings.cookieName]?.isSecure == true)
            #expect(r.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
        }
        try await withApp { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let r = try await TestClient(app).login("lanhdao")
            #expect(r.headers.setCookie?[SessionSettings.cookieName]?.isSecure == false)
            #expect(r.headers.first(name: "Strict-Transport-Security") == nil)
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
