import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Quan trắc môi trường: stations, observations, VN_AQI and the public view of them.
enum EnvironmentController {
    static let staff: Access = .roles([.admin, .operator, .leader, .officer, .analyst])

    static let stationSchema = SharedSchemas.register("StationInput", .object([
        "code": .string, "name": .string, "kind": .enumeration(["air", "water", "rain", "weather", "fire"]), "lat": .number, "lon": .number,
        "unitCode": .string, "ownerAgency": .string, "parameters": .array(.string), "intervalSeconds": .integer,
        "alarmLevels": .object(["1": .number, "2": .number, "3": .number], required: []), "river": .string, "active": .boolean,
    ], required: ["code", "name", "kind", "lat", "lon"]))
    static let observationSchema = SharedSchemas.register("ObservationInput", .object([
        "station": .string, "parameter": .described(.string, "pm25 | pm10 | o3 | co | so2 | no2 (µg/m³) | water_level (cm) | rainfall (mm) | temperature | humidity | wind_speed | fire_risk"),
        "time": .described(.string, "ISO 8601; an hourly value's time is the end of its hour"), "value": .number,
    ], required: ["station", "parameter", "time", "value"]))

    static func register(_ api: APIBuilder) {
        let s = api.group("stations", tag: "Environment")
        s.on(.GET, access: staff, summary: "Stations with their latest state (AQI, water level against alarm levels, silence)", response: .any, use: list)
        s.on(.POST, access: .admin, summary: "Register a station (the commune is found from its point)", body: stationSchema, response: .any, status: .created, use: create)
        s.on(.PUT, ":code", access: .admin, summary: "Change a station", body: stationSchema, response: .any, use: update)
        s.on(.GET, ":code", access: .public, summary: "One station and its latest state", response: .any, use: one)
        s.on(.GET, ":code", "aqi", access: .public, summary: "VN_AQI of a station (QĐ 1459/QĐ-TCMT): hourly at an hour label or daily for a date",
             query: [.init("kind", "hourly | daily", .string), .init("at", "hourly: the local time of an hour label (2026-12-08T10:00)", .string),
                     .init("date", "daily: YYYY-MM-DD", .string)], response: .any, use: aqi)
        s.on(.GET, ":code", "series", access: .public, summary: "Hourly means and hourly AQI over the last hours (48 by default, at most 24×14)",
             query: [.init("hours", "1–336", .integer)], response: .any, use: series)
        api.on(.POST, "observations", access: .rolesOrSource([.admin], kinds: [.observations]),
               summary: "Observations in a batch (all or nothing; idempotent per station × parameter × time; late values accepted); 201 once committed",
               body: .array(observationSchema), response: .any, status: .created, maxBodySize: "16mb", use: ingest)
        let p = api.group("public", "environment", tag: "Environment")
        p.on(.GET, access: .public, summary: "Every active station's latest state (no sign-in)", response: .any, use: publicNow)
        p.on(.GET, "definition", access: .public, summary: "How VN_AQI is computed here (QĐ 1459/QĐ-TCMT and this project's choices)", response: .any, use: definition)
    }

    @Sendable static func list(_ req: Request) async throws -> [EnvironmentService.StationNow] {
        let stations = try await StationModel.query(on: req.db).sort(\.$id).all()
        return try await EnvironmentService.now(stations, app: req.application, db: req.db, now: req.now)
    }

    @Sendable static func publicNow(_ req: Request) async throws -> Response {
        let stations = try await StationModel.query(on: req.db).filter(\.$active == true).sort(\.$id).all()
        let out = try await EnvironmentService.now(stations, app: req.application, db: req.db, now: req.now)
        let r = try await out.encodeResponse(for: req)
        r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=30")
        return r
    }

    struct Definition: Content { var vi: String; var en: String; var categories: [AQICategory] }

    @Sendable static func definition(_ req: Request) async throws -> Definition {
        Definition(vi: VNAQI.definition.vi, en: VNAQI.definition.en, categories: AQICategory.all)
    }

    static func station(_ req: Request) async throws -> StationModel {
        let code = req.parameters.get("code") ?? ""
        guard (try? Validate.code(code, field: "code", max: 32)) != nil, let s = try await StationModel.find(code, on: req.db) else { throw IOCError.notFound("Station", vi: "trạm quan trắc") }
        return s
    }

    @Sendable static func one(_ req: Request) async throws -> EnvironmentService.StationNow {
        let s = try await station(req)
        return try await EnvironmentService.now([s], app: req.application, db: req.db, now: req.now)[0]
    }

    @Sendable static func create(_ req: Request) async throws -> StationDTO {
        let input = try req.decodeBody(EnvironmentService.StationInput.self)
        let s = StationModel()
        try EnvironmentService.apply(input, to: s, isNew: true, app: req.application, now: req.now)
        let actor = req.principal?.auditName ?? "anonymous"
        let origin = req.clientAddress
        let app = req.application
        let code = s.id ?? ""
        try await app.audit.transaction(on: req.db) { tx in
            guard try await StationModel.find(code, on: tx) == nil else {
                throw IOCError.conflict("code", vi: "Đã có trạm \(code).", en: "Station \(code) already exists.")
            }
            try await s.create(on: tx)
            return ((), AuditRecord(actor: actor, action: "stations.create", targetType: "station", targetID: code, origin: origin,
                                    details: "\(s.kind) \(s.unitCode)"))
        }
        changed(app)
        return s.dto(app)
    }

    @Sendable static func update(_ req: Request) async throws -> StationDTO {
        let s = try await station(req)
        let input = try req.decodeBody(EnvironmentService.StationInput.self)
        try EnvironmentService.apply(input, to: s, isNew: false, app: req.application, now: req.now)
        let actor = req.principal?.auditName ?? "anonymous"
        let origin = req.clientAddress
        let app = req.application
        try await app.audit.transaction(on: req.db) { tx in
            try await s.update(on: tx)
            return ((), AuditRecord(actor: actor, action: "stations.update", targetType: "station", targetID: s.id ?? "", origin: origin))
        }
        changed(app)
        return s.dto(app)
    }

    static func changed(_ app: Application) {
        app.stationIndex.invalidate()
        _ = app.live.publish(topic: EnvironmentService.topic, json: #"{"kind":"stations"}"#)
        _ = app.live.publish(topic: EnvironmentService.stationsTopic, json: #"{"kind":"stations"}"#)
    }

    struct IngestOutcome: Content { var accepted: Int; var stations: [String] }

    @Sendable static func ingest(_ req: Request) async throws -> IngestOutcome {
        let items = try req.decodeBody([ObservationIngest.Input].self)
        let now = req.now
        let stations = try await req.application.stationIndex.snapshot(on: req.db, now: now)
        let rows = try ObservationIngest.validate(items, stations: stations, now: now)
        try await ObservationIngest.store(rows, on: req.db, now: now)
        let codes = Array(Set(rows.map(\.station))).sorted()
        let params = Array(Set(rows.map(\.parameter))).sorted()
        struct Notice: Encodable { var kind = "observations"; var stations: [String]; var parameters: [String] }
        _ = req.application.live.publish(topic: EnvironmentService.topic, Notice(stations: codes, parameters: params))
        return IngestOutcome(accepted: rows.count, stations: codes)
    }

    @Sendable static func aqi(_ req: Request) async throws -> EnvironmentService.AQIDTO {
        let s = try await station(req)
        let code = s.id ?? ""
        let kind = (try? req.query.get(String.self, at: "kind")) ?? "hourly"
        switch kind {
        case "hourly":
            guard let text = try? req.query.get(String.self, at: "at"), let t = EnvTime.parse(text), t % 3600 == 0 else {
                throw IOCError.invalid("at", vi: "at phải là giờ tròn theo giờ Việt Nam, ví dụ 2026-12-08T10:00.",
                                       en: "at must be a whole hour in Vietnam's time, e.g. 2026-12-08T10:00.")
            }
            let means = try await EnvironmentService.hourlyMeans(station: code, parameters: EnvironmentService.aqiParameters, from: t - 11 * 3600, to: t, on: req.db)
            return .init(station: code, kind: "hourly", at: EnvTime.localLabel(t), date: nil, EnvironmentService.hourlyAQI(means, at: t))
        case "daily":
            guard let text = try? req.query.get(String.self, at: "date"), let day = CivilDate(iso8601: text) else {
                throw IOCError.invalid("date", vi: "date phải có dạng YYYY-MM-DD.", en: "date must be YYYY-MM-DD.")
            }
            let n = Int64(day.daysSince1970)
            let midnight = EnvTime.midnight(dayNumber: n)
            let means = try await EnvironmentService.hourlyMeans(station: code, parameters: EnvironmentService.aqiParameters,
                                                                 from: midnight - 6 * 3600, to: midnight + 24 * 3600, on: req.db)
            return .init(station: code, kind: "daily", at: nil, date: text, EnvironmentService.dailyAQI(means, day: n))
        default:
            throw IOCError.invalid("kind", vi: "kind: hourly hoặc daily.", en: "kind must be hourly or daily.")
        }
    }

    struct SeriesDTO: Content {
        struct Hour: Content { var at: String; var aqi: Int?; var color: String?; var values: [String: Double] }
        var station: StationDTO
        var hours: [Hour]
    }

    @Sendable static func series(_ req: Request) async throws -> SeriesDTO {
        let s = try await station(req)
        let n = (try? req.query.get(Int.self, at: "hours")) ?? 48
        guard (1...336).contains(n) else { throw IOCError.invalid("hours", vi: "hours từ 1 đến 336.", en: "hours must be 1–336.") }
        let nowT = Int64(req.now.timeIntervalSince1970)
        let last = nowT - nowT % 3600
        let first = last - Int64(n - 1) * 3600
        let means = try await EnvironmentService.hourlyMeans(station: s.id ?? "", parameters: s.parameterList, from: first - 11 * 3600, to: last, on: req.db)
        var hours: [SeriesDTO.Hour] = []
        var h = first
        while h <= last {
            var values: [String: Double] = [:]
            for (p, m) in means { if let v = m[h] { values[p] = (v * 100).rounded() / 100 } }
            let r: AQIResult? = s.kind == "air" ? EnvironmentService.hourlyAQI(means, at: h) : nil
            hours.append(.init(at: EnvTime.localLabel(h), aqi: r?.aqi, color: r?.category?.color, values: values))
            h += 3600
        }
        return SeriesDTO(station: s.dto(req.application), hours: hours)
    }
}
