import Crypto
import Foundation

/// The tamper-evident chain of the audit log.
///
/// Each entry's hash covers the previous entry's hash and the entry's canonical content, so modifying or deleting any
/// entry breaks every hash after it; `verify` finds the first break. With a key (the server's, kept outside the
/// database) the hash is HMAC-SHA256: someone who can write the database but does not hold the key cannot compute a
/// chain that verifies, so rewriting an entry and every hash after it no longer hides the change. Dropping the newest
/// entries leaves a valid prefix: the exported head (`Anchor`) is what catches that.
public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The fields of an audit entry that the hash covers.
    public struct Content: Sendable, Hashable {
        public var sequence: Int64
        public var at: Date
        public var actor: String
        public var action: String
        public var targetType: String
        public var targetID: String
        public var origin: String
        public var details: String

        public init(
            sequence: Int64, at: Date, actor: String, action: String, targetType: String, targetID: String,
            origin: String, details: String
        ) {
            self.sequence = sequence
            self.at = at
            self.actor = actor
            self.action = action
            self.targetType = targetType
            self.targetID = targetID
            self.origin = origin
            self.details = details
        }

        /// Canonical text: fields joined by the unit separator, time in whole milliseconds since 1970
        /// (both databases keep millisecond precision at least).
        var canonical: String {
            let ms = Int64((at.timeIntervalSince1970 * 1000).rounded())
            return [String(sequence), String(ms), actor, action, targetType, targetID, origin, details]
                .joined(separator: "\u{1F}")
        }
    }

    public static func hash(previous: String, content: Content, key: SymmetricKey? = nil) -> String {
        var message = Data(previous.utf8)
        message.append(0x1E)
        message.append(Data(content.canonical.utf8))
        if let key {
            return Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).map { String(format: "%02x", $0) }.joined()
        }
        return SHA256.hash(data: message).map { String(format: "%02x", $0) }.joined()
    }

    /// A head of the chain exported outside the database (a file, the log): `verify` checks the chain still holds it.
    public struct Anchor: Sendable, Equatable, Codable {
        public var sequence: Int64
        public var hash: String
        public var at: Date
        /// HMAC over the other fields, so an anchor line cannot be forged without the key either.
        public var mac: String

        public init(sequence: Int64, hash: String, at: Date, key: SymmetricKey) {
            // Whole seconds: the time survives any JSON date format unchanged, and so does the MAC over it.
            let at = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
            self.sequence = sequence
            self.hash = hash
            self.at = at
            self.mac = Self.mac(sequence: sequence, hash: hash, at: at, key: key)
        }

        static func mac(sequence: Int64, hash: String, at: Date, key: SymmetricKey) -> String {
            let text = "ioc-audit-anchor\u{1F}\(sequence)\u{1F}\(hash)\u{1F}\(Int64((at.timeIntervalSince1970 * 1000).rounded()))"
            return Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).map { String(format: "%02x", $0) }.joined()
        }

        public func isAuthentic(key: SymmetricKey) -> Bool {
            Self.mac(sequence: sequence, hash: hash, at: at, key: key) == mac
        }
    }

    /// A fingerprint of a key (HMAC of a fixed text): stored beside the chain, it tells an instance started with another
    /// key apart from tampering, and reveals nothing of the key.
    public static func fingerprint(_ key: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("ioc-audit-key-check".utf8), using: key)).map { String(format: "%02x", $0) }.joined()
    }

    public struct StoredEntry: Sendable {
        public var content: Content
        public var previousHash: String
        public var hash: String

        public init(content: Content, previousHash: String, hash: String) {
            self.content = content
            self.previousHash = previousHash
            self.hash = hash
        }
    }

    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// The entry's stored hash does not match its content: it was modified.
        case modified(sequence: Int64)
        /// The entry does not link to the one before it: an entry was deleted or inserted.
        case broken(sequence: Int64)
        /// Sequence numbers skip: entries were deleted.
        case gap(after: Int64, next: Int64)
        /// The chain ends before an exported head: its newest entries were deleted.
        case truncated(anchored: Int64, last: Int64)
        /// An exported head names an entry whose hash is no longer the one exported: the chain was rebuilt.
        case anchorMismatch(sequence: Int64)
        /// A line of the anchor file does not carry a valid MAC: the file was edited.
        case forgedAnchor(line: Int)

        public var description: String {
            switch self {
            case .modified(let s): "entry \(s) was modified (its hash does not match its content)"
            case .broken(let s): "entry \(s) does not link to the previous entry (an entry was removed or inserted)"
            case .gap(let a, let n): "entries between \(a) and \(n) are missing"
            case .truncated(let a, let l): "the log ends at entry \(l) but entry \(a) was exported as its head: the newest entries were deleted"
            case .anchorMismatch(let s): "entry \(s) differs from the head exported for it: the chain was rebuilt"
            case .forgedAnchor(let l): "line \(l) of the anchor file is not authentic"
            }
        }
    }

    /// Checks entries given in sequence order; returns the first problem, or `nil` when the chain is intact.
    public static func verify<S: Sequence>(_ entries: S, key: SymmetricKey? = nil) -> Problem? where S.Element == StoredEntry {
        var previousHash = genesis
        var previousSequence: Int64?
        for entry in entries {
            if let p = previousSequence, entry.content.sequence != p + 1 {
                return .gap(after: p, next: entry.content.sequence)
            }
            if entry.previousHash != previousHash { return .broken(sequence: entry.content.sequence) }
            if hash(previous: entry.previousHash, content: entry.content, key: key) != entry.hash {
                return .modified(sequence: entry.content.sequence)
            }
            previousHash = entry.hash
            previousSequence = entry.content.sequence
        }
        return nil
    }

    /// Checks that every exported head is still in the chain, with the same hash (entries in sequence order).
    public static func verify(anchors: [Anchor], against entries: [StoredEntry]) -> Problem? {
        let last = entries.last?.content.sequence ?? 0
        let first = entries.first?.content.sequence ?? 1
        for a in anchors {
            if a.sequence > last { return .truncated(anchored: a.sequence, last: last) }
            let index = Int(a.sequence - first)
            guard entries.indices.contains(index), entries[index].content.sequence == a.sequence else { return .truncated(anchored: a.sequence, last: last) }
            if entries[index].hash != a.hash { return .anchorMismatch(sequence: a.sequence) }
        }
        return nil
    }
}
