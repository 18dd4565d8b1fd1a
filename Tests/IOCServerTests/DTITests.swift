import Fluent
import Foundation
import IOCCore
import SQLKit
import Testing
import Vapor
@testable import IOCServer

/// The DTI service through its API, on SQLite and PostgreSQL: the cycle, who may do what, bad input, measured
/// sub-indices, results and workbooks.
@Suite("DTI: frameworks, self-assessment, review, publication, results")
struct DTITests {
    /// 1 December 2026, 10:00 in Vietnam.
    static let now = ISO8601.parse("2026-12-01T03:00:00Z")!

    struct Setup {
        var admin: TestClient
        var officerA: TestClient
        var officerB: TestClient
        var reviewer: TestClient
        var leader: TestClient
        var anonymous: TestClient
    }

    /// 100 points: A (60) = A1 yes/no 10 + A2 measured online share (ratio to 80 %) 30 + A3 tiers 20;
    /// B (40) = B1 count (4 each) 20 + B2 judgement 20.
    static func framework(code: String = "DTI-T-2026", year: Int = 2026, parentMax: Double = 60) -> [String: Any] {
        [
            "code": code, "name": "Bộ chỉ số thử \(year)", "nameEn": "Test DTI \(year)", "year": year, "subject": "department",
            "legalBasis": "Thử nghiệm", "deadline": "\(year + 1)-01-15",
            "levels": [["name": "Tốt", "nameEn": "Good", "min": 0.8], ["name": "Khá", "nameEn": "Fair", "min": 0.65],
                       ["name": "Trung bình", "nameEn": "Average", "min": 0.5], ["name": "Yếu", "nameEn": "Weak", "min": 0]],
            "criteria": [
                ["code": "A", "name": "Nền tảng", "maxPoints": parentMax, "children": [
                    ["code": "A1", "name": "Có kế hoạch CĐS", "maxPoints": 10, "method": ["kind": "yesno"], "evidence": "Kế hoạch đã ban hành"],
                    ["code": "A2", "name": "Hồ sơ trực tuyến", "maxPoints": 30, "method": ["kind": "ratio", "target": 80], "measure": "publicservices.onlineShare"],
                    ["code": "A3", "name": "Hạ tầng", "maxPoints": 20,
                     "method": ["kind": "tiers", "tiers": [["min": 0, "points": 0], ["min": 50, "points": 8], ["min": 80, "points": 20]]]],
                ]],
                ["code": "B", "name": "Hoạt động", "children": [
                    ["code": "B1", "name": "Nền tảng dùng chung", "maxPoints": 20, "method": ["kind": "count", "pointsEach": 4], "evidence": "Danh sách nền tảng"],
                    ["code": "B2", "name": "Đánh giá chung", "maxPoints": 20, "method": ["kind": "judgement"]],
                ]],
            ],
        ]
    }

    static func setUp(_ app: Application) async throws -> Setup {
        app.clock.set(now)
        try await makeUser(app, "quantri", role: .admin)
        try await makeUser(app, "canbo.a", role: .officer, agencyCode: "SO-A")
        try await makeUser(app, "canbo.b", role: .officer, agencyCode: "SO-B")
        try await makeUser(app, "thamdinh", role: .officer, agencyCode: "SO-KHCN")
        try await makeUser(app, "lanhdao", role: .leader)
        app.agencyDirectory.invalidate()
        let s = Setup(admin: TestClient(app), officerA: TestClient(app), officerB: TestClient(app), reviewer: TestClient(app),
                      leader: TestClient(app), anonymous: TestClient(app))
        try await s.admin.login("quantri"); try await s.officerA.login("canbo.a"); try await s.officerB.login("canbo.b")
        try await s.reviewer.login("thamdinh"); try await s.leader.login("lanhdao")
        return s
    }

    static let base = "/api/v1/dti/frameworks/DTI-T-2026"

    @Test func theCycleFromDraftToAFrozenPublicationIsEnforcedAndAudited() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let created = try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework())
            #expect(created.status == .created, "\(created.text)")
            #expect((created.json["summary"] as? [String: Any])?["assessable"] as? Int == 3, "SO-A, SO-B and SO-KHCN are departments")

            // The officer saves a draft: A1 yes 10; A3 65 → 8; B1 2 → 8; B2 proposes 15. A2 is measured (no dossiers: 0).
            var r = try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A",
                                              json: ["values": ["A1": 1, "A3": 65, "B1": 2, "B2": 15], "notes": ["A1": "QĐ 12/QĐ-SXD"],
                                                     "links": ["B1": ["https://sxd.daklak.gov.vn/nen-tang"]]])
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["total"] as? Double == 41)
            #expect(r.json["value"] as? Double == 0.41)
            #expect(r.json["canEdit"] as? Bool == true)
            #expect(r.json["missingEvidence"] as? [String] == ["A1"], "B1 has a link; A1 needs a file or a link")
            // Saving again merges; null clears.
            r = try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["B2": 16, "A3": NSNull()]])
            #expect((r.json["values"] as? [String: Double]) == ["A1": 1, "B1": 2, "B2": 16])
            r = try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A3": 65, "B2": 15]])
            #expect(r.json["total"] as? Double == 41)

            // Officers see and edit only their own agency.
            #expect(try await s.officerB.send(.GET, "\(Self.base)/assessments/SO-A").status == .notFound)
            #expect(try await s.officerB.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A1": 0]]).status == .forbidden)
            let listB = try await s.officerB.send(.GET, "\(Self.base)/assessments")
            #expect((listB.json["items"] as? [[String: Any]])?.compactMap { ($0["agency"] as? [String: Any])?["code"] as? String } == ["SO-B"])
            #expect(try await s.leader.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A1": 0]]).status == .forbidden)
            // Nobody reviews a draft; an officer is no reviewer.
            #expect(try await s.reviewer.send(.POST, "\(Self.base)/assessments/SO-A/review", json: ["criterion": "B2", "points": 10, "reason": "x"]).status == .conflict)

            r = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/submit")
            #expect(r.status == .ok && r.json["status"] as? String == "submitted", "\(r.text)")
            let before = try await stateFingerprint(app)
            #expect(try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A1": 0]]).status == .conflict)
            #expect(try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/submit").status == .conflict)
            #expect(try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/review", json: ["criterion": "B2", "points": 10, "reason": "tự chấm"]).status == .forbidden)
            // Review: unknown criterion, a parent, points above the maximum, no reason → 422.
            for (body, field) in [(["criterion": "Z9", "points": 1, "reason": "x"], "criterion"), (["criterion": "B", "points": 1, "reason": "x"], "criterion"),
                                  (["criterion": "B2", "points": 21, "reason": "x"], "points"), (["criterion": "B2", "points": 10, "reason": "  "], "reason")] as [([String: Any], String)] {
                let bad = try await s.reviewer.send(.POST, "\(Self.base)/assessments/SO-A/review", json: body)
                #expect(bad.status == .unprocessableEntity && bad.problemField == field, "\(body): \(bad.text)")
            }
            #expect(try await stateFingerprint(app) == before)

            // The reviewer lowers B2 with a reason; the reviewer never reviews their own agency.
            r = try await s.reviewer.send(.POST, "\(Self.base)/assessments/SO-A/review", json: ["criterion": "B2", "points": 10, "reason": "Minh chứng chưa đủ."])
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["status"] as? String == "reviewed")
            #expect(r.json["total"] as? Double == 36)
            #expect(((r.json["overrides"] as? [String: Any])?["B2"] as? [String: Any])?["reason"] as? String == "Minh chứng chưa đủ.")
            _ = try await s.reviewer.send(.PUT, "\(Self.base)/assessments/SO-KHCN", json: ["values": ["A1": 1, "B2": 20, "A3": 90, "B1": 9]])
            _ = try await s.reviewer.send(.POST, "\(Self.base)/assessments/SO-KHCN/submit")
            #expect(try await s.reviewer.send(.POST, "\(Self.base)/assessments/SO-KHCN/review", json: ["criterion": "B2", "points": 20, "reason": "x"]).status == .forbidden)
            #expect(try await s.admin.send(.POST, "\(Self.base)/assessments/SO-KHCN/review", json: ["criterion": "B2", "points": 18, "reason": "Quản trị điều chỉnh."]).status == .ok)

            // The agency answers once.
            #expect(try await s.officerB.send(.POST, "\(Self.base)/assessments/SO-A/answer", json: ["text": "không phải của tôi"]).status == .forbidden)
            r = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/answer", json: ["text": "Đã bổ sung minh chứng."])
            #expect(r.status == .ok && r.json["status"] as? String == "answered", "\(r.text)")
            #expect(try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/answer", json: ["text": "Lần hai."]).status == .conflict)

            // The list says whose assessment the caller enters and whether it may read results yet.
            func summaryOf(_ c: TestClient) async throws -> [String: Any] {
                let list = try JSONSerialization.jsonObject(with: Data(buffer: try await c.send(.GET, "/api/v1/dti/frameworks").body)) as? [[String: Any]]
                return try #require(list?.first { $0["code"] as? String == "DTI-T-2026" })
            }
            #expect(try await summaryOf(s.officerB)["mine"] as? [String] == ["SO-B"])
            #expect(try await summaryOf(s.officerB)["canSeeResults"] as? Bool == false)
            #expect(try await summaryOf(s.leader)["canSeeResults"] as? Bool == true)
            #expect(try await summaryOf(s.admin)["mine"] as? [String] == [])
            // Before publication: provisional results for the reviewer and the leader, nothing for the public or officers.
            #expect(try await s.anonymous.send(.GET, "\(Self.base)/results").status == .notFound)
            #expect(try await s.officerB.send(.GET, "\(Self.base)/results").status == .notFound)
            let provisional = try await s.leader.send(.GET, "\(Self.base)/results")
            #expect(provisional.status == .ok && provisional.json["published"] as? Bool == false)
            #expect(try await s.officerA.send(.POST, "\(Self.base)/publish").status == .forbidden)
            #expect(try await s.leader.send(.POST, "\(Self.base)/publish").status == .forbidden)

            r = try await s.reviewer.send(.POST, "\(Self.base)/publish")
            #expect(r.status == .ok, "\(r.text)")
            // SO-KHCN: 10 + 0 + 20 + 20 + 18 = 68; SO-A: 36; SO-B did not submit.
            let rows = try #require(r.json["results"] as? [[String: Any]])
            #expect(rows.map { $0["agency"] as? String } == ["SO-KHCN", "SO-A"])
            #expect(rows.map { $0["points"] as? Double } == [68, 36])
            #expect(rows.map { $0["value"] as? Double } == [0.68, 0.36])
            #expect(rows.map { $0["rank"] as? Int } == [1, 2])
            #expect(rows.map { $0["level"] as? String } == ["Khá", "Yếu"])
            #expect((rows[0]["byCriterion"] as? [String: Double])?["B"] == 38)
            #expect((r.json["average"] as? [String: Double]) == ["points": 52, "value": 0.52])
            #expect((r.json["notSubmitted"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["SO-B"])

            // Published: public, frozen.
            let pub = try await s.anonymous.send(.GET, "\(Self.base)/results")
            #expect(pub.status == .ok && pub.json["published"] as? Bool == true && pub.json["version"] as? Int == 1)
            #expect((pub.json["levels"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Tốt", "Khá", "Trung bình", "Yếu"])
            #expect(try await summaryOf(s.officerB)["canSeeResults"] as? Bool == true)
            // Who was assessed is frozen: a department created afterwards does not join the published cycle.
            try await makeUser(app, "canbo.moi", role: .officer, agencyCode: "SO-MOI")
            app.agencyDirectory.invalidate()
            #expect(try await summaryOf(s.leader)["assessable"] as? Int == 3)
            #expect(try await s.admin.send(.GET, "\(Self.base)/assessments/SO-MOI").status == .unprocessableEntity)
            let frozen = try await stateFingerprint(app)
            #expect(try await s.officerB.send(.PUT, "\(Self.base)/assessments/SO-B", json: ["values": ["A1": 1]]).status == .conflict)
            #expect(try await s.admin.send(.POST, "\(Self.base)/assessments/SO-A/review", json: ["criterion": "B2", "points": 12, "reason": "x"]).status == .conflict)
            #expect(try await s.reviewer.send(.POST, "\(Self.base)/publish").status == .conflict)
            #expect(try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework()).status == .conflict, "a published framework is frozen")
            #expect(try await stateFingerprint(app) == frozen)

            // A correction is a new version; the first stays readable.
            r = try await s.reviewer.send(.POST, "\(Self.base)/corrections", json: ["agency": "SO-A", "criterion": "B2", "points": 20, "reason": "Phúc khảo: đủ minh chứng."])
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["version"] as? Int == 2)
            let v2 = try #require(r.json["results"] as? [[String: Any]])
            #expect(v2.first { $0["agency"] as? String == "SO-A" }?["points"] as? Double == 46)
            let v1 = try await s.anonymous.send(.GET, "\(Self.base)/results?version=1")
            #expect((v1.json["results"] as? [[String: Any]])?.first { $0["agency"] as? String == "SO-A" }?["points"] as? Double == 36)
            #expect(try await s.anonymous.send(.GET, "\(Self.base)/results").json["version"] as? Int == 2)

            // Every step is in the audit log.
            let actions = try await AuditEntryModel.query(on: app.db).all().map(\.action)
            for a in ["dti.framework.create", "dti.assessment.save", "dti.assessment.submit", "dti.assessment.review", "dti.assessment.answer", "dti.publish", "dti.correct"] {
                #expect(actions.contains(a), "audit has \(a)")
            }
            #expect(try await app.audit.verify(on: app.db).problem == nil)
        }
    }

    @Test func badInputIsRefusedAndChangesNothing() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            // A framework whose children exceed their parent's maximum, an unknown measure, a bad code.
            var start = try await stateFingerprint(app)
            var r = try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework(parentMax: 50))
            #expect(r.status == .unprocessableEntity && r.problemField == "criteria[0].maxPoints", "\(r.text)")
            #expect(r.isProblem && ((r.json["messages"] as? [String: String])?["vi"] ?? "").contains("vượt điểm tối đa"))
            var f = Self.framework()
            var a = (f["criteria"] as! [[String: Any]])[0]
            var kids = a["children"] as! [[String: Any]]
            kids[1]["measure"] = "magic.figure"
            a["children"] = kids
            f["criteria"] = [a, (f["criteria"] as! [[String: Any]])[1]]
            r = try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: f)
            #expect(r.status == .unprocessableEntity && r.problemField == "criteria[0].children[1].measure", "\(r.text)")
            f = Self.framework(code: "dti thu")
            #expect(try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: f).problemField == "code")
            #expect(try await s.officerA.send(.POST, "/api/v1/dti/frameworks", json: Self.framework()).status == .forbidden)
            #expect(try await stateFingerprint(app) == start)

            #expect(try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework()).status == .created)
            start = try await stateFingerprint(app)
            // Values: unknown criterion, a parent, out of its method's domain, a measured one, points above the maximum.
            for (values, field) in [(["Z1": 1], "values.Z1"), (["A": 1], "values.A"), (["A1": 2], "values.A1"), (["A3": -1], "values.A3"),
                                    (["B1": 2.5], "values.B1"), (["A2": 90], "values.A2"), (["B2": 25], "values.B2")] as [([String: Any], String)] {
                let bad = try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": values])
                #expect(bad.status == .unprocessableEntity && bad.problemField == field, "\(values): \(bad.text)")
                #expect(bad.isProblem)
            }
            #expect(try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["links": ["A1": ["javascript:alert(1)"]]]).problemField == "links.A1")
            #expect(try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-Z", json: ["values": ["A1": 1]]).status == .notFound)
            #expect(try await s.officerA.send(.PUT, "/api/v1/dti/frameworks/DTI-KHONG-CO/assessments/SO-A", json: ["values": ["A1": 1]]).status == .notFound)
            // Evidence: not a known file kind, an unknown criterion.
            var e = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/evidence?criterion=A1&filename=x.html",
                                              bytes: Data("<script>alert(1)</script>".utf8), contentType: "application/octet-stream")
            #expect(e.status == .unsupportedMediaType, "\(e.text)")
            e = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/evidence?criterion=Q&filename=a.pdf",
                                          bytes: DemoDTI.pdf("x"), contentType: "application/octet-stream")
            #expect(e.status == .unprocessableEntity && e.problemField == "criterion")
            #expect(try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/submit").status == .conflict, "nothing entered yet")
            #expect(try await stateFingerprint(app) == start)

            // Once an agency has entered a value the tree is frozen.
            #expect(try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A1": 1]]).status == .ok)
            let entered = try await stateFingerprint(app)
            #expect(try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework()).status == .conflict)
            #expect(try await stateFingerprint(app) == entered)
        }
    }

    @Test func evidenceFilesAreKeptPrivateUntilPublishedAndMarkedPublic() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            _ = try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework())
            let pdf = DemoDTI.pdf("Ke hoach CDS 2026")
            let up = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/evidence?criterion=A1&filename=K%E1%BA%BF%20ho%E1%BA%A1ch.pdf&public=1",
                                               bytes: pdf, contentType: "application/octet-stream")
            #expect(up.status == .created, "\(up.text)")
            let id = try #require(up.json["id"] as? String)
            #expect(up.json["filename"] as? String == "Kế hoạch.pdf")
            let priv = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/evidence?criterion=B1&filename=noi-bo.pdf",
                                                 bytes: pdf, contentType: "application/octet-stream")
            let privID = try #require(priv.json["id"] as? String)
            var r = try await s.officerA.send(.GET, "\(Self.base)/assessments/SO-A")
            #expect((r.json["evidence"] as? [[String: Any]])?.count == 2)
            #expect((r.json["missingEvidence"] as? [String]) == [], "A1 and B1 have files")
            // The file itself: the agency and reviewers; not another officer, not the public before publication.
            let file = try await s.reviewer.send(.GET, "/api/v1/dti/evidence/\(id)")
            #expect(file.status == .ok && Data(buffer: file.body) == pdf)
            #expect(file.headers.first(name: .contentType) == "application/pdf")
            #expect(file.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(try await s.officerB.send(.GET, "/api/v1/dti/evidence/\(id)").status == .notFound)
            #expect(try await s.anonymous.send(.GET, "/api/v1/dti/evidence/\(id)").status == .notFound)
            #expect(try await s.anonymous.send(.GET, "\(Self.base)/public-evidence").text == "[]", "nothing public before publication")
            // A draft's file can be removed; a submitted one cannot.
            #expect(try await s.officerA.send(.DELETE, "\(Self.base)/assessments/SO-A/evidence/\(privID)").status == .noContent)
            r = try await s.officerA.send(.GET, "\(Self.base)/assessments/SO-A")
            #expect((r.json["missingEvidence"] as? [String]) == ["B1"])
            _ = try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A1": 1]])
            _ = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/submit")
            #expect(try await s.officerA.send(.DELETE, "\(Self.base)/assessments/SO-A/evidence/\(id)").status == .conflict)
            _ = try await s.reviewer.send(.POST, "\(Self.base)/publish")
            #expect(try await s.anonymous.send(.GET, "/api/v1/dti/evidence/\(id)").status == .ok, "public once published")
            #expect(try await s.anonymous.send(.GET, "/api/v1/dti/public").text.contains("DTI-T-2026"))
            let listed = try await s.anonymous.send(.GET, "\(Self.base)/public-evidence")
            #expect(listed.text.contains(id) && listed.text.contains("Kế hoạch.pdf"), "\(listed.text)")
        }
    }

    @Test func tiesShareARankAndLastYearGivesTheChange() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            #expect(try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework(code: "DTI-T-2025", year: 2025)).status == .created)
            let last = "/api/v1/dti/frameworks/DTI-T-2025"
            for (c, agency, values) in [(s.officerA, "SO-A", ["A1": 1, "B2": 10]), (s.officerB, "SO-B", ["A1": 1, "B2": 5])] as [(TestClient, String, [String: Any])] {
                #expect(try await c.send(.PUT, "\(last)/assessments/\(agency)", json: ["values": values]).status == .ok)
                #expect(try await c.send(.POST, "\(last)/assessments/\(agency)/submit").status == .ok)
            }
            #expect(try await s.reviewer.send(.POST, "\(last)/publish").status == .ok)
            // Next year's copy: same tree, a new code; SO-A and SO-B tie on 20 points, SO-KHCN leads.
            let copy = try await s.admin.send(.POST, "\(last)/copy", json: ["code": "DTI-T-2026", "year": 2026])
            #expect(copy.status == .created, "\(copy.text)")
            #expect((copy.json["summary"] as? [String: Any])?["periodFrom"] as? String == "2026-01-01")
            #expect((copy.json["summary"] as? [String: Any])?["previous"] as? String == "DTI-T-2025")
            for (c, agency, values) in [(s.officerA, "SO-A", ["A1": 1, "B2": 10]), (s.officerB, "SO-B", ["B2": 20]),
                                        (s.reviewer, "SO-KHCN", ["A1": 1, "B2": 20])] as [(TestClient, String, [String: Any])] {
                #expect(try await c.send(.PUT, "\(Self.base)/assessments/\(agency)", json: ["values": values]).status == .ok)
                #expect(try await c.send(.POST, "\(Self.base)/assessments/\(agency)/submit").status == .ok)
            }
            let r = try await s.leader.send(.GET, "\(Self.base)/results")
            let rows = try #require(r.json["results"] as? [[String: Any]])
            #expect(rows.map { $0["agency"] as? String } == ["SO-KHCN", "SO-A", "SO-B"])
            #expect(rows.map { $0["rank"] as? Int } == [1, 2, 2])
            // SO-A: 0.2 both years; SO-B: 0.15 → 0.2.
            #expect(rows[1]["change"] as? Double == 0)
            #expect(rows[2]["previousValue"] as? Double == 0.15)
            #expect(rows[2]["change"] as? Double == 0.05)
            #expect(rows[0]["change"] == nil, "SO-KHCN had no 2025 result")
        }
    }

    @Test func measuredSubIndicesMatchThePublicServiceAndFieldReportFigures() async throws {
        try await withApp { app in
            app.clock.set(Self.now)
            try await FR.province(app)
            _ = try await DemoFieldReports.load(on: app, count: 400, now: Self.now)
            _ = try await DemoDossiers.load(on: app, count: 3_000, now: Self.now)
            app.agencyDirectory.invalidate()
            app.caseDirectory.invalidate()
            let admin = TestClient(app)
            try await makeUser(app, "quantri", role: .admin)
            try await admin.login("quantri")
            // Every measure IOC offers, one sub-index each; the communes' framework too.
            var criteria: [[String: Any]] = []
            for (i, m) in ["publicservices.onlineShare", "publicservices.onTimeShare", "fieldreports.onTimeShare", "fieldreports.satisfaction"].enumerated() {
                criteria.append(["code": "M\(i)", "name": m, "maxPoints": 25, "method": ["kind": "ratio", "target": 100], "measure": m])
            }
            let f: [String: Any] = ["code": "DTI-XA-T", "name": "Đo tự động", "year": 2026, "subject": "commune",
                                    "levels": [["name": "Tốt", "min": 0.8], ["name": "Yếu", "min": 0]], "criteria": criteria]
            let created = try await admin.send(.POST, "/api/v1/dti/frameworks", json: f)
            #expect(created.status == .created, "\(created.text)")
            let from = "2026-01-01T00:00:00%2B07:00", to = "2027-01-01T00:00:00%2B07:00"
            let stats = try await admin.send(.GET, "/api/v1/public-services/stats?groupBy=agency&from=\(from)&to=\(to)")
            #expect(stats.status == .ok, "\(stats.text)")
            let statRows = Dictionary(((stats.json["rows"] as? [[String: Any]]) ?? []).compactMap { r in (r["key"] as? String).map { ($0, r["counts"] as? [String: Any] ?? [:]) } },
                                      uniquingKeysWith: { a, _ in a })
            let figures = try await admin.send(.GET, "/api/v1/field-reports/public-figures?year=2026")
            let figureRows = Dictionary(((figures.json["rows"] as? [[String: Any]]) ?? []).compactMap { r in
                ((r["agency"] as? [String: Any])?["code"] as? String).map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
            let list = try await admin.send(.GET, "/api/v1/dti/frameworks/DTI-XA-T/assessments")
            let communes = ((list.json["items"] as? [[String: Any]]) ?? []).compactMap { ($0["agency"] as? [String: Any])?["code"] as? String }
            #expect(communes.count > 50)
            var compared = 0
            for code in communes where statRows[code] != nil && figureRows[code] != nil {
                let a = try await admin.send(.GET, "/api/v1/dti/frameworks/DTI-XA-T/assessments/\(code)")
                let measured = try #require(a.json["measured"] as? [String: [String: Any]])
                func pct(_ x: Any?) -> Double? { (x as? Double).map { DTIScoring.round($0 * 100, places: 2) } }
                func same(_ a: Any?, _ b: Double?) -> Bool {
                    guard let x = a as? Double, let y = b else { return a == nil && b == nil }
                    return abs(x - y) < 0.0051
                }
                let c = statRows[code]!
                let received = (c["received"] as? Int) ?? 0
                #expect(same(measured["M0"]?["value"], received > 0 ? Double(c["receivedOnline"] as? Int ?? 0) * 100 / Double(received) : nil), "\(code) online share")
                #expect(measured["M0"]?["denominator"] as? Int == (received > 0 ? received : nil))
                #expect(same(measured["M1"]?["value"], pct(c["onTimeRate"])), "\(code) on time, QĐ 766")
                let fr = figureRows[code]!
                #expect(same(measured["M2"]?["value"], pct(fr["onTimeRate"])), "\(code) field reports on time")
                #expect(measured["M2"]?["denominator"] as? Int == ((fr["handled"] as? Int).flatMap { $0 > 0 ? $0 : nil }))
                #expect(same(measured["M3"]?["value"], pct(fr["satisfactionRate"])), "\(code) satisfaction")
                compared += 1
                if compared >= 12 { break }
            }
            #expect(compared >= 5, "communes with both dossiers and reports were compared")

            // Published results freeze the figures: more dossiers later change neither the ranking nor the assessment.
            let commune = try #require(communes.first { statRows[$0] != nil })
            #expect(try await admin.send(.PUT, "/api/v1/dti/frameworks/DTI-XA-T/assessments/\(commune)", json: ["values": [:] as [String: Any]]).status == .ok)
            #expect(try await admin.send(.POST, "/api/v1/dti/frameworks/DTI-XA-T/assessments/\(commune)/submit").status == .ok)
            // A reviewer may override a measured sub-index, with a reason; the figure stays shown beside it.
            let overridden = try await admin.send(.POST, "/api/v1/dti/frameworks/DTI-XA-T/assessments/\(commune)/review",
                                                  json: ["criterion": "M3", "points": 7.5, "reason": "Khảo sát hài lòng của tỉnh thay cho đánh giá trực tuyến."])
            #expect(overridden.status == .ok, "\(overridden.text)")
            #expect((overridden.json["points"] as? [String: Double])?["M3"] == 7.5)
            #expect((overridden.json["measured"] as? [String: Any])?["M3"] != nil)
            let published = try await admin.send(.POST, "/api/v1/dti/frameworks/DTI-XA-T/publish")
            #expect(published.status == .ok, "\(published.text)")
            let frozenM0 = ((published.json["measured"] as? [String: [String: [String: Any]]])?[commune]?["M0"])?["value"] as? Double
            #expect(frozenM0 != nil)
            _ = try await DemoDossiers.load(on: app, count: 2_000, now: Self.now, series: 1)
            app.dtiMeasureCache.clear()
            let later = try await admin.send(.GET, "/api/v1/dti/frameworks/DTI-XA-T/assessments/\(commune)")
            #expect(((later.json["measured"] as? [String: [String: Any]])?["M0"])?["value"] as? Double == frozenM0)
            #expect(later.json["total"] as? Double == (published.json["results"] as? [[String: Any]])?.first?["points"] as? Double)
        }
    }

    @Test func workbooksExportTheResultsAndRoundTripTheFramework() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            _ = try await s.admin.send(.POST, "/api/v1/dti/frameworks", json: Self.framework())
            let book = try await s.admin.send(.GET, "\(Self.base)/framework.xlsx")
            #expect(book.status == .ok)
            let data = Data(buffer: book.body)
            let original = try await s.admin.send(.GET, Self.base).json["framework"] as? [String: Any]
            // Re-importing the export redefines the same framework (nothing entered yet), identical.
            let back = try await s.admin.send(.POST, "/api/v1/dti/frameworks/import", bytes: data, contentType: Downloads.xlsxType)
            #expect(back.status == .created, "\(back.text)")
            let again = try await s.admin.send(.GET, Self.base).json["framework"] as? [String: Any]
            #expect(NSDictionary(dictionary: original ?? [:]).isEqual(to: again ?? [:]))
            #expect(try await s.admin.send(.POST, "/api/v1/dti/frameworks/import", bytes: Data("not a workbook".utf8), contentType: Downloads.xlsxType).status == .unprocessableEntity)

            _ = try await s.officerA.send(.PUT, "\(Self.base)/assessments/SO-A", json: ["values": ["A1": 1, "B2": 12.5]])
            _ = try await s.officerA.send(.POST, "\(Self.base)/assessments/SO-A/submit")
            _ = try await s.reviewer.send(.POST, "\(Self.base)/publish")
            let x = try await s.anonymous.send(.GET, "\(Self.base)/results.xlsx")
            #expect(x.status == .ok)
            let rows = try XLSXReader.read(Data(buffer: x.body))
            #expect(rows[0].contains("Chỉ số / Value (0–1)"))
            #expect(rows[1][1] == "SO-A")
            #expect(rows[1].contains("22.5") && rows[1].contains("0.225"))
        }
    }

    @Test func theShippedFrameworksInstall() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let list = try await s.admin.send(.GET, "/api/v1/dti/templates")
            let items = try #require(try JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [[String: Any]])
            #expect(Set(items.compactMap { $0["file"] as? String }) == ["national-922-province", "national-405-province", "daklak-department-2025", "daklak-commune-2025"])
            #expect(items.allSatisfy { $0["maxPoints"] as? Double == 1000 })
            #expect(items.first { $0["file"] as? String == "national-922-province" }?["subIndices"] as? Int == 98)
            #expect(items.first { $0["file"] as? String == "national-405-province" }?["subIndices"] as? Int == 47)
            for i in items {
                let r = try await s.admin.send(.POST, "/api/v1/dti/templates/\(i["file"] as! String)")
                #expect(r.status == .created, "\(i["file"] ?? ""): \(r.text)")
            }
            let next = try await s.admin.send(.POST, "/api/v1/dti/templates/daklak-department-2025", json: ["code": "DTI-SO-2027", "year": 2027])
            #expect(next.status == .created)
            #expect(((next.json["summary"] as? [String: Any])?["name"] as? String)?.contains("2027") == true)
            #expect(try await s.officerA.send(.GET, "/api/v1/dti/templates").status == .forbidden)
            let traversal = try await s.admin.send(.POST, "/api/v1/dti/templates/..%2F..%2Fetc%2Fpasswd")
            #expect([.notFound, .forbidden].contains(traversal.status) && traversal.isProblem, "\(traversal.status) \(traversal.text)")
        }
    }
}
