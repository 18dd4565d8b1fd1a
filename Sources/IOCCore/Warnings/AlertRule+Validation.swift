import Foundation

/// One thing wrong with a rule edited in the console: the field (a JSON path such as `condition.duration`) and what
/// is wrong, in Vietnamese and English.
public struct RuleProblem: Sendable, Hashable, Codable {
    public var field: String
    public var vi: String
    public var en: String

    public init(field: String, vi: String, en: String) {
        self.field = field
        self.vi = vi
        self.en = en
    }

    /// The platform's validation error, for the one `problem+json` path.
    public var failure: ValidationFailure { ValidationFailure(field: field, vi: vi, en: en) }
}

extension AlertRule {
    /// Everything wrong with the rule, in field order; empty when the engine may run it.
    ///
    /// Durations (`duration`, `clearAfter`) are 0…7 days; a window, a silence and a gap are more than 0 and at most
    /// 7 days (bounding `lookback`); thresholds and hysteresis are finite, hysteresis ≥ 0; quiet-hour minutes are in
    /// 0…1439 and differ; the code is 1…64 characters of a–z, 0–9, `-`, `.`, `_`.
    public func validate() -> [RuleProblem] {
        var problems: [RuleProblem] = []
        func problem(_ field: String, _ vi: String, _ en: String) {
            problems.append(RuleProblem(field: field, vi: vi, en: en))
        }
        let maxDays = Int(Self.maxDuration / 86_400)
        func duration(_ value: TimeInterval, _ field: String, _ nameVi: String, _ nameEn: String) {
            if !(0...Self.maxDuration).contains(value) {
                problem(
                    field, "\(nameVi) phải từ 0 đến \(maxDays) ngày.", "\(nameEn) must be between 0 and \(maxDays) days.")
            }
        }
        func span(_ value: TimeInterval, _ field: String, _ nameVi: String, _ nameEn: String) {
            if !(value > 0 && value <= Self.maxDuration) {
                problem(
                    field, "\(nameVi) phải lớn hơn 0 và không quá \(maxDays) ngày.",
                    "\(nameEn) must be more than 0 and at most \(maxDays) days.")
            }
        }
        func threshold(_ value: Double) {
            if !value.isFinite {
                problem("condition.value", "Ngưỡng phải là một số hữu hạn.", "The threshold must be a finite number.")
            }
        }

        if code.isEmpty {
            problem("code", "Mã quy tắc là bắt buộc.", "The rule code is required.")
        } else if code.count > 64 {
            problem("code", "Mã quy tắc dài quá 64 ký tự.", "The rule code is longer than 64 characters.")
        } else if !code.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-._".contains(Character($0)) }) {
            problem(
                "code", "Mã quy tắc chỉ được gồm chữ thường không dấu (a–z), chữ số và các ký tự - . _",
                "The rule code may contain only lower-case letters a–z, digits and - . _")
        }

        switch condition {
        case let .threshold(_, value, d, maxGap):
            threshold(value)
            duration(d, "condition.duration", "Thời gian duy trì", "The duration")
            span(maxGap, "condition.maxGap", "Khoảng ngắt quãng dữ liệu tối đa", "The maximum gap between points")
        case let .crossing(_, value):
            threshold(value)
        case let .rateOfChange(window, _, _, value):
            threshold(value)
            span(window, "condition.window", "Khoảng thời gian tính", "The window")
        case let .absence(maxSilence):
            span(maxSilence, "condition.maxSilence", "Thời gian không có dữ liệu", "The silence")
        }

        if !(hysteresis.isFinite && hysteresis >= 0) {
            problem("hysteresis", "Độ trễ (hysteresis) phải là số không âm.", "Hysteresis must be a finite number of at least 0.")
        }
        duration(clearAfter, "clearAfter", "Thời gian chờ trước khi kết thúc cảnh báo", "The time before clearing")

        if let quiet = quietHours {
            for (minute, field, vi, en) in [
                (quiet.startMinute, "quietHours.startMinute", "bắt đầu", "start"),
                (quiet.endMinute, "quietHours.endMinute", "kết thúc", "end"),
            ] where !(0..<1440).contains(minute) {
                problem(
                    field, "Phút \(vi) giờ yên lặng phải trong khoảng 0–1439 (phút trong ngày).",
                    "The quiet hours' \(en) must be a minute of the day, 0–1439.")
            }
            if quiet.startMinute == quiet.endMinute {
                problem(
                    "quietHours.endMinute", "Giờ yên lặng phải bắt đầu và kết thúc vào hai thời điểm khác nhau.",
                    "Quiet hours must start and end at different times.")
            }
        }
        return problems
    }
}
