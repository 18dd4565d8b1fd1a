import Foundation
import IOCCore
import Vapor

/// The agency's spreadsheet: a template of what is due (download, fill, upload), read back with an error per row.
enum IndicatorImport {
    static let header = ["Mã chỉ tiêu / Code", "Tên chỉ tiêu / Indicator", "ĐVT / Unit", "Kỳ / Period", "Mã ĐVHC / Unit code",
                         "Giá trị / Value", "Trạng thái / Status (estimate, preliminary, official)", "Ghi chú / Note",
                         "Kỳ trước / Last period", "Cùng kỳ năm trước / Same period last year"]
    static let maxRows = 5_000

    /// The template: one row per due indicator × period (province level), with the last figures beside it.
    static func template(_ due: IndicatorViews.DueDTO, province: String) -> XLSXWriter {
        var rows: [[XLSXWriter.Cell]] = [header.map { .text($0) }]
        for i in due.items {
            rows.append([.text(i.indicator.code), .text(i.indicator.name), .text(i.indicator.unit), .text(i.period), .text(province),
                         // A value waiting for approval is not offered again (uploading it would start a second entry).
                         i.entry.flatMap { $0.state == "submitted" ? nil : XLSXWriter.Cell.number($0.value) } ?? .empty,
                         .text(i.entry?.status ?? "preliminary"), .empty,
                         i.last.map { .number($0.value) } ?? .empty, i.samePeriodLastYear.map { .number($0.value) } ?? .empty])
        }
        var book = XLSXWriter()
        book.addSheet(named: "Nhập số liệu", rows: rows, columnWidths: [22, 60, 14, 12, 12, 16, 18, 30, 16, 18], hasHeaderRow: true)
        book.addSheet(named: "Hướng dẫn", rows: [
            [.text("Điền cột Giá trị (một số, dấu chấm thập phân) và Trạng thái; giữ nguyên Mã chỉ tiêu, Kỳ, Mã ĐVHC; thêm dòng cho các xã, phường nếu chỉ tiêu có số liệu cấp xã.")],
            [.text("Fill in Value (a number) and Status; keep Code, Period and Unit code; add rows for communes where the indicator has commune values.")],
            [.text("Tải lên tại mục Chỉ tiêu KT-XH › Nhập số liệu; lỗi được báo theo từng dòng, không dòng nào được lưu khi còn lỗi.")],
        ], columnWidths: [140], hasHeaderRow: false)
        return book
    }

    /// A number as typed: `27.5`, or the Vietnamese `27,5` and `1.234,5`.
    static func number(_ text: String) -> Double? {
        if let v = Double(text) { return v }
        let t = text.replacingOccurrences(of: " ", with: "")
        guard t.contains(",") else { return nil }
        let normal = t.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        return normal.filter { $0 == "." }.count <= 1 ? Double(normal) : nil
    }

    /// Reads the first sheet: the rows whose Value cell is filled (the rest of the template is what is not in yet),
    /// each with its row number in the sheet. The value must be a number cell (or a plain number as text).
    static func parse(_ data: Data) throws -> [(row: Int, input: IndicatorValueService.Input)] {
        let table: [[String]]
        do { table = try XLSXReader.read(data) } catch {
            throw IOCError(.unprocessableEntity, code: "validation", vi: "Tệp không phải là bảng tính XLSX đọc được.", en: "The file is not a readable XLSX workbook.")
        }
        guard let first = table.first, first.first?.hasPrefix("Mã chỉ tiêu") == true || first.first?.lowercased().hasPrefix("code") == true else {
            throw IOCError(.unprocessableEntity, code: "validation", vi: "Dòng đầu phải là tiêu đề của mẫu (Mã chỉ tiêu…); hãy tải mẫu mới.",
                           en: "The first row must be the template's header (Code…); download a fresh template.")
        }
        guard table.count - 1 <= maxRows else {
            throw IOCError.invalid("", vi: "Tối đa \(maxRows) dòng mỗi tệp.", en: "At most \(maxRows) rows per file.")
        }
        var out: [(row: Int, input: IndicatorValueService.Input)] = []
        for (i, row) in table.enumerated().dropFirst() {
            func cell(_ i: Int) -> String? { i < row.count ? row[i].trimmingCharacters(in: .whitespaces).nilIfEmpty : nil }
            guard let valueText = cell(5) else { continue }
            let value = number(valueText)
            out.append((i + 1, IndicatorValueService.Input(indicator: cell(0), period: cell(3), unit: cell(4), value: value,
                                                            valueIsNumber: value != nil, status: cell(6), note: cell(7))))
        }
        guard !out.isEmpty else {
            throw IOCError.invalid("", vi: "Tệp chưa có giá trị nào ở cột Giá trị.", en: "The file has no value in the Value column.")
        }
        return out
    }
}

/// The catalogue as a workbook: one sheet of groups, one of indicators, columns named like the JSON fields.
enum IndicatorCatalogSheet {
    static let groupColumns = ["code", "name", "nameEn", "parent", "order"]
    static let columns = ["code", "name", "nameEn", "group", "unit", "unitEn", "period", "cumulative", "aggregation", "weight", "direction",
                          "ownerAgency", "deadline", "legalBasis", "formula", "headline", "communes", "requiresApproval", "active"]

    static func export(_ c: IndicatorCatalogSnapshot) -> XLSXWriter {
        func t(_ s: String?) -> XLSXWriter.Cell { s.map { .text($0) } ?? .empty }
        func b(_ v: Bool) -> XLSXWriter.Cell { .text(v ? "true" : "false") }
        var book = XLSXWriter()
        book.addSheet(named: "Chỉ tiêu", rows: [columns.map { .text($0) }] + c.indicators.values.sorted { $0.dto.code < $1.dto.code }.map { e in
            let d = e.dto
            return [t(d.code), t(d.name), t(d.nameEn), t(d.group), t(d.unit), t(d.unitEn), t(d.period), b(d.cumulative), t(d.aggregation),
                    t(d.weight), t(d.direction), t(d.ownerAgency), t(d.deadline), t(d.legalBasis), t(d.formula),
                    d.headline.map { .integer($0) } ?? .empty, b(d.communes), b(d.requiresApproval), b(d.active)]
        }, columnWidths: [22, 60, 50, 10, 14, 14, 9, 9, 12, 10, 9, 14, 12, 50, 30, 9, 9, 9, 9])
        book.addSheet(named: "Nhóm", rows: [groupColumns.map { .text($0) }] + c.groups.map {
            [t($0.code), t($0.name), t($0.nameEn), t($0.parent), .integer($0.order)]
        }, columnWidths: [12, 40, 40, 12, 8])
        return book
    }

    /// Reads a workbook in the export's shape into a batch (validated as JSON entries are).
    /// The batch, with the sheet row number of each indicator and each group (for error messages).
    struct Read { var batch: IndicatorCatalogService.Batch; var indicatorRows: [Int]; var groupRows: [Int] }

    static func read(_ data: Data) throws -> Read {
        let sheets: [[[String]]]
        do {
            let names = try XLSXReader.sheetNames(data)
            sheets = try names.indices.map { try XLSXReader.read(data, sheet: $0) }
        } catch {
            throw IOCError(.unprocessableEntity, code: "validation", vi: "Tệp không phải là bảng tính XLSX đọc được.", en: "The file is not a readable XLSX workbook.")
        }
        func objects(_ table: [[String]], _ expected: [String]) -> [(row: Int, o: [String: String])]? {
            guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces) }), header.first == "code",
                  Set(expected.prefix(2)).isSubset(of: header) else { return nil }
            return table.enumerated().dropFirst().map { n, row in
                var o: [String: String] = [:]
                for (i, key) in header.enumerated() where i < row.count {
                    let v = row[i].trimmingCharacters(in: .whitespaces)
                    if !v.isEmpty { o[key] = v }
                }
                return (n + 1, o)
            }.filter { !$0.o.isEmpty }
        }
        var batch = try JSONDecoder().decode(IndicatorCatalogService.Batch.self, from: Data("[]".utf8))
        var found = false
        var indicatorRows: [Int] = []
        var groupRows: [Int] = []
        for table in sheets {
            if let numbered = objects(table, columns), table.first?.contains("ownerAgency") == true {
                found = true
                indicatorRows = numbered.map(\.row)
                batch.indicators = numbered.map(\.o).map { o in
                    func bool(_ k: String) -> Bool? { o[k].map { ["true", "1", "có", "x"].contains($0.lowercased()) } }
                    var e = try! JSONDecoder().decode(IndicatorCatalogService.Input.self, from: Data("{}".utf8))
                    e.code = o["code"]; e.name = o["name"]; e.nameEn = o["nameEn"]; e.group = o["group"]; e.unit = o["unit"]; e.unitEn = o["unitEn"]
                    e.period = o["period"]; e.cumulative = bool("cumulative"); e.aggregation = o["aggregation"]; e.weight = o["weight"]
                    e.direction = o["direction"]; e.ownerAgency = o["ownerAgency"]; e.deadline = o["deadline"]; e.legalBasis = o["legalBasis"]
                    e.formula = o["formula"]; e.headline = o["headline"].flatMap { Int(Double($0) ?? -1) }; e.communes = bool("communes")
                    e.requiresApproval = bool("requiresApproval"); e.active = bool("active")
                    return e
                }
            } else if let numbered = objects(table, groupColumns) {
                groupRows = numbered.map(\.row)
                batch.groups = numbered.map(\.o).map { .init(code: $0["code"], name: $0["name"], nameEn: $0["nameEn"], parent: $0["parent"],
                                                order: $0["order"].flatMap { Double($0) }.map { Int($0) }) }
            }
        }
        guard found else {
            throw IOCError(.unprocessableEntity, code: "validation", vi: "Không thấy trang chỉ tiêu (dòng tiêu đề code, name, …, ownerAgency).",
                           en: "No indicator sheet found (header row code, name, …, ownerAgency).")
        }
        return Read(batch: batch, indicatorRows: indicatorRows, groupRows: groupRows)
    }
}
