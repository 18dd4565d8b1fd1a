import Foundation
import Testing
@testable import IOCCore

/// Hand-computed cases for QĐ 1459/QĐ-TCMT as resolved in environment.md (A1–A12), plus the decision's
/// own worked examples (mục 2.2.2.a and 2.3). The examples' numbers were taken from the decision's text
/// as transcribed in qnguyenle075/hcmc-air-quality, data/processed/qd_1459_vn_aqi.md (mục 2.2.2.a, 2.3).
@Suite("VN_AQI (QĐ 1459/QĐ-TCMT)")
struct VNAQITests {
    static func close(_ a: Double?, _ b: Double, within tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    /// Hourly input from a table of series, `series[p][k]` = the value k hours before the current label.
    static func hours(_ series: [AQIParameter: [Double?]]) -> (AQIParameter, Int) -> Double? {
        { p, k in
            guard let s = series[p], k >= 0, k < s.count else { return nil }
            return s[k]
        }
    }

    /// Daily input from a table of series, `series[p][h]` for h in -6...24.
    static func day(_ series: [AQIParameter: [Int: Double]]) -> (AQIParameter, Int) -> Double? {
        { p, h in series[p]?[h] }
    }

    static func constantDay(_ v: Double, hours: ClosedRange<Int> = 1...24) -> [Int: Double] {
        Dictionary(uniqueKeysWithValues: hours.map { ($0, v) })
    }

    // MARK: - Sub-index (Công thức 1, Bảng 2)

    @Test func breakpointsAreSharedEndPoints() {
        // A value on a breakpoint gives I_i from either adjacent segment (§1.4): PM2.5 25 → 50, 50 → 100;
        // PM10 150 → 100; CO 10000 → 50; NO2 700 → 150; O3 (8h) 400 → 300 (its last row); 0 → 0.
        #expect(VNAQI.subIndex(.pm25, 25) == 50)
        #expect(VNAQI.subIndex(.pm25, 50) == 100)
        #expect(VNAQI.subIndex(.pm10, 150) == 100)
        #expect(VNAQI.subIndex(.co, 10000) == 50)
        #expect(VNAQI.subIndex(.no2, 700) == 150)
        #expect(VNAQI.subIndex(.o3EightHour, 400) == 300)
        #expect(VNAQI.subIndex(.o3OneHour, 0) == 0)
    }

    @Test func valueBetweenBreakpointsIsInterpolated() {
        // PM2.5 37.5 lies in 25–50 → 50–100: 50 + 50/25 × (37.5 − 25) = 75.
        #expect(Self.close(VNAQI.subIndex(.pm25, 37.5), 75))
        // SO2 200 lies in 125–350 → 50–100: 50 + 50/225 × 75 = 66.666…
        #expect(Self.close(VNAQI.subIndex(.so2, 200), 50 + 50.0 / 225 * 75))
        // PM2.5 499 lies in 350–500 → 400–500: 400 + 100/150 × 149 = 499.333…, still below 500.
        #expect(Self.close(VNAQI.subIndex(.pm25, 499), 400 + 100.0 / 150 * 149))
    }

    @Test func atOrAboveTheTopBreakpointIs500() {
        // Row 8 reads "≥" (A7): at the top breakpoint and anything above it gives 500, not an extrapolation.
        #expect(VNAQI.subIndex(.pm25, 500) == 500)
        #expect(VNAQI.subIndex(.pm25, 1000) == 500)
        #expect(VNAQI.subIndex(.co, 150_000) == 500)
        #expect(VNAQI.subIndex(.o3OneHour, 5000) == 500)
        #expect(VNAQI.subIndex(.no2, 3850) == 500)
    }

    @Test func invalidConcentrationsAndO3EightHourAbove400HaveNoSubIndex() {
        // A11: negative or NaN is missing. The O3 (8h) column ends at 400; above it there is no 8h sub-index (A6).
        #expect(VNAQI.subIndex(.pm25, -1) == nil)
        #expect(VNAQI.subIndex(.pm25, .nan) == nil)
        #expect(VNAQI.subIndex(.o3EightHour, 400.1) == nil)
    }

    // MARK: - Rounding (A1)

    @Test func roundsHalfUp() {
        #expect(VNAQI.roundHalfUp(109.5) == 110)
        // 50/30 × (55.7 − 50) + 100 is meant to be 109.5 (the daily example's PM2.5, printed 110).
        #expect(VNAQI.roundHalfUp(50.0 / 30 * (55.7 - 50) + 100) == 110)
        // A float tie that arithmetic left just under the half still goes up (round to 9 places first).
        #expect(VNAQI.roundHalfUp(109.49999999999999) == 110)
        // The hourly example's NO2: 50 + 0.5 × 18.7 = 59.35 → 59 (the printed 60 is a misprint, A1).
        #expect(VNAQI.roundHalfUp(59.35) == 59)
        #expect(VNAQI.roundHalfUp(44.65) == 45)
        #expect(VNAQI.roundHalfUp(0.49) == 0)
    }

    // MARK: - NowCast (mục 2.2.1.a)

    /// The decision's PM2.5 example (mục 2.3.a), 09:00 … 20:00, reversed so c1 = 20:00 and c12 = 09:00.
    static let exampleHours: [Double?] = [20.6, 19.6, 22.4, 20.3, 16.5, 19.0, 16.5, 19.5, 23.5, 20.5, 24.7, 26.9]

    @Test func nowCastOfTheDecisionsExample() throws {
        // w* = 16.5/26.9 = 0.613382… (> 1/2, kept unrounded, A4); Σw^(i−1)c_i / Σw^(i−1) = 20.26577
        // (computed independently in Python); printed 20,3. PM2.5 sub-index 2 × 20.2658 = 40.53 → 41 as printed.
        let c = try #require(VNAQI.nowCast(Self.exampleHours))
        #expect(Self.close(c, 20.2658, within: 5e-5))
        // With w rounded to 0.61 it would be 20.2692 (A4); the unrounded w is used.
        #expect(!Self.close(c, 20.2692, within: 1e-3))
        #expect(VNAQI.roundHalfUp(try #require(VNAQI.subIndex(.pm25, c))) == 41)
    }

    @Test func nowCastWithGapsIsNormalised() throws {
        // A2's case: c2 missing, w* = 20/120 → w = 1/2; Σ over the 11 present hours of 0.5^(i−1)c_i divided by
        // their weights = 99.2537 (the literal unnormalised form would give 74.42). Sub-index:
        // 150 + 50/70 × (99.2537 − 80) = 163.75 → 164.
        let c = try #require(VNAQI.nowCast([120, nil, 70, 55, 40, 35, 30, 28, 25, 24, 22, 20]))
        #expect(Self.close(c, 99.25366, within: 1e-5))
        #expect(VNAQI.roundHalfUp(try #require(VNAQI.subIndex(.pm25, c))) == 164)
    }

    @Test func nowCastNeedsTwoOfTheThreeLatestHours() {
        // Only c1 of c1…c3 present: "không có dữ liệu", however full c4…c12 are.
        #expect(VNAQI.nowCast([30, nil, nil, 30, 30, 30, 30, 30, 30, 30, 30, 30]) == nil)
        #expect(VNAQI.nowCast([nil, nil, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]) == nil)
        // A negative value is missing too (A11).
        #expect(VNAQI.nowCast([30, -5, nil]) == nil)
        // c2 and c3 suffice, and nothing else is required of c4…c12: constant 30 → w = 1 → 30.
        #expect(VNAQI.nowCast([nil, 30, 30]) == 30)
    }

    @Test func nowCastOfZerosIsZero() {
        // A3: Cmax = 0 → NowCast 0; a measured 0 is data, not a gap.
        #expect(VNAQI.nowCast(Array(repeating: 0, count: 12)) == 0)
        #expect(VNAQI.nowCast([0, 0]) == 0)
    }

    @Test func nowCastHalfWeightBranchIsNormalised() throws {
        // c1 = 100, c2…c12 = 10: w* = 0.1 → w = 1/2. Normalised:
        // (100 + 10 × Σ_{i=1..11} 0.5^i) / Σ_{i=0..11} 0.5^i = (100 + 10 × (1 − 0.5^11)) / (2 − 0.5^11).
        let half11: Double = 1.0 / 2048  // 0.5^11
        let expected = (100 + 10 * (1 - half11)) / (2 - half11)
        let c = try #require(VNAQI.nowCast([100] + Array(repeating: 10, count: 11)))
        #expect(Self.close(c, expected))
    }

    // MARK: - Hourly AQI (mục 2.2.1)

    @Test func hourlyExampleOfTheDecision() throws {
        // Mục 2.3.b: O3 136.1 → 50/160 × 136.1 = 42.53 → 43; NO2 118.7 → 59.35 → 59 (printed 60, A1 misprint);
        // PM2.5 NowCast of the example hours → 41. AQI^h = 59, NO2 dominant, category Trung bình.
        let r = VNAQI.hourly(Self.hours([.o3: [136.1], .no2: [118.7], .pm25: Self.exampleHours]))
        #expect(r.aqi == 59)
        #expect(r.subIndices == [.o3: 43, .no2: 59, .pm25: 41])
        #expect(r.dominant == .no2)
        #expect(r.category?.level == 2)
        #expect(Self.close(r.exact, 59.35))
        #expect(Self.close(r.concentrations[.pm25], 20.2658, within: 5e-5))
        #expect(r.concentrations[.no2] == 118.7)
        #expect(r.unavailable == nil && r.notes.isEmpty)
    }

    @Test func hourlyWithGasesOnlyHasNoAQI() {
        // Mục 2.1.b: at least one PM is mandatory; gases alone give sub-indices but no AQI.
        let r = VNAQI.hourly(Self.hours([.no2: [150], .co: [5000]]))
        #expect(r.aqi == nil && r.exact == nil && r.category == nil && r.dominant == nil)
        #expect(r.unavailable?.code == "no-pm")
        #expect(r.subIndices == [.no2: 75, .co: 25])
    }

    @Test func hourlyWithOnePMUndefinedUsesTheOther() {
        // A8: PM10 has only c1 of c1…c3 → no NowCast, noted; PM2.5 constant 37.5 → 75 carries the AQI.
        let r = VNAQI.hourly(Self.hours([
            .pm10: [80, nil, nil, 80, 80],
            .pm25: Array(repeating: 37.5, count: 12),
        ]))
        #expect(r.aqi == 75 && r.dominant == .pm25)
        #expect(r.subIndices[.pm10] == nil)
        #expect(r.notes[.pm10]?.code == "nowcast-incomplete")
        // Only PM10, undefined → no AQI at all.
        let none = VNAQI.hourly(Self.hours([.pm10: [80, nil, nil, 80]]))
        #expect(none.aqi == nil && none.unavailable?.code == "no-pm")
    }

    @Test func hourlyGasMissingItsCurrentHourIsNotCarriedForward() {
        // A8: SO2 measured an hour ago (2000 → 400-ish) but not now: no sub-index, noted; AQI from PM2.5 only.
        let r = VNAQI.hourly(Self.hours([.so2: [nil, 2000], .pm25: Array(repeating: 10, count: 12)]))
        #expect(r.subIndices[.so2] == nil)
        #expect(r.notes[.so2]?.code == "missing-hour")
        #expect(r.aqi == 20 && r.dominant == .pm25)
        // A negative current hour is missing too (A11); a parameter with no data at all gets no note.
        let negative = VNAQI.hourly(Self.hours([.no2: [-3, 50], .pm25: [10, 10]]))
        #expect(negative.notes[.no2]?.code == "missing-hour")
        #expect(negative.notes[.co] == nil)
    }

    @Test func dominantTieOrder() {
        // A10: PM2.5 25, PM10 50, O3 160, NO2 100, SO2 125, CO 10000 all give exactly 50 → pm25 wins.
        var series: [AQIParameter: [Double?]] = [
            .pm25: [25, 25], .pm10: [50, 50], .o3: [160], .no2: [100], .so2: [125], .co: [10000],
        ]
        #expect(VNAQI.hourly(Self.hours(series)).dominant == .pm25)
        series[.pm25] = [20, 20]
        #expect(VNAQI.hourly(Self.hours(series)).dominant == .pm10)
        series[.pm10] = [40, 40]
        #expect(VNAQI.hourly(Self.hours(series)).dominant == .o3)
        series[.o3] = [100]
        #expect(VNAQI.hourly(Self.hours(series)).dominant == .no2)
        series[.no2] = [90]
        #expect(VNAQI.hourly(Self.hours(series)).dominant == .so2)
        series[.so2] = [100]
        #expect(VNAQI.hourly(Self.hours(series)).dominant == .co)
    }

    @Test func dominantIsTheHighestUnroundedSubIndex() {
        // PM2.5 25.2 → 50.4 and NO2 100.9 → 50.45 both round to 50; NO2 is higher unrounded, so it is dominant.
        let r = VNAQI.hourly(Self.hours([.pm25: [25.2, 25.2], .no2: [100.9]]))
        #expect(r.aqi == 50 && r.dominant == .no2)
    }

    // MARK: - Daily AQI (mục 2.2.2)

    /// The decision's O3 table (mục 2.2.2.a): previous day 18:00 … 24:00 (h = −6 … 0), then 01:00 … 24:00.
    static let exampleO3: [Int: Double] = {
        let values = [
            15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7,
            22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2, 55.8, 69.6,
            78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5, 19.4, 20.4, 21.3,
        ]
        return Dictionary(uniqueKeysWithValues: zip(-6...24, values).map { ($0, $1) })
    }()

    @Test func dailyO3EightHourExampleOfTheDecision() throws {
        // Trailing 8-hour windows (01:00 = mean of 18:00…01:00 = 17.975, printed 18,0); the largest is at 17:00,
        // mean of 10:00…17:00 = 595.1/8 = 74.3875 (printed 74,4). 8h sub-index 0.5 × 74.3875 = 37.19375 beats the
        // 1h sub-index 50/160 × 97.7 = 30.53 (A6). PM2.5 at 10 all day → 20, so O3 is dominant: AQI 37.
        let r = VNAQI.daily(Self.day([.o3: Self.exampleO3, .pm25: Self.constantDay(10)]))
        #expect(Self.close(r.o3EightHourMax, 74.3875))
        #expect(Self.close(r.exactSubIndices[.o3], 37.19375))
        #expect(r.concentrations[.o3] == 97.7)
        #expect(r.aqi == 37 && r.dominant == .o3)
    }

    @Test func dailyExampleOfTheDecision() throws {
        // Mục 2.3.c: max 8h O3 89.3 → 44.65 → 45; max 1h O3 114.6 → 35.8 → 36 (O3 keeps the larger, 45);
        // max 1h NO2 130.8 → 65.4 → 65; 24h PM2.5 55.7 → 109.5 → 110 = AQI^d, printed 110.
        // Hours built to give those figures: O3 01:00 = 114.6, 02:00 = 64.0, 03:00…08:00 = 89.3 (the 08:00
        // window is 714.4/8 = 89.3; earlier windows include the previous day's 10.0s and are lower; later ones
        // include 10.0s), other hours 10.0; NO2 130.8 at 12:00, 50 otherwise; PM2.5 55.7 every hour.
        var o3 = Self.constantDay(10, hours: -6...24)
        o3[1] = 114.6
        o3[2] = 64.0
        for h in 3...8 { o3[h] = 89.3 }
        var no2 = Self.constantDay(50)
        no2[12] = 130.8
        let r = VNAQI.daily(Self.day([.o3: o3, .no2: no2, .pm25: Self.constantDay(55.7)]))
        #expect(Self.close(r.o3EightHourMax, 89.3, within: 1e-9))
        #expect(r.subIndices == [.o3: 45, .no2: 65, .pm25: 110])
        #expect(r.aqi == 110 && r.dominant == .pm25 && r.category?.level == 3)
        #expect(r.concentrations[.o3] == 114.6 && r.concentrations[.no2] == 130.8)
        #expect(Self.close(r.concentrations[.pm25], 55.7))
    }

    @Test func dailyO3EightHourIsDroppedAbove400() {
        // O3 at 390 all day: 8h 390 → 200 + 100/190 × 180 = 294.74 (1h 390 → 195), so 8h counts.
        let at390 = VNAQI.daily(Self.day([.o3: Self.constantDay(390, hours: -6...24), .pm25: Self.constantDay(10)]))
        #expect(Self.close(at390.exactSubIndices[.o3], 200 + 100.0 / 190 * 180))
        // At 400 the 8h column still applies: 300.
        let at400 = VNAQI.daily(Self.day([.o3: Self.constantDay(400, hours: -6...24), .pm25: Self.constantDay(10)]))
        #expect(at400.subIndices[.o3] == 300)
        // O3 at 450: max 8h 450 > 400 → only the 1h column: 200 + 100/400 × 50 = 212.5 → 213.
        let at450 = VNAQI.daily(Self.day([.o3: Self.constantDay(450, hours: -6...24), .pm25: Self.constantDay(10)]))
        #expect(at450.exactSubIndices[.o3] == 212.5)
        #expect(at450.subIndices[.o3] == 213)
        #expect(at450.o3EightHourMax == 450)
    }

    @Test func dailyEightHourWindowsReachIntoThePreviousDay() {
        // Previous day 18:00…24:00 at 200, this day 0: the 01:00 window is (7 × 200 + 0)/8 = 175 → 8h sub-index
        // 150 + 50/40 × 5 = 156.25, although every hour of the day itself is 0.
        var o3 = Self.constantDay(0)
        for h in -6...0 { o3[h] = 200 }
        let r = VNAQI.daily(Self.day([.o3: o3, .pm25: Self.constantDay(10)]))
        #expect(r.o3EightHourMax == 175)
        #expect(r.exactSubIndices[.o3] == 156.25)
        #expect(r.concentrations[.o3] == 0)
    }

    @Test func dailyPMNeeds18Of24Hours() {
        // A9 policy: 18 hours present → mean of those present (12 × 20 + 6 × 50)/18 = 30 → 50 + 2 × 5 = 60.
        var pm = Self.constantDay(20, hours: 1...12)
        for h in 13...18 { pm[h] = 50 }
        let ok = VNAQI.daily(Self.day([.pm25: pm]))
        #expect(ok.concentrations[.pm25] == 30 && ok.aqi == 60)
        // 17 hours (one more removed, and a negative one does not count, A11): absent, noted; no PM → no AQI.
        pm[18] = nil
        pm[19] = -4
        let short = VNAQI.daily(Self.day([.pm25: pm, .no2: Self.constantDay(150, hours: 1...1)]))
        #expect(short.subIndices[.pm25] == nil)
        #expect(short.notes[.pm25]?.code == "daily-incomplete")
        #expect(short.aqi == nil && short.unavailable?.code == "no-pm")
        // A gas needs only one hour: NO2's single 150 gives 75.
        #expect(short.subIndices[.no2] == 75)
    }

    @Test func dailyO3EightHourWindowNeeds6Of8Hours() {
        // O3 100 at 01:00…06:00 only: the 06:00 window (23:00 prev … 06:00) has 6 of 8 → mean 100 → 8h sub-index
        // 50, larger than the 1h 100 → 31.25.
        let six = VNAQI.daily(Self.day([.o3: Self.constantDay(100, hours: 1...6), .pm25: Self.constantDay(10)]))
        #expect(six.o3EightHourMax == 100 && six.exactSubIndices[.o3] == 50)
        // Only 01:00…05:00: no window reaches 6 values → 1h only, 31.25.
        let five = VNAQI.daily(Self.day([.o3: Self.constantDay(100, hours: 1...5), .pm25: Self.constantDay(10)]))
        #expect(five.o3EightHourMax == nil && five.exactSubIndices[.o3] == 31.25)
    }

    // MARK: - Categories (Bảng 1)

    @Test func categoriesAndColours() {
        // Chosen from the rounded AQI; each band's upper end belongs to it, the next integer to the next band.
        let cases: [(Int, Int, String, String)] = [
            (0, 1, "Tốt", "#00E400"), (50, 1, "Tốt", "#00E400"),
            (51, 2, "Trung bình", "#FFFF00"), (100, 2, "Trung bình", "#FFFF00"),
            (101, 3, "Kém", "#FF7E00"), (150, 3, "Kém", "#FF7E00"),
            (151, 4, "Xấu", "#FF0000"), (200, 4, "Xấu", "#FF0000"),
            (201, 5, "Rất xấu", "#8F3F97"), (300, 5, "Rất xấu", "#8F3F97"),
            (301, 6, "Nguy hại", "#7E0023"), (500, 6, "Nguy hại", "#7E0023"),
        ]
        for (aqi, level, name, color) in cases {
            let c = AQICategory.of(aqi: aqi)
            #expect(c.level == level && c.name == name && c.color == color, "AQI \(aqi)")
        }
        #expect(AQICategory.all.map(\.nameEn) == ["Good", "Moderate", "Poor", "Bad", "Very bad", "Hazardous"])
        #expect(AQICategory.of(aqi: 201).rgb == [143, 63, 151])
        // Every hex code is the RGB code of Bảng 1.
        for c in AQICategory.all {
            #expect(c.color == "#" + c.rgb.map { String(format: "%02X", $0) }.joined())
        }
    }

    // MARK: - JSON and definition

    @Test func encodesParameterDictionariesAsObjects() throws {
        let r = VNAQI.hourly(Self.hours([.o3: [136.1], .no2: [118.7], .pm25: Self.exampleHours]))
        let data = try JSONEncoder().encode(r)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sub = try #require(json["subIndices"] as? [String: Int])
        #expect(sub == ["o3": 43, "no2": 59, "pm25": 41])
        #expect(json["dominant"] as? String == "no2")
        #expect(try JSONDecoder().decode(AQIResult.self, from: data) == r)

        let noPM = VNAQI.hourly(Self.hours([.so2: [nil, 10]]))
        let notes = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(noPM)) as? [String: Any]
        )["notes"] as? [String: [String: String]]
        #expect(notes?["so2"]?["code"] == "missing-hour")
    }

    @Test func definitionStatesTheCompletenessPolicyInBothLanguages() {
        for text in [VNAQI.definition.vi, VNAQI.definition.en] {
            #expect(text.contains("1459"))
            #expect(text.contains("18") && text.contains("24") && text.contains("6") && text.contains("8"))
            #expect(text.contains("400"))
            #expect(text.contains("500"))
        }
        #expect(VNAQI.definition.vi.contains("làm tròn nửa lên"))
        #expect(VNAQI.definition.en.contains("half-up"))
    }
}
