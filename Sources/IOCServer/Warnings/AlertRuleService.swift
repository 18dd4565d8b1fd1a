import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// Alert rules over any module's series (`SeriesSource`): stored, validated, tried against stored history, evaluated
/// periodically and as soon as new data arrive; a transition raises or clears the platform's alarm for that rule and
/// subject (one per subject: the fan-out), and a raise can propose a warning.
enum AlertRuleService {
    /// The rule as the API reads and writes it (times in minutes, the threshold a number or a subject's named level).
    struct DTO: Content {
        struct Condition: Content {
            /// threshold | crossing | rate | absence
            var kind: String
            var comparison: String?
            var value: Double?
            var levelRef: String?
            var durationMinutes: Double?
            var windowMinutes: Double?
            var sum: Bool?
            var maxSilenceMinutes: Double?
        }
        struct Quiet: Content { var start: String; var end: String; var unlessSeverityAtLeast: String? }
        struct Proposal: Content { var hazard: String; var level: Int }
        var code: String?
        var name: String?
        var nameEn: String?
        var series: String?
        var parameter: String?
        var subjects: [String]?
        var condition: Condition?
        var hysteresis: Double?
        var clearAfterMinutes: Double?
        var quietHours: Quiet?
        var severity: String?
        var proposeWarning: Proposal?
        var enabled: Bool?
        var description: LocalizedMessage?
        var firing: [String]?
        var updatedAt: Date?
        var updatedBy: String?
    }

    struct Checked: Sendable {
        var rule: AlertRule
        var name: String
        var nameEn: String
        var series: String
        var parameter: String
        var subjects: [String]?
        var levelRef: String?
        var proposal: DTO.Proposal?
        var enabled: Bool
    }

    static func minutes(_ text: String, field: String) throws -> Int {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else {
            throw IOCError.invalid(field, vi: "Giờ phải có dạng HH:mm.", en: "Time must be HH:mm.")
        }
        return h * 60 + m
    }

    static func check(_ d: DTO, app: Application) throws -> Checked {
        do {
            let code = try Validate.required(d.code, field: "code", max: 64)
            let name = try Validate.required(d.name, field: "name", max: 160)
            let nameEn = try Validate.text(d.nameEn, field: "nameEn", max: 160, required: false) ?? name
            guard let key = d.series, app.modules.series[key] != nil else {
                throw IOCError.invalid("series", vi: "Nguồn số liệu không có: \(app.modules.series.keys.sorted().joined(separator: ", ")).",
                                       en: "Unknown series; one of \(app.modules.series.keys.sorted().joined(separator: ", ")).")
            }
            let parameter = try Validate.code(d.parameter, field: "parameter", max: 64)
            guard let c = d.condition else { throw IOCError.invalid("condition", vi: "Cần điều kiện.", en: "A condition is required.") }
            let comparison = AlertRule.Comparison(rawValue: c.comparison ?? "above")
            guard let comparison else { throw IOCError.invalid("condition.comparison", vi: "comparison: above hoặc below.", en: "comparison must be above or below.") }
            var levelRef: String?
            if let l = c.levelRef {
                guard ["1", "2", "3"].contains(l) else {
                    throw IOCError.invalid("condition.levelRef", vi: "levelRef: cấp báo động 1, 2 hoặc 3.", en: "levelRef must be alarm level 1, 2 or 3.")
                }
                levelRef = l
            }
            func value() throws -> Double {
                if levelRef != nil { return 0 }
                guard let v = c.value, v.isFinite else {
                    throw IOCError.invalid("condition.value", vi: "Cần ngưỡng (value) hoặc cấp báo động (levelRef).", en: "A threshold (value) or an alarm level (levelRef) is required.")
                }
                return v
            }
            let condition: AlertRule.Condition
            switch c.kind {
            case "threshold": condition = .threshold(comparison, try value(), duration: (c.durationMinutes ?? 0) * 60)
            case "crossing": condition = .crossing(comparison, try value())
            case "rate":
                guard let w = c.windowMinutes else { throw IOCError.invalid("condition.windowMinutes", vi: "Cần khoảng thời gian.", en: "A window is required.") }
                condition = .rateOfChange(window: w * 60, sum: c.sum ?? true, comparison, try value())
            case "absence":
                guard let s = c.maxSilenceMinutes else { throw IOCError.invalid("condition.maxSilenceMinutes", vi: "Cần thời gian im lặng tối đa.", en: "maxSilenceMinutes is required.") }
                condition = .absence(maxSilence: s * 60)
            default:
                throw IOCError.invalid("condition.kind", vi: "kind: threshold, crossing, rate hoặc absence.", en: "kind must be threshold, crossing, rate or absence.")
            }
            var quiet: QuietHours?
            if let q = d.quietHours {
                let sev = try q.unlessSeverityAtLeast.map { s -> AlertRule.Severity in
                    guard let v = AlertRule.Severity(rawValue: s) else {
                        throw IOCError.invalid("quietHours.unlessSeverityAtLeast", vi: "Mức: info, warning, critical.", en: "Severity: info, warning, critical.")
                    }
                    return v
                }
                quiet = QuietHours(startMinute: try minutes(q.start, field: "quietHours.start"), endMinute: try minutes(q.end, field: "quietHours.end"),
                                   unlessSeverityAtLeast: sev)
            }
            guard let severity = AlertRule.Severity(rawValue: d.severity ?? "warning") else {
                throw IOCError.invalid("severity", vi: "severity: info, warning hoặc critical.", en: "severity must be info, warning or critical.")
            }
            let rule = AlertRule(code: code, condition: condition, hysteresis: d.hysteresis ?? 0, clearAfter: (d.clearAfterMinutes ?? 0) * 60,
                                 quietHours: quiet, severity: severity)
            if let p = rule.validate().first { throw IOCError.validation(p.failure) }
            if let subjects = d.subjects {
                guard subjects.count <= 500, subjects.allSatisfy({ !$0.isEmpty && $0.count <= 64 }) else {
                    throw IOCError.invalid("subjects", vi: "Danh sách đối tượng không hợp lệ.", en: "Invalid subject list.")
                }
            }
            if let p = d.proposeWarning {
                guard WarningCatalog.hazard(p.hazard) != nil else {
                    throw IOCError.invalid("proposeWarning.hazard", vi: "Loại thiên tai không có.", en: "Unknown hazard.")
                }
                guard (1...5).contains(p.level) else {
                    throw IOCError.invalid("proposeWarning.level", vi: "Cấp độ rủi ro từ 1 đến 5.", en: "Risk level is 1 to 5.")
                }
            }
            return Checked(rule: rule, name: name, nameEn: nameEn, series: key, parameter: parameter, subjects: d.subjects, levelRef: levelRef,
                           proposal: d.proposeWarning, enabled: d.enabled ?? false)
        } catch let v as ValidationFailure {
            throw IOCError.validation(v)
        }
    }

    static func dto(_ m: AlertRuleModel, firing: [String], names: ParameterNames) -> DTO {
        let rule = decodeRule(m)
        var condition = DTO.Condition(kind: "threshold")
        switch rule?.condition {
        case let .threshold(c, v, d, _)?: condition = .init(kind: "threshold", comparison: c.rawValue, value: v, durationMinutes: d / 60)
        case let .crossing(c, v)?: condition = .init(kind: "crossing", comparison: c.rawValue, value: v)
        case let .rateOfChange(w, s, c, v)?: condition = .init(kind: "rate", comparison: c.rawValue, value: v, windowMinutes: w / 60, sum: s)
        case let .absence(s)?: condition = .init(kind: "absence", maxSilenceMinutes: s / 60)
        case nil: break
        }
        if let l = m.levelRef { condition.levelRef = l; condition.value = nil }
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        let param = parameterName(m.series, m.parameter, names)
        var description = rule.map { r -> LocalizedMessage in
            let d = r.describe(parameter: param.name, unit: param.unit)
            return LocalizedMessage(vi: d.vi, en: d.en)
        }
        if let l = m.levelRef, var d = description {
            let roman = ["1": "I", "2": "II", "3": "III"][l] ?? l
            d.vi = d.vi.replacingOccurrences(of: " 0 \(param.unit)", with: " mức báo động \(roman)").replacingOccurrences(of: " 0", with: " mức báo động \(roman)")
            d.en = d.en.replacingOccurrences(of: " 0 \(param.unit)", with: " alarm level \(roman)").replacingOccurrences(of: " 0", with: " alarm level \(roman)")
            description = d
        }
        return DTO(code: m.id, name: m.name, nameEn: m.nameEn, series: m.series, parameter: m.parameter, subjects: decodeSubjects(m), condition: condition,
                   hysteresis: rule?.hysteresis, clearAfterMinutes: rule.map { $0.clearAfter / 60 },
                   quietHours: rule?.quietHours.map { .init(start: hm($0.startMinute), end: hm($0.endMinute), unlessSeverityAtLeast: $0.unlessSeverityAtLeast?.rawValue) },
                   severity: rule?.severity.rawValue,
                   proposeWarning: m.proposeHazard.flatMap { h in m.proposeLevel.map { DTO.Proposal(hazard: h, level: $0) } },
                   enabled: m.enabled, description: description, firing: firing, updatedAt: m.updatedAt, updatedBy: m.updatedBy)
    }

    /// Every series' parameters, by `series|parameter` (for descriptions and alarm titles).
    typealias ParameterNames = [String: SeriesSource.Parameter]

    static func parameterNames(app: Application, db: any Database) async throws -> ParameterNames {
        var out: ParameterNames = [:]
        for (key, source) in app.modules.series {
            for p in try await source.parameters(app, db) { out["\(key)|\(p.code)"] = p }
        }
        return out
    }

    static func parameterName(_ series: String, _ parameter: String, _ names: ParameterNames) -> (name: LocalizedMessage, unit: String) {
        guard let p = names["\(series)|\(parameter)"] else { return (LocalizedMessage(vi: parameter, en: parameter), "") }
        return (p.name, p.unit == "AQI" ? "" : p.unit)
    }

    static func decodeRule(_ m: AlertRuleModel) -> AlertRule? { try? JSONDecoder().decode(AlertRule.self, from: Data(m.rule.utf8)) }
    static func decodeSubjects(_ m: AlertRuleModel) -> [String]? {
        m.subjects.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
    }

    static func apply(_ c: Checked, to m: AlertRuleModel, actor: String, now: Date) throws {
        m.id = c.rule.code
        m.name = c.name
        m.nameEn = c.nameEn
        m.series = c.series
        m.parameter = c.parameter
        m.subjects = try c.subjects.map { String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self) }
        m.levelRef = c.levelRef
        m.rule = String(decoding: try JSONEncoder.sorted.encode(c.rule), as: UTF8.self)
        m.proposeHazard = c.proposal?.hazard
        m.proposeLevel = c.proposal?.level
        m.enabled = c.enabled
        m.updatedAt = now
        m.updatedBy = actor
    }

    /// The engine's rule for one subject: a named level becomes the threshold (nil when the subject lacks it).
    static func resolved(_ rule: AlertRule, levelRef: String?, subject: SeriesSource.Subject) -> AlertRule? {
        guard let l = levelRef else { return rule }
        guard let v = subject.levels[l] else { return nil }
        var r = rule
        switch r.condition {
        case let .threshold(c, _, d, g): r.condition = .threshold(c, v, duration: d, maxGap: g)
        case let .crossing(c, _): r.condition = .crossing(c, v)
        case let .rateOfChange(w, s, c, _): r.condition = .rateOfChange(window: w, sum: s, c, v)
        case .absence: break
        }
        return r
    }

    // MARK: Trying a rule against history

    struct TestResult: Content {
        struct Transition: Content { var at: Date; var kind: String; var value: Double? }
        struct Subject: Content { var code: String; var name: String; var transitions: [Transition] }
        var subjects: [Subject]
        var raises: Int
    }

    static func backtest(_ c: Checked, from: Date, to: Date, app: Application, db: any Database) async throws -> TestResult {
        guard let source = app.modules.series[c.series] else { return TestResult(subjects: [], raises: 0) }
        var subjects = try await source.subjects(app, db, c.parameter)
        if let only = c.subjects { subjects = subjects.filter { only.contains($0.code) } }
        var out: [TestResult.Subject] = []
        var raises = 0
        for s in subjects.prefix(200) {
            guard let rule = resolved(c.rule, levelRef: c.levelRef, subject: s) else { continue }
            let points = try await source.points(app, db, s.code, c.parameter, from.addingTimeInterval(-rule.lookback), to)
            let step = max(300, (to.timeIntervalSince(from) / 2_000).rounded(.up))
            let ts = RuleEngine.backtest(rule, points: points, from: from, to: to, step: step).map { t -> TestResult.Transition in
                switch t.transition {
                case let .raise(v, since): return .init(at: since, kind: "raise", value: v)
                case let .clear(v, at): return .init(at: at, kind: "clear", value: v)
                }
            }
            raises += ts.filter { $0.kind == "raise" }.count
            out.append(.init(code: s.code, name: s.name, transitions: ts))
        }
        return TestResult(subjects: out, raises: raises)
    }

    // MARK: Evaluation

    static func alarmKey(rule: String, subject: String) -> String { "rule/\(rule)/\(subject)" }

    /// Evaluates the enabled rules (only the given subjects when `subjects` is set) at `now`; returns the transitions.
    @discardableResult
    static func evaluate(app: Application, subjects only: Set<String>? = nil, now: Date) async throws -> [(rule: String, subject: String, transition: RuleTransition)] {
        let db = app.db
        let rules = try await AlertRuleModel.query(on: db).filter(\.$enabled == true).all()
        var all: [(rule: String, subject: String, transition: RuleTransition)] = []
        var events: [EventService.Valid] = []
        var proposals: [(AlertRuleModel, SeriesSource.Subject, Double?)] = []
        let names = rules.isEmpty ? [:] : try await parameterNames(app: app, db: db)
        for m in rules {
            guard let rule = decodeRule(m), let source = app.modules.series[m.series] else { continue }
            var subjects = try await source.subjects(app, db, m.parameter)
            if let list = decodeSubjects(m) { subjects = subjects.filter { list.contains($0.code) } }
            if let only { subjects = subjects.filter { only.contains($0.code) } }
            guard !subjects.isEmpty else { continue }
            let stored = try await AlertRuleStateModel.query(on: db).filter(\.$rule == m.id ?? "").filter(\.$subject ~~ subjects.map(\.code)).all()
            var states = Dictionary(stored.map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
            for s in subjects {
                guard let r = resolved(rule, levelRef: m.levelRef, subject: s) else { continue }
                let row = states[s.code]
                let state = row.flatMap { try? JSONDecoder().decode(RuleState.self, from: Data($0.state.utf8)) } ?? .idle
                let points = try await source.points(app, db, s.code, m.parameter, now.addingTimeInterval(-r.lookback), now)
                let (next, transition) = RuleEngine.evaluate(r, state: state, points: points, now: now)
                if next != state || row == nil {
                    let target = row ?? AlertRuleStateModel()
                    target.rule = m.id ?? ""
                    target.subject = s.code
                    target.state = String(decoding: try JSONEncoder.sorted.encode(next), as: UTF8.self)
                    target.firing = next.firing
                    target.updatedAt = now
                    try await target.save(on: db)
                    states[s.code] = target
                }
                guard let transition else { continue }
                all.append((m.id ?? "", s.code, transition))
                let key = alarmKey(rule: m.id ?? "", subject: s.code)
                let stamp = Int(now.timeIntervalSince1970)
                let param = parameterName(m.series, m.parameter, names)
                switch transition {
                case let .raise(value, since):
                    let v = value.map { " = " + AlertRuleService.format($0) } ?? ""
                    events.append(.init(externalID: "\(key)/raise/\(stamp)", kind: "warnings.rule", level: r.severity.alarmSeverity.rawValue, occurredAt: min(now, since),
                                        title: "\(m.name): \(s.name)\(v)", titleEn: "\(m.nameEn): \(s.name)\(v)",
                                        description: "\(param.name.vi) · quy tắc / rule \(m.id ?? "")", unitCode: s.unitCode, lat: s.lat, lon: s.lon,
                                        alarmKey: key, clear: false))
                    if m.proposeHazard != nil { proposals.append((m, s, value)) }
                case let .clear(value, at):
                    let v = value.map { " = " + AlertRuleService.format($0) } ?? ""
                    events.append(.init(externalID: "\(key)/clear/\(stamp)", kind: "warnings.rule", level: "info", occurredAt: min(now, at),
                                        title: "Hết: \(m.name): \(s.name)\(v)", titleEn: "Cleared: \(m.nameEn): \(s.name)\(v)",
                                        description: "", unitCode: s.unitCode, lat: s.lat, lon: s.lon, alarmKey: key, clear: true))
                }
            }
        }
        if !events.isEmpty {
            _ = try await EventService.ingest(events, sourceID: EventService.manualSource, sourceName: "IOC", actor: "system:warnings",
                                              origin: "warnings", app: app, db: db, now: now)
        }
        for (m, s, value) in proposals {
            try await WarningService.propose(rule: m, subject: s, value: value, app: app, now: now)
        }
        return all
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }
}

/// Runs rule evaluations for subjects whose data just changed, one at a time per instance, coalescing what arrives
/// meanwhile (a burst of batches costs one more evaluation, not one per batch).
final class RuleTrigger: Sendable {
    private struct State { var running = false; var pending: Set<String> = []; var all = false }
    private let state = NIOLockedValueBox(State())

    func request(_ subjects: Set<String>?, app: Application) {
        let start: Bool = state.withLockedValue { s in
            if let subjects { s.pending.formUnion(subjects) } else { s.all = true }
            if s.running { return false }
            s.running = true
            return true
        }
        guard start else { return }
        Task {
            while true {
                let batch: Set<String>?? = state.withLockedValue { s in
                    if s.all { s.all = false; s.pending = []; return .some(nil) }
                    if s.pending.isEmpty { s.running = false; return .none }
                    let p = s.pending
                    s.pending = []
                    return .some(p)
                }
                guard let subjects = batch else { return }
                do {
                    try await AlertRuleService.evaluate(app: app, subjects: subjects, now: app.clock.now)
                } catch {
                    app.logger.warning("alert rules: evaluation failed: \(String(describing: error))")
                }
            }
        }
    }
}

extension Application {
    private struct RuleTriggerKey: StorageKey { typealias Value = RuleTrigger }
    var ruleTrigger: RuleTrigger {
        if let t = storage[RuleTriggerKey.self] { return t }
        let t = RuleTrigger()
        storage[RuleTriggerKey.self] = t
        return t
    }
}
