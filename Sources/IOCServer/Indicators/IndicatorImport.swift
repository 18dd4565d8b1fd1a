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
    static func template(_ due: IndicatorViews.DueDTO, province: String) throws -> Data {
        var rows: [[XLSXWriter.Cell]] = [header.map { .text($0) }]
        for i in due.items {
            rows.append([.text(i.indicator.code), .text(i.indicator.name), .text(i.indicator.unit), .text(i.period), .text(province),
                         i.entry.map { .number($0.value) } ?? .empty, .text(i.entry?.status ?? "estimate"), .empty,
                         i.last.map { .number($0.value) } ?? .empty, i.samePeriodLastYear.map { .number($0.value) } ?? .empty])
        }
        var book = XLSXWriter()
        book.addSheet(named: "Nhập số liệu", rows: rows, columnWidths: [22, 60, 14, 12, 12, 16, 18, 30, 16, 18], hasHeaderRow: true)
        book.addSheet(named: "Hướng dẫn", rows: [
            [.text("Điền cột Giá trị (một số, dấu chấm thập phân) và Trạng thái; giữ nguyên Mã chỉ tiêu, Kỳ, Mã ĐVHC; thêm dòng cho các xã, phường nếu chỉ tiêu có số liệu cấp xã.")],
            [.text("Fill in Value (a number) and Status; keep Code, Period and Unit code; add rows for communes where the indicator has commune values.")],
            [.text("Tải lên tại mục Chỉ tiêu KT-XH › Nhập số liệu; lỗi được báo theo từng dòng, không dòng nào được lưu khi còn lỗi.")],
        ], columnWidths: [140], hasHeaderRow: false)
        do { return try book.data() } catch {
            throw IOCError(.internalServerError, code: "internal", vi: "Không tạo được tệp XLSX.", en: "Could not build the XLSX file.")
        }
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
            let value = Double(valueText)
            out.append((i + 1, IndicatorValueService.Input(indicator: cell(0), period: cell(3), unit: cell(4), value: value,
                                                            valueIsNumber: value != nil, status: cell(6), note: cell(7))))
        }
        guard !out.isEmpty else {
            throw IOCError.invalid("", vi: "Tệp chưa có giá trị nào ở cột Giá trị.", en: "The file has no value in the Value column.")
        }
        return out
    }
}
