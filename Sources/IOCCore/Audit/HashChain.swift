import Crypto
import Foundation

/// The tamper-evident chain of the audit log.
///
/// Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical content, so modifying or
/// deleting any entry breaks every hash after it; `verify` finds the first break.
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

    public static func hash(previous: String, content: Content) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previous.utf8))
        hasher.update(data: Data([0x1E]))
        hasher.update(data: Data(content.canonical.utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
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

        public var description: String {
            switch self {
            case .modified(let s): "entry \(s) was modified (its hash does not match its content)"
            case .broken(let s): "entry \(s) does not link to the previous entry (an entry was removed or inserted)"
            case .gap(let a, let n): "entries between \(a) and \(n) are missing"
            }
        }
    }

    /// Checks entries given in sequence order; returns the first problem, or `nil` when the chain is intact.
    public static func verify<S: Sequence>(_ entries: S) -> Problem? where S.Element == StoredEntry {
        var previousHash = genesis
        var previousSequence: Int64?
        for entry in entries {
            if let p = previousSequence, entry.content.sequence != p + 1 {
                return .gap(after: p, next: entry.content.sequence)
            }
            if entry.previousHash != previousHash { return .broken(sequence: entry.content.sequence) }
            if hash(previous: entry.previousHash, content: entry.content) != entry.hash {
                return .modified(sequence: entry.content.sequence)
            }
            previousHash = entry.hash
            previousSequence = entry.content.sequence
        }
        return nil
    }
}
