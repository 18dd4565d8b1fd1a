import Foundation
import Testing
@testable import IOCServer

@Suite("ISO 8601 formatting")
struct ISO8601Tests {
    @Test func fastFormatterMatchesFoundation() {
        var rng = SplitMix64(seed: 8601)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 4_102_444_799.999)]
        for _ in 0..<5_000 { dates.append(Date(timeIntervalSince1970: Double(rng.next() % 4_102_444_800_000) / 1000)) }
        for d in dates {
            #expect(ISO8601.format(d) == d.formatted(style), "\(d.timeIntervalSince1970)")
            #expect(ISO8601.parse(ISO8601.format(d)).map { abs($0.timeIntervalSince(d)) <= 0.0011 } == true)
        }
    }
}
