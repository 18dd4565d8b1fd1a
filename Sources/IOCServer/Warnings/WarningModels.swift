import Fluent
import Foundation
import Vapor

/// An alert rule as stored: what it watches (a series of a module, a parameter, some or all subjects) and the
/// engine's rule (`IOCCore.AlertRule`, JSON).
final class AlertRuleModel: Model, @unchecked Sendable {
    static let schema = "alert_rules"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "series") var series: String
    @Field(key: "parameter") var parameter: String
    /// JSON array of subject codes; nil: every subject of the series (fan-out).
    @OptionalField(key: "subjects") var subjects: String?
    /// A named level of each subject used as the threshold (`2`: a water station's alarm level II).
    @OptionalField(key: "level_ref") var levelRef: String?
    @Field(key: "rule") var rule: String
    @OptionalField(key: "propose_hazard") var proposeHazard: String?
    @OptionalField(key: "propose_level") var proposeLevel: Int?
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "updated_by") var updatedBy: String
    init() {}
}

final class AlertRuleStateModel: Model, @unchecked Sendable {
    static let schema = "alert_rule_states"
    @ID(key: .id) var id: UUID?
    @Field(key: "rule") var rule: String
    @Field(key: "subject") var subject: String
    @Field(key: "state") var state: String
    @Field(key: "firing") var firing: Bool
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// A warning (bản tin cảnh báo): drafted by an operator (or proposed by a rule), approved by a leader, then published
/// as CAP 1.2, on the wall, the public page, the Atom feed and the communes' loudspeakers.
final class WarningModel: Model, @unchecked Sendable {
    static let schema = "warnings"
    @ID(key: .id) var id: UUID?
    @Field(key: "identifier") var identifier: String
    /// Alert | Update | Cancel
    @Field(key: "msg_type") var msgType: String
    /// draft | submitted | returned | published | cancelled | superseded (expired is derived from `expires`)
    @Field(key: "status") var status: String
    @Field(key: "hazard") var hazard: String
    @Field(key: "level") var level: Int
    /// JSON array of commune codes.
    @Field(key: "areas") var areas: String
    /// JSON `[[lat, lon], …]`
    @OptionalField(key: "polygon") var polygon: String?
    /// JSON `{"lat":…,"lon":…,"radiusKm":…}`
    @OptionalField(key: "circle") var circle: String?
    @Field(key: "headline") var headline: String
    @Field(key: "headline_en") var headlineEn: String
    @Field(key: "description") var description: String
    @Field(key: "description_en") var descriptionEn: String
    @Field(key: "instruction") var instruction: String
    @Field(key: "instruction_en") var instructionEn: String
    @Field(key: "effective") var effective: Date
    @Field(key: "expires") var expires: Date
    /// The warning this one updates or cancels.
    @OptionalField(key: "references_id") var referencesID: UUID?
    @OptionalField(key: "rule_code") var ruleCode: String?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "approved_by") var approvedBy: String?
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @OptionalField(key: "published_at") var publishedAt: Date?
    /// The CAP `sent` of the published document (with its offset), kept so `references` can name it.
    @OptionalField(key: "sent") var sent: String?
    @OptionalField(key: "return_reason") var returnReason: String?
    /// The CAP 1.2 document as published (never changes afterwards).
    @OptionalField(key: "cap_xml") var capXML: String?
    init() {}
}

/// A CAP alert received from outside (POST or a polled Atom feed), stored with its document.
final class CAPInboundModel: Model, @unchecked Sendable {
    static let schema = "cap_inbound"
    @ID(key: .id) var id: UUID?
    @Field(key: "identifier") var identifier: String
    @Field(key: "sender") var sender: String
    @Field(key: "sent") var sent: String
    @Field(key: "version") var version: String
    @Field(key: "status") var status: String
    @Field(key: "msg_type") var msgType: String
    @Field(key: "event") var event: String
    @Field(key: "severity") var severity: String
    @Field(key: "urgency") var urgency: String
    @Field(key: "certainty") var certainty: String
    @Field(key: "headline") var headline: String
    /// JSON array of areaDesc.
    @Field(key: "areas") var areas: String
    @OptionalField(key: "expires") var expires: Date?
    @Field(key: "in_province") var inProvince: Bool
    @Field(key: "xml") var xml: String
    @Field(key: "source") var source: String
    @Field(key: "received_at") var receivedAt: Date
    init() {}
}

/// A commune's smart-loudspeaker cluster (cụm loa truyền thanh thông minh), with its own key.
final class LoudspeakerModel: Model, @unchecked Sendable {
    static let schema = "loudspeakers"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "unit_code") var unitCode: String
    @Field(key: "lat") var lat: Double
    @Field(key: "lon") var lon: Double
    @Field(key: "source_id") var sourceID: UUID
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A spoken bulletin (a warning's, or a routine one such as the daily AQI) with its audio and schedule.
final class BroadcastModel: Model, @unchecked Sendable {
    static let schema = "broadcasts"
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "warning_id") var warningID: UUID?
    /// warning | routine
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "text") var text: String
    @Field(key: "audio") var audio: Data
    @Field(key: "audio_type") var audioType: String
    /// JSON array of ISO 8601 instants.
    @Field(key: "play_at") var playAt: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// One broadcast at one cluster: pending → fetched → played (or failed), as the cluster reports.
final class BroadcastDeliveryModel: Model, @unchecked Sendable {
    static let schema = "broadcast_deliveries"
    @ID(key: .id) var id: UUID?
    @Field(key: "broadcast_id") var broadcastID: UUID
    @Field(key: "cluster") var cluster: String
    @Field(key: "status") var status: String
    @OptionalField(key: "fetched_at") var fetchedAt: Date?
    @OptionalField(key: "reported_at") var reportedAt: Date?
    @OptionalField(key: "note") var note: String?
    init() {}
}
