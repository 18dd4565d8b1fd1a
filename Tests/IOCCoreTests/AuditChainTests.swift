import Foundation
import Testing
@testable import IOCCore

@Suite("Audit hash chain")
struct AuditChainTests {
    static func chain(_ n: Int) -> [AuditChain.StoredEntry] {
        var previous = AuditChain.genesis
        var entries: [AuditChain.StoredEntry] = []
        for i in 1...n {
            let content = AuditChain.Content(
                sequence: Int64(i), at: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)), actor: "user:admin",
                action: "agency.update", targetType: "agency", targetID: "A\(i)", origin: "127.0.0.1", details: "Sở Xây dựng")
            let hash = AuditChain.hash(previous: previous, content: content)
            entries.append(.init(content: content, previousHash: previous, hash: hash))
            previous = hash
        }
        return entries
    }

    @Test func intactChainVerifies() {
        #expect(AuditChain.verify(Self.chain(20)) == nil)
        #expect(AuditChain.verify([AuditChain.StoredEntry]()) == nil)
    }

    @Test func modifiedEntryIsFound() {
        var entries = Self.chain(10)
        entries[4].content.actor = "user:someone-else"
        #expect(AuditChain.verify(entries) == .modified(sequence: 5))
    }

    @Test func modifiedTimeIsFound() {
        var entries = Self.chain(10)
        entries[2].content.at = entries[2].content.at.addingTimeInterval(1)
        #expect(AuditChain.verify(entries) == .modified(sequence: 3))
    }

    @Test func deletedEntryIsFound() {
        var entries = Self.chain(10)
        entries.remove(at: 6)
        #expect(AuditChain.verify(entries) == .gap(after: 6, next: 8))
    }

    @Test func rewrittenTailWithRenumberingIsFound() {
        // Delete entry 7 and renumber the rest: the link from the new 7 to 6 no longer holds.
        var entries = Self.chain(10)
        entries.remove(at: 6)
        for i in 6..<entries.count { entries[i].content.sequence -= 1 }
        #expect(AuditChain.verify(entries) == .broken(sequence: 7))
    }

    @Test func hashDependsOnEveryField() {
        let base = Self.chain(1)[0].content
        let h = AuditChain.hash(previous: AuditChain.genesis, content: base)
        var variants: [AuditChain.Content] = []
        var c = base; c.action = "x"; variants.append(c)
        c = base; c.targetType = "x"; variants.append(c)
        c = base; c.targetID = "x"; variants.append(c)
        c = base; c.origin = "x"; variants.append(c)
        c = base; c.details = "x"; variants.append(c)
        c = base; c.sequence = 2; variants.append(c)
        for v in variants { #expect(AuditChain.hash(previous: AuditChain.genesis, content: v) != h) }
        #expect(AuditChain.hash(previous: String(repeating: "1", count: 64), content: base) != h)
    }
}
