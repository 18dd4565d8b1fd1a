import Fluent
import Foundation
import Testing
import Vapor
@testable import IOCServer

/// Issue 18, point 6: notes the system writes on a case come in one language at a time — `note` in Vietnamese,
/// `noteEn` in English — never "vi / en" glued together, on the public tracking page as in the console.
@Suite("Case notes in one language")
struct CaseNotesTests {
    @Test func systemNotesAreStoredAndServedPerLanguage() async throws {
        try await withApp { app in
            try await FR.province(app)
            let r = try await FR.post(app, FR.report())
            let code = try #require(r.json["code"] as? String)
            let token = try #require(r.json["followToken"] as? String)
            let tracked = try await TestClient(app).send(.GET, "/api/v1/field-reports/\(code)", headers: ["X-Follow-Token": token])
            let created = try #require((tracked.json["timeline"] as? [[String: Any]])?.first { $0["type"] as? String == "created" })
            let vi = try #require(created["note"] as? String), en = try #require(created["noteEn"] as? String)
            #expect(vi.hasPrefix("Tiếp nhận; dự kiến chuyển UBND phường Buôn Ma Thuột"), "\(vi)")
            #expect(en.hasPrefix("Received; routed to"), "\(en)")
            #expect(!vi.contains(" / ") && !vi.contains("Received"))
            // Staff see who acted by name, not by user name.
            try await makeUser(app, "dieuhanh2", role: .operator)
            let op = TestClient(app); try await op.login("dieuhanh2")
            #expect(try await FR.act(op, code, ["action": "verify"]).status == .ok)
            let detail = try await op.send(.GET, "/api/v1/cases/\(code)")
            let verified = try #require((detail.json["timeline"] as? [[String: Any]])?.first { $0["type"] as? String == "verified" })
            #expect(verified["actorName"] as? String == "Người dùng dieuhanh2")
        }
    }

    @Test func notesStoredTogetherBeforeAreSplitOnlyWhereTheSystemWroteThem() {
        #expect(AddCaseEventNoteEn.split("Tiếp nhận; dự kiến chuyển Sở Xây dựng / Received; routed to Department of Construction", type: "created")! ==
                ("Tiếp nhận; dự kiến chuyển Sở Xây dựng", "Received; routed to Department of Construction"))
        #expect(AddCaseEventNoteEn.split("Quá hạn xử lý / Deadline passed", type: "breached")! == ("Quá hạn xử lý", "Deadline passed"))
        #expect(AddCaseEventNoteEn.split("Gia hạn đến / Extended to 2026-12-09T10:00:00Z: chờ vật tư", type: "extension_approved")! ==
                ("Gia hạn đến 2026-12-09T10:00:00Z: chờ vật tư", "Extended to 2026-12-09T10:00:00Z: chờ vật tư"))
        #expect(AddCaseEventNoteEn.split("Không thuộc thẩm quyền / Not our remit", type: "rejected")! == ("Không thuộc thẩm quyền", "Not our remit"))
        // A person's words are never split, even with a slash in them.
        #expect(AddCaseEventNoteEn.split("Đường A / đường B bị ngập", type: "rejected") == nil)
        #expect(AddCaseEventNoteEn.split("Tiếp nhận", type: "created") == nil)
    }
}
