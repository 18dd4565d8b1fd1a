import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// `ioc bench public-services`: the figures issue 4 asks for, on the configured database (use a fresh
/// `IOC_DATA_DIR`, or `DATABASE_URL`), in a release build: batch-ingest rate, and p50/p95 of the monthly report grouped
/// by agency and of the QĐ 766 scorecard over N dossiers, each next to the same SQL run bare.
struct BenchPublicServicesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "dossiers", help: "Dossiers to have in the database (default 1000000); missing ones are generated") var dossiers: Int?
        @Option(name: "iterations", help: "Timed runs per query (default 40)") var iterations: Int?
    }

    var help: String { "Benchmark public services: ingest rate, monthly report and scorecard p95 (run on a release build)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        _ = try await DemoProvince.load(on: app)
        let target = max(1_000, signature.dossiers ?? 1_000_000)
        let iterations = max(5, signature.iterations ?? 40)
        let existing = try await DossierModel.query(on: app.db).count()
        let console = context.console
        #if DEBUG
        console.warning("This is a debug build: figures are not representative (swift build -c release).")
        #endif
        console.print("Storage: \(app.iocConfiguration.redactedStorageDescription); dossiers present: \(existing)")
        if existing < target {
            // Several generations ("series") over the same year, each with codes of its own.
            var remaining = target - existing
            var ingested = 0
            var seconds = 0.0
            var series = 1 + existing / 250_000
            while remaining > 0 {
                let n = min(remaining, 250_000)
                let r = try await DemoDossiers.load(on: app, count: n, now: Date(), series: series)
                ingested += r.created
                seconds += r.seconds
                remaining -= max(r.created, 1)
                series += 1
                console.print(String(format: "  … %d dossiers committed (%.0f/s)", ingested, Double(ingested) / seconds))
            }
            console.print(String(format: "Batch ingest (validate + assess + upsert, 5,000 per batch): %d dossiers in %.1f s = %.0f dossiers/s", ingested, seconds, Double(ingested) / seconds))
        }
        let total = try await DossierModel.query(on: app.db).count()
        // The last complete calendar month.
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: Date())
        let month = today.month == 1 ? (today.year - 1, 12) : (today.year, today.month - 1)
        let bounds = ReportPeriod.calendarMonth(year: month.0, month: month.1).bounds()
        guard let sql = app.db as? any SQLDatabase else { return }

        func measure(_ body: () async throws -> Void) async throws -> (p50: Double, p95: Double) {
            try await body()  // warm-up
            var samples: [Double] = []
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                try await body()
                samples.append((ContinuousClock.now - start) / .milliseconds(1))
            }
            samples.sort()
            return (samples[samples.count / 2], samples[min(samples.count - 1, Int((Double(samples.count) * 0.95).rounded(.up)) - 1)])
        }

        let report = try await measure {
            _ = try await PublicServiceStats.rows(on: app.db, from: bounds.lowerBound, to: bounds.upperBound, asOf: bounds.upperBound, groupBy: .agency)
        }
        let reportBare = try await measure {
            _ = try await sql.raw(PublicServiceStats.query(from: bounds.lowerBound, to: bounds.upperBound, asOf: bounds.upperBound, groupBy: .agency, agencyCodes: nil, dialect: sql.iocDialect)).all()
        }
        let scorecard = try await measure {
            let rows = try await PublicServiceStats.rows(on: app.db, from: bounds.lowerBound, to: bounds.upperBound, asOf: bounds.upperBound, groupBy: .unit)
            _ = Scorecard766(counts: rows.reduce(PublicServiceCounts.zero) { $0 + $1.counts })
        }
        let scorecardBare = try await measure {
            _ = try await sql.raw(PublicServiceStats.query(from: bounds.lowerBound, to: bounds.upperBound, asOf: bounds.upperBound, groupBy: .unit, agencyCodes: nil, dialect: sql.iocDialect)).all()
        }
        console.print("Dossiers in the database: \(total); period \(month.0)-\(String(format: "%02d", month.1)); \(iterations) runs each")
        console.print(String(format: "Monthly report by agency: p50 %.1f ms, p95 %.1f ms; bare SQL p95 %.1f ms; ratio %.2f", report.p50, report.p95, reportBare.p95, report.p95 / reportBare.p95))
        console.print(String(format: "QĐ 766 scorecard:        p50 %.1f ms, p95 %.1f ms; bare SQL p95 %.1f ms; ratio %.2f", scorecard.p50, scorecard.p95, scorecardBare.p95, scorecard.p95 / scorecardBare.p95))
    }
}
