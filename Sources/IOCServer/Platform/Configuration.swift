import Foundation
import IOCCore
import NIOCore
import Vapor

/// The server's configuration, read once at start from the environment (and defaults). Nothing else reads the
/// environment.
public struct IOCConfiguration: Sendable {
    public enum Storage: Sendable, Equatable {
        /// SQLite file at the given path.
        case sqliteFile(String)
        /// Throwaway SQLite database (tests).
        case sqliteMemory
        /// PostgreSQL at the given URL.
        case postgres(String)
    }

    public var storage: Storage
    /// `IOC_DATA_DIR`: where the SQLite file and other local data live.
    public var dataDirectory: String
    /// `IOC_PUBLIC_DIR`: the web UI's static files.
    public var publicDirectory: String
    /// `IOC_RESOURCES_DIR`: shipped reference data (units, boundaries).
    public var resourcesDirectory: String
    /// `IOC_VENDOR_DIR`: where Debian's libjs-* packages put Leaflet and Chart.js.
    public var vendorDirectory: String
    /// `IOC_PROVINCE`: the province this instance serves (GSO code).
    public var provinceCode: String
    /// `IOC_INSTANCE_NAME`: shown on the UI.
    public var instanceName: String
    /// `IOC_TILE_URL` / `IOC_TILE_ATTRIBUTION`: optional map tile server (none: offline boundaries only).
    public var tileURL: String?
    public var tileAttribution: String?
    /// `IOC_DEMO`: label data as demo data in the UI.
    public var demo: Bool
    /// `IOC_COOKIE_SECURE`: mark the session cookie Secure (behind HTTPS).
    public var secureCookies: Bool
    /// `IOC_TRUST_PROXY`: behind a proxy on this machine (nginx): loopback is a trusted proxy.
    public var trustProxy: Bool
    /// `IOC_TRUSTED_PROXIES`: the proxies' addresses or networks (comma-separated CIDRs). The client is the right-most
    /// X-Forwarded-For hop that is not one of them.
    public var trustedProxies: [AddressRange] = []

    /// The trusted proxies in force: the configured list, plus loopback when `trustProxy` is set.
    public var effectiveTrustedProxies: [AddressRange] {
        trustedProxies + (trustProxy ? [AddressRange("127.0.0.0/8")!, AddressRange("::1")!] : [])
    }
    /// `IOC_BACKGROUND`: run background work (sweepers, simulators) in this process.
    public var backgroundWork: Bool
    /// Whether this process runs the background runner at all (housekeeping included): the server and the benchmarks
    /// do; one-shot commands (`demo`, `audit verify`, `user`, imports, backups) do not — their housekeeping would wait
    /// for connections a long load holds, and it is the server's job.
    public var startsBackgroundRunner = true
    /// `IOC_DB_POOL`: PostgreSQL connections per event loop.
    public var databasePoolSize: Int
    /// Per-client bound of the live hub's outgoing buffer (messages).
    public var liveClientBuffer: Int
    /// Interval of live heartbeats.
    public var liveHeartbeat: TimeAmount
    /// `IOC_PG_SCHEMA`: PostgreSQL schema to keep this instance's tables in (several tenants or test runs in one
    /// database); default: the server's search path (`public`).
    public var postgresSchema: String?
    /// bcrypt cost for new password hashes.
    public var bcryptCost: Int
    /// `IOC_AUTO_MIGRATE`: run migrations at start (default on for SQLite; run `ioc migrate` once for PostgreSQL).
    public var autoMigrate: Bool
    /// `IOC_INTAKE_LIMIT`: field reports one anonymous client may file per 10 minutes (0 = no limit).
    public var intakeLimit: Int = 10
    /// `IOC_OPEN311_REQUIRE_KEY`: POST /open311/v2/requests needs a source API key (default: anonymous allowed).
    public var open311RequiresKey: Bool = false
    /// `IOC_CASE_AUTOCLOSE_DAYS`: a resolved case the citizen has not rated closes after this many days.
    public var caseAutoCloseDays: Int = 7
    /// `IOC_SWEEP_SECONDS`: how often the escalation sweeper runs.
    public var sweepSeconds: Int = 60
    /// `IOC_PUBLIC_URL`: the address citizens and Open311 clients use (for links and discovery); default: from the request.
    public var publicURL: String?
    /// `IOC_METRICS_TOKEN`: `/metrics` answers a scraper presenting it as a bearer token; without one, only a direct
    /// request from this machine (loopback, no proxy headers).
    public var metricsToken: String?
    /// `IOC_AUDIT_KEY` (64 hex characters or base64 of 32+ bytes): the key of the audit chain's HMAC, kept outside
    /// the database. Without it, `IOC_AUDIT_KEY_FILE`, else `<data>/audit.key` (made on first start, mode 0600).
    /// Every instance of one database needs the same key.
    public var auditKey: String?
    public var auditKeyFile: String?
    /// `IOC_AUDIT_ANCHOR_FILE`: where the chain's head is exported (default `<data>/audit-anchors[-<schema>].jsonl`).
    public var auditAnchorFile: String?
    /// `IOC_AUDIT_ANCHOR_SECONDS`: how often the head is exported (and logged) when it moved (default 60; 5…3600).
    public var auditAnchorSeconds: Int = 60
    /// `IOC_SESSION_IDLE_MINUTES`: a signed-in session without activity for this long ends (default 120; 5…1440).
    public var sessionIdle: TimeInterval = 120 * 60
    /// `IOC_SESSION_MAX_HOURS`: a session ends this long after sign-in, however active (default 12; 1…168).
    public var sessionMaxAge: TimeInterval = 12 * 3600
    /// The session cookie is `Secure` when `IOC_COOKIE_SECURE` is on or the public URL is https.
    public var cookiesAreSecure: Bool { secureCookies || publicURLIsHTTPS }
    /// The public URL is https: cookies are Secure and browsers are told to stay on HTTPS (HSTS).
    public var publicURLIsHTTPS: Bool { Self.isHTTPS(publicURL) }

    static func isHTTPS(_ url: String?) -> Bool { url.flatMap { URLComponents(string: $0)?.scheme?.lowercased() } == "https" }
    /// `IOC_LIVE_BRIDGE`: with PostgreSQL, carry live events between instances through LISTEN/NOTIFY (default on).
    public var liveBridge: Bool = true
    /// Names this instance in the background runner's health view (`IOC_INSTANCE_ID`; default host:pid).
    public var instanceID: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    /// How often a follower instance tries to take the leadership of singleton tasks (`IOC_LEADER_RETRY_SECONDS`, 1–5).
    public var leaderRetry: Duration = .seconds(2)
    /// `IOC_SIMULATOR`: keep the demo alive (new reports, cases moving) while `ioc serve` runs; `make run` turns it on.
    public var simulator: Bool = false
    /// `IOC_SIMULATOR_SECONDS`: mean interval between simulator steps.
    public var simulatorSeconds: Double = 40
    /// `IOC_OPEN311_CACHE_SECONDS`: how long a `GET /open311/v2/requests` answer may be reused (changes on this
    /// instance empty the cache at once; 0 turns it off).
    public var open311CacheSeconds: Double = 10
    /// `IOC_OPEN311_JURISDICTION`: the Open311 jurisdiction_id this server answers to (others get 404).
    public var open311Jurisdiction: String = "daklak.gov.vn"
    /// `IOC_CAP_FEEDS`: Atom feeds of CAP alerts to poll (comma-separated http(s) URLs: national forecasting centres,
    /// neighbouring provinces). Each alert is fetched only from its feed's own scheme, host and port, never through a redirect.
    public var capFeeds: [String] = []
    /// `IOC_CAP_POLL_SECONDS`: how often the feeds are read (default 300).
    public var capPollSeconds: Int = 300
    /// `IOC_AQI_BULLETIN_HOUR`: the local hour of the daily spoken AQI bulletin (default 7; -1: none).
    public var aqiBulletinHour: Int = 7

    public init(
        storage: Storage, dataDirectory: String, publicDirectory: String, resourcesDirectory: String,
        vendorDirectory: String, provinceCode: String = "66",
        instanceName: String = "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Đắk Lắk",
        tileURL: String? = nil, tileAttribution: String? = nil, demo: Bool = false, secureCookies: Bool = false,
        trustProxy: Bool = false, backgroundWork: Bool = true, databasePoolSize: Int = 8,
        liveClientBuffer: Int = 1_000, liveHeartbeat: TimeAmount = .seconds(20), bcryptCost: Int = 12,
        autoMigrate: Bool = true, postgresSchema: String? = nil
    ) {
        self.postgresSchema = postgresSchema
        self.bcryptCost = bcryptCost
        self.autoMigrate = autoMigrate
        self.storage = storage
        self.dataDirectory = dataDirectory
        self.publicDirectory = publicDirectory
        self.resourcesDirectory = resourcesDirectory
        self.vendorDirectory = vendorDirectory
        self.provinceCode = provinceCode
        self.instanceName = instanceName
        self.tileURL = tileURL
        self.tileAttribution = tileAttribution
        self.demo = demo
        self.secureCookies = secureCookies
        self.trustProxy = trustProxy
        self.backgroundWork = backgroundWork
        self.databasePoolSize = databasePoolSize
        self.liveClientBuffer = liveClientBuffer
        self.liveHeartbeat = liveHeartbeat
    }

    /// Reads the configuration from environment variables, with defaults that work from a clone of the repository.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> IOCConfiguration {
        func value(_ key: String) -> String? {
            guard let v = env[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func flag(_ key: String, default d: Bool) -> Bool {
            guard let v = value(key)?.lowercased() else { return d }
            return ["1", "true", "yes", "on"].contains(v)
        }
        let dataDir = value("IOC_DATA_DIR") ?? "./data"
        let storage: Storage
        if let url = value("DATABASE_URL") {
            storage = .postgres(url)
        } else {
            storage = .sqliteFile((dataDir as NSString).appendingPathComponent("ioc.sqlite"))
        }
        var configuration = IOCConfiguration(
            storage: storage,
            dataDirectory: dataDir,
            publicDirectory: value("IOC_PUBLIC_DIR") ?? locateBundledDirectory("Public"),
            resourcesDirectory: value("IOC_RESOURCES_DIR") ?? locateBundledDirectory("Resources"),
            vendorDirectory: value("IOC_VENDOR_DIR") ?? "/usr/share/javascript",
            provinceCode: value("IOC_PROVINCE") ?? "66",
            instanceName: value("IOC_INSTANCE_NAME") ?? "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Đắk Lắk",
            tileURL: value("IOC_TILE_URL"),
            tileAttribution: value("IOC_TILE_ATTRIBUTION"),
            demo: flag("IOC_DEMO", default: true),
            secureCookies: flag("IOC_COOKIE_SECURE", default: false),
            trustProxy: flag("IOC_TRUST_PROXY", default: false),
            backgroundWork: flag("IOC_BACKGROUND", default: true),
            databasePoolSize: value("IOC_DB_POOL").flatMap(Int.init).map { max(1, min($0, 64)) } ?? 8,
            autoMigrate: flag("IOC_AUTO_MIGRATE", default: value("DATABASE_URL") == nil),
            postgresSchema: value("IOC_PG_SCHEMA")
        )
        configuration.intakeLimit = value("IOC_INTAKE_LIMIT").flatMap(Int.init).map { max(0, $0) } ?? 10
        configuration.open311RequiresKey = flag("IOC_OPEN311_REQUIRE_KEY", default: false)
        configuration.caseAutoCloseDays = value("IOC_CASE_AUTOCLOSE_DAYS").flatMap(Int.init).map { max(1, min($0, 365)) } ?? 7
        configuration.sweepSeconds = value("IOC_SWEEP_SECONDS").flatMap(Int.init).map { max(1, min($0, 3600)) } ?? 60
        configuration.publicURL = value("IOC_PUBLIC_URL")
        configuration.auditKey = value("IOC_AUDIT_KEY").flatMap { $0.isEmpty ? nil : $0 }
        configuration.auditKeyFile = value("IOC_AUDIT_KEY_FILE").flatMap { $0.isEmpty ? nil : $0 }
        configuration.auditAnchorFile = value("IOC_AUDIT_ANCHOR_FILE").flatMap { $0.isEmpty ? nil : $0 }
        configuration.auditAnchorSeconds = value("IOC_AUDIT_ANCHOR_SECONDS").flatMap(Int.init).map { max(5, min($0, 3600)) } ?? 60
        configuration.sessionIdle = TimeInterval(value("IOC_SESSION_IDLE_MINUTES").flatMap(Int.init).map { max(5, min($0, 1440)) } ?? 120) * 60
        configuration.sessionMaxAge = TimeInterval(value("IOC_SESSION_MAX_HOURS").flatMap(Int.init).map { max(1, min($0, 168)) } ?? 12) * 3600
        configuration.metricsToken = value("IOC_METRICS_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
        configuration.trustedProxies = (value("IOC_TRUSTED_PROXIES") ?? "").split(separator: ",").compactMap { AddressRange(String($0)) }
        configuration.open311Jurisdiction = value("IOC_OPEN311_JURISDICTION") ?? "daklak.gov.vn"
        configuration.capFeeds = (value("IOC_CAP_FEEDS") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
        configuration.capPollSeconds = value("IOC_CAP_POLL_SECONDS").flatMap(Int.init).map { max(30, min($0, 86_400)) } ?? 300
        configuration.aqiBulletinHour = value("IOC_AQI_BULLETIN_HOUR").flatMap(Int.init).map { max(-1, min($0, 23)) } ?? 7
        configuration.simulator = flag("IOC_SIMULATOR", default: false)
        configuration.liveBridge = flag("IOC_LIVE_BRIDGE", default: true)
        if let id = value("IOC_INSTANCE_ID"), !id.isEmpty { configuration.instanceID = String(id.prefix(80)) }
        configuration.leaderRetry = .seconds(value("IOC_LEADER_RETRY_SECONDS").flatMap(Int.init).map { max(1, min($0, 5)) } ?? 2)
        configuration.open311CacheSeconds = value("IOC_OPEN311_CACHE_SECONDS").flatMap(Double.init).map { max(0, min($0, 60)) } ?? 10
        configuration.simulatorSeconds = value("IOC_SIMULATOR_SECONDS").flatMap(Double.init).map { max(2, min($0, 3600)) } ?? 40
        return configuration
    }

    /// Finds a directory shipped with the repository (`Public`, `Resources`): first under the working directory,
    /// then above the executable (`.build/<config>/ioc` → repository root), then next to this source file.
    public static func locateBundledDirectory(_ name: String, sourceFile: String = #filePath) -> String {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath]
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(exe.path)
            exe.deleteLastPathComponent()
        }
        // Sources/IOCServer/Platform/Configuration.swift → repository root
        let repo = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(repo.path)
        for dir in candidates {
            let path = (dir as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return path }
        }
        return (fm.currentDirectoryPath as NSString).appendingPathComponent(name)
    }

    /// The storage, with any password in a PostgreSQL URL redacted, for logs.
    public var redactedStorageDescription: String {
        switch storage {
        case .sqliteFile(let path): return "SQLite \(path)"
        case .sqliteMemory: return "SQLite (temporary)"
        case .postgres(let url):
            guard var c = URLComponents(string: url) else { return "PostgreSQL" }
            if c.password != nil { c.password = "***" }
            return "PostgreSQL \(c.string ?? "")"
        }
    }

    public var isPostgres: Bool {
        if case .postgres = storage { return true }
        return false
    }
}

extension Application {
    private struct ConfigurationKey: StorageKey { typealias Value = IOCConfiguration }

    /// The configuration `configure` was called with.
    public var iocConfiguration: IOCConfiguration {
        get {
            guard let c = storage[ConfigurationKey.self] else { fatalError("configure(_:) has not run") }
            return c
        }
        set { storage[ConfigurationKey.self] = newValue }
    }
}
