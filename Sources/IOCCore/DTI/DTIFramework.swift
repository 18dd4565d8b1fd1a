import Foundation

/// Who a digital-transformation framework assesses (vietnam.md §2): the province's departments (sở), its communes and
/// wards, or the province itself (the national 922/405 trees).
public enum DTISubject: String, Codable, Sendable, CaseIterable {
    case department, commune, province
}

/// How a sub-index turns what the agency reports into points.
///
/// - `yesno`: 1 (yes) earns the maximum, 0 nothing.
/// - `ratio(target)`: a percentage 0–100; points = max × min(value / target, 1).
/// - `tiers`: the highest tier whose `min` ≤ value gives its points (none: 0).
/// - `count(pointsEach)`: a whole number of items; points = min(value × pointsEach, max).
/// - `judgement`: the reviewer's judgement, 0…max (the agency proposes its own points).
public enum DTIMethod: Sendable, Hashable {
    case yesno
    case ratio(target: Double)
    case tiers([Tier])
    case count(pointsEach: Double)
    case judgement

    public struct Tier: Codable, Sendable, Hashable {
        public var min: Double
        public var points: Double
        public init(min: Double, points: Double) { self.min = min; self.points = points }
    }

    public var kind: String {
        switch self {
        case .yesno: "yesno"
        case .ratio: "ratio"
        case .tiers: "tiers"
        case .count: "count"
        case .judgement: "judgement"
        }
    }

    /// Points for `value` on a sub-index worth `max` (unrounded). The value must have passed `check`.
    public func points(_ value: Double, max: Double) -> Double {
        let p: Double
        switch self {
        case .yesno: p = value >= 1 ? max : 0
        case .ratio(let target): p = max * Swift.min(Swift.max(value, 0) / target, 1)
        case .tiers(let tiers): p = tiers.last { $0.min <= value }?.points ?? 0
        case .count(let each): p = value * each
        case .judgement: p = value
        }
        return Swift.min(Swift.max(p, 0), max)
    }

    /// Why `value` is outside this method's domain (nil: it is inside).
    public func check(_ value: Double, max: Double) -> LocalizedMessage? {
        guard value.isFinite else { return LocalizedMessage(vi: "Giá trị phải là một số.", en: "The value must be a number.") }
        switch self {
        case .yesno:
            if value != 0 && value != 1 { return LocalizedMessage(vi: "Chỉ số có/không: nhập 1 (có) hoặc 0 (không).", en: "A yes/no sub-index takes 1 (yes) or 0 (no).") }
        case .ratio:
            if value < 0 || value > 100 { return LocalizedMessage(vi: "Tỷ lệ phải từ 0 đến 100 (%).", en: "A ratio is a percentage from 0 to 100.") }
        case .tiers:
            if value < 0 { return LocalizedMessage(vi: "Giá trị không được âm.", en: "The value cannot be negative.") }
        case .count:
            if value < 0 || value != value.rounded() || value > 1_000_000 {
                return LocalizedMessage(vi: "Số lượng phải là số nguyên không âm.", en: "A count is a whole number, not negative.")
            }
        case .judgement:
            if value < 0 || value > max {
                return LocalizedMessage(vi: "Điểm tự chấm phải từ 0 đến \(DTIScoring.format(max)).", en: "Proposed points must be from 0 to \(DTIScoring.format(max)).")
            }
        }
        return nil
    }
}

extension DTIMethod: Codable {
    private enum Keys: String, CodingKey { case kind, target, tiers, pointsEach }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "yesno": self = .yesno
        case "ratio": self = .ratio(target: try c.decode(Double.self, forKey: .target))
        case "tiers": self = .tiers(try c.decode([Tier].self, forKey: .tiers))
        case "count": self = .count(pointsEach: try c.decode(Double.self, forKey: .pointsEach))
        case "judgement": self = .judgement
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown method kind \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .ratio(let t): try c.encode(t, forKey: .target)
        case .tiers(let t): try c.encode(t, forKey: .tiers)
        case .count(let p): try c.encode(p, forKey: .pointsEach)
        case .yesno, .judgement: break
        }
    }
}

/// A node of a framework's tree: a pillar or main index (children) or a sub-index (a method and a maximum).
public struct DTICriterion: Codable, Sendable, Hashable {
    public var code: String
    public var name: String
    public var nameEn: String?
    /// A sub-index's maximum; on an inner node optional, and then equal to the sum of its children's.
    public var maxPoints: Double?
    public var method: DTIMethod?
    public var children: [DTICriterion]?
    /// What evidence the sub-index needs.
    public var evidence: String?
    public var evidenceEn: String?
    /// A figure IOC measures itself (`publicservices.onlineShare`…): pre-filled, not typed in.
    public var measure: String?

    public init(code: String, name: String, nameEn: String? = nil, maxPoints: Double? = nil, method: DTIMethod? = nil,
                children: [DTICriterion]? = nil, evidence: String? = nil, evidenceEn: String? = nil, measure: String? = nil) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.maxPoints = maxPoints
        self.method = method
        self.children = children
        self.evidence = evidence
        self.evidenceEn = evidenceEn
        self.measure = measure
    }

    public var isLeaf: Bool { children == nil }
}

/// A level of the result (tốt / khá / trung bình / yếu): reached when the normalised value is at least `min`.
public struct DTILevel: Codable, Sendable, Hashable {
    public var name: String
    public var nameEn: String?
    public var min: Double
    public init(name: String, nameEn: String? = nil, min: Double) { self.name = name; self.nameEn = nameEn; self.min = min }
}

/// One year's framework for one kind of subject: a tree of pillars → main indices → sub-indices.
public struct DTIFramework: Codable, Sendable, Hashable {
    public var code: String
    public var name: String
    public var nameEn: String?
    public var year: Int
    public var subject: DTISubject
    public var legalBasis: String?
    public var levels: [DTILevel]
    public var criteria: [DTICriterion]

    public init(code: String, name: String, nameEn: String? = nil, year: Int, subject: DTISubject, legalBasis: String? = nil,
                levels: [DTILevel], criteria: [DTICriterion]) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.year = year
        self.subject = subject
        self.legalBasis = legalBasis
        self.levels = levels
        self.criteria = criteria
    }

    /// Every node, depth first (parents before children).
    public var nodes: [DTICriterion] {
        var out: [DTICriterion] = []
        func walk(_ n: DTICriterion) { out.append(n); n.children?.forEach(walk) }
        criteria.forEach(walk)
        return out
    }

    public var leaves: [DTICriterion] { nodes.filter(\.isLeaf) }

    /// The maximum of every node (a sub-index's own; an inner node's the sum of its children's).
    public var maxima: [String: Double] {
        var out: [String: Double] = [:]
        @discardableResult func walk(_ n: DTICriterion) -> Double {
            let m = n.children.map { $0.reduce(0) { $0 + walk($1) } } ?? (n.maxPoints ?? 0)
            out[n.code] = m
            return m
        }
        criteria.forEach { walk($0) }
        return out
    }

    public var maxPoints: Double { criteria.reduce(0) { $0 + (maxima[$1.code] ?? 0) } }

    /// The level a normalised value reaches (the highest `min` ≤ value).
    public func level(for value: Double) -> DTILevel? {
        levels.filter { $0.min <= value + 1e-12 }.max { $0.min < $1.min }
    }

    public static let codePattern = #"^[A-Z0-9][A-Z0-9._-]{0,39}$"#
    static let criterionPattern = #"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"#
    public static let maxNodes = 2_000

    /// Every reason the framework cannot be stored (empty: it can). `measures` are the figures IOC can measure.
    public func problems(measures: Set<String>) -> [DTIProblem] {
        var out: [DTIProblem] = []
        func bad(_ field: String, _ vi: String, _ en: String) { out.append(DTIProblem(field: field, message: LocalizedMessage(vi: vi, en: en))) }
        if code.range(of: Self.codePattern, options: .regularExpression) == nil {
            bad("code", "Mã bộ chỉ số gồm chữ in hoa, số, '.', '-', '_' (tối đa 40 ký tự).", "code: upper-case letters, digits, '.', '-', '_' (up to 40).")
        }
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || name.count > 300 {
            bad("name", "Cần tên bộ chỉ số (tối đa 300 ký tự).", "name is required (up to 300 characters).")
        }
        if !(2000...2100).contains(year) { bad("year", "Năm phải từ 2000 đến 2100.", "year must be 2000–2100.") }
        if levels.isEmpty || levels.count > 10 { bad("levels", "Cần từ 1 đến 10 mức xếp loại.", "levels: 1 to 10 levels.") }
        for (i, l) in levels.enumerated() {
            if l.name.trimmingCharacters(in: .whitespaces).isEmpty { bad("levels[\(i)].name", "Cần tên mức xếp loại.", "A level needs a name.") }
            if !(l.min.isFinite && l.min >= 0 && l.min <= 1) {
                bad("levels[\(i)].min", "Ngưỡng của mức là giá trị chuẩn hóa từ 0 đến 1.", "A level's min is a normalised value from 0 to 1.")
            }
        }
        if Set(levels.map(\.min)).count != levels.count { bad("levels", "Hai mức xếp loại có cùng ngưỡng.", "Two levels have the same min.") }
        if criteria.isEmpty { bad("criteria", "Bộ chỉ số cần ít nhất một chỉ số.", "criteria: at least one criterion.") }
        let all = nodes
        if all.count > Self.maxNodes { bad("criteria", "Tối đa \(Self.maxNodes) chỉ số.", "At most \(Self.maxNodes) criteria.") }
        var seen = Set<String>()
        func walk(_ n: DTICriterion, _ path: String, depth: Int) -> Double {
            if n.code.range(of: Self.criterionPattern, options: .regularExpression) == nil {
                bad("\(path).code", "Mã chỉ số '\(n.code)' không hợp lệ.", "Criterion code '\(n.code)' is not valid.")
            } else if !seen.insert(n.code).inserted {
                bad("\(path).code", "Mã chỉ số \(n.code) bị trùng.", "Criterion code \(n.code) is used twice.")
            }
            if n.name.trimmingCharacters(in: .whitespaces).isEmpty || n.name.count > 500 {
                bad("\(path).name", "Chỉ số \(n.code) cần tên (tối đa 500 ký tự).", "Criterion \(n.code) needs a name (up to 500 characters).")
            }
            if depth > 6 { bad(path, "Cây chỉ số sâu quá 6 cấp.", "The tree is deeper than 6 levels.") }
            if let m = n.maxPoints, !(m.isFinite && m >= 0 && m <= 100_000) {
                bad("\(path).maxPoints", "Điểm tối đa của \(n.code) phải từ 0 đến 100.000.", "maxPoints of \(n.code) must be 0–100,000.")
            }
            if let children = n.children {
                if children.isEmpty { bad("\(path).children", "Chỉ số \(n.code) có danh sách con rỗng.", "Criterion \(n.code) has an empty children list.") }
                if n.method != nil || n.measure != nil {
                    bad("\(path).method", "Chỉ số \(n.code) có chỉ số con nên không có cách chấm riêng.", "Criterion \(n.code) has children, so no method of its own.")
                }
                let sum = children.enumerated().reduce(0.0) { $0 + walk($1.element, "\(path).children[\($1.offset)]", depth: depth + 1) }
                if let m = n.maxPoints, m.isFinite {
                    if sum > m + 1e-9 {
                        bad("\(path).maxPoints", "Tổng điểm tối đa các chỉ số con của \(n.code) (\(DTIScoring.format(sum))) vượt điểm tối đa \(DTIScoring.format(m)).",
                            "The children of \(n.code) add up to \(DTIScoring.format(sum)) points, more than its maximum \(DTIScoring.format(m)).")
                    } else if sum < m - 1e-9 {
                        bad("\(path).maxPoints", "Tổng điểm tối đa các chỉ số con của \(n.code) (\(DTIScoring.format(sum))) chưa bằng điểm tối đa \(DTIScoring.format(m)).",
                            "The children of \(n.code) add up to \(DTIScoring.format(sum)) points, less than its maximum \(DTIScoring.format(m)).")
                    }
                }
                return sum
            }
            guard let max = n.maxPoints else {
                bad("\(path).maxPoints", "Chỉ số thành phần \(n.code) cần điểm tối đa.", "Sub-index \(n.code) needs maxPoints.")
                return 0
            }
            guard let method = n.method else {
                bad("\(path).method", "Chỉ số thành phần \(n.code) cần cách chấm điểm.", "Sub-index \(n.code) needs a method.")
                return max
            }
            switch method {
            case .ratio(let t):
                if !(t.isFinite && t > 0 && t <= 100) { bad("\(path).method.target", "Mục tiêu tỷ lệ của \(n.code) phải từ trên 0 đến 100 (%).", "The ratio target of \(n.code) must be above 0 and at most 100 (%).") }
            case .tiers(let tiers):
                if tiers.isEmpty || tiers.count > 50 { bad("\(path).method.tiers", "Cần từ 1 đến 50 bậc.", "tiers: 1 to 50 tiers.") }
                for (i, t) in tiers.enumerated() {
                    if !(t.min.isFinite && t.points.isFinite && t.points >= 0 && t.points <= max + 1e-9) {
                        bad("\(path).method.tiers[\(i)]", "Điểm của bậc phải từ 0 đến điểm tối đa \(DTIScoring.format(max)).", "A tier's points must be 0 to the maximum \(DTIScoring.format(max)).")
                    }
                    if i > 0 && !(tiers[i - 1].min < t.min) {
                        bad("\(path).method.tiers[\(i)].min", "Các bậc phải có ngưỡng tăng dần.", "Tiers must have increasing mins.")
                    }
                }
            case .count(let each):
                if !(each.isFinite && each > 0) { bad("\(path).method.pointsEach", "Điểm mỗi mục phải lớn hơn 0.", "pointsEach must be above 0.") }
            case .yesno, .judgement: break
            }
            if let m = n.measure {
                if !measures.contains(m) {
                    bad("\(path).measure", "IOC không đo được '\(m)'.", "IOC does not measure '\(m)'.")
                } else if method.kind != "ratio" {
                    bad("\(path).measure", "Chỉ số do IOC đo (\(m)) phải chấm theo tỷ lệ.", "A sub-index IOC measures (\(m)) must use the ratio method.")
                }
            }
            return max
        }
        for (i, c) in criteria.enumerated() { _ = walk(c, "criteria[\(i)]", depth: 1) }
        if out.isEmpty && !(maxPoints > 0) { bad("criteria", "Tổng điểm tối đa phải lớn hơn 0.", "The framework's maximum must be above 0.") }
        return out
    }
}

public struct DTIProblem: Sendable, Hashable, Codable {
    public var field: String
    public var message: LocalizedMessage
}

/// Scores, normalised values, levels and ranks (pure; the server stores what these return).
public enum DTIScoring {
    /// An agency's points on every node of a framework.
    public struct Score: Sendable, Hashable {
        /// Points per criterion code (sub-indices and every inner node), unrounded.
        public var points: [String: Double]
        public var total: Double
        public var max: Double
        /// points / max, 4 decimals (as published).
        public var value: Double
    }

    /// Scores `values` (sub-index code → reported value). `overrides` (sub-index code → points) are the reviewer's
    /// and replace the computed points; a sub-index with no value scores 0.
    public static func score(_ f: DTIFramework, values: [String: Double], overrides: [String: Double] = [:]) -> Score {
        var points: [String: Double] = [:]
        @discardableResult func walk(_ n: DTICriterion) -> Double {
            let p: Double
            if let children = n.children {
                p = children.reduce(0) { $0 + walk($1) }
            } else {
                let max = n.maxPoints ?? 0
                if let o = overrides[n.code] {
                    p = Swift.min(Swift.max(o, 0), max)
                } else if let v = values[n.code], let m = n.method, m.check(v, max: max) == nil {
                    p = m.points(v, max: max)
                } else {
                    p = 0
                }
            }
            points[n.code] = p
            return p
        }
        let total = f.criteria.reduce(0) { $0 + walk($1) }
        let max = f.maxPoints
        return Score(points: points, total: total, max: max, value: normalised(total, max: max))
    }

    public static func normalised(_ points: Double, max: Double) -> Double {
        max > 0 ? round(points / max, places: 4) : 0
    }

    public static func round(_ x: Double, places: Int) -> Double {
        let f = pow(10, Double(places))
        return (x * f).rounded(.toNearestOrAwayFromZero) / f
    }

    /// Standard competition ranks (1, 2, 2, 4) by points rounded to 2 decimals, highest first.
    public static func ranks(_ points: [Double]) -> [Int] {
        let rounded = points.map { round($0, places: 2) }
        return rounded.map { p in 1 + rounded.filter { $0 > p }.count }
    }

    /// "12,5" style without trailing zeros, for messages.
    public static func format(_ x: Double) -> String {
        let r = round(x, places: 2)
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
