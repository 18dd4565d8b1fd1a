/// A date in the Vietnamese lunisolar calendar ("âm lịch").
///
/// `year` is the Gregorian number of the year in which the lunar year begins: Tết of lunar year
/// 2026 (Bính Ngọ) falls on 2026-02-17, so lunar 30/12/2025 is 2026-02-16.
public struct LunarDate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Day of the lunar month, 1…30.
    public let day: Int
    /// Lunar month, 1…12. A leap month ("tháng nhuận") repeats the number of the month before it.
    public let month: Int
    /// Lunar year, numbered like the Gregorian year in which it starts.
    public let year: Int
    /// Whether `month` is the leap month of the year.
    public let isLeapMonth: Bool

    /// Creates a lunar date; it is not checked (see `VietnameseLunarCalendar.civilDate(of:)`).
    public init(day: Int, month: Int, year: Int, isLeapMonth: Bool = false) {
        self.day = day
        self.month = month
        self.year = year
        self.isLeapMonth = isLeapMonth
    }

    /// The sexagenary ("can chi") name of the lunar year in Vietnamese, e.g. "Bính Ngọ" for 2026.
    public var yearName: String {
        let stems = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"]
        let branches = ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"]
        let stem = ((year + 6) % 10 + 10) % 10
        let branch = ((year + 8) % 12 + 12) % 12
        return stems[stem] + " " + branches[branch]
    }

    /// `"d/m/yyyy"` as written in Vietnam, with `" (nhuận)"` for a leap month.
    public var description: String {
        "\(day)/\(month)/\(year)" + (isLeapMonth ? " (nhuận)" : "")
    }
}
