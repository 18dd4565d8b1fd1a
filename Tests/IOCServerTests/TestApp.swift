import Fluent
import Foundation
import IOCCore
import NIOCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import IOCServer

/// The test environment: in-process app tests run on a throwaway SQLite file, or on PostgreSQL when
/// `IOC_TEST_DATABASE_URL` is set (each test in a schema of its own, dropped afterwards).
enum TestEnvironment {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let reference: ReferenceData = try! ReferenceData.load(from: repositoryRoot + "/Resources")
    static let postgresURL = ProcessInfo.processInfo.environment["IOC_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var isPostgres: Bool { postgresURL != nil }

    /// Quiet logs unless IOC_TEST_LOG_LEVEL asks for more (bootstrapped once per process).
    static let logging: Void = {
        let level = ProcessInfo.processInfo.environment["IOC_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }()
}

/// Runs `body` against a fully configured app (the real `configure`), then tears it down.
func withApp(modules: [any ServiceModule] = ServiceModules.standard, adjust: (inout IOCConfiguration) -> Void = { _ in },
             _ body: (Application) async throws -> Void) async throws {
    TestEnvironment.logging
    let app = try await Application.make(.testing)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-test-\(UUID().uuidString)").path
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    let storage: IOCConfiguration.Storage = TestEnvironment.postgresURL.map { .postgres($0) } ?? .sqliteFile(dir + "/ioc.sqlite")
    let config = IOCConfiguration(
        storage: storage, dataDirectory: dir, publicDirectory: TestEnvironment.repositoryRoot + "/Public",
        resourcesDirectory: TestEnvironment.repositoryRoot + "/Resources", vendorDirectory: "/usr/share/javascript",
        backgroundWork: false, databasePoolSize: 2, liveHeartbeat: .seconds(1), bcryptCost: 4, autoMigrate: true,
        postgresSchema: TestEnvironment.isPostgres ? String(schema) : nil)
    var unlimited = config
    unlimited.intakeLimit = 0
    adjust(&unlimited)
    do {
        try await configure(app, configuration: unlimited, reference: TestEnvironment.reference, modules: modules)
        try await body(app)
    } catch {
        await teardown(app, schema: String(schema), dir: dir)
        throw error
    }
    await teardown(app, schema: String(schema), dir: dir)
}

private func teardown(_ app: Application, schema: String, dir: String) async {
    if TestEnvironment.isPostgres, let sql = app.db as? any SQLDatabase {
        try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: dir)
}

/// Creates a user directly (bcrypt cost 4 in tests).
@discardableResult
func makeUser(_ app: Application, _ username: String, role: Role, password: String = "correct-horse-battery",
              agencyCode: String? = nil, unitScope: String? = nil) async throws -> UserModel {
    var agencyID: UUID?
    if let code = agencyCode {
        agencyID = try await AgencyModel.query(on: app.db).filter(\.$code == code).first()?.id
        if agencyID == nil {
            let a = AgencyModel(code: code, name: "Cơ quan \(code)", nameEn: code, kind: .department, parentID: nil)
            try await a.create(on: app.db)
            try await AgencyService.replaceJurisdiction(a.id!, units: ["66"], on: app.db)
            agencyID = a.id
        }
    }
    let hash = try Bcrypt.hash(password, cost: 4)
    let user = UserModel(username: username, displayName: "Người dùng \(username)", passwordHash: hash, role: role,
                         agencyID: agencyID, unitScope: unitScope)
    try await user.create(on: app.db)
    return user
}

/// An HTTP client over the in-memory tester that keeps the session cookie and sends the CSRF token.
final class TestClient: @unchecked Sendable {
    let app: Application
    var cookie: String?
    var csrf: String?
    var bearer: String?

    init(_ app: Application) { self.app = app }

    struct Reply {
        var status: HTTPStatus
        var headers: HTTPHeaders
        var body: ByteBuffer

        var text: String { String(buffer: body) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
        func decode<T: Decodable>(_ t: T.Type) throws -> T { try JSONDecoder.ioc.decode(T.self, from: Data(buffer: body)) }
        var isProblem: Bool { headers.first(name: .contentType)?.hasPrefix("application/problem+json") ?? false }
        var problemCode: String? { json["code"] as? String }
        var problemField: String? { json["field"] as? String }
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, raw: String? = nil, bytes: Data? = nil, contentType: String = "application/json",
              headers extra: HTTPHeaders = [:], csrf sendCSRF: Bool = true) async throws -> Reply {
        var headers = extra
        if let cookie { headers.replaceOrAdd(name: .cookie, value: cookie) }
        if sendCSRF, let csrf, ![.GET, .HEAD].contains(method) { headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
        if let bearer { headers.bearerAuthorization = .init(token: bearer) }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
            headers.replaceOrAdd(name: .contentType, value: contentType)
        } else if let raw {
            body = ByteBuffer(string: raw)
            headers.replaceOrAdd(name: .contentType, value: contentType)
        } else if let bytes {
            body = ByteBuffer(data: bytes)
            headers.replaceOrAdd(name: .contentType, value: contentType)
        }
        let r = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        if let setCookie = r.headers.setCookie?[SessionSettings.cookieName] {
            cookie = "\(SessionSettings.cookieName)=\(setCookie.string)"
        }
        return Reply(status: r.status, headers: r.headers, body: r.body)
    }

    /// Signs in and keeps the cookie and CSRF token.
    @discardableResult
    func login(_ username: String, _ password: String = "correct-horse-battery") async throws -> Reply {
        let r = try await send(.POST, "/api/v1/session", json: ["username": username, "password": password])
        if r.status == .ok { csrf = r.json["csrfToken"] as? String }
        return r
    }
}

/// Counts the rows of the tables that state-changing routes touch (each module lists its own), to prove a rejected
/// request changed nothing.
func stateFingerprint(_ app: Application) async throws -> [String: Int] {
    let sql = try #require(app.db as? any SQLDatabase)
    var counts: [String: Int] = [:]
    struct Row: Decodable { var n: Int }
    for table in app.modules.all.flatMap(\.watchedTables) {
        counts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Row.self)?.n ?? 0
    }
    #expect(counts.count >= 15, "the modules watch the platform's and the services' tables")
    return counts
}

/// Starts the app's real HTTP server on a free loopback port for the duration of `body`.
func withLiveServer(_ app: Application, _ body: (Int) async throws -> Void) async throws {
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 0
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    let port = try #require(app.http.server.shared.localAddress?.port)
    do {
        try await body(port)
    } catch {
        await app.server.shutdown()
        throw error
    }
    await app.server.shutdown()
}

/// Collects the text messages of a WebSocket client and waits for one that matches.
final class WebSocketProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [[String: Any]] = []
    private var closed = false
    let ws: WebSocket

    static func connect(port: Int, headers: HTTPHeaders, app: Application, query: String? = nil) async throws -> WebSocketProbe {
        let upgraded = app.eventLoopGroup.next().makePromise(of: WebSocketProbe.self)
        let group = app.eventLoopGroup
        // The scheme/host/path/query form: the query (a display key) must reach the server.
        WebSocket.connect(scheme: "ws", host: "127.0.0.1", port: port, path: "/api/v1/live", query: query, headers: headers, on: group) { ws in
            upgraded.succeed(WebSocketProbe(ws: ws))
        }.whenFailure { upgraded.fail($0) }
        return try await upgraded.futureResult.get()
    }

    init(ws: WebSocket) {
        self.ws = ws
        ws.onText { [weak self] _, text in
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return }
            self?.lock.withLock { self?.messages.append(obj) }
        }
        ws.onClose.whenComplete { [weak self] _ in self?.lock.withLock { self?.closed = true } }
    }

    var all: [[String: Any]] { lock.withLock { messages } }
    var isClosed: Bool { lock.withLock { closed } }

    func send(_ object: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: object)
        try await ws.send(String(decoding: data, as: UTF8.self))
    }

    /// Waits (up to `timeout`) for a message satisfying `predicate`.
    func wait(timeout: Duration = .seconds(5), _ predicate: ([String: Any]) -> Bool) async throws -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let m = all.first(where: predicate) { return m }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Every event delivered so far (events arrive in batches).
    var events: [[String: Any]] {
        all.filter { $0["type"] as? String == "events" }.flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
    }
}
