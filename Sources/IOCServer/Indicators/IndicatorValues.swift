import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Values: entry (sources, staff), the approval workflow and the series leaders read.
enum IndicatorValueService {
    static let maxBatch = 5_000

    /// One posted value, read leniently so each item's fault can be named.
    struct Input: Decodable, Sendable {
        var indicator: String?
        var period: String?
        var unit: String?
        var value: Double?
        var valueIsNumber = true
        var status: String?
        var note: String?

        enum K: String, CodingKey { case indicator, period, unit, value, status, note }

        init(indicator: String?, period: String?, unit: String?, value: Double?, valueIsNumber: Bool, status: String?, note: String?) {
            self.indicator = indicator; self.period = period; self.unit = unit; self.value = value
            self.valueIsNumber = valueIsNumber; self.status = status; self.note = note
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: K.self)
            indicator = try? c.decodeIfPresent(String.self, forKey: .indicator)
            period = try? c.decodeIfPresent(String.self, forKey: .period)
            unit = try? c.decodeIfPresent(String.self, forKey: .unit)
            status = try? c.decodeIfPresent(String.self, forKey: .status)
            note = try? c.decodeIfPresent(String.self, forKey: .note)
            if c.contains(.value), (try? c.decodeNil(forKey: .value)) != true {
                if let v = try? c.decode(Double.self, forKey: .value) { value = v } else { valueIsNumber = false }
            }
        }
    }

    struct Valid: Sendable {
        var index: Int
        var entry: IndicatorCatalogSnapshot.Entry
        var period: IndicatorPeriod
        var unit: String
        var value: Double
        var status: String
        var note: String
    }

    static let statuses: Set<String> = ["estimate", "preliminary", "official"]

    /// Validates a batch: every item or none. `ownAgencies`: the agencies whose indicators the caller may enter (nil: any).
    /// `label(i)`: how a message names item `i` ("Mục 3" in a JSON batch, "Dòng 4" in a spreadsheet).
    static func validate(_ items: [Input], catalogue: IndicatorCatalogSnapshot, province: String, units: UnitCatalog,
                         ownAgencies: Set<String>?, today: CivilDate,
                         label: (Int) -> (vi: String, en: String) = { ("Mục \($0 + 1)", "Item \($0 + 1)") }) -> ([Valid], [IndicatorCatalogService.ItemError]) {
        var out: [Valid] = []
        var errors: [IndicatorCatalogService.ItemError] = []
        var seen: [String: Int] = [:]
        for (i, e) in items.enumerated() {
            func fail(_ f: String, _ vi: String, _ en: String) {
                let l = label(i)
                errors.append(.init(index: i, code: e.indicator, field: "[\(i)].\(f)", messages: .init(vi: "\(l.vi): " + vi, en: "\(l.en): " + en)))
            }
            guard let code = e.indicator, let entry = catalogue.indicators[code], entry.dto.active else {
                fail("indicator", "chỉ tiêu \(e.indicator ?? "(trống)") không có trong danh mục.", "indicator \(e.indicator ?? "(empty)") is not in the catalogue."); continue
            }
            if entry.formula != nil {
                fail("indicator", "\(code) được tính theo công thức, không nhập.", "\(code) is computed from its formula and cannot be entered."); continue
            }
            if let own = ownAgencies, !own.contains(entry.dto.ownerAgency) {
                fail("indicator", "\(code) do \(entry.dto.ownerAgency) chủ trì; cơ quan của bạn không nhập được.",
                     "\(code) belongs to \(entry.dto.ownerAgency); your agency cannot enter it."); continue
            }
            guard let text = e.period, let period = IndicatorPeriod(text) else {
                fail("period", "kỳ \(e.period ?? "(trống)") không hợp lệ (ví dụ \(entry.kind.example)).", "period \(e.period ?? "(empty)") is not valid (e.g. \(entry.kind.example))."); continue
            }
            guard period.kind == entry.kind else {
                fail("period", "\(code) báo cáo theo kỳ \(entry.kind.rawValue), kỳ \(text) không khớp (ví dụ \(entry.kind.example)).",
                     "\(code) is reported per \(entry.kind.rawValue); \(text) does not match (e.g. \(entry.kind.example))."); continue
            }
            guard period.firstDay <= today else { fail("period", "kỳ \(text) chưa bắt đầu.", "period \(text) has not started yet."); continue }
            guard let unit = e.unit, unit == province || units[unit]?.provinceCode == province else {
                fail("unit", "đơn vị hành chính \(e.unit ?? "(trống)") không thuộc tỉnh.", "unit \(e.unit ?? "(empty)") is not in the province."); continue
            }
            guard unit == province || entry.dto.communes else {
                fail("unit", "\(code) chỉ có số liệu cấp tỉnh.", "\(code) has province-level values only."); continue
            }
            guard e.valueIsNumber, let value = e.value, value.isFinite, abs(value) < 1e15 else {
                fail("value", "giá trị phải là một số.", "value must be a number."); continue
            }
            let status = e.status ?? "estimate"
            guard statuses.contains(status) else { fail("status", "trạng thái phải là estimate, preliminary hoặc official.", "status must be estimate, preliminary or official."); continue }
            let note = (e.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard note.count <= 1000 else { fail("note", "ghi chú tối đa 1.000 ký tự.", "note is 1,000 characters at most."); continue }
            let key = "\(code)|\(period)|\(unit)"
            if let j = seen[key] {
                let other = label(j)
                fail("period", "trùng với \(other.vi.lowercased()) (cùng chỉ tiêu, kỳ và đơn vị).", "repeats \(other.en.lowercased()) (same indicator, period and unit)."); continue
            }
            seen[key] = i
            out.append(Valid(index: i, entry: entry, period: period, unit: unit, value: value, status: status, note: note))
        }
        return (out, errors)
    }

    static func ord(_ p: IndicatorPeriod) -> Int { p.year * 1000 + p.index }

    static func cellKey(_ v: Valid) -> String { "\(v.entry.dto.code)|\(v.period)|\(v.unit)" }

    /// The entries of a batch's cells not yet approved (draft, returned, submitted), in one query: cell key → rows.
    static func openEntries(_ batch: [Valid], on db: any Database) async throws -> [String: [IndicatorValueModel]] {
        guard !batch.isEmpty else { return [:] }
        let rows = try await IndicatorValueModel.query(on: db).filter(\.$indicator ~~ Array(Set(batch.map(\.entry.dto.code))))
            .filter(\.$period ~~ Array(Set(batch.map(\.period.description)))).filter(\.$unitCode ~~ Array(Set(batch.map(\.unit))))
            .filter(\.$state ~~ ["draft", "returned", "submitted"]).all()
        return Dictionary(grouping: rows) { "\($0.indicator)|\($0.period)|\($0.unitCode)" }
    }

    /// The approved history of a cell range (current vintages, or as known at `asOf`): period → row.
    struct Point: Sendable { var value: Double; var status: String; var vintage: Int; var flags: String = "[]" }

    static func stored(_ code: String, unit: String, kind: PeriodKind, from: IndicatorPeriod, to: IndicatorPeriod, asOf: Date?,
                       on db: any Database) async throws -> [IndicatorPeriod: Point] {
        try await IndicatorViews.bulk([code], unit: unit, fromOrd: ord(from), toOrd: ord(to), asOf: asOf, on: db)[code] ?? [:]
    }

    /// The series of an indicator for a unit: stored values, or its formula over the inputs' series.
    static func series(_ entry: IndicatorCatalogSnapshot.Entry, unit: String, from: IndicatorPeriod, to: IndicatorPeriod, asOf: Date?,
                       catalogue: IndicatorCatalogSnapshot, on db: any Database, depth: Int = 0) async throws -> [IndicatorPeriod: Point] {
        guard let formula = entry.formula else { return try await stored(entry.dto.code, unit: unit, kind: entry.kind, from: from, to: to, asOf: asOf, on: db) }
        guard depth < 8 else { return [:] }
        var inputs: [String: [IndicatorPeriod: Point]] = [:]
        for r in formula.references {
            guard let e = catalogue.indicators[r] else { return [:] }
            inputs[r] = try await series(e, unit: unit, from: from, to: to, asOf: asOf, catalogue: catalogue, on: db, depth: depth + 1)
        }
        var out: [IndicatorPeriod: Point] = [:]
        for p in IndicatorPeriod.range(from: from, to: to) {
            var vintage = 0
            var status = "official"
            let v = formula.evaluate { code in
                guard let pt = inputs[code]?[p] else { return nil }
                vintage = max(vintage, pt.vintage)
                if pt.status != "official" { status = pt.status == "estimate" || status == "estimate" ? "estimate" : "preliminary" }
                return pt.value
            }
            if let v, v.isFinite { out[p] = Point(value: IndicatorComparison.round2(v), status: status, vintage: vintage) }
        }
        return out
    }

    /// The annual plans in force for an indicator and unit (kind `plan`): year → value.
    static func plans(_ code: String, unit: String, on db: any Database) async throws -> [Int: Double] {
        try await IndicatorViews.plansBulk([code], unit: unit, years: nil, on: db)[code] ?? [:]
    }

    /// The flags a value raises against its own approved history.
    static func flags(for entry: IndicatorCatalogSnapshot.Entry, period: IndicatorPeriod, unit: String, value: Double, province: String,
                      on db: any Database) async throws -> [IndicatorFlag] {
        let from = IndicatorPeriod(kind: period.kind, year: period.year - 2, index: 1)
        var history = try await stored(entry.dto.code, unit: unit, kind: entry.kind, from: from, to: period, asOf: nil, on: db)
        let revises = history.removeValue(forKey: period)?.value
        var communeSum: Double?
        if unit == province, entry.dto.communes, entry.shape.aggregation == .sum {
            let sql = db as! any SQLDatabase
            let row = try await sql.select().column(SQLFunction("SUM", args: SQLColumn("value")), as: "total")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(IndicatorValueModel.schema)
                .where("indicator", .equal, entry.dto.code).where("period", .equal, period.description)
                .where("current", .equal, true).where("unit_code", .notEqual, province).first()
            if let row, try row.decode(column: "n", as: Int.self) > 0 { communeSum = try row.decode(column: "total", as: Double.self) }
        }
        return IndicatorAnomaly.check(value: value, at: period, history: history.mapValues(\.value), revises: revises, communeSum: communeSum)
    }

    /// The flags of a whole batch with a few queries (one history read per unit, one grouped commune sum), keyed by
    /// the items' indexes: what `flags(for:…)` gives one by one.
    static func flags(for batch: [Valid], province: String, on db: any Database) async throws -> [Int: [IndicatorFlag]] {
        var out: [Int: [IndicatorFlag]] = [:]
        guard let minYear = batch.map(\.period.year).min(), let maxOrd = batch.map({ ord($0.period) }).max() else { return out }
        var histories: [String: [String: [IndicatorPeriod: Point]]] = [:]
        for (unit, items) in Dictionary(grouping: batch, by: \.unit) {
            histories[unit] = try await IndicatorViews.bulk(Array(Set(items.map(\.entry.dto.code))), unit: unit, fromOrd: (minYear - 2) * 1000,
                                                            toOrd: maxOrd, asOf: nil, on: db)
        }
        var sums: [String: Double] = [:]
        let summed = batch.filter { $0.unit == province && $0.entry.dto.communes && $0.entry.shape.aggregation == .sum }
        if !summed.isEmpty {
            let sql = db as! any SQLDatabase
            let rows = try await sql.select().column("indicator").column("period").column(SQLFunction("SUM", args: SQLColumn("value")), as: "total")
                .from(IndicatorValueModel.schema)
                .where("indicator", .in, Array(Set(summed.map(\.entry.dto.code)))).where("period", .in, Array(Set(summed.map(\.period.description))))
                .where("current", .equal, true).where("unit_code", .notEqual, province)
                .groupBy("indicator").groupBy("period").all()
            for r in rows {
                sums["\(try r.decode(column: "indicator", as: String.self))|\(try r.decode(column: "period", as: String.self))"] =
                    try r.decode(column: "total", as: Double.self)
            }
        }
        for v in batch {
            var history = histories[v.unit]?[v.entry.dto.code] ?? [:]
            let revises = history.removeValue(forKey: v.period)?.value
            history = history.filter { $0.key < v.period }
            let sum = v.unit == province && v.entry.dto.communes && v.entry.shape.aggregation == .sum ? sums["\(v.entry.dto.code)|\(v.period)"] : nil
            out[v.index] = IndicatorAnomaly.check(value: v.value, at: v.period, history: history.mapValues(\.value), revises: revises, communeSum: sum)
        }
        return out
    }

    static func encodeFlags(_ flags: [IndicatorFlag]) -> String {
        String(decoding: (try? JSONEncoder.ioc.encode(flags)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decodeFlags(_ text: String) -> [IndicatorFlag] {
        (try? JSONDecoder.ioc.decode([IndicatorFlag].self, from: Data(text.utf8))) ?? []
    }

    /// Makes `row` the approved, current vintage of its cell (the previous current one stays as history).
    static func approve(_ row: IndicatorValueModel, by actor: String, at now: Date, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let last = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("vintage")), as: "v").from(IndicatorValueModel.schema)
            .where("indicator", .equal, row.indicator).where("period", .equal, row.period).where("unit_code", .equal, row.unitCode)
            .where("state", .equal, "approved").first()
            .flatMap { try? $0.decode(column: "v", as: Int?.self) } ?? 0
        try await sql.update(IndicatorValueModel.schema).set("current", to: false)
            .where("indicator", .equal, row.indicator).where("period", .equal, row.period).where("unit_code", .equal, row.unitCode)
            .where("current", .equal, true).run()
        row.vintage = last + 1
        row.state = "approved"
        row.current = true
        row.approvedBy = actor
        row.approvedAt = now
        row.returnReason = nil
        try await row.save(on: db)
    }
}
