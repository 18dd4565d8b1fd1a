import Fluent
import Foundation
import IOCCore
import Vapor

/// The demo's stations: air quality in Buôn Ma Thuột and Tuy Hòa, water levels on the Sêrêpốk and the Ba river,
/// rain gauges and a forest-fire danger station at Yók Đôn, with a week of hourly data: a PM2.5 episode in Buôn Ma
/// Thuột (burning season, AQI above 150 for hours) and a flood crest on the Ba river crossing alarm level II at Phú Lâm.
/// Alarm levels are illustrative values in the shape of the official ones (cm above the gauge's datum).
enum DemoEnvironment {
    struct Station { var code, name, kind: String; var lat, lon: Double; var owner: String; var river: String?; var levels: [String: Double]? }

    static let stations: [Station] = [
        .init(code: "KK-BMT-01", name: "Quan trắc không khí Quảng trường 10/3", kind: "air", lat: 12.6679, lon: 108.0382, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "KK-BMT-02", name: "Quan trắc không khí Tân An", kind: "air", lat: 12.6905, lon: 108.0600, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "KK-BMT-03", name: "Quan trắc không khí KCN Hòa Phú", kind: "air", lat: 12.6120, lon: 107.9990, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "KK-THO-01", name: "Quan trắc không khí Tuy Hòa", kind: "air", lat: 13.0890, lon: 109.3060, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "KK-THO-02", name: "Quan trắc không khí Cảng Vũng Rô", kind: "air", lat: 12.8750, lon: 109.3800, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "TV-BANDON", name: "Thủy văn Bản Đôn (sông Sêrêpốk)", kind: "water", lat: 12.9020, lon: 107.7780, owner: "SO-NNMT", river: "Sêrêpốk",
              levels: ["1": 16_900, "2": 17_100, "3": 17_300]),
        .init(code: "TV-CAU14", name: "Thủy văn Cầu 14 (sông Sêrêpốk)", kind: "water", lat: 12.5830, lon: 107.9500, owner: "SO-NNMT", river: "Sêrêpốk",
              levels: ["1": 30_000, "2": 30_200, "3": 30_400]),
        .init(code: "TV-CUNGSON", name: "Thủy văn Củng Sơn (sông Ba)", kind: "water", lat: 13.0410, lon: 108.9780, owner: "SO-NNMT", river: "Ba",
              levels: ["1": 2_950, "2": 3_200, "3": 3_450]),
        .init(code: "TV-PHULAM", name: "Thủy văn Phú Lâm (sông Đà Rằng)", kind: "water", lat: 13.0640, lon: 109.2880, owner: "SO-NNMT", river: "Đà Rằng",
              levels: ["1": 170, "2": 270, "3": 370]),
        .init(code: "MUA-KRBONG", name: "Đo mưa Krông Bông", kind: "rain", lat: 12.5260, lon: 108.4480, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "MUA-SHINH", name: "Đo mưa Sông Hinh", kind: "rain", lat: 12.9200, lon: 108.9500, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "MUA-MDRAK", name: "Đo mưa M'Đrắk", kind: "rain", lat: 12.7370, lon: 108.7850, owner: "SO-NNMT", river: nil, levels: nil),
        .init(code: "CR-YOKDON", name: "Cảnh báo cháy rừng Vườn quốc gia Yók Đôn", kind: "fire", lat: 12.9500, lon: 107.7400, owner: "SO-NNMT", river: nil, levels: nil),
    ]

    static func load(_ context: DemoContext) async throws {
        let app = context.app
        guard try await StationModel.query(on: app.db).count() == 0 else {
            context.print("Trạm quan trắc minh họa đã có / Demo stations already loaded.")
            return
        }
        let now = app.clock.now
        let agencies = try await app.agencyDirectory.snapshot(on: app.db)
        var made: [StationModel] = []
        for s in stations {
            let m = StationModel()
            try EnvironmentService.apply(.init(code: s.code, name: s.name, kind: s.kind, lat: s.lat, lon: s.lon,
                                               ownerAgency: agencies.agencyByCode[s.owner] != nil ? s.owner : nil,
                                               intervalSeconds: 3600, alarmLevels: s.levels, river: s.river),
                                         to: m, isNew: true, app: app, now: now)
            made.append(m)
        }
        let toCreate = made
        try await app.audit.transaction(on: app.db) { tx in
            for m in toCreate { try await m.create(on: tx) }
            return ((), AuditRecord(actor: "demo", action: "stations.create", targetType: "station", targetID: "demo", origin: "demo",
                                    details: "\(toCreate.count) stations"))
        }
        app.stationIndex.invalidate()
        let nowT = Int64(now.timeIntervalSince1970)
        let last = nowT - nowT % 3600
        var rows: [ObservationIngest.Row] = []
        for h in stride(from: last - 7 * 86_400, through: last, by: 3600) { rows += values(at: h, last: last, noise: 0) }
        try await ObservationIngest.store(rows, on: app.db, now: now)
        context.print("Trạm quan trắc: \(made.count) trạm, \(rows.count) giá trị một tuần / Stations: \(made.count), \(rows.count) values over a week.")
    }

    /// The demo's value of each station × parameter for the hour labelled `h`; `last` is the latest label at load time
    /// (the episodes are placed relative to it).
    static func values(at h: Int64, last: Int64, noise: Double) -> [ObservationIngest.Row] {
        let ago = Double(last - h) / 3600  // hours before the latest label
        let local = Int((h + EnvTime.offset) % 86_400) / 3600
        // Daily cycle: traffic peaks at 07–08 and 17–19, night-time inversion.
        let cycle = [0.9, 0.85, 0.8, 0.8, 0.85, 1.0, 1.2, 1.4, 1.35, 1.1, 0.95, 0.9, 0.85, 0.85, 0.9, 0.95, 1.1, 1.35, 1.45, 1.3, 1.15, 1.05, 1.0, 0.95][local]
        var out: [ObservationIngest.Row] = []
        func add(_ station: String, _ p: String, _ v: Double) {
            out.append(.init(station: station, parameter: p, t: h, value: (max(0, v) * 10).rounded() / 10))
        }
        for (i, s) in stations.enumerated() {
            let wobble = sin(Double(h / 3600) * 0.7 + Double(i)) * 0.08 + noise
            switch s.kind {
            case "air":
                var pm25 = (s.code.hasPrefix("KK-THO") ? 14 : 22) * cycle * (1 + wobble)
                // The burning-season episode at the Tân An and Hòa Phú stations: 30 to 18 hours ago, peaking at ~95 µg/m³ (AQI ≈ 170).
                if s.code == "KK-BMT-02" || s.code == "KK-BMT-03", ago >= 18, ago <= 30 {
                    pm25 += 85 * sin((ago - 18) / 12 * .pi)
                }
                // Today at the Hòa Phú industrial park: a rising PM2.5 level in the last hours.
                if s.code == "KK-BMT-03", ago < 6 { pm25 += 20 * (6 - ago) / 6 }
                add(s.code, "pm25", pm25)
                add(s.code, "pm10", pm25 * 1.7)
                add(s.code, "o3", (local >= 10 && local <= 16 ? 75 : 35) * (1 + wobble))
                add(s.code, "co", 1_800 * cycle * (1 + wobble))
                add(s.code, "so2", 18 * (1 + wobble))
                add(s.code, "no2", 32 * cycle * (1 + wobble))
            case "water":
                let l = s.levels ?? [:]
                let base = (l["1"] ?? 0) - ((l["2"] ?? 0) - (l["1"] ?? 0)) * 1.2
                var level = base + ((l["2"] ?? 0) - (l["1"] ?? 0)) * 0.1 * wobble * 5
                // The flood crest on the Ba river: Củng Sơn crests 54 h ago above level I, Phú Lâm 48 h ago above level II.
                if s.code == "TV-PHULAM" || s.code == "TV-CUNGSON" {
                    let crest = s.code == "TV-PHULAM" ? 48.0 : 54.0
                    let height = ((l["2"] ?? 0) - base) * (s.code == "TV-PHULAM" ? 1.25 : 0.7)
                    level += height * exp(-pow((ago - crest) / 14, 2))
                }
                add(s.code, "water_level", level)
            case "rain":
                var mm = max(0, wobble * 10)
                if s.code == "MUA-SHINH" || s.code == "MUA-MDRAK", ago >= 56, ago <= 70 { mm += 12 + 8 * sin((ago - 56) / 14 * .pi) }
                add(s.code, "rainfall", mm)
            default:
                add(s.code, "fire_risk", local >= 11 && local <= 16 ? 4 : 3)
            }
        }
        return out
    }

    /// The simulator: the current hour's values (replaced on each step until the hour ends).
    static func simulate(app: Application, rng: inout DemoRandom) async throws {
        guard try await StationModel.query(on: app.db).count() > 0 else { return }
        let nowT = Int64(app.clock.now.timeIntervalSince1970)
        let label = EnvTime.hourLabel(nowT)
        let rows = values(at: label, last: label, noise: (rng.unit() - 0.5) * 0.1)
        try await ObservationIngest.store(rows, on: app.db, now: app.clock.now)
        _ = app.live.publish(topic: EnvironmentService.topic, json: #"{"kind":"observations"}"#)
    }
}
