import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// The demo's event sources and alarms: the traffic-camera system, the information-security operations centre and the
/// environmental monitoring network of Đắk Lắk, with a few alarms in every state (raised, acknowledged and assigned,
/// cleared) so the wall's alarm panel and feed have something true-looking to show; and the feed journal filled with
/// the last two days of field-report events.
enum DemoAlarms {
    struct Template: Sendable {
        var source: String
        var kind: String
        var severity: String
        var title: String
        var titleEn: String
        var description: String
        var lat: Double
        var lon: Double
        var key: String
    }

    static let sources: [(name: String, kind: String, freshness: Int, description: String)] = [
        ("vms-daklak", "camera", 900, "Hệ thống camera giám sát giao thông, an ninh trật tự (VMS) / Traffic and public-order cameras"),
        ("soc-daklak", "soc", 3_600, "Trung tâm giám sát an toàn thông tin (SOC) tỉnh / Provincial security operations centre"),
        ("quantrac-daklak", "environment", 3_600, "Mạng quan trắc môi trường tự động / Automatic environmental monitoring network"),
    ]

    static let templates: [Template] = [
        .init(source: "vms-daklak", kind: "camera.offline", severity: "major", title: "Camera nút giao Ngã Sáu Ban Mê mất tín hiệu",
              titleEn: "Camera at Ngã Sáu Ban Mê junction offline", description: "Mất kết nối quá 10 phút.", lat: 12.6675, lon: 108.0378, key: "cam-nga-sau/offline"),
        .init(source: "vms-daklak", kind: "camera.offline", severity: "minor", title: "Camera đường Nguyễn Tất Thành – Lê Duẩn mất tín hiệu",
              titleEn: "Camera at Nguyễn Tất Thành – Lê Duẩn offline", description: "Mất kết nối quá 10 phút.", lat: 12.6800, lon: 108.0470, key: "cam-ntt-ld/offline"),
        .init(source: "vms-daklak", kind: "traffic.congestion", severity: "minor", title: "Ùn tắc giao thông cửa ngõ phía Bắc, Quốc lộ 14",
              titleEn: "Congestion on the northern approach, National Road 14", description: "Tốc độ trung bình dưới 10 km/h trong 15 phút.", lat: 12.7120, lon: 108.0620, key: "ql14-bac/congestion"),
        .init(source: "soc-daklak", kind: "soc.bruteforce", severity: "critical", title: "Dò quét mật khẩu vào Cổng dịch vụ công tỉnh",
              titleEn: "Password brute-forcing on the provincial public-service portal", description: "1.240 lần đăng nhập sai từ 3 địa chỉ IP trong 5 phút.", lat: 12.6660, lon: 108.0500, key: "dvc/bruteforce"),
        .init(source: "soc-daklak", kind: "soc.malware", severity: "major", title: "Phát hiện mã độc trên máy trạm Sở Tài chính",
              titleEn: "Malware detected on a Department of Finance workstation", description: "Máy trạm đã được cách ly khỏi mạng.", lat: 12.6700, lon: 108.0440, key: "stc-ws-17/malware"),
        .init(source: "quantrac-daklak", kind: "environment.pm25", severity: "minor", title: "Bụi PM2.5 vượt ngưỡng tại trạm quan trắc Ngã Sáu",
              titleEn: "PM2.5 above the limit at the Ngã Sáu station", description: "PM2.5 trung bình 1 giờ 62 µg/m³ (QCVN 05:2023: 50).", lat: 12.6690, lon: 108.0385, key: "aqi-nga-sau/pm25"),
        .init(source: "quantrac-daklak", kind: "water.level", severity: "major", title: "Mực nước sông Sêrêpốk tại Bản Đôn vượt báo động 1",
              titleEn: "Sêrêpốk river at Bản Đôn above alert level 1", description: "Mực nước 173,4 m, báo động 1: 173,0 m.", lat: 12.8930, lon: 107.7770, key: "serepok-ban-don/level"),
        .init(source: "quantrac-daklak", kind: "forest.fire-risk", severity: "major", title: "Cảnh báo cháy rừng cấp IV tại Vườn quốc gia Yók Đôn",
              titleEn: "Forest fire risk level IV in Yók Đôn National Park", description: "Nhiệt độ 36 °C, độ ẩm 38%, 12 ngày không mưa.", lat: 12.9400, lon: 107.7200, key: "yok-don/fire-risk"),
    ]

    static func sourceIDs(on db: any Database) async throws -> [String: UUID] {
        var ids: [String: UUID] = [:]
        for s in sources {
            if let existing = try await SourceModel.query(on: db).filter(\.$name == s.name).first() {
                ids[s.name] = existing.id
                continue
            }
            let m = SourceModel()
            m.name = s.name
            m.kind = s.kind
            m.description = s.description
            m.expectedFreshnessSeconds = s.freshness
            m.errorCount = 0
            m.active = true
            try await m.create(on: db)
            ids[s.name] = m.id
        }
        return ids
    }

    static func valid(_ t: Template, id: String, at: Date, clear: Bool = false) -> EventService.Valid {
        EventService.Valid(externalID: id, kind: t.kind, level: clear ? "info" : t.severity, occurredAt: at,
                           title: clear ? "Đã trở lại bình thường: \(t.title)" : t.title,
                           titleEn: clear ? "Back to normal: \(t.titleEn)" : t.titleEn, description: t.description,
                           unitCode: nil, lat: t.lat, lon: t.lon, alarmKey: t.key, clear: clear)
    }

    /// Raises, through the ingest sources use, an event for template `t` (or its all-clear).
    static func send(_ t: Template, app: Application, sources: [String: UUID], at: Date, clear: Bool = false) async throws -> EventService.Outcome {
        var v = valid(t, id: "\(t.key)@\(Int(at.timeIntervalSince1970 * 1000))", at: at, clear: clear)
        v.unitCode = try? app.communeCode(of: Coordinate(latitude: t.lat, longitude: t.lon))
        return try await EventService.ingest([v], sourceID: sources[t.source]!, sourceName: t.source, actor: "source:\(t.source)",
                                             origin: "demo", app: app, db: app.db, now: at)
    }

    /// Idempotent: does nothing when the demo already has alarms.
    static func load(on app: Application) async throws {
        guard try await AlarmModel.query(on: app.db).count() == 0 else { return }
        let ids = try await sourceIDs(on: app.db)
        let now = app.clock.now
        let d = try await app.agencyDirectory.snapshot(on: app.db)
        let op = AuthenticatedUser(id: UUID(), username: "dieuhanh", displayName: "Điều hành viên IOC", role: .operator)
        func ago(_ minutes: Double) -> Date { now.addingTimeInterval(-minutes * 60) }
        // Cleared yesterday: the fire-risk warning, handled by the forest rangers' agency (Sở NN-MT).
        let fire = try await send(templates[7], app: app, sources: ids, at: ago(26 * 60))
        if let code = fire.events.first?.alarm, let a = try await AlarmModel.query(on: app.db).filter(\.$code == code).first() {
            let a2 = try await EventService.perform(.assign, on: a, agency: d.agencyByCode["SO-NNMT"], note: "Chuyển Sở Nông nghiệp và Môi trường phương án trực cháy.",
                                                    user: op, origin: "demo", app: app, db: app.db, now: ago(25 * 60))
            _ = try await EventService.perform(.clear, on: a2, agency: nil, note: "Đã có mưa, cấp cháy rừng hạ xuống cấp II.", user: op, origin: "demo",
                                               app: app, db: app.db, now: ago(4 * 60))
        }
        // Acknowledged and assigned this morning: the malware and the river level.
        for (t, minutes, agency, note) in [(templates[4], 190.0, "SO-KHCN", "Giao Sở KH&CN phối hợp xử lý, kiểm tra các máy cùng phân vùng mạng."),
                                           (templates[6], 140.0, "SO-NNMT", "Theo dõi, thông báo các xã ven sông.")] {
            let out = try await send(t, app: app, sources: ids, at: ago(minutes))
            if let code = out.events.first?.alarm, let a = try await AlarmModel.query(on: app.db).filter(\.$code == code).first() {
                let acked = try await EventService.perform(.acknowledge, on: a, agency: nil, note: nil, user: op, origin: "demo", app: app, db: app.db, now: ago(minutes - 6))
                _ = try await EventService.perform(.assign, on: acked, agency: d.agencyByCode[agency], note: note, user: op, origin: "demo", app: app, db: app.db, now: ago(minutes - 9))
            }
        }
        // A camera that went offline and came back.
        _ = try await send(templates[1], app: app, sources: ids, at: ago(100))
        _ = try await send(templates[1], app: app, sources: ids, at: ago(70), clear: true)
        // Active now, nobody has acknowledged them yet.
        for (t, minutes) in [(templates[5], 48.0), (templates[0], 21.0), (templates[3], 7.0)] {
            _ = try await send(t, app: app, sources: ids, at: ago(minutes))
        }
        _ = try await send(templates[3], app: app, sources: ids, at: ago(4))  // the attack goes on: the alarm repeats
        for name in ids.keys {
            try await SourceModel.query(on: app.db).filter(\.$name == name).set(\.$lastDataAt, to: ago(4)).update()
        }
    }
}
