import Foundation

/// A value an approver should look at twice before it reaches leaders.
public struct IndicatorFlag: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Breaks from its own history: far from last year's same period grown at the recent year-on-year rate.
        case seasonal
        /// No same period last year to compare with: far from the mean of the last three periods.
        case trend
        /// A revision moves the figure by more than the set share.
        case revision
        /// The communes' sum disagrees with the province figure.
        case communeSum
    }

    public var kind: Kind
    public var vi: String
    public var en: String
}

public enum IndicatorAnomaly {
    public struct Thresholds: Sendable, Hashable {
        /// Least relative gap from the seasonal expectation that is flagged (widened by the history's own spread).
        public var seasonal = 0.30
        /// Relative gap from the recent mean flagged when there is no same period last year.
        public var trend = 0.50
        /// A revision moving the figure by more than this share is flagged.
        public var revision = 0.10
        /// The communes' sum may differ from the province figure by this share (rounding, unallocated amounts).
        public var communeSum = 0.02
        public init() {}
    }

    static func pct(_ x: Double) -> String { String(format: "%.1f", x * 100).replacingOccurrences(of: ".", with: ",") }
    static func pctEn(_ x: Double) -> String { String(format: "%.1f", x * 100) }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The flags of `value` at `period`, given the indicator's approved history (other periods), the value it revises
    /// (if any) and the sum of the communes' values for the same period (when `value` is the province's).
    public static func check(value: Double, at period: IndicatorPeriod, history: [IndicatorPeriod: Double],
                             revises previousVintage: Double? = nil, communeSum: Double? = nil,
                             thresholds: Thresholds = .init()) -> [IndicatorFlag] {
        var flags: [IndicatorFlag] = []
        if let sply = period.samePeriodLastYear.flatMap({ history[$0] }), sply != 0 {
            // Year-on-year growth of the last six periods that have both values: its median is the expectation and
            // its spread widens the tolerance for series that move a lot anyway.
            var growths: [Double] = []
            var p = period.previous
            for _ in 0..<6 {
                if let v = history[p], let l = p.samePeriodLastYear.flatMap({ history[$0] }), l != 0 { growths.append(v / l) }
                p = p.previous
            }
            let expected = growths.isEmpty ? 1 : median(growths)
            let spread = growths.count >= 3 ? median(growths.map { abs($0 - expected) }) / max(abs(expected), 1e-9) : 0
            let predicted = sply * expected
            let gap = abs(value - predicted) / abs(predicted)
            if gap > max(thresholds.seasonal, 4 * spread) {
                flags.append(.init(kind: .seasonal,
                                   vi: "Lệch \(pct(gap))% so với mức kỳ vọng theo cùng kỳ năm trước và xu hướng gần đây.",
                                   en: "\(pctEn(gap))% away from what last year's same period and the recent trend suggest."))
            }
        } else {
            let recent = [period.previous, period.previous.previous, period.previous.previous.previous].compactMap { history[$0] }
            if recent.count >= 2 {
                let mean = recent.reduce(0, +) / Double(recent.count)
                if mean != 0, abs(value - mean) / abs(mean) > thresholds.trend {
                    let gap = abs(value - mean) / abs(mean)
                    flags.append(.init(kind: .trend, vi: "Lệch \(pct(gap))% so với trung bình các kỳ gần nhất.",
                                       en: "\(pctEn(gap))% away from the mean of the latest periods."))
                }
            }
        }
        if let old = previousVintage, old != 0, abs(value - old) / abs(old) > thresholds.revision {
            let gap = (value - old) / abs(old)
            flags.append(.init(kind: .revision, vi: "Điều chỉnh \(gap > 0 ? "+" : "")\(pct(gap))% so với số liệu đã công bố.",
                               en: "Revision of \(gap > 0 ? "+" : "")\(pctEn(gap))% against the published figure."))
        }
        if let sum = communeSum, value != 0, abs(sum - value) / abs(value) > thresholds.communeSum {
            let gap = (sum - value) / abs(value)
            flags.append(.init(kind: .communeSum, vi: "Tổng các xã, phường lệch \(pct(gap))% so với số của tỉnh.",
                               en: "The communes add up to \(pctEn(gap))% off the province figure."))
        }
        return flags
    }
}
