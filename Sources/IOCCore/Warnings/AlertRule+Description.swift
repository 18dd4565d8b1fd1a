import Foundation

extension AlertRule {
    /// A one-line description for the console and the alarm's title, e.g. "PM2.5 NowCast AQI > 150 liên tục 2 giờ" /
    /// "PM2.5 NowCast AQI > 150 for 2 h", "Lượng mưa cộng dồn 3 giờ > 50 mm".
    /// - Parameters:
    ///   - parameter: what the series measures, in both languages ("Lượng mưa" / "Rainfall").
    ///   - unit: the values' unit ("mm", "cm"); empty for none (AQI).
    public func describe(parameter: LocalizedMessage, unit: String = "") -> (vi: String, en: String) {
        let p = (vi: parameter.vi, en: parameter.en)
        func amount(_ x: Double) -> (vi: String, en: String) {
            let n = Self.number(x)
            let u = unit.isEmpty ? "" : " \(unit)"
            return (n.replacingOccurrences(of: ".", with: ",") + u, n + u)
        }
        switch condition {
        case let .threshold(comparison, value, duration, _):
            let v = amount(value)
            let op = comparison == .above ? ">" : "<"
            guard duration > 0 else { return ("\(p.vi) \(op) \(v.vi)", "\(p.en) \(op) \(v.en)") }
            let d = Self.duration(duration)
            return ("\(p.vi) \(op) \(v.vi) liên tục \(d.vi)", "\(p.en) \(op) \(v.en) for \(d.en)")
        case let .crossing(comparison, value):
            let v = amount(value)
            return comparison == .above
                ? ("\(p.vi) vượt lên trên \(v.vi)", "\(p.en) rises above \(v.en)")
                : ("\(p.vi) xuống dưới \(v.vi)", "\(p.en) falls below \(v.en)")
        case let .rateOfChange(window, sum, comparison, value):
            let w = Self.duration(window)
            let op = comparison == .above ? ">" : "<"
            if sum {
                let v = amount(value)
                return ("\(p.vi) cộng dồn \(w.vi) \(op) \(v.vi)", "\(p.en) total over \(w.en) \(op) \(v.en)")
            }
            if comparison == .above, value >= 0 {
                let v = amount(value)
                return ("\(p.vi) tăng hơn \(v.vi) trong \(w.vi)", "\(p.en) rises more than \(v.en) within \(w.en)")
            }
            if comparison == .below, value <= 0 {
                let v = amount(-value)
                return ("\(p.vi) giảm hơn \(v.vi) trong \(w.vi)", "\(p.en) falls more than \(v.en) within \(w.en)")
            }
            let v = amount(value)
            return ("Mức thay đổi \(p.vi) trong \(w.vi) \(op) \(v.vi)", "Change in \(p.en) within \(w.en) \(op) \(v.en)")
        case let .absence(maxSilence):
            let d = Self.duration(maxSilence)
            return ("Không có dữ liệu \(p.vi) quá \(d.vi)", "No \(p.en) data for more than \(d.en)")
        }
    }

    /// `describe` with one name for both languages (a symbol such as "PM2.5 NowCast AQI").
    public func describe(parameter: String, unit: String = "") -> (vi: String, en: String) {
        describe(parameter: LocalizedMessage(vi: parameter, en: parameter), unit: unit)
    }

    /// Up to three decimals, no trailing zeros, with a point ("3.5", "150", "-20").
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// "1 giờ 30 phút" / "1 h 30 min"; days, hours, minutes and seconds that are not zero.
    static func duration(_ t: TimeInterval) -> (vi: String, en: String) {
        guard t.isFinite, abs(t) < 1e12 else { return ("\(t) giây", "\(t) s") }
        let total = Int(t.rounded())
        let parts = [
            (total / 86_400, "ngày", "d"), (total % 86_400 / 3600, "giờ", "h"), (total % 3600 / 60, "phút", "min"),
            (total % 60, "giây", "s"),
        ].filter { $0.0 != 0 }
        guard !parts.isEmpty else { return ("0 phút", "0 min") }
        return (parts.map { "\($0.0) \($0.1)" }.joined(separator: " "), parts.map { "\($0.0) \($0.2)" }.joined(separator: " "))
    }
}
