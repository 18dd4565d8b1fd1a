import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// What leaders, approvers and officers read: approved values with their comparisons, the group screens, the monthly
/// report, the entry form's due list, the approval queue, freshness, and open data.
enum IndicatorViews {
    static let xlsxType = Downloads.xlsxType

    struct ValueRowDTO: Content {
        var id: UUID
        var indicator: String
        var period: String
        var unit: String
        var value: Double
        var status: String
        var state: String
        var vintage: Int
        var enteredBy: String
        var enteredAt: Date
        var approvedBy: String?
        var approvedAt: Date?
        var returnReason: String?
        var flags: [IndicatorFlag]

        init(_ r: IndicatorValueModel) {
            id = r.id!; indicator = r.indicator; period = r.period; unit = r.unitCode; value = r.value; status = r.status; state = r.state
            vintage = r.vintage; enteredBy = r.enteredBy; enteredAt = r.enteredAt; approvedBy = r.approvedBy; approvedAt = r.approvedAt
            returnReason = r.returnReason; flags = IndicatorValueService.decodeFlags(r.flags)
        }
    }

    typealias Point = IndicatorValueService.Point

    /// Current (or as-of) province/unit values of several stored indicators over an ordinal range, in one query
    /// (SQLKit rows, read by column: Fluent's model decoding cost ten times the query on the leaders' screens).
    /// `detail: false` reads only the values (status, vintage and flags left at their defaults): for the current
    /// vintages, where a cell has one row.
    static func bulk(_ codes: [String], unit: String, fromOrd: Int, toOrd: Int, asOf: Date?, detail: Bool = true,
                     on db: any Database) async throws -> [String: [IndicatorPeriod: Point]] {
        guard !codes.isEmpty else { return [:] }
        let sql = db as! any SQLDatabase
        let detailed = detail || asOf != nil
        var q = sql.select().columns(detailed ? ["indicator", "period", "value", "status", "vintage", "flags"] : ["indicator", "period", "value"])
            .from(IndicatorValueModel.schema)
            .where("indicator", .in, codes).where("unit_code", .equal, unit)
            .where("period_ord", .greaterThanOrEqual, fromOrd).where("period_ord", .lessThanOrEqual, toOrd)
        if let asOf {
            q = q.where("state", .equal, "approved").where("approved_at", .lessThanOrEqual, asOf)
        } else {
            q = q.where("current", .equal, true)
        }
        var out: [String: [IndicatorPeriod: Point]] = [:]
        var parsed: [String: IndicatorPeriod] = [:]
        for row in try await q.all() {
            let code = try row.decode(column: "indicator", as: String.self)
            let text = try row.decode(column: "period", as: String.self)
            guard let p = parsed[text] ?? IndicatorPeriod(text) else { continue }
            parsed[text] = p
            guard detailed else {
                out[code, default: [:]][p] = Point(value: try row.decode(column: "value", as: Double.self), status: "official", vintage: 1)
                continue
            }
            let vintage = try row.decode(column: "vintage", as: Int.self)
            if let have = out[code]?[p], have.vintage >= vintage { continue }
            out[code, default: [:]][p] = Point(value: try row.decode(column: "value", as: Double.self), status: try row.decode(column: "status", as: String.self),
                                               vintage: vintage, flags: try row.decode(column: "flags", as: String.self))
        }
        return out
    }

    /// The annual plans in force (kind `plan`) of several indicators for a unit and years: code → year → value.
    static func plansBulk(_ codes: [String], unit: String, years: [Int]?, on db: any Database) async throws -> [String: [Int: Double]] {
        guard !codes.isEmpty, years?.isEmpty != true else { return [:] }
        let sql = db as! any SQLDatabase
        var q = sql.select().columns("indicator", "year", "value").from(IndicatorPlanModel.schema)
            .where("indicator", .in, codes).where("unit_code", .equal, unit)
        if let years { q = q.where("year", .in, years) }
        let rows = try await q.where("kind", .equal, "plan").where("current", .equal, true).all()
        var out: [String: [Int: Double]] = [:]
        for row in rows {
            out[try row.decode(column: "indicator", as: String.self), default: [:]][try row.decode(column: "year", as: Int.self)] =
                try row.decode(column: "value", as: Double.self)
        }
        return out
    }

    /// Series of catalogue entries (stored ones in one query, formulas evaluated).
    static func seriesOf(_ entries: [IndicatorCatalogSnapshot.Entry], unit: String, year: Int, through: Int, asOf: Date?, detail: Bool = true,
                         catalogue: IndicatorCatalogSnapshot, on db: any Database) async throws -> [String: [IndicatorPeriod: Point]] {
        let stored = entries.filter { $0.formula == nil }.map(\.dto.code)
        var out = try await bulk(stored, unit: unit, fromOrd: (year - 1) * 1000, toOrd: through, asOf: asOf, detail: detail, on: db)
        for e in entries where e.formula != nil {
            let to = IndicatorPeriod(kind: e.kind, year: through / 1000, index: min(through % 1000, IndicatorPeriod.count(e.kind, in: through / 1000)))
            out[e.dto.code] = try await IndicatorValueService.series(e, unit: unit, from: IndicatorPeriod(kind: e.kind, year: year - 1, index: 1),
                                                                     to: to, asOf: asOf, catalogue: catalogue, on: db)
        }
        return out
    }

    static func instant(_ due: (day: CivilDate, minuteOfDay: Int)) -> Date {
        let cal = WorkingCalendar.vietnamCivilService
        return cal.instant(on: due.day, at: .init(hour: 0, minute: 0)).addingTimeInterval(Double(due.minuteOfDay) * 60)
    }

    static func today(_ req: Request) -> CivilDate { WorkingCalendar.vietnamCivilService.civilDate(of: req.now) }

    struct ComparisonDTO: Content {
        var period: String
        var value: Double
        var status: String
        var vintage: Int
        var revised: Bool
        @NullEncoded var previous: Double?
        @NullEncoded var samePeriodLastYear: Double?
        @NullEncoded var changeVsPreviousPct: Double?
        @NullEncoded var changeVsSamePeriodPct: Double?
        @NullEncoded var yearToDate: Double?
        @NullEncoded var yearToDateChangePct: Double?
        @NullEncoded var planPct: Double?
        /// Anomaly flags raised when the value was entered (for the analyst after approval).
        var flags: [IndicatorFlag]

        init(_ r: IndicatorComparisonRow, _ pt: Point) {
            period = r.period.description; value = r.value; status = pt.status; vintage = pt.vintage; revised = pt.vintage > 1
            previous = r.previous; samePeriodLastYear = r.samePeriodLastYear; changeVsPreviousPct = r.changeVsPreviousPct
            changeVsSamePeriodPct = r.changeVsSamePeriodPct; yearToDate = r.yearToDate; yearToDateChangePct = r.yearToDateChangePct
            planPct = r.planPct
            flags = pt.flags == "[]" ? [] : IndicatorValueService.decodeFlags(pt.flags)
        }
    }

    struct UnitRef: Content { var code: String; var name: String; var nameEn: String }

    struct ValuesDTO: Content {
        var indicator: IndicatorDTO
        var unit: UnitRef
        var asOf: Date?
        var plans: [String: Double]
        /// Every target in force per year: the plan, the budget estimates (dự toán TW giao / HĐND giao), quarterly
        /// targets, with the document that set each.
        var targets: [String: [TargetDTO]]
        var values: [ComparisonDTO]
    }

    struct TargetDTO: Content { var kind: String; var quarter: Int?; var value: Double; var document: String; var setAt: Date; var history: Int }

    static func entry(_ req: Request, _ c: IndicatorCatalogSnapshot) throws -> IndicatorCatalogSnapshot.Entry {
        let code = req.parameters.get("code") ?? ""
        guard let e = c.indicators[code] else { throw IOCError.notFound("Indicator \(code)", vi: "chỉ tiêu \(code)") }
        return e
    }

    static func unitRef(_ req: Request, _ code: String) -> UnitRef {
        let u = req.application.reference.units[code]
        return UnitRef(code: code, name: u?.fullName ?? code, nameEn: u?.fullNameEn ?? code)
    }

    static func periodQuery(_ req: Request, _ name: String, kind: PeriodKind) throws -> IndicatorPeriod? {
        guard let text = req.query[String.self, at: name] else { return nil }
        guard let p = IndicatorPeriod(text), p.kind == kind else {
            throw IOCError.invalid(name, vi: "Kỳ \(text) không hợp lệ cho chỉ tiêu này (ví dụ \(kind.example)).", en: "Period \(text) does not suit this indicator (e.g. \(kind.example)).")
        }
        return p
    }

    static func asOfQuery(_ req: Request) throws -> Date? {
        guard let text = req.query[String.self, at: "asOf"] else { return nil }
        guard let d = ISO8601.parse(text) else { throw IOCError.invalid("asOf", vi: "asOf phải là thời điểm ISO 8601.", en: "asOf must be an ISO 8601 instant.") }
        return d
    }

    @Sendable static func values(_ req: Request) async throws -> ValuesDTO {
        let c = try await req.indicatorCatalog()
        let e = try entry(req, c)
        let province = req.application.iocConfiguration.provinceCode
        let unit = req.query[String.self, at: "unit"] ?? province
        guard unit == province || req.application.reference.units[unit]?.provinceCode == province else {
            throw IOCError.invalid("unit", vi: "Đơn vị hành chính \(unit) không thuộc tỉnh.", en: "Unit \(unit) is not in the province.")
        }
        let asOf = try asOfQuery(req)
        let to = try periodQuery(req, "to", kind: e.kind) ?? IndicatorPeriod.containing(today(req), kind: e.kind)
        var from = try periodQuery(req, "from", kind: e.kind) ?? IndicatorPeriod(kind: e.kind, year: to.year - 1, index: 1)
        if from > to { from = to }
        guard to.year - from.year <= 20 else { throw IOCError.invalid("from", vi: "Tối đa 20 năm mỗi lần.", en: "At most 20 years per request.") }
        let load = IndicatorPeriod(kind: e.kind, year: from.year - 1, index: 1)
        let series = try await IndicatorValueService.series(e, unit: unit, from: load, to: to, asOf: asOf, catalogue: c, on: req.db)
        let plans = try await IndicatorValueService.plans(e.dto.code, unit: unit, on: req.db)
        let allTargets = try await IndicatorPlanModel.query(on: req.db).filter(\.$indicator == e.dto.code).filter(\.$unitCode == unit).all()
        var targets: [String: [TargetDTO]] = [:]
        for t in allTargets where t.current {
            let superseded = allTargets.filter { !$0.current && $0.year == t.year && $0.kind == t.kind && $0.quarter == t.quarter }.count
            targets["\(t.year)", default: []].append(TargetDTO(kind: t.kind, quarter: t.quarter == 0 ? nil : t.quarter, value: t.value,
                                                               document: t.document, setAt: t.createdAt, history: superseded))
        }
        let rows = IndicatorComparison.rows(for: IndicatorPeriod.range(from: from, to: to), shape: e.shape, values: series.mapValues(\.value), plans: plans)
        return ValuesDTO(indicator: e.dto, unit: unitRef(req, unit), asOf: asOf, plans: Dictionary(uniqueKeysWithValues: plans.map { ("\($0.key)", $0.value) }), targets: targets,
                         values: rows.map { ComparisonDTO($0, series[$0.period]!) })
    }

    struct CommuneRow: Content { var unit: String; var name: String; var nameEn: String; var value: Double; @NullEncoded var changeVsSamePeriodPct: Double?; @NullEncoded var planPct: Double?; var rank: Int }
    struct CommunesDTO: Content { var indicator: IndicatorDTO; var period: String?; var rows: [CommuneRow] }

    @Sendable static func communes(_ req: Request) async throws -> CommunesDTO {
        let c = try await req.indicatorCatalog()
        let e = try entry(req, c)
        let province = req.application.iocConfiguration.provinceCode
        var period = try periodQuery(req, "period", kind: e.kind)
        if period == nil {
            let latest = try await IndicatorValueModel.query(on: req.db).filter(\.$indicator == e.dto.code).filter(\.$current == true)
                .filter(\.$unitCode != province).sort(\.$periodOrd, .descending).first()
            period = latest.flatMap { IndicatorPeriod($0.period) }
        }
        guard let period else { return CommunesDTO(indicator: e.dto, period: nil, rows: []) }
        let refs = [period.samePeriodLastYear].compactMap { $0 }.map(\.description)
        let rows = try await IndicatorValueModel.query(on: req.db).filter(\.$indicator == e.dto.code).filter(\.$current == true)
            .filter(\.$period ~~ ([period.description] + refs)).filter(\.$unitCode != province).all()
        let now = Dictionary(rows.filter { $0.period == period.description }.map { ($0.unitCode, $0.value) }, uniquingKeysWith: { a, _ in a })
        let last = Dictionary(rows.filter { $0.period != period.description }.map { ($0.unitCode, $0.value) }, uniquingKeysWith: { a, _ in a })
        let plans = try await IndicatorPlanModel.query(on: req.db).filter(\.$indicator == e.dto.code).filter(\.$year == period.year)
            .filter(\.$kind == "plan").filter(\.$current == true).all()
        let planBy = Dictionary(plans.map { ($0.unitCode, $0.value) }, uniquingKeysWith: { a, _ in a })
        let ranks = IndicatorComparison.ranks(now, direction: e.direction)
        let out = now.map { unit, v in
            CommuneRow(unit: unit, name: req.application.reference.units[unit]?.fullName ?? unit,
                       nameEn: req.application.reference.units[unit]?.fullNameEn ?? unit, value: v,
                       changeVsSamePeriodPct: IndicatorComparison.changePct(v, vs: last[unit]),
                       planPct: e.shape.cumulative ? IndicatorComparison.sharePct(v, of: planBy[unit]) : nil, rank: ranks[unit] ?? 0)
        }.sorted { ($0.rank, $0.name) < ($1.rank, $1.name) }
        return CommunesDTO(indicator: e.dto, period: period.description, rows: out)
    }

    // MARK: Screens

    struct NamedGroup: Content { var code: String; var name: String; var nameEn: String }
    struct TrendPoint: Content { var period: String; var value: Double; var revised: Bool }
    struct ScreenItem: Content {
        var indicator: IndicatorDTO
        @NullEncoded var period: String?
        @NullEncoded var value: Double?
        @NullEncoded var status: String?
        var revised: Bool
        @NullEncoded var changeVsPreviousPct: Double?
        @NullEncoded var changeVsSamePeriodPct: Double?
        @NullEncoded var yearToDate: Double?
        @NullEncoded var yearToDateChangePct: Double?
        @NullEncoded var planPct: Double?
        @NullEncoded var plan: Double?
        @NullEncoded var severity: String?
        var trend: [TrendPoint]
        @NullEncoded var planLine: Double?
    }
    /// `total`: the indicators of the group; `items` holds the first 48 (headline first, then by group and code).
    struct ScreenDTO: Content { var group: NamedGroup?; var children: [NamedGroup]; var asOf: Date; var total: Int; var items: [ScreenItem] }

    /// The latest approved figure of each indicator with its comparisons and the last 12 periods.
    static func items(_ entries: [IndicatorCatalogSnapshot.Entry], asOf: Date?, req: Request, catalogue: IndicatorCatalogSnapshot) async throws -> [ScreenItem] {
        let province = req.application.iocConfiguration.provinceCode
        let day = today(req)
        let through = day.year * 1000 + 999
        let series = try await seriesOf(entries, unit: province, year: day.year - 1, through: through, asOf: asOf, catalogue: catalogue, on: req.db)
        let plans = try await plansBulk(entries.map(\.dto.code), unit: province, years: [day.year - 1, day.year], on: req.db)
        return entries.map { e in
            let s = series[e.dto.code] ?? [:]
            guard let latest = s.keys.max(), let pt = s[latest] else {
                return ScreenItem(indicator: e.dto, revised: false, trend: [], planLine: plans[e.dto.code]?[day.year])
            }
            let p = plans[e.dto.code] ?? [:]
            let r = IndicatorComparison.rows(for: [latest], shape: e.shape, values: s.mapValues(\.value), plans: p)[0]
            let share = e.shape.cumulative || e.shape.aggregation == .sum ? Double(latest.index) / Double(IndicatorPeriod.count(e.kind, in: latest.year)) : 1
            let trend = s.keys.sorted().suffix(12).map { TrendPoint(period: $0.description, value: s[$0]!.value, revised: s[$0]!.vintage > 1) }
            return ScreenItem(indicator: e.dto, period: latest.description, value: r.value, status: pt.status, revised: pt.vintage > 1,
                              changeVsPreviousPct: r.changeVsPreviousPct, changeVsSamePeriodPct: r.changeVsSamePeriodPct,
                              yearToDate: r.yearToDate, yearToDateChangePct: r.yearToDateChangePct, planPct: r.planPct, plan: p[latest.year],
                              severity: IndicatorComparison.severity(planPct: r.planPct, expectedShare: share, direction: e.direction),
                              trend: Array(trend), planLine: p[latest.year])
        }
    }

    @Sendable static func screen(_ req: Request) async throws -> ScreenDTO {
        let c = try await req.indicatorCatalog()
        let asOf = try asOfQuery(req)
        let groups = c.groupByCode
        var entries: [IndicatorCatalogSnapshot.Entry]
        var group: NamedGroup?
        var children: [NamedGroup] = []
        if let code = req.query[String.self, at: "group"] {
            guard let g = groups[code] else { throw IOCError.notFound("Group \(code)", vi: "nhóm chỉ tiêu \(code)") }
            group = NamedGroup(code: g.code, name: g.name, nameEn: g.nameEn)
            children = c.groups.filter { $0.parent == code }.map { NamedGroup(code: $0.code, name: $0.name, nameEn: $0.nameEn) }
            let tree = c.subtree(code)
            entries = c.ordered.filter { tree.contains($0.dto.group) }
        } else {
            entries = c.ordered.filter { $0.dto.headline != nil }
            children = c.groups.filter { $0.parent == nil }.map { NamedGroup(code: $0.code, name: $0.name, nameEn: $0.nameEn) }
        }
        return ScreenDTO(group: group, children: children, asOf: asOf ?? req.now, total: entries.count,
                         items: try await items(Array(entries.prefix(48)), asOf: asOf, req: req, catalogue: c))
    }

    // MARK: The monthly report

    struct ReportRow: Content {
        var indicator: IndicatorDTO
        var period: String
        @NullEncoded var plan: Double?
        @NullEncoded var value: Double?
        @NullEncoded var yearToDate: Double?
        @NullEncoded var samePeriodPct: Double?
        @NullEncoded var planPct: Double?
    }
    struct ReportDTO: Content { var month: String; var group: NamedGroup?; var rows: [ReportRow] }

    static func monthQuery(_ req: Request) throws -> IndicatorPeriod {
        if let text = req.query[String.self, at: "month"] {
            guard let p = IndicatorPeriod(text), p.kind == .month else { throw IOCError.invalid("month", vi: "Tháng phải có dạng yyyy-MM.", en: "month must be yyyy-MM.") }
            return p
        }
        return IndicatorPeriod.containing(today(req), kind: .month).previous
    }

    /// Chỉ tiêu | ĐVT | Kế hoạch năm | Thực hiện tháng | Lũy kế | So cùng kỳ % | So kế hoạch %: the month's monthly
    /// indicators, and the quarterly and yearly ones whose period ends with that month.
    @Sendable static func report(_ req: Request) async throws -> ReportDTO {
        let c = try await req.indicatorCatalog()
        let month = try monthQuery(req)
        var entries = c.ordered
        var group: NamedGroup?
        if let code = req.query[String.self, at: "group"] {
            guard let g = c.groupByCode[code] else { throw IOCError.notFound("Group \(code)", vi: "nhóm chỉ tiêu \(code)") }
            group = NamedGroup(code: g.code, name: g.name, nameEn: g.nameEn)
            let tree = c.subtree(code)
            entries = entries.filter { tree.contains($0.dto.group) }
        }
        func period(_ e: IndicatorCatalogSnapshot.Entry) -> IndicatorPeriod? {
            switch e.kind {
            case .month: month
            case .quarter: month.index % 3 == 0 ? IndicatorPeriod(kind: .quarter, year: month.year, index: month.index / 3) : nil
            case .year: month.index == 12 ? IndicatorPeriod(kind: .year, year: month.year, index: 1) : nil
            default: nil
            }
        }
        entries = entries.filter { period($0) != nil }
        let province = req.application.iocConfiguration.provinceCode
        let series = try await seriesOf(entries, unit: province, year: month.year, through: month.year * 1000 + 12, asOf: nil, detail: false,
                                        catalogue: c, on: req.db)
        let plans = try await plansBulk(entries.map(\.dto.code), unit: province, years: [month.year], on: req.db).compactMapValues { $0[month.year] }
        let rows = entries.map { e -> ReportRow in
            let p = period(e)!
            let s = (series[e.dto.code] ?? [:]).mapValues(\.value)
            let r = IndicatorComparison.rows(for: [p], shape: e.shape, values: s, plans: plans[e.dto.code].map { [p.year: $0] } ?? [:]).first
            let lastYTD = p.samePeriodLastYear.flatMap { IndicatorComparison.yearToDate(at: $0, shape: e.shape, values: s) }
            return ReportRow(indicator: e.dto, period: p.description, plan: plans[e.dto.code], value: r?.value, yearToDate: r?.yearToDate,
                             samePeriodPct: IndicatorComparison.sharePct(r?.yearToDate, of: lastYTD), planPct: r?.planPct)
        }
        return ReportDTO(month: month.description, group: group, rows: rows)
    }

    @Sendable static func reportXLSX(_ req: Request) async throws -> Response {
        let r = try await report(req)
        func num(_ v: Double?) -> XLSXWriter.Cell { v.map { .number($0) } ?? .text("—") }
        var rows: [[XLSXWriter.Cell]] = [["Mã / Code", "Chỉ tiêu / Indicator", "ĐVT / Unit", "Kỳ / Period", "Kế hoạch năm / Annual plan",
                                          "Thực hiện tháng / This period", "Lũy kế / Year to date", "So cùng kỳ (%) / vs same period (%)",
                                          "So kế hoạch (%) / of plan (%)"].map { .text($0) }]
        for row in r.rows {
            rows.append([.text(row.indicator.code), .text(row.indicator.name), .text(row.indicator.unit), .text(row.period), num(row.plan),
                         num(row.value), num(row.yearToDate), num(row.samePeriodPct), num(row.planPct)])
        }
        var book = XLSXWriter()
        book.addSheet(named: "KT-XH \(r.month)", rows: rows, columnWidths: [18, 60, 14, 10, 16, 16, 16, 16, 16], hasHeaderRow: true)
        let notes: [[XLSXWriter.Cell]] = [[.text("Tháng báo cáo / Month"), .text(r.month)],
                                          [.text("Chỉ số liệu đã duyệt / Approved values only")],
                                          [.text("So cùng kỳ = lũy kế / lũy kế cùng kỳ năm trước × 100; So kế hoạch = lũy kế / kế hoạch năm × 100")]]
        book.addSheet(named: "Ghi chú", rows: notes, columnWidths: [40, 90], hasHeaderRow: false)
        return try Downloads.xlsx(book, filename: "bao-cao-kt-xh-\(r.month).xlsx")
    }

    // MARK: Officers, approvers, freshness

    /// The latest period of an indicator whose deadline has passed at `now` (nil without a deadline).
    static func lastDue(_ e: IndicatorCatalogSnapshot.Entry, today: CivilDate, now: Date) -> (IndicatorPeriod, Date)? {
        guard let d = e.deadline else { return nil }
        var p = IndicatorPeriod.containing(today, kind: e.kind)
        for _ in 0..<4 {
            let due = instant(d.due(for: p))
            if due <= now { return (p, due) }
            p = p.previous
        }
        return nil
    }

    struct PeriodValue: Content { var period: String; var value: Double }
    struct EntryState: Content { var id: UUID; var value: Double; var status: String; var state: String; var returnReason: String?; var flags: [IndicatorFlag] }
    struct DueItem: Content {
        var indicator: IndicatorDTO
        var period: String
        @NullEncoded var dueAt: Date?
        var late: Bool
        @NullEncoded var last: PeriodValue?
        @NullEncoded var samePeriodLastYear: PeriodValue?
        @NullEncoded var entry: EntryState?
    }
    struct DueDTO: Content { var agency: NamedRef?; var items: [DueItem] }

    @Sendable static func due(_ req: Request) async throws -> DueDTO {
        let user = try req.requireUser()
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        var agencies: Set<String>
        if user.role == .officer {
            // An officer attached to no agency and no unit sees nothing (fails closed).
            let codes = user.agencyID != nil || user.unitScope != nil ? try await req.visibleAgencyCodes() : nil
            agencies = Set(codes ?? [])
        } else if let code = req.query[String.self, at: "agency"] {
            guard d.agencyByCode[code] != nil else { throw IOCError.notFound("Agency \(code)", vi: "cơ quan \(code)") }
            agencies = [code]
        } else {
            agencies = Set(d.agencyByCode.keys)
        }
        let c = try await req.indicatorCatalog()
        let entries = c.ordered.filter { agencies.contains($0.dto.ownerAgency) && $0.formula == nil }
        let province = req.application.iocConfiguration.provinceCode
        let day = today(req)
        let now = req.now
        let series = try await bulk(entries.map(\.dto.code), unit: province, fromOrd: (day.year - 2) * 1000, toOrd: day.year * 1000 + 999, asOf: nil, on: req.db)
        let open = try await IndicatorValueModel.query(on: req.db).filter(\.$indicator ~~ entries.map(\.dto.code)).filter(\.$unitCode == province)
            .filter(\.$state ~~ ["draft", "returned", "submitted"]).all()
        let openBy = Dictionary(open.map { ("\($0.indicator)|\($0.period)", $0) }, uniquingKeysWith: { a, b in a.enteredAt > b.enteredAt ? a : b })
        var items: [DueItem] = []
        for e in entries {
            let s = series[e.dto.code] ?? [:]
            // The last two periods whose deadline passed, and the open one once it has started (a daily figure is
            // entered the same day).
            var periods: [IndicatorPeriod] = []
            if let (p, _) = lastDue(e, today: day, now: now) {
                periods = [p.previous, p]
                if p.next.firstDay <= day { periods.append(p.next) }
            } else {
                periods = [IndicatorPeriod.containing(day, kind: e.kind).previous]
            }
            for p in periods {
                let draft = openBy["\(e.dto.code)|\(p)"]
                guard s[p] == nil || draft != nil else { continue }
                let dueAt = e.deadline.map { instant($0.due(for: p)) }
                let lastP = s.keys.filter { $0 < p }.max()
                items.append(DueItem(indicator: e.dto, period: p.description, dueAt: dueAt, late: (dueAt ?? .distantFuture) < now,
                                     last: lastP.map { PeriodValue(period: $0.description, value: s[$0]!.value) },
                                     samePeriodLastYear: p.samePeriodLastYear.flatMap { sp in s[sp].map { PeriodValue(period: sp.description, value: $0.value) } },
                                     entry: draft.map { EntryState(id: $0.id!, value: $0.value, status: $0.status, state: $0.state, returnReason: $0.returnReason,
                                                                   flags: IndicatorValueService.decodeFlags($0.flags)) }))
            }
        }
        items.sort { ($0.dueAt ?? .distantFuture, $0.indicator.code) < ($1.dueAt ?? .distantFuture, $1.indicator.code) }
        let agency = agencies.count == 1 ? d.agencyByCode[agencies.first!]?.ref : (user.agencyID.flatMap { id in d.agencyByCode.values.first { $0.id == id }?.ref })
        return DueDTO(agency: agency, items: Array(items.prefix(1000)))
    }

    struct ApprovalItem: Content {
        var id: UUID
        var indicator: IndicatorDTO
        var period: String
        var unit: String
        var unitName: String
        var unitNameEn: String
        var value: Double
        var status: String
        var state: String
        var enteredBy: String
        var enteredAt: Date
        @NullEncoded var submittedAt: Date?
        @NullEncoded var previous: PreviousVintage?
        @NullEncoded var samePeriodLastYear: Double?
        var flags: [IndicatorFlag]
        struct PreviousVintage: Content { var value: Double; var vintage: Int }
    }

    @Sendable static func approvals(_ req: Request) async throws -> [String: [ApprovalItem]] {
        let c = try await req.indicatorCatalog()
        let rows = try await IndicatorValueModel.query(on: req.db).filter(\.$state == "submitted").sort(\.$submittedAt).limit(500).all()
        // The current vintage and last year's value of every waiting cell, in one query.
        let periods = Set(rows.flatMap { r in [r.period] + [IndicatorPeriod(r.period)?.samePeriodLastYear?.description].compactMap { $0 } })
        let current = rows.isEmpty ? [] : try await IndicatorValueModel.query(on: req.db).filter(\.$current == true)
            .filter(\.$indicator ~~ Array(Set(rows.map(\.indicator)))).filter(\.$unitCode ~~ Array(Set(rows.map(\.unitCode))))
            .filter(\.$period ~~ Array(periods)).all()
        let byCell = Dictionary(current.map { ("\($0.indicator)|\($0.period)|\($0.unitCode)", $0) }, uniquingKeysWith: { a, _ in a })
        var out: [ApprovalItem] = []
        for r in rows {
            guard let e = c.indicators[r.indicator], let p = IndicatorPeriod(r.period) else { continue }
            let prev = byCell["\(r.indicator)|\(r.period)|\(r.unitCode)"]
            let lastYear = p.samePeriodLastYear.flatMap { byCell["\(r.indicator)|\($0)|\(r.unitCode)"] }
            out.append(ApprovalItem(id: r.id!, indicator: e.dto, period: r.period, unit: r.unitCode, unitName: unitRef(req, r.unitCode).name, unitNameEn: unitRef(req, r.unitCode).nameEn,
                                    value: r.value, status: r.status, state: r.state, enteredBy: r.enteredBy, enteredAt: r.enteredAt,
                                    submittedAt: r.submittedAt, previous: prev.map { .init(value: $0.value, vintage: $0.vintage) },
                                    samePeriodLastYear: lastYear?.value, flags: IndicatorValueService.decodeFlags(r.flags)))
        }
        return ["items": out]
    }

    struct FreshnessRow: Content { var agency: NamedRef; var due: Int; var approved: Int; var submitted: Int; var late: Int; var missing: Int; var missingCodes: [String] }

    /// Per owner agency, for each indicator's latest period past its deadline: approved (on time or late), waiting
    /// for approval, or missing.
    static func freshnessRows(_ app: Application, db: any Database, now: Date, catalogue c: IndicatorCatalogSnapshot) async throws -> [FreshnessRow] {
        let d = try await app.agencyDirectory.snapshot(on: db)
        let province = app.iocConfiguration.provinceCode
        let day = WorkingCalendar.vietnamCivilService.civilDate(of: now)
        var wanted: [String: (IndicatorPeriod, Date, String)] = [:]
        for e in c.ordered where e.formula == nil {
            if let (p, due) = lastDue(e, today: day, now: now) { wanted[e.dto.code] = (p, due, e.dto.ownerAgency) }
        }
        let rows = try await IndicatorValueModel.query(on: db).filter(\.$indicator ~~ Array(wanted.keys)).filter(\.$unitCode == province)
            .filter(\.$periodOrd >= (day.year - 1) * 1000).filter(\.$state ~~ ["approved", "submitted"]).all()
        var byAgency: [String: FreshnessRow] = [:]
        for (code, (p, due, owner)) in wanted.sorted(by: { $0.key < $1.key }) {
            guard let a = d.agencyByCode[owner] else { continue }
            var r = byAgency[owner] ?? FreshnessRow(agency: a.ref, due: 0, approved: 0, submitted: 0, late: 0, missing: 0, missingCodes: [])
            r.due += 1
            let cell = rows.filter { $0.indicator == code && $0.period == p.description }
            if let first = cell.filter({ $0.state == "approved" }).min(by: { ($0.approvedAt ?? .distantFuture) < ($1.approvedAt ?? .distantFuture) }) {
                r.approved += 1
                if (first.approvedAt ?? .distantFuture) > due { r.late += 1 }
            } else if cell.contains(where: { $0.state == "submitted" }) {
                r.submitted += 1
            } else {
                r.missing += 1
                r.missingCodes.append(code)
            }
            byAgency[owner] = r
        }
        return byAgency.values.sorted { ($0.missing, $0.late) > ($1.missing, $1.late) || (($0.missing, $0.late) == ($1.missing, $1.late) && $0.agency.code < $1.agency.code) }
    }

    @Sendable static func freshness(_ req: Request) async throws -> [String: [FreshnessRow]] {
        ["items": try await freshnessRows(req.application, db: req.db, now: req.now, catalogue: try await req.indicatorCatalog())]
    }

    // MARK: Open data

    struct OpenValue: Content { var indicator: String; var period: String; var unit: String; var value: Double; var status: String }
    struct OpenDTO: Content { var licence: String; var groups: [IndicatorGroupDTO]; var catalogue: [IndicatorDTO]; var values: [OpenValue] }

    static func openValues(_ req: Request) async throws -> [IndicatorValueModel] {
        var q = IndicatorValueModel.query(on: req.db).filter(\.$current == true).filter(\.$status == "official")
        if let code = req.query[String.self, at: "indicator"] { q = q.filter(\.$indicator == code) }
        if let y = req.query[Int.self, at: "year"] { q = q.filter(\.$periodOrd >= y * 1000).filter(\.$periodOrd <= y * 1000 + 999) }
        return try await q.sort(\.$indicator).sort(\.$periodOrd).sort(\.$unitCode).limit(500_000).all()
    }

    @Sendable static func openJSON(_ req: Request) async throws -> OpenDTO {
        let c = try await req.indicatorCatalog()
        let rows = try await openValues(req)
        return OpenDTO(licence: "Dữ liệu mở, dùng lại tự do, ghi nguồn / Open data, free to reuse with attribution",
                       groups: c.groups, catalogue: c.ordered.map { var d = $0.dto; d.ownerAgencyName = nil; return d },
                       values: rows.map { OpenValue(indicator: $0.indicator, period: $0.period, unit: $0.unitCode, value: $0.value, status: $0.status) })
    }

    @Sendable static func openCSV(_ req: Request) async throws -> Response {
        let c = try await req.indicatorCatalog()
        let rows = try await openValues(req)
        let header = ["indicator", "name", "name_en", "unit_of_measure", "period", "unit_code", "unit_name", "value", "status"]
        return Downloads.csv([header] + rows.map { r in
            let e = c.indicators[r.indicator]?.dto
            return [r.indicator, e?.name ?? "", e?.nameEn ?? "", e?.unit ?? "", r.period, r.unitCode,
                    req.application.reference.units[r.unitCode]?.fullName ?? "", String(r.value), r.status]
        }, filename: "chi-tieu-kt-xh.csv")
    }
}
