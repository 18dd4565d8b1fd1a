import Fluent
import Foundation
import IOCCore
import SQLKit
import Testing
import Vapor
@testable import IOCServer

/// The KT-XH indicators service through its API, on SQLite and PostgreSQL.
@Suite("Indicators: catalogue, values, comparisons, workflow")
struct IndicatorsTests {
    /// Another instance's catalogue change reaches this one's cache through the live hub (observers get the topic).
    @Test func aCatalogueChangeAnnouncedOnItsTopicEmptiesTheCache() async throws {
        try await withApp { app in
            let agencies = try await app.agencyDirectory.snapshot(on: app.db)
            let before = try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies).groups.count
            let g = IndicatorGroupModel()
            g.id = "TEST-LIVE"; g.name = "Nhóm thử"; g.nameEn = "Test group"; g.sortOrder = 99
            try await g.create(on: app.db)
            #expect(try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies).groups.count == before, "cached")
            _ = app.live.publish(topic: IndicatorsController.catalogTopic, json: #"{"type":"indicators.catalog"}"#)
            #expect(try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies).groups.count == before + 1)
        }
    }

    /// 15 April 2026, 10:00 in Vietnam.
    static let now = ISO8601.parse("2026-04-15T03:00:00Z")!

    struct Setup {
        var admin: TestClient
        var op: TestClient
        var officer: TestClient
        var other: TestClient
        var leader: TestClient
    }

    static var catalogue: [[String: Any]] { [
        ["code": "REV", "name": "Thu ngân sách", "nameEn": "Budget revenue", "unit": "tỷ đồng", "period": "month", "cumulative": true,
         "aggregation": "sum", "direction": "up", "ownerAgency": "SO-A", "group": "NS", "headline": 1],
        ["code": "RETAIL", "name": "Bán lẻ", "nameEn": "Retail sales", "unit": "tỷ đồng", "period": "month", "cumulative": false,
         "aggregation": "sum", "direction": "up", "ownerAgency": "SO-A", "group": "TM", "communes": true, "headline": 2],
        ["code": "POP", "name": "Dân số", "nameEn": "Population", "unit": "nghìn người", "period": "month", "cumulative": false,
         "aggregation": "none", "direction": "up", "ownerAgency": "SO-B", "group": "TM"],
        ["code": "RETAIL_PC", "name": "Bán lẻ bình quân đầu người", "nameEn": "Retail sales per person", "unit": "triệu đồng",
         "period": "month", "cumulative": false, "aggregation": "none", "direction": "up", "ownerAgency": "SO-A", "group": "TM",
         "formula": "RETAIL * 1000 / POP"],
        ["code": "GROWTH", "name": "Tăng trưởng", "nameEn": "Growth", "unit": "%", "period": "quarter", "cumulative": false,
         "aggregation": "mean", "direction": "up", "ownerAgency": "SO-B", "group": "NS", "requiresApproval": true],
    ] }

    static func setUp(_ app: Application) async throws -> Setup {
        app.clock.set(now)
        try await makeUser(app, "quantri", role: .admin)
        try await makeUser(app, "dieuhanh", role: .operator)
        try await makeUser(app, "canbo.a", role: .officer, agencyCode: "SO-A")
        try await makeUser(app, "canbo.b", role: .officer, agencyCode: "SO-B")
        try await makeUser(app, "lanhdao", role: .leader)
        let s = Setup(admin: TestClient(app), op: TestClient(app), officer: TestClient(app), other: TestClient(app), leader: TestClient(app))
        try await s.admin.login("quantri"); try await s.op.login("dieuhanh"); try await s.officer.login("canbo.a")
        try await s.other.login("canbo.b"); try await s.leader.login("lanhdao")
        let pack: [String: Any] = ["groups": [["code": "NS", "name": "Ngân sách", "nameEn": "Budget"], ["code": "TM", "name": "Thương mại", "nameEn": "Trade"]],
                                   "indicators": catalogue]
        let r = try await s.admin.send(.POST, "/api/v1/indicators", json: pack)
        #expect(r.status == .created, "\(r.text)")
        return s
    }

    static func post(_ c: TestClient, _ items: [[String: Any]]) async throws -> TestClient.Reply {
        try await c.send(.POST, "/api/v1/indicators/values", json: items)
    }

    static func row(_ reply: TestClient.Reply, _ period: String) -> [String: Any]? {
        (reply.json["values"] as? [[String: Any]])?.first { $0["period"] as? String == period }
    }

    @Test func comparisonsMatchTheHandComputedFigures() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            var items: [[String: Any]] = []
            for (p, v) in [("2025-01", 100.0), ("2025-02", 110), ("2025-03", 120), ("2026-01", 105), ("2026-02", 121), ("2026-03", 132)] {
                items.append(["indicator": "RETAIL", "period": p, "unit": "66", "value": v, "status": "official"])
                items.append(["indicator": "POP", "period": p, "unit": "66", "value": 3350, "status": "official"])
            }
            for (p, v) in [("2025-03", 4000.0), ("2026-02", 2900), ("2026-03", 4500)] {
                items.append(["indicator": "REV", "period": p, "unit": "66", "value": v, "status": "official"])
            }
            let posted = try await Self.post(s.admin, items)
            #expect(posted.status == .created, "\(posted.text)")
            #expect(posted.json["accepted"] as? Int == items.count)
            #expect(try await s.admin.send(.PUT, "/api/v1/indicators/RETAIL/plans/2026", json: ["unit": "66", "value": 1500, "document": "NQ 54/NQ-HĐND"]).status == .ok)
            #expect(try await s.admin.send(.PUT, "/api/v1/indicators/REV/plans/2026", json: ["value": 18000]).status == .ok)

            // Retail (per month, summed): 132 vs 121 and 120; year to date 358 vs 330; 358 / 1500.
            let retail = try await s.leader.send(.GET, "/api/v1/indicators/RETAIL/values?from=2026-01&to=2026-03")
            #expect(retail.status == .ok)
            let m3 = try #require(Self.row(retail, "2026-03"))
            #expect(m3["value"] as? Double == 132 && m3["previous"] as? Double == 121 && m3["samePeriodLastYear"] as? Double == 120)
            #expect(m3["changeVsPreviousPct"] as? Double == 9.09 && m3["changeVsSamePeriodPct"] as? Double == 10)
            #expect(m3["yearToDate"] as? Double == 358 && m3["yearToDateChangePct"] as? Double == 8.48 && m3["planPct"] as? Double == 23.87)
            // January has no previous year-to-date to compare with beyond its own month: 105 / 100.
            let m1 = try #require(Self.row(retail, "2026-01"))
            #expect(m1["yearToDate"] as? Double == 105 && m1["yearToDateChangePct"] as? Double == 5)

            // Budget revenue (lũy kế): the value is the year to date; no previous year for February → null, not absent.
            let rev = try await s.leader.send(.GET, "/api/v1/indicators/REV/values?from=2026-02&to=2026-03")
            let r3 = try #require(Self.row(rev, "2026-03"))
            #expect(r3["yearToDate"] as? Double == 4500 && r3["yearToDateChangePct"] as? Double == 12.5 && r3["planPct"] as? Double == 25)
            #expect(r3["changeVsPreviousPct"] as? Double == 55.17)
            let r2 = try #require(Self.row(rev, "2026-02"))
            #expect(r2.keys.contains("samePeriodLastYear") && r2["samePeriodLastYear"] is NSNull)
            #expect(r2["changeVsSamePeriodPct"] is NSNull && r2["planPct"] as? Double == 16.11)

            // A formula is evaluated by the server: 132 × 1000 / 3350.
            let pc = try await s.leader.send(.GET, "/api/v1/indicators/RETAIL_PC/values?from=2026-03&to=2026-03")
            #expect(Self.row(pc, "2026-03")?["value"] as? Double == 39.4)

            // The monthly report: lũy kế vs same period as an index (358 / 330 × 100), of plan.
            let report = try await s.leader.send(.GET, "/api/v1/indicators/report?month=2026-03")
            let rows = try #require(report.json["rows"] as? [[String: Any]])
            let rr = try #require(rows.first { ($0["indicator"] as? [String: Any])?["code"] as? String == "RETAIL" })
            #expect(rr["samePeriodPct"] as? Double == 108.48 && rr["plan"] as? Double == 1500 && rr["planPct"] as? Double == 23.87)
            let xlsx = try await s.leader.send(.GET, "/api/v1/indicators/report.xlsx?month=2026-03")
            #expect(xlsx.status == .ok)
            let sheet = try XLSXReader.read(Data(buffer: xlsx.body))
            #expect(sheet.contains { $0.first == "RETAIL" && $0.contains("358") })

            // The leader's screen: headline indicators first, with status against plan.
            let screen = try await s.leader.send(.GET, "/api/v1/indicators/screen")
            let cards = try #require(screen.json["items"] as? [[String: Any]])
            #expect(cards.compactMap { ($0["indicator"] as? [String: Any])?["code"] as? String } == ["REV", "RETAIL"])
        }
    }

    @Test func aRevisionIsANewVintageAndAsOfShowsWhatWasKnown() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            #expect(try await Self.post(s.admin, [["indicator": "REV", "period": "2026-03", "unit": "66", "value": 4500, "status": "estimate"]]).status == .created)
            let firstKnown = Self.now.addingTimeInterval(60)
            app.clock.set(Self.now.addingTimeInterval(86_400))
            let revised = try await Self.post(s.admin, [["indicator": "REV", "period": "2026-03", "unit": "66", "value": 4680, "status": "official"]])
            let flags = try #require(((revised.json["items"] as? [[String: Any]])?.first?["flags"]) as? [[String: Any]])
            #expect(!flags.contains { $0["kind"] as? String == "revision" }, "a 4 % revision is under the 10 % share")
            let now = try await s.leader.send(.GET, "/api/v1/indicators/REV/values?from=2026-03&to=2026-03")
            #expect(Self.row(now, "2026-03")?["value"] as? Double == 4680)
            #expect(Self.row(now, "2026-03")?["vintage"] as? Int == 2 && Self.row(now, "2026-03")?["revised"] as? Bool == true)
            let then = try await s.leader.send(.GET, "/api/v1/indicators/REV/values?from=2026-03&to=2026-03&asOf=\(ISO8601.format(firstKnown))")
            #expect(Self.row(then, "2026-03")?["value"] as? Double == 4500 && Self.row(then, "2026-03")?["status"] as? String == "estimate")
            // Both vintages are kept.
            #expect(try await IndicatorValueModel.query(on: app.db).filter(\.$indicator == "REV").count() == 2)
            // A mid-year plan change keeps its history; budget estimates sit beside the plan.
            #expect(try await s.admin.send(.PUT, "/api/v1/indicators/REV/plans/2026", json: ["value": 18000, "document": "NQ 54/NQ-HĐND"]).status == .ok)
            #expect(try await s.op.send(.PUT, "/api/v1/indicators/REV/plans/2026", json: ["value": 19000, "document": "NQ 80/NQ-HĐND"]).status == .ok)
            #expect(try await s.op.send(.PUT, "/api/v1/indicators/REV/plans/2026", json: ["value": 16310, "kind": "estimateCouncil"]).status == .ok)
            #expect(try await s.op.send(.PUT, "/api/v1/indicators/REV/plans/2026", json: ["value": 1, "kind": "quarter", "quarter": 5]).status == .unprocessableEntity)
            #expect(try await s.leader.send(.PUT, "/api/v1/indicators/REV/plans/2026", json: ["value": 1]).status == .forbidden)
            let withPlan = try await s.leader.send(.GET, "/api/v1/indicators/REV/values?from=2026-03&to=2026-03")
            #expect((withPlan.json["plans"] as? [String: Any])?["2026"] as? Double == 19000)
            let targets = try #require((withPlan.json["targets"] as? [String: Any])?["2026"] as? [[String: Any]])
            #expect(targets.contains { $0["kind"] as? String == "plan" && $0["history"] as? Int == 1 && $0["document"] as? String == "NQ 80/NQ-HĐND" })
            #expect(targets.contains { $0["kind"] as? String == "estimateCouncil" && $0["value"] as? Double == 16310 })
            #expect(Self.row(withPlan, "2026-03")?["planPct"] as? Double == 24.63)   // 4680 / 19000
            // A revision beyond 10 % is flagged.
            let big = try await Self.post(s.admin, [["indicator": "REV", "period": "2026-03", "unit": "66", "value": 5400, "status": "official"]])
            let bigFlags = ((big.json["items"] as? [[String: Any]])?.first?["flags"] as? [[String: Any]]) ?? []
            #expect(bigFlags.contains { $0["kind"] as? String == "revision" })
        }
    }

    @Test func officersEnterAndSubmitApproversReturnThenApprove() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let entry: [[String: Any]] = [["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 130, "status": "estimate"]]
            // Another agency's officer cannot enter SO-A's indicator, and nothing is stored.
            let before = try await stateFingerprint(app)
            let foreign = try await Self.post(s.other, entry)
            #expect(foreign.status == .unprocessableEntity && foreign.isProblem)
            #expect(try await stateFingerprint(app) == before)

            let draft = try await Self.post(s.officer, entry)
            #expect(draft.status == .created)
            let item = try #require((draft.json["items"] as? [[String: Any]])?.first)
            #expect(item["state"] as? String == "draft")
            let id = try #require(item["id"] as? String)
            // A draft reaches no leader view and no open data.
            #expect(Self.row(try await s.leader.send(.GET, "/api/v1/indicators/RETAIL/values?from=2026-03&to=2026-03"), "2026-03") == nil)
            // The form lists it as due, with the draft.
            let due = try await s.officer.send(.GET, "/api/v1/indicators/due")
            let dueItems = try #require(due.json["items"] as? [[String: Any]])
            #expect(dueItems.contains { ($0["indicator"] as? [String: Any])?["code"] as? String == "RETAIL" && ($0["entry"] as? [String: Any])?["id"] as? String == id })
            #expect(!dueItems.contains { ($0["indicator"] as? [String: Any])?["ownerAgency"] as? String == "SO-B" })

            // Only its agency's officers may submit it; an approver cannot approve a draft.
            #expect(try await s.other.send(.POST, "/api/v1/indicators/values/submit", json: ["ids": [id]]).status == .notFound)
            #expect(try await s.op.send(.POST, "/api/v1/indicators/values/\(id)/approve").status == .conflict)
            #expect(try await s.officer.send(.POST, "/api/v1/indicators/values/submit", json: ["ids": [id]]).json["submitted"] as? Int == 1)
            // Officers and leaders do not approve.
            #expect(try await s.officer.send(.POST, "/api/v1/indicators/values/\(id)/approve").status == .forbidden)
            #expect(try await s.leader.send(.POST, "/api/v1/indicators/values/\(id)/approve").status == .forbidden)
            let queue = try await s.op.send(.GET, "/api/v1/indicators/approvals")
            #expect((queue.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            // Returned with a reason (required), corrected, submitted again, approved.
            #expect(try await s.op.send(.POST, "/api/v1/indicators/values/\(id)/return", json: ["reason": "  "]).status == .unprocessableEntity)
            let returned = try await s.op.send(.POST, "/api/v1/indicators/values/\(id)/return", json: ["reason": "Chưa khớp số của Thuế tỉnh"])
            #expect(returned.json["state"] as? String == "returned" && returned.json["returnReason"] as? String == "Chưa khớp số của Thuế tỉnh")
            let again = try await Self.post(s.officer, [["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 131.5, "status": "official"]])
            #expect((again.json["items"] as? [[String: Any]])?.first?["id"] as? String == id, "the returned entry is corrected, not duplicated")
            #expect(try await s.officer.send(.POST, "/api/v1/indicators/values/submit", json: ["ids": [id]]).status == .ok)
            let approved = try await s.op.send(.POST, "/api/v1/indicators/values/\(id)/approve")
            #expect(approved.json["state"] as? String == "approved" && approved.json["vintage"] as? Int == 1)
            #expect(Self.row(try await s.leader.send(.GET, "/api/v1/indicators/RETAIL/values?from=2026-03&to=2026-03"), "2026-03")?["value"] as? Double == 131.5)
            // Open data without signing in: the official approved value.
            let open = try await TestClient(app).send(.GET, "/api/v1/open-data/indicators.json")
            #expect(open.status == .ok)
            let values = try #require(open.json["values"] as? [[String: Any]])
            #expect(values.contains { $0["indicator"] as? String == "RETAIL" && $0["value"] as? Double == 131.5 })
            let csv = try await TestClient(app).send(.GET, "/api/v1/open-data/indicators.csv")
            #expect(csv.text.contains("RETAIL,Bán lẻ,Retail sales,tỷ đồng,2026-03,66,"))
            #expect(!csv.text.contains("canbo") && !open.text.contains("canbo"))
            // Every step audited.
            let actions = try await AuditEntryModel.query(on: app.db).all().map(\.action)
            for a in ["indicators.define", "indicators.values", "indicators.submit", "indicators.return", "indicators.approve"] {
                #expect(actions.contains(a), "\(a)")
            }
            // An indicator that requires approval: even a source's (here the admin's) value waits.
            let growth = try await Self.post(s.admin, [["indicator": "GROWTH", "period": "2026-Q1", "unit": "66", "value": 7.1, "status": "preliminary"]])
            #expect((growth.json["items"] as? [[String: Any]])?.first?["state"] as? String == "submitted")
        }
    }

    @Test func badValuesAreRefusedNamingTheItemAndNothingIsStored() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let good: [String: Any] = ["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 1, "status": "official"]
            let anotherProvincesCommune = try #require(TestEnvironment.reference.units.communes(of: "01").first?.code)
            let cases: [([String: Any], String)] = [
                (["indicator": "NOPE", "period": "2026-03", "unit": "66", "value": 1], "[1].indicator"),
                (["indicator": "RETAIL", "period": "2026-Q1", "unit": "66", "value": 1], "[1].period"),
                (["indicator": "RETAIL", "period": "2026-13", "unit": "66", "value": 1], "[1].period"),
                (["indicator": "RETAIL", "period": "2026-03", "unit": "01", "value": 1], "[1].unit"),
                (["indicator": "RETAIL", "period": "2026-03", "unit": anotherProvincesCommune, "value": 1], "[1].unit"),
                (["indicator": "REV", "period": "2026-03", "unit": "24133", "value": 1], "[1].unit"),
                (["indicator": "RETAIL", "period": "2026-02", "unit": "66", "value": "12,5"], "[1].value"),
                (["indicator": "RETAIL", "period": "2026-02", "unit": "66", "value": 1, "status": "final"], "[1].status"),
                (["indicator": "RETAIL", "period": "2026-05", "unit": "66", "value": 1], "[1].period"),
                (["indicator": "RETAIL_PC", "period": "2026-03", "unit": "66", "value": 1], "[1].indicator"),
                (good, "[1].period"),
            ]
            let before = try await stateFingerprint(app)
            for (bad, field) in cases {
                let r = try await Self.post(s.admin, [good, bad])
                #expect(r.status == .unprocessableEntity && r.isProblem, "\(bad)")
                let items = r.json["items"] as? [[String: Any]] ?? []
                #expect(items.first?["field"] as? String == field && items.first?["index"] as? Int == 1, "\(bad): \(r.text)")
                let m = items.first?["messages"] as? [String: String]
                #expect(m?["vi"]?.hasPrefix("Mục 2") == true && m?["en"]?.hasPrefix("Item 2") == true)
            }
            #expect(try await Self.post(s.admin, []).status == .unprocessableEntity)
            #expect(try await s.admin.send(.POST, "/api/v1/indicators/values", raw: "{not json").status == .badRequest)
            #expect(try await stateFingerprint(app) == before)
        }
    }

    @Test func badCatalogueEntriesAreRefusedAndNothingIsStored() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let before = try await stateFingerprint(app)
            func entry(_ code: String, formula: String? = nil, period: String = "month", owner: String = "SO-A", deadline: String? = nil) -> [String: Any] {
                var e: [String: Any] = ["code": code, "name": code, "unit": "%", "period": period, "ownerAgency": owner]
                if let formula { e["formula"] = formula }
                if let deadline { e["deadline"] = deadline }
                return e
            }
            let cases: [([[String: Any]], String)] = [
                ([entry("X1", formula: "X2 + 1"), entry("X2", formula: "X1 * 2")], "cycle"),
                ([entry("X1", formula: "REV + RATE_UNKNOWN")], "RATE_UNKNOWN"),
                ([entry("X1", formula: "GROWTH * 2")], "quarter"),
                ([entry("X1", formula: "REV +")], "formula"),
                ([entry("x1")], "code"),
                ([entry("X1", owner: "NOWHERE")], "NOWHERE"),
                ([entry("X1", period: "fortnight")], "period"),
                ([entry("X1", deadline: "day:17:00")], "day:17:00"),
                ([entry("X1"), entry("X1")], "X1"),
                ([entry("REV", period: "quarter")], "REV"),
            ]
            // REV has values, so its period cannot change.
            #expect(try await Self.post(s.admin, [["indicator": "REV", "period": "2026-03", "unit": "66", "value": 1]]).status == .created)
            let withValue = try await stateFingerprint(app)
            for (batch, mention) in cases {
                let r = try await s.admin.send(.POST, "/api/v1/indicators", json: batch)
                #expect(r.status == .unprocessableEntity && r.isProblem, "\(batch)")
                #expect(r.text.contains(mention), "\(mention): \(r.text)")
            }
            #expect(try await stateFingerprint(app) == withValue)
            #expect(withValue != before)
            // A redefinition keeps the previous definition as a version.
            var redefined = Self.catalogue[0]
            redefined["name"] = "Tổng thu ngân sách nhà nước trên địa bàn"
            let r = try await s.admin.send(.POST, "/api/v1/indicators", json: redefined)
            #expect(r.status == .ok && r.json["updated"] as? Int == 1)
            #expect(try await IndicatorVersionModel.query(on: app.db).filter(\.$code == "REV").count() == 1)
            let c = try await s.leader.send(.GET, "/api/v1/indicators")
            let rev = (c.json["indicators"] as? [[String: Any]])?.first { $0["code"] as? String == "REV" }
            #expect(rev?["version"] as? Int == 2)
            // Officers cannot define indicators.
            #expect(try await s.officer.send(.POST, "/api/v1/indicators", json: entry("X9")).status == .forbidden)
        }
    }

    @Test func lateAgenciesRaiseOneAlarmClearedWhenTheyCatchUp() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            // 15 April: March figures were due on the 20th… not yet; February's (due 20 March) are late for everyone.
            let late = try await IndicatorLateness.sweep(app: app, now: Self.now)
            #expect(Set(late) == ["SO-A", "SO-B"])
            _ = try await IndicatorLateness.sweep(app: app, now: Self.now.addingTimeInterval(60))
            let open = try await AlarmModel.query(on: app.db).filter(\.$kind == "indicators.late").filter(\.$state != "cleared").all()
            #expect(open.count == 2, "one alarm per agency, not one per sweep")
            // SO-B catches up: POP for February, GROWTH for 2025-Q4 (due 20 January; Q1 is due 20 April). GROWTH needs
            // approval: submitted is no longer missing.
            #expect(try await Self.post(s.admin, [["indicator": "POP", "period": "2026-02", "unit": "66", "value": 3350],
                                                  ["indicator": "GROWTH", "period": "2025-Q4", "unit": "66", "value": 6.8]]).status == .created)
            let still = try await IndicatorLateness.sweep(app: app, now: Self.now.addingTimeInterval(120))
            #expect(still == ["SO-A"])
            let after = try await AlarmModel.query(on: app.db).filter(\.$kind == "indicators.late").filter(\.$state != "cleared").all()
            #expect(after.count == 1)
            let fresh = try await s.leader.send(.GET, "/api/v1/indicators/freshness")
            let rows = try #require(fresh.json["items"] as? [[String: Any]])
            #expect(rows.first { ($0["agency"] as? [String: Any])?["code"] as? String == "SO-A" }?["missing"] as? Int == 2)
        }
    }

    @Test func theWallShowsTheTileAndAGroupScreenViewKind() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            #expect(try await Self.post(s.admin, [["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 132]]).status == .created)
            let overview = try await s.leader.send(.GET, "/api/v1/wall/overview")
            let tiles = try #require(overview.json["tiles"] as? [[String: Any]])
            let tile = try #require(tiles.first { $0["id"] as? String == "indicators" })
            #expect((tile["figures"] as? [[String: Any]])?.contains { $0["key"] as? String == "RETAIL" && $0["value"] as? Double == 132 } == true)
            let group = try await s.leader.send(.GET, "/api/v1/indicators/screen?group=TM")
            #expect((group.json["items"] as? [[String: Any]])?.count == 3)
            #expect(try await s.leader.send(.GET, "/api/v1/indicators/screen?group=NOPE").status == .notFound)
            let settings = try await s.leader.send(.GET, "/api/v1/settings/ui")
            #expect((settings.json["wallViews"] as? [String])?.contains("indicators") == true)
        }
    }

    @Test func anAgencyFillsItsTemplateAndUploadsItWithErrorsPerRow() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let template = try await s.officer.send(.GET, "/api/v1/indicators/template.xlsx")
            #expect(template.status == .ok && template.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let sheet = try XLSXReader.read(Data(buffer: template.body))
            #expect(sheet.first?.first == "Mã chỉ tiêu / Code")
            #expect(sheet.contains { $0.first == "RETAIL" && $0.count > 3 && $0[3] == "2026-03" })
            #expect(!sheet.contains { $0.first == "POP" }, "only the agency's indicators")
            func upload(_ rows: [[String]]) async throws -> TestClient.Reply {
                var b = XLSXWriter()
                b.addSheet(named: "Nhập số liệu", rows: ([IndicatorImport.header] + rows).map { $0.map { .text($0) } })
                return try await s.officer.send(.POST, "/api/v1/indicators/imports", bytes: try b.data(), contentType: IndicatorViews.xlsxType)
            }
            let before = try await stateFingerprint(app)
            let bad = try await upload([["RETAIL", "", "", "2026-03", "66", "131.5", "estimate"], ["REV", "", "", "2026-Q1", "66", "4500", "official"],
                                        ["RETAIL", "", "", "2026-02", "66", "", ""]])
            #expect(bad.status == .unprocessableEntity && bad.isProblem)
            let m = ((bad.json["items"] as? [[String: Any]])?.first?["messages"] as? [String: String])
            #expect(m?["vi"]?.hasPrefix("Dòng 3") == true && m?["en"]?.hasPrefix("Row 3") == true, "\(bad.text)")
            #expect(try await stateFingerprint(app) == before)
            let good = try await upload([["RETAIL", "", "", "2026-03", "66", "131.5", "estimate"], ["REV", "", "", "2026-03", "66", "4500", "official"]])
            #expect(good.status == .created, "\(good.text)")
            #expect((good.json["items"] as? [[String: Any]])?.allSatisfy { $0["state"] as? String == "draft" } == true)
            let actions = try await AuditEntryModel.query(on: app.db).all().map(\.action)
            #expect(actions.contains("indicators.import"))
            let garbage = try await s.officer.send(.POST, "/api/v1/indicators/imports", raw: "not a workbook", contentType: IndicatorViews.xlsxType)
            #expect(garbage.status == .unprocessableEntity && garbage.isProblem)
        }
    }

    @Test func theCatalogueRoundTripsThroughXLSXAndNamesTheSheetRowOfAnError() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let exported = try await s.leader.send(.GET, "/api/v1/indicators/catalogue.xlsx")
            #expect(exported.status == .ok)
            let data = Data(buffer: exported.body)
            let back = try await s.admin.send(.POST, "/api/v1/indicators/catalogue", bytes: data, contentType: IndicatorViews.xlsxType)
            #expect(back.status == .ok && back.json["unchanged"] as? Int == 5, "\(back.text)")
            // The third indicator row given an unknown owner: refused, naming sheet and row.
            var sheet = try XLSXReader.read(data)
            let col = try #require(sheet[0].firstIndex(of: "ownerAgency"))
            sheet[3][col] = "NOWHERE"
            var book = XLSXWriter()
            book.addSheet(named: "Chỉ tiêu", rows: sheet.map { $0.map { .text($0) } })
            let before = try await stateFingerprint(app)
            let bad = try await s.admin.send(.POST, "/api/v1/indicators/catalogue", bytes: try book.data(), contentType: IndicatorViews.xlsxType)
            #expect(bad.status == .unprocessableEntity)
            let m = (bad.json["items"] as? [[String: Any]])?.first?["messages"] as? [String: String]
            #expect(m?["vi"]?.hasPrefix("Trang Chỉ tiêu, dòng 4") == true, "\(bad.text)")
            #expect(try await stateFingerprint(app) == before)
            #expect(try await s.officer.send(.POST, "/api/v1/indicators/catalogue", bytes: data, contentType: IndicatorViews.xlsxType).status == .forbidden)
        }
    }

    @Test func aValueWaitingForApprovalIsNotEnteredTwiceAndCommasAreDecimals() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            #expect(IndicatorImport.number("27,5") == 27.5 && IndicatorImport.number("1.234,5") == 1234.5 && IndicatorImport.number("27.5") == 27.5)
            #expect(IndicatorImport.number("1,2,3") == nil && IndicatorImport.number("abc") == nil)
            let draft = try await Self.post(s.officer, [["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 130]])
            let id = try #require((draft.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await s.officer.send(.POST, "/api/v1/indicators/values/submit", json: ["ids": [id]]).status == .ok)
            let before = try await stateFingerprint(app)
            let again = try await Self.post(s.officer, [["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 131]])
            #expect(again.status == .unprocessableEntity && again.text.contains("chờ duyệt"))
            #expect(try await stateFingerprint(app) == before)
            // The template does not offer the waiting value again.
            let template = try XLSXReader.read(Data(buffer: try await s.officer.send(.GET, "/api/v1/indicators/template.xlsx").body))
            let row = try #require(template.first { $0.first == "RETAIL" && $0.count > 5 && $0[3] == "2026-03" })
            #expect(row[5].isEmpty)
        }
    }

    @Test func communesAreRankedWithTiesAndOpenDataHoldsOnlyOfficialApprovedValues() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let communes = TestEnvironment.reference.units.communes(of: "66").prefix(4).map(\.code)
            var items: [[String: Any]] = []
            for (unit, v) in zip(communes, [30.0, 50, 50, 10]) {
                items.append(["indicator": "RETAIL", "period": "2026-03", "unit": unit, "value": v, "status": "official"])
                items.append(["indicator": "RETAIL", "period": "2025-03", "unit": unit, "value": 40, "status": "official"])
            }
            items.append(["indicator": "REV", "period": "2026-03", "unit": "66", "value": 4500, "status": "estimate"])
            #expect(try await Self.post(s.admin, items).status == .created)
            let ranked = try await s.leader.send(.GET, "/api/v1/indicators/RETAIL/communes?period=2026-03")
            let rows = try #require(ranked.json["rows"] as? [[String: Any]])
            #expect(rows.map { $0["rank"] as? Int } == [1, 1, 3, 4])                       // 50, 50, 30, 10
            #expect(rows.first { $0["unit"] as? String == communes[3] }?["changeVsSamePeriodPct"] as? Double == -75)
            #expect(try await s.leader.send(.GET, "/api/v1/indicators/RETAIL/communes?period=2026-Q1").status == .unprocessableEntity)
            // A draft and an estimate are not open data; the official approved values are.
            #expect(try await Self.post(s.officer, [["indicator": "RETAIL", "period": "2026-02", "unit": "66", "value": 99, "status": "official"]]).status == .created)
            let open = try await TestClient(app).send(.GET, "/api/v1/open-data/indicators.json")
            let values = try #require(open.json["values"] as? [[String: Any]])
            #expect(values.count == 8 && values.allSatisfy { $0["status"] as? String == "official" && $0["indicator"] as? String == "RETAIL" })
            #expect(!values.contains { $0["period"] as? String == "2026-02" })
        }
    }

    @Test func theApprovalQueueShowsTheFlagsOfAnOddValue() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            var history: [[String: Any]] = []
            for m in 1...12 {
                history.append(["indicator": "RETAIL", "period": String(format: "2025-%02d", m), "unit": "66", "value": 100, "status": "official"])
            }
            history.append(["indicator": "RETAIL", "period": "2026-01", "unit": "66", "value": 110, "status": "official"])
            history.append(["indicator": "RETAIL", "period": "2026-02", "unit": "66", "value": 110, "status": "official"])
            #expect(try await Self.post(s.admin, history).status == .created)
            let draft = try await Self.post(s.officer, [["indicator": "RETAIL", "period": "2026-03", "unit": "66", "value": 400]])
            let id = try #require((draft.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await s.officer.send(.POST, "/api/v1/indicators/values/submit", json: ["ids": [id]]).status == .ok)
            let queue = try await s.op.send(.GET, "/api/v1/indicators/approvals")
            let item = try #require((queue.json["items"] as? [[String: Any]])?.first)
            #expect(item["samePeriodLastYear"] as? Double == 100)
            #expect((item["flags"] as? [[String: Any]])?.contains { $0["kind"] as? String == "seasonal" } == true, "\(item)")
        }
    }

    @Test func overlongCatalogueTextIsRefused() async throws {
        try await withApp { app in
            let s = try await Self.setUp(app)
            let before = try await stateFingerprint(app)
            for (field, value) in [("nameEn", String(repeating: "x", count: 301)), ("unitEn", String(repeating: "u", count: 61)), ("weight", "not a code")] {
                var e: [String: Any] = ["code": "X1", "name": "X", "unit": "%", "period": "month", "ownerAgency": "SO-A"]
                e[field] = value
                let r = try await s.admin.send(.POST, "/api/v1/indicators", json: e)
                #expect(r.status == .unprocessableEntity && (r.json["items"] as? [[String: Any]])?.first?["field"] as? String == "[0].\(field)", "\(r.text)")
            }
            #expect(try await stateFingerprint(app) == before)
        }
    }
}
