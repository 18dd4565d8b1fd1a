import Foundation
import Testing
@testable import IOCCore

@Suite("CAP validation rules")
struct CAPValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let old: String
        let new: String
        let site: String
        var testDescription: String { site + " ← " + new.prefix(50) }
    }

    static let cases: [Case] = [
        // alert
        Case(old: "<identifier>IOC-66-2026-0001</identifier>", new: "", site: "missing-element alert/identifier"),
        Case(old: "IOC-66-2026-0001", new: "IOC 66", site: "invalid-value alert/identifier"),
        Case(old: "IOC-66-2026-0001", new: "IOC,66", site: "invalid-value alert/identifier"),
        Case(old: "IOC-66-2026-0001", new: "", site: "invalid-value alert/identifier"),
        Case(old: "ioc@daklak.gov.vn", new: "ioc&amp;daklak", site: "invalid-value alert/sender"),
        Case(old: "ioc@daklak.gov.vn", new: "ioc&lt;x", site: "invalid-value alert/sender"),
        Case(old: "<sent>2026-03-01T08:15:30+07:00</sent>", new: "", site: "missing-element alert/sent"),
        Case(old: "2026-03-01T08:15:30+07:00", new: "2026-03-01T08:15:30", site: "invalid-datetime alert/sent"),
        Case(old: "2026-03-01T08:15:30+07:00", new: "2026-03-01T08:15:30.5+07:00", site: "invalid-datetime alert/sent"),
        Case(old: "2026-03-01T08:15:30+07:00", new: "2026-02-30T08:15:30+07:00", site: "invalid-datetime alert/sent"),
        Case(old: "2026-03-01T08:15:30+07:00", new: "2026-03-01T08:15+07:00", site: "invalid-datetime alert/sent"),
        Case(old: "2026-03-01T08:15:30+07:00", new: "2026-03-01T08:15:30+15:00", site: "invalid-datetime alert/sent"),
        Case(old: "2026-03-01T08:15:30+07:00", new: "2026-03-01 08:15:30+07:00", site: "invalid-datetime alert/sent"),
        Case(old: "<status>Actual</status>", new: "<status>Real</status>", site: "invalid-value alert/status"),
        Case(old: "<status>Actual</status>", new: "<status>actual</status>", site: "invalid-value alert/status"),
        Case(old: "<msgType>Alert</msgType>", new: "", site: "missing-element alert/msgType"),
        Case(old: "<scope>Public</scope>", new: "<scope>Everyone</scope>", site: "invalid-value alert/scope"),
        Case(old: "<scope>Public</scope>", new: "<scope>Private</scope>", site: "missing-element alert/addresses"),
        Case(old: "<scope>Public</scope>", new: "<scope>Private</scope><addresses> </addresses>", site: "missing-element alert/addresses"),
        Case(old: "<scope>Public</scope>", new: "<scope>Restricted</scope>", site: "missing-element alert/restriction"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><references>a,b</references>", site: "invalid-references alert/references"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><references>a,b,2026-03-01T08:15:30</references>", site: "invalid-references alert/references"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><references>a,b,c,2026-03-01T08:15:30+07:00</references>", site: "invalid-references alert/references"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><references/>", site: "invalid-references alert/references"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><scope>Public</scope>", site: "duplicate-element alert/scope"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><colour>red</colour>", site: "unexpected-element alert/colour"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope>loose text", site: "unexpected-text alert"),
        Case(old: "<scope>Public</scope>", new: "<scope>Public</scope><x:note xmlns:x='urn:oasis:names:tc:emergency:cap:1.1'>n</x:note>", site: "unexpected-element alert/note"),
        // info
        Case(old: "<language>vi-VN</language>", new: "<language>vi_VN</language>", site: "invalid-value alert/info/language"),
        Case(old: "<category>Met</category>", new: "", site: "missing-element alert/info/category"),
        Case(old: "<category>Met</category>", new: "<category>Weather</category>", site: "invalid-value alert/info/category"),
        Case(old: "<event>Lũ quét</event>", new: "", site: "missing-element alert/info/event"),
        Case(old: "<event>Lũ quét</event>", new: "<event> </event>", site: "invalid-value alert/info/event"),
        Case(old: "<event>Lũ quét</event>", new: "<event>Lũ quét</event><event>Lũ</event>", site: "duplicate-element alert/info/event"),
        Case(old: "<responseType>Evacuate</responseType>", new: "<responseType>Run</responseType>", site: "invalid-value alert/info/responseType"),
        Case(old: "<urgency>Immediate</urgency>", new: "", site: "missing-element alert/info/urgency"),
        Case(old: "<urgency>Immediate</urgency>", new: "<urgency></urgency>", site: "invalid-value alert/info/urgency"),
        Case(old: "<severity>Severe</severity>", new: "<severity>High</severity>", site: "invalid-value alert/info/severity"),
        Case(old: "<certainty>Likely</certainty>", new: "", site: "missing-element alert/info/certainty"),
        Case(old: "<certainty>Likely</certainty>", new: "<certainty>Very Likely</certainty>", site: "invalid-value alert/info/certainty"),
        Case(old: "<value>FFW</value>", new: "", site: "missing-element alert/info/eventCode/value"),
        Case(old: "2026-03-01T20:00:00+07:00", new: "2026-03-01T20:00:00", site: "invalid-datetime alert/info/expires"),
        Case(old: "<headline>Cảnh báo lũ quét</headline>", new: "<headline>Cảnh <b>báo</b></headline>", site: "unexpected-element alert/info/headline/b"),
        Case(old: "<headline>Cảnh báo lũ quét</headline>", new: "<headline>x</headline><colour>red</colour>", site: "unexpected-element alert/info/colour"),
        // resource
        Case(old: "<mimeType>image/png</mimeType>", new: "", site: "missing-element alert/info/resource/mimeType"),
        Case(old: "<resourceDesc>Bản đồ vùng ngập</resourceDesc>", new: "", site: "missing-element alert/info/resource/resourceDesc"),
        Case(old: "<size>1024</size>", new: "<size>1kB</size>", site: "invalid-value alert/info/resource/size"),
        Case(old: "<size>1024</size>", new: "<size>-1</size>", site: "invalid-value alert/info/resource/size"),
        // area
        Case(old: "<areaDesc>Xã Ea Kao</areaDesc>", new: "", site: "missing-element alert/info/area/areaDesc"),
        Case(old: "12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00", new: "12.60,108.00 12.70,108.00 12.60,108.00", site: "invalid-polygon alert/info/area/polygon"),
        Case(old: "12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00", new: "12.60,108.00 12.70,108.00 12.70,108.10 12.61,108.00", site: "invalid-polygon alert/info/area/polygon"),
        Case(old: "12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00", new: "12.60,108.00 91,108.00 12.70,108.10 12.60,108.00", site: "invalid-polygon alert/info/area/polygon"),
        Case(old: "12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00", new: "12.60,108.00 12.70,181 12.70,108.10 12.60,108.00", site: "invalid-polygon alert/info/area/polygon"),
        Case(old: "12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00", new: "12.60 108.00 12.70 108.00 12.70 108.10 12.60 108.00", site: "invalid-polygon alert/info/area/polygon"),
        Case(old: "12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00", new: "12.60,108.00 12.70,1e2 12.70,108.10 12.60,108.00", site: "invalid-polygon alert/info/area/polygon"),
        Case(old: "<circle>12.65,108.05 5</circle>", new: "<circle>12.65,108.05</circle>", site: "invalid-circle alert/info/area/circle"),
        Case(old: "<circle>12.65,108.05 5</circle>", new: "<circle>12.65,108.05 -5</circle>", site: "invalid-circle alert/info/area/circle"),
        Case(old: "<circle>12.65,108.05 5</circle>", new: "<circle>95,108.05 5</circle>", site: "invalid-circle alert/info/area/circle"),
        Case(old: "<circle>12.65,108.05 5</circle>", new: "<circle>12.65,108.05 nan</circle>", site: "invalid-circle alert/info/area/circle"),
        Case(old: "</geocode>", new: "</geocode><ceiling>3000</ceiling>", site: "missing-element alert/info/area/altitude"),
        Case(old: "</geocode>", new: "</geocode><altitude>1e3</altitude>", site: "invalid-value alert/info/area/altitude"),
        Case(old: "<valueName>GSO</valueName>", new: "", site: "missing-element alert/info/area/geocode/valueName"),
    ]

    @Test(arguments: cases)
    func eachRuleRefusesWithCodeAndPath(_ c: Case) {
        let e = CAPFixtures.refusal(CAPSample.with(c.old, c.new))
        #expect(e?.site == c.site)
        #expect(e?.message.vi.isEmpty == false)
        #expect(e?.message.en.isEmpty == false)
    }

    @Test func theSampleItselfIsValid() throws {
        let a = try CAPParser.parse(Array(CAPSample.document.utf8))
        #expect(a.identifier == "IOC-66-2026-0001")
        #expect(a.infos[0].event == "Lũ quét")
        #expect(a.infos[0].areas[0].polygons[0].count == 4)
        #expect(a.infos[0].areas[0].circles[0].radiusKm == 5)
    }

    @Test func messagesAreBilingualAndNameThePath() {
        let e = CAPFixtures.refusal(CAPSample.with("<certainty>Likely</certainty>", ""))
        #expect(e?.code == .missingElement)
        #expect(e?.path == "alert/info/certainty")
        #expect(e?.message.vi == "Thiếu phần tử bắt buộc alert/info/certainty")
        #expect(e?.message.en == "Required element alert/info/certainty is missing")
        let bad = CAPFixtures.refusal(CAPSample.with("<severity>Severe</severity>", "<severity>High</severity>"))
        #expect(bad?.message.en == "Value 'High' of alert/info/severity is not allowed; allowed values: Extreme, Severe, Moderate, Minor, Unknown")
        #expect(bad?.message.vi.hasPrefix("Giá trị 'High' của alert/info/severity không hợp lệ") == true)
    }

    /// Decision: CAP forbids "Z" (CAP 1.2 §3.3.2 and the schema pattern); it is refused with a message saying to
    /// write +00:00. Numeric zero offsets, including "-00:00", are accepted.
    @Test func zuluTimesAreRefusedWithAReason() throws {
        let e = CAPFixtures.refusal(CAPSample.with("2026-03-01T08:15:30+07:00", "2026-03-01T01:15:30Z"))
        #expect(e?.site == "invalid-datetime alert/sent")
        #expect(e?.message.en.contains("does not allow the 'Z' time zone designator; write the offset as +00:00") == true)
        #expect(e?.message.vi.contains("không cho phép múi giờ 'Z'") == true)
        let inExpires = CAPFixtures.refusal(CAPSample.with("2026-03-01T20:00:00+07:00", "2026-03-01T13:00:00Z"))
        #expect(inExpires?.site == "invalid-datetime alert/info/expires")
        let inReferences = CAPFixtures.refusal(CAPSample.with(
            "<scope>Public</scope>", "<scope>Public</scope><references>a,b,2026-03-01T01:15:30Z</references>"))
        #expect(inReferences?.code == .invalidReferences)

        for zero in ["+00:00", "-00:00"] {
            let a = try CAPParser.parse(Array(CAPSample.with("2026-03-01T08:15:30+07:00", "2026-03-01T01:15:30" + zero).utf8))
            #expect(a.sent.date == CAPFixtures.date("2026-03-01T01:15:30Z"))
            #expect(a.sent.text == "2026-03-01T01:15:30" + zero)
        }
        #expect(CAPDateTime("2026-03-01T01:15:30Z") == nil)
        #expect(CAPDateTime(CAPFixtures.date("2026-03-01T01:15:30Z"), offsetMinutes: 0).text == "2026-03-01T01:15:30+00:00")
        #expect(CAPDateTime(CAPFixtures.date("2026-03-01T01:15:30Z")).text == "2026-03-01T08:15:30+07:00")
    }

    @Test func anExpiredAlertIsValid() throws {
        let a = try CAPParser.parse(Array(CAPSample.with("2026-03-01T20:00:00+07:00", "1999-01-01T00:00:00+07:00").utf8))
        #expect(a.infos[0].expires?.date == CAPFixtures.date("1998-12-31T17:00:00Z"))
    }

    @Test func versionsAreToldApartByNamespace() throws {
        let v11 = CAPSample.document.replacingOccurrences(of: "emergency:cap:1.2", with: "emergency:cap:1.1")
        // CAP 1.1 has no "Avoid"/"AllClear" responses and an optional mimeType.
        #expect(try CAPParser.parse(Array(v11.utf8)).version == .v1_1)
        let allClear = v11.replacingOccurrences(of: "<responseType>Evacuate</responseType>", with: "<responseType>AllClear</responseType>")
        #expect(CAPFixtures.refusal(allClear)?.site == "invalid-value alert/info/responseType")
        let allClear12 = CAPSample.with("<responseType>Evacuate</responseType>", "<responseType>AllClear</responseType>")
        #expect(try CAPParser.parse(Array(allClear12.utf8)).infos[0].responseTypes == [.allClear])
        let noMime = v11.replacingOccurrences(of: "<mimeType>image/png</mimeType>", with: "")
        #expect(try CAPParser.parse(Array(noMime.utf8)).infos[0].resources[0].mimeType == nil)

        let v10 = CAPSample.document.replacingOccurrences(of: "urn:oasis:names:tc:emergency:cap:1.2", with: "http://www.incident.com/cap/1.0")
        #expect(CAPFixtures.refusal(v10)?.code == .unsupportedVersion)
        let v13 = CAPSample.document.replacingOccurrences(of: "emergency:cap:1.2", with: "emergency:cap:1.3")
        #expect(CAPFixtures.refusal(v13)?.code == .unsupportedVersion)
        let noNamespace = CAPSample.document.replacingOccurrences(of: " xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", with: "")
        #expect(CAPFixtures.refusal(noNamespace)?.code == .notCAP)
        #expect(CAPFixtures.refusal("<feed xmlns='http://www.w3.org/2005/Atom'/>")?.code == .notCAP)
    }

    @Test func foreignNamespacesAreToleratedAndOrderIsFree() throws {
        let doc = CAPSample.document
            .replacingOccurrences(of: "<status>Actual</status>\n  <msgType>Alert</msgType>",
                                  with: "<msgType>Alert</msgType>\n  <status>Actual</status>")
            .replacingOccurrences(of: "<scope>Public</scope>",
                                  with: "<scope>Public</scope><ext:colour xmlns:ext='urn:example:ext'>red<ext:deep><cap:x xmlns:cap='urn:x'/></ext:deep></ext:colour>")
            .replacingOccurrences(of: "<headline>", with: "<ext:note xmlns:ext='urn:example:ext'>n</ext:note><headline>")
            .replacingOccurrences(of: "</geocode>", with: "</geocode><plain xmlns=''>p</plain>")
            .replacingOccurrences(of: "</info>", with: "</info><ds:Signature xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><ds:SignedInfo/></ds:Signature>")
        let a = try CAPParser.parse(Array(doc.utf8))
        #expect(a.status == .actual && a.msgType == .alert)
        #expect(a.infos[0].headline == "Cảnh báo lũ quét")
        #expect(a.infos[0].areas[0].geocodes.count == 1)
    }

    @Test func tokensAreTrimmedButFreeTextIsKept() throws {
        let doc = CAPSample.with("<status>Actual</status>", "<status>\n    Actual\n  </status>")
            .replacingOccurrences(of: "<headline>Cảnh báo lũ quét</headline>", with: "<headline>  Cảnh báo\n lũ quét </headline>")
        let a = try CAPParser.parse(Array(doc.utf8))
        #expect(a.status == .actual)
        #expect(a.infos[0].headline == "  Cảnh báo\n lũ quét ")
    }

    @Test func validateChecksAlertsBuiltInCode() throws {
        var a = try CAPParser.parse(Array(CAPSample.document.utf8))
        try a.validate()
        a.identifier = "has space"
        #expect(throws: CAPError.self) { try a.validate() }
        a.identifier = "ok"
        a.infos[0].areas[0].polygons = [[CAPPoint(latitude: 1, longitude: 2), CAPPoint(latitude: 1, longitude: 2)]]
        do { try a.validate(); Issue.record("short polygon accepted") } catch { #expect(error.code == .invalidPolygon) }
        a.infos[0].areas[0].polygons = []
        a.infos[0].areas[0].circles = [CAPCircle(center: CAPPoint(latitude: 0, longitude: 0), radiusKm: .infinity)]
        do { try a.validate(); Issue.record("infinite radius accepted") } catch { #expect(error.code == .invalidCircle) }
        a.infos[0].areas[0].circles = []
        a.references = CAPReferences([])
        do { try a.validate(); Issue.record("empty references accepted") } catch { #expect(error.site == "invalid-references alert/references") }
        a.references = CAPReferences([.init(sender: "a b", identifier: "x", sent: CAPDateTime("2026-03-01T00:00:00+07:00")!)])
        do { try a.validate(); Issue.record("reference sender with a space accepted") } catch { #expect(error.code == .invalidReferences) }
        a.references = nil
        a.version = .v1_1
        a.infos[0].responseTypes = [.avoid]
        do { try a.validate(); Issue.record("Avoid accepted in 1.1") } catch { #expect(error.site == "invalid-value alert/info/responseType") }
    }
}
