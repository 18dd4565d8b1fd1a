import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLiteKit
import SQLKit
import Vapor

/// Observations in batches: validated all or nothing, stored idempotently per station × parameter × instant (a value
/// sent again for the same instant replaces the stored one: a correction), late and out-of-order values accepted, and
/// the hourly and daily aggregates of the hours and days they touch recomputed in the same transaction.
enum ObservationIngest {
    static let maxBatch = 50_000

    struct Input: Content {
        var station: String?
        var parameter: String?
        var time: String?
        var value: Double?
    }

    struct Row: Sendable, Hashable {
        var station: String
        var parameter: String
        var t: Int64
        var value: Double
        var hour: Int64 { EnvTime.hourLabel(t) }
    }

    /// The stations the ingest checks against (code → parameters), read once and kept until a station changes.
    final class StationIndex: Sendable {
        struct Entry: Sendable { var parameters: Set<String>; var active: Bool }
        private let state = NIOLockedValueBox<(at: Date, map: [String: Entry])?>(nil)
        func invalidate() { state.withLockedValue { $0 = nil } }
        func snapshot(on db: any Database, now: Date) async throws -> [String: Entry] {
            if let s = state.withLockedValue({ $0 }), now.timeIntervalSince(s.at) < 60, now >= s.at { return s.map }
            let all = try await StationModel.query(on: db).all()
            let map = Dictionary(uniqueKeysWithValues: all.map { ($0.id ?? "", Entry(parameters: Set($0.parameterList), active: $0.active)) })
            state.withLockedValue { $0 = (now, map) }
            return map
        }
    }

    static func validate(_ items: [Input], stations: [String: StationIndex.Entry], now: Date) throws -> [Row] {
        guard !items.isEmpty, items.count <= maxBatch else {
            throw IOCError.invalid("", vi: "Mỗi lần gửi từ 1 đến \(maxBatch) giá trị quan trắc.", en: "Send 1 to \(maxBatch) observations per request.")
        }
        var rows: [Row] = []
        rows.reserveCapacity(items.count)
        var seen: [RowKey: Double] = [:]
        seen.reserveCapacity(items.count)
        let latest = Int64(now.timeIntervalSince1970) + 300
        let earliest = Int64(now.timeIntervalSince1970) - 400 * 86_400
        for (i, item) in items.enumerated() {
            func fail(_ field: String, _ vi: String, _ en: String) -> IOCError {
                IOCError.invalid("[\(i)].\(field)", vi: "Mục \(i + 1): \(vi)", en: "Item \(i + 1): \(en)")
            }
            guard let code = item.station, let station = stations[code] else {
                throw fail("station", "không có trạm \(item.station ?? "(trống)").", "no station \(item.station ?? "(empty)").")
            }
            guard station.active else { throw fail("station", "trạm \(code) đã ngừng hoạt động.", "station \(code) is inactive.") }
            guard let p = item.parameter, let info = EnvParameter.byCode[p] else {
                throw fail("parameter", "thông số không hợp lệ (pm25, pm10, o3, co, so2, no2, water_level, rainfall…).",
                           "unknown parameter (pm25, pm10, o3, co, so2, no2, water_level, rainfall…).")
            }
            guard station.parameters.contains(p) else {
                throw fail("parameter", "trạm \(code) không đo \(p).", "station \(code) does not measure \(p).")
            }
            guard let text = item.time, let t = EnvTime.parse(text) else {
                throw fail("time", "thời điểm phải theo ISO 8601 (ví dụ 2026-12-08T10:00:00+07:00).",
                           "time must be ISO 8601 (e.g. 2026-12-08T10:00:00+07:00).")
            }
            guard t <= latest, t >= earliest else {
                throw fail("time", "thời điểm ở tương lai hoặc quá 400 ngày trước.", "time is in the future or more than 400 days ago.")
            }
            guard let v = item.value, v.isFinite, info.range.contains(v) else {
                throw fail("value", "giá trị phải là số trong khoảng \(info.range.lowerBound)…\(info.range.upperBound) \(info.unit).",
                           "value must be a number in \(info.range.lowerBound)…\(info.range.upperBound) \(info.unit).")
            }
            let key = RowKey(station: code, parameter: p, t: t)
            if let previous = seen[key] {
                guard previous == v else {
                    throw fail("time", "trùng trạm, thông số và thời điểm với một mục khác nhưng khác giá trị.",
                               "same station, parameter and time as another item with a different value.")
                }
                continue
            }
            seen[key] = v
            rows.append(Row(station: code, parameter: p, t: t, value: v))
        }
        return rows
    }

    /// Stores the rows and their aggregates in one transaction; returns when committed.
    static func store(_ rows: [Row], on db: any Database, now: Date, timing: Timing? = nil) async throws {
        let received = Int64(now.timeIntervalSince1970)
        try await db.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            if let sqlite = tx as? any SQLiteDatabase {
                try await storeSQLite(rows, received: received, sqlite, timing: timing)
            } else {
                try await storePostgres(rows, received: received, sql, timing: timing)
            }
        }
    }

    /// Seconds spent in each step of `store` (the benchmark prints them).
    final class Timing: @unchecked Sendable {
        var rows = 0.0, hourly = 0.0, daily = 0.0
        func add(_ keyPath: ReferenceWritableKeyPath<Timing, Double>, since start: ContinuousClock.Instant) {
            self[keyPath: keyPath] += (ContinuousClock.now - start) / .seconds(1)
        }
    }

    /// The new rows' sums per hour (the common case: values not seen before add to their hour's aggregate).
    struct HourDelta { var n = 0; var total = 0.0; var vmin = Double.infinity; var vmax = -Double.infinity }

    static func deltas(_ rows: [Row], excluding dirty: Set<HourKey>) -> [(HourKey, HourDelta)] {
        var out: [HourKey: HourDelta] = [:]
        for r in rows {
            let k = HourKey(station: r.station, parameter: r.parameter, hour: r.hour)
            if dirty.contains(k) { continue }
            var d = out[k] ?? HourDelta()
            d.n += 1; d.total += r.value; d.vmin = min(d.vmin, r.value); d.vmax = max(d.vmax, r.value)
            out[k] = d
        }
        return Array(out)
    }

    /// One row's identity (station × parameter × instant).
    struct RowKey: Hashable { var station: String; var parameter: String; var t: Int64 }
    static func rowKey(_ station: String, _ parameter: String, _ t: Int64) -> RowKey { RowKey(station: station, parameter: parameter, t: t) }

    /// Rows first (`ON CONFLICT DO NOTHING RETURNING`: the new ones come back); a value for an instant already stored
    /// replaces it when it differs, and its hour is recomputed from the rows; the new values add to their hours'
    /// aggregates; the days touched are recomputed from their hours.
    private static func storeSQLite(_ rows: [Row], received: Int64, _ db: any SQLiteDatabase, timing: Timing?) async throws {
        var mark = ContinuousClock.now
        var inserted = Set<RowKey>()
        inserted.reserveCapacity(rows.count)
        // 32,766 parameters per statement: 5,000 rows × 6.
        for start in stride(from: 0, to: rows.count, by: 5_000) {
            let chunk = rows[start..<min(start + 5_000, rows.count)]
            let values: String = Array(repeating: "(?,?,?,?,?,?)", count: chunk.count).joined(separator: ",")
            let sql: String = "INSERT INTO env_observations (station, parameter, t, hour, value, received_at) VALUES " + values
                + " ON CONFLICT (station, parameter, t) DO NOTHING RETURNING station, parameter, t"
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * 6)
            for r in chunk {
                binds.append(.text(r.station)); binds.append(.text(r.parameter)); binds.append(.integer(Int(r.t)))
                binds.append(.integer(Int(r.hour))); binds.append(.float(r.value)); binds.append(.integer(Int(received)))
            }
            for row in try await db.query(sql, binds).get() {
                if let st = row.column("station")?.string, let p = row.column("parameter")?.string, let t = row.column("t")?.integer {
                    inserted.insert(rowKey(st, p, Int64(t)))
                }
            }
        }
        var dirty = Set<HourKey>()
        for r in rows where !inserted.contains(rowKey(r.station, r.parameter, r.t)) {
            // An instant already stored: a correction when the value differs (a repeat changes nothing).
            let changed = try await db.query("UPDATE env_observations SET value = ?, received_at = ? WHERE station = ? AND parameter = ? AND t = ? AND value <> ? RETURNING t",
                                             [.float(r.value), .integer(Int(received)), .text(r.station), .text(r.parameter), .integer(Int(r.t)), .float(r.value)]).get()
            if !changed.isEmpty { dirty.insert(HourKey(station: r.station, parameter: r.parameter, hour: r.hour)) }
        }
        timing?.add(\.rows, since: mark); mark = ContinuousClock.now
        let newRows = rows.filter { inserted.contains(rowKey($0.station, $0.parameter, $0.t)) }
        let adds = deltas(newRows, excluding: dirty)
        for start in stride(from: 0, to: adds.count, by: 4_000) {
            let chunk = adds[start..<min(start + 4_000, adds.count)]
            let values: String = Array(repeating: "(?,?,?,?,?,?,?)", count: chunk.count).joined(separator: ",")
            let sql: String = "INSERT INTO env_hourly (station, parameter, hour, n, total, vmin, vmax) VALUES " + values + " " + hourlyAddSQLite
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * 7)
            for (k, d) in chunk {
                binds.append(.text(k.station)); binds.append(.text(k.parameter)); binds.append(.integer(Int(k.hour)))
                binds.append(.integer(d.n)); binds.append(.float(d.total)); binds.append(.float(d.vmin)); binds.append(.float(d.vmax))
            }
            _ = try await db.query(sql, binds).get()
        }
        let recompute = Array(dirty)
        for start in stride(from: 0, to: recompute.count, by: 8_000) {
            let chunk = recompute[start..<min(start + 8_000, recompute.count)]
            let keys: String = Array(repeating: "(?,?,?)", count: chunk.count).joined(separator: ",")
            let sql: String = "WITH k(station, parameter, hour) AS (VALUES " + keys + ") " + hourlySQLite
            _ = try await db.query(sql, chunk.flatMap { [SQLiteData.text($0.station), .text($0.parameter), .integer(Int($0.hour))] }).get()
        }
        timing?.add(\.hourly, since: mark); mark = ContinuousClock.now
        let touched = Set(adds.map(\.0)).union(dirty)
        let days = Array(Set(touched.map { DayKey(station: $0.station, parameter: $0.parameter, day: EnvTime.dayNumber(ofHourLabel: $0.hour)) }))
        defer { timing?.add(\.daily, since: mark) }
        for start in stride(from: 0, to: days.count, by: 8_000) {
            let chunk = days[start..<min(start + 8_000, days.count)]
            let keys: String = Array(repeating: "(?,?,?)", count: chunk.count).joined(separator: ",")
            let sql: String = "WITH k(station, parameter, day) AS (VALUES " + keys + ") " + dailySQLite
            _ = try await db.query(sql, chunk.flatMap { [SQLiteData.text($0.station), .text($0.parameter), .integer(Int($0.day))] }).get()
        }
    }

    static let hourlyAddSQLite = """
        ON CONFLICT (station, parameter, hour) DO UPDATE SET n = n + excluded.n, total = total + excluded.total,
        vmin = MIN(vmin, excluded.vmin), vmax = MAX(vmax, excluded.vmax)
        """
    static let hourlySQLite = """
        INSERT INTO env_hourly (station, parameter, hour, n, total, vmin, vmax)
        SELECT o.station, o.parameter, k.hour, COUNT(*), SUM(o.value), MIN(o.value), MAX(o.value) FROM k
        JOIN env_observations o ON o.station = k.station AND o.parameter = k.parameter AND o.t > k.hour - 3600 AND o.t <= k.hour
        WHERE true GROUP BY o.station, o.parameter, k.hour
        ON CONFLICT (station, parameter, hour) DO UPDATE SET n = excluded.n, total = excluded.total, vmin = excluded.vmin, vmax = excluded.vmax
        """
    static let dailySQLite = """
        INSERT INTO env_daily (station, parameter, day, n, total, vmin, vmax)
        SELECT h.station, h.parameter, k.day, COUNT(*), SUM(h.total / h.n), MIN(h.total / h.n), MAX(h.total / h.n) FROM k
        JOIN env_hourly h ON h.station = k.station AND h.parameter = k.parameter
        AND h.hour > k.day * 86400 - 25200 AND h.hour <= k.day * 86400 + 61200
        WHERE true GROUP BY h.station, h.parameter, k.day
        ON CONFLICT (station, parameter, day) DO UPDATE SET n = excluded.n, total = excluded.total, vmin = excluded.vmin, vmax = excluded.vmax
        """

    private static func storePostgres(_ rows: [Row], received: Int64, _ db: any SQLDatabase, timing: Timing?) async throws {
        var mark = ContinuousClock.now
        var dirty = Set<HourKey>()
        struct Count: Decodable { var inserted: Int }
        for start in stride(from: 0, to: rows.count, by: 20_000) {
            let chunk = rows[start..<min(start + 20_000, rows.count)]
            // One statement: the new rows (a repeated instant is skipped), and their sums added to their hours.
            let inserted = try await db.raw("""
                WITH ins AS (
                  INSERT INTO env_observations (station, parameter, t, hour, value, received_at)
                  SELECT s, p, t, h, v, \(bind: received) FROM unnest(\(bind: chunk.map(\.station))::text[], \(bind: chunk.map(\.parameter))::text[],
                    \(bind: chunk.map(\.t))::bigint[], \(bind: chunk.map(\.hour))::bigint[], \(bind: chunk.map(\.value))::float8[]) AS x(s, p, t, h, v)
                  ON CONFLICT (station, parameter, t) DO NOTHING RETURNING station, parameter, hour, value),
                up AS (
                  INSERT INTO env_hourly (station, parameter, hour, n, total, vmin, vmax)
                  SELECT station, parameter, hour, COUNT(*), SUM(value), MIN(value), MAX(value) FROM ins GROUP BY station, parameter, hour
                  ON CONFLICT (station, parameter, hour) DO UPDATE SET n = env_hourly.n + excluded.n, total = env_hourly.total + excluded.total,
                    vmin = LEAST(env_hourly.vmin, excluded.vmin), vmax = GREATEST(env_hourly.vmax, excluded.vmax)
                  RETURNING 1)
                SELECT (SELECT COUNT(*) FROM ins)::int AS inserted, (SELECT COUNT(*) FROM up)::int AS hours
                """).first(decoding: Count.self)?.inserted ?? 0
            guard inserted < chunk.count else { continue }
            // Instants already stored: corrections where the value differs (rows inserted just now hold their value).
            let changed = try await db.raw("""
                UPDATE env_observations o SET value = x.v, received_at = \(bind: received)
                FROM unnest(\(bind: chunk.map(\.station))::text[], \(bind: chunk.map(\.parameter))::text[], \(bind: chunk.map(\.t))::bigint[],
                  \(bind: chunk.map(\.value))::float8[]) AS x(s, p, t, v)
                WHERE o.station = x.s AND o.parameter = x.p AND o.t = x.t AND o.value <> x.v
                RETURNING o.station, o.parameter, o.hour
                """).all()
            for r in changed {
                dirty.insert(HourKey(station: try r.decode(column: "station", as: String.self), parameter: try r.decode(column: "parameter", as: String.self),
                                     hour: try r.decode(column: "hour", as: Int64.self)))
            }
        }
        timing?.add(\.rows, since: mark); mark = ContinuousClock.now
        if !dirty.isEmpty {
            let hours = Array(dirty)
            try await db.raw("""
                INSERT INTO env_hourly (station, parameter, hour, n, total, vmin, vmax)
                SELECT o.station, o.parameter, k.hour, COUNT(*), SUM(o.value), MIN(o.value), MAX(o.value)
                FROM unnest(\(bind: hours.map(\.station))::text[], \(bind: hours.map(\.parameter))::text[], \(bind: hours.map(\.hour))::bigint[]) AS k(station, parameter, hour)
                JOIN env_observations o ON o.station = k.station AND o.parameter = k.parameter AND o.t > k.hour - 3600 AND o.t <= k.hour
                GROUP BY o.station, o.parameter, k.hour
                ON CONFLICT (station, parameter, hour) DO UPDATE SET n = excluded.n, total = excluded.total, vmin = excluded.vmin, vmax = excluded.vmax
                """).run()
        }
        timing?.add(\.hourly, since: mark); mark = ContinuousClock.now
        defer { timing?.add(\.daily, since: mark) }
        let days = Array(Set(rows.map { DayKey(station: $0.station, parameter: $0.parameter, day: EnvTime.dayNumber(ofHourLabel: $0.hour)) }))
        try await db.raw("""
            INSERT INTO env_daily (station, parameter, day, n, total, vmin, vmax)
            SELECT h.station, h.parameter, k.day, COUNT(*), SUM(h.total / h.n), MIN(h.total / h.n), MAX(h.total / h.n)
            FROM unnest(\(bind: days.map(\.station))::text[], \(bind: days.map(\.parameter))::text[], \(bind: days.map(\.day))::bigint[]) AS k(station, parameter, day)
            JOIN env_hourly h ON h.station = k.station AND h.parameter = k.parameter AND h.hour > k.day * 86400 - 25200 AND h.hour <= k.day * 86400 + 61200
            GROUP BY h.station, h.parameter, k.day
            ON CONFLICT (station, parameter, day) DO UPDATE SET n = excluded.n, total = excluded.total, vmin = excluded.vmin, vmax = excluded.vmax
            """).run()
    }

    struct HourKey: Hashable { var station: String; var parameter: String; var hour: Int64 }
    struct DayKey: Hashable { var station: String; var parameter: String; var day: Int64 }
}

/// Instants of the environment service: whole seconds since 1970, labelled in Vietnam's time (UTC+7, no daylight saving).
enum EnvTime {
    static let offset: Int64 = 25_200
    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    /// An ISO 8601 instant with an offset, or a local time without one (`2026-12-08T10:00`, `2026-12-08 10:00:00`).
    static func parse(_ text: String) -> Int64? {
        guard text.utf8.count >= 16, text.utf8.count <= 40 else { return nil }
        if let t = fast(text) { return t }
        if let d = ISO8601.parse(text) { return Int64(d.timeIntervalSince1970.rounded(.down)) }
        return local(text)
    }

    /// `yyyy-MM-ddTHH:mm:ss[.fff…](Z|±HH:MM)`, the form data loggers send, read without a formatter (the ingest's
    /// hot path); anything else goes to the general parser.
    static func fast(_ text: String) -> Int64? {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { s -> Int64? in
            guard s.count >= 20, s[4] == 0x2D, s[7] == 0x2D, s[10] == 0x54, s[13] == 0x3A, s[16] == 0x3A else { return nil }
            func num(_ a: Int, _ b: Int) -> Int? {
                var v = 0
                for i in a..<b { guard (0x30...0x39).contains(s[i]) else { return nil }; v = v * 10 + Int(s[i] - 0x30) }
                return v
            }
            guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16), let sec = num(17, 19),
                  (1...12).contains(mo), h < 24, mi < 60, sec < 60, CivilDate.isValid(year: y, month: mo, day: d) else { return nil }
            var i = 19
            if i < s.count, s[i] == 0x2E {  // a fraction: dropped (whole seconds)
                i += 1
                let start = i
                while i < s.count, (0x30...0x39).contains(s[i]) { i += 1 }
                guard i > start else { return nil }
            }
            var offset = 0
            if i == s.count - 1, s[i] == 0x5A { offset = 0 } else if i == s.count - 6, s[i] == 0x2B || s[i] == 0x2D, s[i + 3] == 0x3A,
                let oh = num(i + 1, i + 3), let om = num(i + 4, i + 6), oh < 15, om < 60 {
                offset = (oh * 3600 + om * 60) * (s[i] == 0x2B ? 1 : -1)
            } else { return nil }
            return Int64(CivilDate(year: y, month: mo, day: d).daysSince1970) * 86_400 + Int64(h * 3600 + mi * 60 + sec - offset)
        } ?? nil
    }

    /// `yyyy-MM-ddTHH:mm[:ss]` in Vietnam's time.
    static func local(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        guard s.count == 16 || s.count == 19, s[4] == 0x2D, s[7] == 0x2D, s[10] == 0x54 || s[10] == 0x20, s[13] == 0x3A else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for i in a..<b { guard (0x30...0x39).contains(s[i]) else { return nil }; v = v * 10 + Int(s[i] - 0x30) }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16),
              (1...12).contains(mo), (1...31).contains(d), (0...24).contains(h), (0...59).contains(mi) else { return nil }
        var sec = 0
        if s.count == 19 { guard s[16] == 0x3A, let ss = num(17, 19), ss < 60 else { return nil }; sec = ss }
        guard h < 24 || (mi == 0 && sec == 0) else { return nil }
        guard CivilDate.isValid(year: y, month: mo, day: d) else { return nil }
        let civil = CivilDate(year: y, month: mo, day: d)
        return Int64(civil.daysSince1970) * 86_400 + Int64(h * 3600 + mi * 60 + sec) - offset
    }

    /// The hour an instant belongs to, by its end (a value at 09:10 or at 10:00 is in the hour labelled 10:00).
    static func hourLabel(_ t: Int64) -> Int64 {
        let r = t % 3600
        return r == 0 ? t : t - r + 3600 // instants after 1970 only (validated)
    }

    /// The local day an hour label belongs to (labels 01:00 … 24:00), as days since 1970.
    static func dayNumber(ofHourLabel h: Int64) -> Int64 { (h - 3600 + offset) / 86_400 }

    /// The epoch of a local day's 00:00.
    static func midnight(dayNumber: Int64) -> Int64 { dayNumber * 86_400 - offset }

    static func format(_ t: Int64) -> String { ISO8601.format(Date(timeIntervalSince1970: TimeInterval(t))) }

    /// `2026-12-08T10:00+07:00` for an hour label (hour 24:00 is shown as the next day's 00:00).
    static func localLabel(_ t: Int64) -> String {
        let local = t + offset
        let day = CivilDate(daysSince1970: Int(local / 86_400))
        let s = Int(local % 86_400)
        return String(format: "%04d-%02d-%02dT%02d:%02d+07:00", day.year, day.month, day.day, s / 3600, (s % 3600) / 60)
    }
}
