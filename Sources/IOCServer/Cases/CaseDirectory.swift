import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// What case handling looks up per row: the platform's agencies and the case categories (with their SLA policies), as
/// read-mostly snapshots (re-read every few seconds, and at once after an edit on this instance).
final class CaseDirectory: Sendable {
    typealias Agency = AgencyDirectory.Agency
    let agencyDirectory: AgencyDirectory

    init(agencies: AgencyDirectory) { agencyDirectory = agencies }

    struct Snapshot: Sendable {
        var agencies: [UUID: Agency] = [:]
        var agencyByCode: [String: Agency] = [:]
        var categories: [String: CategoryModel.Snapshot] = [:]
        var orderedCategories: [CategoryModel.Snapshot] = []
        var loadedAt: Date = .distantPast
    }

    private let cache = NIOLockedValueBox(Snapshot())
    static let ttl: TimeInterval = 5

    func snapshot(on db: any Database) async throws -> Snapshot {
        let current = cache.withLockedValue { $0 }
        if Date().timeIntervalSince(current.loadedAt) < Self.ttl { return current }
        var s = Snapshot()
        let agencies = try await agencyDirectory.snapshot(on: db)
        s.agencies = agencies.agencies
        s.agencyByCode = agencies.agencyByCode
        let categories = try await CategoryModel.query(on: db).sort(\.$position).all().map(CategoryModel.Snapshot.init)
        s.orderedCategories = categories
        s.categories = Dictionary(uniqueKeysWithValues: categories.map { ($0.code, $0) })
        // Expires with the agencies it copied, so agencies are never older here than in the platform's directory.
        s.loadedAt = agencies.loadedAt
        cache.withLockedValue { $0 = s }
        return s
    }

    func invalidate() {
        agencyDirectory.invalidate()
        cache.withLockedValue { $0.loadedAt = .distantPast }
    }
}

extension CategoryModel {
    /// An immutable copy for caches.
    struct Snapshot: Sendable {
        var code: String
        var name: LocalizedMessage
        var group: String
        var description: LocalizedMessage
        var slaClass: String
        var policy: SLAPolicy
        var duplicateRadius: Int
        var duplicateDays: Int
        var keywords: String
        var active: Bool

        init(_ m: CategoryModel) {
            code = m.id ?? ""
            name = m.name
            group = m.group
            description = LocalizedMessage(vi: m.descriptionVi, en: m.descriptionEn)
            slaClass = m.slaClass
            policy = m.policy
            duplicateRadius = m.duplicateRadius
            duplicateDays = m.duplicateDays
            keywords = m.keywords
            active = m.active
        }
    }
}

extension Application {
    private struct CaseDirectoryKey: StorageKey { typealias Value = CaseDirectory }

    var caseDirectory: CaseDirectory {
        if let d = storage[CaseDirectoryKey.self] { return d }
        let d = CaseDirectory(agencies: agencyDirectory)
        storage[CaseDirectoryKey.self] = d
        return d
    }
}
