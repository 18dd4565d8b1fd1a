import Foundation

/// How values combine: across communes into the province, and across the periods of a year into the year to date.
public enum IndicatorAggregation: String, Sendable, Hashable, Codable, CaseIterable {
    case sum, mean, weightedMean, none
}

/// Whether a higher or a lower value is better.
public enum IndicatorDirection: String, Sendable, Hashable, Codable, CaseIterable {
    case up, down
}

/// What the comparisons need to know about an indicator.
public struct IndicatorShape: Sendable, Hashable {
    public var period: PeriodKind
    /// Values are lũy kế: each one is already the total (or level) from the start of the year.
    public var cumulative: Bool
    public var aggregation: IndicatorAggregation

    public init(period: PeriodKind, cumulative: Bool, aggregation: IndicatorAggregation) {
        self.period = period
        self.cumulative = cumulative
        self.aggregation = aggregation
    }
}

/// The comparisons a leader reads beside a value.
public struct IndicatorComparisonRow: Sendable, Hashable {
    public var period: IndicatorPeriod
    public var value: Double
    public var previous: Double?
    public var samePeriodLastYear: Double?
    public var changeVsPreviousPct: Double?
    public var changeVsSamePeriodPct: Double?
    public var yearToDate: Double?
    public var yearToDateChangePct: Double?
    public var planPct: Double?
}

public enum IndicatorComparison {
    /// value / reference × 100 − 100, rounded to 2 decimals; nil without a reference or when it is zero.
    public static func changePct(_ value: Double?, vs reference: Double?) -> Double? {
        guard let value, let reference, reference != 0 else { return nil }
        return round2(value / reference * 100 - 100)
    }

    /// part / whole × 100, rounded to 2 decimals.
    public static func sharePct(_ part: Double?, of whole: Double?) -> Double? {
        guard let part, let whole, whole != 0 else { return nil }
        return round2(part / whole * 100)
    }

    public static func round2(_ x: Double) -> Double { (x * 100).rounded(.toNearestOrAwayFromZero) / 100 }

    /// The year to date at `period`: the value itself for a cumulative indicator; otherwise the sum or mean of the
    /// year's periods up to this one, nil when one of them is missing (a partial total would mislead) or when the
    /// indicator's values do not add up over time (aggregation `none`).
    public static func yearToDate(at period: IndicatorPeriod, shape: IndicatorShape, values: [IndicatorPeriod: Double]) -> Double? {
        if shape.cumulative { return values[period] }
        let periods = period.yearToDate
        var total = 0.0
        for p in periods {
            guard let v = values[p] else { return nil }
            total += v
        }
        switch shape.aggregation {
        case .sum: return total
        case .mean, .weightedMean: return total / Double(periods.count)
        case .none: return nil
        }
    }

    /// The comparison row of every period in `periods` that has a value.
    /// - Parameters:
    ///   - values: the series (every period that might be referenced: previous, last year, the years to date).
    ///   - plans: the annual plan per year (for `planPct` = year to date / plan × 100).
    public static func rows(for periods: [IndicatorPeriod], shape: IndicatorShape, values: [IndicatorPeriod: Double],
                            plans: [Int: Double]) -> [IndicatorComparisonRow] {
        periods.compactMap { p in
            guard let v = values[p] else { return nil }
            let prev = values[p.previous]
            let last = p.samePeriodLastYear
            let sply = last.flatMap { values[$0] }
            let ytd = yearToDate(at: p, shape: shape, values: values)
            let lastYTD = last.flatMap { yearToDate(at: $0, shape: shape, values: values) }
            return IndicatorComparisonRow(
                period: p, value: v, previous: prev, samePeriodLastYear: sply,
                changeVsPreviousPct: changePct(v, vs: prev), changeVsSamePeriodPct: changePct(v, vs: sply),
                yearToDate: ytd.map(round2), yearToDateChangePct: changePct(ytd, vs: lastYTD),
                planPct: sharePct(ytd, of: plans[p.year]))
        }
    }

    /// The periods a comparison at `period` reads, so a caller can load exactly those.
    public static func referencedPeriods(from: IndicatorPeriod, to: IndicatorPeriod) -> (from: IndicatorPeriod, to: IndicatorPeriod) {
        let start = IndicatorPeriod(kind: from.kind, year: from.year - 1, index: 1)
        return (start, to)
    }

    /// Ranks by value (1 = best for the direction), ties sharing a rank (1, 2, 2, 4).
    public static func ranks<Key: Hashable>(_ values: [Key: Double], direction: IndicatorDirection) -> [Key: Int] {
        let sorted = values.sorted { direction == .up ? $0.value > $1.value : $0.value < $1.value }
        var out: [Key: Int] = [:]
        var rank = 0
        var previous: Double?
        for (i, (key, v)) in sorted.enumerated() {
            if v != previous { rank = i + 1; previous = v }
            out[key] = rank
        }
        return out
    }

    /// Status against plan for a wall: good when on track for the year's plan (for an indicator where lower is
    /// better, when at or under it), warn within 10 points, bad beyond. `expectedShare` is the share of the year
    /// elapsed at the period (1 for a cumulative level indicator read against its end-of-year target).
    public static func severity(planPct: Double?, expectedShare: Double, direction: IndicatorDirection) -> String? {
        guard let planPct else { return nil }
        let expected = expectedShare * 100
        switch direction {
        case .up: return planPct >= expected ? "good" : planPct >= expected - 10 ? "warn" : "bad"
        case .down: return planPct <= expected ? "good" : planPct <= expected + 10 ? "warn" : "bad"
        }
    }
}
