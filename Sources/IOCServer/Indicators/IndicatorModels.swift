import Fluent
import Foundation
import Vapor

/// A group of the indicator catalogue (kinh tế, ngân sách, …), a tree through `parent`.
final class IndicatorGroupModel: Model, @unchecked Sendable {
    static let schema = "ind_groups"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @OptionalField(key: "parent") var parent: String?
    @Field(key: "sort_order") var sortOrder: Int
    init() {}
}

/// One indicator of the catalogue, its current definition. A redefinition bumps `version` and keeps the old one in
/// `ind_indicator_versions`; a retired indicator is `active = false` with its values kept.
final class IndicatorModel: Model, @unchecked Sendable {
    static let schema = "ind_indicators"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "group_code") var groupCode: String
    @Field(key: "unit") var unit: String
    @Field(key: "unit_en") var unitEn: String
    /// day | week | month | quarter | year
    @Field(key: "period") var period: String
    @Field(key: "cumulative") var cumulative: Bool
    /// sum | mean | weightedMean | none
    @Field(key: "aggregation") var aggregation: String
    @OptionalField(key: "weight") var weight: String?
    /// up | down
    @Field(key: "direction") var direction: String
    @Field(key: "owner_agency") var ownerAgency: String
    @Field(key: "deadline") var deadline: String
    @Field(key: "legal_basis") var legalBasis: String
    @OptionalField(key: "formula") var formula: String?
    @OptionalField(key: "headline") var headline: Int?
    @Field(key: "communes") var communes: Bool
    @Field(key: "requires_approval") var requiresApproval: Bool
    @Field(key: "version") var version: Int
    @Field(key: "active") var active: Bool
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// A superseded definition of an indicator (JSON of the catalogue entry), valid until `valid_to`.
final class IndicatorVersionModel: Model, @unchecked Sendable {
    static let schema = "ind_indicator_versions"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "version") var version: Int
    @Field(key: "definition") var definition: String
    @Field(key: "valid_to") var validTo: Date
    @Field(key: "changed_by") var changedBy: String
    init() {}
}

/// One vintage of a value: indicator × period × unit. Rows are never overwritten once submitted: a revision is a
/// new vintage; the latest approved vintage of a cell carries `current = true`.
final class IndicatorValueModel: Model, @unchecked Sendable {
    static let schema = "ind_values"
    @ID(key: .id) var id: UUID?
    @Field(key: "indicator") var indicator: String
    @Field(key: "period") var period: String
    /// year × 1000 + index within the year: orders and ranges periods of one kind.
    @Field(key: "period_ord") var periodOrd: Int
    @Field(key: "unit_code") var unitCode: String
    @Field(key: "value") var value: Double
    /// estimate | preliminary | official
    @Field(key: "status") var status: String
    @Field(key: "vintage") var vintage: Int
    /// draft | submitted | approved | returned
    @Field(key: "state") var state: String
    @Field(key: "current") var current: Bool
    @Field(key: "agency_code") var agencyCode: String
    @Field(key: "entered_by") var enteredBy: String
    @Field(key: "entered_at") var enteredAt: Date
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "approved_by") var approvedBy: String?
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @OptionalField(key: "return_reason") var returnReason: String?
    @Field(key: "note") var note: String
    /// JSON array of IndicatorFlag.
    @Field(key: "flags") var flags: String
    @OptionalField(key: "source_id") var sourceID: UUID?
    init() {}
}

/// An annual plan (or budget estimate, or quarterly target) for an indicator and unit. Appended, never changed:
/// the row with `current = true` is in force, older rows are the history of mid-year changes.
final class IndicatorPlanModel: Model, @unchecked Sendable {
    static let schema = "ind_plans"
    @ID(key: .id) var id: UUID?
    @Field(key: "indicator") var indicator: String
    @Field(key: "year") var year: Int
    @Field(key: "unit_code") var unitCode: String
    /// plan | estimateCentral | estimateCouncil | quarter
    @Field(key: "kind") var kind: String
    /// 1–4 for a quarterly target, 0 otherwise.
    @Field(key: "quarter") var quarter: Int
    @Field(key: "value") var value: Double
    @Field(key: "document") var document: String
    @Field(key: "current") var current: Bool
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}
