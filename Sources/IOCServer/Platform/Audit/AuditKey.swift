import Crypto
import Fluent
import Foundation
import IOCCore
import SQLKit

/// The audit chain's key: from `IOC_AUDIT_KEY`, a key file, or `<data>/audit.key` made on first start. It never goes
/// into the database, so whoever can only write the database cannot recompute a chain that verifies.
enum AuditKeys {
    static func load(_ config: IOCConfiguration) throws -> SymmetricKey {
        if let text = config.auditKey { return try parse(text, what: "IOC_AUDIT_KEY") }
        let path = config.auditKeyFile ?? (config.dataDirectory as NSString).appendingPathComponent("audit.key")
        let fm = FileManager.default
        if let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
            return try parse(text, what: path)
        }
        guard config.auditKeyFile == nil else { throw IOCStartupError("IOC_AUDIT_KEY_FILE \(path) cannot be read") }
        // First start on this data directory: make a key, readable by this user only.
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let hex = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        guard fm.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw IOCStartupError("cannot write the audit key file \(path)")
        }
        return try parse(hex, what: path)
    }

    static func parse(_ raw: String, what: String) throws -> SymmetricKey {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count >= 64, text.count % 2 == 0, text.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var i = text.startIndex
            while i < text.endIndex {
                let j = text.index(i, offsetBy: 2)
                bytes.append(UInt8(text[i..<j], radix: 16)!)
                i = j
            }
            return SymmetricKey(data: bytes)
        }
        if let data = Data(base64Encoded: text), data.count >= 32 { return SymmetricKey(data: data) }
        throw IOCStartupError("\(what): the audit key must be 64+ hex characters or base64 of 32+ bytes")
    }
}

/// Beside the chain: the fingerprint of the key it is written with (an instance started with another key refuses to
/// start instead of writing entries that would look tampered with).
struct CreateAuditMeta: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_meta")
            .field("id", .int, .identifier(auto: false))
            .field("key_fingerprint", .string, .required)
            .field("sealed_at", .datetime, .required)
            .field("note", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_meta").delete()
    }
}

/// Re-hashes an existing chain (plain SHA-256, written before the chain had a key) with the key, once, after checking
/// it: from then on every entry is keyed. A chain found broken is still sealed (the log must go on), and the finding is
/// kept in `audit_meta.note` and the server's log.
struct SealAuditChain: AsyncMigration {
    let key: SymmetricKey
    let sealedAt: Date

    func prepare(on database: any Database) async throws {
        let rows = try await AuditEntryModel.query(on: database).sort(\.$sequence).all()
        let stored = rows.map {
            AuditChain.StoredEntry(content: AuditLog.content($0), previousHash: $0.previousHash, hash: $0.hash)
        }
        var note = "sealed \(rows.count) entries"
        if let problem = AuditChain.verify(stored) {
            note = "the chain was already broken before it was sealed: \(problem)"
            database.logger.error("audit: \(note)")
        }
        var previous = AuditChain.genesis
        for row in rows {
            row.previousHash = previous
            row.hash = AuditChain.hash(previous: previous, content: AuditLog.content(row), key: key)
            previous = row.hash
            try await row.update(on: database)
        }
        try await (database as! any SQLDatabase).insert(into: "audit_meta")
            .columns("id", "key_fingerprint", "sealed_at", "note")
            .values(SQLBind(1), SQLBind(AuditChain.fingerprint(key)), SQLBind(sealedAt), SQLBind(note)).run()
    }

    func revert(on database: any Database) async throws {}
}
