import Foundation

/// One entry of the mySociety `servicerequestupdates` extension, which FixMyStreet polls to bring a city's status
/// changes and replies back to its reports (`GET /servicerequestupdates.{fmt}`).
public struct Open311RequestUpdate: Sendable, Equatable {
    public var updateID: String
    public var serviceRequestID: String
    /// Extended status, lowercase (`open`, `in_progress`, `fixed`, `not_councils_responsibility`, `duplicate`, …).
    public var status: String
    public var updatedDatetime: Date
    public var description: String
    public var mediaURL: String?
    public var externalStatusCode: String?

    public init(updateID: String, serviceRequestID: String, status: String, updatedDatetime: Date, description: String,
                mediaURL: String? = nil, externalStatusCode: String? = nil) {
        self.updateID = updateID
        self.serviceRequestID = serviceRequestID
        self.status = status
        self.updatedDatetime = updatedDatetime
        self.description = description
        self.mediaURL = mediaURL
        self.externalStatusCode = externalStatusCode
    }
}

extension Open311Writer {
    /// `service_request_updates/request_update` (XML) or an array (JSON), with every field present (`null` / an empty
    /// element when absent), as FixMyStreet's `GetServiceRequestUpdates` reads them.
    public static func requestUpdates(_ list: [Open311RequestUpdate], _ format: Open311Format) -> [UInt8] {
        var estimate = 128
        for u in list { estimate += 320 + u.description.utf8.count * 2 + (u.mediaURL?.utf8.count ?? 0) + u.serviceRequestID.utf8.count }
        return Open311ByteSink.render(estimate: estimate) { s in
            switch format {
            case .xml:
                s.put("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
                if list.isEmpty { s.put("<service_request_updates/>"); return }
                s.put("<service_request_updates>")
                for u in list {
                    s.put("<request_update><update_id>"); s.xmlText(u.updateID)
                    s.put("</update_id><service_request_id>"); s.xmlText(u.serviceRequestID)
                    s.put("</service_request_id><status>"); s.xmlText(u.status)
                    s.put("</status><updated_datetime>"); s.date(u.updatedDatetime, offsetMinutes: offsetMinutes)
                    s.put("</updated_datetime><description>"); s.xmlText(u.description)
                    s.put("</description>")
                    if let m = u.mediaURL { s.put("<media_url>"); s.xmlText(m); s.put("</media_url>") } else { s.put("<media_url/>") }
                    if let c = u.externalStatusCode { s.put("<external_status_code>"); s.xmlText(c); s.put("</external_status_code>") } else { s.put("<external_status_code/>") }
                    s.put("</request_update>")
                }
                s.put("</service_request_updates>")
            case .json:
                s.byte(0x5B)
                for (i, u) in list.enumerated() {
                    if i > 0 { s.byte(0x2C) }
                    s.put("{\"update_id\":\""); s.jsonText(u.updateID)
                    s.put("\",\"service_request_id\":\""); s.jsonText(u.serviceRequestID)
                    s.put("\",\"status\":\""); s.jsonText(u.status)
                    s.put("\",\"updated_datetime\":\""); s.date(u.updatedDatetime, offsetMinutes: offsetMinutes)
                    s.put("\",\"description\":\""); s.jsonText(u.description)
                    s.put("\",\"media_url\":")
                    if let m = u.mediaURL { s.byte(0x22); s.jsonText(m); s.byte(0x22) } else { s.put("null") }
                    s.put(",\"external_status_code\":")
                    if let c = u.externalStatusCode { s.byte(0x22); s.jsonText(c); s.byte(0x22) } else { s.put("null") }
                    s.byte(0x7D)
                }
                s.byte(0x5D)
            }
        }
    }
}
