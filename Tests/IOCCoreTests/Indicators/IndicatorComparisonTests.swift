import Foundation
import Testing
@testable import IOCCore

@Suite("Indicator periods")
struct IndicatorPeriodTests {
    @Test func theFiveShapesParseAndPrint() {
        for text in ["2026", "2026-Q1", "2026-03", "2026-W05", "2026-03-15", "2020-W53", "2024-02-29"] {
            #expect(IndicatorPeriod(text)?.description == text, "\(text)")
        }
        for bad in ["26", "2026-13", "2026-Q5", "2026-W54", "2025-W53", "2026-02-29", "2026-3", "2026-00", "1800", "2026-W00", "２０２６", "2026-03-15x", ""] {
            #expect(IndicatorPeriod(bad) == nil, "\(bad)")
        }
    }

    @Test func isoWeeksFollowTheStandard() {
        // 1 January 2026 is a Thursday: week 1 starts Monday 29 December 2025, and 2026 has 53 weeks.
        #expect(IndicatorPeriod.isoWeeks(in: 2026) == 53)
        #expect(IndicatorPeriod("2026-W01")!.firstDay == CivilDate(year: 2025, month: 12, day: 29))
        #expect(IndicatorPeriod.isoWeek(of: CivilDate(year: 2025, month: 12, day: 31)).description == "2026-W01")
        #expect(IndicatorPeriod.isoWeek(of: CivilDate(year: 2027, month: 1, day: 1)).description == "2026-W53")
        #expect(IndicatorPeriod("2026-W53")!.samePeriodLastYear == nil)
        #expect(IndicatorPeriod("2026-W05")!.samePeriodLastYear?.description == "2025-W05")
    }

    @Test func neighboursAcrossYears() {
        #expect(IndicatorPeriod("2026-01")!.previous.description == "2025-12")
        #expect(IndicatorPeriod("2026-Q1")!.previous.description == "2025-Q4")
        #expect(IndicatorPeriod("2026-01-01")!.previous.description == "2025-12-31")
        #expect(IndicatorPeriod("2024-02-29")!.samePeriodLastYear?.description == "2023-02-28")
        #expect(IndicatorPeriod("2026-Q2")!.lastDay == CivilDate(year: 2026, month: 6, day: 30))
        #expect(IndicatorPeriod.range(from: IndicatorPeriod("2025-11")!, to: IndicatorPeriod("2026-02")!).map(\.description)
                == ["2025-11", "2025-12", "2026-01", "2026-02"])
    }

    @Test func deadlines() {
        let month = IndicatorDeadline("month:20")!
        #expect(month.due(for: IndicatorPeriod("2026-12")!).day == CivilDate(year: 2027, month: 1, day: 20))
        #expect(month.fits(.month) && !month.fits(.day))
        let week = IndicatorDeadline("week:1")!
        // Week 5 of 2026 ends Sunday 1 February; due Monday 2 February.
        #expect(week.due(for: IndicatorPeriod("2026-W05")!).day == CivilDate(year: 2026, month: 2, day: 2))
        let day = IndicatorDeadline("day:17:00")!
        #expect(day.due(for: IndicatorPeriod("2026-03-15")!) == (CivilDate(year: 2026, month: 3, day: 15), 1020))
        for bad in ["month:0", "month:31", "day:25:00", "week:8", "soon", "month"] { #expect(IndicatorDeadline(bad) == nil, "\(bad)") }
    }
}

@Suite("Indicator comparisons, computed by hand")
struct IndicatorComparisonTests {
    func p(_ s: String) -> IndicatorPeriod { IndicatorPeriod(s)! }

    /// Retail sales (per month, summed over the year): 2025 Jan 100, Feb 110, Mar 120; 2026 Jan 105, Feb 121, Mar 132.
    @Test func nonCumulativeSum() {
        let shape = IndicatorShape(period: .month, cumulative: false, aggregation: .sum)
        let values: [IndicatorPeriod: Double] = [p("2025-01"): 100, p("2025-02"): 110, p("2025-03"): 120,
                                                 p("2026-01"): 105, p("2026-02"): 121, p("2026-03"): 132]
        let rows = IndicatorComparison.rows(for: [p("2026-03")], shape: shape, values: values, plans: [2026: 1500])
        let r = rows[0]
        #expect(r.previous == 121 && r.samePeriodLastYear == 120)
        #expect(r.changeVsPreviousPct == 9.09)        // 132 / 121 = 1.090909…
        #expect(r.changeVsSamePeriodPct == 10)        // 132 / 120
        #expect(r.yearToDate == 358)                  // 105 + 121 + 132
        #expect(r.yearToDateChangePct == 8.48)        // 358 / 330 = 1.084848…
        #expect(r.planPct == 23.87)                   // 358 / 1500 = 0.238666…
    }

    /// Budget revenue is reported lũy kế: March's value is already January–March.
    @Test func cumulative() {
        let shape = IndicatorShape(period: .month, cumulative: true, aggregation: .sum)
        let values: [IndicatorPeriod: Double] = [p("2025-03"): 4000, p("2026-02"): 2900, p("2026-03"): 4500]
        let r = IndicatorComparison.rows(for: [p("2026-03")], shape: shape, values: values, plans: [2026: 18000])[0]
        #expect(r.yearToDate == 4500)
        #expect(r.yearToDateChangePct == 12.5)       // 4500 / 4000
        #expect(r.changeVsSamePeriodPct == 12.5)
        #expect(r.changeVsPreviousPct == 55.17)      // 4500 / 2900 = 1.551724…
        #expect(r.planPct == 25)
    }

    /// A rate averaged over the year (mean), no plan, last year missing.
    @Test func meanWithoutLastYear() {
        let shape = IndicatorShape(period: .quarter, cumulative: false, aggregation: .mean)
        let values: [IndicatorPeriod: Double] = [p("2026-Q1"): 6.1, p("2026-Q2"): 6.8]
        let r = IndicatorComparison.rows(for: [p("2026-Q2")], shape: shape, values: values, plans: [:])[0]
        #expect(r.yearToDate == 6.45)
        #expect(r.samePeriodLastYear == nil && r.changeVsSamePeriodPct == nil && r.yearToDateChangePct == nil)
        #expect(r.planPct == nil)
        #expect(r.changeVsPreviousPct == 11.48)      // 6.8 / 6.1 = 1.114754…
    }

    @Test func aMissingPeriodLeavesTheYearToDateUndefined() {
        let shape = IndicatorShape(period: .month, cumulative: false, aggregation: .sum)
        let values: [IndicatorPeriod: Double] = [p("2026-01"): 10, p("2026-03"): 12]
        let r = IndicatorComparison.rows(for: [p("2026-03")], shape: shape, values: values, plans: [2026: 100])[0]
        #expect(r.yearToDate == nil && r.planPct == nil && r.previous == nil)
        let none = IndicatorShape(period: .month, cumulative: false, aggregation: .none)
        #expect(IndicatorComparison.yearToDate(at: p("2026-01"), shape: none, values: values) == nil)
    }

    @Test func ranksShareTies() {
        let r = IndicatorComparison.ranks(["a": 10, "b": 8, "c": 8, "d": 5], direction: .up)
        #expect(r == ["a": 1, "b": 2, "c": 2, "d": 4])
        let down = IndicatorComparison.ranks(["a": 10, "b": 8, "c": 8, "d": 5], direction: .down)
        #expect(down == ["d": 1, "b": 2, "c": 2, "a": 4])
    }

    @Test func severityAgainstPlanFollowsTheYearElapsed() {
        #expect(IndicatorComparison.severity(planPct: 26, expectedShare: 0.25, direction: .up) == "good")
        #expect(IndicatorComparison.severity(planPct: 18, expectedShare: 0.25, direction: .up) == "warn")
        #expect(IndicatorComparison.severity(planPct: 10, expectedShare: 0.25, direction: .up) == "bad")
        #expect(IndicatorComparison.severity(planPct: 30, expectedShare: 0.25, direction: .down) == "warn")
        #expect(IndicatorComparison.severity(planPct: nil, expectedShare: 0.25, direction: .up) == nil)
    }
}

@Suite("Indicator formulas and anomalies")
struct IndicatorFormulaTests {
    @Test func parsesAndEvaluates() throws {
        let f = try IndicatorFormula.parse("GRDP_CURRENT * 1000 / POPULATION")
        #expect(f.references == ["GRDP_CURRENT", "POPULATION"])
        #expect(f.evaluate { ["GRDP_CURRENT": 198_133, "POPULATION": 3_346.853][$0] } .map { ($0 * 100).rounded() / 100 } == 59199.79)   // 198,133 tỷ đồng × 1000 / 3,346.853 thousand people
        #expect(try IndicatorFormula.parse("-(A + 2) * 3").evaluate { _ in 1 } == -9)
        #expect(try IndicatorFormula.parse("A / B").evaluate { $0 == "A" ? 1 : 0 } == nil)
        #expect(try IndicatorFormula.parse("A / B").evaluate { $0 == "A" ? 1 : nil } == nil)
        for bad in ["A +", "(A", "A ; B", "a + b", "1..2", "", "A)"] {
            #expect(throws: IndicatorFormula.ParseError.self, "\(bad)") { try IndicatorFormula.parse(bad) }
        }
        #expect(throws: IndicatorFormula.ParseError.self) { try IndicatorFormula.parse(String(repeating: "(", count: 80) + "A" + String(repeating: ")", count: 80)) }
    }

    @Test func findsCycles() {
        #expect(IndicatorFormula.cycle(in: ["A": ["B"], "B": ["C"], "C": []]) == nil)
        #expect(IndicatorFormula.cycle(in: ["A": ["B"], "B": ["C"], "C": ["A"]]) == ["A", "B", "C", "A"])
        #expect(IndicatorFormula.cycle(in: ["X": ["X"]]) == ["X", "X"])
    }

    func p(_ s: String) -> IndicatorPeriod { IndicatorPeriod(s)! }

    @Test func flagsABreakFromItsOwnHistory() {
        // Every month grows 10% a year: 2024 = 100, 2025 = 110, 2026 so far 121; March 2026 expected 110 × 1.1 = 121.
        var history: [IndicatorPeriod: Double] = [:]
        for m in 1...12 { history[IndicatorPeriod(kind: .month, year: 2024, index: m)] = 100
                          history[IndicatorPeriod(kind: .month, year: 2025, index: m)] = 110 }
        for m in 1...2 { history[IndicatorPeriod(kind: .month, year: 2026, index: m)] = 121 }
        #expect(IndicatorAnomaly.check(value: 127, at: p("2026-03"), history: history).isEmpty)
        let flags = IndicatorAnomaly.check(value: 181.5, at: p("2026-03"), history: history)
        #expect(flags.map(\.kind) == [.seasonal])
        #expect(flags[0].vi.contains("50,0"))         // |181.5 − 121| / 121
        // A 12% revision is flagged, an 8% one is not.
        #expect(IndicatorAnomaly.check(value: 123.2, at: p("2026-03"), history: history, revises: 110).map(\.kind) == [.revision])
        #expect(IndicatorAnomaly.check(value: 118.8, at: p("2026-03"), history: history, revises: 110).isEmpty)
        // Communes adding up to 3% off the province figure.
        #expect(IndicatorAnomaly.check(value: 121, at: p("2026-03"), history: history, communeSum: 124.63).map(\.kind) == [.communeSum])
    }

    @Test func withoutLastYearTheRecentTrendJudges() {
        let history: [IndicatorPeriod: Double] = [p("2026-01"): 100, p("2026-02"): 104, p("2026-03"): 96]
        #expect(IndicatorAnomaly.check(value: 120, at: p("2026-04"), history: history).isEmpty)
        #expect(IndicatorAnomaly.check(value: 200, at: p("2026-04"), history: history).map(\.kind) == [.trend])
    }
}
