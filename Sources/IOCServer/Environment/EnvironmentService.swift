import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

extension Application {
    private struct StationIndexKey: StorageKey { typealias Value = ObservationIngest.StationIndex }
    var stationIndex: ObservationIngest.StationIndex {
        if let s = storage[StationIndexKey.self] { return s }
        let s = ObservationIngest.StationIndex()
        storage[StationIndexKey.self] = s
        return s
    }
}

/// Stations and what their data say: hourly means, VN_AQI, the latest reading against alarm levels.
enum EnvironmentService {
    static let topic = "environment"
    /// Station changes, for the other instances' caches (not a topic clients subscribe to).
    static let stationsTopic = "environment-stations"

    struct StationInput: Content {
        var code: String?
        var name: String?
        var kind: String?
        var lat: Double?
        var lon: Double?
        var unitCode: String?
        var ownerAgency: String?
        var parameters: [String]?
        var intervalSeconds: Int?
        var alarmLevels: [String: Double]?
        var river: String?
        var active: Bool?
    }

    static let defaultParameters: [String: [String]] = [
        "air": ["pm25", "pm10", "o3", "co", "so2", "no2"], "water": ["water_level"], "rain": ["rainfall"],
        "weather": ["temperature", "humidity", "wind_speed", "rainfall"], "fire": ["fire_risk"],
    ]

    /// Validates a station; `existing` keeps what the input leaves out.
    static func apply(_ input: StationInput, to s: StationModel, isNew: Bool, app: Application, now: Date) throws {
        do {
            if isNew {
                let code = try Validate.code(input.code, field: "code", max: 32)
                s.id = code
                s.createdAt = now
            }
            if isNew || input.name != nil { s.name = try Validate.required(input.name, field: "name", max: 160) }
            if isNew || input.kind != nil {
                guard let k = input.kind, EnvParameter.kinds[k] != nil else {
                    throw IOCError.invalid("kind", vi: "kind: air, water, rain, weather hoặc fire.", en: "kind must be air, water, rain, weather or fire.")
                }
                s.kind = k
            }
            if isNew || input.lat != nil || input.lon != nil {
                guard let la = input.lat, let lo = input.lon, la.isFinite, lo.isFinite else {
                    throw IOCError.invalid("lat", vi: "Cần tọa độ lat và lon.", en: "lat and lon are required.")
                }
                let commune: String
                do { commune = try app.communeCode(of: Coordinate(latitude: la, longitude: lo)) } catch {
                    throw IOCError.invalid("lat", vi: "Vị trí trạm nằm ngoài địa bàn tỉnh.", en: "The station lies outside the province.")
                }
                s.lat = la; s.lon = lo
                s.unitCode = commune
            }
            if let u = input.unitCode {
                guard let unit = app.reference.units[u], unit.provinceCode == app.iocConfiguration.provinceCode, unit.code != unit.provinceCode else {
                    throw IOCError.invalid("unitCode", vi: "Mã xã/phường không thuộc tỉnh.", en: "unitCode is not a commune of this province.")
                }
                s.unitCode = u
            }
            if let owner = input.ownerAgency { s.ownerAgency = try Validate.code(owner, field: "ownerAgency", max: 32) }
            if isNew || input.parameters != nil {
                let ps = input.parameters ?? defaultParameters[s.kind] ?? []
                guard !ps.isEmpty, ps.count <= 20, ps.allSatisfy({ EnvParameter.byCode[$0] != nil }) else {
                    throw IOCError.invalid("parameters", vi: "Thông số không hợp lệ: \(ps.filter { EnvParameter.byCode[$0] == nil }.joined(separator: ", ")).",
                                           en: "Unknown parameters: \(ps.filter { EnvParameter.byCode[$0] == nil }.joined(separator: ", ")).")
                }
                s.parameters = Array(NSOrderedSet(array: ps)).compactMap { $0 as? String }.joined(separator: ",")
            }
            if isNew || input.intervalSeconds != nil {
                let i = input.intervalSeconds ?? 3600
                guard (60...86_400).contains(i) else {
                    throw IOCError.invalid("intervalSeconds", vi: "Chu kỳ gửi số liệu từ 60 giây đến 1 ngày.", en: "intervalSeconds must be 60 s to 1 day.")
                }
                s.intervalSeconds = i
            }
            if let levels = input.alarmLevels {
                guard levels.count <= 3, levels.allSatisfy({ ["1", "2", "3"].contains($0.key) && $0.value.isFinite }) else {
                    throw IOCError.invalid("alarmLevels", vi: "Mực nước báo động chỉ có cấp 1, 2, 3 (cm).", en: "Alarm levels are 1, 2 and 3 (cm).")
                }
                let sorted = ["1", "2", "3"].compactMap { levels[$0] }
                guard sorted == sorted.sorted() else {
                    throw IOCError.invalid("alarmLevels", vi: "Báo động I ≤ II ≤ III.", en: "Levels must rise: I ≤ II ≤ III.")
                }
                s.alarmLevels = String(data: try JSONEncoder.sorted.encode(levels), encoding: .utf8)
            } else if isNew { s.alarmLevels = nil }
            if let r = input.river { s.river = try Validate.text(r, field: "river", max: 80, required: false) }
            if isNew || input.active != nil { s.active = input.active ?? true }
            s.updatedAt = now
        } catch let v as ValidationFailure {
            throw IOCError.validation(v)
        }
    }

    // MARK: Reading

    /// Hourly means of `parameters` at one station for hour labels in `[from, to]`: parameter → label → mean.
    static func hourlyMeans(station: String, parameters: [String], from: Int64, to: Int64, on db: any Database) async throws -> [String: [Int64: Double]] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("parameter").column("hour").column("n").column("total").from("env_hourly")
            .where("station", .equal, station).where("parameter", .in, parameters)
            .where("hour", .greaterThanOrEqual, from).where("hour", .lessThanOrEqual, to).all()
        var out: [String: [Int64: Double]] = [:]
        for r in rows {
            let p = try r.decode(column: "parameter", as: String.self)
            let h = try r.decode(column: "hour", as: Int64.self)
            let n = try r.decode(column: "n", as: Int.self)
            let total = try r.decode(column: "total", as: Double.self)
            guard n > 0 else { continue }
            out[p, default: [:]][h] = total / Double(n)
        }
        return out
    }

    static let aqiParameters = AQIParameter.allCases.map(\.rawValue)

    static func hourlyAQI(_ means: [String: [Int64: Double]], at label: Int64) -> AQIResult {
        VNAQI.hourly { p, k in means[p.rawValue]?[label - Int64(k) * 3600] }
    }

    static func dailyAQI(_ means: [String: [Int64: Double]], day: Int64) -> AQIResult {
        let midnight = EnvTime.midnight(dayNumber: day)
        return VNAQI.daily { p, h in means[p.rawValue]?[midnight + Int64(h) * 3600] }
    }

    /// The AQI answer of the API.
    struct AQIDTO: Content {
        var station: String
        var kind: String
        var at: String?
        var date: String?
        var aqi: Int?
        var category: String?
        var categoryEn: String?
        var color: String?
        var dominant: String?
        var subIndices: [String: Int]
        var concentrations: [String: Double]
        var reason: String?
        var reasonEn: String?
        var reasonCode: String?
        var notes: [String: LocalizedMessage]

        init(station: String, kind: String, at: String?, date: String?, _ r: AQIResult) {
            self.station = station; self.kind = kind; self.at = at; self.date = date
            aqi = r.aqi
            category = r.category?.name; categoryEn = r.category?.nameEn; color = r.category?.color
            dominant = r.dominant?.rawValue
            subIndices = Dictionary(uniqueKeysWithValues: r.subIndices.map { ($0.key.rawValue, $0.value) })
            concentrations = Dictionary(uniqueKeysWithValues: r.concentrations.map { ($0.key.rawValue, ($0.value * 10).rounded() / 10) })
            reason = r.unavailable?.vi; reasonEn = r.unavailable?.en; reasonCode = r.unavailable?.code
            notes = Dictionary(uniqueKeysWithValues: r.notes.map { ($0.key.rawValue, LocalizedMessage(vi: $0.value.vi, en: $0.value.en)) })
        }
    }

    /// A station's latest state: the latest hour label with data, its hourly AQI (air), the latest value of each
    /// parameter and, for water, the alarm level reached.
    struct StationNow: Content {
        var station: StationDTO
        var lastAt: String?
        var silent: Bool
        var aqi: AQIDTO?
        var latest: [String: Double]
        var alarmLevel: Int?
    }

    static func now(_ stations: [StationModel], app: Application, db: any Database, now: Date) async throws -> [StationNow] {
        guard let sql = db as? any SQLDatabase, !stations.isEmpty else { return [] }
        let codes = stations.compactMap(\.id)
        let nowT = Int64(now.timeIntervalSince1970)
        // The latest observation of each station × parameter over the last two days.
        let rows = try await sql.raw("""
            SELECT o.station, o.parameter, o.t, o.value FROM env_observations o
            JOIN (SELECT station, parameter, MAX(t) AS t FROM env_observations WHERE station IN (\(binds: codes)) AND t > \(bind: nowT - 2 * 86_400) AND t <= \(bind: nowT + 300)
                  GROUP BY station, parameter) m ON m.station = o.station AND m.parameter = o.parameter AND m.t = o.t
            """).all()
        var latest: [String: [String: (Int64, Double)]] = [:]
        for r in rows {
            latest[try r.decode(column: "station", as: String.self), default: [:]][try r.decode(column: "parameter", as: String.self)] =
                (try r.decode(column: "t", as: Int64.self), try r.decode(column: "value", as: Double.self))
        }
        var out: [StationNow] = []
        for s in stations {
            let code = s.id ?? ""
            let values = latest[code] ?? [:]
            let lastT = values.values.map(\.0).max()
            var aqi: AQIDTO?
            if s.kind == "air", let lastT {
                let label = EnvTime.hourLabel(lastT)
                let means = try await hourlyMeans(station: code, parameters: aqiParameters, from: label - 11 * 3600, to: label, on: db)
                aqi = AQIDTO(station: code, kind: "hourly", at: EnvTime.localLabel(label), date: nil, hourlyAQI(means, at: label))
            }
            var level: Int?
            if let w = values["water_level"]?.1 {
                let levels = s.levels
                level = ["3", "2", "1"].first { levels[$0].map { w >= $0 } ?? false }.flatMap { Int($0) } ?? (levels.isEmpty ? nil : 0)
            }
            let silent = lastT.map { nowT - $0 > Int64(2 * s.intervalSeconds) } ?? true
            out.append(StationNow(station: s.dto(app), lastAt: lastT.map(EnvTime.format), silent: silent, aqi: aqi,
                                  latest: values.mapValues { $0.1 }, alarmLevel: level))
        }
        return out
    }

    // MARK: Series for alert rules

    /// Raw observations of one station × parameter.
    static func points(station: String, parameter: String, from: Date, to: Date, on db: any Database) async throws -> [SeriesPoint] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.select().column("t").column("value").from("env_observations")
            .where("station", .equal, station).where("parameter", .equal, parameter)
            .where("t", .greaterThanOrEqual, Int64(from.timeIntervalSince1970)).where("t", .lessThanOrEqual, Int64(to.timeIntervalSince1970))
            .orderBy("t").all().map { r in
                SeriesPoint(time: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "t", as: Int64.self))), value: try r.decode(column: "value", as: Double.self))
            }
    }

    /// Hourly VN_AQI (or one parameter's sub-index) of a station at each hour label in `[from, to]` that has one.
    static func aqiPoints(station: String, parameter: String, from: Date, to: Date, on db: any Database) async throws -> [SeriesPoint] {
        let first = EnvTime.hourLabel(Int64(from.timeIntervalSince1970))
        let last = Int64(to.timeIntervalSince1970) - Int64(to.timeIntervalSince1970) % 3600
        guard last >= first else { return [] }
        let means = try await hourlyMeans(station: station, parameters: aqiParameters, from: first - 11 * 3600, to: last, on: db)
        var out: [SeriesPoint] = []
        var h = first
        while h <= last {
            let r = hourlyAQI(means, at: h)
            let v: Double? = parameter == "aqi" ? r.aqi.map(Double.init) : AQIParameter(rawValue: parameter).flatMap { r.subIndices[$0] }.map(Double.init)
            if let v { out.append(SeriesPoint(time: Date(timeIntervalSince1970: TimeInterval(h)), value: v)) }
            h += 3600
        }
        return out
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
