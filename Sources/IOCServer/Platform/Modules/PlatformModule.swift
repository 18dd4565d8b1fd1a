import Fluent
import Foundation
import SQLKit
import Vapor

/// The platform itself, listed first: units, agencies, users and sessions, sources, the audit log, the working
/// calendar, health and settings, the live hub's socket and the vendored browser libraries.
struct PlatformModule: ServiceModule {
    var id: String { "platform" }

    func migrations(_ app: Application) -> [any Migration] {
        [CreateUnits(), SeedUnits(reference: app.reference), CreateAgencies(), CreateUsers(), CreateSources(), CreateAuditLog(),
         CreateCalendarDays(), CreateUserSessions(), CreateThrottleCounters(), NormalizeSourceKinds(),
         CreateAuditMeta(), SealAuditChain(key: app.audit.key, sealedAt: app.clock.now), AddSourceAgencies()]
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        SessionController.register(v1)
        UnitController.register(v1)
        AgencyController.register(v1)
        UserController.register(v1)
        SourceController.register(v1)
        AuditController.register(v1)
        CalendarController.register(v1)
        LiveController.register(app, routes: app.routes)
        VendorController.register(app)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        guard case .sqliteFile = app.iocConfiguration.storage else { return shared(app) }
        return [Self.checkpoint] + shared(app)
    }

    /// Housekeeping of every instance, whatever the database.
    private func shared(_ app: Application) -> [BackgroundTask] {
        [SessionStore.housekeeping, ThrottleStore.housekeeping, AuditLog.anchorTask(every: app.iocConfiguration.auditAnchorSeconds)]
    }

    /// Checkpoints the SQLite write-ahead log every second (PASSIVE: it never waits for readers or writers). Without it
    /// SQLite checkpoints inside whichever commit crosses 1,000 WAL pages, and that request waits for the copy and the
    /// file's fsync: at a steady ingest that is the slowest 1% of commits. Housekeeping of the file, so it runs
    /// whatever `IOC_BACKGROUND` says.
    static let checkpoint = BackgroundTask("platform.sqlite-checkpoint", mode: .perInstance, every: .seconds(1), housekeeping: true) { app in
        try await (app.db as? any SQLDatabase)?.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
    }

    func loadDemo(_ context: DemoContext) async throws {
        let summary = try await DemoProvince.load(on: context.app)
        context.print("Đã nạp tỉnh minh họa Đắk Lắk / Demo province loaded: \(summary.agencies) agencies (\(summary.createdAgencies) new).")
    }

    var watchedTables: [String] {
        [AgencyModel.schema, AgencyUnitModel.schema, UserModel.schema, SourceModel.schema, AuditEntryModel.schema, CalendarDayModel.schema]
    }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "agencies", title: "nav.agencies", icon: "i-building", group: .admin, roles: [.admin]),
         ConsoleEntry(route: "users", title: "nav.users", icon: "i-users", group: .admin, roles: [.admin]),
         ConsoleEntry(route: "sources", title: "nav.sources", icon: "i-database", group: .admin, roles: [.admin]),
         ConsoleEntry(route: "audit", title: "nav.audit", icon: "i-list", group: .admin, roles: [.admin])]
    }

    var measures: [AgencyMeasure] {
        [AgencyMeasure(
            key: "sources.freshness",
            name: .init(vi: "Tỷ lệ nguồn dữ liệu của cơ quan gửi số liệu đúng hạn", en: "Share of the agency's data sources that are fresh"),
            definition: .init(vi: "Nguồn dữ liệu đang hoạt động đăng ký cho cơ quan có dữ liệu mới trong khoảng thời gian kỳ vọng, tại cuối kỳ (hoặc hiện tại) / số nguồn đó.",
                              en: "Active data sources registered for the agency whose last data arrived within their expected interval, at the period's end (or now) / those sources."),
            compute: { req, p in
                let wanted = Set(p.agencies)
                var fresh: [String: Int] = [:], total: [String: Int] = [:]
                for s in try await SourceModel.query(on: req.db).filter(\.$active == true).all() {
                    let codes = (s.agencySet ?? []).filter(wanted.contains)
                    let ok = s.lastDataAt.map { $0 <= p.asOf && p.asOf.timeIntervalSince($0) <= Double(s.expectedFreshnessSeconds) } ?? false
                    for c in codes {
                        total[c, default: 0] += 1
                        if ok { fresh[c, default: 0] += 1 }
                    }
                }
                var out: [String: MeasuredFigure] = [:]
                for (code, n) in total { out[code] = MeasuredFigure(fresh[code] ?? 0, of: n) }
                return out
            })]
    }
}
