import Foundation

// Validated request parameters of POST /requests (§1.6) and GET /requests (§1.8, §1.13 a–c).
// Both take the decoded pairs of `FormURLEncoded.parse` (body or query string).

/// Common limits and checks applied to every parameter list.
enum Open311Input {
    static let maxParameters = 200
    static let maxNameLength = 200
    static let maxValueLength = 4000

    /// Rejects more than 200 parameters, names over 200 characters, values over 4,000 characters
    /// and control characters other than TAB, LF and CR (also DEL, C1 controls U+0080–U+009F and
    /// the non-characters U+FFFE/U+FFFF, none of which may appear in XML output).
    static func check(_ pairs: [(name: String, value: String)]) throws(Open311Error) {
        if pairs.count > maxParameters {
            throw .badRequest("Quá nhiều tham số (\(pairs.count), tối đa \(maxParameters))",
                              "Too many parameters (\(pairs.count), at most \(maxParameters))")
        }
        for (name, value) in pairs {
            if name.utf8.count > maxNameLength, name.count > maxNameLength {
                throw .badRequest("Tên tham số \"\(shown(name))\" dài quá \(maxNameLength) ký tự",
                                  "Parameter name \"\(shown(name))\" is longer than \(maxNameLength) characters")
            }
            if value.utf8.count > maxValueLength, value.count > maxValueLength {
                throw .badRequest("Giá trị của \(shown(name)) dài quá \(maxValueLength) ký tự",
                                  "Value of \(shown(name)) is longer than \(maxValueLength) characters")
            }
            if hasForbiddenControl(name) {
                throw .badRequest("Tên tham số chứa ký tự điều khiển không hợp lệ",
                                  "Parameter name contains a forbidden control character")
            }
            if hasForbiddenControl(value) {
                throw .badRequest("Giá trị của \(shown(name)) chứa ký tự điều khiển không hợp lệ",
                                  "Value of \(shown(name)) contains a forbidden control character")
            }
        }
    }

    /// A parameter name shortened for error messages.
    static func shown(_ name: String) -> String {
        name.count <= 40 ? name : String(name.prefix(40)) + "…"
    }

    static func hasForbiddenControl(_ s: String) -> Bool {
        var prev: UInt8 = 0
        var prev2: UInt8 = 0
        for b in s.utf8 {
            if b < 0x20 {
                if b != 0x09 && b != 0x0A && b != 0x0D { return true }
            } else if b == 0x7F {
                return true
            } else if prev == 0xC2 && b >= 0x80 && b <= 0x9F {
                return true // U+0080…U+009F
            } else if prev2 == 0xEF && prev == 0xBF && (b == 0xBE || b == 0xBF) {
                return true // U+FFFE, U+FFFF
            }
            prev2 = prev
            prev = b
        }
        return false
    }

    /// CRLF and lone CR become LF (HTML forms and FixMyStreet send line breaks as CRLF).
    static func normalizeNewlines(_ s: String) -> String {
        guard s.utf8.contains(0x0D) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingCR = false
        for b in s.utf8 {
            if pendingCR {
                pendingCR = false
                out.append(0x0A)
                if b == 0x0A { continue }
            }
            if b == 0x0D { pendingCR = true } else { out.append(b) }
        }
        if pendingCR { out.append(0x0A) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Drops leading and trailing white space (Unicode `White_Space`, so also NBSP and ideographic
    /// space).
    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last,
              first.properties.isWhitespace || last.properties.isWhitespace else { return s }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }

    /// Empty (after trimming) means absent.
    static func nonEmpty(_ s: String) -> String? {
        let t = trimmed(s)
        return t.isEmpty ? nil : t
    }

    /// Sets a single-valued parameter. Repeating it with the same value is accepted; with a
    /// different value it is a 400 (no silent first- or last-wins).
    static func setOnce(_ slot: inout String?, _ value: String?, name: String) throws(Open311Error) {
        guard let value else { return }
        if let old = slot, old != value {
            throw .badRequest("Tham số \(name) xuất hiện nhiều lần với giá trị khác nhau",
                              "Parameter \(name) is given more than once with different values")
        }
        slot = value
    }

    /// A plain decimal: optional sign, digits, optional fraction (`12.6675`, `-0.5`, `108`).
    /// No exponent, no `nan`/`inf`, no hex.
    static func decimal(_ s: String) -> Double? {
        var digits = 0
        var dot = false
        for (i, b) in s.utf8.enumerated() {
            switch b {
            case 0x30...0x39: digits += 1
            case 0x2E where !dot: dot = true
            case 0x2B where i == 0, 0x2D where i == 0: continue
            default: return nil
            }
        }
        guard digits > 0, let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// Comma-separated list: items trimmed, empty items dropped, duplicates dropped (first kept).
    static func appendList(_ list: inout [String], _ raw: String) {
        for part in raw.split(separator: ",", omittingEmptySubsequences: true) {
            let item = trimmed(String(part))
            if !item.isEmpty, !list.contains(item) { list.append(item) }
        }
    }
}

/// The parameters of `POST /requests.{fmt}` after validation (§1.6).
///
/// Rules (violations throw `Open311Error` with code 400 and a bilingual description):
/// - at most 200 parameters; names ≤ 200 characters; every value ≤ 4,000 characters; no control
///   characters other than TAB, LF, CR (CRLF and lone CR are stored as LF);
/// - a parameter passed empty (or only whitespace) is the same as one not passed; values of the
///   identity/location fields are trimmed; `description` and attribute values keep their inner
///   and surrounding text except line-break normalisation;
/// - `service_code` is required;
/// - a location is required: `lat`+`long` together (both or neither; plain decimals, latitude
///   −90…90, longitude −180…180) **or** `address_string` **or** `address_id`;
/// - `description` ≤ 4,000 characters (Swift `Character`s);
/// - `attribute[CODE]=v` and `attribute[CODE][]=v` (both repeatable, order kept) are collected
///   into `attributes[CODE]`; malformed attribute names are ignored;
/// - `media_url` (also `media_url[]`) may repeat; each must be an `http://` or `https://` URL;
/// - `device_id` is also accepted as `deviceid`, the spelling FixMyStreet sends;
/// - `email`, when present, must look like an address (`x@y`, no spaces);
/// - a single-valued parameter repeated with a different value is a 400;
/// - unknown parameters are ignored.
///
/// `api_key` is only carried here: checking it (403) is the server's job.
public struct Open311CreateParameters: Sendable, Equatable {
    public var serviceCode: String
    public var lat: Double?
    public var long: Double?
    public var addressString: String?
    public var addressID: String?
    public var email: String?
    public var deviceID: String?
    public var accountID: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var description: String?
    public var mediaURLs: [String]
    /// `attribute[CODE]` answers, keyed by CODE, values in submission order.
    public var attributes: [String: [String]]
    public var apiKey: String?
    public var jurisdictionID: String?

    /// Maximum length of `description` in characters (§1.6).
    public static let maxDescriptionLength = 4000

    public init(pairs: [(name: String, value: String)]) throws(Open311Error) {
        try Open311Input.check(pairs)
        var serviceCode: String?
        var latText: String?
        var longText: String?
        var addressString: String?
        var addressID: String?
        var email: String?
        var deviceID: String?
        var accountID: String?
        var firstName: String?
        var lastName: String?
        var phone: String?
        var description: String?
        var apiKey: String?
        var jurisdictionID: String?
        var media: [String] = []
        var attributes: [String: [String]] = [:]

        for (name, rawValue) in pairs {
            let value = Open311Input.normalizeNewlines(rawValue)
            switch name {
            case "service_code": try Open311Input.setOnce(&serviceCode, Open311Input.nonEmpty(value), name: name)
            case "lat": try Open311Input.setOnce(&latText, Open311Input.nonEmpty(value), name: name)
            case "long": try Open311Input.setOnce(&longText, Open311Input.nonEmpty(value), name: name)
            case "address_string": try Open311Input.setOnce(&addressString, Open311Input.nonEmpty(value), name: name)
            case "address_id": try Open311Input.setOnce(&addressID, Open311Input.nonEmpty(value), name: name)
            case "email": try Open311Input.setOnce(&email, Open311Input.nonEmpty(value), name: name)
            case "device_id", "deviceid": try Open311Input.setOnce(&deviceID, Open311Input.nonEmpty(value), name: "device_id")
            case "account_id": try Open311Input.setOnce(&accountID, Open311Input.nonEmpty(value), name: name)
            case "first_name": try Open311Input.setOnce(&firstName, Open311Input.nonEmpty(value), name: name)
            case "last_name": try Open311Input.setOnce(&lastName, Open311Input.nonEmpty(value), name: name)
            case "phone": try Open311Input.setOnce(&phone, Open311Input.nonEmpty(value), name: name)
            case "api_key": try Open311Input.setOnce(&apiKey, Open311Input.nonEmpty(value), name: name)
            case "jurisdiction_id": try Open311Input.setOnce(&jurisdictionID, Open311Input.nonEmpty(value), name: name)
            case "description":
                let d: String? = Open311Input.trimmed(value).isEmpty ? nil : value
                try Open311Input.setOnce(&description, d, name: name)
            case "media_url", "media_url[]":
                guard let url = Open311Input.nonEmpty(value) else { continue }
                let lower = url.lowercased()
                guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.utf8.count > 8 else {
                    throw .badRequest("media_url phải là một URL http:// hoặc https://",
                                      "media_url must be an http:// or https:// URL")
                }
                if !media.contains(url) { media.append(url) }
            default:
                guard let code = Self.attributeCode(name) else { continue } // unknown: ignored
                guard !Open311Input.trimmed(value).isEmpty else { continue }
                attributes[code, default: []].append(value)
            }
        }

        guard let serviceCode else {
            throw .badRequest("Thiếu service_code", "service_code is missing")
        }
        var lat: Double?
        var long: Double?
        switch (latText, longText) {
        case (nil, nil):
            break
        case let (latText?, longText?):
            guard let la = Open311Input.decimal(latText), (-90.0...90.0).contains(la) else {
                throw .badRequest("lat phải là số thập phân trong khoảng -90 đến 90",
                                  "lat must be a decimal number between -90 and 90")
            }
            guard let lo = Open311Input.decimal(longText), (-180.0...180.0).contains(lo) else {
                throw .badRequest("long phải là số thập phân trong khoảng -180 đến 180",
                                  "long must be a decimal number between -180 and 180")
            }
            lat = la
            long = lo
        default:
            throw .badRequest("lat và long phải được gửi cùng nhau",
                              "lat and long must be given together")
        }
        if lat == nil, addressString == nil, addressID == nil {
            throw .badRequest("Thiếu vị trí: cần lat và long, address_string hoặc address_id",
                              "A location is required: lat and long, address_string or address_id")
        }
        if let d = description, d.count > Self.maxDescriptionLength {
            throw .badRequest("description dài quá \(Self.maxDescriptionLength) ký tự",
                              "description is longer than \(Self.maxDescriptionLength) characters")
        }
        if let e = email {
            let parts = e.split(separator: "@", omittingEmptySubsequences: false)
            let ok = parts.count == 2 && !parts[0].isEmpty && parts[1].count >= 1
                && !e.contains(where: { $0.isWhitespace })
            if !ok {
                throw .badRequest("email không hợp lệ", "email is not a valid address")
            }
        }

        self.serviceCode = serviceCode
        self.lat = lat
        self.long = long
        self.addressString = addressString
        self.addressID = addressID
        self.email = email
        self.deviceID = deviceID
        self.accountID = accountID
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.description = description
        self.mediaURLs = media
        self.attributes = attributes
        self.apiKey = apiKey
        self.jurisdictionID = jurisdictionID
    }

    /// `attribute[CODE]` or `attribute[CODE][]` → CODE; anything else → nil.
    static func attributeCode(_ name: String) -> String? {
        guard name.hasPrefix("attribute[") else { return nil }
        let rest = name.dropFirst("attribute[".count)
        guard let close = rest.firstIndex(of: "]") else { return nil }
        let code = rest[..<close]
        let tail = rest[rest.index(after: close)...]
        guard !code.isEmpty, !code.contains("["), tail.isEmpty || tail == "[]" else { return nil }
        return String(code)
    }
}

/// The filters of `GET /requests.{fmt}` after validation (§1.8, v2.1 `updated_*`, pagination,
/// `extensions`).
///
/// Rules (violations throw `Open311Error` with code 400 and a bilingual description naming the
/// parameter):
/// - the common limits of `Open311CreateParameters` (200 parameters, lengths, control characters);
/// - empty values mean absent; comma lists (`service_request_id`, `service_code`, `status`) are
///   trimmed, empty items and duplicates dropped, and repeated parameters merged;
/// - at most 100 `service_request_id`s;
/// - `status` items must be `open` or `closed` (case-insensitive, stored lower-case);
/// - `start_date`, `end_date`, `updated_after`, `updated_before` must be W3C-DTF datetimes **with**
///   a time zone. A space where the zone sign should be is read as `+` (an unencoded `+07:00` in
///   a query string arrives as ` 07:00`);
/// - unless `service_request_id` is given (it overrides all other filters), `start_date` must not
///   be after `end_date`, the range may not exceed 90 days, and `updated_after` must not be after
///   `updated_before`;
/// - `page` 1…100000 (default 1), `page_size` 1…1000 (default 50, as Chicago's server);
/// - `extensions` is `true`/`false` (also `1`/`0`, case-insensitive), default false;
/// - other parameters (`api_key`, …) are ignored.
///
/// Defaults for absent dates (the last 90 days) are applied by `requestedWindow(now:)`.
public struct Open311QueryParameters: Sendable, Equatable {
    public var serviceRequestIDs: [String]?
    public var serviceCodes: [String]?
    public var startDate: Date?
    public var endDate: Date?
    /// Subset of `["open", "closed"]`, nil = all.
    public var statuses: [String]?
    public var updatedAfter: Date?
    public var updatedBefore: Date?
    /// 1-based page number (default 1).
    public var page: Int
    /// Page size (default 50, at most 1000).
    public var pageSize: Int
    public var extensions: Bool
    public var jurisdictionID: String?

    public static let defaultPageSize = 50
    public static let maxPageSize = 1000
    public static let maxPage = 100_000
    public static let maxIDs = 100
    /// Longest `start_date`…`end_date` range, and the default window.
    public static let maxRangeDays = 90

    /// All defaults: no filter, page 1 of 50, no extensions.
    public init() {
        page = 1
        pageSize = Self.defaultPageSize
        extensions = false
    }

    public init(pairs: [(name: String, value: String)]) throws(Open311Error) {
        self.init()
        try Open311Input.check(pairs)
        var ids: [String] = []
        var codes: [String] = []
        var statuses: [String] = []
        var start: String?
        var end: String?
        var after: String?
        var before: String?
        var page: String?
        var pageSize: String?
        var ext: String?
        var jurisdiction: String?

        for (name, value) in pairs {
            switch name {
            case "service_request_id": Open311Input.appendList(&ids, value)
            case "service_code": Open311Input.appendList(&codes, value)
            case "status":
                var items: [String] = []
                Open311Input.appendList(&items, value)
                for item in items {
                    let s = item.lowercased()
                    guard s == "open" || s == "closed" else {
                        throw .badRequest("status chỉ nhận open hoặc closed (nhận được \"\(Open311Input.shown(item))\")",
                                          "status must be open or closed (got \"\(Open311Input.shown(item))\")")
                    }
                    if !statuses.contains(s) { statuses.append(s) }
                }
            case "start_date": try Open311Input.setOnce(&start, Open311Input.nonEmpty(value), name: name)
            case "end_date": try Open311Input.setOnce(&end, Open311Input.nonEmpty(value), name: name)
            case "updated_after": try Open311Input.setOnce(&after, Open311Input.nonEmpty(value), name: name)
            case "updated_before": try Open311Input.setOnce(&before, Open311Input.nonEmpty(value), name: name)
            case "page": try Open311Input.setOnce(&page, Open311Input.nonEmpty(value), name: name)
            case "page_size": try Open311Input.setOnce(&pageSize, Open311Input.nonEmpty(value), name: name)
            case "extensions": try Open311Input.setOnce(&ext, Open311Input.nonEmpty(value)?.lowercased(), name: name)
            case "jurisdiction_id": try Open311Input.setOnce(&jurisdiction, Open311Input.nonEmpty(value), name: name)
            default: continue
            }
        }

        if ids.count > Self.maxIDs {
            throw .badRequest("Tối đa \(Self.maxIDs) service_request_id mỗi lần truy vấn (nhận \(ids.count))",
                              "At most \(Self.maxIDs) service_request_id values per query (got \(ids.count))")
        }
        serviceRequestIDs = ids.isEmpty ? nil : ids
        serviceCodes = codes.isEmpty ? nil : codes
        self.statuses = statuses.isEmpty ? nil : statuses
        startDate = try Self.date(start, "start_date")
        endDate = try Self.date(end, "end_date")
        updatedAfter = try Self.date(after, "updated_after")
        updatedBefore = try Self.date(before, "updated_before")
        if let page { self.page = try Self.integer(page, "page", 1...Self.maxPage) }
        if let pageSize { self.pageSize = try Self.integer(pageSize, "page_size", 1...Self.maxPageSize) }
        if let ext {
            switch ext {
            case "true", "1": extensions = true
            case "false", "0": extensions = false
            default:
                throw .badRequest("extensions chỉ nhận true hoặc false", "extensions must be true or false")
            }
        }
        jurisdictionID = jurisdiction

        if serviceRequestIDs == nil {
            if let s = startDate, let e = endDate {
                if s > e {
                    throw .badRequest("start_date phải trước hoặc bằng end_date",
                                      "start_date must not be after end_date")
                }
                if e.timeIntervalSince(s) > Double(Self.maxRangeDays) * 86_400 {
                    throw .badRequest("Khoảng start_date–end_date vượt quá \(Self.maxRangeDays) ngày",
                                      "The start_date–end_date range exceeds \(Self.maxRangeDays) days")
                }
            }
            if let a = updatedAfter, let b = updatedBefore, a > b {
                throw .badRequest("updated_after phải trước hoặc bằng updated_before",
                                  "updated_after must not be after updated_before")
            }
        }
    }

    /// The `requested_datetime` window to query, applying the spec's defaults: both dates as given;
    /// only `start_date` → 90 days from it; only `end_date` → the 90 days before it; neither → the
    /// last 90 days before `now`.
    public func requestedWindow(now: Date) -> (start: Date, end: Date) {
        let span = Double(Self.maxRangeDays) * 86_400
        switch (startDate, endDate) {
        case let (s?, e?): return (s, e)
        case let (s?, nil): return (s, s.addingTimeInterval(span))
        case let (nil, e?): return (e.addingTimeInterval(-span), e)
        case (nil, nil): return (now.addingTimeInterval(-span), now)
        }
    }

    private static func date(_ text: String?, _ name: String) throws(Open311Error) -> Date? {
        guard let text else { return nil }
        if let d = W3CDateTime.parse(text) { return d }
        if text.contains(" "), let d = W3CDateTime.parse(text.replacingOccurrences(of: " ", with: "+")) {
            return d
        }
        throw .badRequest(
            "\(name) không phải thời điểm W3C-DTF có múi giờ (ví dụ 2026-03-01T00:00:00+07:00)",
            "\(name) is not a W3C-DTF datetime with a time zone (e.g. 2026-03-01T00:00:00+07:00)")
    }

    private static func integer(_ text: String, _ name: String, _ range: ClosedRange<Int>) throws(Open311Error) -> Int {
        guard text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let v = Int(text), range.contains(v) else {
            throw .badRequest("\(name) phải là số nguyên từ \(range.lowerBound) đến \(range.upperBound)",
                              "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }
}
