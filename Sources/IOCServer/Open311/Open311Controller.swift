import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Open311 GeoReport v2 over the field reports: discovery, services, definitions, requests (POST form-encoded or
/// multipart, GET with filters and paging), one request, tokens — in XML and JSON, with the spec's field names,
/// wrappers and error lists. A production endpoint (`/open311/v2`) and a test endpoint (`/open311/test/v2`) whose
/// submissions are validated but never stored.
enum Open311Controller {
    static let specification = "http://wiki.open311.org/GeoReport_v2"
    static let changeset = "2026-11-01T00:00:00Z"

    static func register(_ app: Application) {
        let root = app.grouped("open311")
        root.get(":file") { req in try await respond(req, format: req.parameters.get("file")) { format in try await discovery(req, format) } }
        for (base, test) in [(root.grouped("v2"), false), (root.grouped("test", "v2"), true)] {
            base.get(":resource") { req in
                let resource = req.parameters.get("resource") ?? ""
                return try await respond(req, format: resource) { format in
                    switch Open311Format.split(resource)?.name {
                    case "services": return try await services(req, format)
                    case "requests": return try await listRequests(req, format, test: test)
                    case "servicerequestupdates": return try await updates(req, format, test: test)
                    default: throw notFound()
                    }
                }
            }
            base.on(.POST, ":resource", body: .collect(maxSize: "32mb")) { req in
                let resource = req.parameters.get("resource") ?? ""
                return try await respond(req, format: resource) { format in
                    guard Open311Format.split(resource)?.name == "requests" else { throw notFound() }
                    return try await createRequest(req, format, test: test)
                }
            }
            base.get("services", ":file") { req in
                try await respond(req, format: req.parameters.get("file")) { format in try await serviceDefinition(req, format) }
            }
            // The old python-open311 client asks for the singular `service/{code}`.
            base.get("service", ":file") { req in
                try await respond(req, format: req.parameters.get("file")) { format in try await serviceDefinition(req, format) }
            }
            base.get("requests", ":file") { req in
                try await respond(req, format: req.parameters.get("file")) { format in try await oneRequest(req, format, test: test) }
            }
            base.get("tokens", ":file") { req in
                try await respond(req, format: req.parameters.get("file")) { format in try await token(req, format, test: test) }
            }
        }
    }

    // MARK: Plumbing

    static func notFound(_ what: String = "Tài nguyên không tồn tại / Resource not found") -> Open311Error {
        Open311Error(code: 404, description: what)
    }

    /// Runs `body` with the format from the resource's suffix; every failure becomes an Open311 error list.
    static func respond(_ req: Request, format file: String?, _ body: (Open311Format) async throws -> Response) async throws -> Response {
        guard let file, let (_, format) = Open311Format.split(file) else {
            return errorResponse([notFound("Định dạng phải là .xml hoặc .json / The format suffix must be .xml or .json")], .xml, status: 404)
        }
        do {
            return try await body(format)
        } catch let e as Open311Error {
            return errorResponse([e], format, status: e.code)
        } catch let e as IOCError {
            let status: Int = switch e.status.code {
            case 404: 404
            case 401, 403: 403
            case 429: 429
            default: 400
            }
            let r = errorResponse([Open311Error(code: status, description: "\(e.message.vi) / \(e.message.en)" + (e.field.map { " (\($0))" } ?? ""))], format, status: status)
            if let retry = e.headers.first(name: .retryAfter) { r.headers.replaceOrAdd(name: .retryAfter, value: retry) }
            return r
        } catch let f as ValidationFailure {
            return errorResponse([Open311Error(code: 400, description: "\(f.message.vi) / \(f.message.en) (\(f.field))")], format, status: 400)
        } catch {
            req.logger.error("open311 failure: \(String(describing: error))")
            return errorResponse([Open311Error(code: 500, description: "Lỗi máy chủ / Internal error")], format, status: 500)
        }
    }

    static func errorResponse(_ errors: [Open311Error], _ format: Open311Format, status: Int) -> Response {
        body(Open311Writer.errors(errors, format), format, status: HTTPStatus(statusCode: status))
    }

    static func body(_ bytes: [UInt8], _ format: Open311Format, status: HTTPStatus = .ok) -> Response {
        body(ByteBuffer(bytes: bytes), format, status: status)
    }

    /// A response over a buffer (cached buffers are shared, not copied: ByteBuffer is copy-on-write).
    static func body(_ buffer: ByteBuffer, _ format: Open311Format, status: HTTPStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: format.contentType)
        headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: "*")
        return Response(status: status, headers: headers, body: .init(buffer: buffer))
    }

    static func queryPairs(_ req: Request) throws -> [(name: String, value: String)] {
        try FormURLEncoded.parse(req.url.query ?? "")
    }

    /// `jurisdiction_id` is optional on a single-jurisdiction server; a different one is a 404.
    static func checkJurisdiction(_ value: String?, app: Application) throws {
        guard let value, !value.isEmpty else { return }
        guard value == app.iocConfiguration.open311Jurisdiction else {
            throw Open311Error(code: 404, description: "jurisdiction_id không tồn tại / Unknown jurisdiction_id (use \(app.iocConfiguration.open311Jurisdiction))")
        }
    }

    static func baseURL(_ req: Request) -> String {
        if let configured = req.application.iocConfiguration.publicURL { return configured.hasSuffix("/") ? String(configured.dropLast()) : configured }
        let host = req.headers.first(name: .host) ?? "127.0.0.1:8080"
        let safe = host.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:[]".unicodeScalars.contains($0)) }
        return "http://" + (safe && host.count <= 255 ? host : "127.0.0.1:8080")
    }

    /// The active source an `api_key` belongs to; 403 in the Open311 shape otherwise.
    static func source(forKey key: String, _ req: Request) async throws -> SourceModel {
        guard let source = try await PrincipalMiddleware.source(forKey: key, on: req.db) else {
            throw Open311Error(code: 403, description: "api_key không hợp lệ / Invalid api_key")
        }
        // Only an Open311 client's key: a camera's or a wall display's key does not file reports (nor skip the limit).
        guard SourceKind.parse(source.kind) == .open311 else {
            throw Open311Error(code: 403, description: "api_key không dành cho Open311 / This api_key is not an Open311 client's")
        }
        return source
    }

    // MARK: Discovery and services

    static func discovery(_ req: Request, _ format: Open311Format) async throws -> Response {
        guard Open311Format.split(req.parameters.get("file") ?? "")?.name == "discovery" else { throw notFound() }
        let base = baseURL(req)
        let formats = ["text/xml", "application/json"]
        let d = Open311Discovery(
            changeset: changeset,
            contact: "\(req.application.iocConfiguration.instanceName) — \(base)/cong-khai.html",
            keyService: "Gửi phản ánh không cần khóa (giới hạn tần suất). Tổ chức tích hợp xin khóa API tại Trung tâm IOC / No key is needed to post (rate-limited); integrators ask the IOC for an API key.",
            endpoints: [
                .init(specification: specification, url: "\(base)/open311/v2", changeset: changeset, type: "production", formats: formats),
                .init(specification: specification, url: "\(base)/open311/test/v2", changeset: changeset, type: "test", formats: formats),
            ])
        return body(Open311Writer.discovery(d, format), format)
    }

    static func services(_ req: Request, _ format: Open311Format) async throws -> Response {
        let pairs = try queryPairs(req)
        try checkJurisdiction(pairs.last { $0.name == "jurisdiction_id" }?.value, app: req.application)
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let list = d.orderedCategories.filter(\.active).map { c in
            Open311Service(code: c.code, name: c.name.vi, description: "\(c.description.vi) (\(c.policy.text.vi)) / \(c.name.en): \(c.description.en)",
                           metadata: true, type: "realtime", keywords: c.keywords, group: c.group)
        }
        return body(Open311Writer.services(list, format), format)
    }

    static func serviceDefinition(_ req: Request, _ format: Open311Format) async throws -> Response {
        let pairs = try queryPairs(req)
        try checkJurisdiction(pairs.last { $0.name == "jurisdiction_id" }?.value, app: req.application)
        guard let (code, _) = Open311Format.split(req.parameters.get("file") ?? "") else { throw notFound() }
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        guard let c = d.categories[code], c.active else { throw notFound("service_code không tồn tại / Unknown service_code") }
        let def = Open311ServiceDefinition(serviceCode: c.code, attributes: [
            .init(variable: false, code: "thoi_han", datatype: "string", required: false, datatypeDescription: nil, order: 1,
                  description: "Thời hạn xử lý: \(c.policy.text.vi) / Time limit: \(c.policy.text.en)", values: []),
            .init(variable: true, code: "dia_chi_chi_tiet", datatype: "string", required: false,
                  datatypeDescription: "Số nhà, tên đường, thôn/buôn / House number, street, village", order: 2,
                  description: "Địa chỉ chi tiết (không bắt buộc) / Detailed address (optional)", values: []),
        ])
        return body(Open311Writer.serviceDefinition(def, format), format)
    }

    // MARK: POST requests

    static func createRequest(_ req: Request, _ format: Open311Format, test: Bool) async throws -> Response {
        var pairs: [(name: String, value: String)] = []
        var files: [[UInt8]] = []
        let type = req.headers.contentType
        if type?.type == "multipart", type?.subType == "form-data" {
            let form = try MultipartForm.parse(req, maxParts: 220)
            for part in form.parts {
                if part.filename != nil, ["media", "media[]"].contains(part.name) || part.name.hasPrefix("photo") {
                    files.append(Array(part.body))
                } else if part.filename == nil {
                    guard let text = part.text else { throw Open311Error(code: 400, description: "Trường \(part.name) không phải UTF-8 / \(part.name) is not UTF-8") }
                    pairs.append((part.name, text))
                }
            }
        } else if type == nil || (type?.type == "application" && type?.subType == "x-www-form-urlencoded") {
            guard let buffer = req.body.data else { throw Open311Error(code: 400, description: "Thiếu nội dung / Empty body") }
            pairs = try FormURLEncoded.parse(Array(buffer.readableBytesView))
        } else {
            throw Open311Error(code: 400, description: "Content-Type phải là application/x-www-form-urlencoded hoặc multipart/form-data / Content-Type must be application/x-www-form-urlencoded or multipart/form-data")
        }
        let p = try Open311CreateParameters(pairs: pairs)
        try checkJurisdiction(p.jurisdictionID, app: req.application)
        // api_key: validated when given; required only when the province says so.
        var actor = "open311"
        if let key = p.apiKey {
            actor = "source:\(try await source(forKey: key, req).name)"
        } else if req.application.iocConfiguration.open311RequiresKey {
            throw Open311Error(code: 403, description: "Cần api_key / api_key is required")
        } else {
            try await IntakeThrottle.admit(req.clientAddress, limit: req.application.iocConfiguration.intakeLimit, app: req.application, on: req.db)
        }
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        guard let category = d.categories[p.serviceCode], category.active else {
            throw Open311Error(code: 404, description: "service_code không tồn tại / Unknown service_code")
        }
        guard p.lat != nil, p.long != nil else {
            throw Open311Error(code: 400, description: "Cần tọa độ lat và long (chưa hỗ trợ tra địa chỉ) / lat and long are required (addresses are not geocoded)")
        }
        var s = FieldReportSubmission()
        s.category = category.code
        let description = p.description ?? p.attributes["description"]?.first ?? p.attributes["title"]?.first
        s.description = description
        if description?.isEmpty ?? true { throw Open311Error(code: 400, description: "Thiếu description / description is missing") }
        s.lat = p.lat.map { String($0) }
        s.lon = p.long.map { String($0) }
        s.address = p.attributes["dia_chi_chi_tiet"]?.first ?? p.addressString
        let name = [p.firstName, p.lastName].compactMap { $0 }.joined(separator: " ")
        s.name = name.isEmpty ? nil : name
        s.phone = p.phone
        s.email = p.email
        // The client collected the contact details to send them to the city: that is the consent.
        s.consent = s.name != nil || s.phone != nil || s.email != nil
        s.photos = files
        s.mediaURLs = p.mediaURLs
        s.channel = "open311"
        s.requirePhoto = false
        if test {
            _ = try FieldReportService.validate(s, app: req.application, directory: d)
            let fake = "TEST-" + UUID().uuidString.prefix(8).lowercased()
            return body(Open311Writer.created([Open311CreatedRequest(serviceRequestID: fake, token: nil,
                serviceNotice: "Môi trường thử nghiệm: phản ánh hợp lệ nhưng không được lưu / Test endpoint: valid, not stored", accountID: nil)], format), format)
        }
        let created = try await FieldReportService.intake(s, app: req.application, db: req.db, actor: actor, origin: req.clientAddress)
        return body(Open311Writer.created([Open311CreatedRequest(serviceRequestID: created.model.code, token: nil,
                                                                 serviceNotice: category.policy.serviceNotice, accountID: nil)], format), format)
    }

    // MARK: GET requests

    struct Row: Decodable {
        var id: UUID
        var code: String
        var category: String
        var status: String
        var agency_id: UUID?
        var unit_code: String?
        var lat: Double?
        var lon: Double?
        var address: String?
        var description: String
        var channel: String
        var received_at: Date
        var updated_at: Date
        var due_at: Date
        var result_text: String?
        var duplicate_of: String?
        var policy_amount: Int
        var policy_unit: String
        /// The first result photo (media_url), read in the same statement.
        var photo: String?
    }

    static let columns = "id, code, category, status, agency_id, unit_code, lat, lon, address, description, channel, received_at, updated_at, due_at, result_text, duplicate_of, policy_amount, policy_unit, (SELECT a.sha256 FROM case_attachments a WHERE a.case_id = cases.id AND a.role = 'result' ORDER BY a.position LIMIT 1) AS photo"

    static func listRequests(_ req: Request, _ format: Open311Format, test: Bool) async throws -> Response {
        let q = try Open311QueryParameters(pairs: try queryPairs(req))
        try checkJurisdiction(q.jurisdictionID, app: req.application)
        if test { return body(Open311Writer.requests([], format), format) }
        let cache = req.application.open311Cache
        let cacheKey = "\(format.rawValue)?\(req.url.query ?? "")|\(baseURL(req))"
        if let hit = cache.get(cacheKey) { return body(hit, format) }
        let version = cache.version
        let now = req.application.clock.now
        let sql = req.db as! any SQLDatabase
        // SQLite has no statistics to choose by: one category reads its (category, time, code) index, several or none
        // the (time, code) index, both already in the order of the answer.
        var hint: SQLQueryString = ""
        if q.serviceRequestIDs == nil, q.updatedAfter == nil, q.updatedBefore == nil {
            hint = sql.iocDialect.indexHint(q.serviceCodes?.count == 1 ? "cases_category_received_idx" : "cases_received_idx")
        }
        var query = SQLQueryString("SELECT \(unsafeRaw: columns) FROM cases\(hint) WHERE kind = 'field_report' AND is_public = \(bind: true) AND status <> 'rejected'")
        if let ids = q.serviceRequestIDs {
            query.appendInterpolation(unsafeRaw: " AND code IN (")
            query.appendInterpolation(binds: ids)
            query.appendInterpolation(unsafeRaw: ")")
        } else {
            if let codes = q.serviceCodes {
                query.appendInterpolation(unsafeRaw: " AND category IN (")
                query.appendInterpolation(binds: codes)
                query.appendInterpolation(unsafeRaw: ")")
            }
            if q.updatedAfter == nil && q.updatedBefore == nil || q.startDate != nil || q.endDate != nil {
                let (start, end) = q.requestedWindow(now: now)
                query.appendInterpolation(unsafeRaw: " AND received_at >= ")
                query.appendInterpolation(bind: start)
                query.appendInterpolation(unsafeRaw: " AND received_at <= ")
                query.appendInterpolation(bind: end)
            }
            if let after = q.updatedAfter {
                query.appendInterpolation(unsafeRaw: " AND updated_at > ")
                query.appendInterpolation(bind: after)
            }
            if let before = q.updatedBefore {
                query.appendInterpolation(unsafeRaw: " AND updated_at <= ")
                query.appendInterpolation(bind: before)
            }
            if let statuses = q.statuses, Set(statuses).count == 1 {
                query.appendInterpolation(unsafeRaw: statuses[0] == "open" ? " AND status IN (" : " AND status NOT IN (")
                query.appendInterpolation(binds: CaseStatus.openStatuses.map(\.rawValue))
                query.appendInterpolation(unsafeRaw: ")")
            }
        }
        query.appendInterpolation(unsafeRaw: q.updatedAfter != nil ? " ORDER BY updated_at ASC, code ASC" : " ORDER BY received_at DESC, code DESC")
        query.appendInterpolation(unsafeRaw: " LIMIT \(q.pageSize) OFFSET \((q.page - 1) * q.pageSize)")
        let rows = try await sql.raw(query).all(decoding: Row.self)
        let bytes = ByteBuffer(bytes: Open311Writer.requests(try await requests(rows, req: req, extensions: q.extensions), format))
        cache.put(cacheKey, bytes, ifVersion: version)
        return body(bytes, format)
    }

    static func oneRequest(_ req: Request, _ format: Open311Format, test: Bool) async throws -> Response {
        let q = try Open311QueryParameters(pairs: try queryPairs(req))
        try checkJurisdiction(q.jurisdictionID, app: req.application)
        guard let (id, _) = Open311Format.split(req.parameters.get("file") ?? ""), !test else { throw notFound("service_request_id không tồn tại / Unknown service_request_id") }
        let sql = req.db as! any SQLDatabase
        let rows = try await sql.raw("SELECT \(unsafeRaw: columns) FROM cases WHERE code = \(bind: id) AND kind = 'field_report' AND is_public = \(bind: true) AND status <> 'rejected'")
            .all(decoding: Row.self)
        guard !rows.isEmpty else { throw notFound("service_request_id không tồn tại / Unknown service_request_id") }
        return body(Open311Writer.requests(try await requests(rows, req: req, extensions: q.extensions), format), format)
    }

    static func token(_ req: Request, _ format: Open311Format, test: Bool) async throws -> Response {
        let pairs = try queryPairs(req)
        try checkJurisdiction(pairs.last { $0.name == "jurisdiction_id" }?.value, app: req.application)
        guard let (token, _) = Open311Format.split(req.parameters.get("file") ?? ""), !test, token.utf8.count <= 64 else {
            throw notFound("token không tồn tại / Unknown token")
        }
        guard let c = try await CaseModel.query(on: req.db).filter(\.$token == token).first(), c.isPublic else {
            throw notFound("token không tồn tại / Unknown token")
        }
        return body(Open311Writer.tokens([Open311TokenResult(serviceRequestID: c.code, token: token)], format), format)
    }

    /// mySociety `servicerequestupdates`: the public status changes and replies in a window (default the last 24 hours,
    /// at most 90 days), oldest first, so FixMyStreet can bring them back to its reports.
    static func updates(_ req: Request, _ format: Open311Format, test: Bool) async throws -> Response {
        let pairs = try queryPairs(req)
        func value(_ name: String) -> String? { pairs.last { $0.name == name }.flatMap { $0.value.isEmpty ? nil : $0.value } }
        try checkJurisdiction(value("jurisdiction_id"), app: req.application)
        if let key = value("api_key") { _ = try await source(forKey: key, req) }
        let now = req.application.clock.now
        func date(_ name: String) throws -> Date? {
            guard let v = value(name) else { return nil }
            guard let d = W3CDateTime.parse(v.replacingOccurrences(of: " ", with: "+")) else {
                throw Open311Error(code: 400, description: "\(name) phải là thời điểm W3C có múi giờ / \(name) must be a W3C datetime with a time zone")
            }
            return d
        }
        let end = try date("end_date") ?? now
        let start = try date("start_date") ?? end.addingTimeInterval(-86_400)
        guard start <= end, end.timeIntervalSince(start) <= 90 * 86_400 else {
            throw Open311Error(code: 400, description: "Khoảng start_date–end_date không hợp lệ (tối đa 90 ngày) / Invalid start_date–end_date range (at most 90 days)")
        }
        if test { return body(Open311Writer.requestUpdates([], format), format) }
        struct Row: Decodable { var id: UUID; var at: Date; var type: String; var note: String?; var to_status: String?; var photos: String; var code: String; var status: String }
        let sql = req.db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT e.id, e.at, e.type, e.note, e.to_status, e.photos, c.code, c.status FROM case_events e JOIN cases c ON c.id = e.case_id
            WHERE e.is_public = \(bind: true) AND c.is_public = \(bind: true) AND c.kind = 'field_report' AND c.status <> 'rejected'
              AND e.type <> 'created' AND (e.to_status IS NOT NULL OR e.type = 'note') AND e.at >= \(bind: start) AND e.at <= \(bind: end)
            ORDER BY e.at ASC, e.id ASC LIMIT 1000
            """).all(decoding: Row.self)
        let base = baseURL(req)
        let list = rows.map { r -> Open311RequestUpdate in
            let status: String = r.type == "reopened" ? "reopen" : (CaseStatus(rawValue: r.to_status ?? r.status)?.open311DetailedStatus ?? "open")
            let label = CaseViews.eventLabel(r.type)
            let photo = r.photos.split(separator: ",").first.map { "\(base)\(CaseViews.photoURL(r.code, String($0)))" }
            return Open311RequestUpdate(updateID: r.id.uuidString.lowercased(), serviceRequestID: r.code, status: status, updatedDatetime: r.at,
                                        description: r.note.map { "\(label.vi): \($0)" } ?? "\(label.vi) / \(label.en)", mediaURL: photo,
                                        externalStatusCode: r.type)
        }
        return body(Open311Writer.requestUpdates(list, format), format)
    }

    /// Open311 request records for rows (one query each for result photos and, with extensions, the public timeline).
    static func requests(_ rows: [Row], req: Request, extensions: Bool) async throws -> [Open311Request] {
        guard !rows.isEmpty else { return [] }
        let d = try await req.application.caseDirectory.snapshot(on: req.db)
        let base = baseURL(req)
        let ids = rows.map(\.id)
        var results: [UUID: [String]] = [:]
        var notes: [UUID: [Open311Request.Note]] = [:]
        if extensions {
            for link in try await CaseAttachmentModel.query(on: req.db).filter(\.$caseID ~~ ids)
                .filter(\.$role == CaseAttachmentModel.Role.result.rawValue).sort(\.$position).all() {
                results[link.caseID, default: []].append(link.sha256)
            }
            for e in try await CaseEventModel.query(on: req.db).filter(\.$caseID ~~ ids).filter(\.$isPublic == true).sort(\.$at).all() {
                let label = CaseViews.eventLabel(e.type)
                notes[e.caseID, default: []].append(Open311Request.Note(datetime: e.at, type: e.type,
                                                                        description: e.note ?? "\(label.vi) / \(label.en)", summary: "\(label.vi) / \(label.en)"))
            }
        }
        return rows.map { r in
            let status = CaseStatus(rawValue: r.status) ?? .new
            let category = d.categories[r.category]
            let agency = r.agency_id.flatMap { d.agencies[$0] }
            let unit = r.unit_code.flatMap { req.application.reference.units[$0] }
            let photos = (extensions ? results[r.id] ?? [] : r.photo.map { [$0] } ?? []).map { "\(base)\(CaseViews.photoURL(r.code, $0))" }
            let policy = SLAPolicy(amount: r.policy_amount, unit: SLAPolicy.Unit(rawValue: r.policy_unit) ?? .workingHours)
            var notesText = "\(status.label.vi) / \(status.label.en)"
            if let result = r.result_text, status == .resolved || status == .closed { notesText += ": \(result)" }
            var request = Open311Request(
                serviceRequestID: r.code, status: status.open311Status, statusNotes: notesText,
                serviceName: category?.name.vi ?? r.category, serviceCode: r.category, description: r.description,
                agencyResponsible: agency?.name, serviceNotice: policy.serviceNotice, requestedDatetime: r.received_at,
                updatedDatetime: r.updated_at, expectedDatetime: r.due_at,
                address: r.address ?? unit.map { "\($0.fullName), tỉnh Đắk Lắk" }, addressID: nil, zipcode: nil,
                lat: r.lat, long: r.lon, mediaURL: photos.first)
            if extensions {
                request.extensions = Open311Request.Extensions(
                    detailedStatus: status.open311DetailedStatus, statusLabel: "\(status.label.vi) / \(status.label.en)",
                    ward: unit?.fullName, wardCode: r.unit_code, duplicateOf: r.duplicate_of, channel: r.channel,
                    photos: photos, notes: notes[r.id] ?? [])
            }
            return request
        }
    }
}

/// A short-lived cache of `GET requests` answers. Any case change on this instance empties it at once (the version
/// moves); changes made by another instance show within `ttl`. Bounded: it is emptied when full.
/// `IOC_OPEN311_CACHE_SECONDS=0` turns it off.
final class Open311ResponseCache: Sendable {
    private struct State {
        var version: UInt64 = 0
        var entries: [String: (bytes: ByteBuffer, at: Date, version: UInt64)] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let ttl: TimeInterval
    static let maxEntries = 2_000

    init(ttl: TimeInterval) { self.ttl = ttl }

    var version: UInt64 { state.withLockedValue { $0.version } }

    func get(_ key: String) -> ByteBuffer? {
        guard ttl > 0 else { return nil }
        return state.withLockedValue { s in
            guard let e = s.entries[key], e.version == s.version, Date().timeIntervalSince(e.at) < ttl else { return nil }
            return e.bytes
        }
    }

    /// Stores an answer computed while the data was at `version` (dropped if something changed meanwhile).
    func put(_ key: String, _ bytes: ByteBuffer, ifVersion version: UInt64) {
        guard ttl > 0 else { return }
        state.withLockedValue { s in
            guard s.version == version else { return }
            if s.entries.count >= Self.maxEntries { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = (bytes, Date(), version)
        }
    }

    func invalidate() {
        state.withLockedValue { s in
            s.version &+= 1
            s.entries.removeAll(keepingCapacity: true)
        }
    }
}

extension Application {
    private struct Open311CacheKey: StorageKey { typealias Value = Open311ResponseCache }
    var open311Cache: Open311ResponseCache {
        get { storage[Open311CacheKey.self] ?? Open311ResponseCache(ttl: 0) }
        set { storage[Open311CacheKey.self] = newValue }
    }
}
