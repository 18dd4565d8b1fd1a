import Foundation
import Testing
@testable import IOCCore

@Suite("CAP Atom feeds")
struct CAPAtomTests {
    private func entries(_ text: String) throws(CAPError) -> [CAPAtom.Entry] {
        try CAPAtom.entries(Array(text.utf8))
    }

    private func refusal(_ text: String) -> CAPError? {
        do { _ = try entries(text); return nil } catch { return error }
    }

    @Test func nwsIndexUsesEachEntrysOnlyLink() throws {
        let e = try CAPAtom.entries(try CAPFixtures.bytes("weather_index.atom"))
        #expect(e.count == 2)
        #expect(e[0].capURL == "http://www.weather.gov/alerts-beta/wwacapget.php?x=CT20100831030400OKXAirQualityAlertOKX20100901031500CT")
        #expect(e[0].id == e[0].capURL)
        #expect(e[0].updated == "2010-08-30T23:04:00-04:00")
        #expect(e[0].updatedDate == CAPFixtures.date("2010-08-31T03:04:00Z"))
        #expect(e[1].capURL.hasSuffix("x=DC20100830203300LWXAirQualityAlertLWX20100901040000DC"))
    }

    @Test func usgsFeedPrefersTheCAPTypedLinkOverTheHTMLPage() throws {
        let e = try CAPAtom.entries(try CAPFixtures.bytes("earthquake_index.atom"))
        #expect(e == [CAPAtom.Entry(id: "urn:earthquake-usgs-gov:us:2010apcd", updated: "2010-08-30T23:25:40Z",
                                    updatedDate: CAPFixtures.date("2010-08-30T23:25:40Z"),
                                    capURL: "http://earthquake.usgs.gov/earthquakes/catalogs/cap/us2010apcd")])
    }

    @Test func entriesWithoutLinksFallBackToAnHTTPId() throws {
        let amber = try CAPAtom.entries(try CAPFixtures.bytes("amber.atom")) // atom: prefix, CAP embedded in content
        #expect(amber.map(\.capURL) == ["http://doj.dc.gov/amber12345"])
        let noLink = try CAPAtom.entries(try CAPFixtures.bytes("no_link.atom"))
        #expect(noLink.map(\.capURL) == ["http://www.weather.gov/alerts-beta/wwacapget.php?x=DC20100829202900LWXAirQualityAlertLWX20100831040000DC"])
        #expect(noLink[0].updatedDate == CAPFixtures.date("2010-08-29T20:29:00Z"))
    }

    @Test func hostileOrBrokenFeedsAreRefused() throws {
        let xee = try CAPFixtures.bytes("xee.atom")
        do { _ = try CAPAtom.entries(xee); Issue.record("xee.atom accepted") } catch {
            #expect(error.code == .doctypeForbidden)
        }
        let atom = "xmlns='http://www.w3.org/2005/Atom'"
        // A link to a local file (or any non-http scheme) must not reach the poller.
        let file = refusal("<feed \(atom)><entry><id>x</id><updated>2026-03-01T00:00:00Z</updated><link type='application/cap+xml' href='file:///etc/passwd'/></entry></feed>")
        #expect(file?.site == "invalid-value feed/entry/link")
        let gopher = refusal("<feed \(atom)><entry><id>x</id><updated>2026-03-01T00:00:00Z</updated><link href='gopher://h/1'/></entry></feed>")
        #expect(gopher?.site == "invalid-value feed/entry/link")
        #expect(refusal("<feed \(atom)><entry><updated>2026-03-01T00:00:00Z</updated><link href='http://h/a'/></entry></feed>")?.site
                == "missing-element feed/entry/id")
        #expect(refusal("<feed \(atom)><entry><id>http://h/a</id></entry></feed>")?.site == "missing-element feed/entry/updated")
        #expect(refusal("<feed \(atom)><entry><id>urn:x:1</id><updated>2026-03-01T00:00:00Z</updated><link rel='alternate' type='text/html' href='http://h/page'/></entry></feed>")?.site
                == "missing-cap-link feed/entry/link")
        #expect(refusal("<feed \(atom)><entry><id>x</id><updated>2026-03-01T00:00:00Z</updated><link href='http:///etc/passwd'/></entry></feed>")?.site
                == "invalid-value feed/entry/link")
        #expect(try entries("<feed \(atom)><entry><id>x</id><updated>2026-03-01T00:00:00Z</updated><link href='http://a'/></entry></feed>").map(\.capURL) == ["http://a"])
        #expect(refusal(CAPSample.document)?.code == .notAtom)
        #expect(refusal("<feed/>")?.code == .notAtom)
    }

    @Test func relativeLinksResolveAgainstTheFeedsSelfLink() throws {
        let e = try entries("""
        <feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:x">
          <link rel="self" href="https://feeds.example.org/api/v1/warnings/feed-vietnam"/>
          <x:ignored/>
          <entry><id>urn:x:1</id><updated>2026-03-01T08:00:00+07:00</updated>
            <link rel="related" type="application/cap+xml; charset=utf-8" hreflang="vi" href="warnings/1.xml"/></entry>
        </feed>
        """)
        #expect(e.map(\.capURL) == ["https://feeds.example.org/api/v1/warnings/warnings/1.xml"])
    }

    @Test func ourFeedLinksEachAlertAndReadsBack() throws {
        let alert = CAPWriterTests.rich
        var second = CAPWriterTests.rich
        second.identifier = "IOC-66-2026-0043"
        second.infos = []
        let urls = ["https://ioc.daklak.gov.vn/cap/IOC-66-2026-0042.xml", "https://ioc.daklak.gov.vn/cap/IOC-66-2026-0043.xml?a=1&b=2"]
        let xml = CAPAtom.feed(id: "https://ioc.daklak.gov.vn/cap/feed", title: "Cảnh báo — IOC Đắk Lắk <tỉnh>",
                               updated: CAPFixtures.date("2026-03-01T01:20:00Z"),
                               selfURL: "https://ioc.daklak.gov.vn/cap/feed.atom",
                               entries: [(alert, urls[0]), (second, urls[1])])
        #expect(xml.contains("<updated>2026-03-01T08:20:00+07:00</updated>"))
        #expect(xml.contains("<title>Cảnh báo — IOC Đắk Lắk &lt;tỉnh&gt;</title>"))
        #expect(xml.contains("<title>Cảnh báo lũ quét khẩn cấp</title>"))
        #expect(xml.contains("<link rel=\"alternate\" type=\"application/cap+xml\" href=\"https://ioc.daklak.gov.vn/cap/IOC-66-2026-0043.xml?a=1&amp;b=2\"/>"))
        let back = try entries(xml)
        #expect(back.map(\.capURL) == urls)
        #expect(back.map(\.id) == urls)
        #expect(back.map(\.updated) == ["2026-03-01T08:15:30+07:00", "2026-03-01T08:15:30+07:00"])
        // The feed is well-formed and namespaced as Atom.
        let root = try SafeXML.parse(Array(xml.utf8), maxBytes: 1 << 20)
        #expect(root.namespace == CAPAtom.namespace && root.localName == "feed")
        #expect(root.children.filter { $0.localName == "entry" }.count == 2)
        #expect(root.children.contains { $0.localName == "author" })
    }
}
