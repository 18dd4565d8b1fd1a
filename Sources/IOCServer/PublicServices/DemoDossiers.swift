import Fluent
import Foundation
import IOCCore
import Vapor

/// A year of realistic administrative-procedure dossiers for the demo province (demo-province.md): commune
/// procedures settle early or on time, land registration carries most late dossiers, 40–60 % are online (fewer in
/// rural communes), a few percent need a supplement, Tết shows as a dip, and some are overdue right now.
/// Deterministic for a given day: re-running the demo the same day changes nothing.
public enum DemoDossiers {
    struct Procedure {
        var code: String
        var name: String
        /// nil: the commune's People's Committee handles it.
        var agency: String?
        var limit: ProcessingLimit
        var weight: Int
        var lateShare: Double
        var feeBearing: Bool
    }

    static let procedures: [Procedure] = [
        .init(code: "1.001193", name: "Đăng ký khai sinh", agency: nil, limit: .workingDays(0), weight: 22, lateShare: 0.01, feeBearing: false),
        .init(code: "2.000815", name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản", agency: nil, limit: .workingDays(0), weight: 26, lateShare: 0.005, feeBearing: true),
        .init(code: "1.000894", name: "Đăng ký kết hôn", agency: nil, limit: .workingDays(5), weight: 5, lateShare: 0.01, feeBearing: false),
        .init(code: "1.011802", name: "Cấp giấy phép xây dựng nhà ở riêng lẻ", agency: nil, limit: .days(15), weight: 4, lateShare: 0.06, feeBearing: true),
        .init(code: "2.000720", name: "Đăng ký thành lập hộ kinh doanh", agency: nil, limit: .workingDays(3), weight: 6, lateShare: 0.03, feeBearing: true),
        .init(code: "1.012795", name: "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", agency: "VPDKDD", limit: .workingDays(20), weight: 10, lateShare: 0.22, feeBearing: true),
        .init(code: "2.001610", name: "Đăng ký thành lập doanh nghiệp", agency: "SO-TC", limit: .workingDays(3), weight: 5, lateShare: 0.02, feeBearing: true),
        .init(code: "2.000488", name: "Cấp Phiếu lý lịch tư pháp", agency: "SO-TP", limit: .workingDays(10), weight: 8, lateShare: 0.04, feeBearing: true),
        .init(code: "1.002339", name: "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược", agency: "SO-YT", limit: .workingDays(20), weight: 2, lateShare: 0.08, feeBearing: true),
        .init(code: "1.003622", name: "Cấp giấy phép tổ chức lễ hội, biểu diễn nghệ thuật", agency: "SO-VHTTDL", limit: .workingDays(5), weight: 2, lateShare: 0.03, feeBearing: false),
        .init(code: "1.011470", name: "Cấp giấy phép xây dựng công trình", agency: "SO-XD", limit: .workingDays(20), weight: 1, lateShare: 0.1, feeBearing: true),
    ]

    /// Generates `count` dossiers received over the 365 days before `now` (only those whose receipt lies in the past).
    /// `series` distinguishes several generations over the same year (benchmarks): it goes into the codes.
    static func generate(count: Int, now: Date, catalog: UnitCatalog, rules: TimelinessRules, series: Int = 0) -> [DossierInput] {
        var rng = DemoRandom(seed: UInt64(rules.calendar.civilDate(of: now).daysSince1970))
        let communes = catalog.communes(of: DemoProvince.provinceCode).sorted { $0.code < $1.code }
        let totalWeight = procedures.reduce(0) { $0 + $1.weight }
        let cal = rules.calendar
        let start = now.addingTimeInterval(-365 * 86_400)
        var out: [DossierInput] = []
        out.reserveCapacity(count)
        var sequence: [String: Int] = [:]
        for _ in 0..<count {
            // Procedure by weight; commune weighted towards wards (urban areas file more).
            var pick = Int(rng.next() % UInt64(totalWeight))
            let proc = procedures.first { pick -= $0.weight; return pick < 0 }!
            var commune = communes[Int(rng.next() % UInt64(communes.count))]
            if commune.unitType != "Phường", rng.unit() < 0.35 {
                let wards = communes.filter { $0.unitType == "Phường" }
                commune = wards[Int(rng.next() % UInt64(wards.count))]
            }
            let urban = commune.unitType == "Phường"
            let online = rng.unit() < (urban ? 0.58 : 0.38)
            let postal = !online && rng.unit() < 0.03
            // Receipt: a working day in office hours (online dossiers also arrive evenings and weekends).
            var received = start.addingTimeInterval(Double(rng.next() % UInt64(365 * 86_400)))
            if !online {
                var day = cal.civilDate(of: received)
                if !cal.isWorkingDay(day) { day = cal.workingDay(onOrAfter: day) }
                let minute = 450 + Int(rng.next() % 510)  // 07:30–16:00
                received = cal.instant(on: day, at: .init(hour: minute / 60, minute: minute % 60))
            }
            guard received < now else { continue }
            let agency = proc.agency ?? "UBND-\(commune.code)"
            let ymd = cal.civilDate(of: received)
            let dayKey = "\(agency)-\(ymd.daysSince1970)"
            sequence[dayKey, default: 0] += 1
            let code = series == 0
                ? String(format: "%@-%02d%02d%02d-%04d", agency, ymd.year % 100, ymd.month, ymd.day, sequence[dayKey]!)
                : String(format: "%@-%02d%02d%02d-S%d-%04d", agency, ymd.year % 100, ymd.month, ymd.day, series, sequence[dayKey]!)

            var status = 4
            var history: [DossierInput.HistoryEntry] = [.init(status: 2, at: received)]
            var supplements: [DossierInput.Supplement] = []
            let baseFacts = DossierFacts(code: code, receivedAt: received, limit: proc.limit, status: .processing)
            let due = rules.assess(baseFacts).due ?? received.addingTimeInterval(86_400)
            let roll = rng.unit()
            var apology: Bool?
            if roll < 0.004 {
                status = 3  // refused at intake
                history = [.init(status: 3, at: received.addingTimeInterval(1800))]
            } else if roll < 0.009 {
                status = 7  // withdrawn
                history.append(.init(status: 7, at: received.addingTimeInterval(Double(rng.next() % 200_000))))
            } else {
                // When it ends: early, on the due date or late (by the procedure's share), or still open.
                var pause: TimeInterval = 0
                if rng.unit() < 0.03 {
                    let requested = cal.addWorkingTime(Double(3_600 + Int(rng.next() % 20_000)), to: cal.nextOfficeTime(atOrAfter: received))
                    let completed = requested.addingTimeInterval(Double(86_400 + Int(rng.next() % 400_000)))
                    if completed < now {
                        supplements.append(.init(requestedAt: requested, completedAt: completed))
                        pause = cal.workingTime(from: requested, to: completed)
                        if rng.unit() < 0.15 {
                            let second = completed.addingTimeInterval(7_200)
                            supplements.append(.init(requestedAt: second, completedAt: second.addingTimeInterval(86_400)))
                        }
                    } else {
                        supplements.append(.init(requestedAt: requested, completedAt: nil))
                        status = 5
                        history.append(.init(status: 5, at: requested))
                    }
                }
                if status == 4 {
                    let effectiveDue = cal.addWorkingTime(pause, to: due)
                    let late = rng.unit() < proc.lateShare
                    let end: Date
                    if late {
                        end = cal.addWorkingTime(Double(3_600 * (4 + Int(rng.next() % 60))), to: effectiveDue)
                    } else if rng.unit() < 0.75 {
                        let span = max(600, effectiveDue.timeIntervalSince(received) * 0.8)
                        end = received.addingTimeInterval(min(span, Double(600 + Int(rng.next() % UInt64(span)))))
                    } else {
                        end = effectiveDue.addingTimeInterval(-Double(rng.next() % 14_400))
                    }
                    if end < now {
                        status = rng.unit() < 0.85 ? 10 : 9
                        history.append(.init(status: 4, at: received.addingTimeInterval(900)))
                        history.append(.init(status: 9, at: end))
                        if status == 10 { history.append(.init(status: 10, at: end.addingTimeInterval(Double(rng.next() % 172_800)))) }
                        if late { apology = rng.unit() < 0.6 }
                    } else {
                        history.append(.init(status: 4, at: received.addingTimeInterval(900)))
                        if effectiveDue < now { apology = rng.unit() < 0.4 }
                    }
                    // Keep histories in order and in the past.
                    history = history.filter { ($0.at ?? now) <= now }
                }
            }
            let requiresResult = proc.code != "2.000815"
            out.append(DossierInput(
                code: code, procedureCode: proc.code, procedureName: proc.name, agencyCode: agency, unitCode: commune.code,
                channel: online ? "online" : (postal ? "postal" : "direct"),
                onlineLevel: online ? (rng.unit() < 0.45 ? "full" : "partial") : nil,
                limit: .init(value: proc.limit.value, unit: proc.limit.unit.rawValue), receivedAt: received, dueAt: nil,
                status: status, history: history, supplements: supplements.isEmpty ? nil : supplements,
                finishedAt: nil, returnedAt: nil,
                paidOnline: proc.feeBearing ? (online && rng.unit() < 0.65) : nil,
                digitized: requiresResult ? rng.unit() < 0.7 : nil, eResult: requiresResult ? rng.unit() < 0.72 : nil,
                apologyIssued: apology))
        }
        // demo-province.md: at least one overdue dossier per large agency, so drill-downs have something to show.
        let large = series != 0 ? [] : ["VPDKDD", "SO-TP", "SO-TC", "SO-XD", "SO-YT", "SO-VHTTDL"] + communes.filter { $0.unitType == "Phường" }.map { "UBND-\($0.code)" }
        for (i, agency) in large.enumerated() {
            let received = cal.instant(on: cal.civilDate(of: now.addingTimeInterval(-Double(45 + i % 10) * 86_400)), at: .init(hour: 9, minute: 30))
            let proc = agency.hasPrefix("UBND-") ? procedures[4] : (procedures.first { $0.agency == agency } ?? procedures[7])
            let ymd = cal.civilDate(of: received)
            out.append(DossierInput(
                code: String(format: "%@-%02d%02d%02d-9%03d", agency, ymd.year % 100, ymd.month, ymd.day, i), procedureCode: proc.code,
                procedureName: proc.name, agencyCode: agency, unitCode: agency.hasPrefix("UBND-") ? String(agency.dropFirst(5)) : communes[i % communes.count].code,
                channel: "direct", onlineLevel: nil, limit: .init(value: proc.limit.value, unit: proc.limit.unit.rawValue),
                receivedAt: received, dueAt: nil, status: 4,
                history: [.init(status: 2, at: received), .init(status: 4, at: received.addingTimeInterval(3_600))],
                supplements: nil, finishedAt: nil, returnedAt: nil, paidOnline: nil, digitized: nil, eResult: nil, apologyIssued: i % 2 == 0))
        }
        return out
    }

    /// Loads `count` demo dossiers through the same validation and upsert path as the ingest API.
    public static func load(on app: Application, count: Int, now: Date, series: Int = 0) async throws -> (accepted: Int, created: Int, seconds: Double) {
        let rules = try await app.calendarStore.rules(on: app.db)
        let items = generate(count: count, now: now, catalog: app.reference.units, rules: rules, series: series)
        let ingest = DossierIngest(rules: rules, catalog: app.reference.units, now: now)
        let started = ContinuousClock.now
        var accepted = 0, created = 0
        for chunk in stride(from: 0, to: items.count, by: DossierIngest.maxBatch) {
            let batch = items[chunk..<min(chunk + DossierIngest.maxBatch, items.count)].map { LossyDossier(value: $0, error: nil) }
            let r = try await ingest.ingest(batch, sourceID: nil, on: app.db)
            accepted += r.accepted
            created += r.created
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        return (accepted, created, seconds)
    }
}


