import Fluent
import Foundation
import IOCCore
import Vapor

/// The indicators' series for alert rules: an indicator's approved current values in one unit (the province or a
/// commune), each at the end of its period ("tourists this month below 80 % of last year's" as a threshold).
enum IndicatorSeries {
    static let source = SeriesSource(
        key: "indicators.value", name: .init(vi: "Giá trị chỉ tiêu KT-XH đã duyệt", en: "Approved socio-economic indicator values"),
        parameters: { app, db in
            try await IndicatorModel.query(on: db).filter(\.$active == true).sort(\.$id).all()
                .map { .init(code: $0.id ?? "", name: .init(vi: $0.name, en: $0.nameEn), unit: $0.unit) }
        },
        subjects: { app, db, _ in
            let province = app.iocConfiguration.provinceCode
            let units = [app.reference.units[province]].compactMap { $0 } + app.reference.units.communes(of: province).filter { $0.code != province }
            return units.map { .init(code: $0.code, name: $0.name, unitCode: $0.code == province ? nil : $0.code) }
        },
        points: { _, db, subject, parameter, from, to in
            let rows = try await IndicatorValueModel.query(on: db).filter(\.$indicator == parameter).filter(\.$unitCode == subject)
                .filter(\.$current == true).filter(\.$state == "approved").all()
            return rows.compactMap { r -> SeriesPoint? in
                guard let p = IndicatorPeriod(r.period) else { return nil }
                // The end of the period: the next period's first day, 00:00 in Vietnam.
                let end = Date(timeIntervalSince1970: TimeInterval(p.next.firstDay.daysSince1970) * 86_400 - 25_200)
                return end >= from && end <= to ? SeriesPoint(time: end, value: r.value) : nil
            }
        })
}
