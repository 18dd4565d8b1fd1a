import Fluent
import Foundation
import IOCCore
import Vapor

/// The daily spoken air-quality bulletin (a routine broadcast on the same path as warnings): at `IOC_AQI_BULLETIN_HOUR`
/// local time, each cluster in a commune with an air station gets the latest hourly VN_AQI of the stations there.
enum AQIBulletin {
    static func task() -> BackgroundTask {
        BackgroundTask("warnings.aqi-bulletin", mode: .singleton, every: .seconds(600), jitter: 0.1) { app in
            try await run(app: app, now: app.clock.now, force: false)
        }
    }

    /// Creates today's bulletin when it is due and not made yet (`force`: now, whatever the hour). Returns its id.
    @discardableResult
    static func run(app: Application, now: Date, force: Bool) async throws -> UUID? {
        let hour = app.iocConfiguration.aqiBulletinHour
        let localSeconds = Int64(now.timeIntervalSince1970) + 25_200
        let midnight = Date(timeIntervalSince1970: TimeInterval(localSeconds - localSeconds % 86_400 - 25_200))
        guard force || (hour >= 0 && Int(localSeconds % 86_400) / 3600 == hour) else { return nil }
        guard try await BroadcastModel.query(on: app.db).filter(\.$kind == "routine").filter(\.$createdAt >= midnight).count() == 0 || force else { return nil }
        guard let source = app.modules.series["environment.aqi"] else { return nil }
        let stations = try await source.subjects(app, app.db, "aqi")
        var lines: [String: [String]] = [:]
        for s in stations {
            guard let unit = s.unitCode,
                  let last = try await source.points(app, app.db, s.code, "aqi", now.addingTimeInterval(-3 * 3600), now).max(by: { $0.time < $1.time }) else { continue }
            let aqi = Int(last.value)
            let c = AQICategory.of(aqi: aqi)
            lines[unit, default: []].append("tại \(s.name), chỉ số chất lượng không khí VN_AQI là \(aqi), mức \(c.name.lowercased())")
        }
        guard !lines.isEmpty else { return nil }
        let clusters = try await LoudspeakerModel.query(on: app.db).filter(\.$unitCode ~~ Array(lines.keys)).all()
        guard !clusters.isEmpty else { return nil }
        var made: UUID?
        for (unit, group) in Dictionary(grouping: clusters, by: \.unitCode) {
            let text = "Bản tin chất lượng không khí. " + (lines[unit] ?? []).joined(separator: "; ") + ". "
                + "Khi chỉ số ở mức kém trở lên, người già, trẻ em và người có bệnh hô hấp nên hạn chế ra ngoài."
            let audio = await BroadcastService.synthesize(text, logger: app.logger)
            let b = BroadcastModel()
            b.id = UUID()
            b.kind = "routine"
            b.title = "Bản tin chất lượng không khí \(app.reference.units[unit]?.name ?? unit)"
            b.text = text
            b.audio = audio?.data ?? Data()
            b.audioType = audio?.type ?? "text/plain"
            b.playAt = String(decoding: try JSONEncoder().encode([ISO8601.format(now)]), as: UTF8.self)
            b.createdAt = now
            try await app.db.transaction { tx in
                try await b.create(on: tx)
                for c in group {
                    let d = BroadcastDeliveryModel()
                    d.broadcastID = b.id!
                    d.cluster = c.id ?? ""
                    d.status = "pending"
                    try await d.create(on: tx)
                }
            }
            made = b.id
        }
        return made
    }
}
