import Fluent
import Foundation
import IOCCore
import Vapor

/// The shipped 2026 calendar lacked the New-Year swap (Công văn 12729/VPCP-KGVX: Friday 2/1/2026 off, Saturday 10/1
/// worked). Databases upgraded past it re-assess the dossiers whose deadline can move: received before 11/1/2026 and
/// still open on 2/1/2026.
struct ReassessDossiersForNewYearSwap2026: AsyncMigration {
    let app: Application

    func prepare(on database: any Database) async throws {
        let rules = try await app.calendarStore.rules(on: database)
        let cal = rules.calendar
        try await DossierIngest.reassess(receivedBefore: cal.instant(on: CivilDate(year: 2026, month: 1, day: 11), at: .init(hour: 0, minute: 0)),
                                         openAt: cal.instant(on: CivilDate(year: 2026, month: 1, day: 2), at: .init(hour: 0, minute: 0)),
                                         rules: rules, catalog: app.reference.units, now: app.clock.now, on: database)
    }

    func revert(on database: any Database) async throws {}
}
