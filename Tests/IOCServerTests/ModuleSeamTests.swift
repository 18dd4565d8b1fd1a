import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import IOCServer

/// A module that exists only in this test: one registration in the module list must be enough for the wall, the
/// OpenAPI document, the authorization matrix, the live hub, `ioc demo` and the console to know it.
struct ProbeModule: ServiceModule {
    var id: String { "probe" }
    static let table = "probe_items"

    struct CreateProbeItems: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(ProbeModule.table).field("id", .int, .identifier(auto: true)).field("name", .string, .required).create()
        }
        func revert(on database: any Database) async throws { try await database.schema(ProbeModule.table).delete() }
    }

    static func count(_ db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Row.self)?.n ?? 0
    }

    static func insert(_ name: String, _ db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("INSERT INTO \(ident: table) (name) VALUES (\(bind: name))").run()
    }

    func migrations(_ app: Application) -> [any Migration] { [CreateProbeItems()] }

    func routes(_ v1: APIBuilder, app: Application) throws {
        let p = v1.group("probe", tag: "Probe")
        p.on(.GET, "items", access: .anyUser, summary: "Probe items", response: .any) { req async throws -> [String: Int] in
            ["count": try await Self.count(req.db)]
        }
        p.on(.POST, "items", access: .admin, summary: "Add a probe item", body: .object([:], required: []), response: .any, status: .created) { req async throws -> [String: Int] in
            try await Self.insert("item", req.db)
            req.application.live.publish(topic: "probe", ["type": "probe.added"])
            return ["count": try await Self.count(req.db)]
        }
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("probe", { req, _ in
            WallTile(id: "probe", title: .init(vi: "Thử nghiệm", en: "Probe"), link: "/#/probe",
                     figures: [.init(key: "items", label: .init(vi: "Mục", en: "Items"), value: Double(try await Self.count(req.db)), format: "integer")],
                     trend: nil, freshness: .init(lastDataAt: nil, expectedSeconds: 60, stale: false))
        })
        wall.choropleth("probe.items", label: .init(vi: "Mục thử", en: "Probe items")) { _, _ in ["24133": 1] }
    }

    var liveTopics: [LiveTopicRule] { [LiveTopicRule("probe", prefix: "probe", access: .admin)] }

    func loadDemo(_ context: DemoContext) async throws {
        guard try await Self.count(context.app.db) == 0 else { return }
        for name in ["a", "b", "c"] { try await Self.insert(name, context.app.db) }
        context.print("probe demo loaded")
    }

    var watchedTables: [String] { [Self.table] }
    var console: [ConsoleEntry] { [ConsoleEntry(route: "probe", title: "probe.nav", icon: "i-list", roles: [.admin])] }
    var i18nBundles: [String] { ["probe"] }
}

@Suite("Service modules: one registration is enough")
struct ModuleSeamTests {
    static var modules: [any ServiceModule] { ServiceModules.standard + [ProbeModule()] }

    @Test func aTestModuleIsDiscoveredEverywhere() async throws {
        try await withApp(modules: Self.modules) { app in
            try await makeUser(app, "boss", role: .admin)
            try await makeUser(app, "watcher", role: .leader)
            let admin = TestClient(app)
            try await admin.login("boss")

            // The wall's overview shows its tile, the map offers its metric.
            let overview = try await admin.send(.GET, "/api/v1/wall/overview")
            let tiles = (overview.json["tiles"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(tiles.contains("probe"))
            #expect(tiles.prefix(3) == ["fieldreports", "publicservices", "alarms"], "the modules' tiles in module order")
            let choropleth = try await admin.send(.GET, "/api/v1/map/choropleth?metric=probe.items")
            #expect(choropleth.status == .ok)
            #expect((choropleth.json["values"] as? [String: Int])?["24133"] == 1)
            // A wall screen may show its tile.
            let assign = try await admin.send(.PUT, "/api/v1/walls/w1", json: ["name": "W", "rows": 1, "cols": 1])
            #expect(assign.status.code < 300)
            let screen = try await admin.send(.PUT, "/api/v1/walls/w1/screens/1", json: ["view": ["kind": "tile", "params": ["tile": "probe"]]])
            #expect(screen.status == .ok, "\(screen.text)")

            // The OpenAPI document has its routes.
            let doc = try await admin.send(.GET, "/api/openapi.json")
            let paths = doc.json["paths"] as? [String: Any] ?? [:]
            #expect(paths["/api/v1/probe/items"] != nil)

            // The console learns its page, dictionaries and topic from the settings.
            let settings = try await TestClient(app).send(.GET, "/api/v1/settings/ui")
            let modules = settings.json["modules"] as? [[String: Any]] ?? []
            let probe = modules.first { $0["id"] as? String == "probe" }
            #expect((probe?["console"] as? [[String: Any]])?.first?["route"] as? String == "probe")
            #expect(probe?["i18n"] as? [String] == ["probe"])
            #expect((settings.json["liveTopics"] as? [String: String])?["probe"] == "probe")
            #expect((settings.json["wallViews"] as? [String])?.contains("tile") == true)

            // Its table is watched: a change to it shows in the fingerprint.
            let before = try await stateFingerprint(app)
            #expect(before[ProbeModule.table] == 0)
            #expect(try await admin.send(.POST, "/api/v1/probe/items", json: [String: Any]()).status == .created)
            #expect(try await stateFingerprint(app)[ProbeModule.table] == 1)
        }
    }

    @Test func theAuthorizationMatrixWalksTheModulesRoutes() async throws {
        try await withApp(modules: Self.modules) { app in
            let walked = try await AuthorizationMatrixTests.walk(app)
            #expect(walked.contains { $0.openAPIPath == "/api/v1/probe/items" && $0.method == .POST })
            #expect(walked.contains { $0.openAPIPath == "/api/v1/probe/items" && $0.method == .GET })
        }
    }

    @Test func itsTopicObeysItsAccessRule() async throws {
        try await withApp(modules: Self.modules) { app in
            try await makeUser(app, "boss", role: .admin)
            try await makeUser(app, "watcher", role: .leader)
            let admin = TestClient(app), leader = TestClient(app)
            try await admin.login("boss")
            try await leader.login("watcher")
            try await withLiveServer(app) { port in
                var h1 = HTTPHeaders(); h1.replaceOrAdd(name: .cookie, value: admin.cookie!)
                var h2 = HTTPHeaders(); h2.replaceOrAdd(name: .cookie, value: leader.cookie!)
                let a = try await WebSocketProbe.connect(port: port, headers: h1, app: app)
                let l = try await WebSocketProbe.connect(port: port, headers: h2, app: app)
                try await a.send(["type": "subscribe", "topics": ["probe"]])
                try await l.send(["type": "subscribe", "topics": ["probe"]])
                #expect(try await a.wait { $0["type"] as? String == "subscribed" } != nil)
                #expect(try await l.wait { $0["code"] as? String == "forbidden_topic" } != nil, "a leader may not follow the probe topic")
                #expect(try await admin.send(.POST, "/api/v1/probe/items", json: [String: Any]()).status == .created)
                #expect(try await a.wait { m in (m["events"] as? [[String: Any]])?.contains { $0["topic"] as? String == "probe" } == true } != nil)
                try await a.ws.close()
                try await l.ws.close()
            }
        }
    }

    @Test func itsDemoDataLoads() async throws {
        try await withApp(modules: Self.modules) { app in
            let lines = NIOLockedValueBox<[String]>([])
            let context = DemoContext(app: app, options: ["dossiers": 0, "reports": 0], print: { line in lines.withLockedValue { $0.append(line) } })
            try await DemoLoader.load(context)
            #expect(try await ProbeModule.count(app.db) == 3)
            #expect(lines.withLockedValue { $0 }.contains("probe demo loaded"))
            // Idempotent, like `ioc demo`.
            try await DemoLoader.load(context)
            #expect(try await ProbeModule.count(app.db) == 3)
        }
    }

    /// Services judge time by `app.clock` / `req.now`, so tests choose it. Only the files below may read the system
    /// clock directly: caches' ages, security timers (sessions, throttles), the runner's bookkeeping and the live
    /// heartbeat keep real time on purpose; a migration's seed row and the benchmark command are not services.
    @Test func servicesReadTimeFromTheInjectedClock() throws {
        let allowed: Set<String> = [
            "Platform/Time/IOCClock.swift", "Live/LiveController.swift", "Live/LiveHub.swift", "Demo/DemoRandom.swift",
            "FieldReports/MapPointIndex.swift", "FieldReports/FieldReportModels.swift", "Platform/Calendar/CalendarStore.swift",
            "Platform/Background/BackgroundRunner.swift", "Platform/Auth/Principal.swift", "Platform/Auth/SessionController.swift",
            "Platform/Agencies/AgencyDirectory.swift", "Cases/CaseDirectory.swift", "Open311/Open311Controller.swift",
            "Commands/BenchCommand.swift", "configure.swift", "FieldReports/FieldReportsController.swift", "Indicators/IndicatorCatalog.swift",
        ]
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/IOCServer")
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        var offenders: [String] = []
        for file in files where !allowed.contains(file) {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("Date()") && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                offenders.append("\(file): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(offenders.isEmpty, "bare Date() in a service: \(offenders)")
    }
}
