import Fluent
import Foundation
import IOCCore
import Vapor

/// A case category (lĩnh vực; for field reports also the Open311 service) with its SLA policy and duplicate-suggestion settings
/// (table `fr_categories`). Shipped defaults follow the demo brief; admins edit them.
final class CategoryModel: Model, @unchecked Sendable {
    static let schema = "fr_categories"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name_vi") var nameVi: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "group_code") var group: String
    @Field(key: "description_vi") var descriptionVi: String
    @Field(key: "description_en") var descriptionEn: String
    /// simple | normal | complex | urgent | feedback
    @Field(key: "class") var slaClass: String
    @Field(key: "limit_amount") var limitAmount: Int
    @Field(key: "limit_unit") var limitUnit: String
    @Field(key: "duplicate_radius_m") var duplicateRadius: Int
    @Field(key: "duplicate_days") var duplicateDays: Int
    @Field(key: "keywords") var keywords: String
    @Field(key: "position") var position: Int
    @Field(key: "active") var active: Bool

    init() {}

    var policy: SLAPolicy { SLAPolicy(amount: limitAmount, unit: SLAPolicy.Unit(rawValue: limitUnit) ?? .workingHours) }
    var name: LocalizedMessage { LocalizedMessage(vi: nameVi, en: nameEn) }
}
