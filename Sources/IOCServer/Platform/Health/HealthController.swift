import Fluent
import Foundation
import IOCCore
import Prometheus
import SQLKit
import Vapor

/// Liveness, readiness, Prometheus metrics, the OpenAPI document and the UI settings.
enum HealthController {
    struct Health: Content {
        var status: String
    }

    struct UISettings: Content {
        struct Province: Content {
            var code: String
            var name: String
            var nameEn: String
        }

        struct MapSettings: Content {
            var center: [Double]
            var zoom: Int
            var tileURL: String?
            var tileAttribution: String?
        }

        var instanceName: String
        var province: Province
        var map: MapSettings
        var demo: Bool
        var version: String
        /// The modules' console pages and dictionaries, the live topics' names and the wall's view kinds.
        var modules: [ServiceModules.Catalogue.Module]
        var liveTopics: [String: String]
        var wallViews: [String]
    }

    static let version = "0.1.0"

    static func register(_ app: Application, api: APIBuilder) {
        app.get("healthz") { _ in Health(status: "ok") }
        app.get("readyz", use: ready)
        app.get("metrics", use: metrics)
        api.on(.GET, "openapi.json", access: .public, summary: "This OpenAPI 3.1 document", response: .any, use: openAPI)
        api.group("v1", "settings", tag: "Settings")
            .on(.GET, "ui", access: .public, summary: "What the web UI needs to start (no personal data)",
                response: .object(["instanceName": .string, "province": .any, "map": .any, "demo": .boolean, "version": .string,
                                   "modules": .array(.any), "liveTopics": .any, "wallViews": .array(.string)], required: []),
                use: uiSettings)
        api.group("v1", "health", tag: "Platform")
            .on(.GET, "tasks", access: .roles([.admin, .operator]),
                summary: "Background tasks on this instance: leadership, last run, duration, failures", response: .any, use: tasks)
    }

    @Sendable static func ready(_ req: Request) async throws -> Response {
        do {
            if let sql = req.db as? any SQLDatabase {
                _ = try await sql.raw("SELECT 1 AS ok").first()
            }
            return try await Health(status: "ready").encodeResponse(for: req)
        } catch {
            let r = ProblemMiddleware.response(for: IOCError(.serviceUnavailable, code: "database_unreachable",
                                                             vi: "Không kết nối được cơ sở dữ liệu.", en: "The database is unreachable."), request: req)
            return r
        }
    }

    /// Whether the caller may read `/metrics`: the configured scrape token, or else a direct local request.
    static func checkMetricsAccess(_ req: Request) throws {
        if let token = req.application.iocConfiguration.metricsToken {
            guard let given = req.headers.bearerAuthorization?.token, Authorization.constantTimeEquals(given, token) else {
                throw IOCError(.unauthorized, code: "unauthenticated", vi: "Cần mã truy cập số đo (IOC_METRICS_TOKEN).",
                               en: "The metrics token (IOC_METRICS_TOKEN) is required.")
            }
            return
        }
        // No token: only a scraper on this machine talking to IOC directly (a request through a proxy carries its
        // headers, and the proxy's own address would otherwise pass for local).
        let local = ["127.0.0.1", "::1"].contains(req.remoteAddress?.ipAddress ?? "")
        guard local, req.headers.first(name: .xForwardedFor) == nil, req.headers.first(name: "X-Real-IP") == nil,
              req.headers.first(name: "Forwarded") == nil else {
            throw IOCError(.forbidden, code: "forbidden", vi: "Số đo chỉ đọc được từ máy chủ này, hoặc với IOC_METRICS_TOKEN.",
                           en: "Metrics are readable from this machine only, or with IOC_METRICS_TOKEN.")
        }
    }

    @Sendable static func metrics(_ req: Request) async throws -> Response {
        try checkMetricsAccess(req)
        let m = req.application.iocMetrics
        m.liveSubscribers.set(Double(req.application.live.clientCount))
        m.liveTopics.set(Double(req.application.live.subscriptionCount))
        m.leader.set(Double(req.application.backgroundRunner.leadership.isLeader ? 1 : 0))
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: m.registry.emitToString()))
    }

    @Sendable static func openAPI(_ req: Request) async throws -> Response {
        let doc = OpenAPIDocument.build(endpoints: req.application.endpoints.all, title: "IOC API", version: version)
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try OpenAPIDocument.data(doc)))
    }

    @Sendable static func uiSettings(_ req: Request) async throws -> UISettings {
        let c = req.application.iocConfiguration
        let catalogue = req.application.modules.catalogue(wall: req.application.wall)
        let unit = req.application.reference.units[c.provinceCode]
        let center = req.application.reference.boundaries.provinces.first { $0.code == c.provinceCode }.map {
            [($0.geometry.bounds.minLatitude + $0.geometry.bounds.maxLatitude) / 2, ($0.geometry.bounds.minLongitude + $0.geometry.bounds.maxLongitude) / 2]
        } ?? [12.67, 108.04]
        return UISettings(
            instanceName: c.instanceName,
            province: .init(code: c.provinceCode, name: unit?.name ?? c.provinceCode, nameEn: unit?.nameEn ?? c.provinceCode),
            map: .init(center: center, zoom: 9, tileURL: c.tileURL, tileAttribution: c.tileAttribution),
            demo: c.demo, version: version, modules: catalogue.modules, liveTopics: catalogue.liveTopics, wallViews: catalogue.wallViews)
    }

    @Sendable static func tasks(_ req: Request) async throws -> BackgroundRunner.Status {
        req.application.backgroundRunner.status
    }
}

/// The server's Prometheus metrics.
final class IOCMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let liveSubscribers: Gauge
    let liveTopics: Gauge
    let liveDropped: Counter
    let dbPoolMax: Gauge
    let leader: Gauge

    init(poolSize: Int) {
        liveSubscribers = registry.makeGauge(name: "ioc_live_subscribers", help: "Connected live WebSocket clients")
        liveTopics = registry.makeGauge(name: "ioc_live_subscriptions", help: "Topic subscriptions across live clients")
        liveDropped = registry.makeCounter(name: "ioc_live_dropped_messages_total", help: "Messages dropped because a client's buffer was full")
        dbPoolMax = registry.makeGauge(name: "ioc_db_pool_max_connections", help: "Configured database connections per event loop")
        dbPoolMax.set(Double(poolSize))
        leader = registry.makeGauge(name: "ioc_background_leader", help: "1 when this instance runs the singleton background tasks")
    }

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    func record(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(name: "http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests by route and status").increment()
        registry.makeDurationHistogram(name: "http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                       buckets: Self.latencyBuckets, help: "HTTP request latency").record(duration)
    }

    func recordQuery(_ name: String, duration: Duration) {
        registry.makeDurationHistogram(name: "ioc_db_query_duration_seconds", labels: [("query", name)],
                                       buckets: Self.latencyBuckets, help: "Database round-trip latency").record(duration)
    }
}

/// Counts every request by its route pattern (not the raw path, so label cardinality stays bounded).
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: req)
        } catch {
            response = ProblemMiddleware.response(for: error, request: req)
        }
        let route = req.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        req.application.iocMetrics.record(method: req.method.rawValue, route: route, status: response.status.code,
                                          duration: ContinuousClock.now - start)
        return response
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = IOCMetrics }

    var iocMetrics: IOCMetrics {
        get {
            guard let m = storage[MetricsKey.self] else { fatalError("configure(_:) has not run") }
            return m
        }
        set { storage[MetricsKey.self] = newValue }
    }
}
