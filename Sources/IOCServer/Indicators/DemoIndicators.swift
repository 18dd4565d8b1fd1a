import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// The demo's KT-XH: the Đắk Lắk pack (`Resources/indicators/daklak.json`), plans for 2024–2026, values since January
/// 2024 generated from each indicator's demo parameters (growth, seasonality, noise), last month's estimates revised,
/// per-commune values for the last 13 months, one agency habitually late, one anomaly waiting for approval.
enum DemoIndicators {
    struct Pack: Decodable {
        struct Demo: Decodable { var base: Double; var growth: Double?; var seasonality: [Double]?; var noise: Double? }
        struct Item: Decodable { var code: String; var demo: Demo?; var plan2026: Double? }
        struct Plans: Decodable { var document: String }
        var indicators: [Item]
        var plans: Plans?
    }

    /// The agency that sends late (its approvals come days after the deadline and its latest figures are missing).
    static let lateAgency = "SO-VHTTDL"
    /// The agency whose latest figures are left for its officer to enter in the demo.
    static let entryAgency = "SO-XD"
    /// The indicator whose latest value waits for approval with an anomaly flag.
    static let anomalous = "EXPORTS"

    static func packData(_ app: Application) throws -> Data {
        let path = (app.iocConfiguration.resourcesDirectory as NSString).appendingPathComponent("indicators/daklak.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("indicator pack missing: \(path)") }
        return data
    }

    static func load(_ context: DemoContext) async throws {
        let app = context.app
        guard try await IndicatorModel.query(on: app.db).count() == 0 else {
            context.print("Chỉ tiêu KT-XH minh họa đã có / Demo indicators already loaded.")
            return
        }
        let started = ContinuousClock.now
        let data = try packData(app)
        let batch = try JSONDecoder().decode(IndicatorCatalogService.Batch.self, from: data)
        let pack = try JSONDecoder().decode(Pack.self, from: data)
        let agencies = try await app.agencyDirectory.snapshot(on: app.db)
        app.indicatorCatalog.invalidate()
        let empty = try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies)
        let checked = IndicatorCatalogService.validate(batch, catalogue: empty, agencies: agencies, valueCounts: [:])
        guard checked.errors.isEmpty else {
            throw CommandFailure("indicator pack invalid: " + checked.errors.prefix(5).map { "\($0.field): \($0.messages.en)" }.joined(separator: "; "))
        }
        let now = app.clock.now
        _ = try await app.audit.transaction(on: app.db) { tx in
            let r = try await IndicatorCatalogService.store(groups: checked.groups, indicators: checked.indicators, catalogue: empty,
                                                            actor: "demo", now: now, on: tx)
            return (r, AuditRecord(actor: "demo", action: "indicators.define", targetType: "indicators", targetID: "catalogue",
                                   origin: "demo", details: "pack=daklak created=\(r.created)"))
        }
        app.indicatorCatalog.invalidate()
        let catalogue = try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies)
        let generated = generate(catalogue: catalogue, pack: pack, province: app.iocConfiguration.provinceCode,
                                 communes: app.reference.units.communes(of: app.iocConfiguration.provinceCode).map(\.code), now: now)
        try await app.db.transaction { tx in
            try await insert(generated.values, on: tx)
            try await generated.plans.create(on: tx)
        }
        context.print("Chỉ tiêu KT-XH minh họa / Demo indicators: \(checked.indicators.count) in \(checked.groups.count) groups, "
                      + "\(generated.values.count) values, \(generated.plans.count) plans in \(String(format: "%.1f", Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18)) s.")
    }

    struct Generated { var values: [IndicatorValueModel]; var plans: [IndicatorPlanModel] }

    /// Multi-row inserts through SQLKit (Fluent's per-model encoding costs seconds for ~100,000 rows).
    static func insert(_ rows: [IndicatorValueModel], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let columns = ["id", "indicator", "period", "period_ord", "unit_code", "value", "status", "vintage", "state", "current", "agency_code",
                       "entered_by", "entered_at", "submitted_at", "approved_by", "approved_at", "return_reason", "note", "flags", "source_id"]
        for chunk in stride(from: 0, to: rows.count, by: 1000) {
            var q = sql.insert(into: IndicatorValueModel.schema).columns(columns)
            for r in rows[chunk..<min(chunk + 1000, rows.count)] {
                let values: [any Encodable & Sendable] = [
                    r.id!, r.indicator, r.period, r.periodOrd, r.unitCode, r.value, r.status, r.vintage, r.state, r.current, r.agencyCode,
                    r.enteredBy, r.enteredAt, r.submittedAt, r.approvedBy, r.approvedAt, r.returnReason, r.note, r.flags, r.sourceID,
                ]
                q = q.values(values.map { SQLBind($0) })
            }
            try await q.run()
        }
    }

    static func generate(catalogue: IndicatorCatalogSnapshot, pack: Pack, province: String, communes: [String], now: Date) -> Generated {
        var rng = DemoRandom(seed: 2026)
        func noise(_ n: Double) -> Double { (rng.unit() + rng.unit() + rng.unit() - 1.5) * 2 * n }
        let today = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        let demo = Dictionary(uniqueKeysWithValues: pack.indicators.map { ($0.code, $0) })
        let document = pack.plans?.document ?? ""
        var values: [IndicatorValueModel] = []
        var plans: [IndicatorPlanModel] = []

        func row(_ e: IndicatorCatalogSnapshot.Entry, _ p: IndicatorPeriod, unit: String, value: Double, status: String, vintage: Int,
                 current: Bool, approvedAt: Date?, state: String = "approved") -> IndicatorValueModel {
            let r = IndicatorValueModel()
            r.id = UUID(); r.indicator = e.dto.code; r.period = p.description; r.periodOrd = IndicatorValueService.ord(p); r.unitCode = unit
            r.value = value; r.status = status; r.vintage = vintage; r.state = state; r.current = current; r.agencyCode = e.dto.ownerAgency
            r.enteredBy = e.dto.ownerAgency == "SO-TC" ? "source:thongke-daklak" : "user:demo.\(e.dto.ownerAgency.lowercased())"
            r.enteredAt = (approvedAt ?? now).addingTimeInterval(-3600); r.submittedAt = r.enteredAt
            r.approvedBy = state == "approved" ? "dieuhanh" : nil; r.approvedAt = state == "approved" ? approvedAt : nil
            r.note = ""; r.flags = "[]"
            return r
        }

        for e in catalogue.ordered where e.formula == nil {
            guard let d = demo[e.dto.code]?.demo, let deadline = e.deadline else { continue }
            let g = (d.growth ?? 0) / 100
            let n = d.noise ?? 0.03
            let first = IndicatorPeriod.containing(CivilDate(year: 2024, month: 1, day: 1), kind: e.kind)
            guard let (lastDue, _) = IndicatorViews.lastDue(e, today: today, now: now) else { continue }
            let owner = e.dto.ownerAgency
            // The latest figures of two agencies are not in: the entry demo, and the habitually late one.
            let last = owner == entryAgency || owner == lateAgency ? lastDue.previous : lastDue
            let periods = IndicatorPeriod.range(from: first, to: last)
            func flow(_ p: IndicatorPeriod) -> Double {
                let start = p.firstDay
                let t = Double(CivilDate(year: 2024, month: 1, day: 1).days(to: start)) / 365.25
                var season = 1.0
                if let s = d.seasonality, s.count == 12 {
                    let months: [Int] = switch p.kind {
                    case .quarter: [(p.index - 1) * 3 + 1, (p.index - 1) * 3 + 2, (p.index - 1) * 3 + 3]
                    case .year: Array(1...12)
                    default: [start.month]
                    }
                    season = months.map { s[$0 - 1] }.reduce(0, +) / Double(months.count)
                }
                return d.base * pow(1 + g, t) * season * (1 + noise(n))
            }
            // Counts (enterprises, arrivals, cases, people…) are whole numbers; amounts and rates keep decimals.
            let u = e.dto.unit.lowercased()
            let amount = ["%", "tỷ", "triệu", "nghìn", "ha", "tấn", "km", "m2", "m²", "điểm", "usd", "đồng", "kwh", "m3", "m³", "lít", "chỉ số"]
                .contains { u.contains($0) }
            func rounded(_ x: Double) -> Double {
                if !amount { return x.rounded() }
                return abs(d.base) >= 1000 ? (x * 10).rounded() / 10 : (x * 100).rounded() / 100
            }
            var series: [IndicatorPeriod: Double] = [:]
            var ytd = 0.0
            for p in periods {
                let f = flow(p)
                if p.index == 1 { ytd = 0 }
                ytd += f
                series[p] = rounded(e.shape.cumulative && e.shape.aggregation == .sum ? ytd : f)
            }
            for p in periods {
                let dueAt = IndicatorViews.instant(deadline.due(for: p))
                var approved = owner == lateAgency ? dueAt.addingTimeInterval(Double(2 + Int(rng.unit() * 8)) * 86_400)
                    : dueAt.addingTimeInterval(-Double(Int(rng.unit() * 4)) * 86_400 - 3600)
                approved = min(approved, now.addingTimeInterval(-3600))
                let v = series[p]!
                if e.dto.code == anomalous && p == last {
                    // Waiting for approval: 60 % above what its history suggests (flagged).
                    let history = series.filter { $0.key < p }
                    let odd = rounded(v * 1.6)
                    let r = row(e, p, unit: province, value: odd, status: "estimate", vintage: 0, current: false, approvedAt: nil, state: "submitted")
                    r.submittedAt = now.addingTimeInterval(-2 * 3600)
                    r.flags = IndicatorValueService.encodeFlags(IndicatorAnomaly.check(value: odd, at: p, history: history))
                    values.append(r)
                } else if p == last && e.kind != .year {
                    values.append(row(e, p, unit: province, value: v, status: "estimate", vintage: 1, current: true, approvedAt: approved))
                } else if p == last.previous && e.kind != .year {
                    // Last period's estimate, revised to the official figure a period later.
                    let estimate = rounded(v * (1 + noise(0.03)))
                    values.append(row(e, p, unit: province, value: estimate, status: "estimate", vintage: 1, current: false, approvedAt: approved))
                    let revisedAt = min(IndicatorViews.instant(deadline.due(for: last)), now.addingTimeInterval(-1800))
                    values.append(row(e, p, unit: province, value: v, status: "official", vintage: 2, current: true, approvedAt: revisedAt))
                } else {
                    values.append(row(e, p, unit: province, value: v, status: "official", vintage: 1, current: true, approvedAt: approved))
                }
            }
            // Per commune: the last 13 monthly periods (rank, same month last year).
            if e.dto.communes, e.kind == .month, !communes.isEmpty {
                let weights = communes.map { _ in 0.3 + rng.unit() * 1.7 }
                let total = weights.reduce(0, +)
                for p in periods.suffix(13) {
                    guard let v = series[p] else { continue }
                    for (i, c) in communes.enumerated() {
                        let cv = e.shape.aggregation == .sum ? v * weights[i] / total * (1 + noise(0.004)) : v * (1 + noise(0.15))
                        values.append(row(e, p, unit: c, value: rounded(cv), status: "official", vintage: 1, current: true,
                                          approvedAt: min(IndicatorViews.instant(deadline.due(for: p)), now.addingTimeInterval(-3600))))
                    }
                }
            }
        }
        // Plans: 2026 from the pack (the HĐND resolution), 2024–2025 scaled back by the growth for flows.
        for e in catalogue.ordered {
            guard let item = demo[e.dto.code], let p26 = item.plan2026 else { continue }
            let g = (item.demo?.growth ?? 0) / 100
            let flows = e.shape.aggregation == .sum
            for year in 2024...2026 {
                let p = IndicatorPlanModel()
                p.id = UUID(); p.indicator = e.dto.code; p.year = year; p.unitCode = province; p.kind = "plan"; p.quarter = 0
                p.value = flows ? (p26 / pow(1 + g, Double(2026 - year)) * 10).rounded() / 10 : p26
                p.document = year == 2026 ? document : "Nghị quyết của HĐND tỉnh về kế hoạch phát triển KT-XH năm \(year) (minh họa / demo)"
                p.current = true; p.createdBy = "demo"
                p.createdAt = WorkingCalendar.vietnamCivilService.instant(on: CivilDate(year: year - 1, month: 12, day: 20), at: .init(hour: 9, minute: 0))
                plans.append(p)
            }
        }
        // A mid-year plan change keeps its history: the 2026 budget revenue target raised in July.
        if let i = plans.firstIndex(where: { $0.indicator == "BUDGET_REVENUE" && $0.year == 2026 }) {
            let old = plans[i]
            old.current = false
            let p = IndicatorPlanModel()
            p.id = UUID(); p.indicator = old.indicator; p.year = 2026; p.unitCode = old.unitCode; p.kind = "plan"; p.quarter = 0
            p.value = (old.value * 1.05).rounded(); p.current = true; p.createdBy = "demo"
            p.document = "Nghị quyết điều chỉnh kế hoạch năm 2026 của HĐND tỉnh (kỳ họp giữa năm, minh họa / demo)"
            p.createdAt = WorkingCalendar.vietnamCivilService.instant(on: CivilDate(year: 2026, month: 7, day: 15), at: .init(hour: 9, minute: 0))
            plans.append(p)
        }
        return Generated(values: values, plans: plans)
    }
}
