import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// category × commune → responsible agency (table `fr_routing_rules`). The most specific rule wins: category and
/// commune, then category alone, then commune alone. `target` is `agency` (a fixed agency: EVN, the water company,
/// Sở Xây dựng…), `commune` (the People's Committee of the report's commune) or `police` (the commune's police,
/// else the provincial police).
final class RoutingRuleModel: Model, @unchecked Sendable {
    static let schema = "fr_routing_rules"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "category") var category: String?
    @OptionalField(key: "unit_code") var unitCode: String?
    @Field(key: "target") var target: String
    @OptionalField(key: "agency_id") var agencyID: UUID?
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateFieldReportCatalog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CategoryModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name_vi", .string, .required)
            .field("name_en", .string, .required)
            .field("group_code", .string, .required)
            .field("description_vi", .string, .required)
            .field("description_en", .string, .required)
            .field("class", .string, .required)
            .field("limit_amount", .int, .required)
            .field("limit_unit", .string, .required)
            .field("duplicate_radius_m", .int, .required)
            .field("duplicate_days", .int, .required)
            .field("keywords", .string, .required)
            .field("position", .int, .required)
            .field("active", .bool, .required)
            .create()
        try await database.schema(RoutingRuleModel.schema)
            .id()
            .field("category", .string)
            .field("unit_code", .string)
            .field("target", .string, .required)
            .field("agency_id", .uuid)
            .field("note", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        for (i, c) in FieldReportDefaults.categories.enumerated() {
            let m = CategoryModel()
            m.id = c.code
            m.nameVi = c.vi
            m.nameEn = c.en
            m.group = c.group
            m.descriptionVi = c.descVi
            m.descriptionEn = c.descEn
            m.slaClass = c.slaClass
            m.limitAmount = c.amount
            m.limitUnit = c.unit.rawValue
            m.duplicateRadius = 150
            m.duplicateDays = 14
            m.keywords = c.keywords
            m.position = i + 1
            m.active = true
            try await m.create(on: database)
        }
        // Default routes that need no agency code: the commune for local matters, the police for public order.
        for (category, target) in FieldReportDefaults.defaultTargets {
            let r = RoutingRuleModel()
            r.category = category
            r.target = target
            r.note = "Mặc định / Default"
            r.createdAt = Date()
            try await r.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RoutingRuleModel.schema).delete()
        try await database.schema(CategoryModel.schema).delete()
    }
}

/// The shipped categories and limits (../shared/domain/demo-province.md), editable afterwards.
enum FieldReportDefaults {
    struct Category {
        var code, vi, en, group, descVi, descEn, slaClass: String
        var amount: Int
        var unit: SLAPolicy.Unit
        var keywords: String
    }

    static let categories: [Category] = [
        .init(code: "duong-o-ga", vi: "Hư hỏng đường, ổ gà", en: "Road damage, potholes", group: "ha-tang",
              descVi: "Mặt đường hư hỏng, ổ gà, sụt lún, nắp hố ga mất.", descEn: "Damaged road surface, potholes, subsidence, missing manhole covers.",
              slaClass: "normal", amount: 24, unit: .workingHours, keywords: "đường,ổ gà,sụt lún,road,pothole"),
        .init(code: "den-chieu-sang", vi: "Đèn chiếu sáng hỏng", en: "Broken street lights", group: "ha-tang",
              descVi: "Đèn đường không sáng, sáng ban ngày, cột đèn nghiêng đổ.", descEn: "Street lights out, lit by day, leaning poles.",
              slaClass: "simple", amount: 8, unit: .workingHours, keywords: "đèn,chiếu sáng,light"),
        .init(code: "rac-thai", vi: "Rác thải, vệ sinh môi trường", en: "Waste, sanitation", group: "moi-truong",
              descVi: "Rác tồn đọng, đổ trộm rác, nước thải, mùi hôi.", descEn: "Uncollected or dumped waste, wastewater, odour.",
              slaClass: "simple", amount: 8, unit: .workingHours, keywords: "rác,môi trường,waste"),
        .init(code: "lan-chiem", vi: "Lấn chiếm lòng lề đường, buôn bán trái phép", en: "Encroachment, street vending", group: "trat-tu-do-thi",
              descVi: "Lấn chiếm vỉa hè, lòng đường; họp chợ, buôn bán trái phép.", descEn: "Pavement or roadway encroachment; illegal markets and vending.",
              slaClass: "simple", amount: 2, unit: .workingHours, keywords: "lấn chiếm,vỉa hè,encroachment"),
        .init(code: "xay-dung-khong-phep", vi: "Xây dựng không phép", en: "Unlicensed construction", group: "trat-tu-do-thi",
              descVi: "Công trình xây dựng không phép, sai phép; vật liệu trên vỉa hè.", descEn: "Construction without or against a permit; materials on the pavement.",
              slaClass: "complex", amount: 3, unit: .workingDays, keywords: "xây dựng,construction"),
        .init(code: "cay-xanh", vi: "Cây xanh nguy hiểm", en: "Dangerous trees", group: "ha-tang",
              descVi: "Cây nghiêng, gãy đổ, cành khô có nguy cơ rơi.", descEn: "Leaning or fallen trees, dead branches about to fall.",
              slaClass: "urgent", amount: 2, unit: .calendarHours, keywords: "cây xanh,tree"),
        .init(code: "ngap-nuoc", vi: "Ngập nước, thoát nước", en: "Flooding, drainage", group: "ha-tang",
              descVi: "Ngập úng, cống thoát nước tắc, vỡ ống nước.", descEn: "Flooding, blocked drains, burst water pipes.",
              slaClass: "normal", amount: 24, unit: .workingHours, keywords: "ngập,thoát nước,flood,drain"),
        .init(code: "an-ninh-trat-tu", vi: "An ninh trật tự", en: "Public order", group: "an-ninh",
              descVi: "Gây rối, tụ tập, đánh nhau, tệ nạn.", descEn: "Disturbances, gatherings, fights, vice.",
              slaClass: "urgent", amount: 2, unit: .calendarHours, keywords: "an ninh,trật tự,public order"),
        .init(code: "giao-thong", vi: "Giao thông, an toàn giao thông", en: "Traffic, road safety", group: "giao-thong",
              descVi: "Ùn tắc, đèn tín hiệu hỏng, biển báo, đua xe.", descEn: "Congestion, broken signals, signs, street racing.",
              slaClass: "normal", amount: 8, unit: .workingHours, keywords: "giao thông,traffic"),
        .init(code: "chay-rung-thien-tai", vi: "Cháy rừng, thiên tai", en: "Forest fire, disaster", group: "thien-tai",
              descVi: "Cháy rừng, sạt lở, lũ quét, cây đổ do bão.", descEn: "Forest fires, landslides, flash floods, storm damage.",
              slaClass: "urgent", amount: 2, unit: .calendarHours, keywords: "cháy rừng,thiên tai,fire,disaster"),
        .init(code: "thu-tuc-hanh-chinh", vi: "Thủ tục hành chính, thái độ cán bộ", en: "Procedures, staff conduct", group: "hanh-chinh",
              descVi: "Phản ánh về thủ tục hành chính, thái độ phục vụ của cán bộ.", descEn: "Feedback on administrative procedures and staff conduct.",
              slaClass: "feedback", amount: 15, unit: .workingDays, keywords: "thủ tục,cán bộ,procedure"),
        .init(code: "khac", vi: "Khác", en: "Other", group: "khac",
              descVi: "Các phản ánh khác; Trung tâm IOC phân loại và chuyển xử lý.", descEn: "Anything else; the IOC sorts and routes it.",
              slaClass: "normal", amount: 24, unit: .workingHours, keywords: "khác,other"),
    ]

    /// category → target for rules that need no agency code (shipped with the schema).
    static let defaultTargets: [(String, String)] = [
        ("duong-o-ga", "commune"), ("den-chieu-sang", "commune"), ("rac-thai", "commune"), ("lan-chiem", "commune"),
        ("xay-dung-khong-phep", "commune"), ("cay-xanh", "commune"), ("ngap-nuoc", "commune"),
        ("an-ninh-trat-tu", "police"), ("giao-thong", "police"), ("chay-rung-thien-tai", "commune"),
    ]
}
