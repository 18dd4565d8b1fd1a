import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// Agencies and field-report categories as read-mostly snapshots (re-read every few seconds, and at once after an
/// edit on this instance), so list endpoints do not join or query them per row.
final class CaseDirectory: Sendable {
    struct Agency: Sendable {
        var id: UUID
        var code: String
        var name: String
        var nameEn: String
        var kind: String
        var parentID: UUID?
        var units: [String]
        var active: Bool
    }

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
        for a in try await AgencyModel.query(on: db).with(\.$jurisdiction).all() {
            let agency = Agency(id: a.id!, code: a.code, name: a.name, nameEn: a.nameEn, kind: a.kind, parentID: a.$parent.id,
                                units: a.jurisdiction.map(\.unitCode), active: a.active)
            s.agencies[agency.id] = agency
            s.agencyByCode[agency.code] = agency
        }
        let categories = try await CategoryModel.query(on: db).sort(\.$position).all().map(CategoryModel.Snapshot.init)
        s.orderedCategories = categories
        s.categories = Dictionary(uniqueKeysWithValues: categories.map { ($0.code, $0) })
        s.loadedAt = Date()
        cache.withLockedValue { $0 = s }
        return s
    }

    func invalidate() { cache.withLockedValue { $0.loadedAt = .distantPast } }
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
    private struct ClockKey: StorageKey { typealias Value = CaseClock }

    var caseDirectory: CaseDirectory {
        if let d = storage[CaseDirectoryKey.self] { return d }
        let d = CaseDirectory()
        storage[CaseDirectoryKey.self] = d
        return d
    }

    /// The time cases are judged at. Tests replace it to walk across weekends and holidays.
    var caseClock: CaseClock {
        get { storage[ClockKey.self] ?? CaseClock() }
        set { storage[ClockKey.self] = newValue }
    }
}

/// An injectable clock (default: the system's).
final class CaseClock: Sendable {
    private let fixed = NIOLockedValueBox<Date?>(nil)
    init(_ fixed: Date? = nil) { self.fixed.withLockedValue { $0 = fixed } }
    var now: Date { fixed.withLockedValue { $0 } ?? Date() }
    func set(_ date: Date?) { fixed.withLockedValue { $0 = date } }
}
