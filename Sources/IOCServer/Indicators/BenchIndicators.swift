import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// `ioc bench indicators`: issue 12's figures on the configured database (a fresh `IOC_DATA_DIR`, or `DATABASE_URL`),
/// in a release build. N indicators (default 300, in 10 groups) × the province and its communes × Y years of months
/// (default 10): a group screen and the monthly report table, p50/p95, each beside the same SQL run bare; and the
/// import of a 300-row XLSX.
struct BenchIndicatorsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "indicators", help: "Indicators (default 300)") var indicators: Int?
        @Option(name: "years", help: "Years of monthly values (default 10)") var years: Int?
        @Option(name: "iterations", help: "Timed runs per query (default 40)") var iterations: Int?
    }

    var help: String { "Benchmark indicators: group screen and monthly report p95 over ~3.7 M values, XLSX import (run on a release build)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        try await app.autoMigrate()
        _ = try await DemoProvince.load(on: app)
        #if DEBUG
        console.warning("This is a debug build: figures are not representative (swift build -c release).")
        #endif
        let n = max(10, signature.indicators ?? 300)
        let years = max(2, signature.years ?? 10)
        let iterations = max(5, signature.iterations ?? 40)
        let province = app.iocConfiguration.provinceCode
        let communes = app.reference.units.communes(of: province).map(\.code)
        let units = [province] + communes
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: app.clock.now)
        let last = IndicatorPeriod.containing(today, kind: .month).previous
        let first = IndicatorPeriod(kind: .month, year: last.year - years, index: last.index).next
        let months = IndicatorPeriod.range(from: first, to: last)
        let codes = (1...n).map { String(format: "BENCH_%03d", $0) }
        let groupOf = { (i: Int) in String(format: "BG%02d", i % 10 + 1) }
        guard let sql = app.db as? any SQLDatabase else { return }
        console.print("Storage: \(app.iocConfiguration.redactedStorageDescription)")

        // The catalogue and values, once.
        if try await IndicatorModel.query(on: app.db).filter(\.$id == codes[0]).first() == nil {
            let agencies = try await app.agencyDirectory.snapshot(on: app.db)
            let catalogue = try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies)
            var batch = try JSONDecoder().decode(IndicatorCatalogService.Batch.self, from: Data("[]".utf8))
            batch.groups = (1...10).map { .init(code: String(format: "BG%02d", $0), name: "Nhóm \($0)", nameEn: "Group \($0)", parent: nil, order: $0) }
            batch.indicators = codes.enumerated().map { i, code in
                var e = try! JSONDecoder().decode(IndicatorCatalogService.Input.self, from: Data("{}".utf8))
                e.code = code; e.name = "Chỉ tiêu \(i + 1)"; e.nameEn = "Indicator \(i + 1)"; e.unit = "tỷ đồng"; e.period = "month"
                e.cumulative = i % 3 == 0; e.aggregation = i % 5 == 4 ? "mean" : "sum"; e.ownerAgency = "SO-TC"; e.group = groupOf(i)
                e.communes = true
                return e
            }
            let checked = IndicatorCatalogService.validate(batch, catalogue: catalogue, agencies: agencies, valueCounts: [:])
            guard checked.errors.isEmpty else { throw CommandFailure("bench catalogue: \(checked.errors.prefix(3).map(\.messages.en))") }
            _ = try await IndicatorCatalogService.store(groups: checked.groups, indicators: checked.indicators, catalogue: catalogue,
                                                        actor: "bench", now: app.clock.now, on: app.db)
            app.indicatorCatalog.invalidate()
            let started = ContinuousClock.now
            var rng = DemoRandom(seed: 12)
            var inserted = 0
            let now = app.clock.now
            for (i, code) in codes.enumerated() {
                var rows: [IndicatorValueModel] = []
                rows.reserveCapacity(units.count * months.count)
                for unit in units {
                    let base = unit == province ? 1000.0 : 10.0
                    var ytd = 0.0
                    for p in months {
                        if p.index == 1 { ytd = 0 }
                        let v = base * (1 + 0.1 * rng.unit())
                        ytd += v
                        let r = IndicatorValueModel()
                        r.id = UUID(); r.indicator = code; r.period = p.description; r.periodOrd = IndicatorValueService.ord(p); r.unitCode = unit
                        r.value = (i % 3 == 0 ? ytd : v).rounded(); r.status = "official"; r.vintage = 1; r.state = "approved"; r.current = true
                        r.agencyCode = "SO-TC"; r.enteredBy = "bench"; r.enteredAt = now; r.approvedBy = "bench"; r.approvedAt = now
                        r.note = ""; r.flags = "[]"
                        rows.append(r)
                    }
                }
                let batch = rows
                try await app.db.transaction { tx in try await DemoIndicators.insert(batch, on: tx) }
                inserted += rows.count
                if (i + 1) % 30 == 0 {
                    let s = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
                    console.print(String(format: "  … %d values (%.0f/s)", inserted, Double(inserted) / s))
                }
            }
            var plans: [IndicatorPlanModel] = []
            for code in codes {
                for y in first.year...last.year {
                    let p = IndicatorPlanModel()
                    p.id = UUID(); p.indicator = code; p.year = y; p.unitCode = province; p.kind = "plan"; p.quarter = 0; p.value = 13_000
                    p.document = "bench"; p.current = true; p.createdBy = "bench"; p.createdAt = now
                    plans.append(p)
                }
            }
            for chunk in stride(from: 0, to: plans.count, by: 500) { try await Array(plans[chunk..<min(chunk + 500, plans.count)]).create(on: app.db) }
            if app.iocConfiguration.isPostgres { try await sql.raw("ANALYZE").run() }
        }
        let total = try await IndicatorValueModel.query(on: app.db).count()

        func measure(_ body: () async throws -> Void) async throws -> (p50: Double, p95: Double) {
            try await body()
            var samples: [Double] = []
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                try await body()
                samples.append((ContinuousClock.now - start) / .milliseconds(1))
            }
            samples.sort()
            return (samples[samples.count / 2], samples[min(samples.count - 1, Int((Double(samples.count) * 0.95).rounded(.up)) - 1)])
        }
        func request(_ path: String) -> Request {
            Request(application: app, method: .GET, url: URI(string: path), on: app.eventLoopGroup.next())
        }
        let groupCodes = codes.enumerated().filter { groupOf($0.offset) == "BG01" }.map(\.element)
        let screen = try await measure {
            let req = request("/api/v1/indicators/screen?group=BG01")
            _ = try await IndicatorViews.screen(req).encodeResponse(for: req)
        }
        let screenCompute = try await measure {
            _ = try await IndicatorViews.screen(request("/api/v1/indicators/screen?group=BG01"))
        }
        let list = groupCodes.map { "'\($0)'" }.joined(separator: ",")
        let fromOrd = (today.year - 2) * 1000
        let screenBare = try await measure {
            _ = try await sql.raw(SQLQueryString("SELECT indicator, period, value, status, vintage, flags FROM ind_values WHERE indicator IN (\(unsafeRaw: list)) AND unit_code = \(bind: province) AND period_ord >= \(bind: fromOrd) AND period_ord <= \(bind: today.year * 1000 + 999) AND current = \(bind: true)")).all()
            _ = try await sql.raw(SQLQueryString("SELECT indicator, value FROM ind_plans WHERE indicator IN (\(unsafeRaw: list)) AND unit_code = \(bind: province) AND year IN (\(bind: today.year - 1), \(bind: today.year)) AND kind = 'plan' AND current = \(bind: true)")).all()
        }
        let report = try await measure {
            let req = request("/api/v1/indicators/report?month=\(last)")
            _ = try await IndicatorViews.report(req).encodeResponse(for: req)
        }
        let reportCompute = try await measure {
            _ = try await IndicatorViews.report(request("/api/v1/indicators/report?month=\(last)"))
        }
        let all = codes.map { "'\($0)'" }.joined(separator: ",")
        let reportBare = try await measure {
            _ = try await sql.raw(SQLQueryString("SELECT indicator, period, value FROM ind_values WHERE indicator IN (\(unsafeRaw: all)) AND unit_code = \(bind: province) AND period_ord >= \(bind: (last.year - 1) * 1000) AND period_ord <= \(bind: last.year * 1000 + 12) AND current = \(bind: true)")).all()
            _ = try await sql.raw(SQLQueryString("SELECT indicator, value FROM ind_plans WHERE indicator IN (\(unsafeRaw: all)) AND unit_code = \(bind: province) AND year = \(bind: last.year) AND kind = 'plan' AND current = \(bind: true)")).all()
        }
        console.print("Values in the database: \(total) (\(n) indicators × \(units.count) units × \(months.count) months); \(iterations) runs each")
        console.print(String(format: "Group screen (%d indicators): p50 %.1f ms, p95 %.1f ms; bare SQL p95 %.1f ms; ratio %.2f (goal ≤ 50 ms, ≤ 1.5)",
                             groupCodes.count, screen.p50, screen.p95, screenBare.p95, screen.p95 / screenBare.p95))
        console.print(String(format: "Monthly report (%d indicators): p50 %.1f ms, p95 %.1f ms; bare SQL p95 %.1f ms; ratio %.2f (goal ≤ 50 ms, ≤ 1.5)",
                             n, report.p50, report.p95, reportBare.p95, report.p95 / reportBare.p95))
        console.print(String(format: "  without JSON encoding: group screen p95 %.1f ms, monthly report p95 %.1f ms", screenCompute.p95, reportCompute.p95))

        // A 300-row XLSX import as the admin would upload it (parse, validate, flag, store: a new vintage each).
        var book = XLSXWriter()
        let rows: [[XLSXWriter.Cell]] = [IndicatorImport.header.map { .text($0) }] + codes.prefix(300).map {
            [.text($0), .text(""), .text(""), .text(last.description), .text(province), .number(1234.5), .text("official")]
        }
        book.addSheet(named: "Nhập số liệu", rows: rows)
        let data = try book.data()
        let started = ContinuousClock.now
        let parsed = try IndicatorImport.parse(data)
        let catalogue = try await app.indicatorCatalog.snapshot(on: app.db, agencies: app.agencyDirectory.snapshot(on: app.db))
        let (valid, errors) = IndicatorValueService.validate(parsed.map(\.input), catalogue: catalogue, province: province,
                                                             units: app.reference.units, ownAgencies: nil, today: today)
        guard errors.isEmpty else { throw CommandFailure("bench import: \(errors.prefix(3).map(\.messages.en))") }
        let now = app.clock.now
        try await app.db.transaction { tx in
            let allFlags = try await IndicatorValueService.flags(for: valid, province: province, on: tx)
            for v in valid {
                let flags = allFlags[v.index] ?? []
                let r = IndicatorValueModel()
                r.indicator = v.entry.dto.code; r.period = v.period.description; r.periodOrd = IndicatorValueService.ord(v.period); r.unitCode = v.unit
                r.value = v.value; r.status = v.status; r.vintage = 0; r.current = false; r.agencyCode = "SO-TC"; r.enteredBy = "bench"
                r.enteredAt = now; r.note = ""; r.flags = IndicatorValueService.encodeFlags(flags)
                try await IndicatorValueService.approve(r, by: "bench", at: now, on: tx)
            }
        }
        console.print(String(format: "XLSX import of %d rows (parse, validate, anomaly flags, new vintages): %.0f ms (goal ≤ 1,000 ms)",
                             valid.count, (ContinuousClock.now - started) / .milliseconds(1)))
    }
}
