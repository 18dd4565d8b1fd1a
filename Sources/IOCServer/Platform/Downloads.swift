import Foundation
import IOCCore
import Vapor

/// File answers every service gives the same way: a workbook or a CSV as an attachment, and a 422 problem document
/// that lists the faulty items of a batch.
enum Downloads {
    static let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    static func xlsx(_ book: XLSXWriter, filename: String) throws -> Response {
        let data: Data
        do { data = try book.data() } catch {
            throw IOCError(.internalServerError, code: "internal", vi: "Không tạo được tệp XLSX.", en: "Could not build the XLSX file.")
        }
        return attachment(data, type: xlsxType, filename: filename)
    }

    /// CSV (UTF-8 with BOM, CRLF, quoted where needed: `CSVTable.write`).
    static func csv(_ rows: [[String]], filename: String) -> Response {
        attachment(CSVTable.write(rows), type: "text/csv; charset=utf-8", filename: filename)
    }

    static func attachment(_ data: Data, type: String, filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}

extension ProblemMiddleware {
    /// A 422 problem document for `error` with the batch's per-item results under `items`: nothing was stored.
    static func rejectedBatch<Items: Encodable>(_ error: IOCError, items: Items, request: Request) throws -> Response {
        var e = error
        e.code = "validation"
        var body = try JSONSerialization.jsonObject(with: JSONEncoder.ioc.encode(problem(for: e, request: request))) as? [String: Any] ?? [:]
        body["items"] = try JSONSerialization.jsonObject(with: JSONEncoder.ioc.encode(items))
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/problem+json; charset=utf-8")
        return Response(status: .unprocessableEntity, headers: headers, body: .init(data: try JSONSerialization.data(withJSONObject: body)))
    }
}
