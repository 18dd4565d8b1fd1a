import Fluent
import Foundation
import IOCCore
import Vapor

/// Quan trắc môi trường và thủy văn: stations (air quality, water level, rainfall, weather, forest-fire danger), their
/// observations with hourly and daily aggregates, VN_AQI (QĐ 1459/QĐ-TCMT), silence alarms, the public page and the
/// series that alert rules watch.
struct EnvironmentModule: ServiceModule {
    var id: String { "environment" }

    func migrations(_ app: Application) -> [any Migration] { [CreateEnvironment()] }

    func routes(_ v1: APIBuilder, app: Application) throws {
        EnvironmentController.register(v1)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        [StationSilence.task()] + BackgroundTask.demoSimulator("environment.demo-simulator", app: app) { app, rng in
            try await DemoEnvironment.simulate(app: app, rng: &rng)
        }
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.tile("environment", EnvironmentWall.tile, drill: EnvironmentWall.drill)
        wall.choropleth("environment.aqi", label: .init(vi: "Chỉ số chất lượng không khí (VN_AQI) cao nhất", en: "Highest air-quality index (VN_AQI)"),
                        EnvironmentWall.aqiByCommune)
    }

    var liveTopics: [LiveTopicRule] {
        [LiveTopicRule("environment", prefix: EnvironmentService.topic, access: .public)]
    }

    var liveObservers: [LiveObserver] {
        // A station changed on another instance: read the stations again (the observer gets the topic).
        [LiveObserver(prefix: EnvironmentService.stationsTopic) { app, topic in
            if topic == EnvironmentService.stationsTopic { app.stationIndex.invalidate() }
        }]
    }

    func loadDemo(_ context: DemoContext) async throws {
        try await DemoEnvironment.load(context)
    }

    var watchedTables: [String] { [StationModel.schema, "env_observations", "env_hourly", "env_daily"] }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "environment", title: "nav.environment", icon: "i-globe", roles: [.admin, .operator, .leader, .analyst, .officer])]
    }

    var i18nBundles: [String] { ["environment"] }

    var series: [SeriesSource] {
        let subjects: @Sendable (Application, any Database, String) async throws -> [SeriesSource.Subject] = { app, db, parameter in
            let p = parameter == "aqi" || AQIParameter(rawValue: parameter) != nil ? "pm25" : parameter
            return try await StationModel.query(on: db).filter(\.$active == true).all()
                .filter { parameter == "aqi" ? $0.kind == "air" : $0.parameterList.contains(p) }
                .map { .init(code: $0.id ?? "", name: $0.name, unitCode: $0.unitCode, lat: $0.lat, lon: $0.lon, levels: $0.levels) }
        }
        return [
            SeriesSource(key: "environment.observation", name: .init(vi: "Số liệu quan trắc của trạm", en: "Station observations"),
                         parameters: { _, _ in EnvParameter.all.map { .init(code: $0.code, name: .init(vi: $0.vi, en: $0.en), unit: $0.unit) } },
                         subjects: subjects,
                         points: { _, db, subject, parameter, from, to in
                             try await EnvironmentService.points(station: subject, parameter: parameter, from: from, to: to, on: db)
                         }),
            SeriesSource(key: "environment.aqi", name: .init(vi: "VN_AQI giờ của trạm (hoặc chỉ số của một thông số)", en: "Station hourly VN_AQI (or one parameter's sub-index)"),
                         parameters: { _, _ in
                             [.init(code: "aqi", name: .init(vi: "VN_AQI giờ", en: "Hourly VN_AQI"), unit: "AQI")]
                                 + AQIParameter.allCases.map { p in
                                     let i = EnvParameter.byCode[p.rawValue]!
                                     return .init(code: p.rawValue, name: .init(vi: "AQI \(i.vi)", en: "\(i.en) AQI"), unit: "AQI")
                                 }
                         },
                         subjects: subjects,
                         points: { _, db, subject, parameter, from, to in
                             try await EnvironmentService.aqiPoints(station: subject, parameter: parameter, from: from, to: to, on: db)
                         }),
        ]
    }
}

/// A station that stops reporting for twice its interval raises an alarm (minor), cleared when it reports again.
enum StationSilence {
    static func key(_ station: String) -> String { "env-silent/\(station)" }

    static func task() -> BackgroundTask {
        BackgroundTask("environment.silence", mode: .singleton, every: .seconds(300), jitter: 0.1) { app in
            try await sweep(app: app, now: app.clock.now)
        }
    }

    static func sweep(app: Application, now: Date) async throws {
        let stations = try await StationModel.query(on: app.db).filter(\.$active == true).all()
        guard !stations.isEmpty else { return }
        let states = try await EnvironmentService.now(stations, app: app, db: app.db, now: now)
        let prefix = "\(EventService.manualSource.uuidString.prefix(8))|"
        let open = Set(try await AlarmModel.query(on: app.db).filter(\.$key ~~ stations.map { prefix + key($0.id ?? "") })
            .filter(\.$state != AlarmState.cleared.rawValue).all().map(\.key))
        let stamp = Int(now.timeIntervalSince1970) / 300
        var events: [EventService.Valid] = []
        for s in states {
            let k = key(s.station.code)
            if s.silent, !open.contains(prefix + k) {
                events.append(.init(externalID: "\(k)/\(stamp)", kind: "environment.silent", level: "minor", occurredAt: now,
                                    title: "Trạm \(s.station.name) không gửi số liệu", titleEn: "Station \(s.station.name) stopped reporting",
                                    description: "Lần cuối / Last: \(s.lastAt ?? "—")", unitCode: s.station.unitCode, lat: s.station.lat, lon: s.station.lon,
                                    alarmKey: k, clear: false))
            } else if !s.silent, open.contains(prefix + k) {
                events.append(.init(externalID: "\(k)/\(stamp)/clear", kind: "environment.silent", level: "info", occurredAt: now,
                                    title: "Trạm \(s.station.name) gửi số liệu trở lại", titleEn: "Station \(s.station.name) is reporting again",
                                    description: "", unitCode: s.station.unitCode, lat: s.station.lat, lon: s.station.lon, alarmKey: k, clear: true))
            }
        }
        if !events.isEmpty {
            _ = try await EventService.ingest(events, sourceID: EventService.manualSource, sourceName: "IOC", actor: "system:environment",
                                              origin: "environment", app: app, db: app.db, now: now)
        }
    }
}

/// The environment tile (worst AQI, water above alarm levels, silent stations) and its service screen (the stations).
enum EnvironmentWall {
    static func visible(_ req: Request, _ scope: WallScope) async throws -> [StationModel] {
        var stations = try await StationModel.query(on: req.db).filter(\.$active == true).sort(\.$id).all()
        if let codes = scope.agencyCodes {
            // Officers: the stations of their agencies (by owner), or those in the communes their agencies serve.
            let d = try await req.application.agencyDirectory.snapshot(on: req.db)
            let units = Set(codes.compactMap { d.agencyByCode[$0] }.flatMap(\.units))
            stations = stations.filter { s in (s.ownerAgency.map(codes.contains) ?? false) || units.contains(s.unitCode) }
        }
        return stations
    }

    @Sendable static func tile(_ req: Request, _ scope: WallScope) async throws -> WallTile {
        let states = try await EnvironmentService.now(try await visible(req, scope), app: req.application, db: req.db, now: req.now)
        let worst = states.compactMap { s in s.aqi?.aqi.map { (s, $0) } }.max { $0.1 < $1.1 }
        let flooding = states.filter { ($0.alarmLevel ?? 0) >= 1 }
        let silent = states.filter(\.silent).count
        func sev(_ aqi: Int?) -> String? { aqi.map { $0 > 150 ? "bad" : $0 > 100 ? "warn" : "good" } }
        var figures = [
            WallTile.Figure(key: "aqiMax", label: .init(vi: "AQI cao nhất" + (worst.map { " (\($0.0.station.name))" } ?? ""),
                                                       en: "Highest AQI" + (worst.map { " (\($0.0.station.name))" } ?? "")),
                            value: worst.map { Double($0.1) }, format: "integer", severity: sev(worst?.1)),
            WallTile.Figure(key: "waterAlarm", label: .init(vi: "Trạm mực nước vượt báo động", en: "Water stations above an alarm level"),
                            value: Double(flooding.count), format: "integer",
                            severity: flooding.contains { ($0.alarmLevel ?? 0) >= 2 } ? "bad" : flooding.isEmpty ? "good" : "warn"),
            WallTile.Figure(key: "silent", label: .init(vi: "Trạm mất tín hiệu", en: "Silent stations"), value: Double(silent), format: "integer",
                            severity: silent > 0 ? "warn" : "good"),
        ]
        if let top = flooding.max(by: { ($0.alarmLevel ?? 0) < ($1.alarmLevel ?? 0) }), let w = top.latest["water_level"] {
            figures.append(.init(key: "waterTop", label: .init(vi: "Mực nước \(top.station.name) (cm, BĐ \(top.alarmLevel ?? 0))",
                                                            en: "Water level \(top.station.name) (cm, alarm \(top.alarmLevel ?? 0))"),
                                 value: w, format: "integer", severity: (top.alarmLevel ?? 0) >= 2 ? "bad" : "warn"))
        }
        let last = states.compactMap { $0.lastAt.flatMap(ISO8601.parse) }.max()
        return WallTile(id: "environment", title: .init(vi: "Môi trường – thủy văn", en: "Environment and water"), link: "/#/environment",
                        figures: figures, trend: nil,
                        freshness: .init(lastDataAt: last, expectedSeconds: 3600, stale: last.map { req.now.timeIntervalSince($0) > 7200 } ?? true))
    }

    @Sendable static func drill(_ req: Request, _ q: WallDrillQuery) async throws -> WallDrill {
        var stations = try await visible(req, q.scope)
        if let unit = q.unit { stations = stations.filter { $0.unitCode == unit } }
        let states = try await EnvironmentService.now(stations, app: req.application, db: req.db, now: req.now)
        let rows = states.map { s in
            WallDrill.Row(key: s.station.code, name: "\(s.station.name) · \(s.station.unitName ?? s.station.unitCode)",
                          values: ["aqi": s.aqi?.aqi.map(Double.init), "pm25": s.latest["pm25"], "water": s.latest["water_level"],
                                   "level": s.alarmLevel.map(Double.init), "rain": s.latest["rainfall"]],
                          severity: ["aqi": (s.aqi?.aqi ?? 0) > 150 ? "bad" : (s.aqi?.aqi ?? 0) > 100 ? "warn" : "good",
                                     "level": (s.alarmLevel ?? 0) >= 2 ? "bad" : (s.alarmLevel ?? 0) >= 1 ? "warn" : "good"])
        }
        return WallDrill(tile: "environment", title: .init(vi: "Trạm quan trắc môi trường – thủy văn", en: "Environment and water stations"),
                         level: .unit, asOf: req.now, agency: nil, unit: nil,
                         columns: [
                            .init(key: "aqi", label: .init(vi: "VN_AQI giờ", en: "Hourly VN_AQI"), format: "integer"),
                            .init(key: "pm25", label: .init(vi: "PM2.5 (µg/m³)", en: "PM2.5 (µg/m³)"), format: "decimal"),
                            .init(key: "water", label: .init(vi: "Mực nước (cm)", en: "Water level (cm)"), format: "integer"),
                            .init(key: "level", label: .init(vi: "Cấp báo động", en: "Alarm level"), format: "integer"),
                            .init(key: "rain", label: .init(vi: "Mưa (mm)", en: "Rain (mm)"), format: "decimal"),
                         ], rows: rows, items: [])
    }

    @Sendable static func aqiByCommune(_ req: Request, _ scope: WallScope) async throws -> [String: Int] {
        let states = try await EnvironmentService.now(try await visible(req, scope).filter { $0.kind == "air" }, app: req.application, db: req.db, now: req.now)
        var out: [String: Int] = [:]
        for s in states { if let a = s.aqi?.aqi { out[s.station.unitCode] = max(out[s.station.unitCode] ?? 0, a) } }
        return out
    }
}
