import Fluent
import Foundation
import IOCCore
import Vapor

/// Dossiers from a spreadsheet (CSV or XLSX) exported by a one-stop system, through the same validation and upsert
/// as the ingest API. The first row names the columns (the API's field names, or the Vietnamese headers below);
/// every other row is one dossier. Errors are reported per row (row 1 is the header).
enum DossierImport {
    struct RowError: Content {
        var row: Int
        var code: String?
        var field: String?
        var messages: LocalizedMessage
    }

    struct Report: Content {
        var rows: Int
        var accepted: Int
        var rejected: Int
        var created: Int
        var updated: Int
        var unchanged: Int
        var errors: [RowError]
    }

    enum Format { case csv, xlsx }

    /// Column aliases: API field names and the usual Vietnamese headers (compared without accents and case).
    static let aliases: [String: String] = [
        "code": "code", "ma ho so": "code", "so ho so": "code",
        "procedurecode": "procedureCode", "ma thu tuc": "procedureCode",
        "procedurename": "procedureName", "ten thu tuc": "procedureName",
        "agencycode": "agencyCode", "ma co quan": "agencyCode", "ma don vi": "agencyCode",
        "unitcode": "unitCode", "ma xa": "unitCode", "ma xa phuong": "unitCode",
        "channel": "channel", "kenh": "channel", "hinh thuc nop": "channel",
        "onlinelevel": "onlineLevel", "muc do": "onlineLevel",
        "limitvalue": "limitValue", "thoi han": "limitValue", "limitunit": "limitUnit", "don vi thoi han": "limitUnit",
        "receivedat": "receivedAt", "ngay tiep nhan": "receivedAt", "dueat": "dueAt", "ngay hen tra": "dueAt",
        "status": "status", "trang thai": "status", "history": "history", "lich su": "history",
        "supplements": "supplements", "bo sung": "supplements", "finishedat": "finishedAt", "ngay xu ly xong": "finishedAt",
        "returnedat": "returnedAt", "ngay tra ket qua": "returnedAt", "paidonline": "paidOnline", "thanh toan truc tuyen": "paidOnline",
        "digitized": "digitized", "so hoa": "digitized", "eresult": "eResult", "ket qua dien tu": "eResult",
        "apologyissued": "apologyIssued", "phieu xin loi": "apologyIssued",
    ]

    static func normalize(_ header: String) -> String {
        header.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "vi"))
            .replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "_", with: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func format(contentType: HTTPMediaType?, filename: String?) -> Format? {
        if let ct = contentType {
            if ct.subType == "csv" || (ct.type == "text" && ct.subType == "plain") { return .csv }
            if ct.subType.contains("spreadsheetml") { return .xlsx }
        }
        if let f = filename?.lowercased() {
            if f.hasSuffix(".csv") { return .csv }
            if f.hasSuffix(".xlsx") { return .xlsx }
        }
        return nil
    }

    /// Reads the file into rows; bad files are a 422 with the reason (and row) in both languages.
    static func rows(_ data: Data, format: Format) throws -> [[String]] {
        do {
            switch format {
            case .csv: return try CSVTable.parse(data)
            case .xlsx: return try XLSXReader.read(data)
            }
        } catch let e as TabularError {
            throw IOCError.invalid("file", vi: e.messageVietnamese, en: e.messageEnglish)
        }
    }

    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    /// An instant from a cell: ISO 8601 with offset; or a local time (ISO without offset as XLSX dates come,
    /// `dd/MM/yyyy HH:mm[:ss]` or `yyyy-MM-dd HH:mm[:ss]`) in Asia/Ho_Chi_Minh.
    static func instant(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let d = ISO8601.parse(t) { return d }
        if let d = XLSXReader.date(fromISOText: t.replacingOccurrences(of: " ", with: "T"), timeZone: zone) { return d }
        let parts = t.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == ":" || $0 == "-" || $0 == "T" }).compactMap { Int($0) }
        guard parts.count >= 3 else { return nil }
        var c = DateComponents()
        c.timeZone = zone
        if parts[0] > 31 { (c.year, c.month, c.day) = (parts[0], parts[1], parts[2]) } else { (c.day, c.month, c.year) = (parts[0], parts[1], parts[2]) }
        c.hour = parts.count > 3 ? parts[3] : 0
        c.minute = parts.count > 4 ? parts[4] : 0
        c.second = parts.count > 5 ? parts[5] : 0
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        guard let d = cal.date(from: c), cal.component(.day, from: d) == c.day else { return nil }
        return d
    }

    static func bool(_ text: String) -> Bool?? {
        switch normalize(text) {
        case "": return .some(nil)
        case "true", "1", "x", "co", "yes", "y": return .some(true)
        case "false", "0", "khong", "no", "n": return .some(false)
        default: return nil
        }
    }

    /// Turns one data row into an ingest item, or the first problem with it.
    static func input(_ row: [String], columns: [Int: String]) -> Result<DossierInput, ValidationFailure> {
        var d = DossierInput()
        var limitValue: Int?, limitUnit: String?
        for (i, field) in columns {
            let raw = i < row.count ? row[i].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            if raw.isEmpty { continue }
            func bad(_ vi: String, _ en: String) -> Result<DossierInput, ValidationFailure> { .failure(ValidationFailure(field: field, vi: vi, en: en)) }
            func time() -> Date?? { instant(raw).map { .some($0) } }
            switch field {
            case "code": d.code = raw
            case "procedureCode": d.procedureCode = raw
            case "procedureName": d.procedureName = raw
            case "agencyCode": d.agencyCode = raw
            case "unitCode": d.unitCode = raw
            case "channel":
                let map = ["online": "online", "truc tuyen": "online", "2": "online", "direct": "direct", "truc tiep": "direct", "1": "direct",
                           "postal": "postal", "buu chinh": "postal", "bccI": "postal", "bcci": "postal", "3": "postal"]
                d.channel = map[normalize(raw)] ?? raw
            case "onlineLevel":
                let map = ["full": "full", "toan trinh": "full", "partial": "partial", "mot phan": "partial"]
                d.onlineLevel = map[normalize(raw)] ?? raw
            case "limitValue":
                guard let v = Int(raw) else { return bad("Thời hạn phải là số nguyên.", "limitValue must be an integer.") }
                limitValue = v
            case "limitUnit":
                let map = ["workingdays": "workingDays", "ngay lam viec": "workingDays", "workinghours": "workingHours", "gio lam viec": "workingHours",
                           "days": "days", "ngay": "days"]
                limitUnit = map[normalize(raw)] ?? raw
            case "status":
                guard let v = Int(raw) else { return bad("Trạng thái phải là mã số 1–10.", "status must be a code 1–10.") }
                d.status = v
            case "receivedAt", "dueAt", "finishedAt", "returnedAt":
                guard let t = time() else {
                    return bad("Thời điểm không hợp lệ: dùng ISO 8601 hoặc dd/MM/yyyy HH:mm (giờ Việt Nam).", "Invalid time: use ISO 8601 or dd/MM/yyyy HH:mm (Vietnam time).")
                }
                switch field {
                case "receivedAt": d.receivedAt = t
                case "dueAt": d.dueAt = t
                case "finishedAt": d.finishedAt = t
                default: d.returnedAt = t
                }
            case "history":
                // "2@2026-11-02T09:00:00+07:00; 10@2026-11-04 16:00"
                var entries: [DossierInput.HistoryEntry] = []
                for part in raw.split(separator: ";") {
                    let pieces = part.split(separator: "@", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard pieces.count == 2, let s = Int(pieces[0]), let at = instant(pieces[1]) else {
                        return bad("Lịch sử phải có dạng trạng_thái@thời_điểm; …", "history must be status@time; …")
                    }
                    entries.append(.init(status: s, at: at))
                }
                d.history = entries
            case "supplements":
                // "2026-11-03 09:00>2026-11-05 10:00; 2026-11-10 09:00>"
                var entries: [DossierInput.Supplement] = []
                for part in raw.split(separator: ";") {
                    let pieces = part.split(separator: ">", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard let req = pieces.first.flatMap(instant) else {
                        return bad("Bổ sung phải có dạng yêu_cầu>hoàn_thành; …", "supplements must be requested>completed; …")
                    }
                    let done = pieces.count > 1 && !pieces[1].isEmpty ? instant(pieces[1]) : nil
                    if pieces.count > 1, !pieces[1].isEmpty, done == nil {
                        return bad("Thời điểm hoàn thành bổ sung không hợp lệ.", "Invalid supplement completion time.")
                    }
                    entries.append(.init(requestedAt: req, completedAt: done))
                }
                d.supplements = entries
            case "paidOnline", "digitized", "eResult", "apologyIssued":
                guard let b = bool(raw) else { return bad("Giá trị phải là có/không (true/false).", "Value must be true/false.") }
                switch field {
                case "paidOnline": d.paidOnline = b
                case "digitized": d.digitized = b
                case "eResult": d.eResult = b
                default: d.apologyIssued = b
                }
            default: break
            }
        }
        if limitValue != nil || limitUnit != nil { d.limit = .init(value: limitValue, unit: limitUnit) }
        return .success(d)
    }

    /// Imports a whole file; `progress` is called after each committed batch with (rows done, rows total).
    static func run(_ data: Data, format: Format, on app: Application, db: any Database, sourceID: UUID? = nil,
                    progress: (Int, Int) -> Void = { _, _ in }) async throws -> Report {
        let table = try rows(data, format: format)
        guard let header = table.first else {
            throw IOCError.invalid("file", vi: "Tệp không có dữ liệu.", en: "The file is empty.")
        }
        var columns: [Int: String] = [:]
        for (i, h) in header.enumerated() { if let f = aliases[normalize(h)] { columns[i] = f } }
        for required in ["code", "procedureCode", "procedureName", "agencyCode", "channel", "receivedAt", "status"] where !columns.values.contains(required) {
            throw IOCError.invalid("file", vi: "Thiếu cột bắt buộc \(required) ở dòng tiêu đề.", en: "The header row lacks the required column \(required).")
        }
        let dataRows = Array(table.dropFirst()).enumerated().filter { !$0.element.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        var report = Report(rows: dataRows.count, accepted: 0, rejected: 0, created: 0, updated: 0, unchanged: 0, errors: [])
        let ingest = DossierIngest(rules: try await app.calendarStore.rules(on: db), catalog: app.reference.units, now: app.clock.now)
        var done = 0
        for start in stride(from: 0, to: dataRows.count, by: DossierIngest.maxBatch) {
            let chunk = dataRows[start..<min(start + DossierIngest.maxBatch, dataRows.count)]
            var items: [LossyDossier] = []
            var rowNumbers: [Int] = []
            for (offset, row) in chunk {
                rowNumbers.append(offset + 2)
                switch input(row, columns: columns) {
                case .success(let d): items.append(LossyDossier(value: d, error: nil))
                case .failure(let e): items.append(LossyDossier(value: nil, error: e))
                }
            }
            let r = try await ingest.ingest(items, sourceID: sourceID, on: db)
            report.accepted += r.accepted
            report.rejected += r.rejected
            report.created += r.created
            report.updated += r.updated
            report.unchanged += r.unchanged
            for item in r.items where item.result == "rejected" && report.errors.count < 10_000 {
                report.errors.append(RowError(row: rowNumbers[item.index], code: item.code, field: item.field,
                                              messages: item.messages ?? LocalizedMessage(vi: "Dòng không hợp lệ.", en: "Invalid row.")))
            }
            done += chunk.count
            progress(done, dataRows.count)
        }
        return report
    }
}
