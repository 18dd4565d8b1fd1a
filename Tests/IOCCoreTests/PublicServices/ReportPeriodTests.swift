import Foundation
import IOCCore
import Testing

@Suite("Report periods")
struct ReportPeriodTests {
    @Test("A calendar month runs from the 1st 00:00 to the next 1st 00:00, Vietnam time")
    func calendarMonth() {
        let feb = ReportPeriod.calendarMonth(year: 2026, month: 2).bounds()
        #expect(feb.lowerBound == VN.at("2026-02-01 00:00"))
        #expect(feb.upperBound == VN.at("2026-03-01 00:00"))
        // 2026-02-01 00:00 +07 is 2026-01-31 17:00 UTC.
        #expect(feb.lowerBound.timeIntervalSince1970 == 1_769_878_800)
        let dec = ReportPeriod.calendarMonth(year: 2025, month: 12).bounds()
        #expect(dec.lowerBound == VN.at("2025-12-01 00:00"))
        #expect(dec.upperBound == VN.at("2026-01-01 00:00"))
    }

    @Test("A report month runs from the 15th of the previous month to the 14th (Nghị định 09/2019)")
    func reportMonth() {
        let march = ReportPeriod.reportMonth(year: 2026, month: 3)
        #expect(march.bounds() == VN.at("2026-02-15 00:00")..<VN.at("2026-03-15 00:00"))
        // 14/3 23:59:59.999 (to the microsecond; Date is a Double).
        let last = march.lastInstant().timeIntervalSince(VN.at("2026-03-14 23:59:59"))
        #expect(abs(last - 0.999) < 1e-6)
        #expect(march.bounds().contains(VN.at("2026-03-14 23:59:59")))
        #expect(!march.bounds().contains(VN.at("2026-03-15 00:00")))
        #expect(march.bounds().contains(VN.at("2026-02-15 00:00")))
    }

    @Test("The January report month starts on 15 December of the previous year")
    func januaryReportMonth() {
        let jan = ReportPeriod.reportMonth(year: 2026, month: 1).bounds()
        #expect(jan.lowerBound == VN.at("2025-12-15 00:00"))
        #expect(jan.upperBound == VN.at("2026-01-15 00:00"))
    }

    @Test("Custom periods are half-open; an inverted one is empty")
    func custom() {
        let from = VN.at("2026-03-01 00:00")
        let to = VN.at("2026-03-08 00:00")
        #expect(ReportPeriod.custom(from: from, to: to).bounds() == from..<to)
        #expect(ReportPeriod.custom(from: to, to: from).bounds().isEmpty)
    }

    @Test("Months outside 1…12 are reported invalid")
    func validity() {
        #expect(ReportPeriod.reportMonth(year: 2026, month: 12).isValid)
        #expect(!ReportPeriod.reportMonth(year: 2026, month: 13).isValid)
        #expect(!ReportPeriod.calendarMonth(year: 2026, month: 0).isValid)
    }
}
