import Foundation

// Open311 GeoReport v2: the values the writers serialise.
// Spec: shared/domain/field-reports.md §1 (GeoReport v2, Spark XML↔JSON convention, extensions).

/// A response format, chosen by the resource suffix (`/services.xml`, `/requests/12.json`).
public enum Open311Format: String, Sendable, CaseIterable {
    case xml
    case json

    /// The `Content-Type` header value for a response body in this format (§1.1): exactly `text/xml` and
    /// `application/json`, which the SeeClickFix validator compares literally. The XML declaration names the encoding
    /// (utf-8) and JSON is UTF-8 by definition (RFC 8259), so no charset parameter is needed.
    public var contentType: String {
        switch self {
        case .xml: return "text/xml"
        case .json: return "application/json"
        }
    }

    /// The MIME type listed in discovery `formats` (`text/xml`, `application/json`).
    public var mimeType: String {
        switch self {
        case .xml: return "text/xml"
        case .json: return "application/json"
        }
    }

    /// Recognises a resource suffix. Only the exact lower-case spellings `xml` and `json` are
    /// accepted (`XML`, `Json`, `rss` → nil; the server answers 404 for those).
    public init?(suffix: String) {
        switch suffix {
        case "xml": self = .xml
        case "json": self = .json
        default: return nil
        }
    }

    /// Splits the last path component of a resource into its name and format at the **last** dot:
    /// `"services.xml"` → `("services", .xml)`, `"2026.0001.json"` → `("2026.0001", .json)`.
    /// Returns nil when there is no dot, the name is empty or the suffix is not `xml`/`json`.
    public static func split(_ lastPathComponent: String) -> (name: String, format: Open311Format)? {
        guard let dot = lastPathComponent.lastIndex(of: ".") else { return nil }
        let name = lastPathComponent[..<dot]
        let suffix = lastPathComponent[lastPathComponent.index(after: dot)...]
        guard !name.isEmpty, let format = Open311Format(suffix: String(suffix)) else { return nil }
        return (String(name), format)
    }
}

/// Service discovery document (`/discovery.{xml,json}`, §1.3). All fields are required by the spec.
public struct Open311Discovery: Sendable, Equatable {
    /// Sortable change marker. Emit an ISO 8601 datetime (e.g. `2026-01-01T00:00:00Z`): a common
    /// conformance validator parses it as a datetime.
    public var changeset: String
    /// Human-readable contact information.
    public var contact: String
    /// Human-readable instructions for getting an API key.
    public var keyService: String
    /// One entry per API version and environment.
    public var endpoints: [Endpoint]

    public init(changeset: String, contact: String, keyService: String, endpoints: [Endpoint]) {
        self.changeset = changeset
        self.contact = contact
        self.keyService = keyService
        self.endpoints = endpoints
    }

    /// One discovery `endpoint`.
    public struct Endpoint: Sendable, Equatable {
        /// Spec token, e.g. `http://wiki.open311.org/GeoReport_v2`.
        public var specification: String
        /// Base URL of the endpoint (no trailing resource).
        public var url: String
        /// Last change of this endpoint (ISO 8601).
        public var changeset: String
        /// `production` or `test`.
        public var type: String
        /// MIME types, e.g. `["text/xml", "application/json"]`. Written as `formats/format` in XML
        /// and as an array (even with one element) in JSON.
        public var formats: [String]

        public init(specification: String, url: String, changeset: String, type: String, formats: [String]) {
            self.specification = specification
            self.url = url
            self.changeset = changeset
            self.type = type
            self.formats = formats
        }
    }
}

/// One entry of `GET /services` (§1.4).
public struct Open311Service: Sendable, Equatable {
    public var code: String
    public var name: String
    public var description: String
    /// `true` → the client must fetch the service definition.
    public var metadata: Bool
    /// `realtime`, `batch` or `blackbox`.
    public var type: String
    /// Comma-separated tags and synonyms.
    public var keywords: String
    /// Category grouping (lĩnh vực).
    public var group: String

    public init(code: String, name: String, description: String, metadata: Bool, type: String,
                keywords: String, group: String) {
        self.code = code
        self.name = name
        self.description = description
        self.metadata = metadata
        self.type = type
        self.keywords = keywords
        self.group = group
    }
}

/// `GET /services/{service_code}` (§1.5).
public struct Open311ServiceDefinition: Sendable, Equatable {
    public var serviceCode: String
    public var attributes: [Attribute]

    public init(serviceCode: String, attributes: [Attribute]) {
        self.serviceCode = serviceCode
        self.attributes = attributes
    }

    /// One extra field of a service. Submitted as `attribute[code]`.
    public struct Attribute: Sendable, Equatable {
        /// `true` = user input needed; `false` = information-only text.
        public var variable: Bool
        public var code: String
        /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
        public var datatype: String
        public var required: Bool
        /// Input-format hint; nil is written as an empty element / JSON null.
        public var datatypeDescription: String?
        /// Positive display order, unique within the service (written as a number).
        public var order: Int
        /// The question shown to the user. FixMyStreet strips a trailing ":" from it.
        public var description: String
        /// Choices of list types (empty for other types: `<values/>` / `[]`).
        public var values: [Value]

        public init(variable: Bool, code: String, datatype: String, required: Bool,
                    datatypeDescription: String? = nil, order: Int, description: String,
                    values: [Value] = []) {
            self.variable = variable
            self.code = code
            self.datatype = datatype
            self.required = required
            self.datatypeDescription = datatypeDescription
            self.order = order
            self.description = description
            self.values = values
        }
    }

    /// One choice of a list attribute: `key` is submitted, `name` is shown.
    public struct Value: Sendable, Equatable {
        public var key: String
        public var name: String

        public init(key: String, name: String) {
            self.key = key
            self.name = name
        }
    }
}

/// One service request as returned by `GET /requests` and `GET /requests/{id}` (§1.8).
public struct Open311Request: Sendable, Equatable {
    public var serviceRequestID: String
    /// `open` or `closed` (core v2). The richer state travels in `extensions.detailedStatus`.
    public var status: String
    public var statusNotes: String?
    public var serviceName: String
    public var serviceCode: String
    public var description: String?
    public var agencyResponsible: String?
    public var serviceNotice: String?
    public var requestedDatetime: Date
    public var updatedDatetime: Date?
    /// The SLA slot (hạn xử lý).
    public var expectedDatetime: Date?
    public var address: String?
    public var addressID: String?
    public var zipcode: String?
    public var lat: Double?
    public var long: Double?
    public var mediaURL: String?
    /// Written only when non-nil (the server passes it when the query had `extensions=true`).
    public var extensions: Extensions?

    public init(serviceRequestID: String, status: String, statusNotes: String? = nil,
                serviceName: String, serviceCode: String, description: String? = nil,
                agencyResponsible: String? = nil, serviceNotice: String? = nil,
                requestedDatetime: Date, updatedDatetime: Date? = nil, expectedDatetime: Date? = nil,
                address: String? = nil, addressID: String? = nil, zipcode: String? = nil,
                lat: Double? = nil, long: Double? = nil, mediaURL: String? = nil,
                extensions: Extensions? = nil) {
        self.serviceRequestID = serviceRequestID
        self.status = status
        self.statusNotes = statusNotes
        self.serviceName = serviceName
        self.serviceCode = serviceCode
        self.description = description
        self.agencyResponsible = agencyResponsible
        self.serviceNotice = serviceNotice
        self.requestedDatetime = requestedDatetime
        self.updatedDatetime = updatedDatetime
        self.expectedDatetime = expectedDatetime
        self.address = address
        self.addressID = addressID
        self.zipcode = zipcode
        self.lat = lat
        self.long = long
        self.mediaURL = mediaURL
        self.extensions = extensions
    }

    /// `extensions=true` payload (§1.13 c/d): `extended_attributes` plus the `notes` timeline.
    public struct Extensions: Sendable, Equatable {
        /// A status of the mySociety extended set (`in_progress`, `action_scheduled`, `fixed`, …).
        public var detailedStatus: String
        /// Human label of the detailed status (Vietnamese), e.g. "Đang xử lý".
        public var statusLabel: String
        public var ward: String?
        public var wardCode: String?
        /// `service_request_id` this request duplicates.
        public var duplicateOf: String?
        /// Intake channel (web, app, hotline, zalo, …).
        public var channel: String?
        /// Photo URLs: `photos/photo` in XML, an array of strings in JSON.
        public var photos: [String]
        /// History entries: `notes/note` in XML, an array in JSON.
        public var notes: [Note]

        public init(detailedStatus: String, statusLabel: String, ward: String? = nil,
                    wardCode: String? = nil, duplicateOf: String? = nil, channel: String? = nil,
                    photos: [String] = [], notes: [Note] = []) {
            self.detailedStatus = detailedStatus
            self.statusLabel = statusLabel
            self.ward = ward
            self.wardCode = wardCode
            self.duplicateOf = duplicateOf
            self.channel = channel
            self.photos = photos
            self.notes = notes
        }
    }

    /// One timeline entry (`submitted`, `opened`, `activity`, `closed`, …).
    public struct Note: Sendable, Equatable {
        public var datetime: Date
        public var type: String
        public var description: String
        public var summary: String?

        public init(datetime: Date, type: String, description: String, summary: String? = nil) {
            self.datetime = datetime
            self.type = type
            self.description = description
            self.summary = summary
        }
    }
}

/// The answer to `POST /requests` (§1.6): **either** an id **or** a token, plus optional notice and
/// account id.
public struct Open311CreatedRequest: Sendable, Equatable {
    public var serviceRequestID: String?
    public var token: String?
    public var serviceNotice: String?
    public var accountID: String?

    public init(serviceRequestID: String? = nil, token: String? = nil, serviceNotice: String? = nil,
                accountID: String? = nil) {
        self.serviceRequestID = serviceRequestID
        self.token = token
        self.serviceNotice = serviceNotice
        self.accountID = accountID
    }
}

/// One entry of `GET /tokens/{token}` (§1.7). A nil id means "still processing": it is written as
/// an empty element / null, which FixMyStreet treats as "not yet".
public struct Open311TokenResult: Sendable, Equatable {
    public var serviceRequestID: String?
    public var token: String

    public init(serviceRequestID: String?, token: String) {
        self.serviceRequestID = serviceRequestID
        self.token = token
    }
}

/// An Open311 error (§1.10). `code` is the HTTP status (400, 403, 404) or a more specific
/// application code; `description` is bilingual "tiếng Việt / English".
public struct Open311Error: Sendable, Error, Equatable {
    public var code: Int
    public var description: String

    public init(code: Int, description: String) {
        self.code = code
        self.description = description
    }

    /// A 400 error with a bilingual description `"<vi> / <en>"`.
    public static func badRequest(_ vietnamese: String, _ english: String) -> Open311Error {
        Open311Error(code: 400, description: vietnamese + " / " + english)
    }
}
