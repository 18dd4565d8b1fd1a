import Fluent
import Foundation
import IOCCore
import SQLiteKit
import SQLKit
import Vapor

/// `ioc bench observations`: issue 15's figures on the configured database (a fresh `IOC_DATA_DIR`, or `DATABASE_URL`),
/// in a release build. Observation ingest (JSON decode + validation + idempotent upsert + hourly and daily aggregates,
/// committed) in batches, against a bare multi-row INSERT of the same rows into a table of the same shape in the same
/// run; and the latency from an observation that crosses a water station's alarm level II to its alarm in the database.
struct BenchObservationsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "values", help: "Values to ingest (default 500000)") var values: Int?
        @Option(name: "batch", help: "Values per request (default 10000)") var batch: Int?
        @Option(name: "samples", help: "Rule latency samples (default 200)") var samples: Int?
    }

    var help: String { "Benchmark observations: ingest rate vs bare INSERT, observation-to-alarm latency (run on a release build)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        try await app.autoMigrate()
        _ = try await DemoProvince.load(on: app)
        #if DEBUG
        console.warning("This is a debug build: figures are not representative (swift build -c release).")
        #endif
        guard let sql = app.db as? any SQLDatabase else { return }
        let total = max(10_000, signature.values ?? 500_000)
        let batch = max(100, min(ObservationIngest.maxBatch, signature.batch ?? 10_000))
        let samples = max(20, signature.samples ?? 200)
        let now = app.clock.now
        console.print("Storage: \(app.iocConfiguration.redactedStorageDescription)")

        // 100 air stations in Buôn Ma Thuột (6 parameters each) and `samples` water stations with alarm level II at 100 cm.
        var points: [(Double, Double)] = []
        for i in 0..<100 {
            let lat: Double = 12.6679 + Double(i % 10) * 0.0002
            let lon: Double = 108.0382 + Double(i / 10) * 0.0002
            points.append((lat, lon))
        }
        try await StationModel.query(on: app.db).filter(\.$id =~ "BENCH-").delete()
        for (i, p) in points.enumerated() {
            let s = StationModel()
            try EnvironmentService.apply(.init(code: String(format: "BENCH-KK-%03d", i), name: "Bench \(i)", kind: "air", lat: p.0, lon: p.1), to: s, isNew: true, app: app, now: now)
            try await s.create(on: app.db)
        }
        for i in 0..<samples {
            let s = StationModel()
            try EnvironmentService.apply(.init(code: String(format: "BENCH-TV-%03d", i), name: "Bench water \(i)", kind: "water", lat: 12.6679, lon: 108.0382,
                                               alarmLevels: ["1": 50, "2": 100, "3": 150]), to: s, isNew: true, app: app, now: now)
            try await s.create(on: app.db)
        }
        app.stationIndex.invalidate()
        let stations = try await app.stationIndex.snapshot(on: app.db, now: now)

        // The values: hourly, going back in time, station × parameter × hour.
        let params = ["pm25", "pm10", "o3", "co", "so2", "no2"]
        let last = Int64(now.timeIntervalSince1970) - Int64(now.timeIntervalSince1970) % 3600
        var inputs: [ObservationIngest.Input] = []
        inputs.reserveCapacity(total)
        var k = 0
        while inputs.count < total {
            let hour = last - Int64(k / 600) * 3600
            let station = String(format: "BENCH-KK-%03d", (k / 6) % 100)
            inputs.append(.init(station: station, parameter: params[k % 6], time: ISO8601.format(Date(timeIntervalSince1970: TimeInterval(hour))),
                                value: Double(10 + (k * 7) % 90)))
            k += 1
        }
        let bodies = try stride(from: 0, to: inputs.count, by: batch).map { try JSONEncoder().encode(Array(inputs[$0..<min($0 + batch, inputs.count)])) }
        console.print("Ingesting \(total) values in \(bodies.count) batches of \(batch) …")
        var ingestSeconds = 0.0, decodeSeconds = 0.0
        let timing = ObservationIngest.Timing()
        for body in bodies {
            let start = ContinuousClock.now
            let items = try JSONDecoder().decode([ObservationIngest.Input].self, from: body)
            let rows = try ObservationIngest.validate(items, stations: stations, now: now)
            decodeSeconds += (ContinuousClock.now - start) / .seconds(1)
            try await ObservationIngest.store(rows, on: app.db, now: now, timing: timing)
            ingestSeconds += (ContinuousClock.now - start) / .seconds(1)
        }
        let rate = Double(total) / ingestSeconds

        // Bare: the same rows, one multi-row INSERT per batch into a table of the same shape (unique key, no aggregates, no validation).
        try await sql.raw("DROP TABLE IF EXISTS bench_obs_bare").run()
        try await sql.raw("CREATE TABLE bench_obs_bare (station TEXT NOT NULL, parameter TEXT NOT NULL, t BIGINT NOT NULL, hour BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, received_at BIGINT NOT NULL, UNIQUE (station, parameter, t))").run()
        var bareSeconds = 0.0
        for body in bodies {
            let items = try JSONDecoder().decode([ObservationIngest.Input].self, from: body)
            let rows = items.map { ObservationIngest.Row(station: $0.station!, parameter: $0.parameter!, t: EnvTime.parse($0.time!)!, value: $0.value!) }
            let start = ContinuousClock.now
            try await app.db.transaction { tx in
                if let sqlite = tx as? any SQLiteDatabase {
                    for s in stride(from: 0, to: rows.count, by: 5_000) {
                        let chunk = rows[s..<min(s + 5_000, rows.count)]
                        let values: String = Array(repeating: "(?,?,?,?,?,?)", count: chunk.count).joined(separator: ",")
                        var binds: [SQLiteData] = []
                        for r in chunk { binds += [.text(r.station), .text(r.parameter), .integer(Int(r.t)), .integer(Int(r.hour)), .float(r.value), .integer(0)] }
                        _ = try await sqlite.query("INSERT INTO bench_obs_bare VALUES " + values, binds).get()
                    }
                } else if let pg = tx as? any SQLDatabase {
                    try await pg.raw("""
                        INSERT INTO bench_obs_bare SELECT s, p, t, h, v, 0 FROM unnest(\(bind: rows.map(\.station))::text[], \(bind: rows.map(\.parameter))::text[],
                          \(bind: rows.map(\.t))::bigint[], \(bind: rows.map(\.hour))::bigint[], \(bind: rows.map(\.value))::float8[]) AS x(s, p, t, h, v)
                        """).run()
                }
            }
            bareSeconds += (ContinuousClock.now - start) / .seconds(1)
        }
        let bareRate = Double(total) / bareSeconds
        try await sql.raw("DROP TABLE bench_obs_bare").run()
        console.print(String(format: "Observation ingest (decode + validate + upsert + hourly/daily aggregates, committed): %.0f values/s", rate))
        console.print(String(format: "  of which: JSON decode + validation %.1f s, rows %.1f s, hourly aggregates %.1f s, daily aggregates %.1f s, commit and the rest %.1f s",
                             decodeSeconds, timing.rows, timing.hourly, timing.daily, ingestSeconds - decodeSeconds - timing.rows - timing.hourly - timing.daily))
        console.print(String(format: "Bare INSERT of the same rows (no validation, no aggregates), same run: %.0f values/s; ratio %.2f", bareRate, rate / bareRate))

        // Observation → alarm: a rule on every water station; each sample posts one crossing value and waits for its alarm.
        try await AlertRuleModel.query(on: app.db).filter(\.$id == "bench-water-2").delete()
        let rule = try AlertRuleService.check(.init(code: "bench-water-2", name: "Bench: mực nước vượt báo động II", series: "environment.observation",
                                                    parameter: "water_level", condition: .init(kind: "crossing", comparison: "above", levelRef: "2"),
                                                    severity: "critical", enabled: true), app: app)
        let m = AlertRuleModel()
        try AlertRuleService.apply(rule, to: m, actor: "bench", now: now)
        try await m.create(on: app.db)
        let prefix = "\(EventService.manualSource.uuidString.prefix(8))|"
        var latencies: [Double] = []
        for i in 0..<samples {
            let code = String(format: "BENCH-TV-%03d", i)
            let start = ContinuousClock.now
            let at = app.clock.now
            let rows = try ObservationIngest.validate([.init(station: code, parameter: "water_level", time: ISO8601.format(at), value: 120)], stations: stations, now: at)
            try await ObservationIngest.store(rows, on: app.db, now: at)
            // What the live observer does on the leading instance.
            app.ruleTrigger.request([code], app: app)
            let key = prefix + AlertRuleService.alarmKey(rule: "bench-water-2", subject: code)
            while try await AlarmModel.query(on: app.db).filter(\.$key == key).count() == 0 {
                if (ContinuousClock.now - start) > .seconds(10) { break }
                try await Task.sleep(for: .milliseconds(1))
            }
            latencies.append((ContinuousClock.now - start) / .milliseconds(1))
        }
        latencies.sort()
        func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)] }
        console.print(String(format: "Observation → alarm (commit, rule evaluation, alarm committed), %d samples: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                             latencies.count, pct(0.5), pct(0.99), latencies.last ?? 0))
    }
}
