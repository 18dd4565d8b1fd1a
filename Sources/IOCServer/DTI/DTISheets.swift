import Foundation
import IOCCore
import Vapor

/// DTI workbooks: results in the table form provinces publish, and a framework as a sheet that imports back.
enum DTISheets {
    typealias Cell = XLSXWriter.Cell

    /// STT | Cơ quan | one column per pillar and main index | Tổng điểm | Chỉ số (0–1) | Xếp hạng | Mức | Năm trước | Tăng/giảm.
    static func results(_ r: DTIResults) -> XLSXWriter {
        var header: [Cell] = [.text("STT / No."), .text("Mã / Code"), .text("Cơ quan, đơn vị / Agency")]
        for c in r.columns { header.append(.text("\(c.code). \(c.name) (\(DTIScoring.format(c.maxPoints)))")) }
        header += [.text("Tổng điểm / Points (\(DTIScoring.format(r.maxPoints)))"), .text("Chỉ số / Value (0–1)"), .text("Xếp hạng / Rank"),
                   .text("Mức / Level"), .text("Năm trước / Last year"), .text("Tăng, giảm / Change")]
        var rows: [[Cell]] = [header]
        for (i, row) in r.results.enumerated() {
            var line: [Cell] = [.integer(i + 1), .text(row.agency), .text(row.agencyName)]
            for c in r.columns { line.append(.number(row.byCriterion[c.code] ?? 0)) }
            line += [.number(row.points), .number(row.value), .integer(row.rank), .text(row.level ?? ""),
                     row.previousValue.map { .number($0) } ?? .empty, row.change.map { .number($0) } ?? .empty]
            rows.append(line)
        }
        var avg: [Cell] = [.empty, .empty, .text("Bình quân / Average")]
        for c in r.columns { avg.append(.number(r.averageByCriterion[c.code] ?? 0)) }
        avg += [.number(r.average.points), .number(r.average.value), .empty, .empty, .empty, .empty]
        rows.append(avg)
        var book = XLSXWriter()
        book.addSheet(named: "Xếp hạng DTI \(r.year)", rows: rows,
                      columnWidths: [6, 14, 48] + r.columns.map { _ in 14 } + [14, 12, 10, 14, 12, 12], hasHeaderRow: true)
        var notes: [[Cell]] = [
            [.text("Bộ chỉ số / Framework"), .text("\(r.framework) — \(r.name)")],
            [.text("Trạng thái / State"), .text(r.published ? "Đã công bố, phiên bản \(r.version) / Published, version \(r.version)" : "Tạm tính, chưa công bố / Provisional")],
            [.text("Chỉ số (0–1) / Value"), .text("Tổng điểm / điểm tối đa, làm tròn 4 chữ số thập phân; đồng điểm thì đồng hạng. / Points ÷ maximum, 4 decimals; equal points share a rank.")],
        ]
        if let at = r.publishedAt { notes.append([.text("Ngày công bố / Published"), .date(at)]) }
        for g in r.groups { notes.append([.text("Bình quân \(g.name.vi) / \(g.name.en) (\(g.count))"), .text("\(g.points) điểm; \(g.value)")]) }
        if !r.notSubmitted.isEmpty {
            notes.append([.text("Chưa nộp / Not submitted"), .text(r.notSubmitted.map(\.name).joined(separator: "; "))])
        }
        book.addSheet(named: "Ghi chú", rows: notes, columnWidths: [34, 100], hasHeaderRow: false)
        return book
    }

    static let treeHeader = ["Mã / Code", "Mã cha / Parent", "Tên / Name", "Tên tiếng Anh / English name", "Điểm tối đa / Max points",
                             "Cách chấm / Method", "Tham số / Parameters", "Minh chứng / Evidence", "Minh chứng (EN) / Evidence (EN)", "IOC đo / Measured by IOC"]

    /// Sheet 1 "Thông tin": key–value rows; sheet 2 "Chỉ số": one row per criterion, parents before children.
    static func framework(_ f: DTIFramework, model m: DTIFrameworkModel?) -> XLSXWriter {
        var info: [[Cell]] = [
            [.text("Trường / Field"), .text("Giá trị / Value")],
            [.text("code"), .text(f.code)], [.text("name"), .text(f.name)], [.text("nameEn"), .text(f.nameEn ?? "")],
            [.text("year"), .integer(f.year)], [.text("subject"), .text(f.subject.rawValue)], [.text("legalBasis"), .text(f.legalBasis ?? "")],
            [.text("levels"), .text(f.levels.map { "\($0.name)|\($0.nameEn ?? "")|\($0.min)" }.joined(separator: "; "))],
        ]
        if let m {
            info += [[.text("assessor"), .text(m.assessor)], [.text("periodFrom"), .text(m.periodFrom)], [.text("periodTo"), .text(m.periodTo)],
                     [.text("deadline"), .text(m.deadline ?? "")], [.text("previous"), .text(m.previous ?? "")],
                     [.text("participants"), .text(m.participants ?? "")]]
        }
        var rows: [[Cell]] = [treeHeader.map { .text($0) }]
        func walk(_ n: DTICriterion, parent: String?) {
            var params = ""
            switch n.method {
            case .ratio(let t)?: params = "target=\(DTIScoring.format(t))"
            case .tiers(let tiers)?: params = tiers.map { "\(DTIScoring.format($0.min)):\(DTIScoring.format($0.points))" }.joined(separator: "; ")
            case .count(let p)?: params = "pointsEach=\(DTIScoring.format(p))"
            default: break
            }
            rows.append([.text(n.code), .text(parent ?? ""), .text(n.name), .text(n.nameEn ?? ""),
                         n.maxPoints.map { .number($0) } ?? .empty, .text(n.method?.kind ?? ""), .text(params),
                         .text(n.evidence ?? ""), .text(n.evidenceEn ?? ""), .text(n.measure ?? "")])
            n.children?.forEach { walk($0, parent: n.code) }
        }
        f.criteria.forEach { walk($0, parent: nil) }
        var book = XLSXWriter()
        book.addSheet(named: "Thông tin", rows: info, columnWidths: [18, 90], hasHeaderRow: true)
        book.addSheet(named: "Chỉ số", rows: rows, columnWidths: [10, 10, 60, 50, 12, 12, 30, 50, 40, 28], hasHeaderRow: true)
        return book
    }

    static func fail(_ vi: String, _ en: String) -> IOCError { IOCError.invalid("file", vi: "Tệp bộ chỉ số: \(vi)", en: "Framework workbook: \(en)") }

    /// Reads a workbook in `framework(_:)`'s shape.
    static func read(_ data: Data) throws -> DTIController.FrameworkInput {
        let info: [[String]], tree: [[String]]
        do {
            info = try XLSXReader.read(data, sheet: 0)
            tree = try XLSXReader.read(data, sheet: 1)
        } catch {
            throw IOCError(.unprocessableEntity, code: "validation", vi: "Không đọc được tệp XLSX (cần 2 trang: Thông tin và Chỉ số).",
                           en: "The XLSX file cannot be read (two sheets are needed: Thông tin and Chỉ số).", field: "file")
        }
        var kv: [String: String] = [:]
        for r in info.dropFirst() where r.count >= 2 { kv[r[0].trimmingCharacters(in: .whitespaces)] = r[1].trimmingCharacters(in: .whitespaces) }
        func opt(_ k: String) -> String? { kv[k].flatMap { $0.isEmpty ? nil : $0 } }
        guard let code = opt("code"), let name = opt("name"), let yearText = opt("year"), let year = Int(yearText),
              let subject = opt("subject").flatMap(DTISubject.init(rawValue:)) else {
            throw fail("trang Thông tin cần code, name, year và subject (department, commune hoặc province).",
                       "the Thông tin sheet needs code, name, year and subject (department, commune or province).")
        }
        var levels: [DTILevel] = []
        for part in (opt("levels") ?? "").split(separator: ";") {
            let f = part.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 3, let min = Double(f[2]) else {
                throw fail("levels có dạng 'Tên|Tên tiếng Anh|ngưỡng; …'.", "levels are 'Name|English name|min; …'.")
            }
            levels.append(DTILevel(name: f[0], nameEn: f[1].isEmpty ? nil : f[1], min: min))
        }
        struct Line { var row: Int; var parent: String?; var node: DTICriterion }
        var lines: [Line] = []
        for (i, r) in tree.enumerated().dropFirst() {
            func cell(_ j: Int) -> String { j < r.count ? r[j].trimmingCharacters(in: .whitespacesAndNewlines) : "" }
            if cell(0).isEmpty && cell(2).isEmpty { continue }
            let rowNo = i + 1
            var method: DTIMethod?
            let params = cell(6)
            func number(_ s: String) throws -> Double {
                guard let v = Double(s.replacingOccurrences(of: ",", with: ".")) else {
                    throw fail("dòng \(rowNo): tham số '\(params)' không hợp lệ.", "row \(rowNo): parameters '\(params)' are not valid.")
                }
                return v
            }
            func param(_ key: String) throws -> Double {
                try number(params.replacingOccurrences(of: "\(key)=", with: ""))
            }
            switch cell(5) {
            case "": method = nil
            case "yesno": method = .yesno
            case "judgement": method = .judgement
            case "ratio": method = .ratio(target: try param("target"))
            case "count": method = .count(pointsEach: try param("pointsEach"))
            case "tiers":
                method = .tiers(try params.split(separator: ";").map { t in
                    let p = t.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                    guard p.count == 2 else { throw fail("dòng \(rowNo): bậc có dạng 'ngưỡng:điểm; …'.", "row \(rowNo): tiers are 'min:points; …'.") }
                    return DTIMethod.Tier(min: try number(p[0]), points: try number(p[1]))
                })
            case let other:
                throw fail("dòng \(rowNo): cách chấm '\(other)' không có (yesno, ratio, tiers, count, judgement).",
                           "row \(rowNo): unknown method '\(other)' (yesno, ratio, tiers, count, judgement).")
            }
            let max = cell(4).isEmpty ? nil : try number(cell(4))
            func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
            lines.append(Line(row: rowNo, parent: nonEmpty(cell(1)), node: DTICriterion(
                code: cell(0), name: cell(2), nameEn: nonEmpty(cell(3)), maxPoints: max, method: method,
                evidence: nonEmpty(cell(7)), evidenceEn: nonEmpty(cell(8)), measure: nonEmpty(cell(9)))))
        }
        // Build the tree: a row with children gets them in sheet order.
        let childrenOf = Dictionary(grouping: lines.filter { $0.parent != nil }, by: { $0.parent! })
        let known = Set(lines.map(\.node.code))
        if let orphan = lines.first(where: { $0.parent.map { !known.contains($0) } ?? false }) {
            throw fail("dòng \(orphan.row): không có chỉ số cha \(orphan.parent!).", "row \(orphan.row): no parent criterion \(orphan.parent!).")
        }
        func build(_ l: Line, depth: Int) throws -> DTICriterion {
            guard depth <= 8 else { throw fail("dòng \(l.row): cây chỉ số có vòng lặp.", "row \(l.row): the tree has a cycle.") }
            var n = l.node
            if let kids = childrenOf[n.code] { n.children = try kids.map { try build($0, depth: depth + 1) } }
            return n
        }
        let criteria = try lines.filter { $0.parent == nil }.map { try build($0, depth: 1) }
        return DTIController.FrameworkInput(
            code: code, name: name, nameEn: opt("nameEn"), year: year, subject: subject, legalBasis: opt("legalBasis"), levels: levels,
            criteria: criteria, assessor: opt("assessor"), periodFrom: opt("periodFrom"), periodTo: opt("periodTo"),
            deadline: opt("deadline"), previous: opt("previous"),
            participants: opt("participants").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    }
}
