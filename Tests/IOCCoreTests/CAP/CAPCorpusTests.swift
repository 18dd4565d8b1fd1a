import Foundation
import Testing
@testable import IOCCore

/// The public corpus in `Fixtures/` (origins in `Fixtures/SOURCES.md`): messages other people wrote, read back field
/// by field, and broken ones refused with the right code and path.
@Suite("CAP corpus")
struct CAPCorpusTests {
    // MARK: OASIS CAP 1.2 specification, Appendix A

    @Test func oasisHomelandSecurityAdvisory() throws {
        let a = try CAPFixtures.alert("Oasis_HomelandAlert.xml")
        #expect(a.version == .v1_2)
        #expect(a.identifier == "43b080713727")
        #expect(a.sender == "hsas@dhs.gov")
        #expect(a.sent.text == "2003-04-02T14:39:01-05:00")
        #expect(a.sent.date == CAPFixtures.date("2003-04-02T19:39:01Z"))
        #expect(a.status == .actual && a.msgType == .alert && a.scope == .public)
        #expect(a.infos.count == 1)
        let info = a.infos[0]
        #expect(info.language == "en-US") // not in the message: the schema's default
        #expect(info.categories == [.security])
        #expect(info.event == "Homeland Security Advisory System Update")
        #expect(info.urgency == .immediate && info.severity == .severe && info.certainty == .likely)
        #expect(info.headline == "Homeland Security Sets Code ORANGE")
        #expect(info.instruction?.hasPrefix(" A High Condition is declared") == true) // free text kept as written
        #expect(info.web == "http://www.dhs.gov/dhspublic/display?theme=29")
        #expect(info.parameters == [CAPValuePair(valueName: "HSAS", value: "ORANGE")])
        #expect(info.resources == [CAPResource(resourceDesc: "Image file (GIF)", mimeType: "image/gif",
                                               uri: "http://www.dhs.gov/dhspublic/getAdvisoryImage")])
        #expect(info.areas.map(\.areaDesc) == ["U.S. nationwide and interests worldwide"])
        #expect(info.areas[0].polygons.isEmpty && info.areas[0].circles.isEmpty)
    }

    @Test func oasisThunderstormWarningExpiredLongAgoIsStillAccepted() throws {
        let a = try CAPFixtures.alert("Oasis_ThunderstormWarning.xml")
        #expect(a.identifier == "KSTO1055887203")
        let info = a.infos[0]
        #expect(info.responseTypes == [.shelter])
        #expect(info.eventCodes == [CAPValuePair(valueName: "SAME", value: "SVR")])
        #expect(info.expires?.text == "2003-06-17T16:00:00-07:00")
        #expect(info.expires!.date < CAPFixtures.date("2004-01-01T00:00:00Z"))
        #expect(info.contact == "BARUFFALDI/JUSKIE")
        let area = info.areas[0]
        #expect(area.polygons.count == 1)
        #expect(area.polygons[0].count == 5)
        #expect(area.polygons[0][0] == CAPPoint(latitude: 38.47, longitude: -120.14))
        #expect(area.polygons[0][2] == CAPPoint(latitude: 38.52, longitude: -119.74))
        #expect(area.geocodes.map(\.value) == ["006109", "006009", "006003"])
        #expect(area.geocodes.allSatisfy { $0.valueName == "SAME" })
    }

    @Test func oasisEarthquakeUpdateReferencesTheFirstReport() throws {
        let a = try CAPFixtures.alert("Oasis_EarthquakeReport.xml")
        #expect(a.identifier == "TRI13970876.2")
        #expect(a.msgType == .update)
        let refs = try #require(a.references)
        #expect(refs.raw == "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00")
        #expect(refs.entries.count == 1)
        #expect(refs.entries[0].sender == "trinet@caltech.edu")
        #expect(refs.entries[0].identifier == "TRI13970876.1")
        #expect(refs.entries[0].sent.date == CAPFixtures.date("2003-06-12T03:30:00Z"))
        let info = a.infos[0]
        #expect(info.severity == .minor && info.certainty == .observed && info.urgency == .past)
        #expect(info.parameters.map(\.valueName) == ["EventID", "Version", "Magnitude", "Depth", "Quality"])
        #expect(info.parameters[2].value == "3.4 Ml")
        #expect(info.areas[0].circles == [CAPCircle(center: CAPPoint(latitude: 32.9525, longitude: -115.5527), radiusKm: 0)])
    }

    @Test func oasisAmberAlertHasTwoLanguages() throws {
        let a = try CAPFixtures.alert("Oasis_AmberAlert.xml")
        #expect(a.identifier == "KAR0-0306112239-SW")
        #expect(a.source == "SW")
        #expect(a.infos.map(\.language) == ["en-US", "es-US"])
        #expect(a.infos[1].event == "Abducción de Niño")
        #expect(a.infos[1].senderName == "Departamento de Policía de Los Ángeles - LAPD")
        #expect(a.infos[1].areas[0].areaDesc == "condado de Los Ángeles")
        #expect(a.infos[0].description?.contains("3'0\", 40 LBS") == true)
        #expect(a.infos.allSatisfy { $0.categories == [.rescue] && $0.areas[0].geocodes == [CAPValuePair(valueName: "SAME", value: "006037")] })
    }

    // MARK: Real messages

    @Test func nwsTornadoWarningSentToIPAWS() throws {
        let a = try CAPFixtures.alert("NWS_TornadoWarning.xml")
        #expect(a.version == .v1_2)
        #expect(a.identifier == "NWS-IDP-DEV-3889295-3321272")
        #expect(a.sent.date == CAPFixtures.date("2020-01-23T14:23:00Z"))
        #expect(a.codes == ["IPAWSv1.0"])
        #expect(a.note == "") // present but empty: kept as such
        #expect(a.infos.map(\.language) == ["en-US", "es-US"])
        let info = a.infos[0]
        #expect(info.severity == .extreme && info.urgency == .immediate && info.certainty == .observed)
        #expect(info.eventCodes.map(\.value) == ["TOR", "TOW"])
        #expect(info.onset?.text == "2020-01-23T08:23:00-06:00")
        #expect(info.parameters.count == 13)
        #expect(info.parameters[0].value == "2020-01-23T15:01:00.000-06:00...storm...209DEG...35KT...31.6,-92.19 ")
        #expect(info.description?.contains("PARTICULARLY DANGEROUS SITUATION") == true)
        #expect(info.areas[0].polygons[0].count == 7)
        #expect(info.areas[0].polygons[0].first == info.areas[0].polygons[0].last)
        #expect(info.areas[0].geocodes.map(\.value) == ["LAC059", "LAC021", "022059", "022021"])
    }

    @Test func prefixedCAPElementsAreFoundByNamespace() throws {
        let a = try CAPFixtures.alert("australia.cap")
        #expect(a.version == .v1_2)
        #expect(a.identifier == "tag:www.rfs.nsw.gov.au2011-10-06:40184")
        #expect(a.sent.date == CAPFixtures.date("2011-10-05T13:04:00Z"))
        #expect(a.codes == ["urn:oasis:names:tc:emergency:cap:1.2:profile:CAP-AU:1.0"])
        #expect(a.infos.count == 2)
        let info = a.infos[0]
        #expect(info.language == "en-AU")
        #expect(info.categories == [.fire, .met])
        #expect(info.responseTypes == [.evacuate])
        #expect(info.description?.hasPrefix("ALERT LEVEL: Not Applicable<br />LOCATION") == true)
        #expect(info.parameters.first { $0.valueName == "AllocatedResources" }?.value == "")
        #expect(info.resources[0].mimeType == "text/html")
        #expect(info.areas[0].circles == [CAPCircle(center: CAPPoint(latitude: -35.3888, longitude: 147.0598), radiusKm: 25)])
        #expect(info.areas[0].geocodes[0].value == "AU-NSW")
    }

    // MARK: CAP 1.1

    @Test func cap11MessagesAreRecognisedAsSuch() throws {
        let quake = try CAPFixtures.alert("earthquake.cap")
        #expect(quake.version == .v1_1)
        #expect(quake.identifier == "USGS-earthquakes-us2010apcd.6.20100831T000925.496Z")
        #expect(quake.codes == ["IPAWSv1.0"])
        #expect(quake.infos.count == 2)
        #expect(quake.infos.map(\.language) == ["en-US", "sp-US"])
        #expect(quake.infos[0].parameters.count == 12)
        #expect(quake.infos[0].areas[0].circles[0].center == CAPPoint(latitude: -16.053, longitude: -173.274))

        let weather = try CAPFixtures.alert("weather.cap")
        #expect(weather.version == .v1_1)
        #expect(weather.infos[0].event == "Flash Flood Watch")
        #expect(weather.infos[0].parameters.map(\.value) == [
            "", "MTZ014",
            "/O.CON.KTFX.FF.A.0003.000000T0000Z-100830T1800Z/\n/00000.0.ER.000000T0000Z.000000T0000Z.000000T0000Z.OO/", "",
        ])
        #expect(weather.infos[0].areas[0].geocodes == [
            CAPValuePair(valueName: "FIPS6", value: "030049"), CAPValuePair(valueName: "UGC", value: "MTZ014"),
        ])

        let canada = try CAPFixtures.alert("canada.cap")
        #expect(canada.version == .v1_1)
        #expect(canada.msgType == .update)
        #expect(canada.codes == ["profile:CAP-CP:1.0", "layer:EC:1.0", "layer:NPAS:1.0"])
        let refs = try #require(canada.references)
        #expect(refs.entries.count == 5)
        #expect(refs.entries[0].identifier == "CA-EC-CWTO-2011-138774")
        #expect(refs.entries[0].sent.text == "2011-02-07T23:52:00-00:00") // "-00:00" is a valid offset
        #expect(refs.entries[4].identifier == "CA-EC-CWTO-2011-138649")
        #expect(canada.infos.map(\.language) == ["fr-CA", "en-CA"])
        #expect(canada.infos[0].event == "Vent de tempéte")
        #expect(canada.infos[0].resources[0].size == 17437)
        #expect(canada.infos[1].areas.map(\.areaDesc) == ["Laurentian Fan", "Georges Bank", "East Scotian Slope", "West Scotian Slope"])
        #expect(canada.infos[1].areas[0].polygons[0].count == 20)
        #expect(canada.infos[1].areas[0].geocodes == [CAPValuePair(valueName: "layer:EC:1.0:CLC", value: "003380")])

        let bare = try CAPFixtures.alert("no_optional_fields.cap")
        #expect(bare.version == .v1_1 && bare.infos.isEmpty && bare.scope == .public)
    }

    // MARK: Refused

    @Test func googleInvalidMessagesAreRefusedWithCodeAndPath() throws {
        let noScope = CAPFixtures.refusal(try CAPFixtures.bytes("invalid.cap"))
        #expect(noScope?.code == .missingElement)
        #expect(noScope?.path == "alert/scope")
        #expect(noScope?.message.vi == "Thiếu phần tử bắt buộc alert/scope")
        #expect(noScope?.message.en == "Required element alert/scope is missing")

        let emptyReferences = CAPFixtures.refusal(try CAPFixtures.bytes("canada_errors.cap"))
        #expect(emptyReferences?.code == .invalidReferences)
        #expect(emptyReferences?.path == "alert/references")

        let noaa = try CAPFixtures.text("noaa_errors.cap")
        let first = CAPFixtures.refusal(noaa)
        #expect(first?.code == .invalidReferences)
        #expect(first?.path == "alert/references")
        // Its next errors, one at a time, as a sender fixing the message would meet them.
        var fixed = noaa.replacingOccurrences(of: "<references></references>", with: "")
        #expect(CAPFixtures.refusal(fixed)?.site == "invalid-value alert/info/urgency")
        fixed = fixed.replacingOccurrences(of: "<urgency></urgency>", with: "<urgency>Expected</urgency>")
            .replacingOccurrences(of: "<severity></severity>", with: "<severity>Moderate</severity>")
            .replacingOccurrences(of: "<certainty></certainty>", with: "<certainty>Likely</certainty>")
        #expect(CAPFixtures.refusal(fixed)?.site == "invalid-polygon alert/info/area/polygon")
        fixed = fixed.replacingOccurrences(of: "-118.09,", with: "-118.09")
        let repaired = try CAPParser.parse(Array(fixed.utf8))
        #expect(repaired.infos[0].areas[0].polygons[0].first == CAPPoint(latitude: 41.12, longitude: -117.61))
    }

    @Test func xxeAndForeignEncodingFixturesAreRefused() throws {
        #expect(CAPFixtures.refusal(try CAPFixtures.bytes("xee.cap"))?.code == .doctypeForbidden)
        let latin1 = CAPFixtures.refusal(try CAPFixtures.bytes("earthquake-iso8859-1.cap"))
        #expect(latin1?.code == .unsupportedEncoding)
        #expect(latin1?.message.en == "Only UTF-8 documents are accepted (found ISO-8859-1)")
    }
}
