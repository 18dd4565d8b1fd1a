import Foundation
import IOCCore

/// Hazards and risk levels of a warning.
///
/// Risk levels and colours: Quyết định 18/2021/QĐ-TTg of 22/4/2021 (in force from 1/7/2021; it replaced QĐ 44/2014/QĐ-TTg
/// and QĐ 46/2014/QĐ-TTg), Điều 4 khoản 3: "cấp 1 màu xanh dương nhạt là rủi ro thấp; cấp 2 màu vàng nhạt là rủi ro trung
/// bình; cấp 3 màu da cam là rủi ro lớn; cấp 4 màu đỏ là rủi ro rất lớn; cấp 5 màu tím là rủi ro ở mức thảm họa". Checked
/// in December 2026 against published texts of the decision, which list it as in force ("còn hiệu lực"). The hex values
/// are this project's rendering of the named colours (the decision names them; its Phụ lục XII maps them).
enum WarningCatalog {
    struct Hazard: Sendable { var code: String; var vi: String; var en: String; var category: CAPInfo.Category; var responses: [CAPInfo.ResponseType] }
    struct Level: Sendable { var level: Int; var vi: String; var en: String; var color: String; var colorName: String; var severity: CAPInfo.Severity }

    static let basis = "Quyết định 18/2021/QĐ-TTg (cấp độ rủi ro thiên tai)"

    static let hazards: [Hazard] = [
        .init(code: "flood", vi: "Lũ, ngập lụt", en: "Flood", category: .met, responses: [.prepare, .evacuate]),
        .init(code: "flash_flood", vi: "Lũ quét", en: "Flash flood", category: .met, responses: [.evacuate]),
        .init(code: "landslide", vi: "Sạt lở đất, sụt lún", en: "Landslide", category: .geo, responses: [.evacuate, .avoid]),
        .init(code: "storm", vi: "Bão, áp thấp nhiệt đới", en: "Tropical storm", category: .met, responses: [.shelter, .prepare]),
        .init(code: "heavy_rain", vi: "Mưa lớn", en: "Heavy rain", category: .met, responses: [.prepare, .monitor]),
        .init(code: "thunderstorm", vi: "Dông, lốc, sét, mưa đá", en: "Thunderstorm, whirlwind, lightning, hail", category: .met, responses: [.shelter]),
        .init(code: "heat", vi: "Nắng nóng", en: "Heat wave", category: .met, responses: [.prepare]),
        .init(code: "drought", vi: "Hạn hán", en: "Drought", category: .met, responses: [.prepare, .monitor]),
        .init(code: "cold", vi: "Rét hại, sương muối", en: "Severe cold, frost", category: .met, responses: [.prepare]),
        .init(code: "forest_fire", vi: "Cháy rừng", en: "Forest fire", category: .fire, responses: [.prepare, .avoid]),
        .init(code: "air_quality", vi: "Ô nhiễm không khí", en: "Air pollution", category: .env, responses: [.avoid, .monitor]),
        .init(code: "other", vi: "Khác", en: "Other", category: .other, responses: [.monitor]),
    ]

    static let levels: [Level] = [
        .init(level: 1, vi: "Cấp độ 1 – Rủi ro thấp", en: "Level 1 – Low risk", color: "#8EC9F5", colorName: "xanh dương nhạt", severity: .minor),
        .init(level: 2, vi: "Cấp độ 2 – Rủi ro trung bình", en: "Level 2 – Medium risk", color: "#FFF59D", colorName: "vàng nhạt", severity: .moderate),
        .init(level: 3, vi: "Cấp độ 3 – Rủi ro lớn", en: "Level 3 – Large risk", color: "#FF9800", colorName: "da cam", severity: .severe),
        .init(level: 4, vi: "Cấp độ 4 – Rủi ro rất lớn", en: "Level 4 – Very large risk", color: "#E53935", colorName: "đỏ", severity: .extreme),
        .init(level: 5, vi: "Cấp độ 5 – Rủi ro ở mức thảm họa", en: "Level 5 – Disaster-level risk", color: "#8E24AA", colorName: "tím", severity: .extreme),
    ]

    static func hazard(_ code: String) -> Hazard? { hazards.first { $0.code == code } }
    static func level(_ n: Int) -> Level? { levels.first { $0.level == n } }
    /// "Cấp độ 3" / "Level 3" (headlines and bulletins).
    static func short(_ n: Int) -> (vi: String, en: String) { ("Cấp độ \(n)", "Level \(n)") }
}
