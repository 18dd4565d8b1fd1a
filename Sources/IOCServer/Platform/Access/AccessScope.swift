import Fluent
import Foundation
import IOCCore
import Vapor

/// What a caller may see, for every service and for live topics: the platform owns this rule.
extension Request {
    /// The agency codes a caller may see: officers their agency and those below it, unit-scoped users the agencies
    /// inside their unit; operators, leaders and analysts attached to an agency read the whole province. `nil` = all.
    func visibleAgencyCodes() async throws -> [String]? {
        // Asked several times per request (the list, the case, the caller's actions): computed once.
        if let known = storage[VisibleAgenciesKey.self] { return known.codes }
        let codes = try await computeVisibleAgencyCodes()
        storage[VisibleAgenciesKey.self] = VisibleAgencies(codes: codes)
        return codes
    }

    private struct VisibleAgencies: Sendable { var codes: [String]? }
    private struct VisibleAgenciesKey: StorageKey { typealias Value = VisibleAgencies }

    private func computeVisibleAgencyCodes() async throws -> [String]? {
        var user = try requireUser()
        if user.role != .officer { user.agencyID = nil }
        // An officer attached to no agency and no unit sees nothing: the rule fails closed.
        if user.scope == .all { return user.role == .officer ? [] : nil }
        // Two queries, then the scope rule in memory (asking per agency cost hundreds of queries per request).
        let agencies = try await AgencyModel.query(on: db).with(\.$jurisdiction).all()
        let parent = Dictionary(uniqueKeysWithValues: agencies.map { ($0.id!, $0.$parent.id) })
        let catalog = application.reference.units
        return agencies.filter { a in
            var ancestors: [String] = []
            var next = parent[a.id!] ?? nil
            while let p = next, ancestors.count < 32, !ancestors.contains(p.uuidString) {
                ancestors.append(p.uuidString)
                next = parent[p] ?? nil
            }
            return ScopeRules.covers(user.scope, agencyID: a.id!.uuidString, ancestorIDs: ancestors,
                                     jurisdiction: a.jurisdiction.compactMap { catalog[$0.unitCode] })
        }.map(\.code)
    }


    /// The ids of the agencies the caller may see (nil: all), in a directory snapshot.
    func visibleAgencyIDs(_ d: AgencyDirectory.Snapshot) async throws -> Set<UUID>? {
        guard let codes = try await visibleAgencyCodes() else { return nil }
        return Set(codes.compactMap { d.agencyByCode[$0]?.id })
    }
}
