import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Units, health, metrics, static UI")
struct UnitsAndHealthTests {
    @Test func unitsAreSeededAndServed() async throws {
        try await withApp { app in
            #expect(try await UnitModel.query(on: app.db).count() == 34 + 3_321)
            #expect(try await LegacyProvinceModel.query(on: app.db).count() == 63)
            let c = TestClient(app)
            let communes = try await c.send(.GET, "/api/v1/units?province=66")
            #expect(communes.json["total"] as? Int == 102)
            let search = try await c.send(.GET, "/api/v1/units?province=66&q=buon%20ma%20thuot")
            #expect(((search.json["items"] as? [[String: Any]])?.first)?["code"] as? String == "24133")
            let legacy = try await c.send(.GET, "/api/v1/units/54")
            #expect((legacy.json["unit"] as? [String: Any])?["code"] as? String == "66")
            #expect((legacy.json["legacy"] as? [String: Any])?["name"] as? String == "Phú Yên")
            let locate = try await c.send(.GET, "/api/v1/units/locate?lat=12.6797&lon=108.044")
            #expect((locate.json["commune"] as? [String: Any])?["code"] as? String == "24133")
            let geo = try await c.send(.GET, "/api/v1/units/66/boundaries")
            #expect(geo.headers.first(name: .contentType) == "application/geo+json")
            #expect((geo.json["features"] as? [Any])?.count == 103)
        }
    }

    @Test func badUnitQueriesAre4xxProblems() async throws {
        try await withApp { app in
            let c = TestClient(app)
            for path in ["/api/v1/units?province=6", "/api/v1/units?level=district", "/api/v1/units/abc",
                         "/api/v1/units/locate?lat=91&lon=108", "/api/v1/units/locate?lat=12", "/api/v1/units/locate?lat=x&lon=y",
                         "/api/v1/units/99999", "/api/v1/units/01/boundaries"] {
                let r = try await c.send(.GET, path)
                #expect((400..<500).contains(Int(r.status.code)), "\(path) → \(r.status)")
                #expect(r.isProblem, "\(path)")
            }
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await withApp(adjust: { $0.metricsToken = "scrape-secret-1234" }) { app in
            let c = TestClient(app)
            #expect(try await c.send(.GET, "/healthz").status == .ok)
            #expect(try await c.send(.GET, "/readyz").status == .ok)
            _ = try await c.send(.GET, "/api/v1/units/66")
            _ = try await c.send(.GET, "/api/v1/agencies")
            // Issue 11: metrics are not public.
            #expect(try await c.send(.GET, "/metrics").status == .unauthorized)
            c.bearer = "wrong-token"
            #expect(try await c.send(.GET, "/metrics").status == .unauthorized)
            c.bearer = "scrape-secret-1234"
            let m = try await c.send(.GET, "/metrics")
            #expect(m.status == .ok)
            #expect(m.headers.first(name: .contentType)?.hasPrefix("text/plain") == true)
            #expect(m.text.contains(#"http_requests_total{method="GET",route="/api/v1/units/:code",status="200"} 1"#))
            #expect(m.text.contains(#"http_requests_total{method="GET",route="/api/v1/agencies",status="401"} 1"#), "\(m.text.prefix(2000))")
            #expect(m.text.contains("http_request_duration_seconds_bucket"))
            #expect(m.text.contains("ioc_live_subscribers"))
            #expect(m.text.contains("ioc_db_pool_max_connections"))
        }
    }

    @Test func uiAndVendorFilesAreServedWithoutACDN() async throws {
        try await withApp { app in
            let c = TestClient(app)
            let index = try await c.send(.GET, "/")
            #expect(index.status == .ok)
            #expect(index.text.contains("<html"))
            #expect(!index.text.contains("https://"), "no CDN")
            #expect(index.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
            #expect(try await c.send(.GET, "/login.html").status == .ok)
            #expect(try await c.send(.GET, "/i18n/vi.json").status == .ok)
            let leaflet = try await c.send(.GET, "/vendor/leaflet/leaflet.js")
            #expect(leaflet.status == .ok, "needs libjs-leaflet (scripts/bootstrap.sh)")
            #expect(try await c.send(.GET, "/vendor/chart.js/chart.min.js").status == .ok)
            let traversal = try await c.send(.GET, "/vendor/leaflet/../../../etc/passwd")
            #expect((400..<500).contains(Int(traversal.status.code)))
            #expect(!traversal.text.contains("root:"))
            #expect(try await c.send(.GET, "/vendor/jquery/jquery.js").status == .notFound)
            let settings = try await c.send(.GET, "/api/v1/settings/ui")
            #expect((settings.json["province"] as? [String: Any])?["code"] as? String == "66")
        }
    }

    /// Issue 11: without a token, /metrics answers only a direct request from this machine — not one relayed by a
    /// proxy (which would otherwise look local) and not an in-process caller without an address.
    @Test func metricsWithoutATokenAnswerOnlyALocalDirectScraper() async throws {
        try await withApp { app in
            #expect(try await TestClient(app).send(.GET, "/metrics").status == .forbidden)
            try await withLiveServer(app) { port in
                let direct = try await app.client.get(URI(string: "http://127.0.0.1:\(port)/metrics"))
                #expect(direct.status == .ok)
                let relayed = try await app.client.get(URI(string: "http://127.0.0.1:\(port)/metrics"), headers: ["X-Forwarded-For": "203.0.113.9"])
                #expect(relayed.status == .forbidden)
            }
        }
    }
}
