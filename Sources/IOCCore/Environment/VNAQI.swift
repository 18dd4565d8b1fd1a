import Foundation

/// The Vietnamese air-quality index VN_AQI of QĐ 1459/QĐ-TCMT (12/11/2019), computed per station from
/// hourly means, with the project's resolutions of the decision's gaps (docs: environment.md A1–A12).
///
/// Everything here is a pure function of the values it is given; `hourly(_:)` and `daily(_:)` take the
/// hourly means through a closure so the caller decides where they come from.
public enum VNAQI {
    /// A column of Bảng 2 (breakpoints BP_i, µg/m³).
    public enum Column: Sendable {
        case o3OneHour, o3EightHour, co, so2, no2, pm10, pm25

        /// BP_1 … BP_8 of Bảng 2; O3 (8h) stops at BP_6 = 400 (the decision leaves rows 7–8 empty).
        var breakpoints: [Double] {
            switch self {
            case .o3OneHour: [0, 160, 200, 300, 400, 800, 1000, 1200]
            case .o3EightHour: [0, 100, 120, 170, 210, 400]
            case .co: [0, 10000, 30000, 45000, 60000, 90000, 120000, 150000]
            case .so2: [0, 125, 350, 550, 800, 1600, 2100, 2630]
            case .no2: [0, 100, 200, 700, 1200, 2350, 3100, 3850]
            case .pm10: [0, 50, 150, 250, 350, 420, 500, 600]
            case .pm25: [0, 25, 50, 80, 150, 250, 350, 500]
            }
        }

        /// The column an hourly value of `parameter` is read against (O3 uses O3 (1h), Bảng 2 ghi chú).
        init(hourly parameter: AQIParameter) {
            switch parameter {
            case .pm25: self = .pm25
            case .pm10: self = .pm10
            case .o3: self = .o3OneHour
            case .co: self = .co
            case .so2: self = .so2
            case .no2: self = .no2
            }
        }
    }

    /// I_1 … I_8 of Bảng 2.
    static let indexPoints: [Double] = [0, 50, 100, 150, 200, 300, 400, 500]

    /// Sub-index of one concentration against a Bảng 2 column, by Công thức 1:
    /// AQIx = (I_{i+1} − I_i) / (BP_{i+1} − BP_i) × (C − BP_i) + I_i with BP_i ≤ C ≤ BP_{i+1}.
    ///
    /// Segments share their end points, so a value on a breakpoint gives I_i either way (25 µg/m³ PM2.5 → 50).
    /// Returns nil for a negative or non-finite value (A11). At or above BP_8 ("≥" in row 8) the sub-index
    /// is 500 (A7). The O3 (8h) column ends at 400 → 300; above 400 it is undefined (nil) and the day's
    /// O3 uses the 1-hour column alone (mục 2.2.2.b, A6).
    public static func subIndex(_ column: Column, _ c: Double) -> Double? {
        guard c.isFinite, c >= 0 else { return nil }
        let bp = column.breakpoints
        let top = bp.count - 1
        if column == .o3EightHour, c > bp[top] { return nil }
        if bp.count == indexPoints.count, c >= bp[top] { return indexPoints[top] }
        for i in 0..<top where c <= bp[i + 1] {
            return (indexPoints[i + 1] - indexPoints[i]) / (bp[i + 1] - bp[i]) * (c - bp[i]) + indexPoints[i]
        }
        return indexPoints[top]
    }

    /// NowCast of 12 hourly means (mục 2.2.1.a), `c[0]` = c1 (the current hour) … `c[11]` = c12.
    ///
    /// - nil unless at least 2 of c1, c2, c3 are present ("Nếu có ít nhất 2 trong 3 giá trị c1, c2, c3 có
    ///   dữ liệu thì mới tính được giá trị Nowcast").
    /// - A missing hour (nil, negative or NaN, A11) gets weight 0 in both sums; it is never filled in.
    /// - w* = Cmin/Cmax over the hours present (A3); w = max(w*, 1/2), not rounded (A4). All zero → 0.
    /// - Normalised Σw^(i−1)c_i / Σw^(i−1) in both branches (A2), not rounded (A5).
    /// Values beyond the 12th are ignored.
    public static func nowCast(_ c: [Double?]) -> Double? {
        let present: [(age: Int, value: Double)] = c.prefix(12).enumerated().compactMap { i, v in
            valid(v).map { (i, $0) }
        }
        guard present.filter({ $0.age < 3 }).count >= 2 else { return nil }
        let cmax = present.map(\.value).max() ?? 0
        guard cmax > 0 else { return 0 }
        let cmin = present.map(\.value).min() ?? 0
        let w = max(cmin / cmax, 0.5)
        var weighted = 0.0, weights = 0.0
        for (age, value) in present {
            let weight = pow(w, Double(age))
            weighted += weight * value
            weights += weight
        }
        return weighted / weights
    }

    /// Rounds half-up to an integer (A1): floor(round(x, 9) + 0.5), so 109.5 → 110 and a float just under
    /// a half from arithmetic noise (109.49999999999999) still counts as the half. `x` must be finite.
    public static func roundHalfUp(_ x: Double) -> Int {
        let cleaned = (x * 1e9).rounded() / 1e9
        return Int((cleaned + 0.5).rounded(.down))
    }

    /// A measured value, or nil when it is missing, negative or not a number (A11).
    static func valid(_ v: Double?) -> Double? {
        guard let v, v.isFinite, v >= 0 else { return nil }
        return v
    }

    /// Builds the result from the sub-indices found: the index is their maximum, and exists only when a PM
    /// sub-index does (mục 2.1.b).
    static func result(
        exactSubIndices: [AQIParameter: Double],
        concentrations: [AQIParameter: Double],
        o3EightHourMax: Double? = nil,
        notes: [AQIParameter: AQIUnavailable]
    ) -> AQIResult {
        let subIndices = exactSubIndices.mapValues(roundHalfUp)
        let hasPM = exactSubIndices.keys.contains { $0.isParticulate }
        let top = exactSubIndices.min { a, b in
            a.value != b.value ? a.value > b.value : a.key.tieRank < b.key.tieRank
        }
        guard hasPM, let top else {
            return AQIResult(
                aqi: nil, exact: nil, category: nil, dominant: nil,
                subIndices: subIndices, exactSubIndices: exactSubIndices, concentrations: concentrations,
                o3EightHourMax: o3EightHourMax, unavailable: .noPM, notes: notes
            )
        }
        let aqi = roundHalfUp(top.value)
        return AQIResult(
            aqi: aqi, exact: top.value, category: .of(aqi: aqi), dominant: top.key,
            subIndices: subIndices, exactSubIndices: exactSubIndices, concentrations: concentrations,
            o3EightHourMax: o3EightHourMax, unavailable: nil, notes: notes
        )
    }
}
