import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// One indicator as the API shows it (and as `POST /indicators` takes it).
struct IndicatorDTO: Content, Equatable {
    var code: String
    var name: String
    var nameEn: String
    var group: String
    var unit: String
    var unitEn: String
    var period: String
    var cumulative: Bool
    var aggregation: String
    var weight: String?
    var direction: String
    var ownerAgency: String
    var ownerAgencyName: LocalizedMessage?
    var deadline: String
    var legalBasis: String
    var formula: String?
    var headline: Int?
    var communes: Bool
    var requiresApproval: Bool
    var version: Int
    var active: Bool

    init(_ m: IndicatorModel, agencyName: LocalizedMessage?) {
        code = m.id!; name = m.name; nameEn = m.nameEn; group = m.groupCode; unit = m.unit; unitEn = m.unitEn; period = m.period
        cumulative = m.cumulative; aggregation = m.aggregation; weight = m.weight; direction = m.direction; ownerAgency = m.ownerAgency
        ownerAgencyName = agencyName; deadline = m.deadline; legalBasis = m.legalBasis; formula = m.formula; headline = m.headline
        communes = m.communes; requiresApproval = m.requiresApproval; version = m.version; active = m.active
    }

    /// The definition without bookkeeping, to tell a redefinition from a repeat.
    var definition: IndicatorDTO {
        var d = self
        d.version = 0
        d.ownerAgencyName = nil
        return d
    }
}

struct IndicatorGroupDTO: Content, Equatable {
    var code: String
    var name: String
    var nameEn: String
    var parent: String?
    var order: Int
}

/// The catalogue in memory: every request reads it, writes replace it (and tell the other instances).
struct IndicatorCatalogSnapshot: Sendable {
    struct Entry: Sendable {
        var dto: IndicatorDTO
        var kind: PeriodKind
        var shape: IndicatorShape
        var direction: IndicatorDirection
        var deadline: IndicatorDeadline?
        var formula: IndicatorFormula?
    }

    let groups: [IndicatorGroupDTO]
    let indicators: [String: Entry]
    let loadedAt: Date
    /// Active indicators, ordered for display: headline first, then by group order and code (sorted once per load).
    let ordered: [Entry]

    init(groups: [IndicatorGroupDTO], indicators: [String: Entry], loadedAt: Date) {
        self.groups = groups
        self.indicators = indicators
        self.loadedAt = loadedAt
        let order = Dictionary(uniqueKeysWithValues: groups.map { ($0.code, $0.order) })
        ordered = indicators.values.filter(\.dto.active).sorted {
            ($0.dto.headline ?? 99, order[$0.dto.group] ?? 999, $0.dto.code) < ($1.dto.headline ?? 99, order[$1.dto.group] ?? 999, $1.dto.code)
        }
    }

    var groupByCode: [String: IndicatorGroupDTO] { Dictionary(uniqueKeysWithValues: groups.map { ($0.code, $0) }) }

    /// The group and every group below it.
    func subtree(_ code: String) -> Set<String> {
        var out: Set<String> = [code]
        var changed = true
        while changed {
            changed = false
            for g in groups where g.parent.map(out.contains) == true && !out.contains(g.code) { out.insert(g.code); changed = true }
        }
        return out
    }

}

final class IndicatorCatalogStore: Sendable {
    static let ttl: TimeInterval = 60
    private let state = NIOLockedValueBox<IndicatorCatalogSnapshot?>(nil)

    func invalidate() { state.withLockedValue { $0 = nil } }

    func snapshot(on db: any Database, agencies: AgencyDirectory.Snapshot) async throws -> IndicatorCatalogSnapshot {
        if let s = state.withLockedValue({ $0 }), Date().timeIntervalSince(s.loadedAt) < Self.ttl { return s }
        let groups = try await IndicatorGroupModel.query(on: db).all().map {
            IndicatorGroupDTO(code: $0.id!, name: $0.name, nameEn: $0.nameEn, parent: $0.parent, order: $0.sortOrder)
        }.sorted { ($0.order, $0.code) < ($1.order, $1.code) }
        var entries: [String: IndicatorCatalogSnapshot.Entry] = [:]
        for m in try await IndicatorModel.query(on: db).all() {
            let agency = agencies.agencyByCode[m.ownerAgency]
            let dto = IndicatorDTO(m, agencyName: agency.map { LocalizedMessage(vi: $0.name, en: $0.nameEn) })
            let kind = PeriodKind(rawValue: m.period) ?? .month
            entries[dto.code] = .init(dto: dto, kind: kind,
                                      shape: IndicatorShape(period: kind, cumulative: m.cumulative, aggregation: IndicatorAggregation(rawValue: m.aggregation) ?? .none),
                                      direction: IndicatorDirection(rawValue: m.direction) ?? .up, deadline: IndicatorDeadline(m.deadline),
                                      formula: m.formula.flatMap { try? IndicatorFormula.parse($0) })
        }
        let s = IndicatorCatalogSnapshot(groups: groups, indicators: entries, loadedAt: Date())
        state.withLockedValue { $0 = s }
        return s
    }
}

extension Application {
    private struct IndicatorCatalogKey: StorageKey { typealias Value = IndicatorCatalogStore }
    var indicatorCatalog: IndicatorCatalogStore {
        if let s = storage[IndicatorCatalogKey.self] { return s }
        let s = IndicatorCatalogStore()
        storage[IndicatorCatalogKey.self] = s
        return s
    }
}

extension Request {
    func indicatorCatalog() async throws -> IndicatorCatalogSnapshot {
        try await application.indicatorCatalog.snapshot(on: db, agencies: application.agencyDirectory.snapshot(on: db))
    }
}

/// Validates and stores catalogue entries: all or nothing.
enum IndicatorCatalogService {
    struct GroupInput: Decodable, Sendable {
        var code: String?
        var name: String?
        var nameEn: String?
        var parent: String?
        var order: Int?
    }

    struct Input: Decodable, Sendable {
        var code: String?
        var name: String?
        var nameEn: String?
        var group: String?
        var unit: String?
        var unitEn: String?
        var period: String?
        var cumulative: Bool?
        var aggregation: String?
        var weight: String?
        var direction: String?
        var ownerAgency: String?
        var deadline: String?
        var legalBasis: String?
        var formula: String?
        var headline: Int?
        var communes: Bool?
        var requiresApproval: Bool?
        var active: Bool?
    }

    /// `POST /indicators` takes one entry, an array of entries, or a pack `{groups, indicators}`.
    struct Batch: Decodable, Sendable {
        var groups: [GroupInput] = []
        var indicators: [Input] = []

        init(from decoder: any Decoder) throws {
            if let one = try? Input(from: decoder), one.code != nil, (try? decoder.container(keyedBy: K.self).contains(.indicators)) != true {
                indicators = [one]
            } else if var list = try? decoder.unkeyedContainer() {
                while !list.isAtEnd { indicators.append(try list.decode(Input.self)) }
            } else {
                let c = try decoder.container(keyedBy: K.self)
                groups = try c.decodeIfPresent([GroupInput].self, forKey: .groups) ?? []
                indicators = try c.decodeIfPresent([Input].self, forKey: .indicators) ?? []
            }
        }

        enum K: String, CodingKey { case groups, indicators }
    }

    static let maxBatch = 2_000
    static let otherGroup = IndicatorGroupDTO(code: "KHAC", name: "Chỉ tiêu khác", nameEn: "Other indicators", parent: nil, order: 999)

    static func isCode(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (2...40).contains(u.count), (65...90).contains(u[0]) else { return false }
        return u.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    struct ItemError: Content { var index: Int; var code: String?; var field: String; var messages: LocalizedMessage }

    /// Checks a batch against itself and the catalogue; returns the entries to store or the errors per item.
    static func validate(_ batch: Batch, catalogue: IndicatorCatalogSnapshot, agencies: AgencyDirectory.Snapshot,
                         valueCounts: [String: Int]) -> (groups: [IndicatorGroupDTO], indicators: [IndicatorDTO], errors: [ItemError]) {
        var errors: [ItemError] = []
        var groups: [IndicatorGroupDTO] = []
        var groupCodes = Set(catalogue.groups.map(\.code))
        for (i, g) in batch.groups.enumerated() {
            func fail(_ f: String, _ vi: String, _ en: String) { errors.append(.init(index: i, code: g.code, field: "groups[\(i)].\(f)", messages: .init(vi: vi, en: en))) }
            guard let code = g.code, isCode(code) else { fail("code", "Mã nhóm phải gồm 2–40 chữ in hoa, số hoặc _.", "A group code is 2–40 capitals, digits or _."); continue }
            guard let name = g.name?.trimmingCharacters(in: .whitespaces), (1...200).contains(name.count) else { fail("name", "Thiếu tên nhóm (tối đa 200 ký tự).", "The group's name is missing (200 characters at most)."); continue }
            guard (g.nameEn ?? "").count <= 200 else { fail("nameEn", "Tên nhóm tiếng Anh tối đa 200 ký tự.", "The group's nameEn is 200 characters at most."); continue }
            if let p = g.parent, !isCode(p) { fail("parent", "Nhóm cha phải là một mã nhóm.", "parent must be a group code."); continue }
            groups.append(.init(code: code, name: name, nameEn: g.nameEn?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? name,
                                parent: g.parent, order: g.order ?? (groups.count + 1)))
            groupCodes.insert(code)
        }
        for (i, g) in groups.enumerated() where g.parent != nil && !groupCodes.contains(g.parent!) {
            errors.append(.init(index: i, code: g.code, field: "groups[\(i)].parent", messages: .init(vi: "Nhóm cha \(g.parent!) không có.", en: "Parent group \(g.parent!) does not exist.")))
        }
        var out: [IndicatorDTO] = []
        var seen: [String: Int] = [:]
        for (i, e) in batch.indicators.enumerated() {
            func fail(_ f: String, _ vi: String, _ en: String) { errors.append(.init(index: i, code: e.code, field: "[\(i)].\(f)", messages: .init(vi: vi, en: en))) }
            guard let code = e.code, isCode(code) else {
                fail("code", "Mã chỉ tiêu phải bắt đầu bằng chữ in hoa, gồm 2–40 chữ in hoa, số hoặc _.", "An indicator code starts with a capital and has 2–40 capitals, digits or _."); continue
            }
            if let j = seen[code] { fail("code", "Mã \(code) lặp lại (mục \(j)).", "Code \(code) repeats item \(j)."); continue }
            seen[code] = i
            guard let name = e.name?.trimmingCharacters(in: .whitespaces), (1...300).contains(name.count) else { fail("name", "Thiếu tên chỉ tiêu (tối đa 300 ký tự).", "The name is missing (300 characters at most)."); continue }
            let nameEn = e.nameEn?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? name
            guard nameEn.count <= 300 else { fail("nameEn", "Tên tiếng Anh tối đa 300 ký tự.", "nameEn is 300 characters at most."); continue }
            guard let unit = e.unit?.trimmingCharacters(in: .whitespaces), (1...60).contains(unit.count) else { fail("unit", "Thiếu đơn vị tính.", "The unit of measure is missing."); continue }
            guard let period = e.period.flatMap(PeriodKind.init(rawValue:)) else { fail("period", "Kỳ báo cáo phải là day, week, month, quarter hoặc year.", "period must be day, week, month, quarter or year."); continue }
            guard let aggregation = IndicatorAggregation(rawValue: e.aggregation ?? "sum") else { fail("aggregation", "Cách cộng gộp phải là sum, mean, weightedMean hoặc none.", "aggregation must be sum, mean, weightedMean or none."); continue }
            guard let direction = IndicatorDirection(rawValue: e.direction ?? "up") else { fail("direction", "Chiều tốt phải là up hoặc down.", "direction must be up or down."); continue }
            guard let owner = e.ownerAgency, agencies.agencyByCode[owner] != nil else {
                fail("ownerAgency", "Cơ quan chủ trì \(e.ownerAgency ?? "") không có trong danh mục.", "Owner agency \(e.ownerAgency ?? "") is not in the directory."); continue
            }
            guard (e.unitEn ?? "").count <= 60 else { fail("unitEn", "Đơn vị tính tiếng Anh tối đa 60 ký tự.", "unitEn is 60 characters at most."); continue }
            if let w = e.weight, !isCode(w) { fail("weight", "Chỉ tiêu trọng số phải là một mã chỉ tiêu.", "weight must be an indicator code."); continue }
            let group = e.group ?? otherGroup.code
            guard groupCodes.contains(group) || group == otherGroup.code else { fail("group", "Nhóm \(group) không có.", "Group \(group) does not exist."); continue }
            let deadlineText = e.deadline ?? defaultDeadline(period)
            guard let deadline = IndicatorDeadline(deadlineText), deadline.fits(period) else {
                fail("deadline", "Hạn gửi \(deadlineText) không hợp lệ cho kỳ \(period.rawValue) (ví dụ month:20, week:1, day:17:00).",
                     "Deadline \(deadlineText) does not suit a \(period.rawValue) indicator (e.g. month:20, week:1, day:17:00)."); continue
            }
            if let h = e.headline, !(1...8).contains(h) { fail("headline", "Thứ tự chỉ tiêu chính từ 1 đến 8.", "headline is 1 to 8."); continue }
            if aggregation == .weightedMean, e.weight == nil { fail("weight", "Bình quân gia quyền cần chỉ tiêu trọng số.", "A weighted mean needs a weight indicator."); continue }
            let legal = (e.legalBasis ?? "").trimmingCharacters(in: .whitespaces)
            guard legal.count <= 500 else { fail("legalBasis", "Căn cứ pháp lý tối đa 500 ký tự.", "legalBasis is 500 characters at most."); continue }
            var formulaText: String?
            if let f = e.formula?.trimmingCharacters(in: .whitespaces), !f.isEmpty {
                do { formulaText = try IndicatorFormula.parse(f).description.isEmpty ? nil : f } catch {
                    fail("formula", "Công thức sai: \(error.vi)", "Bad formula: \(error.en)"); continue
                }
            }
            let existing = catalogue.indicators[code]
            if let existing, existing.kind != period, (valueCounts[code] ?? 0) > 0 {
                fail("period", "Chỉ tiêu \(code) đã có số liệu theo kỳ \(existing.kind.rawValue); không đổi kỳ được, hãy tạo chỉ tiêu mới.",
                     "\(code) already has \(existing.kind.rawValue) values; its period cannot change: create a new indicator."); continue
            }
            var dto = existing?.dto ?? IndicatorDTO.blank(code)
            dto.name = name; dto.nameEn = nameEn; dto.group = group; dto.unit = unit
            dto.unitEn = e.unitEn?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? unit
            dto.period = period.rawValue; dto.cumulative = e.cumulative ?? false; dto.aggregation = aggregation.rawValue; dto.weight = e.weight
            dto.direction = direction.rawValue; dto.ownerAgency = owner; dto.deadline = deadline.description; dto.legalBasis = legal
            dto.formula = formulaText; dto.headline = e.headline; dto.communes = e.communes ?? false
            dto.requiresApproval = e.requiresApproval ?? false; dto.active = e.active ?? true
            out.append(dto)
        }
        // Formulas: references exist with the same period, weights exist, no cycles (across the batch and the catalogue).
        var all: [String: (kind: String, formula: String?)] = catalogue.indicators.mapValues { ($0.dto.period, $0.dto.formula) }
        for d in out { all[d.code] = (d.period, d.formula) }
        for d in out {
            let i = seen[d.code] ?? 0
            if let w = d.weight, all[w] == nil {
                errors.append(.init(index: i, code: d.code, field: "[\(i)].weight", messages: .init(vi: "Chỉ tiêu trọng số \(w) không có.", en: "Weight indicator \(w) does not exist.")))
            }
            guard let f = d.formula.flatMap({ try? IndicatorFormula.parse($0) }) else { continue }
            for r in f.references.sorted() {
                if let ref = all[r] {
                    if ref.kind != d.period {
                        errors.append(.init(index: i, code: d.code, field: "[\(i)].formula", messages: .init(
                            vi: "Công thức dùng \(r) có kỳ \(ref.kind), khác kỳ \(d.period).", en: "The formula reads \(r), a \(ref.kind) indicator, not \(d.period).")))
                    }
                } else {
                    errors.append(.init(index: i, code: d.code, field: "[\(i)].formula", messages: .init(vi: "Công thức dùng chỉ tiêu \(r) không có.", en: "The formula reads \(r), which does not exist.")))
                }
            }
        }
        let graph = all.compactMapValues { v in v.formula.flatMap { try? IndicatorFormula.parse($0) }?.references }
        if let cycle = IndicatorFormula.cycle(in: graph) {
            let i = cycle.compactMap { seen[$0] }.first ?? 0
            errors.append(.init(index: i, code: cycle.first, field: "[\(i)].formula", messages: .init(
                vi: "Công thức tạo vòng lặp: \(cycle.joined(separator: " → ")).", en: "The formulas form a cycle: \(cycle.joined(separator: " → ")).")))
        }
        if out.contains(where: { $0.group == otherGroup.code }), !groupCodes.contains(otherGroup.code) { groups.append(otherGroup) }
        return (groups, out, errors)
    }

    static func defaultDeadline(_ kind: PeriodKind) -> String {
        switch kind {
        case .day: "day:17:00"
        case .week: "week:1"
        case .month: "month:20"
        case .quarter: "quarter:20"
        case .year: "year:20"
        }
    }

    /// Stores validated entries: groups upserted; an indicator whose definition changed gets the next version and
    /// its previous definition is kept. Returns (created, redefined, unchanged).
    static func store(groups: [IndicatorGroupDTO], indicators: [IndicatorDTO], catalogue: IndicatorCatalogSnapshot,
                      actor: String, now: Date, on db: any Database) async throws -> (created: Int, updated: Int, unchanged: Int) {
        for g in groups {
            let m = try await IndicatorGroupModel.find(g.code, on: db) ?? IndicatorGroupModel()
            m.id = g.code; m.name = g.name; m.nameEn = g.nameEn; m.parent = g.parent; m.sortOrder = g.order
            try await m.save(on: db)
        }
        var counts = (created: 0, updated: 0, unchanged: 0)
        for var d in indicators {
            if let old = catalogue.indicators[d.code]?.dto {
                d.version = old.version
                if old.definition == d.definition { counts.unchanged += 1; continue }
                let v = IndicatorVersionModel()
                v.code = d.code; v.version = old.version; v.validTo = now; v.changedBy = actor
                v.definition = String(decoding: try JSONEncoder.ioc.encode(old.definition), as: UTF8.self)
                try await v.create(on: db)
                d.version = old.version + 1
                counts.updated += 1
            } else {
                d.version = 1
                counts.created += 1
            }
            let m = try await IndicatorModel.find(d.code, on: db) ?? IndicatorModel()
            m.id = d.code; m.name = d.name; m.nameEn = d.nameEn; m.groupCode = d.group; m.unit = d.unit; m.unitEn = d.unitEn
            m.period = d.period; m.cumulative = d.cumulative; m.aggregation = d.aggregation; m.weight = d.weight; m.direction = d.direction
            m.ownerAgency = d.ownerAgency; m.deadline = d.deadline; m.legalBasis = d.legalBasis; m.formula = d.formula; m.headline = d.headline
            m.communes = d.communes; m.requiresApproval = d.requiresApproval; m.version = d.version; m.active = d.active; m.updatedAt = now
            try await m.save(on: db)
        }
        return counts
    }
}

extension IndicatorDTO {
    static func blank(_ code: String) -> IndicatorDTO {
        let m = IndicatorModel()
        m.id = code; m.name = ""; m.nameEn = ""; m.groupCode = ""; m.unit = ""; m.unitEn = ""; m.period = "month"; m.cumulative = false
        m.aggregation = "sum"; m.direction = "up"; m.ownerAgency = ""; m.deadline = ""; m.legalBasis = ""; m.communes = false
        m.requiresApproval = false; m.version = 0; m.active = true
        return IndicatorDTO(m, agencyName: nil)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
