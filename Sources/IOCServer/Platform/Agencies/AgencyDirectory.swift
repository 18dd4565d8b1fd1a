import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// The province's agencies as a read-mostly snapshot (re-read every few seconds, and at once after an edit on this
/// instance), so list endpoints of every service name agencies without joining or querying them per row.
final class AgencyDirectory: Sendable {
    struct Agency: Sendable {
        var id: UUID
        var code: String
        var name: String
        var nameEn: String
        var kind: String
        var parentID: UUID?
        var units: [String]
        var active: Bool

        var ref: NamedRef { NamedRef(code: code, name: name, nameEn: nameEn) }
    }

    struct Snapshot: Sendable {
        var agencies: [UUID: Agency] = [:]
        var agencyByCode: [String: Agency] = [:]
        var loadedAt: Date = .distantPast

        /// The agency as a reference for a DTO.
        func ref(_ id: UUID?) -> NamedRef? { id.flatMap { agencies[$0]?.ref } }
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
        s.loadedAt = Date()
        cache.withLockedValue { $0 = s }
        return s
    }

    func invalidate() { cache.withLockedValue { $0.loadedAt = .distantPast } }
}

extension Application {
    private struct AgencyDirectoryKey: StorageKey { typealias Value = AgencyDirectory }

    /// Set up by `configure` before any request.
    var agencyDirectory: AgencyDirectory {
        if let d = storage[AgencyDirectoryKey.self] { return d }
        let d = AgencyDirectory()
        storage[AgencyDirectoryKey.self] = d
        return d
    }
}
