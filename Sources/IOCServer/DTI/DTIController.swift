import Fluent
import Foundation
import IOCCore
import Vapor

/// Chỉ số chuyển đổi số (DTI): frameworks, self-assessment with evidence, review, publication, results.
enum DTIController {
    static let staff: Access = .anyUser
    static let editors: Access = .roles([.admin, .officer])

    static let frameworkSchema = SharedSchemas.register("DTIFramework", .object([
        "code": .string, "name": .string, "nameEn": .string, "year": .integer,
        "subject": .enumeration(DTISubject.allCases.map(\.rawValue)), "legalBasis": .string,
        "levels": .array(.object(["name": .string, "nameEn": .string, "min": .number], required: ["name", "min"])),
        "criteria": .array(.any),
        "assessor": .described(.string, "Agency code of the assessing agency (default SO-KHCN)"),
        "periodFrom": .described(.string, "yyyy-MM-dd (default 1 January of the year)"),
        "periodTo": .described(.string, "yyyy-MM-dd (default 31 December of the year)"),
        "deadline": .described(.string, "yyyy-MM-dd: submissions due"), "previous": .described(.string, "Last year's framework code"),
        "participants": .described(.array(.string), "Agency codes assessed (default: every agency of the subject's kind)"),
    ], required: ["code", "name", "year", "subject", "levels", "criteria"]))

    static func register(_ api: APIBuilder) {
        let g = api.group("dti", tag: "DTI")
        g.on(.GET, "frameworks", access: staff, summary: "Frameworks (assessment cycles) with their state and progress", response: .any, use: frameworks)
        g.on(.POST, "frameworks", access: .admin, summary: "Define a framework (JSON); redefining is allowed until an agency has entered a value",
             body: frameworkSchema, response: .any, status: .created, maxBodySize: "2mb", use: define)
        g.on(.POST, "frameworks", "import", access: .admin, summary: "Define a framework from an XLSX workbook in the export's shape",
             body: .binary, bodyContentType: Downloads.xlsxType, response: .any, status: .created, maxBodySize: "8mb", use: importWorkbook)
        g.on(.GET, "templates", access: .admin, summary: "The frameworks shipped with IOC (national 922 and 405 trees, Đắk Lắk's departments and communes)",
             response: .any, use: templates)
        g.on(.POST, "templates", ":file", access: .admin, summary: "Define a framework from a shipped template, optionally under another code and year",
             body: .object(["code": .string, "year": .integer, "name": .string, "nameEn": .string, "deadline": .string], required: []),
             response: .any, status: .created, use: installTemplate)
        g.on(.GET, "frameworks", ":code", access: staff, summary: "A framework's tree, maxima and cycle", response: .any, use: framework)
        g.on(.GET, "frameworks", ":code", "framework.xlsx", access: staff, summary: "The framework as an XLSX workbook (imports back)",
             response: .binary, responseContentType: Downloads.xlsxType, use: exportWorkbook)
        g.on(.POST, "frameworks", ":code", "copy", access: .admin, summary: "Copy a framework as next year's (a new code, open, nothing entered)",
             body: .object(["code": .string, "year": .integer, "name": .string, "nameEn": .string, "deadline": .string], required: ["code", "year"]),
             response: .any, status: .created, use: copy)
        g.on(.GET, "frameworks", ":code", "assessments", access: staff,
             summary: "Every assessment's state, points and missing evidence (officers: their own agency)", response: .any, use: assessments)
        g.on(.GET, "frameworks", ":code", "assessments", ":agency", access: staff,
             summary: "An agency's assessment: values, measured sub-indices, evidence, reviews, points", response: .any, use: assessment)
        g.on(.PUT, "frameworks", ":code", "assessments", ":agency", access: editors,
             summary: "Save the draft self-assessment (values merge; null clears); only before it is submitted",
             body: .object(["values": .any, "notes": .any, "links": .any], required: []), response: .any, use: save)
        g.on(.POST, "frameworks", ":code", "assessments", ":agency", "submit", access: editors, summary: "Submit the self-assessment",
             response: .any, use: submit)
        g.on(.POST, "frameworks", ":code", "assessments", ":agency", "review", access: editors,
             summary: "Reviewer (admin, or an officer of the assessing agency): set a sub-index's points with a reason",
             body: .object(["criterion": .string, "points": .number, "reason": .string], required: ["criterion", "points", "reason"]),
             response: .any, use: review)
        g.on(.POST, "frameworks", ":code", "assessments", ":agency", "answer", access: editors,
             summary: "The agency answers the review once", body: .object(["text": .string], required: ["text"]), response: .any, use: answer)
        g.on(.POST, "frameworks", ":code", "assessments", ":agency", "evidence", access: editors,
             summary: "Attach an evidence file (raw body: PDF, image, Office or OpenDocument file, ≤ 10 MB) to a sub-index of a draft",
             query: [.init("criterion", "Sub-index code", .string), .init("filename", "File name", .string),
                     .init("public", "1: shown on the public ranking once published", .integer)],
             body: .binary, bodyContentType: "application/octet-stream", response: .any, status: .created, maxBodySize: "10mb", use: addEvidence)
        g.on(.DELETE, "frameworks", ":code", "assessments", ":agency", "evidence", ":id", access: editors,
             summary: "Remove an evidence file from a draft", response: .any, use: removeEvidence)
        g.on(.GET, "evidence", ":id", access: .public,
             summary: "An evidence file (staff who may read the assessment; anyone for a public file of published results)",
             response: .binary, responseContentType: "application/octet-stream", use: evidenceFile)
        g.on(.POST, "frameworks", ":code", "publish", access: editors, summary: "Publish the results (reviewers): frozen afterwards",
             response: .any, use: publish)
        g.on(.POST, "frameworks", ":code", "corrections", access: editors,
             summary: "Correct published results (reviewers): a new version, the earlier ones kept",
             body: .object(["agency": .string, "criterion": .string, "points": .number, "reason": .string], required: ["agency", "criterion", "points", "reason"]),
             response: .any, status: .created, use: correct)
        g.on(.GET, "frameworks", ":code", "results", access: .public,
             summary: "Results: the published version for everyone; provisional results for reviewers, admins and leaders before publication",
             query: [.init("version", "A published version (default the latest)", .integer)], response: .any, use: results)
        g.on(.GET, "frameworks", ":code", "results.xlsx", access: .public, summary: "The results as XLSX, in the published table's form",
             query: [.init("version", "A published version", .integer)], response: .binary, responseContentType: Downloads.xlsxType, use: resultsWorkbook)
        g.on(.GET, "public", access: .public, summary: "Published frameworks (the public ranking pages)", response: .any, use: publicList)
        g.on(.GET, "frameworks", ":code", "public-evidence", access: .public,
             summary: "Evidence files the agencies marked public, once the results are published (no sign-in)", response: .any, use: publicEvidence)
    }

    static func code(_ req: Request) throws -> String {
        guard let c = req.parameters.get("code"), c.range(of: DTIFramework.codePattern, options: .regularExpression) != nil else {
            throw IOCError.notFound("DTI framework", vi: "bộ chỉ số")
        }
        return c
    }

    static func agencyParam(_ req: Request) throws -> String {
        guard let a = req.parameters.get("agency"), !a.isEmpty, a.count <= 64 else { throw IOCError.notFound("Agency", vi: "cơ quan") }
        return a
    }

    static func actor(_ req: Request) -> String { req.principal?.auditName ?? "anonymous" }

    static func origin(_ req: Request) -> String { req.remoteAddress?.ipAddress ?? "api" }

    // MARK: Frameworks

    struct FrameworkSummary: Content {
        var code: String
        var name: String
        var nameEn: String
        var year: Int
        var subject: String
        var status: String
        var assessor: String
        var periodFrom: String
        var periodTo: String
        var deadline: String?
        var previous: String?
        var maxPoints: Double
        var resultsVersion: Int
        var publishedAt: Date?
        var assessable: Int
        var byStatus: [String: Int]
        /// The assessed agencies whose self-assessment the caller enters (officers: their own; admins: none listed).
        var mine: [String]
        /// Whether the caller may read the results now (published, or provisional for reviewers, admins and leaders).
        var canSeeResults: Bool
    }

    static func summary(_ req: Request, _ m: DTIFrameworkModel, _ f: DTIFramework, _ d: AgencyDirectory.Snapshot, counts: [String: Int]) async throws -> FrameworkSummary {
        let assessable = DTIService.assessable(m, f, d)
        var mine: [String] = []
        if let user = req.principal?.user, user.role == .officer {
            let visible = Set(try await req.visibleAgencyCodes() ?? [])
            mine = assessable.map(\.code).filter(visible.contains)
        }
        var seesResults = m.resultsVersion > 0
        if !seesResults, req.principal?.user != nil { seesResults = try await DTIService.seesAll(req, m) }
        return FrameworkSummary(code: m.id!, name: f.name, nameEn: f.nameEn ?? f.name, year: m.year, subject: m.subject, status: m.status,
                                assessor: m.assessor, periodFrom: m.periodFrom, periodTo: m.periodTo, deadline: m.deadline, previous: m.previous,
                                maxPoints: f.maxPoints, resultsVersion: m.resultsVersion, publishedAt: m.publishedAt,
                                assessable: assessable.count, byStatus: counts, mine: mine, canSeeResults: seesResults)
    }

    @Sendable static func frameworks(_ req: Request) async throws -> [FrameworkSummary] {
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let all = try await DTIFrameworkModel.query(on: req.db).sort(\.$year, .descending).sort(\.$id).all()
        let counts = try await DTIService.statusCounts(on: req.db)
        var out: [FrameworkSummary] = []
        for m in all { out.append(try await summary(req, m, try DTIService.definition(m), d, counts: counts[m.id!] ?? [:])) }
        return out
    }

    struct FrameworkInput: Decodable {
        var code: String
        var name: String
        var nameEn: String?
        var year: Int
        var subject: DTISubject
        var legalBasis: String?
        var levels: [DTILevel]
        var criteria: [DTICriterion]
        var assessor: String?
        var periodFrom: String?
        var periodTo: String?
        var deadline: String?
        var previous: String?
        /// The agencies assessed (default: every active agency of the subject's kind).
        var participants: [String]?

        var framework: DTIFramework {
            DTIFramework(code: code, name: name, nameEn: nameEn, year: year, subject: subject, legalBasis: legalBasis, levels: levels, criteria: criteria)
        }
    }

    @Sendable static func define(_ req: Request) async throws -> Response {
        try await define(req, try req.decodeBody(FrameworkInput.self))
    }

    static func define(_ req: Request, _ input: FrameworkInput) async throws -> Response {
        let f = input.framework
        let problems = f.problems(measures: DTIService.knownMeasures(req.application))
        if let first = problems.first {
            let more = problems.count > 1 ? " (+\(problems.count - 1))" : ""
            throw IOCError.invalid(first.field, vi: "Bộ chỉ số chưa được lưu: \(first.message.vi)\(more)", en: "Nothing was stored: \(first.message.en)\(more)")
        }
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let assessor = input.assessor ?? DTIService.defaultAssessor
        guard d.agencyByCode[assessor] != nil else {
            throw IOCError.invalid("assessor", vi: "Không có cơ quan thẩm định \(assessor).", en: "No assessing agency \(assessor).")
        }
        func day(_ s: String?, _ field: String, default fallback: String) throws -> String {
            guard let s else { return fallback }
            guard let c = CivilDate(iso8601: s), c.description == s else {
                throw IOCError.invalid(field, vi: "\(field) phải có dạng yyyy-MM-dd.", en: "\(field) must be yyyy-MM-dd.")
            }
            return c.description
        }
        let from = try day(input.periodFrom, "periodFrom", default: String(format: "%04d-01-01", f.year))
        let to = try day(input.periodTo, "periodTo", default: String(format: "%04d-12-31", f.year))
        guard from <= to else { throw IOCError.invalid("periodTo", vi: "Kỳ đánh giá kết thúc trước khi bắt đầu.", en: "The period ends before it starts.") }
        let deadline = try input.deadline.map { try day($0, "deadline", default: $0) }
        if let p = input.previous {
            guard p != f.code, try await DTIFrameworkModel.find(p, on: req.db) != nil else {
                throw IOCError.invalid("previous", vi: "Không có bộ chỉ số năm trước \(p).", en: "No previous framework \(p).")
            }
        }
        if let list = input.participants {
            let k = DTIService.kinds(f.subject)
            guard !list.isEmpty, list.count <= 5_000 else {
                throw IOCError.invalid("participants", vi: "Danh sách cơ quan được đánh giá rỗng.", en: "participants is empty.")
            }
            for (i, c) in list.enumerated() where !(d.agencyByCode[c].map { k.contains($0.kind) } ?? false) {
                throw IOCError.invalid("participants[\(i)]", vi: "\(c) không phải cơ quan thuộc đối tượng \(f.subject.rawValue).",
                                       en: "\(c) is not an agency of kind \(f.subject.rawValue).")
            }
        }
        let existing = try await DTIFrameworkModel.find(f.code, on: req.db)
        if let e = existing {
            let entered = try await DTIAssessmentModel.query(on: req.db).filter(\.$framework == f.code).count()
            let files = try await DTIEvidenceModel.query(on: req.db).filter(\.$framework == f.code).count()
            if e.status != "open" || entered > 0 || files > 0 {
                throw IOCError.conflict("code", vi: "Bộ chỉ số \(f.code) đã có cơ quan nhập số liệu hoặc đã công bố: không sửa được. Hãy sao chép thành bộ mới.",
                                        en: "Framework \(f.code) already has entries or is published and is frozen. Copy it into a new one.")
            }
        }
        let now = req.now, actor = actor(req), origin = origin(req)
        let model = existing ?? DTIFrameworkModel()
        model.id = f.code
        model.name = f.name
        model.year = f.year
        model.subject = f.subject.rawValue
        model.definition = DTIService.encode(f)
        model.assessor = assessor
        model.periodFrom = from
        model.periodTo = to
        model.deadline = deadline
        model.previous = input.previous
        model.participants = input.participants.map { Array(Set($0)).sorted().joined(separator: ",") }
        model.status = "open"
        model.resultsVersion = 0
        model.createdAt = existing?.createdAt ?? now
        model.createdBy = existing?.createdBy ?? actor
        let isNew = existing == nil
        try await req.application.audit.transaction(on: req.db) { tx in
            try await model.save(on: tx)
            return ((), AuditRecord(actor: actor, action: isNew ? "dti.framework.create" : "dti.framework.redefine", targetType: "dti_framework",
                                    targetID: f.code, origin: origin,
                                    details: "\(f.year) \(f.subject.rawValue), \(f.leaves.count) sub-indices, \(DTIScoring.format(f.maxPoints)) points"))
        }
        req.application.live.publish(topic: DTIService.topic, ["type": "dti.framework", "framework": f.code])
        let out = try await frameworkDTO(req, model, f)
        return try await out.encodeResponse(status: isNew ? .created : .ok, for: req)
    }

    struct FrameworkDTO: Content {
        var summary: FrameworkSummary
        var framework: DTIFramework
        var maxima: [String: Double]
        var measures: [String: LocalizedMessage]
        var canReview: Bool
    }

    static func frameworkDTO(_ req: Request, _ m: DTIFrameworkModel, _ f: DTIFramework) async throws -> FrameworkDTO {
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let counts = try await DTIService.statusCounts(on: req.db, framework: m.id!)[m.id!] ?? [:]
        let summary = try await summary(req, m, f, d, counts: counts)
        let canReview = req.principal?.user != nil ? try await DTIService.isReviewer(req, m, agency: nil) : false
        return FrameworkDTO(summary: summary, framework: f, maxima: f.maxima,
                            measures: req.application.modules.measures.mapValues(\.name), canReview: canReview)
    }

    @Sendable static func framework(_ req: Request) async throws -> FrameworkDTO {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        return try await frameworkDTO(req, m, f)
    }

    struct CopyInput: Decodable { var code: String; var year: Int; var name: String?; var nameEn: String?; var deadline: String? }

    @Sendable static func copy(_ req: Request) async throws -> Response {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        let input = try req.decodeBody(CopyInput.self)
        if try await DTIFrameworkModel.find(input.code, on: req.db) != nil {
            throw IOCError.conflict("code", vi: "Đã có bộ chỉ số \(input.code).", en: "Framework \(input.code) already exists.")
        }
        let shift = input.year - f.year
        func shifted(_ s: String) -> String {
            guard let c = CivilDate(iso8601: s) else { return s }
            return CivilDate(year: c.year + shift, month: c.month, day: min(c.day, c.month == 2 ? 28 : c.day)).description
        }
        let next = FrameworkInput(code: input.code, name: input.name ?? f.name, nameEn: input.nameEn ?? f.nameEn, year: input.year, subject: f.subject,
                                  legalBasis: f.legalBasis, levels: f.levels, criteria: f.criteria, assessor: m.assessor,
                                  periodFrom: shifted(m.periodFrom), periodTo: shifted(m.periodTo), deadline: input.deadline, previous: m.id,
                                  participants: m.participants.map { $0.split(separator: ",").map(String.init) })
        return try await define(req, next)
    }

    // MARK: Assessments

    struct AssessmentSummary: Content {
        var agency: NamedRef
        var status: String
        var points: Double?
        var value: Double?
        var level: String?
        var levelEn: String?
        var submittedAt: Date?
        var updatedAt: Date?
        var reviewed: Int
        var answered: Bool
        /// Sub-indices that need evidence and have neither a file nor a link.
        var missingEvidence: [String]
    }

    struct AssessmentList: Content {
        var framework: String
        var status: String
        var deadline: String?
        var canReview: Bool
        var items: [AssessmentSummary]
    }

    @Sendable static func assessments(_ req: Request) async throws -> AssessmentList {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        var agencies = DTIService.assessable(m, f, d)
        let seesAll = try await DTIService.seesAll(req, m)
        if !seesAll {
            let visible = Set(try await req.visibleAgencyCodes() ?? [])
            agencies = agencies.filter { visible.contains($0.code) }
        }
        let rows = try await DTIAssessmentModel.query(on: req.db).filter(\.$framework == m.id!).all()
        let byAgency = Dictionary(rows.map { ($0.agency, $0) }, uniquingKeysWith: { a, _ in a })
        let files = try await DTIEvidenceModel.query(on: req.db).filter(\.$framework == m.id!).field(\.$agency).field(\.$criterion).all()
        var filed: [String: Set<String>] = [:]
        for e in files { filed[e.agency, default: []].insert(e.criterion) }
        let measured = try await DTIService.measured(req, m, f, agencies: agencies.map(\.code))
        let needing = f.leaves.filter { $0.evidence != nil && $0.measure == nil }.map(\.code)
        let items = agencies.map { a -> AssessmentSummary in
            let row = byAgency[a.code]
            let links = row.flatMap { DTIService.decode([String: [String]].self, $0.links) } ?? [:]
            let missing = needing.filter { !(filed[a.code]?.contains($0) ?? false) && (links[$0] ?? []).isEmpty }
            let score = DTIScoring.score(f, values: DTIService.scoringValues(row, measured: measured[a.code] ?? [:]),
                                         overrides: DTIService.overrides(row).mapValues(\.points))
            return AssessmentSummary(agency: a.ref, status: row?.status ?? "none", points: DTIScoring.round(score.total, places: 2), value: score.value,
                                     level: f.level(for: score.value)?.name, levelEn: f.level(for: score.value).map { $0.nameEn ?? $0.name },
                                     submittedAt: row?.submittedAt, updatedAt: row?.updatedAt,
                                     reviewed: DTIService.overrides(row).count, answered: row?.answer != nil, missingEvidence: missing)
        }
        return AssessmentList(framework: m.id!, status: m.status, deadline: m.deadline,
                              canReview: try await DTIService.isReviewer(req, m, agency: nil), items: items)
    }

    struct EvidenceDTO: Content {
        var id: UUID
        var criterion: String
        var filename: String
        var contentType: String
        var size: Int
        var sha256: String
        var isPublic: Bool
        var uploadedAt: Date
    }

    struct AssessmentDTO: Content {
        var framework: String
        var frameworkStatus: String
        var agency: NamedRef
        var status: String
        var values: [String: Double]
        var notes: [String: String]
        var links: [String: [String]]
        var evidence: [EvidenceDTO]
        var measured: [String: DTIMeasured]
        var overrides: [String: DTIOverride]
        var answer: String?
        var answeredAt: Date?
        var submittedAt: Date?
        /// Points per criterion, 2 decimals.
        var points: [String: Double]
        var total: Double
        var maxPoints: Double
        var value: Double
        var level: String?
        var levelEn: String?
        var missingEvidence: [String]
        var canEdit: Bool
        var canReview: Bool
        var canAnswer: Bool
    }

    static func assessmentDTO(_ req: Request, _ m: DTIFrameworkModel, _ f: DTIFramework, agency a: AgencyDirectory.Agency) async throws -> AssessmentDTO {
        let row = try await DTIAssessmentModel.query(on: req.db).filter(\.$framework == m.id!).filter(\.$agency == a.code).first()
        let files = try await DTIEvidenceModel.query(on: req.db).filter(\.$framework == m.id!).filter(\.$agency == a.code)
            .field(\.$id).field(\.$criterion).field(\.$filename).field(\.$contentType).field(\.$size).field(\.$sha256).field(\.$isPublic).field(\.$uploadedAt)
            .sort(\.$uploadedAt).all()
        let measured = try await DTIService.measured(req, m, f, agencies: [a.code])[a.code] ?? [:]
        let overrides = DTIService.overrides(row)
        let score = DTIScoring.score(f, values: DTIService.scoringValues(row, measured: measured), overrides: overrides.mapValues(\.points))
        let links = row.flatMap { DTIService.decode([String: [String]].self, $0.links) } ?? [:]
        let filed = Set(files.map(\.criterion))
        let status = row?.status ?? DTIService.Status.draft.rawValue
        let user = try req.requireUser()
        let visible = try await req.visibleAgencyCodes() ?? []
        let isEditor = user.role == .admin || (user.role == .officer && visible.contains(a.code))
        let isReviewer = try await DTIService.isReviewer(req, m, agency: a.code)
        let open = m.status == "open"
        return AssessmentDTO(
            framework: m.id!, frameworkStatus: m.status, agency: a.ref, status: status,
            values: row.flatMap { DTIService.decode([String: Double].self, $0.values) } ?? [:],
            notes: row.flatMap { DTIService.decode([String: String].self, $0.notes) } ?? [:], links: links,
            evidence: files.map { EvidenceDTO(id: $0.id!, criterion: $0.criterion, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                                              sha256: $0.sha256, isPublic: $0.isPublic, uploadedAt: $0.uploadedAt) },
            measured: measured, overrides: overrides, answer: row?.answer, answeredAt: row?.answeredAt, submittedAt: row?.submittedAt,
            points: score.points.mapValues { DTIScoring.round($0, places: 2) }, total: DTIScoring.round(score.total, places: 2),
            maxPoints: score.max, value: score.value, level: f.level(for: score.value)?.name,
            levelEn: f.level(for: score.value).map { $0.nameEn ?? $0.name },
            missingEvidence: f.leaves.filter { $0.evidence != nil && $0.measure == nil && !filed.contains($0.code) && (links[$0.code] ?? []).isEmpty }.map(\.code),
            canEdit: open && isEditor && status == DTIService.Status.draft.rawValue,
            canReview: open && status != DTIService.Status.draft.rawValue && isReviewer,
            canAnswer: open && isEditor && status == DTIService.Status.reviewed.rawValue && row?.answer == nil)
    }

    static func context(_ req: Request) async throws -> (DTIFrameworkModel, DTIFramework, AgencyDirectory.Agency) {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        let d = try await req.application.agencyDirectory.snapshot(on: req.db)
        let a = try DTIService.agency(try agencyParam(req), of: m, f, d)
        return (m, f, a)
    }

    @Sendable static func assessment(_ req: Request) async throws -> AssessmentDTO {
        let (m, f, a) = try await context(req)
        try await DTIService.requireReader(req, m, agency: a.code)
        return try await assessmentDTO(req, m, f, agency: a)
    }

    struct SaveInput: Decodable {
        var values: [String: Double?]?
        var notes: [String: String?]?
        var links: [String: [String]]?
    }

    /// The agency's row, created as a draft on first save.
    static func row(_ m: DTIFrameworkModel, agency: String, on db: any Database) async throws -> DTIAssessmentModel? {
        try await DTIAssessmentModel.query(on: db).filter(\.$framework == m.id!).filter(\.$agency == agency).first()
    }

    static func requireDraft(_ row: DTIAssessmentModel?) throws {
        if let r = row, r.status != DTIService.Status.draft.rawValue {
            throw IOCError.conflict(nil, vi: "Bản tự đánh giá đã nộp: không sửa được nữa.", en: "The self-assessment has been submitted and can no longer be edited.")
        }
    }

    @Sendable static func save(_ req: Request) async throws -> AssessmentDTO {
        let (m, f, a) = try await context(req)
        try await DTIService.requireEditor(req, agency: a.code)
        try DTIService.requireOpen(m)
        let input = try req.decodeBody(SaveInput.self)
        let leaves = Dictionary(f.leaves.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let codes = Set(f.nodes.map(\.code))
        func leaf(_ code: String, _ field: String) throws -> DTICriterion {
            guard let l = leaves[code] else {
                if codes.contains(code) {
                    throw IOCError.invalid(field, vi: "\(code) là chỉ số tổng hợp: điểm của nó là tổng các chỉ số con.", en: "\(code) is a parent criterion: its points are its children's sum.")
                }
                throw IOCError.invalid(field, vi: "Bộ chỉ số không có chỉ số \(code).", en: "The framework has no criterion \(code).")
            }
            return l
        }
        let row = try await row(m, agency: a.code, on: req.db)
        try requireDraft(row)
        var values = row.flatMap { DTIService.decode([String: Double].self, $0.values) } ?? [:]
        var notes = row.flatMap { DTIService.decode([String: String].self, $0.notes) } ?? [:]
        var links = row.flatMap { DTIService.decode([String: [String]].self, $0.links) } ?? [:]
        for (code, v) in (input.values ?? [:]).sorted(by: { $0.key < $1.key }) {
            let l = try leaf(code, "values.\(code)")
            if l.measure != nil {
                throw IOCError.invalid("values.\(code)", vi: "\(code) do IOC đo từ dữ liệu của hệ thống: cơ quan không nhập được.",
                                       en: "\(code) is measured by IOC from its own data: agencies cannot enter it.")
            }
            guard let v else { values[code] = nil; continue }
            if let problem = l.method?.check(v, max: l.maxPoints ?? 0) {
                throw IOCError.invalid("values.\(code)", vi: "\(code): \(problem.vi)", en: "\(code): \(problem.en)")
            }
            values[code] = v
        }
        for (code, n) in (input.notes ?? [:]) {
            _ = try leaf(code, "notes.\(code)")
            if let n, n.count > 4_000 { throw IOCError.invalid("notes.\(code)", vi: "Ghi chú tối đa 4.000 ký tự.", en: "A note has at most 4,000 characters.") }
            let t = n?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            notes[code] = t.isEmpty ? nil : t
        }
        for (code, list) in (input.links ?? [:]) {
            _ = try leaf(code, "links.\(code)")
            guard list.count <= 10 else { throw IOCError.invalid("links.\(code)", vi: "Tối đa 10 đường dẫn.", en: "At most 10 links.") }
            for u in list {
                guard u.count <= 500, let url = URL(string: u), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                    throw IOCError.invalid("links.\(code)", vi: "Đường dẫn minh chứng phải là địa chỉ http(s) hợp lệ.", en: "Evidence links must be valid http(s) addresses.")
                }
            }
            links[code] = list.isEmpty ? nil : list
        }
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        let target = row ?? DTIAssessmentModel()
        if row == nil {
            target.framework = m.id!
            target.agency = a.code
            target.status = DTIService.Status.draft.rawValue
            target.overrides = "{}"
        }
        target.values = DTIService.encode(values)
        target.notes = DTIService.encode(notes)
        target.links = DTIService.encode(links)
        target.updatedAt = now
        target.updatedBy = user.displayName
        let changed = (input.values ?? [:]).keys.sorted()
        try await req.application.audit.transaction(on: req.db) { tx in
            try await target.save(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.assessment.save", targetType: "dti_assessment", targetID: "\(m.id!)/\(a.code)",
                                    origin: origin, details: "values: \(changed.joined(separator: ","))"))
        }
        announce(req, m, a.code, "saved")
        return try await assessmentDTO(req, m, f, agency: a)
    }

    /// Tells live screens that an assessment changed.
    static func announce(_ req: Request, _ m: DTIFrameworkModel, _ agency: String, _ what: String) {
        req.application.live.publish(topic: DTIService.topic, ["type": "dti.assessment", "framework": m.id!, "agency": agency, "change": what])
    }

    @Sendable static func submit(_ req: Request) async throws -> AssessmentDTO {
        let (m, f, a) = try await context(req)
        try await DTIService.requireEditor(req, agency: a.code)
        try DTIService.requireOpen(m)
        guard let row = try await row(m, agency: a.code, on: req.db) else {
            throw IOCError.conflict(nil, vi: "Chưa có số liệu nào để nộp: hãy lưu bản tự đánh giá trước.", en: "Nothing entered yet: save the self-assessment first.")
        }
        try requireDraft(row)
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        row.status = DTIService.Status.submitted.rawValue
        row.submittedAt = now
        row.submittedBy = user.displayName
        row.updatedAt = now
        row.updatedBy = user.displayName
        try await req.application.audit.transaction(on: req.db) { tx in
            try await row.save(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.assessment.submit", targetType: "dti_assessment", targetID: "\(m.id!)/\(a.code)", origin: origin))
        }
        announce(req, m, a.code, "submitted")
        return try await assessmentDTO(req, m, f, agency: a)
    }

    struct ReviewInput: Decodable { var criterion: String; var points: Double; var reason: String }

    /// Checks a reviewer's points for a sub-index (unknown criterion, a parent, above the maximum, no reason: 422).
    static func checkReview(_ input: ReviewInput, _ f: DTIFramework) throws -> String {
        guard let leaf = f.leaves.first(where: { $0.code == input.criterion }) else {
            throw IOCError.invalid("criterion", vi: "Bộ chỉ số không có chỉ số thành phần \(input.criterion).", en: "The framework has no sub-index \(input.criterion).")
        }
        let max = leaf.maxPoints ?? 0
        guard input.points.isFinite, input.points >= 0, input.points <= max + 1e-9 else {
            throw IOCError.invalid("points", vi: "Điểm của \(leaf.code) phải từ 0 đến \(DTIScoring.format(max)).", en: "Points for \(leaf.code) must be 0 to \(DTIScoring.format(max)).")
        }
        let reason = input.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 2_000 else {
            throw IOCError.invalid("reason", vi: "Cần nêu lý do điều chỉnh (tối đa 2.000 ký tự).", en: "A reason is required (up to 2,000 characters).")
        }
        return reason
    }

    @Sendable static func review(_ req: Request) async throws -> AssessmentDTO {
        let (m, f, a) = try await context(req)
        try await DTIService.requireReviewer(req, m, agency: a.code)
        try DTIService.requireOpen(m)
        let input = try req.decodeBody(ReviewInput.self)
        let reason = try checkReview(input, f)
        guard let row = try await row(m, agency: a.code, on: req.db), row.status != DTIService.Status.draft.rawValue else {
            throw IOCError.conflict(nil, vi: "\(a.name) chưa nộp bản tự đánh giá.", en: "\(a.nameEn) has not submitted its self-assessment.")
        }
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        var o = DTIService.overrides(row)
        o[input.criterion] = DTIOverride(points: input.points, reason: reason, by: user.displayName, at: now)
        row.overrides = DTIService.encode(o)
        if row.status == DTIService.Status.submitted.rawValue { row.status = DTIService.Status.reviewed.rawValue }
        row.updatedAt = now
        row.updatedBy = user.displayName
        try await req.application.audit.transaction(on: req.db) { tx in
            try await row.save(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.assessment.review", targetType: "dti_assessment", targetID: "\(m.id!)/\(a.code)",
                                    origin: origin, details: "\(input.criterion) = \(DTIScoring.format(input.points)): \(reason)"))
        }
        announce(req, m, a.code, "reviewed")
        return try await assessmentDTO(req, m, f, agency: a)
    }

    struct AnswerInput: Decodable { var text: String }

    @Sendable static func answer(_ req: Request) async throws -> AssessmentDTO {
        let (m, f, a) = try await context(req)
        try await DTIService.requireEditor(req, agency: a.code)
        try DTIService.requireOpen(m)
        let text = try req.decodeBody(AnswerInput.self).text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 4_000 else {
            throw IOCError.invalid("text", vi: "Nội dung giải trình từ 1 đến 4.000 ký tự.", en: "The answer has 1 to 4,000 characters.")
        }
        guard let row = try await row(m, agency: a.code, on: req.db), row.status == DTIService.Status.reviewed.rawValue, row.answer == nil else {
            throw IOCError.conflict(nil, vi: "Chỉ giải trình một lần, sau khi có kết quả thẩm định.", en: "The agency answers once, after the review.")
        }
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        row.answer = text
        row.answeredAt = now
        row.status = DTIService.Status.answered.rawValue
        row.updatedAt = now
        row.updatedBy = user.displayName
        try await req.application.audit.transaction(on: req.db) { tx in
            try await row.save(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.assessment.answer", targetType: "dti_assessment", targetID: "\(m.id!)/\(a.code)", origin: origin))
        }
        announce(req, m, a.code, "answered")
        return try await assessmentDTO(req, m, f, agency: a)
    }

    // MARK: Evidence

    /// The file's kind from its first bytes (never from what the client says).
    static func sniff(_ data: Data, filename: String) -> String? {
        let b = [UInt8](data.prefix(8))
        let ext = (filename as NSString).pathExtension.lowercased()
        if b.starts(with: [0x25, 0x50, 0x44, 0x46]) { return "application/pdf" }
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            switch ext {
            case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            case "xlsx": return Downloads.xlsxType
            case "pptx": return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            case "odt": return "application/vnd.oasis.opendocument.text"
            case "ods": return "application/vnd.oasis.opendocument.spreadsheet"
            default: return nil
            }
        }
        return nil
    }

    static func cleanFilename(_ raw: String?) -> String {
        let base = (raw ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = base.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) && $0 != "\"" }
        let s = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        return String((s.isEmpty ? "minh-chung" : s).prefix(200))
    }

    @Sendable static func addEvidence(_ req: Request) async throws -> Response {
        let (m, f, a) = try await context(req)
        try await DTIService.requireEditor(req, agency: a.code)
        try DTIService.requireOpen(m)
        let criterion = try req.query.get(String.self, at: "criterion")
        guard f.leaves.contains(where: { $0.code == criterion }) else {
            throw IOCError.invalid("criterion", vi: "Bộ chỉ số không có chỉ số thành phần \(criterion).", en: "The framework has no sub-index \(criterion).")
        }
        let filename = cleanFilename(try? req.query.get(String.self, at: "filename"))
        let isPublic = (try? req.query.get(Int.self, at: "public")) == 1
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu tệp minh chứng.", en: "The evidence file is missing.")
        }
        let data = Data(buffer.readableBytesView)
        guard let type = sniff(data, filename: filename) else {
            throw IOCError(.unsupportedMediaType, code: "unsupported_media_type",
                           vi: "Tệp minh chứng phải là PDF, ảnh PNG/JPEG hoặc tệp Office/OpenDocument (docx, xlsx, pptx, odt, ods).",
                           en: "Evidence must be a PDF, a PNG/JPEG image or an Office/OpenDocument file (docx, xlsx, pptx, odt, ods).")
        }
        let row = try await row(m, agency: a.code, on: req.db)
        try requireDraft(row)
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        let e = DTIEvidenceModel()
        e.id = UUID()
        e.framework = m.id!
        e.agency = a.code
        e.criterion = criterion
        e.filename = filename
        e.contentType = type
        e.size = data.count
        e.sha256 = DTIService.sha256Hex(data)
        e.isPublic = isPublic
        e.data = data
        e.uploadedBy = user.displayName
        e.uploadedAt = now
        try await req.application.audit.transaction(on: req.db) { tx in
            try await e.create(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.evidence.add", targetType: "dti_assessment", targetID: "\(m.id!)/\(a.code)", origin: origin,
                                    details: "\(criterion): \(filename) (\(data.count) bytes, sha256 \(e.sha256.prefix(16)))"))
        }
        announce(req, m, a.code, "evidence")
        return try await EvidenceDTO(id: e.id!, criterion: criterion, filename: filename, contentType: type, size: data.count, sha256: e.sha256,
                                     isPublic: isPublic, uploadedAt: now).encodeResponse(status: .created, for: req)
    }

    @Sendable static func removeEvidence(_ req: Request) async throws -> HTTPStatus {
        let (m, _, a) = try await context(req)
        try await DTIService.requireEditor(req, agency: a.code)
        try DTIService.requireOpen(m)
        guard let id = req.parameters.get("id", as: UUID.self),
              let e = try await DTIEvidenceModel.query(on: req.db).filter(\.$id == id).filter(\.$framework == m.id!).filter(\.$agency == a.code)
                .field(\.$id).field(\.$criterion).field(\.$filename).first() else {
            throw IOCError.notFound("Evidence", vi: "tệp minh chứng")
        }
        try requireDraft(try await row(m, agency: a.code, on: req.db))
        let actor = actor(req), origin = origin(req)
        let criterion = e.criterion, filename = e.filename
        try await req.application.audit.transaction(on: req.db) { tx in
            try await DTIEvidenceModel.query(on: tx).filter(\.$id == id).delete()
            return ((), AuditRecord(actor: actor, action: "dti.evidence.remove", targetType: "dti_assessment", targetID: "\(m.id!)/\(a.code)", origin: origin,
                                    details: "\(criterion): \(filename)"))
        }
        return .noContent
    }

    @Sendable static func evidenceFile(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self), let e = try await DTIEvidenceModel.find(id, on: req.db),
              let m = try await DTIFrameworkModel.find(e.framework, on: req.db) else {
            throw IOCError.notFound("Evidence", vi: "tệp minh chứng")
        }
        if req.principal?.user != nil {
            try await DTIService.requireReader(req, m, agency: e.agency)
        } else if !(e.isPublic && m.resultsVersion > 0) {
            throw IOCError.notFound("Evidence", vi: "tệp minh chứng")
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: e.contentType)
        let ascii = String(e.filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded = e.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
        return Response(status: .ok, headers: headers, body: .init(data: e.data))
    }

    // MARK: Publication and results

    @Sendable static func publish(_ req: Request) async throws -> DTIResults {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        try await DTIService.requireReviewer(req, m, agency: nil)
        try DTIService.requireOpen(m)
        var r = try await DTIService.results(req, m, f)
        guard !r.results.isEmpty else {
            throw IOCError.conflict(nil, vi: "Chưa có cơ quan nào nộp bản tự đánh giá: chưa công bố được.", en: "No agency has submitted: nothing to publish.")
        }
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        r.published = true
        r.version = 1
        r.publishedAt = now
        let stored = DTIResultsModel()
        stored.framework = m.id!
        stored.version = 1
        stored.body = DTIService.encode(r)
        stored.publishedAt = now
        stored.publishedBy = user.displayName
        m.status = "published"
        m.resultsVersion = 1
        m.publishedAt = now
        // Who was assessed is part of the result: agencies created later do not join a published cycle.
        if m.participants == nil {
            let d = try await req.application.agencyDirectory.snapshot(on: req.db)
            m.participants = DTIService.assessable(m, f, d).map(\.code).joined(separator: ",")
        }
        let count = r.results.count, average = r.average.value
        try await req.application.audit.transaction(on: req.db) { tx in
            try await stored.create(on: tx)
            try await m.save(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.publish", targetType: "dti_framework", targetID: m.id!, origin: origin,
                                    details: "version 1, \(count) agencies, average \(average)"))
        }
        req.application.live.publish(topic: DTIService.topic, ["type": "dti.published", "framework": m.id!])
        return r
    }

    struct CorrectionInput: Decodable { var agency: String; var criterion: String; var points: Double; var reason: String }

    @Sendable static func correct(_ req: Request) async throws -> DTIResults {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        let input = try req.decodeBody(CorrectionInput.self)
        try await DTIService.requireReviewer(req, m, agency: input.agency)
        guard m.status == "published" else {
            throw IOCError.conflict(nil, vi: "Kết quả chưa công bố: hãy thẩm định trực tiếp bản tự đánh giá.", en: "Not published yet: review the assessment instead.")
        }
        let reason = try checkReview(ReviewInput(criterion: input.criterion, points: input.points, reason: input.reason), f)
        guard let row = try await row(m, agency: input.agency, on: req.db), row.status != DTIService.Status.draft.rawValue else {
            throw IOCError.invalid("agency", vi: "\(input.agency) không có trong kết quả đã công bố.", en: "\(input.agency) is not in the published results.")
        }
        guard let last = try await DTIService.publishedResults(m, version: nil, on: req.db) else {
            throw IOCError.conflict(nil, vi: "Không đọc được kết quả đã công bố.", en: "The published results cannot be read.")
        }
        let now = req.now, actor = actor(req), origin = origin(req), user = try req.requireUser()
        var o = DTIService.overrides(row)
        o[input.criterion] = DTIOverride(points: input.points, reason: reason, by: user.displayName, at: now)
        row.overrides = DTIService.encode(o)
        row.updatedAt = now
        row.updatedBy = user.displayName
        let version = m.resultsVersion + 1
        var r = try await DTIService.corrected(req, m, f, last: last, agency: input.agency, criterion: input.criterion, points: input.points)
        r.published = true
        r.version = version
        r.publishedAt = now
        let stored = DTIResultsModel()
        stored.framework = m.id!
        stored.version = version
        stored.body = DTIService.encode(r)
        stored.publishedAt = now
        stored.publishedBy = user.displayName
        stored.reason = reason
        m.resultsVersion = version
        m.publishedAt = now
        let agency = input.agency, criterion = input.criterion, points = input.points
        try await req.application.audit.transaction(on: req.db) { tx in
            try await row.save(on: tx)
            try await stored.create(on: tx)
            try await m.save(on: tx)
            return ((), AuditRecord(actor: actor, action: "dti.correct", targetType: "dti_framework", targetID: m.id!, origin: origin,
                                    details: "version \(version): \(agency) \(criterion) = \(DTIScoring.format(points)): \(reason)"))
        }
        req.application.live.publish(topic: DTIService.topic, ["type": "dti.published", "framework": m.id!])
        return r
    }

    static func resultsFor(_ req: Request) async throws -> DTIResults {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        let version = try? req.query.get(Int.self, at: "version")
        if m.resultsVersion > 0 {
            guard let r = try await DTIService.publishedResults(m, version: version, on: req.db) else {
                throw IOCError.notFound("Results version", vi: "phiên bản kết quả")
            }
            return r
        }
        // Provisional results: reviewers, admins, operators, leaders and analysts only.
        guard req.principal?.user != nil, try await DTIService.seesAll(req, m) else {
            throw IOCError.notFound("Published results of \(m.id!)", vi: "kết quả đã công bố của \(m.id!)")
        }
        return try await DTIService.results(req, m, f)
    }

    @Sendable static func results(_ req: Request) async throws -> DTIResults { try await resultsFor(req) }

    @Sendable static func resultsWorkbook(_ req: Request) async throws -> Response {
        let r = try await resultsFor(req)
        return try Downloads.xlsx(DTISheets.results(r), filename: "ket-qua-dti-\(r.framework.lowercased()).xlsx")
    }

    struct PublicFramework: Content {
        var code: String
        var name: String
        var nameEn: String
        var year: Int
        var subject: String
        var version: Int
        var publishedAt: Date?
    }

    @Sendable static func publicList(_ req: Request) async throws -> [PublicFramework] {
        try await DTIFrameworkModel.query(on: req.db).filter(\.$resultsVersion > 0).sort(\.$year, .descending).sort(\.$id).all().map { m in
            let f = try DTIService.definition(m)
            return PublicFramework(code: m.id!, name: f.name, nameEn: f.nameEn ?? f.name, year: m.year, subject: m.subject,
                                   version: m.resultsVersion, publishedAt: m.publishedAt)
        }
    }

    struct PublicEvidence: Content { var id: UUID; var agency: String; var criterion: String; var filename: String; var size: Int; var sha256: String }

    @Sendable static func publicEvidence(_ req: Request) async throws -> [PublicEvidence] {
        let (m, _) = try await DTIService.load(try code(req), on: req.db)
        guard m.resultsVersion > 0 else { return [] }
        return try await DTIEvidenceModel.query(on: req.db).filter(\.$framework == m.id!).filter(\.$isPublic == true)
            .field(\.$id).field(\.$agency).field(\.$criterion).field(\.$filename).field(\.$size).field(\.$sha256)
            .sort(\.$agency).sort(\.$criterion).all()
            .map { PublicEvidence(id: $0.id!, agency: $0.agency, criterion: $0.criterion, filename: $0.filename, size: $0.size, sha256: $0.sha256) }
    }

    // MARK: Templates

    struct Template: Content { var file: String; var code: String; var name: String; var nameEn: String; var year: Int; var subject: String; var legalBasis: String?; var subIndices: Int; var maxPoints: Double }

    static func templateFiles(_ app: Application) -> [(String, DTIFramework)] {
        let dir = (app.iocConfiguration.resourcesDirectory as NSString).appendingPathComponent("dti")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { n in
            guard let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(n)),
                  let f = try? JSONDecoder().decode(DTIFramework.self, from: data) else { return nil }
            return (String(n.dropLast(5)), f)
        }
    }

    @Sendable static func templates(_ req: Request) async throws -> [Template] {
        templateFiles(req.application).map { file, f in
            Template(file: file, code: f.code, name: f.name, nameEn: f.nameEn ?? f.name, year: f.year, subject: f.subject.rawValue,
                     legalBasis: f.legalBasis, subIndices: f.leaves.count, maxPoints: f.maxPoints)
        }
    }

    struct TemplateInput: Decodable { var code: String?; var year: Int?; var name: String?; var nameEn: String?; var deadline: String? }

    @Sendable static func installTemplate(_ req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        guard let (_, f) = templateFiles(req.application).first(where: { $0.0 == file }) else {
            throw IOCError.notFound("Template \(file)", vi: "mẫu bộ chỉ số \(file)")
        }
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.decodeBody(TemplateInput.self) : TemplateInput()
        let year = input.year ?? f.year
        return try await define(req, FrameworkInput(
            code: input.code ?? f.code, name: input.name ?? f.name.replacingOccurrences(of: String(f.year), with: String(year)),
            nameEn: input.nameEn ?? f.nameEn?.replacingOccurrences(of: String(f.year), with: String(year)), year: year, subject: f.subject,
            legalBasis: f.legalBasis, levels: f.levels, criteria: f.criteria, deadline: input.deadline))
    }

    // MARK: Workbooks

    @Sendable static func exportWorkbook(_ req: Request) async throws -> Response {
        let (m, f) = try await DTIService.load(try code(req), on: req.db)
        return try Downloads.xlsx(DTISheets.framework(f, model: m), filename: "bo-chi-so-\(m.id!.lowercased()).xlsx")
    }

    @Sendable static func importWorkbook(_ req: Request) async throws -> Response {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu tệp tải lên.", en: "The file is missing.")
        }
        return try await define(req, try DTISheets.read(Data(buffer.readableBytesView)))
    }
}
