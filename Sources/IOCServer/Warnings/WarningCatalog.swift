import Foundation
import IOCCore

/// Hazards and risk levels of a warning.
///
/// Risk levels and colours: Quyết định 18/2021/QĐ-TTg (22/4/2021, in force from 15/6/2021; replaced QĐ 44/2014 and
/// QĐ 03/2020), Điều 4 — "cấp độ rủi ro thiên tai được phân thành 5 cấp … thể hiện bằng màu sắc: cấp 1 màu xanh dương
/// nhạt, cấp 2 màu vàng nhạt, cấp 3 màu da cam, cấp 4 màu đỏ, cấp 5 màu tím". Checked against the text we hold;
/// amendments after 2021 did not change the five levels or their colours as far as we know (see the closing note of
/// issue 15). The hex values are this project's rendering of the named colours.
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
        .init(level: 1, vi: "Cấp độ 1", en: "Level 1", color: "#8EC9F5", colorName: "xanh dương nhạt", severity: .minor),
        .init(level: 2, vi: "Cấp độ 2", en: "Level 2", color: "#FFF59D", colorName: "vàng nhạt", severity: .moderate),
        .init(level: 3, vi: "Cấp độ 3", en: "Level 3", color: "#FF9800", colorName: "da cam", severity: .severe),
        .init(level: 4, vi: "Cấp độ 4", en: "Level 4", color: "#E53935", colorName: "đỏ", severity: .extreme),
        .init(level: 5, vi: "Cấp độ 5", en: "Level 5", color: "#8E24AA", colorName: "tím", severity: .extreme),
    ]

    static func hazard(_ code: String) -> Hazard? { hazards.first { $0.code == code } }
    static func level(_ n: Int) -> Level? { levels.first { $0.level == n } }
}
