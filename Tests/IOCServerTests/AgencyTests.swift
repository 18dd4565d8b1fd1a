import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Agencies API")
struct AgencyTests {
    @Test func adminCreatesReadsUpdatesAndDeactivatesAnAgency() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            let c = TestClient(app)
            try await c.login("admin")
            let created = try await c.send(.POST, "/api/v1/agencies", json: [
                "code": "UBND-24133", "name": "UBND phường Buôn Ma Thuột", "nameEn": "Buon Ma Thuot Ward People's Committee",
                "kind": "communeCommittee", "unitCodes": ["24133"],
            ])
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["unitCodes"] as? [String] == ["24133"])
            #expect(created.json["name"] as? String == "UBND phường Buôn Ma Thuột")

            let police = try await c.send(.POST, "/api/v1/agencies", json: [
                "code": "CA-24133", "name": "Công an phường Buôn Ma Thuột", "kind": "police", "parentID": id, "unitCodes": ["24133"],
            ])
            #expect(police.status == .created)

            let byUnit = try await c.send(.GET, "/api/v1/agencies?unit=24133")
            #expect((byUnit.json["items"] as? [[String: Any]])?.count == 2)
            let children = try await c.send(.GET, "/api/v1/agencies?parentID=\(id)")
            #expect((children.json["items"] as? [[String: Any]])?.first?["code"] as? String == "CA-24133")

            let patched = try await c.send(.PATCH, "/api/v1/agencies/\(id)", json: ["nameEn": "BMT Ward PC", "unitCodes": ["24133", "24163"]])
            #expect(patched.status == .ok)
            #expect(patched.json["unitCodes"] as? [String] == ["24133", "24163"])
            #expect(patched.json["name"] as? String == "UBND phường Buôn Ma Thuột")

            let gone = try await c.send(.DELETE, "/api/v1/agencies/\(id)")
            #expect(gone.json["active"] as? Bool == false)
            #expect((try await c.send(.GET, "/api/v1/agencies").json["items"] as? [[String: Any]])?.count == 1)
            #expect((try await c.send(.GET, "/api/v1/agencies?includeInactive=true").json["items"] as? [[String: Any]])?.count == 2)

            let actions = try await AuditEntryModel.query(on: app.db).sort(\.$sequence).all().map(\.action)
            #expect(actions == ["session.login", "agency.create", "agency.create", "agency.update", "agency.deactivate"])
            #expect(try await app.audit.verify(on: app.db).problem == nil)
        }
    }

    @Test func invalidAgencyInputIsRejectedWithTheFieldAndChangesNothing() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            let c = TestClient(app)
            try await c.login("admin")
            let ok = try await c.send(.POST, "/api/v1/agencies", json: ["code": "SO-XD", "name": "Sở Xây dựng", "kind": "department"])
            let id = try #require(ok.json["id"] as? String)
            let before = try await stateFingerprint(app)
            let cases: [([String: Any], String, HTTPStatus)] = [
                (["name": "Thiếu mã", "kind": "department"], "code", .unprocessableEntity),
                (["code": "X", "kind": "department"], "name", .unprocessableEntity),
                (["code": "X", "name": "Tên", "kind": "ministry"], "kind", .unprocessableEntity),
                (["code": "X Y", "name": "Tên", "kind": "department"], "code", .unprocessableEntity),
                (["code": "X", "name": String(repeating: "á", count: 201), "kind": "department"], "name", .unprocessableEntity),
                (["code": "X", "name": "Tên", "kind": "department", "unitCodes": ["99999"]], "unitCodes[0]", .unprocessableEntity),
                (["code": "X", "name": "Tên", "kind": "department", "parentID": UUID().uuidString], "parentID", .unprocessableEntity),
                (["code": "X", "name": "Tên", "kind": "department", "parentID": "not-a-uuid"], "parentID", .unprocessableEntity),
                (["code": "SO-XD", "name": "Trùng mã", "kind": "department"], "code", .conflict),
                (["code": 12, "name": "Tên", "kind": "department"], "code", .unprocessableEntity),
            ]
            for (body, field, status) in cases {
                let r = try await c.send(.POST, "/api/v1/agencies", json: body)
                #expect(r.status == status, "\(body)")
                #expect(r.isProblem)
                #expect(r.problemField == field, "\(body) → \(r.text)")
            }
            // A cycle: make SO-XD its own grandparent.
            let child = try await c.send(.POST, "/api/v1/agencies", json: ["code": "PHONG", "name": "Phòng", "kind": "other", "parentID": id])
            let childID = try #require(child.json["id"] as? String)
            let cycle = try await c.send(.PATCH, "/api/v1/agencies/\(id)", json: ["parentID": childID])
            #expect(cycle.status == .unprocessableEntity)
            #expect(cycle.problemField == "parentID")
            var after = try await stateFingerprint(app)
            after[AgencyModel.schema]! -= 1; after[AuditEntryModel.schema]! -= 1
            #expect(after == before)
            // Malformed JSON and the wrong content type.
            #expect(try await c.send(.POST, "/api/v1/agencies", raw: "{\"code\":").status == .badRequest)
            #expect(try await c.send(.POST, "/api/v1/agencies", raw: "code=X", contentType: "application/x-www-form-urlencoded").status == .unsupportedMediaType)
            #expect(try await c.send(.GET, "/api/v1/agencies/not-a-uuid").status == .unprocessableEntity)
            #expect(try await c.send(.GET, "/api/v1/agencies/\(UUID().uuidString)").status == .notFound)
        }
    }

    @Test func scopedAdminManagesOnlyAgenciesInsideTheirUnit() async throws {
        try await withApp { app in
            try await makeUser(app, "admin", role: .admin)
            try await makeUser(app, "admin.bmt", role: .admin, unitScope: "24133")
            let root = TestClient(app)
            try await root.login("admin")
            let yt = try await root.send(.POST, "/api/v1/agencies", json: ["code": "SO-YT", "name": "Sở Y tế", "kind": "department", "unitCodes": ["66"]])
            let ytID = try #require(yt.json["id"] as? String)

            let ward = TestClient(app)
            try await ward.login("admin.bmt")
            let inside = try await ward.send(.POST, "/api/v1/agencies", json: ["code": "TO-DP-1", "name": "Tổ dân phố 1", "kind": "other", "unitCodes": ["24133"]])
            #expect(inside.status == .created)
            let before = try await stateFingerprint(app)
            let outside = try await ward.send(.POST, "/api/v1/agencies", json: ["code": "TO-X", "name": "Ngoài phạm vi", "kind": "other", "unitCodes": ["24163"]])
            #expect(outside.status == .forbidden)
            let provincial = try await ward.send(.PATCH, "/api/v1/agencies/\(ytID)", json: ["name": "Đổi tên"])
            #expect(provincial.status == .forbidden)
            #expect(try await ward.send(.DELETE, "/api/v1/agencies/\(ytID)").status == .forbidden)
            #expect(try await stateFingerprint(app) == before)
        }
    }
}
