import Crypto
import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// A reviewer's points for one sub-index, with who gave them, why and when.
struct DTIOverride: Content, Sendable, Hashable {
    var points: Double
    var reason: String
    var by: String
    var at: Date
}

/// A sub-index IOC measured for an agency: the figure (percent), its counts and how it is computed.
struct DTIMeasured: Content, Sendable, Hashable {
    var measure: String
    /// nil: nothing to count in the period (the sub-index then scores 0 unless a reviewer decides).
    var value: Double?
    var numerator: Int?
    var denominator: Int?
    var definition: LocalizedMessage
    /// `yyyy-MM-dd – yyyy-MM-dd`
    var period: String
}

/// One agency's row of the results.
struct DTIResultRow: Content, Sendable, Hashable {
    var agency: String
    var agencyName: String
    var agencyNameEn: String
    var points: Double
    var maxPoints: Double
    var value: Double
    var rank: Int
    var level: String?
    var levelEn: String?
    /// Points of every criterion (pillars, main indices and sub-indices), 2 decimals.
    var byCriterion: [String: Double]
    var previousValue: Double?
    var previousRank: Int?
    /// value − previousValue, 4 decimals.
    var change: Double?
}

/// A framework's results: provisional while the cycle is open, a frozen version once published.
struct DTIResults: Content, Sendable {
    struct Average: Content, Sendable, Hashable { var points: Double; var value: Double }
    struct Column: Content, Sendable, Hashable { var code: String; var name: String; var nameEn: String; var maxPoints: Double; var depth: Int }
    struct Group: Content, Sendable, Hashable { var key: String; var name: LocalizedMessage; var count: Int; var points: Double; var value: Double }
    var framework: String
    var name: String
    var nameEn: String
    var year: Int
    var subject: String
    /// The framework's levels (name, English name, lowest normalised value), highest first.
    var levels: [DTILevel]
    var published: Bool
    var version: Int
    var publishedAt: Date?
    var maxPoints: Double
    /// The pillars and main indices (the table's columns).
    var columns: [Column]
    var results: [DTIResultRow]
    var average: Average
    /// Average points per pillar and main index.
    var averageByCriterion: [String: Double]
    /// Averages per group of subjects (sở / ban; phường / xã / đặc khu).
    var groups: [Group]
    /// Assessable agencies that did not submit.
    var notSubmitted: [NamedRef]
    /// The measured sub-indices' figures the points come from (frozen with a published version).
    var measured: [String: [String: DTIMeasured]]?
}

/// The DTI cycle's rules that need the database: who may do what, measured values, scores and results.
enum DTIService {
    static let topic = "dti"
    static let defaultAssessor = "SO-KHCN"
    static let maxEvidenceBytes = 10 * 1_048_576

    enum Status: String { case draft, submitted, reviewed, answered }

    // MARK: Frameworks

    static func load(_ code: String, on db: any Database) async throws -> (DTIFrameworkModel, DTIFramework) {
        guard let m = try await DTIFrameworkModel.find(code, on: db) else {
            throw IOCError.notFound("DTI framework \(code)", vi: "bộ chỉ số \(code)")
        }
        return (m, try definition(m))
    }

    static func definition(_ m: DTIFrameworkModel) throws -> DTIFramework {
        try JSONDecoder().decode(DTIFramework.self, from: Data(m.definition.utf8))
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return String(decoding: (try? e.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try? d.decode(T.self, from: Data(text.utf8))
    }

    static func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    static func knownMeasures(_ app: Application) -> Set<String> { Set(app.modules.measures.keys) }

    /// The agency kinds a framework's subject assesses.
    static func kinds(_ subject: DTISubject) -> Set<String> {
        switch subject {
        case .department: ["department"]
        case .commune: ["communeCommittee"]
        case .province: ["provinceCommittee"]
        }
    }

    static func assessable(_ fm: DTIFrameworkModel, _ f: DTIFramework, _ d: AgencyDirectory.Snapshot) -> [AgencyDirectory.Agency] {
        let k = kinds(f.subject)
        let only = fm.participants.map { Set($0.split(separator: ",").map(String.init)) }
        return d.agencyByCode.values.filter { $0.active && k.contains($0.kind) && (only?.contains($0.code) ?? true) }.sorted { $0.code < $1.code }
    }

    // MARK: Who may do what

    /// Admins, and officers of the assessing agency (never for their own agency's assessment).
    static func isReviewer(_ req: Request, _ fm: DTIFrameworkModel, agency: String?) async throws -> Bool {
        let user = try req.requireUser()
        if user.role == .admin { return true }
        guard user.role == .officer, let id = user.agencyID else { return false }
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        guard let own = d.agencies[id]?.code, own == fm.assessor else { return false }
        return agency != own
    }

    static func requireReviewer(_ req: Request, _ fm: DTIFrameworkModel, agency: String?) async throws {
        guard try await isReviewer(req, fm, agency: agency) else {
            throw IOCError(.forbidden, code: "forbidden", vi: "Chỉ quản trị hoặc cán bộ cơ quan thẩm định (\(fm.assessor)) được thẩm định, không thẩm định cơ quan mình.",
                           en: "Only admins and officers of the assessing agency (\(fm.assessor)) review, never their own agency.")
        }
    }

    /// Whether the caller may read every assessment (reviewers, admins, operators, leaders, analysts).
    static func seesAll(_ req: Request, _ fm: DTIFrameworkModel) async throws -> Bool {
        let user = try req.requireUser()
        if user.role != .officer { return true }
        return try await isReviewer(req, fm, agency: nil)
    }

    /// The caller may read this agency's assessment (officers: their own agency and those below it).
    static func requireReader(_ req: Request, _ fm: DTIFrameworkModel, agency: String) async throws {
        if try await seesAll(req, fm) { return }
        guard let visible = try await req.visibleAgencyCodes(), visible.contains(agency) else {
            throw IOCError.notFound("Assessment of \(agency)", vi: "bản tự đánh giá của \(agency)")
        }
    }

    /// The caller enters this agency's values (its officers, or admins).
    static func requireEditor(_ req: Request, agency: String) async throws {
        let user = try req.requireUser()
        if user.role == .admin { return }
        guard user.role == .officer, let visible = try await req.visibleAgencyCodes(), visible.contains(agency) else {
            throw IOCError(.forbidden, code: "forbidden", vi: "Chỉ cán bộ của \(agency) (hoặc quản trị) được nhập và nộp bản tự đánh giá này.",
                           en: "Only officers of \(agency) (or admins) enter and submit this self-assessment.")
        }
    }

    static func requireOpen(_ fm: DTIFrameworkModel) throws {
        guard fm.status == "open" else {
            throw IOCError.conflict(nil, vi: "Kết quả bộ chỉ số \(fm.id!) đã công bố: không sửa được nữa (điều chỉnh là một phiên bản mới).",
                                    en: "The results of \(fm.id!) are published and frozen (a correction is a new version).")
        }
    }

    static func agency(_ code: String, of fm: DTIFrameworkModel, _ f: DTIFramework, _ d: AgencyDirectory.Snapshot) throws -> AgencyDirectory.Agency {
        guard let a = d.agencyByCode[code], a.active else { throw IOCError.notFound("Agency \(code)", vi: "cơ quan \(code)") }
        guard assessable(fm, f, d).contains(where: { $0.code == code }) else {
            throw IOCError.invalid("agency", vi: "\(a.name) không thuộc đối tượng của bộ chỉ số này.", en: "\(a.nameEn) is not assessed by this framework.")
        }
        return a
    }

    // MARK: Measured sub-indices

    static func period(_ fm: DTIFrameworkModel, now: Date) -> (from: Date, to: Date, asOf: Date, label: String) {
        let cal = WorkingCalendar.vietnamCivilService
        let fromDay = CivilDate(iso8601: fm.periodFrom) ?? CivilDate(year: fm.year, month: 1, day: 1)
        let toDay = CivilDate(iso8601: fm.periodTo) ?? CivilDate(year: fm.year, month: 12, day: 31)
        let from = cal.instant(on: fromDay, at: .init(hour: 0))
        let to = cal.instant(on: toDay, at: .init(hour: 0)).addingTimeInterval(86_400)
        return (from, to, min(to, now), "\(fm.periodFrom) – \(fm.periodTo)")
    }

    /// The measured sub-indices' figures for each agency (live: the period's data as it stands). An agency's figure
    /// counts the units under it too (the land registration office under its department): numerators and
    /// denominators are summed over the subtree.
    static func measured(_ req: Request, _ fm: DTIFrameworkModel, _ f: DTIFramework, agencies: [String]) async throws -> [String: [String: DTIMeasured]] {
        let leaves = f.leaves.filter { $0.measure != nil }
        guard !leaves.isEmpty, !agencies.isEmpty else { return [:] }
        // Published: the figures as they were frozen with the latest version (the points came from them).
        if fm.resultsVersion > 0, let frozen = try await publishedResults(fm, version: nil, on: req.db)?.measured {
            return frozen.filter { agencies.contains($0.key) }
        }
        let p = period(fm, now: req.now)
        let available = req.application.modules.measures
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        var children: [UUID: [AgencyDirectory.Agency]] = [:]
        for a in d.agencies.values { if let parent = a.parentID { children[parent, default: []].append(a) } }
        func subtree(_ code: String) -> [String] {
            guard let root = d.agencyByCode[code] else { return [code] }
            var out: [String] = [], stack = [root], seen = Set<UUID>()
            while let a = stack.popLast(), out.count < 10_000 {
                guard seen.insert(a.id).inserted else { continue }
                out.append(a.code)
                stack += children[a.id] ?? []
            }
            return out
        }
        let trees = Dictionary(agencies.map { ($0, subtree($0)) }, uniquingKeysWith: { a, _ in a })
        // Every assessed agency's units at once: one computation (the same scan) serves the list, one assessment and the
        // results alike, and the cache below keeps it.
        let everyone = assessable(fm, f, d).map(\.code)
        let asked = Array(Set(trees.values.joined()).union(everyone.flatMap(subtree))).sorted()
        var figures: [String: [String: MeasuredFigure]] = [:]
        for key in Set(leaves.compactMap(\.measure)) {
            guard let m = available[key] else { continue }
            // A period's figures over the province's data take seconds: kept a minute (they move slowly).
            let cacheKey = "\(key)|\(p.label)|\(asked.joined(separator: ","))"
            if let hit = req.application.dtiMeasureCache.get(cacheKey) {
                figures[key] = hit
            } else {
                let computed = try await m.compute(req, MeasurePeriod(from: p.from, to: p.to, asOf: p.asOf, agencies: asked))
                req.application.dtiMeasureCache.put(cacheKey, computed)
                figures[key] = computed
            }
        }
        var out: [String: [String: DTIMeasured]] = [:]
        for a in agencies {
            for leaf in leaves {
                let key = leaf.measure!
                let parts = (trees[a] ?? [a]).compactMap { figures[key]?[$0] }
                let fig = MeasuredFigure(parts.reduce(0) { $0 + $1.numerator }, of: parts.reduce(0) { $0 + $1.denominator })
                out[a, default: [:]][leaf.code] = DTIMeasured(
                    measure: key, value: fig?.value, numerator: fig?.numerator, denominator: fig?.denominator,
                    definition: available[key]?.definition ?? .init(vi: key, en: key), period: p.label)
            }
        }
        return out
    }

    /// The values the score uses: what the agency entered, and IOC's own figures for measured sub-indices.
    static func scoringValues(_ a: DTIAssessmentModel?, measured: [String: DTIMeasured]) -> [String: Double] {
        var v = a.flatMap { decode([String: Double].self, $0.values) } ?? [:]
        for (code, m) in measured { v[code] = m.value }
        return v
    }

    static func overrides(_ a: DTIAssessmentModel?) -> [String: DTIOverride] {
        a.flatMap { decode([String: DTIOverride].self, $0.overrides) } ?? [:]
    }

    // MARK: Results

    /// Provisional results from the submitted assessments as they stand (measured figures live).
    static func results(_ req: Request, _ fm: DTIFrameworkModel, _ f: DTIFramework) async throws -> DTIResults {
        let assessments = try await DTIAssessmentModel.query(on: req.db).filter(\.$framework == fm.id!).all()
        let byAgency = Dictionary(assessments.map { ($0.agency, $0) }, uniquingKeysWith: { a, _ in a })
        let included = assessments.filter { $0.status != Status.draft.rawValue }.map(\.agency).sorted()
        let measured = try await measured(req, fm, f, agencies: included)
        let scored = included.map { code in
            (code, DTIScoring.score(f, values: scoringValues(byAgency[code], measured: measured[code] ?? [:]),
                                    overrides: overrides(byAgency[code]).mapValues(\.points)))
        }
        var r = try await assemble(req, fm, f, scored: scored)
        r.measured = measured
        return r
    }

    /// Assessments per state (`draft`, `submitted`…) of each framework, or of one; only the two columns are read.
    static func statusCounts(on db: any Database, framework: String? = nil) async throws -> [String: [String: Int]] {
        let q = DTIAssessmentModel.query(on: db).field(\.$framework).field(\.$status)
        if let framework { q.filter(\.$framework == framework) }
        var counts: [String: [String: Int]] = [:]
        for a in try await q.all() { counts[a.framework, default: [:]][a.status, default: 0] += 1 }
        return counts
    }

    /// A correction of published results: every agency keeps the points of the last version (measured figures as
    /// they were frozen), one sub-index of one agency changes, and ranks, levels and averages follow.
    static func corrected(_ req: Request, _ fm: DTIFrameworkModel, _ f: DTIFramework, last: DTIResults,
                          agency: String, criterion: String, points: Double) async throws -> DTIResults {
        let leaves = f.leaves.map(\.code)
        let scored = last.results.map { row in
            var frozen = Dictionary(leaves.map { ($0, row.byCriterion[$0] ?? 0) }, uniquingKeysWith: { a, _ in a })
            if row.agency == agency { frozen[criterion] = points }
            return (row.agency, DTIScoring.score(f, values: [:], overrides: frozen))
        }
        var r = try await assemble(req, fm, f, scored: scored)
        r.measured = last.measured
        return r
    }

    /// Ranks, levels, averages, columns, groups and last year's change for scored agencies.
    static func assemble(_ req: Request, _ fm: DTIFrameworkModel, _ f: DTIFramework, scored: [(String, DTIScoring.Score)]) async throws -> DTIResults {
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let ranks = DTIScoring.ranks(scored.map(\.1.total))
        // Last year's published results, for the change.
        var previous: [String: DTIResultRow] = [:]
        if let prev = fm.previous, let pm = try await DTIFrameworkModel.find(prev, on: req.db), pm.resultsVersion > 0,
           let r = try await publishedResults(pm, version: nil, on: req.db) {
            previous = Dictionary(r.results.map { ($0.agency, $0) }, uniquingKeysWith: { a, _ in a })
        }
        var rows: [DTIResultRow] = []
        for (i, (code, s)) in scored.enumerated() {
            let a = d.agencyByCode[code]
            let level = f.level(for: s.value)
            let prev = previous[code]
            rows.append(DTIResultRow(
                agency: code, agencyName: a?.name ?? code, agencyNameEn: a?.nameEn ?? code,
                points: DTIScoring.round(s.total, places: 2), maxPoints: DTIScoring.round(s.max, places: 2), value: s.value,
                rank: ranks[i], level: level?.name, levelEn: level?.nameEn ?? level?.name,
                byCriterion: s.points.mapValues { DTIScoring.round($0, places: 2) },
                previousValue: prev?.value, previousRank: prev?.rank,
                change: prev.map { DTIScoring.round(s.value - $0.value, places: 4) }))
        }
        rows.sort { ($0.rank, $0.agency) < ($1.rank, $1.agency) }
        let n = Double(max(rows.count, 1))
        var columns: [DTIResults.Column] = []
        let maxima = f.maxima
        func addColumns(_ nodes: [DTICriterion], depth: Int) {
            for c in nodes where !c.isLeaf {
                columns.append(.init(code: c.code, name: c.name, nameEn: c.nameEn ?? c.name, maxPoints: maxima[c.code] ?? 0, depth: depth))
                if depth < 2 { addColumns(c.children ?? [], depth: depth + 1) }
            }
        }
        addColumns(f.criteria, depth: 1)
        var averageBy: [String: Double] = [:]
        for c in columns { averageBy[c.code] = DTIScoring.round(rows.reduce(0) { $0 + ($1.byCriterion[c.code] ?? 0) } / n, places: 2) }
        // Groups: a commune's type (phường / xã / đặc khu) or an agency's kind.
        var groups: [String: (LocalizedMessage, [DTIResultRow])] = [:]
        for r in rows {
            let g = group(of: d.agencyByCode[r.agency], req.application)
            groups[g.key, default: (g.name, [])].1.append(r)
        }
        let submittedSet = Set(scored.map(\.0))
        return DTIResults(
            framework: fm.id!, name: f.name, nameEn: f.nameEn ?? f.name, year: f.year, subject: f.subject.rawValue,
            levels: f.levels.sorted { $0.min > $1.min }, published: false, version: fm.resultsVersion, publishedAt: fm.publishedAt, maxPoints: f.maxPoints,
            columns: columns, results: rows,
            average: .init(points: DTIScoring.round(rows.reduce(0) { $0 + $1.points } / n, places: 2),
                           value: DTIScoring.round(rows.reduce(0) { $0 + $1.value } / n, places: 4)),
            averageByCriterion: averageBy,
            groups: groups.sorted { $0.key < $1.key }.map { k, v in
                .init(key: k, name: v.0, count: v.1.count,
                      points: DTIScoring.round(v.1.reduce(0) { $0 + $1.points } / Double(v.1.count), places: 2),
                      value: DTIScoring.round(v.1.reduce(0) { $0 + $1.value } / Double(v.1.count), places: 4))
            },
            notSubmitted: assessable(fm, f, d).filter { !submittedSet.contains($0.code) }.map(\.ref))
    }

    static func group(of a: AgencyDirectory.Agency?, _ app: Application) -> (key: String, name: LocalizedMessage) {
        guard let a else { return ("other", .init(vi: "Khác", en: "Other")) }
        if a.kind == "communeCommittee", a.units.count == 1, let u = app.reference.units[a.units[0]] {
            let t = u.unitType.lowercased()
            if t.hasPrefix("phường") { return ("ward", .init(vi: "Phường", en: "Wards")) }
            if t.hasPrefix("đặc khu") { return ("special", .init(vi: "Đặc khu", en: "Special zones")) }
            return ("commune", .init(vi: "Xã", en: "Communes"))
        }
        switch a.kind {
        case "department": return ("department", .init(vi: "Sở, ban, ngành", en: "Departments"))
        case "communeCommittee": return ("commune", .init(vi: "Xã", en: "Communes"))
        default: return (a.kind, .init(vi: a.kind, en: a.kind))
        }
    }

    static func publishedResults(_ fm: DTIFrameworkModel, version: Int?, on db: any Database) async throws -> DTIResults? {
        var q = DTIResultsModel.query(on: db).filter(\.$framework == fm.id!)
        if let v = version { q = q.filter(\.$version == v) } else { q = q.sort(\.$version, .descending) }
        guard let m = try await q.first() else { return nil }
        return decode(DTIResults.self, m.body)
    }
}

/// Measured figures by (measure, period, agencies), for a minute.
final class DTIMeasureCache: Sendable {
    private let entries = NIOLockedValueBox([String: (at: ContinuousClock.Instant, value: [String: MeasuredFigure])]())
    static let lifetime: Duration = .seconds(60)

    func get(_ key: String) -> [String: MeasuredFigure]? {
        entries.withLockedValue { e in
            guard let hit = e[key], ContinuousClock.now - hit.at < Self.lifetime else { return nil }
            return hit.value
        }
    }

    func put(_ key: String, _ value: [String: MeasuredFigure]) {
        entries.withLockedValue { e in
            if e.count > 256 { e.removeAll() }
            e[key] = (ContinuousClock.now, value)
        }
    }

    func clear() { entries.withLockedValue { $0.removeAll() } }
}

extension Application {
    private struct DTIMeasureCacheKey: StorageKey { typealias Value = DTIMeasureCache }

    /// Set by the DTI module's boot.
    var dtiMeasureCache: DTIMeasureCache {
        get { storage[DTIMeasureCacheKey.self] ?? DTIMeasureCache() }
        set { storage[DTIMeasureCacheKey.self] = newValue }
    }
}
