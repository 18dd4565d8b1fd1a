import Foundation
import Testing
@testable import IOCCore

@Suite("CAP writer")
struct CAPWriterTests {
    static func dt(_ s: String) -> CAPDateTime { CAPDateTime(s)! }

    /// A warning the province would publish: Vietnamese and English infos, every optional element, shapes, codes,
    /// references and text that needs escaping.
    static let rich = CAPAlert(
        identifier: "IOC-66-2026-0042",
        sender: "ioc@daklak.gov.vn",
        sent: dt("2026-03-01T08:15:30+07:00"),
        status: .actual,
        msgType: .update,
        source: "Trung tâm Điều hành IOC Đắk Lắk",
        scope: .restricted,
        restriction: "Chỉ dành cho UBND các xã",
        addresses: "\"UBND xã Ea Kao\" ubnd-hoa-thang",
        codes: ["profile:CAP-VN:0.1", "IOC"],
        note: "Cập nhật lần 2 <thay thế> & bổ sung",
        references: CAPReferences([
            .init(sender: "ioc@daklak.gov.vn", identifier: "IOC-66-2026-0041", sent: dt("2026-03-01T06:00:00+07:00")),
            .init(sender: "nchmf@vnmha.gov.vn", identifier: "KTTV-2026-77", sent: dt("2026-02-28T23:00:00-00:00")),
        ]),
        incidents: "LU-2026-03 LU-2026-04",
        infos: [
            CAPInfo(
                language: "vi-VN", categories: [.met, .safety], event: "Lũ quét và sạt lở đất",
                responseTypes: [.evacuate, .avoid], urgency: .immediate, severity: .extreme, certainty: .likely,
                audience: "Người dân ven sông Krông Ana",
                eventCodes: [CAPValuePair(valueName: "SAME", value: "FFW"), CAPValuePair(valueName: "IOC", value: "")],
                effective: dt("2026-03-01T08:15:30+07:00"), onset: dt("2026-03-01T10:00:00+07:00"),
                expires: dt("2026-03-02T08:00:00+07:00"), senderName: "UBND tỉnh Đắk Lắk",
                headline: "Cảnh báo lũ quét khẩn cấp",
                description: "  Mưa lớn 150–200 mm; mực nước sông Krông Ana vượt báo động 3.\nNguy cơ sạt lở > 80% & \"rất cao\" — 'cao'.\r\nKết thúc ]]> ở đây.  ",
                instruction: "Sơ tán ngay lên vùng cao.\n\tMang theo giấy tờ.",
                web: "https://ioc.daklak.gov.vn/canh-bao/IOC-66-2026-0042",
                contact: "Đường dây nóng 1900 0000",
                parameters: [CAPValuePair(valueName: "mucNuoc", value: "452.3 m"), CAPValuePair(valueName: "VTEC", value: "/O.NEW/\n/x/")],
                resources: [
                    CAPResource(resourceDesc: "Bản đồ vùng nguy hiểm", mimeType: "image/png", size: 20480,
                                uri: "https://ioc.daklak.gov.vn/media/ban-do.png", derefUri: nil, digest: "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
                    CAPResource(resourceDesc: "Thông báo (âm thanh)", mimeType: "audio/mpeg", derefUri: "SUQzBAAAAAAA"),
                ],
                areas: [
                    CAPArea(
                        areaDesc: "Xã Ea Kao, xã Hòa Thắng",
                        polygons: [[
                            CAPPoint(latitude: 12.6, longitude: 108.0), CAPPoint(latitude: 12.7, longitude: 108.0),
                            CAPPoint(latitude: 12.7, longitude: 108.1), CAPPoint(latitude: 12.6, longitude: 108.0),
                        ], [
                            CAPPoint(latitude: -0.00001, longitude: 179.99999), CAPPoint(latitude: 0.5, longitude: -180),
                            CAPPoint(latitude: 90, longitude: 0), CAPPoint(latitude: -0.00001, longitude: 179.99999),
                        ]],
                        circles: [CAPCircle(center: CAPPoint(latitude: 12.65, longitude: 108.05), radiusKm: 7.5),
                                  CAPCircle(center: CAPPoint(latitude: 12.667_5, longitude: 108.037_8), radiusKm: 0)],
                        geocodes: [CAPValuePair(valueName: "GSO", value: "24100"), CAPValuePair(valueName: "GSO", value: "24103")],
                        altitude: 1500, ceiling: 1e-7),
                    CAPArea(areaDesc: "Toàn tỉnh Đắk Lắk", geocodes: [CAPValuePair(valueName: "GSO", value: "66")]),
                ]),
            CAPInfo(
                language: "en-US", categories: [.met], event: "Flash flood and landslide", urgency: .immediate,
                severity: .extreme, certainty: .likely, headline: "Flash flood emergency",
                instruction: "Evacuate to high ground now.",
                areas: [CAPArea(areaDesc: "Ea Kao and Hoa Thang communes",
                                circles: [CAPCircle(center: CAPPoint(latitude: 12.65, longitude: 108.05), radiusKm: 7.5)])]),
        ])

    @Test func roundTripIsExact() throws {
        try Self.rich.validate()
        let xml = CAPWriter.xml(Self.rich)
        let back = try CAPParser.parse(Array(xml.utf8))
        #expect(back == Self.rich)
    }

    @Test func codableRoundTripKeepsDatesAndReferencesAsText() throws {
        let json = try JSONEncoder().encode(Self.rich)
        #expect(try JSONDecoder().decode(CAPAlert.self, from: json) == Self.rich)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"sent\":\"2026-03-01T08:15:30+07:00\""))
        let broken = text.replacingOccurrences(of: "\"sent\":\"2026-03-01T08:15:30+07:00\"", with: "\"sent\":\"2026-03-01T01:15:30Z\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CAPAlert.self, from: Data(broken.utf8)) }
    }

    @Test func outputIsUTF8WithVietnameseIntactAndTextEscaped() {
        let xml = CAPWriter.xml(Self.rich)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"))
        #expect(xml.contains("<event>Lũ quét và sạt lở đất</event>"))
        #expect(xml.contains("<headline>Cảnh báo lũ quét khẩn cấp</headline>"))
        #expect(xml.contains("<note>Cập nhật lần 2 &lt;thay thế&gt; &amp; bổ sung</note>"))
        #expect(xml.contains("&#13;"))
        #expect(xml.contains("Kết thúc ]]&gt; ở đây."))
        #expect(!xml.contains("e-05") && xml.contains("<ceiling>0.0000001</ceiling>"))
        #expect(xml.contains("<polygon>-0.00001,179.99999 0.5,-180.0 90.0,0.0 -0.00001,179.99999</polygon>"))
    }

    @Test func characterXMLCannotCarryIsReplaced() throws {
        var a = Self.rich
        a.note = "bell\u{7}here"
        let back = try CAPParser.parse(Array(CAPWriter.xml(a).utf8))
        #expect(back.note == "bell\u{FFFD}here")
    }

    /// Every document the writer emits validates against the OASIS schema: the rich alert, a minimal one, one built
    /// from a `Date`, and every valid message of the corpus (CAP 1.1 ones come out as CAP 1.2).
    @Test func everyWrittenDocumentValidatesAgainstTheOASISSchema() throws {
        var documents: [(name: String, xml: String)] = [("rich", CAPWriter.xml(Self.rich))]
        let minimal = CAPAlert(identifier: "m1", sender: "ioc@daklak.gov.vn",
                               sent: CAPDateTime(CAPFixtures.date("2026-03-01T01:15:30.75Z")),
                               status: .test, msgType: .alert, scope: .public)
        documents.append(("minimal", CAPWriter.xml(minimal)))
        for name in CAPCorpus.valid {
            documents.append((name, CAPWriter.xml(try CAPFixtures.alert(name))))
        }
        let (valid, output) = try XMLLint.validate(documents)
        #expect(valid, "xmllint: \(output)")
        #expect(output.components(separatedBy: " validates").count - 1 == documents.count, "\(output)")
    }

    /// And the schema check is not vacuous: a document out of schema order fails it.
    @Test func theSchemaCheckCatchesAWronglyOrderedDocument() throws {
        let xml = CAPWriter.xml(Self.rich).replacingOccurrences(
            of: "<status>Actual</status>\n  <msgType>Update</msgType>", with: "<msgType>Update</msgType>\n  <status>Actual</status>")
        let (valid, output) = try XMLLint.validate([("swapped", xml)])
        #expect(!valid)
        #expect(output.contains("fails to validate"))
    }

    @Test func corpusMessagesSurviveWritingAndReading() throws {
        for name in CAPCorpus.valid {
            var original = try CAPFixtures.alert(name)
            let back = try CAPParser.parse(Array(CAPWriter.xml(original).utf8))
            original.version = .v1_2
            #expect(back == original, "\(name)")
        }
    }
}

enum CAPCorpus {
    static let valid = [
        "Oasis_HomelandAlert.xml", "Oasis_ThunderstormWarning.xml", "Oasis_EarthquakeReport.xml", "Oasis_AmberAlert.xml",
        "NWS_TornadoWarning.xml", "australia.cap", "earthquake.cap", "weather.cap", "canada.cap", "no_optional_fields.cap",
    ]
}
