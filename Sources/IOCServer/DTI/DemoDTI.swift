import Fluent
import Foundation
import IOCCore
import Vapor

/// The demo's DTI (demo-province.md): the 2025 cycle of Đắk Lắk's departments and of a sample of communes, reviewed and
/// published in June 2026 (the province announces in Q2 of the following year), and the 2026 cycle in progress —
/// drafts, submissions, reviews and one answer; Sở Xây dựng and phường Buôn Ma Thuột still drafting, for their officers.
enum DemoDTI {
    static let reviewer = "Vũ Thu Hà (Sở KH&CN, thẩm định DTI)"
    /// Communes and wards in the sample (Buôn Ma Thuột's wards, Tuy Hòa, and rural communes of both former provinces).
    static let communeSample = 16
    /// How strong each department is (0–1); the rest get a seeded value. Agriculture leads, as in Đắk Lắk's 2022 DTI.
    static let strength: [String: Double] = ["SO-NNMT": 0.86, "SO-KHCN": 0.84, "SO-TC": 0.8, "VP-UBND": 0.78, "SO-XD": 0.64, "SO-DTTG": 0.52]

    static func load(_ context: DemoContext) async throws {
        let app = context.app
        guard try await DTIFrameworkModel.query(on: app.db).count() == 0 else {
            context.print("Chỉ số chuyển đổi số minh họa đã có / Demo DTI already loaded.")
            return
        }
        let req = Request(application: app, method: .GET, url: URI(path: "/api/v1/dti"), on: app.eventLoopGroup.any())
        let d = try await app.agencyDirectory.snapshot(on: app.db)
        let departments = d.agencyByCode.values.filter { $0.active && $0.kind == "department" }.map(\.code).sorted()
        var communes = d.agencyByCode.values.filter { $0.active && $0.kind == "communeCommittee" }.map(\.code).sorted()
        // Every third commune up to the sample size, Buôn Ma Thuột's ward always in.
        communes = Array(communes.enumerated().filter { $0.offset % 3 == 0 }.map(\.element).prefix(communeSample - 1))
        if !communes.contains("UBND-24133"), d.agencyByCode["UBND-24133"] != nil { communes.insert("UBND-24133", at: 0) }
        let cal = WorkingCalendar.vietnamCivilService
        func at(_ y: Int, _ m: Int, _ day: Int, _ h: Int = 9) -> Date { cal.instant(on: CivilDate(year: y, month: m, day: day), at: .init(hour: h)) }
        var rng = DemoRandom(seed: 2025)
        let now = app.clock.now

        for (file, participants, code26) in [("daklak-department-2025.json", nil as [String]?, "DTI-SO-2026"), ("daklak-commune-2025.json", communes, "DTI-XA-2026")] {
            let f25 = try framework(app, file)
            let agencies = participants ?? departments
            // 2025: every agency submitted; reviewed; published 18 June 2026.
            let m25 = model(f25, participants: participants, deadline: "2026-02-28", previous: nil, createdAt: at(2026, 1, 5))
            var rows: [DTIAssessmentModel] = []
            for (i, a) in agencies.enumerated() {
                let s = strength[a] ?? (0.55 + 0.3 * rng.unit())
                let r = assessment(f25, framework: m25.id!, agency: a, strength: s, year: 2025, rng: &rng, updatedAt: at(2026, 2, 10 + i % 15))
                r.status = DTIService.Status.reviewed.rawValue
                r.submittedAt = at(2026, 2, 10 + i % 15, 16)
                r.submittedBy = "Cán bộ đầu mối CĐS (\(a))"
                var o: [String: DTIOverride] = [:]
                // The measured sub-indices of 2025: from the province's systems before IOC measured them itself.
                for leaf in f25.leaves where leaf.measure != nil {
                    let max = leaf.maxPoints ?? 0
                    o[leaf.code] = DTIOverride(points: DTIScoring.round(max * clamp(s + (rng.unit() - 0.5) * 0.2), places: 2),
                                               reason: "Số liệu năm 2025 từ Hệ thống thông tin giải quyết TTHC và Hệ thống phản ánh hiện trường của tỉnh (trước khi IOC đo tự động).",
                                               by: reviewer, at: at(2026, 4, 20))
                }
                // One or two judgements lowered with a reason.
                for leaf in f25.leaves.filter({ $0.method == .judgement }).prefix(1 + i % 2) {
                    let values = DTIService.decode([String: Double].self, r.values) ?? [:]
                    let proposed = values[leaf.code] ?? 0
                    o[leaf.code] = DTIOverride(points: DTIScoring.round(max(0, proposed - (leaf.maxPoints ?? 0) * 0.2), places: 2),
                                               reason: reasons[(i + leaf.code.count) % reasons.count], by: reviewer, at: at(2026, 4, 22))
                }
                r.overrides = DTIService.encode(o)
                if i % 5 == 2 {
                    r.status = DTIService.Status.answered.rawValue
                    r.answer = "Cơ quan đã bổ sung quyết định ban hành và ảnh chụp hệ thống đang vận hành; đề nghị xem xét lại điểm đánh giá."
                    r.answeredAt = at(2026, 5, 6)
                }
                rows.append(r)
            }
            try await store(app, m25, rows, action: "dti.demo.2025")
            // Publish: the results as the service computes them, frozen as version 1.
            var results = try await DTIService.results(req, m25, f25)
            results.published = true
            results.version = 1
            results.publishedAt = at(2026, 6, 18, 10)
            let stored = DTIResultsModel()
            stored.framework = m25.id!
            stored.version = 1
            stored.body = DTIService.encode(results)
            stored.publishedAt = at(2026, 6, 18, 10)
            stored.publishedBy = reviewer
            m25.status = "published"
            m25.resultsVersion = 1
            m25.publishedAt = at(2026, 6, 18, 10)
            try await stored.create(on: app.db)
            try await m25.save(on: app.db)
            // A public evidence file of the leading department.
            if let lead = results.results.first, let leaf = f25.leaves.first(where: { $0.evidence != nil && $0.measure == nil }) {
                try await evidence(app, framework: m25.id!, agency: lead.agency, criterion: leaf.code, title: "DTI 2025 - \(lead.agency) - \(leaf.code)",
                                   isPublic: true, at: at(2026, 2, 12))
            }

            // 2026: a copy of the tree, the cycle in progress.
            var f26 = f25
            f26.code = code26
            f26.year = 2026
            f26.name = f25.name.replacingOccurrences(of: "2025", with: "2026")
            f26.nameEn = f25.nameEn?.replacingOccurrences(of: "2025", with: "2026")
            let m26 = model(f26, participants: participants, deadline: "2027-01-15", previous: m25.id, createdAt: at(2026, 11, 2))
            var rows26: [DTIAssessmentModel] = []
            let drafter = participants == nil ? "SO-XD" : "UBND-24133"
            for (i, a) in agencies.enumerated() {
                let state = a == drafter ? 1 : i % 6 // 0 nothing yet, 1 draft, 2–3 submitted, 4 reviewed, 5 answered
                if state == 0 { continue }
                let s = min(0.95, (strength[a] ?? (0.55 + 0.3 * rng.unit())) + 0.04)
                let r = assessment(f26, framework: m26.id!, agency: a, strength: s, year: 2026, rng: &rng,
                                   updatedAt: now.addingTimeInterval(-Double(1 + i % 9) * 86_400), partial: state == 1)
                if state >= 2 {
                    r.status = DTIService.Status.submitted.rawValue
                    r.submittedAt = now.addingTimeInterval(-Double(2 + i % 7) * 86_400)
                    r.submittedBy = "Cán bộ đầu mối CĐS (\(a))"
                }
                if state >= 4, let leaf = f26.leaves.first(where: { $0.method == .judgement }) {
                    let proposed = (DTIService.decode([String: Double].self, r.values) ?? [:])[leaf.code] ?? 0
                    r.overrides = DTIService.encode([leaf.code: DTIOverride(points: DTIScoring.round(max(0, proposed - (leaf.maxPoints ?? 0) * 0.25), places: 2),
                                                                            reason: reasons[i % reasons.count], by: reviewer, at: now.addingTimeInterval(-86_400))])
                    r.status = DTIService.Status.reviewed.rawValue
                }
                if state == 5 {
                    r.status = DTIService.Status.answered.rawValue
                    r.answer = "Đơn vị đã cập nhật minh chứng (kế hoạch số hóa hồ sơ lưu trữ năm 2026) tại đường dẫn đính kèm."
                    r.answeredAt = now.addingTimeInterval(-3_600 * 5)
                }
                rows26.append(r)
            }
            try await store(app, m26, rows26, action: "dti.demo.2026")
            if let leaf = f26.leaves.first(where: { $0.evidence != nil && $0.measure == nil }) {
                try await evidence(app, framework: m26.id!, agency: drafter, criterion: leaf.code, title: "DTI 2026 - \(drafter) - \(leaf.code)",
                                   isPublic: false, at: now.addingTimeInterval(-2 * 86_400))
            }
            context.print("DTI: \(m25.id!) công bố \(results.results.count) cơ quan (bình quân \(results.average.value)); \(m26.id!) đang đánh giá / in progress.")
        }
    }

    static let reasons = [
        "Minh chứng chưa thể hiện đủ số nền tảng đang vận hành trong kỳ.",
        "Văn bản được ban hành sau kỳ đánh giá, không tính điểm năm nay.",
        "Tỷ lệ chưa tính trên tổng số theo hướng dẫn của Sở KH&CN.",
        "Chưa có báo cáo kết quả triển khai kèm theo kế hoạch.",
    ]

    static func clamp(_ x: Double) -> Double { min(max(x, 0), 1) }

    static func framework(_ app: Application, _ file: String) throws -> DTIFramework {
        let path = (app.iocConfiguration.resourcesDirectory as NSString).appendingPathComponent("dti/\(file)")
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("DTI framework missing: \(path)") }
        let f = try JSONDecoder().decode(DTIFramework.self, from: data)
        let problems = f.problems(measures: DTIService.knownMeasures(app))
        guard problems.isEmpty else { throw CommandFailure("DTI framework \(file) invalid: \(problems.prefix(3).map { "\($0.field): \($0.message.en)" })") }
        return f
    }

    static func model(_ f: DTIFramework, participants: [String]?, deadline: String, previous: String?, createdAt: Date) -> DTIFrameworkModel {
        let m = DTIFrameworkModel()
        m.id = f.code
        m.name = f.name
        m.year = f.year
        m.subject = f.subject.rawValue
        m.definition = DTIService.encode(f)
        m.assessor = DTIService.defaultAssessor
        m.periodFrom = String(format: "%04d-01-01", f.year)
        m.periodTo = String(format: "%04d-12-31", f.year)
        m.deadline = deadline
        m.previous = previous
        m.participants = participants?.sorted().joined(separator: ",")
        m.status = "open"
        m.resultsVersion = 0
        m.createdAt = createdAt
        m.createdBy = "demo"
        return m
    }

    /// A self-assessment an agency of strength `s` would enter (a partial draft fills about half).
    static func assessment(_ f: DTIFramework, framework: String, agency: String, strength s: Double, year: Int, rng: inout DemoRandom,
                           updatedAt: Date, partial: Bool = false) -> DTIAssessmentModel {
        var values: [String: Double] = [:]
        var links: [String: [String]] = [:]
        for leaf in f.leaves where leaf.measure == nil {
            if partial && rng.unit() < 0.5 { continue }
            let max = leaf.maxPoints ?? 0
            let x = clamp(s + (rng.unit() - 0.5) * 0.35)
            switch leaf.method {
            case .yesno?: values[leaf.code] = rng.unit() < s + 0.1 ? 1 : 0
            case .ratio(let t)?: values[leaf.code] = DTIScoring.round(min(100, t * min(1.15, x + 0.1)), places: 1)
            case .tiers(let tiers)?: values[leaf.code] = DTIScoring.round((tiers.last.map { $0.min > 0 ? $0.min : 100 } ?? 100) * min(1.1, x + 0.1), places: 1)
            case .count(let each)?: values[leaf.code] = (max / each * x).rounded()
            case .judgement?: values[leaf.code] = (max * x * 2).rounded() / 2
            case nil: break
            }
            if leaf.evidence != nil, rng.unit() < (partial ? 0.4 : 0.85) {
                links[leaf.code] = ["https://dti.daklak.gov.vn/minh-chung/\(year)/\(agency.lowercased())/\(leaf.code)"]
            }
        }
        let r = DTIAssessmentModel()
        r.id = UUID()
        r.framework = framework
        r.agency = agency
        r.status = DTIService.Status.draft.rawValue
        r.values = DTIService.encode(values)
        r.notes = "{}"
        r.links = DTIService.encode(links)
        r.overrides = "{}"
        r.updatedAt = updatedAt
        r.updatedBy = "Cán bộ đầu mối CĐS (\(agency))"
        return r
    }

    static func store(_ app: Application, _ m: DTIFrameworkModel, _ rows: [DTIAssessmentModel], action: String) async throws {
        try await app.audit.transaction(on: app.db) { tx in
            try await m.create(on: tx)
            for r in rows { try await r.create(on: tx) }
            return ((), AuditRecord(actor: "demo", action: action, targetType: "dti_framework", targetID: m.id!, origin: "demo",
                                    details: "\(rows.count) assessments"))
        }
    }

    static func evidence(_ app: Application, framework: String, agency: String, criterion: String, title: String, isPublic: Bool, at: Date) async throws {
        let data = pdf(title)
        let e = DTIEvidenceModel()
        e.id = UUID()
        e.framework = framework
        e.agency = agency
        e.criterion = criterion
        e.filename = "minh-chung-\(criterion).pdf"
        e.contentType = "application/pdf"
        e.size = data.count
        e.sha256 = DTIService.sha256Hex(data)
        e.isPublic = isPublic
        e.data = data
        e.uploadedBy = "Cán bộ đầu mối CĐS (\(agency))"
        e.uploadedAt = at
        try await e.create(on: app.db)
    }

    /// A one-page PDF saying `title` (ASCII), with a correct cross-reference table.
    static func pdf(_ title: String) -> Data {
        let text = title.unicodeScalars.filter { $0.isASCII && $0 != "(" && $0 != ")" && $0 != "\\" }.map(String.init).joined()
        let stream = "BT /F1 18 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }
}
