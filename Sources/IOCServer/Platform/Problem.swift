import Foundation
import IOCCore
import Vapor

/// An error a service raises on purpose: an HTTP status, a stable code, a Vietnamese and an English message and,
/// for bad input, the offending field. `ProblemMiddleware` turns it into RFC 9457 `application/problem+json`.
public struct IOCError: Error, Sendable, AbortError {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: LocalizedMessage
    public var field: String?
    public var headers: HTTPHeaders = [:]

    public init(_ status: HTTPResponseStatus, code: String, vi: String, en: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = LocalizedMessage(vi: vi, en: en)
        self.field = field
    }

    public var reason: String { message.en }

    public static func validation(_ failure: ValidationFailure) -> IOCError {
        IOCError(.unprocessableEntity, code: "validation", vi: failure.message.vi, en: failure.message.en, field: failure.field)
    }

    public static func invalid(_ field: String, vi: String, en: String) -> IOCError {
        IOCError(.unprocessableEntity, code: "validation", vi: vi, en: en, field: field)
    }

    public static func notFound(_ what: String, vi whatVi: String) -> IOCError {
        IOCError(.notFound, code: "not_found", vi: "Không tìm thấy \(whatVi).", en: "\(what) not found.")
    }

    public static let unauthenticated = IOCError(
        .unauthorized, code: "unauthenticated", vi: "Vui lòng đăng nhập hoặc cung cấp khóa API.",
        en: "Sign in or provide an API key.")

    public static let forbidden = IOCError(
        .forbidden, code: "forbidden", vi: "Bạn không có quyền thực hiện thao tác này.",
        en: "You are not allowed to do this.")

    public static func conflict(_ field: String?, vi: String, en: String) -> IOCError {
        IOCError(.conflict, code: "conflict", vi: vi, en: en, field: field)
    }
}

/// The RFC 9457 problem document, extended with both languages and the field.
public struct ProblemDetails: Content, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var instance: String?
    public var code: String
    public var field: String?
    public var messages: LocalizedMessage
    public var requestId: String?
}

/// Turns every error into `application/problem+json`. Unknown errors become a 500 whose details stay in the log.
public struct ProblemMiddleware: AsyncMiddleware {
    public init() {}

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return Self.response(for: error, request: request)
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let problem = Self.problem(for: error, request: request)
        if problem.status >= 500 {
            request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.url.path)"])
        } else {
            request.logger.debug("request rejected", metadata: ["code": "\(problem.code)", "status": "\(problem.status)"])
        }
        var headers = (error as? any AbortError)?.headers ?? [:]
        headers.replaceOrAdd(name: .contentType, value: "application/problem+json; charset=utf-8")
        let body = (try? JSONEncoder.ioc.encode(problem)) ?? Data("{}".utf8)
        return Response(status: HTTPResponseStatus(statusCode: problem.status), headers: headers, body: .init(data: body))
    }

    static func problem(for error: any Error, request: Request) -> ProblemDetails {
        let ioc: IOCError
        switch error {
        case let e as IOCError:
            ioc = e
        case let v as ValidationFailure:
            ioc = .validation(v)
        case let d as DecodingError:
            ioc = Self.decodingProblem(d)
        case let a as any AbortError:
            ioc = Self.abortProblem(a)
        default:
            ioc = IOCError(
                .internalServerError, code: "internal", vi: "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau.",
                en: "An internal error occurred. Please try again later.")
        }
        let english = request.headers.first(name: .acceptLanguage)?.lowercased().hasPrefix("en") ?? false
        return ProblemDetails(
            type: "https://ioc.local/problems/\(ioc.code)",
            title: ioc.status.reasonPhrase,
            status: Int(ioc.status.code),
            detail: english ? ioc.message.en : ioc.message.vi,
            instance: request.url.path,
            code: ioc.code,
            field: ioc.field,
            messages: ioc.message,
            requestId: request.headers.first(name: "X-Request-Id") ?? request.id)
    }

    static func decodingProblem(_ error: DecodingError) -> IOCError {
        func path(_ ctx: DecodingError.Context, extra: CodingKey? = nil) -> String {
            let keys = ctx.codingPath + (extra.map { [$0] } ?? [])
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let f = path(ctx, extra: key)
            return .invalid(f, vi: "Thiếu trường bắt buộc \(f).", en: "Missing required field \(f).")
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            let f = path(ctx)
            return .invalid(f, vi: "Trường \(f) có kiểu dữ liệu không đúng.", en: "Field \(f) has the wrong type.")
        case .dataCorrupted(let ctx):
            let f = path(ctx)
            if f.isEmpty {
                return IOCError(.badRequest, code: "malformed_body", vi: "Nội dung yêu cầu không phải JSON hợp lệ.", en: "The request body is not valid JSON.")
            }
            return .invalid(f, vi: "Giá trị của trường \(f) không hợp lệ.", en: "Field \(f) has an invalid value.")
        @unknown default:
            return IOCError(.badRequest, code: "malformed_body", vi: "Nội dung yêu cầu không hợp lệ.", en: "The request body is invalid.")
        }
    }

    static func abortProblem(_ error: any AbortError) -> IOCError {
        switch error.status {
        case .notFound:
            return IOCError(.notFound, code: "not_found", vi: "Không tìm thấy tài nguyên yêu cầu.", en: "The requested resource was not found.")
        case .payloadTooLarge:
            return IOCError(.payloadTooLarge, code: "payload_too_large", vi: "Nội dung gửi lên quá lớn.", en: "The request body is too large.")
        case .unsupportedMediaType:
            return IOCError(.unsupportedMediaType, code: "unsupported_media_type", vi: "Kiểu nội dung không được hỗ trợ.", en: "Unsupported content type.")
        case .methodNotAllowed:
            return IOCError(.methodNotAllowed, code: "method_not_allowed", vi: "Phương thức không được hỗ trợ.", en: "Method not allowed.")
        case .unauthorized:
            return .unauthenticated
        case .forbidden:
            return .forbidden
        case .badRequest:
            return IOCError(.badRequest, code: "bad_request", vi: "Yêu cầu không hợp lệ: \(error.reason)", en: "Bad request: \(error.reason)")
        default:
            let status = error.status
            if status.code >= 500 {
                return IOCError(status, code: "internal", vi: "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau.", en: "An internal error occurred. Please try again later.")
            }
            return IOCError(status, code: "http_\(status.code)", vi: "Yêu cầu không thể thực hiện (\(status.code)).", en: error.reason)
        }
    }
}

extension Request {
    /// Decodes the JSON body, turning decoding errors into field-level problems.
    func decodeBody<T: Decodable>(_ type: T.Type) throws -> T {
        guard let ct = headers.contentType, ct.type == "application", ct.subType == "json" || ct.subType.hasSuffix("+json") else {
            throw IOCError(.unsupportedMediaType, code: "unsupported_media_type",
                           vi: "Nội dung phải là JSON (Content-Type: application/json).",
                           en: "The body must be JSON (Content-Type: application/json).")
        }
        guard let buffer = body.data, buffer.readableBytes > 0 else {
            throw IOCError(.badRequest, code: "malformed_body", vi: "Thiếu nội dung yêu cầu.", en: "The request body is missing.")
        }
        do {
            return try JSONDecoder.ioc.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let e as DecodingError {
            throw ProblemMiddleware.decodingProblem(e)
        }
    }
}

extension JSONDecoder {
    /// ISO 8601 dates with or without fractional seconds.
    static var ioc: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            if let date = ISO8601.parse(s) { return date }
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "Not an ISO 8601 date-time with offset")
        }
        return d
    }
}

extension JSONEncoder {
    static var ioc: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601.format(date))
        }
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }
}

/// ISO 8601 date-times as the API writes and reads them.
enum ISO8601 {
    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, by integer arithmetic (Foundation's formatter is a hot spot at ingest rates).
    static func format(_ date: Date) -> String {
        // Whole seconds, then the truncated milliseconds of the fraction, as Foundation's formatter does.
        let t = date.timeIntervalSince1970
        let seconds = t.rounded(.down)
        let totalMs = Int64(seconds) * 1000 + min(999, Int64((t - seconds) * 1000))
        var days = totalMs >= 0 ? totalMs / 86_400_000 : (totalMs - 86_399_999) / 86_400_000
        let msOfDay = totalMs - days * 86_400_000
        // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int) {
            var digits = [UInt8](repeating: 48, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = 48 + UInt8(v % 10); v /= 10 }
            out.append(contentsOf: digits)
        }
        put(year, 4); out.append(45); put(month, 2); out.append(45); put(day, 2); out.append(84)
        put(msOfDay / 3_600_000, 2); out.append(58); put(msOfDay / 60_000 % 60, 2); out.append(58)
        put(msOfDay / 1_000 % 60, 2); out.append(46); put(msOfDay % 1_000, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ s: String) -> Date? {
        // The offset is required: a time without one is ambiguous (server zone vs Asia/Ho_Chi_Minh).
        guard s.count >= 20, s.count <= 40 else { return nil }
        if s.contains("."), let d = try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        if let d = try? Date(s, strategy: .iso8601) { return d }
        return nil
    }
}
