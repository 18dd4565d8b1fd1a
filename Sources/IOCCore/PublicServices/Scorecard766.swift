/// The Quyết định 766/QĐ-TTg index of service quality ("Bộ chỉ số 766"), computed from the dossier
/// counters an IOC holds (vietnam.md §1.6).
///
/// Only indicators the dossier data supports get numbers; the others are listed with
/// `supported == false` and the reason, never with invented figures. Sub-weights follow the table in
/// vietnam.md §1.6, which is tagged "[?] confirm the current sub-weights on dichvucong.gov.vn".
///
/// Scoring (vietnam.md §1.6): `max × min(1, rate / threshold)` where a threshold exists, else
/// `max × rate`. Scores are rounded to 2 decimals (half away from zero); rates are kept exact and
/// `ratePercent` is rounded for display. A zero denominator gives no rate and no score (N/A).
///
/// Decisions where the note is silent:
/// - 2.1 and 5.4 use the dossiers to handle minus those withdrawn (`processed`) as denominator:
///   a withdrawn dossier was neither handled on time nor late.
/// - 3.3 (online share) has no points in the table ("–"): it is shown with its 50% threshold and
///   `meetsThreshold`, but not scored; the online points are in the full-process indicator.
/// - The full-process indicator, "3.x" in vietnam.md, gets id "3.4", the gap in the numbering [?].
/// - 5.4 = 100% − overdue rate − negative-feedback rate, floored at 0, both rates over the 2.1
///   denominator; the overdue dossiers are those of `PublicServiceCounts.overdue`.
public struct Scorecard766: Sendable, Hashable, Codable {
    /// One indicator of the index.
    public struct Indicator: Sendable, Hashable, Codable, Identifiable {
        /// The number in the 766 table, e.g. "2.1".
        public let id: String
        /// Vietnamese name.
        public let vietnameseName: String
        /// English name.
        public let englishName: String
        /// How it is computed here, in Vietnamese.
        public let vietnameseFormula: String
        /// How it is computed here, in English.
        public let englishFormula: String
        /// Whether the dossier data supports the indicator.
        public let supported: Bool
        /// Why the data cannot support it (Vietnamese); `nil` when supported.
        public let vietnameseReason: String?
        /// Why the data cannot support it (English); `nil` when supported.
        public let englishReason: String?
        /// Numerator; `nil` when unsupported.
        public let numerator: Int?
        /// Denominator; `nil` when unsupported.
        public let denominator: Int?
        /// `numerator / denominator` (0…1); `nil` when unsupported or the denominator is 0 (N/A).
        public let rate: Double?
        /// The target rate (0…1) at which the full score is reached, if any.
        public let threshold: Double?
        /// Maximum score; 0 for an indicator that is only monitored.
        public let maxScore: Double
        /// Score rounded to 2 decimals; `nil` when unsupported, monitored only, or N/A.
        public let score: Double?

        /// Whether the indicator carries no points (its max score is 0): it is shown, not scored.
        public var isMonitorOnly: Bool { maxScore == 0 }

        /// The rate in percent rounded to 2 decimals (97.28 for 0.97275…), for display.
        public var ratePercent: Double? { rate.map { Scorecard766.roundedToHundredths($0 * 100) } }

        /// Whether the rate reaches the threshold; `nil` without a rate or threshold.
        public var meetsThreshold: Bool? {
            guard let rate, let threshold else { return nil }
            return rate >= threshold
        }
    }

    /// Every indicator of the index, in table order (supported or not).
    public let indicators: [Indicator]

    /// Builds the scorecard for a row (or the sum of rows of a province).
    public init(counts: PublicServiceCounts) {
        indicators = Self.definitions.map { $0.evaluate(counts) }
    }

    /// Indicators that carry a score (supported, scored and with a non-zero denominator).
    public var scoredIndicators: [Indicator] { indicators.filter { $0.score != nil } }

    /// Sum of the scores, rounded to 2 decimals ("x" of "x / y points of what the data supports").
    public var totalScore: Double {
        Self.roundedToHundredths(scoredIndicators.reduce(0) { $0 + ($1.score ?? 0) })
    }

    /// Sum of the maximum scores of the indicators that carry a score ("y"). An indicator with a
    /// zero denominator (N/A) is left out of both the total and this maximum, so a unit with no
    /// fee-bearing dossiers is neither rewarded nor penalised on online payment.
    public var scoredMaxScore: Double { scoredIndicators.reduce(0) { $0 + $1.maxScore } }

    /// Sum of the maximum scores of every indicator the data supports (54 of 100 with the current
    /// weights), whether or not it has dossiers this period.
    public var supportedMaxScore: Double {
        indicators.filter(\.supported).reduce(0) { $0 + $1.maxScore }
    }

    /// Maximum score of the whole index (100).
    public var fullMaxScore: Double { indicators.reduce(0) { $0 + $1.maxScore } }

    /// Rounds half away from zero to 2 decimals. The tiny nudge keeps values such as 2.675, which
    /// binary floating point stores as 2.67499…, rounding up as on paper.
    public static func roundedToHundredths(_ value: Double) -> Double {
        let scaled = value * 100
        return (scaled + (scaled < 0 ? -1e-9 : 1e-9)).rounded(.toNearestOrAwayFromZero) / 100
    }
}

// MARK: - Definitions

extension Scorecard766 {
    /// How an indicator is computed, or why it cannot be.
    struct Definition: Sendable {
        enum Source: Sendable {
            case fraction(@Sendable (PublicServiceCounts) -> (numerator: Int, denominator: Int))
            case unsupported(vi: String, en: String)
        }

        let id: String
        let vi: String
        let en: String
        let formulaVi: String
        let formulaEn: String
        let threshold: Double?
        let maxScore: Double
        let source: Source

        func evaluate(_ counts: PublicServiceCounts) -> Indicator {
            switch source {
            case .unsupported(let reasonVi, let reasonEn):
                return Indicator(
                    id: id, vietnameseName: vi, englishName: en, vietnameseFormula: formulaVi,
                    englishFormula: formulaEn, supported: false, vietnameseReason: reasonVi,
                    englishReason: reasonEn, numerator: nil, denominator: nil, rate: nil,
                    threshold: threshold, maxScore: maxScore, score: nil)
            case .fraction(let compute):
                let (numerator, denominator) = compute(counts)
                let rate = ratio(numerator, denominator)
                var score: Double?
                if let rate, maxScore > 0 {
                    // QĐ 766 scoring (vietnam.md §1.6): max × min(1, rate / threshold), or max × rate.
                    let achieved = threshold.map { min(1, rate / $0) } ?? rate
                    score = Scorecard766.roundedToHundredths(maxScore * achieved)
                }
                return Indicator(
                    id: id, vietnameseName: vi, englishName: en, vietnameseFormula: formulaVi,
                    englishFormula: formulaEn, supported: true, vietnameseReason: nil, englishReason: nil,
                    numerator: numerator, denominator: denominator, rate: rate, threshold: threshold,
                    maxScore: maxScore, score: score)
            }
        }
    }

    private static let noCatalogueVi = "Cần dữ liệu Cơ sở dữ liệu quốc gia về TTHC (quyết định công bố, ngày hiệu lực, "
        + "trạng thái công khai), không có trong dữ liệu hồ sơ."
    private static let noCatalogueEn = "Needs the national TTHC catalogue (publication decisions, effective dates, "
        + "publication status), which the dossier data does not hold."

    /// The indicators in table order (vietnam.md §1.6).
    static let definitions: [Definition] = [
        Definition(
            id: "1.1", vi: "Tỷ lệ TTHC công bố đúng hạn", en: "Procedures published on time",
            formulaVi: "Số TTHC có quyết định công bố ≤ ngày hiệu lực văn bản − 5 ngày làm việc / số TTHC công bố trong kỳ",
            formulaEn: "Procedures whose publication decision is dated ≤ the legal basis's effective date − 5 working days / procedures published in the period",
            threshold: nil, maxScore: 6, source: .unsupported(vi: noCatalogueVi, en: noCatalogueEn)),
        Definition(
            id: "1.2", vi: "Tỷ lệ TTHC cập nhật, công khai đúng hạn", en: "Catalogue updated on time",
            formulaVi: "Số TTHC được công khai ≤ 5 ngày làm việc sau quyết định công bố / số TTHC đến hạn trong kỳ",
            formulaEn: "Procedures made public ≤ 5 working days after the publication decision / procedures due in the period",
            threshold: nil, maxScore: 4, source: .unsupported(vi: noCatalogueVi, en: noCatalogueEn)),
        Definition(
            id: "1.3", vi: "TTHC công khai đầy đủ nội dung", en: "Procedures published with full content",
            formulaVi: "Số TTHC công khai đủ 7 bộ phận / số TTHC đã công bố",
            formulaEn: "Procedures with all 7 parts published / published procedures",
            threshold: nil, maxScore: 2, source: .unsupported(vi: noCatalogueVi, en: noCatalogueEn)),
        Definition(
            id: "1.4", vi: "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", en: "Dossiers synced to the National Portal",
            formulaVi: "Số hồ sơ đã đồng bộ / max(số hồ sơ tiếp nhận theo Hệ thống báo cáo quốc gia, theo Cổng)",
            formulaEn: "Dossiers synced / max(dossiers received per the national reporting system, per the portal)",
            threshold: nil, maxScore: 6,
            source: .unsupported(
                vi: "Cần số liệu đồng bộ của Cổng Dịch vụ công quốc gia và Hệ thống báo cáo quốc gia để đối soát.",
                en: "Needs the National Portal's sync figures and the national reporting system's counts to reconcile.")),
        Definition(
            id: "2.1", vi: "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", en: "Dossiers handled early or on time",
            formulaVi: "(Đã giải quyết trước hạn + đúng hạn + đang giải quyết trong hạn + tạm dừng trong hạn) "
                + "/ (đã giải quyết + đang giải quyết + tạm dừng); không tính hồ sơ công dân rút",
            formulaEn: "(resolved early + on time + in progress within + paused within) "
                + "/ (resolved + in progress + paused); withdrawn dossiers left out",
            threshold: nil, maxScore: 20,
            source: .fraction { c in
                (c.resolvedEarly + c.resolvedOnTime + c.inProgressWithin + c.pausedWithin, c.processed)
            }),
        Definition(
            id: "2.2", vi: "Thời gian giải quyết trung bình theo TTHC", en: "Average processing time per procedure",
            formulaVi: "Tổng thời gian giải quyết hồ sơ đã hoàn thành / số hồ sơ, theo từng TTHC",
            formulaEn: "Total processing time of completed dossiers / their number, per procedure",
            threshold: nil, maxScore: 0,
            source: .unsupported(
                vi: "Chỉ hiển thị theo từng TTHC; không gộp được thành một tỷ lệ cho cả đơn vị.",
                en: "Shown per procedure only; it does not reduce to one rate for a unit.")),
        Definition(
            id: "3.1", vi: "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", en: "Procedures offered online",
            formulaVi: "Số TTHC có DVCTT một phần hoặc toàn trình / số TTHC thuộc thẩm quyền",
            formulaEn: "Procedures with a partial or full-process online service / procedures under the unit's authority",
            threshold: 0.8, maxScore: 0, source: .unsupported(vi: noCatalogueVi, en: noCatalogueEn)),
        Definition(
            id: "3.2", vi: "Tỷ lệ DVCTT có phát sinh hồ sơ", en: "Online services actually used",
            formulaVi: "Số DVCTT có ít nhất 1 hồ sơ trực tuyến / số DVCTT",
            formulaEn: "Online services with at least one online dossier / online services",
            threshold: nil, maxScore: 0,
            source: .unsupported(
                vi: "Cần danh mục DVCTT của đơn vị để biết dịch vụ nào chưa phát sinh hồ sơ.",
                en: "Needs the unit's list of online services to know which had no dossier.")),
        Definition(
            id: "3.3", vi: "Tỷ lệ hồ sơ trực tuyến", en: "Online share of dossiers",
            formulaVi: "Số hồ sơ tiếp nhận trực tuyến / tổng số hồ sơ tiếp nhận trong kỳ (chưa nhân tỷ lệ đồng bộ; "
                + "chỉ theo dõi, điểm tính ở chỉ số 3.4)",
            formulaEn: "Dossiers received online / dossiers received in the period (not multiplied by the sync rate; "
                + "monitored only, the points are in 3.4)",
            threshold: 0.5, maxScore: 0,
            source: .fraction { c in (c.receivedOnline, c.received) }),
        Definition(
            id: "3.4", vi: "Tỷ lệ hồ sơ DVCTT toàn trình", en: "Full-process online dossiers",
            formulaVi: "Số hồ sơ trực tuyến toàn trình / số hồ sơ của TTHC đủ điều kiện toàn trình "
                + "(nếu chưa có: số hồ sơ trực tuyến đã xác định mức độ)",
            formulaEn: "Full-process online dossiers / dossiers of procedures eligible for full-process online "
                + "(when unknown: online dossiers with a known service level)",
            threshold: nil, maxScore: 12,
            source: .fraction { c in (c.onlineFull, c.eligibleForFullOrFallback) }),
        Definition(
            id: "3.5", vi: "TTHC có nghĩa vụ tài chính tích hợp thanh toán; TTHC có phát sinh giao dịch thanh toán trực tuyến",
            en: "Fee-bearing procedures integrated with online payment; with actual online payments",
            formulaVi: "Số TTHC đã đồng bộ dữ liệu phí / số TTHC có phí khác 0 trong CSDL quốc gia",
            formulaEn: "Procedures with fee data synced / procedures with non-zero fees in the catalogue",
            threshold: 0.8, maxScore: 4, source: .unsupported(vi: noCatalogueVi, en: noCatalogueEn)),
        Definition(
            id: "3.6", vi: "Tỷ lệ hồ sơ thanh toán trực tuyến", en: "Dossiers paid online",
            formulaVi: "Số hồ sơ thanh toán trực tuyến / số hồ sơ của TTHC có phí, lệ phí (trừ TTHC phí bằng 0)",
            formulaEn: "Dossiers paid online / dossiers of fee-bearing procedures (zero-fee procedures left out)",
            threshold: nil, maxScore: 6,
            source: .fraction { c in (c.paidOnline, c.feeBearing) }),
        Definition(
            id: "4.1", vi: "Tỷ lệ hồ sơ có cấp kết quả điện tử", en: "Dossiers with an electronic result",
            formulaVi: "Số hồ sơ có tệp kết quả điện tử / số hồ sơ của TTHC có yêu cầu kết quả",
            formulaEn: "Dossiers with a synced e-result file / dossiers of procedures requiring a documentary result",
            threshold: nil, maxScore: 6,
            source: .fraction { c in (c.eResult, c.requireResult) }),
        Definition(
            id: "4.2", vi: "Tỷ lệ hồ sơ thực hiện số hóa", en: "Digitised dossiers",
            formulaVi: "Số hồ sơ có thành phần số hóa và có kết quả điện tử / số hồ sơ thuộc phạm vi",
            formulaEn: "Dossiers with digitised components and an e-result / dossiers in scope",
            threshold: 0.8, maxScore: 4,
            source: .fraction { c in (c.digitized, c.requireResult) }),
        Definition(
            id: "4.3", vi: "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", en: "Reuse of digitised data",
            formulaVi: "Số hồ sơ có thành phần được tái sử dụng / số hồ sơ tiếp nhận",
            formulaEn: "Dossiers with at least one reused component / dossiers received",
            threshold: 0.8, maxScore: 2,
            source: .unsupported(
                vi: "Dữ liệu hồ sơ chưa có cờ tái sử dụng thành phần (DuocSoHoa/HoSoCoThanhPhanSoHoa).",
                en: "The dossier data has no component-reuse flag (DuocSoHoa/HoSoCoThanhPhanSoHoa).")),
        Definition(
            id: "4.4", vi: "Hồ sơ số hóa kết nối, chia sẻ với kho dữ liệu cá nhân trên Cổng", en: "Digitised data linked to the citizen's data store",
            formulaVi: "Số hồ sơ lấy thành phần từ hoặc đẩy kết quả vào kho dữ liệu cá nhân / số hồ sơ tiếp nhận",
            formulaEn: "Dossiers taking a component from, or pushing a result to, the citizen's data store / dossiers received",
            threshold: nil, maxScore: 4,
            source: .unsupported(
                vi: "Cần dữ liệu kho dữ liệu cá nhân trên Cổng Dịch vụ công quốc gia.",
                en: "Needs the National Portal's citizen data-store records.")),
        Definition(
            id: "4.5", vi: "Ứng dụng dữ liệu dân cư", en: "Use of the population database",
            formulaVi: "TTHC cho công dân có dùng VNeID/CSDL quốc gia về dân cư / TTHC cho công dân; hồ sơ dùng dữ liệu đó / hồ sơ",
            formulaEn: "Citizen procedures using VNeID or the population database / citizen procedures; dossiers using that data / dossiers",
            threshold: nil, maxScore: 4,
            source: .unsupported(
                vi: "Cần dữ liệu khai thác CSDL quốc gia về dân cư theo hồ sơ và danh mục TTHC.",
                en: "Needs per-dossier population-database usage and the procedure catalogue.")),
        Definition(
            id: "4.6", vi: "Chứng thực bản sao điện tử từ bản chính", en: "Electronic certified copies",
            formulaVi: "Việc cung cấp dịch vụ chứng thực bản sao điện tử",
            formulaEn: "Whether the e-certification service is provided",
            threshold: nil, maxScore: 2,
            source: .unsupported(
                vi: "Là việc cung cấp dịch vụ, không tính được từ số hồ sơ.",
                en: "It is about providing the service, not a dossier count.")),
        Definition(
            id: "5.1", vi: "Phản ánh, kiến nghị theo phân loại", en: "Feedback by category",
            formulaVi: "Tỷ lệ PAKN về quy định/TTHC và về hành vi cán bộ",
            formulaEn: "Share of feedback about regulations or procedures and about staff conduct",
            threshold: nil, maxScore: 0,
            source: .unsupported(vi: "Cần dữ liệu hệ thống PAKN.", en: "Needs the PAKN (feedback) system's data.")),
        Definition(
            id: "5.2", vi: "Tỷ lệ PAKN xử lý đúng hạn", en: "Feedback handled on time",
            formulaVi: "Số PAKN xử lý đúng hạn / số PAKN thuộc phạm vi",
            formulaEn: "Feedback handled on time / feedback in scope",
            threshold: nil, maxScore: 6,
            source: .unsupported(vi: "Cần dữ liệu hệ thống PAKN.", en: "Needs the PAKN (feedback) system's data.")),
        Definition(
            id: "5.3", vi: "Tỷ lệ hài lòng trong xử lý PAKN", en: "Satisfaction with feedback handling",
            formulaVi: "(Số PAKN − PAKN có nhiều không hài lòng hơn hài lòng, quá hạn hoặc bị phản ánh lại) / số PAKN",
            formulaEn: "(Feedback − feedback with more dislikes than likes, overdue or raised again) / feedback",
            threshold: nil, maxScore: 6,
            source: .unsupported(vi: "Cần dữ liệu hệ thống PAKN.", en: "Needs the PAKN (feedback) system's data.")),
        Definition(
            id: "5.4", vi: "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", en: "Satisfaction with dossier handling",
            formulaVi: "100% − (tỷ lệ hồ sơ quá hạn + tỷ lệ hồ sơ có PAKN hoặc không hài lòng), cùng mẫu số với chỉ số 2.1",
            formulaEn: "100% − (overdue-dossier rate + rate of dossiers with feedback or a dislike), over the denominator of 2.1",
            threshold: 0.9, maxScore: 6,
            source: .fraction { c in
                // 1 − overdue/D − negative/D = (D − overdue − negative)/D, floored at 0.
                (max(0, c.processed - c.overdue - c.satisfactionNegative), c.processed)
            }),
    ]
}
