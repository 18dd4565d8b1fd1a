import Foundation
import Testing
@testable import IOCCore

@Suite("SafeXML: pre-checks and reader")
struct SafeXMLTests {
    private func refusal(_ bytes: [UInt8], maxBytes: Int = 1 << 20, maxDepth: Int = 64) -> CAPError? {
        do {
            _ = try SafeXML.parse(bytes, maxBytes: maxBytes, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    private func refusal(_ text: String) -> CAPError? { refusal(Array(text.utf8)) }

    private func parse(_ text: String) throws -> SafeXML.Element {
        try SafeXML.parse(Array(text.utf8), maxBytes: 1 << 20)
    }

    // MARK: Pre-checks

    @Test func sizeIsCheckedFirstAndBoundIsInclusive() throws {
        let doc = Array("<a>\(String(repeating: "x", count: 100))</a>".utf8)
        #expect(refusal(doc, maxBytes: doc.count) == nil)
        #expect(refusal(doc, maxBytes: doc.count - 1)?.code == .tooLarge)
        // Too large and hostile: the size answer comes first, before anything looks inside.
        let hostile = Array("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>".utf8)
        #expect(refusal(hostile, maxBytes: 10)?.code == .tooLarge)
        // The default is 1 MiB, for Data too (refused before copying).
        let big = Data(count: (1 << 20) + 1)
        #expect(throws: CAPError.self) { try CAPParser.parse(big) }
        do { _ = try CAPParser.parse(big) } catch { #expect(error.code == .tooLarge) }
    }

    @Test func onlyUTF8IsAccepted() {
        let utf16 = [UInt8]("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE a SYSTEM \"http://127.0.0.1/x\"><a/>".data(using: .utf16LittleEndian)!)
        #expect(refusal([0xFF, 0xFE] + utf16)?.code == .unsupportedEncoding)
        #expect(refusal([0xFE, 0xFF] + [UInt8]("<a/>".data(using: .utf16BigEndian)!))?.code == .unsupportedEncoding)
        // UTF-16 without a byte-order mark has NUL bytes, which UTF-8 XML never has.
        #expect(refusal(utf16)?.code == .unsupportedEncoding)
        #expect(refusal([0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E])?.code == .unsupportedEncoding)
        // A declaration naming another encoding, whatever the bytes.
        for encoding in ["ISO-8859-1", "UTF-16", "US-ASCII", "windows-1258", "UTF8"] {
            let e = refusal("<?xml version=\"1.0\" encoding=\"\(encoding)\"?><a/>")
            #expect(e?.code == .unsupportedEncoding, "\(encoding)")
            #expect(e?.message.en.contains(encoding) == true)
        }
        for encoding in ["UTF-8", "utf-8", "Utf-8"] {
            #expect(refusal("<?xml version='1.0' encoding='\(encoding)'?><a/>") == nil, "\(encoding)")
        }
        #expect(refusal("<?xml version=\"1.0\"?><a/>") == nil)
        #expect(refusal([0xEF, 0xBB, 0xBF] + Array("<a/>".utf8)) == nil)
    }

    @Test func doctypeAndEntityDeclarationsAreRefusedWherever() {
        #expect(refusal("<!DOCTYPE a><a/>")?.code == .doctypeForbidden)
        #expect(refusal("<!doctype a><a/>")?.code == .doctypeForbidden)
        // Even where a parser would not look: in a comment, in CDATA.
        #expect(refusal("<a><!-- <!DOCTYPE a> --></a>")?.code == .doctypeForbidden)
        #expect(refusal("<a><![CDATA[<!ENTITY x 'y'>]]></a>")?.code == .entityForbidden)
        #expect(refusal("<a><!ENTITY x 'y'></a>")?.code == .entityForbidden)
        // Pre-checks run before the reader: a DOCTYPE in a document that is also broken is reported as such.
        #expect(refusal("<!DOCTYPE a><a></b>")?.code == .doctypeForbidden)
    }

    @Test func onlyThePredefinedEntitiesAndCharacterReferencesAreKnown() throws {
        let e = refusal("<a><b>x&xxe;</b></a>")
        #expect(e?.code == .entityForbidden)
        #expect(e?.path == "a/b")
        #expect(e?.message.en.contains("&xxe;") == true)
        let root = try parse("<a t='&lt;&amp;&quot;'>&lt;&gt;&amp;&apos;&quot; &#7841;&#x1EA1; &#x1F30A;</a>")
        #expect(root.text == "<>&'\" ạạ 🌊")
        #expect(root.attribute("t") == "<&\"")
        for bad in ["&#0;", "&#xD800;", "&#x110000;", "&#xFFFE;", "&#;", "&#x;", "&#12a;", "& ", "&amp"] {
            #expect(refusal("<a>\(bad)</a>")?.code == .malformedXML, "\(bad)")
        }
    }

    @Test func depthIsBounded() {
        func nested(_ n: Int) -> String { String(repeating: "<e>", count: n) + String(repeating: "</e>", count: n) }
        #expect(refusal(Array(nested(64).utf8)) == nil)
        #expect(refusal(Array(nested(65).utf8))?.code == .tooDeep)
        #expect(refusal(Array(nested(1000).utf8))?.code == .tooDeep)
        #expect(refusal(Array(nested(6).utf8), maxDepth: 5)?.code == .tooDeep)
        // Through the CAP parser too: deep nesting inside a foreign element is refused, not walked.
        let deep = CAPSample.with("<scope>Public</scope>", "<scope>Public</scope><x:e xmlns:x='urn:x'>" + nested(70) + "</x:e>")
        #expect(CAPFixtures.refusal(deep)?.code == .tooDeep)
    }

    // MARK: Well-formedness

    @Test(arguments: [
        "<a></b>", "<a>", "<a/><b/>", "<a/>text", "text<a/>", "<p:a/>", "<a x='1' x='2'/>", "<a x='<'/>",
        "<a x=1/>", "<a x='1'y='2'/>", "<a>\u{1}</a>", "<a><!ATTLIST a x CDATA #IMPLIED></a>", "<a>]]></a>",
        "<a><?xml version='1.0'?></a>", "", "<a xmlns:p=''/>", "<a:b:c xmlns:a='u'/>", "<a><!-- x", "<a><![CDATA[x</a>",
        "<?xml encoding='UTF-8'?><a/>",
    ])
    func malformedDocumentsAreRefused(_ text: String) {
        #expect(refusal(text)?.code == .malformedXML)
    }

    @Test func malformedMessagesNameTheLine() {
        let e = refusal("<a>\n<b>\n</c>\n</a>")
        #expect(e?.message.en.hasPrefix("Malformed XML at line 3") == true)
        #expect(e?.message.vi.hasPrefix("XML không hợp lệ ở dòng 3") == true)
        #expect(e?.path == "a/b")
    }

    @Test func readsNamespacesTextAndAttributes() throws {
        let root = try parse("""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <?xml-stylesheet href="http://127.0.0.1:1/x.xsl" type="text/xsl"?>
        <!-- comment -->
        <c:alert xmlns:c="urn:one" xmlns="urn:default" xml:lang="vi">
          <c:a>x\r\ny\rz</c:a>
          <b attr="1\t2\n3">one<![CDATA[<two>&amp;]]>three</b>
          <d xmlns="">plain</d>
          <e/>
        </c:alert>
        <!-- trailing comment -->
        """)
        #expect(root.namespace == "urn:one" && root.localName == "alert" && root.qualifiedName == "c:alert")
        #expect(root.attributes.first?.namespace == SafeXML.xmlNamespace && root.attributes.first?.value == "vi")
        #expect(root.children.map(\.localName) == ["a", "b", "d", "e"])
        #expect(root.children[0].namespace == "urn:one" && root.children[0].text == "x\ny\nz")
        #expect(root.children[1].namespace == "urn:default")
        #expect(root.children[1].text == "one<two>&amp;three")
        #expect(root.children[1].attribute("attr") == "1 2 3")
        #expect(root.children[2].namespace == "")
        #expect(root.children[3].text == "" && root.children[3].children.isEmpty)
    }
}
