import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What a state-changing action records: who, what, on which target, from where.
public struct AuditRecord: Sendable {
    public var actor: String
    public var action: String
    public var targetType: String
    public var targetID: String
    public var origin: String
    public var details: String
    /// Feed journal entries (facts for the wall) committed with the change; appended after the audit entry, under
    /// the same lock, so their ids follow commit order on every instance.
    var feed: [EventModel] = []

    public init(actor: String, action: String, targetType: String, targetID: String, origin: String, details: String = "") {
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.origin = origin
        self.details = details
    }
}

/// Appends to the hash-chained audit log. Appends are serialised: in-process by a lock, across PostgreSQL
/// instances by a transaction-scoped advisory lock; `seq` is unique, so a fork can never be committed.
public final class AuditLog: Sendable {
    private let lock = AsyncLock()
    private let clock: @Sendable () -> Date
    /// The chain's HMAC key (outside the database; see `AuditKeys`).
    let key: SymmetricKey
    /// Where the chain's head is exported; nil: not exported.
    let anchorFile: String?
    private let lastAnchored = NIOLockedValueBox<Int64?>(nil)
    /// Called after a commit with the feed entries it appended (the wall publishes them live).
    let onFeed = NIOLockedValueBox<(@Sendable ([EventModel]) -> Void)?>(nil)

    init(key: SymmetricKey, anchorFile: String?, clock: @escaping @Sendable () -> Date = Date.init) {
        self.key = key
        self.anchorFile = anchorFile
        self.clock = clock
    }

    /// Like `transaction`, for work that may have nothing to record (then nothing is appended).
    public func transactionIfAny<T: Sendable>(
        on db: any Database, _ work: @escaping @Sendable (any Database) async throws -> (T, AuditRecord?)
    ) async throws -> T {
        let (value, feed): (T, [EventModel]) = try await lock.withLock {
            try await db.transaction { tx in
                let (value, record) = try await work(tx)
                guard let record else { return (value, []) }
                try await self.append(record, on: tx)
                return (value, record.feed)
            }
        }
        announce(feed)
        return value
    }

    /// Runs `work` in a transaction and appends the audit record it returns in the same transaction, so the change
    /// and its audit entry commit together or not at all.
    public func transaction<T: Sendable>(
        on db: any Database, _ work: @escaping @Sendable (any Database) async throws -> (T, AuditRecord)
    ) async throws -> T {
        let (value, feed): (T, [EventModel]) = try await lock.withLock {
            try await db.transaction { tx in
                let (value, record) = try await work(tx)
                try await self.append(record, on: tx)
                return (value, record.feed)
            }
        }
        announce(feed)
        return value
    }

    private func announce(_ feed: [EventModel]) {
        guard !feed.isEmpty, let hook = onFeed.withLockedValue({ $0 }) else { return }
        hook(feed)
    }

    /// Appends one record on its own (for actions whose change is not in the database, like a sign-in).
    public func record(_ record: AuditRecord, on db: any Database) async throws {
        try await lock.withLock {
            try await db.transaction { tx in try await self.append(record, on: tx) }
        }
        announce(record.feed)
    }

    /// Must run inside a transaction that holds `lock`.
    private func append(_ record: AuditRecord, on tx: any Database) async throws {
        if let sql = tx as? any SQLDatabase, let lock = sql.iocDialect.transactionLock(0x10C_A0D1) {
            try await sql.raw(lock).run()
        }
        let last = try await AuditEntryModel.query(on: tx).sort(\.$sequence, .descending).first()
        let sequence = (last?.sequence ?? 0) + 1
        let previous = last?.hash ?? AuditChain.genesis
        // Whole milliseconds, so the stored time hashes the same after a round trip through either database.
        let at = Date(timeIntervalSince1970: (clock().timeIntervalSince1970 * 1000).rounded() / 1000)
        let content = AuditChain.Content(
            sequence: sequence, at: at, actor: record.actor, action: record.action, targetType: record.targetType,
            targetID: record.targetID, origin: record.origin, details: record.details)
        let entry = AuditEntryModel()
        entry.sequence = sequence
        entry.at = at
        entry.actor = record.actor
        entry.action = record.action
        entry.targetType = record.targetType
        entry.targetID = record.targetID
        entry.origin = record.origin
        entry.details = record.details
        entry.previousHash = previous
        entry.hash = AuditChain.hash(previous: previous, content: content, key: key)
        try await entry.create(on: tx)
        try await Self.insertFeed(record.feed, on: tx)
    }

    /// The feed entries in one multi-row INSERT (a source's batch of a thousand events is one statement, not a
    /// thousand); the ids come back with RETURNING and are given to the models in order (the audit lock is held, so
    /// the statement's ids are consecutive and ascending).
    static func insertFeed(_ feed: [EventModel], on tx: any Database) async throws {
        guard !feed.isEmpty else { return }
        let sql = tx as! any SQLDatabase
        let columns = ["at", "occurred_at", "origin", "source_id", "external_id", "kind", "feed_type", "level", "tone", "title", "title_en",
                       "unit_code", "lat", "lon", "ref", "link", "agency_code"]
        // SQLite allows 32,766 bound parameters per statement; 17 columns × 1,000 rows stays well below.
        for start in stride(from: 0, to: feed.count, by: 1_000) {
            let chunk = feed[start..<min(start + 1_000, feed.count)]
            var insert = sql.insert(into: EventModel.schema).columns(columns)
            for e in chunk {
                insert = insert.values([
                    SQLBind(e.at), SQLBind(e.occurredAt), SQLBind(e.origin), SQLBind(e.sourceID), SQLBind(e.externalID), SQLBind(e.kind),
                    SQLBind(e.feedType), SQLBind(e.level), SQLBind(e.tone), SQLBind(e.title), SQLBind(e.titleEn), SQLBind(e.unitCode),
                    SQLBind(e.lat), SQLBind(e.lon), SQLBind(e.ref), SQLBind(e.link), SQLBind(e.agencyCode),
                ])
            }
            struct Row: Decodable { var id: Int }
            let ids = try await insert.returning("id").all(decoding: Row.self).map(\.id).sorted()
            guard ids.count == chunk.count else { throw IOCError(.internalServerError, code: "feed_insert", vi: "Lỗi ghi sự kiện.", en: "Feed insert failed.") }
            for (e, id) in zip(chunk, ids) {
                e.id = id
                e.$id.exists = true
            }
        }
    }

    static func content(_ e: AuditEntryModel) -> AuditChain.Content {
        .init(sequence: e.sequence, at: e.at, actor: e.actor, action: e.action, targetType: e.targetType, targetID: e.targetID,
              origin: e.origin, details: e.details)
    }

    /// Reads the whole chain in order and checks it with the key, then checks every exported head is still in it.
    public func verify(on db: any Database) async throws -> (count: Int, problem: AuditChain.Problem?) {
        var entries: [AuditChain.StoredEntry] = []
        var offset = 0
        let page = 5_000
        while true {
            let rows = try await AuditEntryModel.query(on: db).sort(\.$sequence).range(offset..<(offset + page)).all()
            entries.append(contentsOf: rows.map { AuditChain.StoredEntry(content: Self.content($0), previousHash: $0.previousHash, hash: $0.hash) })
            if rows.count < page { break }
            offset += page
        }
        // A deleted first entry shows as a chain that does not start at 1 from genesis.
        if let first = entries.first, first.content.sequence != 1 {
            return (entries.count, .gap(after: 0, next: first.content.sequence))
        }
        if let problem = AuditChain.verify(entries, key: key) { return (entries.count, problem) }
        let (anchors, forged) = readAnchors()
        if let forged { return (entries.count, forged) }
        return (entries.count, AuditChain.verify(anchors: anchors, against: entries))
    }

    /// The exported heads, oldest first; a line without a valid MAC is a problem, not skipped.
    func readAnchors() -> ([AuditChain.Anchor], AuditChain.Problem?) {
        guard let anchorFile, let data = FileManager.default.contents(atPath: anchorFile), let text = String(data: data, encoding: .utf8) else {
            return ([], nil)
        }
        var anchors: [AuditChain.Anchor] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let a = try? JSONDecoder.ioc.decode(AuditChain.Anchor.self, from: Data(line.utf8)), a.isAuthentic(key: key) else {
                return (anchors, .forgedAnchor(line: i + 1))
            }
            anchors.append(a)
        }
        return (anchors, nil)
    }

    /// Exports the chain's head (a line in the anchor file, and the log) when it moved since the last export. Someone
    /// who deletes the newest entries afterwards is caught by `verify`; only what came after the last export is exposed.
    @discardableResult
    func anchor(on db: any Database, logger: Logger, at now: Date) async throws -> AuditChain.Anchor? {
        guard let anchorFile else { return nil }
        guard let head = try await AuditEntryModel.query(on: db).sort(\.$sequence, .descending).first() else { return nil }
        if lastAnchored.withLockedValue({ $0 }) == nil {
            let known = readAnchors().0
            lastAnchored.withLockedValue { $0 = known.last?.sequence }
        }
        guard head.sequence != lastAnchored.withLockedValue({ $0 }) else { return nil }
        let anchor = AuditChain.Anchor(sequence: head.sequence, hash: head.hash, at: now, key: key)
        var line = try JSONEncoder.ioc.encode(anchor)
        line.append(0x0A)
        let fm = FileManager.default
        try fm.createDirectory(atPath: (anchorFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !fm.fileExists(atPath: anchorFile) {
            guard fm.createFile(atPath: anchorFile, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw IOCStartupError("cannot write the audit anchor file \(anchorFile)")
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: anchorFile))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
        lastAnchored.withLockedValue { $0 = head.sequence }
        logger.notice("audit head seq=\(head.sequence) hash=\(head.hash)")
        return anchor
    }

    /// Exports the head every `IOC_AUDIT_ANCHOR_SECONDS` on every instance (each keeps its own file), also when
    /// background work is off.
    static func anchorTask(every seconds: Int) -> BackgroundTask {
        BackgroundTask("platform.audit-anchor", mode: .perInstance, every: .seconds(seconds), housekeeping: true) { app in
            try await app.audit.anchor(on: app.db, logger: app.logger, at: app.securityClock.now)
        }
    }
}

/// A FIFO async mutex.
public actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

extension Application {
    private struct AuditKey: StorageKey { typealias Value = AuditLog }

    public var audit: AuditLog {
        get {
            guard let a = storage[AuditKey.self] else { fatalError("configure(_:) has not run") }
            return a
        }
        set { storage[AuditKey.self] = newValue }
    }
}

extension Request {
    /// An audit record for an action by this request's caller.
    func auditRecord(_ action: String, targetType: String, targetID: String, details: String = "") -> AuditRecord {
        AuditRecord(
            actor: principal?.auditName ?? "anonymous", action: action, targetType: targetType, targetID: targetID,
            origin: clientAddress, details: details)
    }

    /// The caller's address: the socket peer, or the first X-Forwarded-For hop behind a trusted proxy.
    /// The client's address: the peer, or — when the peer is a trusted proxy — the right-most X-Forwarded-For hop
    /// that is not a trusted proxy (never the left-most entry, which the client writes itself).
    var clientAddress: String {
        let trusted = application.iocConfiguration.effectiveTrustedProxies
        let peer = remoteAddress?.ipAddress
        guard !trusted.isEmpty else { return peer ?? "unknown" }
        let hops = headers[.xForwardedFor].flatMap { $0.split(separator: ",").map(String.init) }
        return AddressRange.client(peer: peer, forwardedFor: hops, trusted: trusted) ?? "unknown"
    }
}
