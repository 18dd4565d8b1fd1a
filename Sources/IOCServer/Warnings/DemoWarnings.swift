import Fluent
import Foundation
import IOCCore
import Vapor

/// The demo's warnings: rules (PM2.5 AQI > 150 for 2 h, water above alarm level II, rainfall > 50 mm in 3 h, a silent
/// station), loudspeaker clusters in the communes along the Ba river and in Buôn Ma Thuột, a flood warning for the
/// Ba river published with its broadcast confirmed by half the clusters, and an air-quality warning drafted and
/// submitted, awaiting the leader's approval.
enum DemoWarnings {
    static func load(_ context: DemoContext) async throws {
        let app = context.app
        guard try await AlertRuleModel.query(on: app.db).count() == 0 else {
            context.print("Cảnh báo minh họa đã có / Demo warnings already loaded.")
            return
        }
        let now = app.clock.now
        let rules: [AlertRuleService.DTO] = [
            .init(code: "pm25-aqi-150-2h", name: "Bụi mịn PM2.5: AQI trên 150 liên tục 2 giờ", nameEn: "PM2.5 AQI above 150 for 2 hours",
                  series: "environment.aqi", parameter: "pm25", condition: .init(kind: "threshold", comparison: "above", value: 150, durationMinutes: 120),
                  hysteresis: 10, clearAfterMinutes: 60, quietHours: .init(start: "22:00", end: "06:00", unlessSeverityAtLeast: "critical"),
                  severity: "warning", proposeWarning: .init(hazard: "air_quality", level: 2), enabled: true),
            .init(code: "water-level-2", name: "Mực nước vượt báo động II", nameEn: "Water level above alarm level II",
                  series: "environment.observation", parameter: "water_level", condition: .init(kind: "crossing", comparison: "above", levelRef: "2"),
                  hysteresis: 10, severity: "critical", proposeWarning: .init(hazard: "flood", level: 3), enabled: true),
            .init(code: "rain-50mm-3h", name: "Mưa trên 50 mm trong 3 giờ", nameEn: "Rainfall above 50 mm in 3 hours",
                  series: "environment.observation", parameter: "rainfall", condition: .init(kind: "rate", comparison: "above", value: 50, windowMinutes: 180, sum: true),
                  severity: "warning", proposeWarning: .init(hazard: "heavy_rain", level: 2), enabled: true),
            .init(code: "water-silent-3h", name: "Trạm mực nước không gửi số liệu 3 giờ", nameEn: "Water station silent for 3 hours",
                  series: "environment.observation", parameter: "water_level", condition: .init(kind: "absence", maxSilenceMinutes: 180),
                  severity: "info", enabled: false),
        ]
        let checked = try rules.map { try AlertRuleService.check($0, app: app) }
        // Clusters: communes of the Ba river (Tuy Hòa, Sơn Hòa…) and Buôn Ma Thuột.
        let points: [(String, String, Double, Double)] = [
            ("LOA-TUYHOA-01", "Cụm loa phường Tuy Hòa – Trung tâm", 13.0890, 109.3060), ("LOA-TUYHOA-02", "Cụm loa phường Tuy Hòa – Bờ sông Đà Rằng", 13.0700, 109.2950),
            ("LOA-SONHOA", "Cụm loa xã Sơn Hòa", 13.0410, 108.9780), ("LOA-HOAXUAN", "Cụm loa phường Hòa Xuân", 12.8750, 109.3800),
            ("LOA-BMT-01", "Cụm loa phường Buôn Ma Thuột", 12.6679, 108.0382), ("LOA-TANAN", "Cụm loa phường Tân An", 12.6905, 108.0600),
        ]
        for c in checked {
            let m = AlertRuleModel()
            try AlertRuleService.apply(c, to: m, actor: "demo", now: now)
            try await m.create(on: app.db)
        }
        var clusters: [Loudspeakers.Created] = []
        for (code, name, lat, lon) in points {
            clusters.append(try await Loudspeakers.register(.init(code: code, name: name, lat: lat, lon: lon), app: app, db: app.db, actor: "demo", origin: "demo", now: now))
        }
        // The published flood warning for the Ba river communes (the crest crossed level II at Phú Lâm two days ago).
        let baCommunes = Array(Set(clusters.filter { $0.cluster.code.hasPrefix("LOA-TUYHOA") || $0.cluster.code == "LOA-SONHOA" || $0.cluster.code == "LOA-HOAXUAN" }
            .map(\.cluster.unitCode))).sorted()
        let flood = WarningModel()
        flood.id = UUID(); flood.msgType = "Alert"; flood.status = "submitted"; flood.createdBy = "user:dieuhanh"
        flood.createdAt = now.addingTimeInterval(-50 * 3600); flood.submittedAt = now.addingTimeInterval(-49.5 * 3600)
        try WarningService.apply(.init(hazard: "flood", level: 3, areas: baCommunes,
                                       headline: "Lũ trên sông Ba vượt báo động II tại Phú Lâm", headlineEn: "Ba river flood above alarm level II at Phú Lâm",
                                       description: "Mực nước sông Ba tại Củng Sơn và sông Đà Rằng tại Phú Lâm đang lên; tại Phú Lâm đã vượt mức báo động II. Nguy cơ ngập lụt vùng trũng thấp ven sông.",
                                       descriptionEn: "The Ba river at Củng Sơn and the Đà Rằng at Phú Lâm are rising; at Phú Lâm the level is above alarm level II. Low-lying riverside areas risk flooding.",
                                       instruction: "Không đi qua ngầm, tràn, khu vực nước chảy xiết; di dời người và tài sản ở vùng trũng thấp; theo dõi thông báo của chính quyền địa phương.",
                                       instructionEn: "Do not cross fords or fast-flowing water; move people and property out of low-lying areas; follow local authorities' announcements.",
                                       effective: now.addingTimeInterval(-49 * 3600), expires: now.addingTimeInterval(22 * 3600)),
                                 to: flood, app: app, now: now.addingTimeInterval(-50 * 3600))
        let text = BroadcastService.text(flood, app: app)
        let audio = await BroadcastService.synthesize(text, logger: app.logger)
        let publishedAt = now.addingTimeInterval(-49 * 3600)
        try await app.audit.transaction(on: app.db) { tx in
            flood.identifier = try await WarningService.nextIdentifier(app: app, on: tx, now: now)
            try await flood.create(on: tx)
            try await WarningService.publish(flood, by: "user:lanhdao", audio: audio, text: text, app: app, tx: tx, now: publishedAt)
            return ((), AuditRecord(actor: "demo", action: "warnings.publish", targetType: "warning", targetID: flood.identifier, origin: "demo"))
        }
        // Half the clusters confirmed playback.
        if let b = try await BroadcastModel.query(on: app.db).filter(\.$warningID == flood.id).first() {
            let ds = try await BroadcastDeliveryModel.query(on: app.db).filter(\.$broadcastID == b.id!).sort(\.$cluster).all()
            for (i, d) in ds.enumerated() {
                d.status = i < (ds.count + 1) / 2 ? "played" : (i == ds.count - 1 ? "pending" : "fetched")
                d.fetchedAt = d.status == "pending" ? nil : publishedAt.addingTimeInterval(120)
                d.reportedAt = d.status == "played" ? publishedAt.addingTimeInterval(300) : nil
                try await d.save(on: app.db)
            }
        }
        // The air-quality warning drafted for Buôn Ma Thuột, submitted and waiting for the leader.
        let bmt = Array(Set(clusters.filter { $0.cluster.code.hasPrefix("LOA-BMT") || $0.cluster.code == "LOA-TANAN" }.map(\.cluster.unitCode))).sorted()
        let air = WarningModel()
        air.id = UUID(); air.msgType = "Alert"; air.status = "submitted"; air.createdBy = "user:dieuhanh"; air.createdAt = now.addingTimeInterval(-1800)
        air.submittedAt = now.addingTimeInterval(-1200); air.ruleCode = "pm25-aqi-150-2h"
        try WarningService.apply(.init(hazard: "air_quality", level: 2, areas: bmt,
                                       headline: "Bụi mịn PM2.5 ở mức xấu tại Buôn Ma Thuột", headlineEn: "Unhealthy PM2.5 in Buôn Ma Thuột",
                                       description: "VN_AQI giờ tại các trạm Tân An và Hòa Phú vượt 150 (mức Xấu) do đốt thực bì mùa khô và lặng gió.",
                                       descriptionEn: "Hourly VN_AQI at the Tân An and Hòa Phú stations is above 150 (Bad) from dry-season burning and still air.",
                                       instruction: "Hạn chế ra ngoài, đeo khẩu trang đạt chuẩn; người già, trẻ nhỏ và người có bệnh hô hấp ở trong nhà; không đốt rác, thực bì.",
                                       instructionEn: "Limit time outdoors and wear a proper mask; the elderly, children and people with respiratory illness should stay indoors; do not burn waste or vegetation.",
                                       effective: now, expires: now.addingTimeInterval(24 * 3600)),
                                 to: air, app: app, now: now)
        try await app.audit.transaction(on: app.db) { tx in
            air.identifier = try await WarningService.nextIdentifier(app: app, on: tx, now: now)
            try await air.create(on: tx)
            return ((), AuditRecord(actor: "demo", action: "warnings.submit", targetType: "warning", targetID: air.identifier, origin: "demo"))
        }
        // A CAP alert received from the national forecasting centre: heavy rain over the Central Highlands and the coast.
        let sent = CAPDateTime(now.addingTimeInterval(-5 * 3600))
        let expires = CAPDateTime(now.addingTimeInterval(19 * 3600))
        let received = CAPAlert(identifier: "NCHMF-MUALON-\(Int(now.timeIntervalSince1970) / 86_400)", sender: "canhbao@nchmf.gov.vn", sent: sent, status: .actual,
                                msgType: .alert, scope: .public, infos: [
                                    CAPInfo(language: "vi-VN", categories: [.met], event: "Mưa lớn", responseTypes: [.prepare], urgency: .expected, severity: .severe,
                                            certainty: .likely, expires: expires, senderName: "Trung tâm Dự báo khí tượng thủy văn quốc gia",
                                            headline: "Cảnh báo mưa lớn khu vực Tây Nguyên và Nam Trung Bộ",
                                            description: "Từ chiều nay đến đêm mai, khu vực Đắk Lắk (phía đông) có mưa to đến rất to, lượng mưa phổ biến 80–150 mm, có nơi trên 200 mm.",
                                            instruction: "Đề phòng lũ quét, sạt lở đất ở vùng núi và ngập úng ở vùng trũng thấp.",
                                            areas: [CAPArea(areaDesc: "Tỉnh Đắk Lắk", geocodes: [CAPValuePair(valueName: "GSO", value: app.iocConfiguration.provinceCode)])]),
                                ])
        _ = try await CAPInbound.store(Array(CAPWriter.xml(received).utf8), source: "feed:nchmf.gov.vn", app: app, db: app.db, now: now)
        // One evaluation, so every rule knows the state of its stations.
        try await AlertRuleService.evaluate(app: app, now: now)
        context.print("Cảnh báo: \(checked.count) quy tắc, \(clusters.count) cụm loa, 1 bản tin đã phát, 1 chờ duyệt / Warnings: \(checked.count) rules, \(clusters.count) clusters, 1 published, 1 awaiting approval.")
    }
}
