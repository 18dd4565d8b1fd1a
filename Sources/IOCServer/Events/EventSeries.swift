import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Events counted per commune and hour, for alert rules ("more than 5 forest-fire events in a commune in 3 hours":
/// a rate-of-change rule summing the counts).
enum EventSeries {
    static let source = SeriesSource(
        key: "events.count", name: .init(vi: "Số sự kiện theo xã/phường mỗi giờ", en: "Events per commune and hour"),
        parameters: { _, db in
            guard let sql = db as? any SQLDatabase else { return [] }
            struct K: Decodable { var kind: String }
            return try await sql.raw("SELECT DISTINCT kind FROM events ORDER BY kind LIMIT 200").all(decoding: K.self)
                .map { .init(code: $0.kind, name: .init(vi: $0.kind, en: $0.kind), unit: "sự kiện/giờ") }
        },
        subjects: { app, _, _ in
            let province = app.iocConfiguration.provinceCode
            return app.reference.units.communes(of: province).filter { $0.code != province }.map { .init(code: $0.code, name: $0.name, unitCode: $0.code) }
        },
        points: { _, db, subject, parameter, from, to in
            let times = try await EventModel.query(on: db).filter(\.$kind == parameter).filter(\.$unitCode == subject)
                .filter(\.$occurredAt >= from).filter(\.$occurredAt <= to).field(\.$occurredAt).all().map(\.occurredAt)
            // Counts per hour, stamped at the end of the hour (an hour in progress is stamped now).
            var buckets: [Int64: Int] = [:]
            for t in times {
                let s = Int64(t.timeIntervalSince1970)
                buckets[s % 3600 == 0 ? s : s - s % 3600 + 3600, default: 0] += 1
            }
            return buckets.map { SeriesPoint(time: min(to, Date(timeIntervalSince1970: TimeInterval($0.key))), value: Double($0.value)) }
        })
}
