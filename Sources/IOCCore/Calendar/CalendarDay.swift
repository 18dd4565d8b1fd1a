/// One special day of the working calendar: a public holiday, a compensatory or swapped day off,
/// or a weekend day made a working day.
///
/// Ordinary weekdays and weekends are not listed; only days that differ from the Monday–Friday
/// week of the civil service (Quyết định 188/1999/QĐ-TTg) are.
public struct CalendarDay: Sendable, Hashable, Codable {
    /// What the day is for the working calendar.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A public holiday ("ngày nghỉ lễ, tết"), Bộ luật Lao động 2019, Điều 112 khoản 1.
        case holiday
        /// A day off given back for a holiday that fell on a weekly rest day ("nghỉ bù"),
        /// Bộ luật Lao động 2019, Điều 111 khoản 3.
        case compensatoryDayOff
        /// A weekday made a day off by an announced swap ("hoán đổi ngày làm việc"). Swaps for the
        /// civil service are announced yearly by Bộ Nội vụ once the Prime Minister agrees
        /// (e.g. Thông báo 9441/TB-BNV for 2026); there is no rule to derive them.
        case swappedDayOff
        /// A Saturday or Sunday made a working day to make up for a swapped day off ("làm bù"),
        /// announced together with the swap.
        case makeUpWorkingDay

        /// Whether the day is a day off (holiday, compensatory or swapped day off).
        public var isDayOff: Bool { self != .makeUpWorkingDay }
    }

    /// Which holiday a special day belongs to.
    public enum Occasion: String, Sendable, Hashable, Codable, CaseIterable {
        /// Tết Dương lịch, 1 January (Bộ luật Lao động 2019, Điều 112 khoản 1 điểm a).
        case newYear
        /// Tết Âm lịch / Tết Nguyên đán, the lunar new year, 5 days (Điều 112 khoản 1 điểm b).
        case lunarNewYear
        /// Giỗ Tổ Hùng Vương, 10/3 âm lịch (Điều 112 khoản 1 điểm e).
        case hungKingsCommemoration
        /// Ngày Chiến thắng (Ngày Giải phóng miền Nam, thống nhất đất nước), 30 April (điểm c).
        case reunificationDay
        /// Ngày Quốc tế Lao động, 1 May (điểm d).
        case internationalLabourDay
        /// Quốc khánh, 2 September and the day before or after it (điểm đ; one day only before 2021,
        /// Bộ luật Lao động 2012, Điều 115).
        case nationalDay
        /// Anything else (a day added by a local or one-off decision).
        case other

        /// Vietnamese name.
        public var vietnameseName: String {
            switch self {
            case .newYear: "Tết Dương lịch"
            case .lunarNewYear: "Tết Nguyên đán"
            case .hungKingsCommemoration: "Giỗ Tổ Hùng Vương"
            case .reunificationDay: "Ngày Chiến thắng"
            case .internationalLabourDay: "Ngày Quốc tế Lao động"
            case .nationalDay: "Quốc khánh"
            case .other: "Ngày đặc biệt"
            }
        }

        /// English name.
        public var englishName: String {
            switch self {
            case .newYear: "New Year's Day"
            case .lunarNewYear: "Lunar New Year"
            case .hungKingsCommemoration: "Hung Kings Commemoration Day"
            case .reunificationDay: "Reunification Day"
            case .internationalLabourDay: "International Labour Day"
            case .nationalDay: "National Day"
            case .other: "Special day"
            }
        }
    }

    /// Whether an entry was announced by the Government / Bộ Nội vụ or produced by the statutory
    /// generator because no announcement was known.
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        case announced
        case generated
    }

    /// The day.
    public var date: CivilDate
    /// Day off or make-up working day, and why.
    public var kind: Kind
    /// The holiday the entry belongs to.
    public var occasion: Occasion
    /// Name shown to people, in Vietnamese.
    public var vietnameseName: String
    /// Name shown to people, in English.
    public var englishName: String
    /// Announced or generated.
    public var source: Source

    /// Creates an entry with explicit names.
    public init(
        date: CivilDate, kind: Kind, occasion: Occasion, vietnameseName: String, englishName: String, source: Source
    ) {
        self.date = date
        self.kind = kind
        self.occasion = occasion
        self.vietnameseName = vietnameseName
        self.englishName = englishName
        self.source = source
    }

    /// Creates an entry named after its occasion and kind, e.g. "Nghỉ bù Giỗ Tổ Hùng Vương".
    public init(date: CivilDate, kind: Kind, occasion: Occasion, source: Source) {
        let vi: String
        let en: String
        switch kind {
        case .holiday:
            vi = occasion.vietnameseName
            en = occasion.englishName
        case .compensatoryDayOff:
            vi = "Nghỉ bù " + occasion.vietnameseName
            en = "Compensatory day off (" + occasion.englishName + ")"
        case .swappedDayOff:
            vi = "Nghỉ hoán đổi dịp " + occasion.vietnameseName
            en = "Swapped day off (" + occasion.englishName + ")"
        case .makeUpWorkingDay:
            vi = "Làm bù dịp " + occasion.vietnameseName
            en = "Make-up working day (" + occasion.englishName + ")"
        }
        self.init(date: date, kind: kind, occasion: occasion, vietnameseName: vi, englishName: en, source: source)
    }
}
