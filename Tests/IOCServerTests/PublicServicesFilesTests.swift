import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

@Suite("Public services: CSV/XLSX import, XLSX export, portal figures")
struct PublicServicesFilesTests {
    @Test func csvImportReportsEachBadRowAndStoresTheGoodOnes() async throws {
        try await withApp { app in
            _ = try await PublicServicesTests.setUp(app)
            let operatorClient = TestClient(app)
            try await makeUser(app, "dieuhanh", role: .operator)
            try await operatorClient.login("dieuhanh")
            // Vietnamese headers, `;` separator as Excel writes it in Vietnam, local times without offset.
            let csv = """
            Mã hồ sơ;Mã thủ tục;Tên thủ tục;Mã cơ quan;Kênh;Thời hạn;Đơn vị thời hạn;Ngày tiếp nhận;Trạng thái;Lịch sử;Bổ sung
            CSV-1;2.000488;Cấp Phiếu lý lịch tư pháp;SO-TP;trực tuyến;10;ngày làm việc;02/11/2026 09:00;4;2@02/11/2026 09:00;
            CSV-2;2.000488;Cấp Phiếu lý lịch tư pháp;SO-TP;trực tiếp;10;ngày làm việc;31/02/2026 09:00;4;;
            CSV-3;2.000488;Cấp Phiếu lý lịch tư pháp;SO-TP;1;10;ngày làm việc;2026-11-03 14:00;10;"2@2026-11-03 14:00; 10@2026-11-10 16:00";2026-11-04 08:00>2026-11-05 08:00
            CSV-4;2.000488;Cấp Phiếu lý lịch tư pháp;SO-KHONG-CO;1;10;ngày làm việc;2026-11-03 14:00;4;;
            """
            let r = try await operatorClient.send(.POST, "/api/v1/public-services/imports", raw: csv, contentType: "text/csv")
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["rows"] as? Int == 4)
            #expect(r.json["accepted"] as? Int == 2)
            let errors = try #require(r.json["errors"] as? [[String: Any]])
            #expect(errors.map { $0["row"] as? Int } == [3, 5])
            #expect(errors.map { $0["field"] as? String } == ["receivedAt", "agencyCode"])
            let csv3 = try #require(try await DossierModel.find("CSV-3", on: app.db))
            #expect(csv3.supplementCount == 1)
            #expect(csv3.finalTimeliness != nil)
            // Received 02/11/2026 09:00 local = 02:00 UTC.
            #expect(try await DossierModel.find("CSV-1", on: app.db)?.receivedAt == ISO8601.parse("2026-11-02T02:00:00Z"))
            // Not a spreadsheet: a clear 4xx and nothing stored.
            let png = "\u{89}PNG\r\n\u{1A}\n0000"
            let bad = try await operatorClient.send(.POST, "/api/v1/public-services/imports", raw: png,
                                                   contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.isProblem)
            let noHeader = try await operatorClient.send(.POST, "/api/v1/public-services/imports", raw: "a,b\n1,2", contentType: "text/csv")
            #expect(noHeader.status == .unprocessableEntity)
            #expect(try await operatorClient.send(.POST, "/api/v1/public-services/imports", raw: "x", contentType: "application/pdf").status == .unsupportedMediaType)
            #expect(try await DossierModel.query(on: app.db).count() == 2)
            // Leaders read but do not import.
            let leader = TestClient(app)
            try await leader.login("lanhdao")
            #expect(try await leader.send(.POST, "/api/v1/public-services/imports", raw: csv, contentType: "text/csv").status == .forbidden)
        }
    }

    @Test func xlsxImportAndTheExportedReportReadsBack() async throws {
        try await withApp { app in
            _ = try await PublicServicesTests.setUp(app)
            let admin = TestClient(app)
            try await admin.login("admin")
            var book = XLSXWriter()
            let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = zone
            let received = cal.date(from: DateComponents(year: 2026, month: 10, day: 5, hour: 9))!
            book.addSheet(named: "Hồ sơ", rows: [
                ["code", "procedureCode", "procedureName", "agencyCode", "channel", "limitValue", "limitUnit", "receivedAt", "status", "history"].map { .text($0) },
                [.text("X-1"), .text("2.000488"), .text("Cấp Phiếu lý lịch tư pháp – Đắk Lắk"), .text("SO-TP"), .text("online"), .integer(3),
                 .text("workingDays"), .date(received), .integer(10), .text("10@2026-10-07T10:00:00+07:00")],
                [.text("X-2"), .text("2.000488"), .text("Cấp Phiếu lý lịch tư pháp"), .text("SO-TP"), .text("direct"), .integer(3),
                 .text("workingDays"), .date(received), .integer(10), .text("10@2026-10-20T10:00:00+07:00")],
            ], columnWidths: nil, hasHeaderRow: true)
            let xlsx = try book.data()
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            headers.add(name: .cookie, value: admin.cookie!)
            headers.add(name: "X-CSRF-Token", value: admin.csrf!)
            let up = try await app.testing().sendRequest(.POST, "/api/v1/public-services/imports", headers: headers, body: ByteBuffer(data: xlsx))
            #expect(up.status == .ok)
            #expect(try await DossierModel.find("X-1", on: app.db)?.procedureName == "Cấp Phiếu lý lịch tư pháp – Đắk Lắk")
            #expect(try await DossierModel.find("X-1", on: app.db)?.finalTimeliness == "early")
            #expect(try await DossierModel.find("X-2", on: app.db)?.finalTimeliness == "late")

            let export = try await admin.send(.GET, "/api/v1/public-services/stats.xlsx?month=2026-10&groupBy=agency")
            #expect(export.status == .ok)
            #expect(export.headers.first(name: .contentType)?.contains("spreadsheetml") == true)
            #expect(export.headers.first(name: .contentDisposition)?.contains("bao-cao-tthc-2026-10-agency.xlsx") == true)
            let sheet = try XLSXReader.read(Data(buffer: export.body))
            let json = try await admin.send(.GET, "/api/v1/public-services/stats?month=2026-10&groupBy=agency")
            let total = try #require(json.json["total"] as? [String: Any])
            #expect(sheet.first?.first == "Nhóm / Group")
            let so = try #require(sheet.first { $0.first == "SO-TP" })
            #expect(so[6] == "2")  // received
            #expect(so[8] == "1" && so[10] == "1")  // early, late
            let totalRow = try #require(sheet.last)
            #expect(totalRow.first == "TỔNG / TOTAL")
            #expect(Int(totalRow[7]) == total["toHandle"] as? Int)
        }
    }

    @Test func portalFiguresArePublicAndPerAgency() async throws {
        try await withApp { app in
            let (source, _) = try await PublicServicesTests.setUp(app)
            let now = Date()
            try await source.send(.POST, "/api/v1/public-services/dossiers", json: [[
                "code": "P-1", "procedureCode": "x", "procedureName": "Thủ tục", "agencyCode": "SO-TP", "channel": "online",
                "limit": ["value": 1, "unit": "days"], "receivedAt": ISO8601.format(now.addingTimeInterval(-3600)), "status": 4,
            ]])
            let r = try await TestClient(app).send(.GET, "/api/v1/public-services/public-figures")
            #expect(r.status == .ok)
            let agencies = try #require(r.json["agencies"] as? [[String: Any]])
            #expect(agencies.first?["code"] as? String == "SO-TP")
            #expect(agencies.first?["received"] as? Int == 1)
            #expect(r.json["definitions"] != nil)
            let leader = TestClient(app)
            try await leader.login("lanhdao")
            let tile = try await leader.send(.GET, "/api/v1/public-services/summary")
            #expect(tile.status == .ok)
            #expect(tile.json["receivedThisMonth"] as? Int == 1 || tile.json["receivedThisMonth"] as? Int == 0)  // 0 right after midnight on the 1st
            #expect(tile.json["lastDataAt"] as? String != nil)
        }
    }
}
