import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Public services: dossier ingest, deadlines and the monthly figures")
struct PublicServicesTests {
    /// Ho Chi Minh time, as integrators send it.
    static func t(_ s: String) -> String { s + "+07:00" }

    static func dossier(_ code: String, agency: String = "SO-TP", received: String, limit: [String: Any]? = ["value": 3, "unit": "workingDays"],
                        status: Int = 4, extra: [String: Any] = [:]) -> [String: Any] {
        var d: [String: Any] = [
            "code": code, "procedureCode": "2.000488", "procedureName": "Cấp Phiếu lý lịch tư pháp", "agencyCode": agency,
            "channel": "online", "receivedAt": t(received), "status": status,
        ]
        if let limit { d["limit"] = limit }
        for (k, v) in extra { d[k] = v }
        return d
    }

    static func setUp(_ app: Application) async throws -> (TestClient, String) {
        try await makeUser(app, "admin", role: .admin, agencyCode: nil)
        try await makeUser(app, "canbo.yt", role: .officer, agencyCode: "SO-YT")
        try await makeUser(app, "lanhdao", role: .leader)
        let (_, key) = try await SourceController.issueKey(name: "igate", kind: "igate", on: app.db, audit: app.audit) { id in
            AuditRecord(actor: "test", action: "source.issue_key", targetType: "source", targetID: id.uuidString, origin: "test")
        }
        for code in ["SO-TP", "UBND-24133"] where try await AgencyModel.query(on: app.db).filter(\.$code == code).first() == nil {
            let a = AgencyModel(code: code, name: "Cơ quan \(code)", nameEn: code, kind: .department, parentID: nil)
            try await a.create(on: app.db)
        }
        let source = TestClient(app)
        source.bearer = key
        return (source, key)
    }

    @Test func ingestAcceptsValidItemsRejectsBadOnesAndUpsertsByCode() async throws {
        try await withApp { app in
            let (source, _) = try await Self.setUp(app)
            let batch: [[String: Any]] = [
                Self.dossier("000.00.01.H12-261102-0001", received: "2026-11-02T09:00:00"),
                Self.dossier("BAD-AGENCY", agency: "SO-KHONG-CO", received: "2026-11-02T09:00:00"),
                Self.dossier("BAD-STATUS", received: "2026-11-02T09:00:00", status: 11),
                Self.dossier("NO-OFFSET", received: "2026-11-02T09:00:00", extra: ["receivedAt": "2026-11-02T09:00:00"]),
                Self.dossier("BAD-LIMIT", received: "2026-11-02T09:00:00", limit: ["value": 3, "unit": "weeks"]),
                Self.dossier("BAD-SUPP", received: "2026-11-02T09:00:00", extra: ["supplements": [["requestedAt": Self.t("2026-11-03T09:00:00"), "completedAt": Self.t("2026-11-02T10:00:00")]]]),
                Self.dossier("BAD-UNIT", received: "2026-11-02T09:00:00", extra: ["unitCode": "99999"]),
                ["code": 5, "status": "x"],
                Self.dossier("Mã hồ sơ có dấu – Đắk Lắk", received: "2026-11-02T15:30:00", limit: ["value": 2, "unit": "workingHours"]),
            ]
            let r = try await source.send(.POST, "/api/v1/public-services/dossiers", json: batch)
            #expect(r.status == .ok)
            #expect(r.json["accepted"] as? Int == 2)
            #expect(r.json["rejected"] as? Int == 7)
            let items = try #require(r.json["items"] as? [[String: Any]])
            #expect(items.map { $0["result"] as? String } == ["created", "rejected", "rejected", "rejected", "rejected", "rejected", "rejected", "rejected", "created"])
            #expect(items.map { $0["field"] as? String }[1...7] == ["agencyCode", "status", "receivedAt", "limit", "supplements[0].completedAt", "unitCode", "code"])
            #expect((items[1]["messages"] as? [String: String])?["vi"]?.isEmpty == false)
            #expect(try await DossierModel.query(on: app.db).count() == 2)

            // Re-sending the same data changes nothing; newer data replaces; older data is ignored.
            let again = try await source.send(.POST, "/api/v1/public-services/dossiers", json: [batch[0]])
            #expect((again.json["items"] as? [[String: Any]])?.first?["result"] as? String == "unchanged")
            var newer = batch[0]
            newer["status"] = 10
            newer["history"] = [["status": 2, "at": Self.t("2026-11-02T09:00:00")], ["status": 10, "at": Self.t("2026-11-04T16:00:00")]]
            let upd = try await source.send(.POST, "/api/v1/public-services/dossiers", json: [newer])
            #expect((upd.json["items"] as? [[String: Any]])?.first?["result"] as? String == "updated")
            let old = try await source.send(.POST, "/api/v1/public-services/dossiers", json: [batch[0]])
            #expect((old.json["items"] as? [[String: Any]])?.first?["result"] as? String == "unchanged")
            #expect(try await DossierModel.find("000.00.01.H12-261102-0001", on: app.db)?.status == 10)

            // All rejected: a 422 problem listing the items, nothing stored.
            let none = try await source.send(.POST, "/api/v1/public-services/dossiers", json: [batch[1], batch[2]])
            #expect(none.status == .unprocessableEntity)
            #expect(none.isProblem)
            #expect((none.json["items"] as? [[String: Any]])?.count == 2)
            #expect(try await DossierModel.query(on: app.db).count() == 2)
            // Malformed bodies and oversized batches.
            #expect(try await source.send(.POST, "/api/v1/public-services/dossiers", raw: "{\"code\":1}").status == .badRequest)
            #expect(try await source.send(.POST, "/api/v1/public-services/dossiers", json: [[String: Any]]()).status == .unprocessableEntity)
            let tooMany = Array(repeating: batch[0], count: 5_001)
            #expect(try await source.send(.POST, "/api/v1/public-services/dossiers", json: tooMany).status == .unprocessableEntity)
            // The source's freshness moved and the batch is audited.
            #expect(try await SourceModel.query(on: app.db).first()?.lastDataAt != nil)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "dossiers.ingest").count() == 4)
        }
    }

    /// A database assessed with the calendar that lacked the 2026 New-Year swap is corrected on upgrade: received Wed
    /// 31/12/2025 10:00 with 3 working days is due Wed 7/1 17:00 (1/1 holiday, 2/1 swapped off), not Tue 6/1.
    @Test func upgradeReassessesDossiersForTheNewYearSwap2026() async throws {
        try await withApp { app in
            let (source, _) = try await Self.setUp(app)
            try await source.send(.POST, "/api/v1/public-services/dossiers", json: [Self.dossier("HS-NY", received: "2025-12-31T10:00:00")])
            let stored = try #require(try await DossierModel.find("HS-NY", on: app.db))
            #expect(stored.dueAt.map(ISO8601.format) == "2026-01-07T10:00:00.000Z")
            // As the previous release stored it.
            stored.dueAt = ISO8601.parse("2026-01-06T10:00:00Z")
            stored.dueDate = 20260106
            try await stored.save(on: app.db)
            try await ReassessDossiersForNewYearSwap2026(app: app).prepare(on: app.db)
            let fixed = try #require(try await DossierModel.find("HS-NY", on: app.db))
            #expect(fixed.dueAt.map(ISO8601.format) == "2026-01-07T10:00:00.000Z" && fixed.dueDate == 20260107)
        }
    }

    @Test func dossierShowsItsLegalDueMomentAndTimeliness() async throws {
        try await withApp { app in
            let (source, _) = try await Self.setUp(app)
            // Mon 02/11/2026 09:00 + 3 working days → Thu 05/11/2026 17:00 (+07:00).
            try await source.send(.POST, "/api/v1/public-services/dossiers", json: [
                Self.dossier("HS-1", received: "2026-11-02T09:00:00"),
                // Received Fri 13/02/2026 15:30, after the 15:00 cut-off before Tết: effective Mon 23/02 07:30,
                // 1 working day → due Tue 24/02/2026 17:00.
                Self.dossier("HS-TET", received: "2026-02-13T15:30:00", limit: ["value": 1, "unit": "workingDays"], status: 10,
                             extra: ["history": [["status": 10, "at": Self.t("2026-02-24T16:00:00")]]]),
            ])
            let admin = TestClient(app)
            try await admin.login("admin")
            let hs1 = try await admin.send(.GET, "/api/v1/public-services/dossiers/HS-1?asOf=2026-11-05T16:59:00%2B07:00")
            #expect(hs1.status == .ok)
            #expect(hs1.json["dueAt"] as? String == "2026-11-05T10:00:00.000Z")
            #expect(hs1.json["timeliness"] as? String == "inProgressWithin")
            let late = try await admin.send(.GET, "/api/v1/public-services/dossiers/HS-1?asOf=2026-11-06T00:00:00%2B07:00")
            #expect(late.json["timeliness"] as? String == "inProgressOverdue")
            let tet = try await admin.send(.GET, "/api/v1/public-services/dossiers/HS-TET")
            #expect(tet.json["effectiveReceivedAt"] as? String == "2026-02-23T00:30:00.000Z")
            #expect(tet.json["dueAt"] as? String == "2026-02-24T10:00:00.000Z")
            #expect(tet.json["timeliness"] as? String == "onTime")
            #expect((tet.json["timelinessName"] as? [String: String])?["vi"] == "Đúng hạn")
            #expect(try await admin.send(.GET, "/api/v1/public-services/dossiers/NOPE").status == .notFound)
            #expect(try await admin.send(.GET, "/api/v1/public-services/dossiers/HS-1?asOf=yesterday").status == .unprocessableEntity)
            // An officer of another agency may not read it, and cannot even tell it exists: the same 404 as an unknown
            // code (only the code in the message differs).
            let officer = TestClient(app)
            try await officer.login("canbo.yt")
            let foreign = try await officer.send(.GET, "/api/v1/public-services/dossiers/HS-1")
            let unknown = try await officer.send(.GET, "/api/v1/public-services/dossiers/HS-2")
            #expect(foreign.status == .notFound && unknown.status == .notFound)
            #expect(foreign.problemCode == unknown.problemCode && foreign.text.replacingOccurrences(of: "HS-1", with: "HS-2").count == unknown.text.count)
            // An IOC operator attached to an agency still reads the whole province; the history carries status names.
            try await makeUser(app, "dieuhanh", role: .operator, agencyCode: "IOC")
            let op = TestClient(app)
            try await op.login("dieuhanh")
            let seen = try await op.send(.GET, "/api/v1/public-services/dossiers/HS-TET")
            #expect(seen.status == .ok)
            #expect(((seen.json["history"] as? [[String: Any]])?.first?["statusName"] as? [String: String])?["vi"] == "Đã trả kết quả")
            let opStats = try await op.send(.GET, "/api/v1/public-services/stats?month=2026-02&groupBy=agency&agency=SO-TP")
            #expect(((opStats.json["rows"] as? [[String: Any]]) ?? []).map { $0["key"] as? String } == ["SO-TP"])
            #expect(opStats.json["lastDataAt"] as? String != nil)
        }
    }

    /// The SQL figures must equal the reference definition in IOCCore (`PublicServiceCounts(dossier:…)`) for every
    /// group and period, on a reproducible random mix of dossiers (supplements, withdrawals, excluded, late ones).
    @Test func sqlFiguresMatchTheReferenceDefinition() async throws {
        try await withApp { app in
            let (source, _) = try await Self.setUp(app)
            var rng = SplitMix64(seed: 766)
            let agencies = ["SO-TP", "SO-YT", "UBND-24133"]
            let start = ISO8601.parse("2026-01-05T08:00:00+07:00")!
            var batch: [[String: Any]] = []
            for i in 0..<600 {
                let received = start.addingTimeInterval(Double(rng.next() % (300 * 86_400)))
                let units = ["workingDays", "workingHours", "days"]
                let limit: [String: Any] = ["value": Int(rng.next() % 12), "unit": units[Int(rng.next() % 3)]]
                var d: [String: Any] = [
                    "code": "R-\(i)", "procedureCode": "P\(rng.next() % 5)", "procedureName": "Thủ tục \(i % 5)",
                    "agencyCode": agencies[Int(rng.next() % 3)], "channel": ["online", "direct", "postal"][Int(rng.next() % 3)],
                    "limit": limit, "receivedAt": ISO8601.format(received),
                ]
                if rng.next() % 2 == 0 { d["onlineLevel"] = rng.next() % 2 == 0 ? "full" : "partial" }
                if rng.next() % 3 == 0 { d["paidOnline"] = rng.next() % 2 == 0 }
                if rng.next() % 3 == 0 { d["eResult"] = rng.next() % 2 == 0; d["digitized"] = rng.next() % 2 == 0 }
                let roll = rng.next() % 10
                var history: [[String: Any]] = [["status": 2, "at": ISO8601.format(received)]]
                let endAt = received.addingTimeInterval(Double(rng.next() % (20 * 86_400)))
                var supplements: [[String: Any]] = []
                switch roll {
                case 0: d["status"] = 3
                case 1: d["status"] = 7; history.append(["status": 7, "at": ISO8601.format(endAt)])
                case 2:
                    d["status"] = 5
                    let req = received.addingTimeInterval(Double(rng.next() % (5 * 86_400)))
                    supplements.append(["requestedAt": ISO8601.format(req)])
                    history.append(["status": 5, "at": ISO8601.format(req)])
                case 3, 4: d["status"] = 4
                default:
                    d["status"] = [9, 10, 8][Int(rng.next() % 3)]
                    history.append(["status": d["status"]!, "at": ISO8601.format(endAt)])
                    if rng.next() % 4 == 0 {
                        let req = received.addingTimeInterval(3600)
                        supplements.append(["requestedAt": ISO8601.format(req), "completedAt": ISO8601.format(req.addingTimeInterval(86_400))])
                        if rng.next() % 3 == 0 { supplements.append(["requestedAt": ISO8601.format(req.addingTimeInterval(90_000)), "completedAt": ISO8601.format(req.addingTimeInterval(100_000))]) }
                    }
                }
                d["history"] = history
                if !supplements.isEmpty { d["supplements"] = supplements }
                if endAt > Date() { continue }
                batch.append(d)
            }
            let r = try await source.send(.POST, "/api/v1/public-services/dossiers", json: batch)
            #expect(r.json["rejected"] as? Int == 0, "\(r.text.prefix(500))")

            // The reference: re-assess every stored dossier in Swift.
            let rules = TimelinessRules(calendar: .vietnamCivilService)
            let stored = try await DossierModel.query(on: app.db).all()
            let admin = TestClient(app)
            try await admin.login("lanhdao")
            for month in [2, 5, 9, 10] {
                let bounds = ReportPeriod.calendarMonth(year: 2026, month: month).bounds()
                var reference: [String: PublicServiceCounts] = [:]
                for m in stored {
                    let facts = m.facts()
                    let a = rules.assess(facts)
                    let flags = DossierServiceFlags(
                        onlineLevel: m.onlineLevel.flatMap(OnlineLevel.init(rawValue:)), feeBearing: m.paidOnline != nil,
                        paidOnline: m.paidOnline == true, requiresResult: m.eResult != nil, eResult: m.eResult == true,
                        hasDigitizedComponents: m.digitized == true)
                    reference[m.agencyCode, default: .zero] += PublicServiceCounts(
                        dossier: a, channel: DossierChannel(rawValue: m.channel)!, flags: flags, period: bounds)
                }
                let res = try await admin.send(.GET, "/api/v1/public-services/stats?month=2026-\(String(format: "%02d", month))&groupBy=agency")
                #expect(res.status == .ok)
                let rows = try #require(res.json["rows"] as? [[String: Any]])
                for row in rows {
                    let key = try #require(row["key"] as? String)
                    let c = try #require(row["counts"] as? [String: Any])
                    let ref = reference[key] ?? .zero
                    let expected: [String: Int] = [
                        "carriedOver": ref.carriedOver, "receivedOnline": ref.receivedOnline, "receivedDirect": ref.receivedDirect,
                        "receivedPostal": ref.receivedPostal, "resolvedEarly": ref.resolvedEarly, "resolvedOnTime": ref.resolvedOnTime,
                        "resolvedLate": ref.resolvedLate, "inProgressWithin": ref.inProgressWithin, "inProgressOverdue": ref.inProgressOverdue,
                        "pausedWithin": ref.pausedWithin, "pausedOverdue": ref.pausedOverdue, "withdrawn": ref.withdrawn,
                    ]
                    for (name, value) in expected {
                        #expect(c[name] as? Int == value, "month \(month) agency \(key) \(name): SQL \(c[name] ?? "nil") vs reference \(value)")
                    }
                }
                #expect(rows.count == reference.filter { $0.value.toHandle > 0 }.count)
            }
            // Grouped by kind of agency (the rows of the official form), the totals are the same.
            let byKind = try await admin.send(.GET, "/api/v1/public-services/stats?month=2026-05&groupBy=agencyKind")
            let byAgency = try await admin.send(.GET, "/api/v1/public-services/stats?month=2026-05&groupBy=agency")
            #expect(byKind.status == .ok)
            #expect((byKind.json["total"] as? [String: Any])?["toHandle"] as? Int == (byAgency.json["total"] as? [String: Any])?["toHandle"] as? Int)
            #expect(((byKind.json["rows"] as? [[String: Any]]) ?? []).contains { $0["key"] as? String == "department" && $0["label"] as? String == "Sở, ban, ngành" })
            // Bad parameters.
            for q in ["month=2026-13", "month=26-1", "period=weekly&month=2026-01", "groupBy=district", "from=2026-01-01T00:00:00%2B07:00",
                      "from=2026-02-01T00:00:00%2B07:00&to=2026-01-01T00:00:00%2B07:00"] {
                let bad = try await admin.send(.GET, "/api/v1/public-services/stats?\(q)")
                #expect(bad.status == .unprocessableEntity, "\(q)")
            }
            // An officer sees only their agency's rows.
            let officer = TestClient(app)
            try await officer.login("canbo.yt")
            let mine = try await officer.send(.GET, "/api/v1/public-services/stats?month=2026-05&groupBy=agency")
            #expect(Set(((mine.json["rows"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }).isSubset(of: ["SO-YT"]))
            let card = try await admin.send(.GET, "/api/v1/public-services/scorecard?month=2026-05")
            #expect(card.status == .ok)
            let indicators = try #require(card.json["indicators"] as? [[String: Any]])
            let timeliness = try #require(indicators.first { $0["id"] as? String == "2.1" })
            #expect(timeliness["supported"] as? Bool == true)
            #expect((timeliness["maxScore"] as? Double) == 20)
            #expect(indicators.contains { $0["id"] as? String == "1.1" && $0["supported"] as? Bool == false && $0["score"] == nil })
            #expect((card.json["fullMaxScore"] as? Double) == 100)
            #expect(try await admin.send(.GET, "/api/v1/public-services/scorecard?agency=KHONG-CO").status == .unprocessableEntity)
            #expect(try await officer.send(.GET, "/api/v1/public-services/scorecard?agency=SO-TP").status == .forbidden)
            let overdue = try await admin.send(.GET, "/api/v1/public-services/overdue?limit=50")
            #expect(overdue.status == .ok)
            #expect(((overdue.json["overdue"] as? [[String: Any]]) ?? []).allSatisfy { ($0["timeliness"] as? String)?.hasSuffix("Overdue") == true })
        }
    }
}

/// A small deterministic generator for reproducible test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
