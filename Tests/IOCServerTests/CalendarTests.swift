import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Working calendar administration")
struct CalendarTests {
    @Test func shippedCalendarIsServed() async throws {
        try await withApp { app in
            try await makeUser(app, "lanhdao", role: .leader)
            let c = TestClient(app)
            try await c.login("lanhdao")
            let r = try await c.send(.GET, "/api/v1/calendar/days?year=2026")
            let items = try #require(r.json["items"] as? [[String: Any]])
            let byDate = Dictionary(uniqueKeysWithValues: items.map { ($0["date"] as! String, $0) })
            for d in ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31", "2026-09-01", "2026-09-02"] {
                #expect(byDate[d] != nil, "\(d) is a day off in 2026")
            }
            #expect(byDate["2026-08-22"]?["kind"] as? String == "makeUpWorkingDay")
            #expect(byDate["2026-02-16"]?["source"] as? String == "shipped")
            #expect(try await c.send(.GET, "/api/v1/calendar/days?year=1999").status == .unprocessableEntity)
        }
    }

    @Test func anAdminsHolidayMovesOpenDossiersDeadlinesAndCanBeUndone() async throws {
        try await withApp { app in
            let (source, _) = try await PublicServicesTests.setUp(app)
            // Fri 20/11/2026 09:00 + 3 working days → Wed 25/11/2026 17:00.
            try await source.send(.POST, "/api/v1/public-services/dossiers", json: [
                PublicServicesTests.dossier("CAL-1", received: "2026-11-20T09:00:00"),
                // Ended before the new day off: untouched.
                PublicServicesTests.dossier("CAL-OLD", received: "2026-11-02T09:00:00", status: 10,
                                            extra: ["history": [["status": 10, "at": "2026-11-03T10:00:00+07:00"]]]),
            ])
            let due = { (code: String) async throws -> Date? in try await DossierModel.find(code, on: app.db)?.dueAt }
            #expect(try await due("CAL-1") == ISO8601.parse("2026-11-25T17:00:00+07:00"))
            let oldBefore = try await DossierModel.find("CAL-OLD", on: app.db)?.ingestedAt
            let admin = TestClient(app)
            try await admin.login("admin")
            let put = try await admin.send(.PUT, "/api/v1/calendar/days/2026-11-24", json: ["kind": "holiday", "nameVi": "Nghỉ đột xuất do bão", "nameEn": "Storm day off"])
            #expect(put.status == .ok)
            #expect(put.json["source"] as? String == "admin")
            // Tue 24/11 is now a day off: the deadline moves to Thu 26/11 17:00.
            #expect(try await due("CAL-1") == ISO8601.parse("2026-11-26T17:00:00+07:00"))
            #expect(try await DossierModel.find("CAL-OLD", on: app.db)?.ingestedAt == oldBefore)
            let view = try await admin.send(.GET, "/api/v1/public-services/dossiers/CAL-1")
            #expect(view.json["dueAt"] as? String == "2026-11-26T10:00:00.000Z")
            let listed = try await admin.send(.GET, "/api/v1/calendar/days?year=2026")
            #expect(((listed.json["items"] as? [[String: Any]]) ?? []).contains { $0["date"] as? String == "2026-11-24" && $0["source"] as? String == "admin" })

            // Undo.
            #expect(try await admin.send(.DELETE, "/api/v1/calendar/days/2026-11-24").status == .noContent)
            #expect(try await due("CAL-1") == ISO8601.parse("2026-11-25T17:00:00+07:00"))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$targetType == "calendar_day").count() == 2)

            // Bad input changes nothing.
            let before = try await CalendarDayModel.query(on: app.db).count()
            #expect(try await admin.send(.PUT, "/api/v1/calendar/days/2026-11-25", json: ["kind": "makeUpWorkingDay", "nameVi": "Làm bù"]).status == .unprocessableEntity)
            #expect(try await admin.send(.PUT, "/api/v1/calendar/days/2026-13-01", json: ["kind": "holiday", "nameVi": "X"]).status == .unprocessableEntity)
            #expect(try await admin.send(.PUT, "/api/v1/calendar/days/2026-11-25", json: ["kind": "feast", "nameVi": "X"]).status == .unprocessableEntity)
            #expect(try await admin.send(.PUT, "/api/v1/calendar/days/2026-11-25", json: ["kind": "holiday"]).status == .unprocessableEntity)
            #expect(try await CalendarDayModel.query(on: app.db).count() == before)
        }
    }
}
