import Fluent
import Foundation
import IOCCore
import Vapor

/// The working-day calendar: every signed-in user reads it; admins add, change or remove special days. Changing a
/// day re-computes the deadlines of the dossiers it can affect.
enum CalendarController {
    struct DayDTO: Content {
        var date: String
        var weekday: Int
        var kind: String
        var occasion: String
        var name: LocalizedMessage
        /// shipped (announced table), generated (rules of the Labour Code), admin (changed here)
        var source: String
    }

    struct DayList: Content {
        var year: Int
        var items: [DayDTO]
        var total: Int
    }

    struct DayInput: Content {
        var kind: String?
        var occasion: String?
        var nameVi: String?
        var nameEn: String?
    }

    static let daySchema = SharedSchemas.register("CalendarDay", .object([
        "date": .string, "weekday": .integer, "kind": .enumeration(CalendarDay.Kind.allCases.map(\.rawValue)),
        "occasion": .string, "name": .object(["vi": .string, "en": .string], required: ["vi", "en"]),
        "source": .enumeration(["shipped", "generated", "admin"]),
    ], required: ["date", "kind", "name", "source"]))

    static func register(_ api: APIBuilder) {
        let c = api.group("calendar", tag: "Calendar")
        c.on(.GET, "days", access: .anyUser, summary: "Special days of a year (holidays, days off in lieu, swapped days, make-up working days)",
             query: [.init("year", "2000–2100 (default this year)", .integer)], response: .list(daySchema), use: list)
        c.on(.PUT, "days", ":date", access: .admin, summary: "Add or change a special day (yyyy-MM-dd)",
             body: .object(["kind": .enumeration(CalendarDay.Kind.allCases.map(\.rawValue)), "occasion": .string, "nameVi": .string, "nameEn": .string], required: ["kind", "nameVi"]),
             response: daySchema, use: put)
        c.on(.DELETE, "days", ":date", access: .admin, summary: "Make a date an ordinary day again", status: .noContent, use: delete)
    }

    @Sendable static func list(_ req: Request) async throws -> DayList {
        let year = try intQuery(req, "year", range: 2000...2100) ?? WorkingCalendar.vietnamCivilService.civilDate(of: req.now).year
        let calendar = try await req.application.calendarStore.current(on: req.db)
        let admin = Set(try await CalendarDayModel.query(on: req.db).all().compactMap(\.id))
        let items = calendar.holidays.days(inYear: year).map { d in
            let iso = String(format: "%04d-%02d-%02d", d.date.year, d.date.month, d.date.day)
            return DayDTO(date: iso, weekday: d.date.weekday.rawValue, kind: d.kind.rawValue, occasion: d.occasion.rawValue,
                          name: .init(vi: d.vietnameseName, en: d.englishName),
                          source: admin.contains(iso) ? "admin" : (d.source == .announced ? "shipped" : "generated"))
        }
        return DayList(year: year, items: items, total: items.count)
    }

    static func date(_ req: Request) throws -> (String, CivilDate) {
        let raw = req.parameters.get("date") ?? ""
        guard raw.count == 10, let d = CivilDate(iso8601: raw), (2000...2100).contains(d.year) else {
            throw IOCError.invalid("date", vi: "Ngày phải có dạng yyyy-MM-dd (2000–2100).", en: "date must be yyyy-MM-dd (2000–2100).")
        }
        return (raw, d)
    }

    @Sendable static func put(_ req: Request) async throws -> DayDTO {
        let (iso, day) = try date(req)
        let input = try req.decodeBody(DayInput.self)
        guard let kind = input.kind.flatMap(CalendarDay.Kind.init(rawValue:)) else {
            throw IOCError.invalid("kind", vi: "Loại ngày phải là \(CalendarDay.Kind.allCases.map(\.rawValue).joined(separator: ", ")).",
                                   en: "kind must be one of \(CalendarDay.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if kind == .makeUpWorkingDay, !day.weekday.isWeekend {
            throw IOCError.invalid("kind", vi: "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.", en: "A make-up working day must be a Saturday or Sunday.")
        }
        let occasion = input.occasion.map { CalendarDay.Occasion(rawValue: $0) } ?? .other
        guard let occasion else { throw IOCError.invalid("occasion", vi: "Dịp nghỉ không hợp lệ.", en: "Unknown occasion.") }
        let nameVi = try Validate.required(input.nameVi, field: "nameVi", max: 200)
        let nameEn = try Validate.text(input.nameEn, field: "nameEn", max: 200, required: false) ?? nameVi
        try await req.application.audit.transaction(on: req.db) { tx in
            let m = try await CalendarDayModel.find(iso, on: tx) ?? CalendarDayModel()
            m.id = iso
            m.kind = kind.rawValue
            m.occasion = occasion.rawValue
            m.nameVi = nameVi
            m.nameEn = nameEn
            m.removed = false
            try await m.save(on: tx)
            return ((), req.auditRecord("calendar.set_day", targetType: "calendar_day", targetID: iso, details: "kind=\(kind.rawValue)"))
        }
        try await changed(req, day: day)
        return DayDTO(date: iso, weekday: day.weekday.rawValue, kind: kind.rawValue, occasion: occasion.rawValue,
                      name: .init(vi: nameVi, en: nameEn), source: "admin")
    }

    @Sendable static func delete(_ req: Request) async throws -> HTTPStatus {
        let (iso, day) = try date(req)
        try await req.application.audit.transaction(on: req.db) { tx in
            let m = try await CalendarDayModel.find(iso, on: tx) ?? CalendarDayModel()
            m.id = iso
            m.kind = CalendarDay.Kind.holiday.rawValue
            m.occasion = CalendarDay.Occasion.other.rawValue
            m.nameVi = ""
            m.nameEn = ""
            m.removed = true
            try await m.save(on: tx)
            return ((), req.auditRecord("calendar.clear_day", targetType: "calendar_day", targetID: iso))
        }
        try await changed(req, day: day)
        return .noContent
    }

    /// Rebuilds the calendar and lets every module re-judge what depends on that day.
    static func changed(_ req: Request, day: CivilDate) async throws {
        req.application.calendarStore.invalidate()
        let rules = try await req.application.calendarStore.rules(on: req.db)
        for module in req.application.modules.all {
            try await module.workingCalendarChanged(req.application, day: day, rules: rules, on: req.db)
        }
    }
}
