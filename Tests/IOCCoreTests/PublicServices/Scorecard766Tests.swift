import Foundation
import IOCCore
import Testing

@Suite("QĐ 766 scorecard")
struct Scorecard766Tests {
    let card = Scorecard766(counts: sampleRow)

    func indicator(_ id: String, in card: Scorecard766? = nil) throws -> Scorecard766.Indicator {
        try #require((card ?? self.card).indicators.first { $0.id == id })
    }

    @Test("2.1: (early + on time + in progress within + paused within) / processed × 20")
    func timeliness() throws {
        // (50 + 20 + 12 + 4) / (100 − 5 withdrawn) = 86/95 = 0.905263…; 20 × 0.905263 = 18.105 → 18.11.
        let i = try indicator("2.1")
        #expect(i.numerator == 86 && i.denominator == 95)
        #expect(i.score == 18.11)
        #expect(i.ratePercent == 90.53)
        #expect(i.threshold == nil && i.maxScore == 20)
    }

    @Test("3.3: online share is shown against 50% but not scored")
    func onlineShare() throws {
        // 30 / 90 = 33.33% < 50%.
        let i = try indicator("3.3")
        #expect(i.supported && i.isMonitorOnly)
        #expect(i.numerator == 30 && i.denominator == 90)
        #expect(i.ratePercent == 33.33)
        #expect(i.threshold == 0.5)
        #expect(i.meetsThreshold == false)
        #expect(i.score == nil)
    }

    @Test("3.4: full-process online dossiers / eligible × 12, with the fallback denominator")
    func fullProcess() throws {
        // 12 / 24 = 0.5 → 6.00.
        #expect(try indicator("3.4").score == 6)
        // Eligibility unknown: 12 / 25 online dossiers with a known level = 0.48 → 5.76.
        var row = sampleRow
        row.eligibleForFull = nil
        let i = try indicator("3.4", in: Scorecard766(counts: row))
        #expect(i.denominator == 25)
        #expect(i.score == 5.76)
    }

    @Test("3.6: paid online / fee-bearing × 6")
    func onlinePayment() throws {
        // 18 / 40 = 0.45 → 2.70.
        #expect(try indicator("3.6").score == 2.7)
    }

    @Test("4.1: e-result / requiring a result × 6")
    func eResult() throws {
        // 63 / 70 = 0.9 → 5.40.
        #expect(try indicator("4.1").score == 5.4)
    }

    @Test("4.2: digitised / in scope, threshold 80%, × 4")
    func digitisation() throws {
        // 49 / 70 = 0.7; 4 × 0.7 / 0.8 = 3.50.
        let i = try indicator("4.2")
        #expect(i.score == 3.5)
        #expect(i.meetsThreshold == false)
        // 60 / 70 = 0.857 ≥ 0.8 → full 4.
        var row = sampleRow
        row.digitized = 60
        #expect(try indicator("4.2", in: Scorecard766(counts: row)).score == 4)
    }

    @Test("5.4: 100% − overdue rate − negative rate, threshold 90%, × 6")
    func satisfaction() throws {
        // D = 95; (95 − 9 overdue − 2 negative) / 95 = 84/95 = 0.884211; 6 × 0.884211 / 0.9 = 5.8947 → 5.89.
        let i = try indicator("5.4")
        #expect(i.numerator == 84 && i.denominator == 95)
        #expect(i.score == 5.89)
        // Never below 0: 90 overdue and 10 complaints of 95.
        let bad = PublicServiceCounts(receivedDirect: 95, resolvedLate: 90, inProgressWithin: 5, satisfactionNegative: 10)
        let worst = try indicator("5.4", in: Scorecard766(counts: bad))
        #expect(worst.numerator == 0 && worst.score == 0)
    }

    @Test("Total: the sum of supported scores out of their maximum")
    func total() {
        // 18.11 + 6.00 + 2.70 + 5.40 + 3.50 + 5.89 = 41.60 of 20 + 12 + 6 + 6 + 4 + 6 = 54.
        #expect(card.totalScore == 41.6)
        #expect(card.scoredMaxScore == 54)
        #expect(card.supportedMaxScore == 54)
        #expect(card.fullMaxScore == 100)
    }

    @Test("Zero denominators are N/A and leave the total and its maximum")
    func notApplicable() throws {
        var row = sampleRow
        row.paidOnline = 0
        row.feeBearing = 0
        let noFees = Scorecard766(counts: row)
        let i = try indicator("3.6", in: noFees)
        #expect(i.supported && i.rate == nil && i.score == nil && i.ratePercent == nil)
        // 41.60 − 2.70 of 54 − 6.
        #expect(noFees.totalScore == 38.9)
        #expect(noFees.scoredMaxScore == 48)
        #expect(noFees.supportedMaxScore == 54)
        let empty = Scorecard766(counts: .zero)
        #expect(empty.scoredIndicators.isEmpty)
        #expect(empty.totalScore == 0 && empty.scoredMaxScore == 0)
    }

    @Test("Indicators the data cannot support are listed with a reason and no numbers")
    func unsupported() {
        let ids = ["1.1", "1.2", "1.3", "1.4", "2.2", "3.1", "3.2", "3.5", "4.3", "4.4", "4.5", "4.6", "5.1", "5.2", "5.3"]
        let unsupported = card.indicators.filter { !$0.supported }
        #expect(unsupported.map(\.id) == ids)
        for i in unsupported {
            #expect(i.numerator == nil && i.denominator == nil && i.rate == nil && i.score == nil)
            #expect(!(i.vietnameseReason ?? "").isEmpty && !(i.englishReason ?? "").isEmpty)
        }
        for i in card.indicators where i.supported {
            #expect(i.vietnameseReason == nil && i.englishReason == nil)
        }
        #expect(card.indicators.map(\.id) == [
            "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
            "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "5.1", "5.2", "5.3", "5.4",
        ])
    }

    @Test("Group maxima match the 766 table: 18, 20, 22, 22, 18")
    func groupMaxima() {
        func group(_ g: String) -> Double {
            card.indicators.filter { $0.id.hasPrefix(g + ".") }.reduce(0) { $0 + $1.maxScore }
        }
        #expect([group("1"), group("2"), group("3"), group("4"), group("5")] == [18, 20, 22, 22, 18])
    }

    @Test("Every indicator has names and formulas in both languages")
    func texts() {
        for i in card.indicators {
            #expect(!i.vietnameseName.isEmpty && !i.englishName.isEmpty)
            #expect(!i.vietnameseFormula.isEmpty && !i.englishFormula.isEmpty)
        }
    }

    @Test("Rounding is half away from zero to 2 decimals")
    func rounding() {
        #expect(Scorecard766.roundedToHundredths(2.675) == 2.68)
        #expect(Scorecard766.roundedToHundredths(18.105263) == 18.11)
        #expect(Scorecard766.roundedToHundredths(5.894736) == 5.89)
        #expect(Scorecard766.roundedToHundredths(-1.005) == -1.01)
    }

    @Test("A scorecard round-trips through JSON")
    func codable() throws {
        let data = try JSONEncoder().encode(card)
        #expect(try JSONDecoder().decode(Scorecard766.self, from: data) == card)
    }
}
