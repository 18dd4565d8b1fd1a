import Foundation
import Testing
import IOCCore

@Suite("W3CDateTime")
struct W3CDateTimeTests {
    private func epoch(_ s: String) -> Double? { W3CDateTime.parse(s)?.timeIntervalSince1970 }

    @Test("parses the zone forms Z, ±hh:mm and ±hhmm")
    func zones() {
        #expect(epoch("2026-03-01T08:15:30+07:00") == 1_772_327_730)
        #expect(epoch("2026-03-01T01:15:30Z") == 1_772_327_730)
        #expect(epoch("2026-03-01T01:15:30z") == 1_772_327_730)
        #expect(epoch("2026-03-01t01:15:30Z") == 1_772_327_730)
        #expect(epoch("2026-03-01T08:15:30+0700") == 1_772_327_730)
        #expect(epoch("2026-02-28T17:15:30-08:00") == 1_772_327_730)
        #expect(epoch("2026-03-01T01:15:30-00:00") == 1_772_327_730)
        #expect(epoch("2026-03-01T08:15+07:00") == 1_772_327_700) // seconds optional
    }

    @Test("rejects a missing or malformed time zone")
    func missingZone() {
        #expect(W3CDateTime.parse("2026-03-01T08:15:30") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15") == nil)
        #expect(W3CDateTime.parse("2026-03-01") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30+07") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30+7:00") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30 07:00") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30+24:00") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30+07:60") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30UTC") == nil)
    }

    @Test("rejects other malformed input")
    func malformed() {
        #expect(W3CDateTime.parse("") == nil)
        #expect(W3CDateTime.parse("2026-03-01 08:15:30Z") == nil)
        #expect(W3CDateTime.parse(" 2026-03-01T08:15:30Z") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30Z ") == nil)
        #expect(W3CDateTime.parse("2026-3-01T08:15:30Z") == nil)
        #expect(W3CDateTime.parse("26-03-01T08:15:30Z") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:30.Z") == nil)
        #expect(W3CDateTime.parse("2026-03-01T08:15:3Z") == nil)
        #expect(W3CDateTime.parse("２０２６-03-01T08:15:30Z") == nil)
    }

    @Test("validates month, day, hour, minute and second ranges")
    func ranges() {
        #expect(W3CDateTime.parse("2026-13-01T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2026-00-01T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2026-04-31T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2026-04-30T00:00:00Z") != nil)
        #expect(W3CDateTime.parse("2026-01-32T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2026-01-00T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2026-01-01T24:00:00Z") == nil)
        #expect(W3CDateTime.parse("2026-01-01T23:60:00Z") == nil)
        #expect(W3CDateTime.parse("2026-01-01T23:59:60Z") == nil)
        #expect(W3CDateTime.parse("2026-01-01T23:59:59Z") != nil)
    }

    @Test("leap days: 2024 and 2000 yes; 2023 and 2100 no")
    func leapDays() {
        #expect(epoch("2024-02-29T12:00:00Z") == 1_709_208_000)
        #expect(epoch("2000-02-29T00:00:00Z") == 951_782_400)
        #expect(W3CDateTime.parse("2023-02-29T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2100-02-29T00:00:00Z") == nil)
        #expect(W3CDateTime.parse("2100-02-28T00:00:00Z") != nil)
    }

    @Test("fractional seconds, 1970 and 2100")
    func fractionsAndEras() throws {
        #expect(epoch("1970-01-01T00:00:00Z") == 0)
        #expect(epoch("1970-01-01T07:00:00+07:00") == 0)
        #expect(epoch("1969-12-31T23:59:59Z") == -1)
        #expect(epoch("2100-01-01T00:00:00Z") == 4_102_444_800)
        let half = try #require(epoch("2026-03-01T01:15:30.5Z"))
        #expect(half == 1_772_327_730.5)
        let nanos = try #require(epoch("2026-03-01T01:15:30.123456789123Z"))
        #expect(abs(nanos - 1_772_327_730.123456789) < 1e-6)
        #expect(epoch("2026-03-01T08:15:30.000+07:00") == 1_772_327_730)
    }

    @Test("formats in +07:00 by default, Z at offset 0, negative offsets, truncating fractions")
    func formatting() {
        let t = Date(timeIntervalSince1970: 1_772_327_730)
        #expect(W3CDateTime.format(t) == "2026-03-01T08:15:30+07:00")
        #expect(W3CDateTime.format(t, offsetMinutes: 0) == "2026-03-01T01:15:30Z")
        #expect(W3CDateTime.format(t, offsetMinutes: -480) == "2026-02-28T17:15:30-08:00")
        #expect(W3CDateTime.format(t, offsetMinutes: 330) == "2026-03-01T06:45:30+05:30")
        #expect(W3CDateTime.format(t.addingTimeInterval(0.999)) == "2026-03-01T08:15:30+07:00")
        #expect(W3CDateTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T07:00:00+07:00")
        #expect(W3CDateTime.format(Date(timeIntervalSince1970: -0.5), offsetMinutes: 0) == "1969-12-31T23:59:59Z")
        #expect(W3CDateTime.format(Date(timeIntervalSince1970: 4_102_444_799), offsetMinutes: 0) == "2099-12-31T23:59:59Z")
        #expect(W3CDateTime.format(Date(timeIntervalSince1970: 4_107_542_400), offsetMinutes: 0) == "2100-03-01T00:00:00Z")
        #expect(W3CDateTime.format(Date(timeIntervalSince1970: 1_709_208_000)) == "2024-02-29T19:00:00+07:00")
        #expect(W3CDateTime.format(.distantFuture).hasPrefix("4001-01-01T"))
        #expect(W3CDateTime.format(Date(timeIntervalSince1970: 1e300), offsetMinutes: 0) == "9999-12-31T23:59:59Z")
    }

    @Test("format and parse agree with Foundation's calendar on 3,000 dates from 1900 to 2200")
    func againstFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<3000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let secs = Double(Int64(seed >> 11) % 9_467_280_000) - 2_208_988_800 // 1900…2200
            let date = Date(timeIntervalSince1970: secs)
            let text = W3CDateTime.format(date)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d+07:00",
                                  c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            #expect(text == expected)
            #expect(W3CDateTime.parse(text) == date)
        }
    }
}
