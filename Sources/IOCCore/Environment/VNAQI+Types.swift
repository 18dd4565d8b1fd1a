import Foundation

/// A parameter of the Vietnamese air-quality index. Every concentration is in µg/m³, CO included
/// (QĐ 1459/QĐ-TCMT mục 2.1.b, Bảng 2).
public enum AQIParameter: String, CaseIterable, Codable, Sendable {
    case pm25, pm10, o3, co, so2, no2

    /// Which parameter is named dominant when two sub-indices are exactly equal (environment.md A10):
    /// pm25 > pm10 > o3 > no2 > so2 > co. Lower ranks win.
    var tieRank: Int {
        switch self {
        case .pm25: 0
        case .pm10: 1
        case .o3: 2
        case .no2: 3
        case .so2: 4
        case .co: 5
        }
    }

    var isParticulate: Bool { self == .pm25 || self == .pm10 }
}

/// One band of Bảng 1 (QĐ 1459 mục 1.4): the quality label and the colour to show it in.
public struct AQICategory: Sendable, Equatable, Codable {
    /// 1 (Tốt) … 6 (Nguy hại).
    public let level: Int
    /// The decision's label, "Tốt" … "Nguy hại".
    public let name: String
    /// "Good", "Moderate", "Poor", "Bad", "Very bad", "Hazardous".
    public let nameEn: String
    /// Hex colour of the RGB code in Bảng 1, e.g. "#00E400".
    public let color: String
    /// The RGB code of Bảng 1, e.g. [0, 228, 0].
    public let rgb: [Int]
    /// The band's lowest and highest integer AQI (0–50, 51–100, … 301–500).
    public let lower: Int
    public let upper: Int

    /// The six bands in order.
    public static let all: [AQICategory] = [
        AQICategory(level: 1, name: "Tốt", nameEn: "Good", color: "#00E400", rgb: [0, 228, 0], lower: 0, upper: 50),
        AQICategory(level: 2, name: "Trung bình", nameEn: "Moderate", color: "#FFFF00", rgb: [255, 255, 0], lower: 51, upper: 100),
        AQICategory(level: 3, name: "Kém", nameEn: "Poor", color: "#FF7E00", rgb: [255, 126, 0], lower: 101, upper: 150),
        AQICategory(level: 4, name: "Xấu", nameEn: "Bad", color: "#FF0000", rgb: [255, 0, 0], lower: 151, upper: 200),
        AQICategory(level: 5, name: "Rất xấu", nameEn: "Very bad", color: "#8F3F97", rgb: [143, 63, 151], lower: 201, upper: 300),
        AQICategory(level: 6, name: "Nguy hại", nameEn: "Hazardous", color: "#7E0023", rgb: [126, 0, 35], lower: 301, upper: 500),
    ]

    /// The band of a **rounded** AQI (environment.md §1.2). Below 0 counts as Tốt, above 500 as Nguy hại.
    public static func of(aqi: Int) -> AQICategory {
        all.first { aqi <= $0.upper } ?? all[all.count - 1]
    }
}

/// Why an index or a sub-index could not be computed, in both languages.
public struct AQIUnavailable: Sendable, Equatable, Codable {
    /// A stable code for programs: "no-pm", "nowcast-incomplete", "missing-hour", "daily-incomplete".
    public let code: String
    public let vi: String
    public let en: String

    public init(code: String, vi: String, en: String) {
        self.code = code
        self.vi = vi
        self.en = en
    }

    /// Neither PM sub-index exists, so there is no AQI even with gas values (QĐ 1459 mục 2.1.b).
    public static let noPM = AQIUnavailable(
        code: "no-pm",
        vi: "Không tính được VN_AQI: không có chỉ số của PM2.5 hay PM10 (QĐ 1459 bắt buộc có tối thiểu 01 trong 02 thông số bụi).",
        en: "No VN_AQI: neither the PM2.5 nor the PM10 sub-index can be computed (QĐ 1459 requires at least one of the two)."
    )
    /// Fewer than 2 of the 3 most recent hours are present (QĐ 1459 mục 2.2.1.a, Chú ý).
    public static let nowcastIncomplete = AQIUnavailable(
        code: "nowcast-incomplete",
        vi: "Không tính được Nowcast: cần ít nhất 2 trong 3 giờ gần nhất có dữ liệu.",
        en: "NowCast undefined: at least 2 of the 3 most recent hours must have data."
    )
    /// The current hour of a gas is missing; an earlier hour is not carried forward (environment.md A8).
    public static let missingHour = AQIUnavailable(
        code: "missing-hour",
        vi: "Thiếu giá trị trung bình 1 giờ của giờ hiện tại.",
        en: "The current hour's 1-hour mean is missing."
    )
    /// The day has too few hours under the project's completeness policy (environment.md A9).
    public static let dailyIncomplete = AQIUnavailable(
        code: "daily-incomplete",
        vi: "Không đủ dữ liệu trong ngày: trung bình 24 giờ cần ít nhất 18/24 giá trị giờ, trung bình 8 giờ cần ít nhất 6/8.",
        en: "Not enough data for the day: the 24-hour mean needs at least 18 of 24 hourly values, an 8-hour mean at least 6 of 8."
    )
}

/// An hourly or daily VN_AQI with everything the publication rules ask to show (QĐ 1459 Bảng 3:
/// every parameter, and the one with the highest AQIx marked).
public struct AQIResult: Sendable, Equatable, Codable {
    /// The index rounded half-up (environment.md A1); nil when undefined (see `unavailable`).
    public let aqi: Int?
    /// The largest unrounded sub-index; nil with `aqi`.
    public let exact: Double?
    /// The band of `aqi`.
    public let category: AQICategory?
    /// The parameter with the highest unrounded sub-index, ties broken pm25 > pm10 > o3 > no2 > so2 > co (A10).
    public let dominant: AQIParameter?
    /// Rounded sub-indices of the parameters that have one, gases included even when `aqi` is nil.
    public let subIndices: [AQIParameter: Int]
    /// Unrounded sub-indices.
    public let exactSubIndices: [AQIParameter: Double]
    /// The concentration each sub-index was computed from: NowCast for PM and the current hour for gases
    /// (hourly); the 24-hour mean for PM and the largest 1-hour value for gases and O3 (daily).
    public let concentrations: [AQIParameter: Double]
    /// The day's largest 8-hour O3 mean (daily only; nil hourly or when no 8-hour window is complete).
    /// Above 400 µg/m³ it is shown but not indexed (A6).
    public let o3EightHourMax: Double?
    /// Why `aqi` is nil; nil when `aqi` exists.
    public let unavailable: AQIUnavailable?
    /// Why a parameter with data in the period has no sub-index. A parameter with no data at all (not
    /// measured at the station) gets no note.
    public let notes: [AQIParameter: AQIUnavailable]

    public init(
        aqi: Int?, exact: Double?, category: AQICategory?, dominant: AQIParameter?,
        subIndices: [AQIParameter: Int], exactSubIndices: [AQIParameter: Double],
        concentrations: [AQIParameter: Double], o3EightHourMax: Double? = nil,
        unavailable: AQIUnavailable?, notes: [AQIParameter: AQIUnavailable]
    ) {
        self.aqi = aqi
        self.exact = exact
        self.category = category
        self.dominant = dominant
        self.subIndices = subIndices
        self.exactSubIndices = exactSubIndices
        self.concentrations = concentrations
        self.o3EightHourMax = o3EightHourMax
        self.unavailable = unavailable
        self.notes = notes
    }

    // Dictionaries keyed by an enum encode as JSON arrays by default; these encode as objects keyed by
    // the raw value, e.g. {"pm25": 57}.
    private enum CodingKeys: String, CodingKey {
        case aqi, exact, category, dominant, subIndices, exactSubIndices, concentrations, o3EightHourMax, unavailable, notes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        aqi = try c.decodeIfPresent(Int.self, forKey: .aqi)
        exact = try c.decodeIfPresent(Double.self, forKey: .exact)
        category = try c.decodeIfPresent(AQICategory.self, forKey: .category)
        dominant = try c.decodeIfPresent(AQIParameter.self, forKey: .dominant)
        subIndices = try Self.byParameter(c.decode([String: Int].self, forKey: .subIndices), c, .subIndices)
        exactSubIndices = try Self.byParameter(c.decode([String: Double].self, forKey: .exactSubIndices), c, .exactSubIndices)
        concentrations = try Self.byParameter(c.decode([String: Double].self, forKey: .concentrations), c, .concentrations)
        o3EightHourMax = try c.decodeIfPresent(Double.self, forKey: .o3EightHourMax)
        unavailable = try c.decodeIfPresent(AQIUnavailable.self, forKey: .unavailable)
        notes = try Self.byParameter(c.decode([String: AQIUnavailable].self, forKey: .notes), c, .notes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(aqi, forKey: .aqi)
        try c.encodeIfPresent(exact, forKey: .exact)
        try c.encodeIfPresent(category, forKey: .category)
        try c.encodeIfPresent(dominant, forKey: .dominant)
        try c.encode(Self.byRawValue(subIndices), forKey: .subIndices)
        try c.encode(Self.byRawValue(exactSubIndices), forKey: .exactSubIndices)
        try c.encode(Self.byRawValue(concentrations), forKey: .concentrations)
        try c.encodeIfPresent(o3EightHourMax, forKey: .o3EightHourMax)
        try c.encodeIfPresent(unavailable, forKey: .unavailable)
        try c.encode(Self.byRawValue(notes), forKey: .notes)
    }

    private static func byRawValue<V>(_ d: [AQIParameter: V]) -> [String: V] {
        Dictionary(uniqueKeysWithValues: d.map { ($0.key.rawValue, $0.value) })
    }

    private static func byParameter<V>(
        _ d: [String: V], _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> [AQIParameter: V] {
        var out: [AQIParameter: V] = [:]
        for (name, value) in d {
            guard let p = AQIParameter(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown parameter \(name)")
            }
            out[p] = value
        }
        return out
    }
}
