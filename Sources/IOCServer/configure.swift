import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import IOCCore
import NIOCore
import SQLKit
import Vapor

/// Sets up the whole application: database, migrations, middleware, services and routes.
/// Tests call this same function with a test configuration.
public func configure(_ app: Application, configuration config: IOCConfiguration, reference: ReferenceData? = nil) async throws {
    try await configure(app, configuration: config, reference: reference, modules: ServiceModules.standard)
}

/// `configure` with an explicit list of modules (tests add a module of their own).
func configure(_ app: Application, configuration config: IOCConfiguration, reference: ReferenceData?, modules: [any ServiceModule]) async throws {
    app.iocConfiguration = config
    app.modules = ServiceModules(modules)
    let reference = try reference ?? ReferenceData.load(from: config.resourcesDirectory)
    app.reference = reference

    // Storage
    var bridgeConfiguration: SQLPostgresConfiguration?
    switch config.storage {
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url):
        var pg = try SQLPostgresConfiguration(url: url)
        if let schema = config.postgresSchema {
            guard schema.count <= 63, let first = schema.unicodeScalars.first, ("a"..."z").contains(first) || first == "_",
                  schema.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
            else { throw IOCStartupError("IOC_PG_SCHEMA must be a lower-case identifier (a-z, 0-9, _)") }
            pg.searchPath = [schema]
        }
        // Statements are logged at trace level with their bind values redacted (RedactingLogHandler, bootstrapped in
        // main): binds carry citizens' personal data.
        app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: config.databasePoolSize, sqlLogLevel: .trace), as: .psql)
        bridgeConfiguration = pg
        if let schema = config.postgresSchema, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
    }
    if !config.isPostgres, let sql = app.db as? any SQLDatabase {
        // WAL lets readers run while one writer commits; the setting persists in the file.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }

    // The audit chain's key (outside the database) and where its head is exported.
    let anchorFile = config.auditAnchorFile ?? (config.dataDirectory as NSString)
        .appendingPathComponent("audit-anchors" + (config.postgresSchema.map { "-\($0)" } ?? "") + ".jsonl")
    app.audit = AuditLog(key: try AuditKeys.load(config), anchorFile: anchorFile)

    for module in app.modules.all {
        for migration in module.migrations(app) { app.migrations.add(migration) }
    }

    // Platform services
    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.calendarStore = CalendarStore()
    let metrics = IOCMetrics(poolSize: config.isPostgres ? config.databasePoolSize : 1)
    app.iocMetrics = metrics
    app.live = LiveHub(bufferLimit: config.liveClientBuffer, onDrop: { metrics.liveDropped.increment(by: Int64($0)) })
    _ = app.agencyDirectory
    // Several instances on one PostgreSQL: live events cross between them (LISTEN/NOTIFY), and one of them leads the
    // singleton background tasks (advisory lock).
    if let bridgeConfiguration, config.liveBridge {
        let bridge = LiveBridge(schema: config.postgresSchema)
        app.live.bridge = bridge
        app.lifecycle.use(LiveBridgeLifecycle(bridge: bridge, configuration: bridgeConfiguration))
    }
    let leadership = bridgeConfiguration.map {
        Leadership(.postgres($0, key: Leadership.key(schema: config.postgresSchema)), retry: config.leaderRetry)
    } ?? Leadership(.solo)

    // The modules: their services, live topics, wall contributions and background tasks.
    var tasks: [BackgroundTask] = []
    for module in app.modules.all {
        try module.boot(app)
        for rule in module.liveTopics { app.live.restrict(prefix: rule.prefix, to: rule.access, owner: rule.owner) }
        for observer in module.liveObservers {
            app.live.observe(prefix: observer.prefix) { [weak app] topic in if let app { observer.handle(app, topic) } }
        }
        module.wall(app.wall.builder(for: module.id))
        tasks += module.backgroundTasks(app)
    }
    app.backgroundRunner = BackgroundRunner(tasks: tasks, leadership: leadership, metrics: metrics,
                                            instance: config.instanceID)
    app.lifecycle.use(BackgroundRunnerLifecycle())

    // JSON: ISO 8601 dates everywhere.
    ContentConfiguration.global.use(encoder: JSONEncoder.ioc, for: .json)
    ContentConfiguration.global.use(decoder: JSONDecoder.ioc, for: .json)

    // Sessions in the database, so any instance can serve any browser (SessionStore; not Vapor's sessions).
    app.sessionStore = SessionStore(idle: config.sessionIdle, maxAge: config.sessionMaxAge, secureCookie: config.cookiesAreSecure,
                                    clock: app.securityClock)
    app.routes.defaultMaxBodySize = "1mb"

    // Middleware, outermost first.
    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(tileURL: config.tileURL, publicURL: config.publicURL))
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: config.publicDirectory.hasSuffix("/") ? config.publicDirectory : config.publicDirectory + "/",
                                      defaultFile: "index.html"))
    app.middleware.use(PrincipalMiddleware())

    try routes(app)

    if config.autoMigrate {
        try await app.autoMigrate()
    }
    try await checkAuditKey(app)
}

/// Refuses to start with another key than the one the audit chain is written with: its entries would look tampered
/// with (before migrations ran, there is nothing to compare).
func checkAuditKey(_ app: Application) async throws {
    guard let sql = app.db as? any SQLDatabase else { return }
    struct Row: Decodable { var key_fingerprint: String }
    guard let row = try? await sql.raw("SELECT key_fingerprint FROM audit_meta WHERE id = 1").first(decoding: Row.self) else { return }
    guard row.key_fingerprint == AuditChain.fingerprint(app.audit.key) else {
        throw IOCStartupError("the audit key (IOC_AUDIT_KEY / IOC_AUDIT_KEY_FILE / <data>/audit.key) is not the one this database's audit log was written with; every instance needs the same key")
    }
}

/// Logs one line per request: method, route pattern, status, duration, request id. Never bodies or query strings,
/// which may carry personal data.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: req)
        let route = req.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "static"
        let ms = (ContinuousClock.now - start) / .milliseconds(1)
        req.logger.info("\(req.method.rawValue) \(route) \(response.status.code) \(String(format: "%.1f", ms))ms")
        return response
    }
}

/// Conservative browser security headers; no CDN is ever needed, so scripts and styles come from 'self' only.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let csp: String

    /// Sent when the public URL is https: browsers keep to HTTPS for a year.
    let hsts: Bool

    init(tileURL: String?, publicURL: String? = nil) {
        hsts = IOCConfiguration.isHTTPS(publicURL)
        var img = "'self' data: blob:"
        if let t = tileURL, let u = URLComponents(string: t.replacingOccurrences(of: "{s}", with: "a")), let scheme = u.scheme, let host = u.host {
            img += " \(scheme)://\(host.hasPrefix("a.") ? "*." + host.dropFirst(2) : host)"
        }
        // WebSockets to this origin only ('self' covers ws/wss of the same host in CSP 3; the public URL's host is named
        // for browsers that still need it), never to any host.
        var connect = "'self'"
        if let p = publicURL, let u = URLComponents(string: p), let host = u.host {
            let port = u.port.map { ":\($0)" } ?? ""
            connect += " \(u.scheme == "https" ? "wss" : "ws")://\(host)\(port)"
        }
        csp = "default-src 'self'; img-src \(img); style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src \(connect); frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let r = try await next.respond(to: req)
        r.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        r.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        r.headers.replaceOrAdd(name: "X-Frame-Options", value: "SAMEORIGIN")
        r.headers.replaceOrAdd(name: "Content-Security-Policy", value: csp)
        if hsts { r.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000") }
        return r
    }
}
