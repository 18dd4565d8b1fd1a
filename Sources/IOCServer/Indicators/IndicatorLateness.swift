import Fluent
import Foundation
import IOCCore
import Vapor

/// Agencies that have not sent an indicator past its deadline raise one alarm each (minor), cleared when they catch up.
enum IndicatorLateness {
    static func key(_ agency: String) -> String { "indicators-late/\(agency)" }

    static func task() -> BackgroundTask {
        BackgroundTask("indicators.lateness", mode: .singleton, every: .seconds(900), jitter: 0.1) { app in
            _ = try await sweep(app: app, now: app.clock.now)
        }
    }

    /// Raises, updates or clears the alarms; returns the agencies with missing indicators.
    @discardableResult
    static func sweep(app: Application, now: Date) async throws -> [String] {
        let catalogue = try await app.indicatorCatalog.snapshot(on: app.db, agencies: app.agencyDirectory.snapshot(on: app.db))
        let rows = try await IndicatorViews.freshnessRows(app, db: app.db, now: now, catalogue: catalogue)
        let prefix = "\(EventService.manualSource.uuidString.prefix(8))|"
        let open = try await AlarmModel.query(on: app.db).filter(\.$key ~~ rows.map { prefix + key($0.agency.code) })
            .filter(\.$state != AlarmState.cleared.rawValue).all()
        let openKeys = Set(open.map(\.key))
        let day = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        var events: [EventService.Valid] = []
        for r in rows {
            let k = key(r.agency.code)
            if r.missing > 0 {
                let codes = r.missingCodes.prefix(6).joined(separator: ", ") + (r.missingCodes.count > 6 ? "…" : "")
                events.append(.init(externalID: "\(k)/\(day)/\(r.missing)", kind: "indicators.late", level: "minor", occurredAt: now,
                                    title: "\(r.agency.name) chưa gửi \(r.missing) chỉ tiêu KT-XH quá hạn",
                                    titleEn: "\(r.agency.nameEn ?? r.agency.name) has \(r.missing) socio-economic indicators overdue",
                                    description: "Chỉ tiêu / Indicators: \(codes)", unitCode: nil, lat: nil, lon: nil, alarmKey: k, clear: false))
            } else if openKeys.contains(prefix + k) {
                events.append(.init(externalID: "\(k)/\(day)/clear/\(Int(now.timeIntervalSince1970))", kind: "indicators.late", level: "info", occurredAt: now,
                                    title: "\(r.agency.name) đã gửi đủ chỉ tiêu KT-XH", titleEn: "\(r.agency.nameEn ?? r.agency.name) is up to date with its indicators",
                                    description: "", unitCode: nil, lat: nil, lon: nil, alarmKey: k, clear: true))
            }
        }
        if !events.isEmpty {
            _ = try await EventService.ingest(events, sourceID: EventService.manualSource, sourceName: "IOC", actor: "system:indicators",
                                              origin: "indicators", app: app, db: app.db, now: now)
        }
        return rows.filter { $0.missing > 0 }.map(\.agency.code)
    }
}
