/// The yearly table of special days (holidays, compensatory and swapped days off, make-up working
/// days) used by the working calendar.
///
/// The calendar is data-driven: the Government announces the concrete Tết days, the day next to
/// Quốc khánh and any swaps every year, so the table is the authority for every year it covers
/// (`tableYears`). For any other year the statutory generator (`generate(year:rules:)`) fills in,
/// which knows the fixed holidays and compensatory days but cannot know future swaps.
public struct PublicHolidays: Sendable {
    /// Entries of the table, sorted by date.
    public let tableDays: [CalendarDay]
    /// Years the table covers; `days(inYear:)` answers from the table for these years only.
    public let tableYears: Set<Int>
    /// Rules used by the generator for years outside the table; `nil` means
    /// `Rules.statutory(forYear:)`, i.e. the law in force in that year.
    public let fallbackRules: Rules?

    private let tableByYear: [Int: [CalendarDay]]

    /// Creates a table.
    /// - Parameters:
    ///   - days: the entries; several entries may share a date (a day off wins over a make-up day).
    ///   - tableYears: years the entries cover completely; by default every year that has an entry.
    ///   - fallbackRules: generator rules for other years; `nil` for the law in force in each year.
    public init(days: [CalendarDay], tableYears: Set<Int>? = nil, fallbackRules: Rules? = nil) {
        let sorted = days.sorted { $0.date < $1.date }
        self.tableDays = sorted
        self.tableYears = tableYears ?? Set(sorted.map(\.date.year))
        self.fallbackRules = fallbackRules
        self.tableByYear = Dictionary(grouping: sorted, by: \.date.year)
    }

    /// Special days of one year, sorted by date: from the table when it covers the year, otherwise
    /// generated from the statutory rules.
    public func days(inYear year: Int) -> [CalendarDay] {
        if tableYears.contains(year) { return tableByYear[year] ?? [] }
        return Self.generate(year: year, rules: fallbackRules ?? Rules.statutory(forYear: year))
    }

    /// Special-day entries on one date (usually zero or one).
    public func days(on date: CivilDate) -> [CalendarDay] {
        days(inYear: date.year).filter { $0.date == date }
    }
}
