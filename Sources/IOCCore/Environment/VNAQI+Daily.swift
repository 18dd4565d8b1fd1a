import Foundation

extension VNAQI {
    /// Hours a 24-hour PM mean needs (75 % of 24; the project's policy, A9).
    static let dailyMinimumHours = 18
    /// Hours an 8-hour O3 mean needs (75 % of 8; the project's policy, A9).
    static let eightHourMinimumHours = 6

    /// Daily AQI (AQI^d, mục 2.2.2) of a day, every sub-index by Công thức 1.
    ///
    /// `value(p, h)` returns the hourly mean labelled hour `h` of the day for h in 1...24 (hour-ending
    /// labels 01:00 … 24:00, where 24:00 is 00:00 of the next day: "từ 01:00 giờ đến 00:00 hôm sau"),
    /// and for h in -6...0 the previous day's labels 18:00 … 24:00, which O3's trailing 8-hour windows
    /// reach into. Negative values are treated as missing (A11).
    /// - PM2.5, PM10: mean of the hours present among 1...24, when at least 18 are present (A9).
    /// - SO2, NO2, CO: the largest hour present among 1...24.
    /// - O3: max(sub-index of the largest hour against O3 (1h), sub-index of the largest 8-hour mean
    ///   against O3 (8h)) (A6). The 8-hour mean labelled h averages the hours present among h−7...h, when
    ///   at least 6 are (A9); the day has 24 of them (h = 1...24). The 8-hour part is dropped when the
    ///   largest 8-hour mean exceeds 400 µg/m³ (mục 2.2.2.b Lưu ý).
    public static func daily(_ value: (AQIParameter, Int) -> Double?) -> AQIResult {
        var exact: [AQIParameter: Double] = [:]
        var used: [AQIParameter: Double] = [:]
        var notes: [AQIParameter: AQIUnavailable] = [:]
        var o3EightHourMax: Double?
        for p in AQIParameter.allCases {
            let day = (1...24).compactMap { valid(value(p, $0)) }
            switch p {
            case .pm25, .pm10:
                if day.count >= dailyMinimumHours, let s = subIndex(Column(hourly: p), mean(day)) {
                    exact[p] = s
                    used[p] = mean(day)
                } else if !day.isEmpty {
                    notes[p] = .dailyIncomplete
                }
            case .so2, .no2, .co:
                if let c = day.max(), let s = subIndex(Column(hourly: p), c) {
                    exact[p] = s
                    used[p] = c
                }
            case .o3:
                let hours = Dictionary(uniqueKeysWithValues: (-6...24).map { ($0, valid(value(p, $0))) })
                let windows = (1...24).compactMap { end -> Double? in
                    let present = (end - 7...end).compactMap { hours[$0] ?? nil }
                    return present.count >= eightHourMinimumHours ? mean(present) : nil
                }
                o3EightHourMax = windows.max()
                let oneHourMax = day.max()
                let fromOneHour = oneHourMax.flatMap { subIndex(.o3OneHour, $0) }
                let fromEightHours = o3EightHourMax.flatMap { subIndex(.o3EightHour, $0) }  // nil above 400
                if let s = [fromOneHour, fromEightHours].compactMap({ $0 }).max() {
                    exact[p] = s
                    if let oneHourMax { used[p] = oneHourMax }
                } else if hours.values.contains(where: { $0 != nil }) {
                    notes[p] = .dailyIncomplete
                }
            }
        }
        return result(exactSubIndices: exact, concentrations: used, o3EightHourMax: o3EightHourMax, notes: notes)
    }

    private static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }
}
