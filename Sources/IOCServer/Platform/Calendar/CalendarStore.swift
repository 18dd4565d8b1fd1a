import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// An admin's change to the working calendar (table `calendar_days`): a day added, replaced or removed relative to
/// the shipped 2020–2027 civil-service table (or, for other years, the generated one).
final class CalendarDayModel: Model, @unchecked Sendable {
    static let schema = "calendar_days"

    /// yyyy-MM-dd
    @ID(custom: "date", generatedBy: .user) var id: String?
    @Field(key: "kind") var kind: String
    @Field(key: "occasion") var occasion: String
    @Field(key: "name_vi") var nameVi: String
    @Field(key: "name_en") var nameEn: String
    /// The shipped or generated entry of this date is withdrawn (and nothing replaces it).
    @Field(key: "removed") var removed: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

struct CreateCalendarDays: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CalendarDayModel.schema)
            .field("date", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("occasion", .string, .required)
            .field("name_vi", .string, .required)
            .field("name_en", .string, .required)
            .field("removed", .bool, .required)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CalendarDayModel.schema).delete()
    }
}

/// The working calendar in force: shipped data plus admins' changes, rebuilt when they change and re-read from the
/// database every 30 s so that several instances agree.
final class CalendarStore: Sendable {
    private struct Cached {
        var calendar: WorkingCalendar
        var loadedAt: Date
    }

    private let cache = NIOLockedValueBox<Cached?>(nil)
    static let ttl: TimeInterval = 30

    /// The calendar to compute deadlines with.
    func current(on db: any Database) async throws -> WorkingCalendar {
        if let c = cache.withLockedValue({ $0 }), Date().timeIntervalSince(c.loadedAt) < Self.ttl { return c.calendar }
        let overrides = try await CalendarDayModel.query(on: db).all()
        let calendar = Self.build(overrides: overrides)
        cache.withLockedValue { $0 = Cached(calendar: calendar, loadedAt: Date()) }
        return calendar
    }

    func invalidate() { cache.withLockedValue { $0 = nil } }

    /// The timeliness rules on the current calendar.
    func rules(on db: any Database) async throws -> TimelinessRules {
        TimelinessRules(calendar: try await current(on: db))
    }

    static func build(overrides: [CalendarDayModel]) -> WorkingCalendar {
        guard !overrides.isEmpty else { return .vietnamCivilService }
        let shipped = PublicHolidays.vietnamCivilService
        var years = shipped.tableYears
        var days = shipped.tableDays
        let overriddenDates = Set(overrides.compactMap { $0.id.flatMap(CivilDate.init(iso8601:)) })
        for year in Set(overriddenDates.map(\.year)) where !years.contains(year) {
            days += PublicHolidays.generate(year: year)
            years.insert(year)
        }
        days.removeAll { overriddenDates.contains($0.date) }
        for o in overrides where !o.removed {
            guard let date = o.id.flatMap(CivilDate.init(iso8601:)), let kind = CalendarDay.Kind(rawValue: o.kind) else { continue }
            days.append(CalendarDay(date: date, kind: kind, occasion: CalendarDay.Occasion(rawValue: o.occasion) ?? .other,
                                    vietnameseName: o.nameVi, englishName: o.nameEn, source: .announced))
        }
        return WorkingCalendar(holidays: PublicHolidays(days: days, tableYears: years))
    }
}

extension Application {
    private struct CalendarStoreKey: StorageKey { typealias Value = CalendarStore }

    var calendarStore: CalendarStore {
        get {
            guard let s = storage[CalendarStoreKey.self] else { fatalError("configure(_:) has not run") }
            return s
        }
        set { storage[CalendarStoreKey.self] = newValue }
    }
}
