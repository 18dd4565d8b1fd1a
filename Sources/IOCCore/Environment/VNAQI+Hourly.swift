import Foundation

extension VNAQI {
    /// Hourly AQI (AQI^h, mục 2.2.1) at an hour label.
    ///
    /// `value(p, k)` returns the hourly mean of `p` labelled `k` hours before the current label (k = 0 is
    /// c1, the current hour; k up to 11). Negative values are treated as missing (A11).
    /// - PM2.5 and PM10: NowCast of c1…c12 (Công thức 2); undefined with fewer than 2 of c1…c3.
    /// - O3, CO, SO2, NO2: the current hour only (Công thức 1; O3 against O3 (1h)). A missing current
    ///   hour gives no sub-index; an earlier hour is not carried forward (A8).
    public static func hourly(_ value: (AQIParameter, Int) -> Double?) -> AQIResult {
        var exact: [AQIParameter: Double] = [:]
        var used: [AQIParameter: Double] = [:]
        var notes: [AQIParameter: AQIUnavailable] = [:]
        for p in AQIParameter.allCases {
            let column = Column(hourly: p)
            if p.isParticulate {
                let hours = (0..<12).map { valid(value(p, $0)) }
                if let c = nowCast(hours), let s = subIndex(column, c) {
                    exact[p] = s
                    used[p] = c
                } else if hours.contains(where: { $0 != nil }) {
                    notes[p] = .nowcastIncomplete
                }
            } else if let c = valid(value(p, 0)), let s = subIndex(column, c) {
                exact[p] = s
                used[p] = c
            } else if (1..<12).contains(where: { valid(value(p, $0)) != nil }) {
                notes[p] = .missingHour
            }
        }
        return result(exactSubIndices: exact, concentrations: used, notes: notes)
    }
}
