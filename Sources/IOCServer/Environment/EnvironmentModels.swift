import Fluent
import Foundation
import IOCCore
import Vapor

/// A monitoring station (trạm quan trắc): air quality, water level, rainfall, weather or forest-fire risk.
final class StationModel: Model, @unchecked Sendable {
    static let schema = "env_stations"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    /// air | water | rain | weather | fire
    @Field(key: "kind") var kind: String
    @Field(key: "lat") var lat: Double
    @Field(key: "lon") var lon: Double
    /// The commune (GSO code) the station lies in.
    @Field(key: "unit_code") var unitCode: String
    @OptionalField(key: "owner_agency") var ownerAgency: String?
    /// The parameters it reports, comma-separated (`pm25,pm10,o3`).
    @Field(key: "parameters") var parameters: String
    /// How often it is expected to report: silence for twice this long raises an alarm.
    @Field(key: "interval_seconds") var intervalSeconds: Int
    /// Water stations: the official alarm levels I, II, III in cm (`{"1":…,"2":…,"3":…}`).
    @OptionalField(key: "alarm_levels") var alarmLevels: String?
    @OptionalField(key: "river") var river: String?
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var parameterList: [String] { parameters.split(separator: ",").map(String.init) }
    var levels: [String: Double] {
        guard let s = alarmLevels, let d = s.data(using: .utf8), let v = try? JSONDecoder().decode([String: Double].self, from: d) else { return [:] }
        return v
    }
}

/// What the environment service measures: the parameters, their units and the range a sane value lies in.
enum EnvParameter {
    struct Info: Sendable { var code: String; var vi: String; var en: String; var unit: String; var range: ClosedRange<Double> }
    static let all: [Info] = [
        .init(code: "pm25", vi: "Bụi PM2.5", en: "PM2.5", unit: "µg/m³", range: 0...5_000),
        .init(code: "pm10", vi: "Bụi PM10", en: "PM10", unit: "µg/m³", range: 0...10_000),
        .init(code: "o3", vi: "Ôzôn (O₃)", en: "Ozone (O₃)", unit: "µg/m³", range: 0...10_000),
        .init(code: "co", vi: "Cacbon monoxit (CO)", en: "Carbon monoxide (CO)", unit: "µg/m³", range: 0...500_000),
        .init(code: "so2", vi: "Lưu huỳnh đioxit (SO₂)", en: "Sulphur dioxide (SO₂)", unit: "µg/m³", range: 0...20_000),
        .init(code: "no2", vi: "Nitơ đioxit (NO₂)", en: "Nitrogen dioxide (NO₂)", unit: "µg/m³", range: 0...20_000),
        .init(code: "water_level", vi: "Mực nước", en: "Water level", unit: "cm", range: -10_000...1_000_000),
        .init(code: "rainfall", vi: "Lượng mưa", en: "Rainfall", unit: "mm", range: 0...2_000),
        .init(code: "temperature", vi: "Nhiệt độ", en: "Temperature", unit: "°C", range: -30...60),
        .init(code: "humidity", vi: "Độ ẩm", en: "Humidity", unit: "%", range: 0...100),
        .init(code: "wind_speed", vi: "Tốc độ gió", en: "Wind speed", unit: "m/s", range: 0...120),
        .init(code: "fire_risk", vi: "Cấp dự báo cháy rừng", en: "Forest-fire danger level", unit: "cấp", range: 1...5),
    ]
    static let byCode: [String: Info] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
    static let kinds: [String: (vi: String, en: String)] = [
        "air": ("Quan trắc không khí", "Air quality"), "water": ("Mực nước", "Water level"), "rain": ("Đo mưa", "Rainfall"),
        "weather": ("Khí tượng", "Weather"), "fire": ("Cảnh báo cháy rừng", "Forest-fire danger"),
    ]
}

/// A station as the API shows it.
struct StationDTO: Content {
    var code: String
    var name: String
    var kind: String
    var kindName: LocalizedMessage
    var lat: Double
    var lon: Double
    var unitCode: String
    var unitName: String?
    var ownerAgency: String?
    var parameters: [String]
    var intervalSeconds: Int
    var alarmLevels: [String: Double]?
    var river: String?
    var active: Bool
}

extension StationModel {
    func dto(_ app: Application) -> StationDTO {
        let k = EnvParameter.kinds[kind] ?? (kind, kind)
        let levels = self.levels
        return StationDTO(code: id ?? "", name: name, kind: kind, kindName: .init(vi: k.vi, en: k.en), lat: lat, lon: lon,
                          unitCode: unitCode, unitName: app.reference.units[unitCode]?.name, ownerAgency: ownerAgency,
                          parameters: parameterList, intervalSeconds: intervalSeconds, alarmLevels: levels.isEmpty ? nil : levels,
                          river: river, active: active)
    }
}
