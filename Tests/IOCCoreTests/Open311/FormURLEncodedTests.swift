import Foundation
import Testing
import IOCCore

@Suite("FormURLEncoded")
struct FormURLEncodedTests {
    private func decode(_ s: String) throws(Open311Error) -> [(name: String, value: String)] {
        try FormURLEncoded.parse(Array(s.utf8))
    }

    private func flat(_ pairs: [(name: String, value: String)]) -> [String] {
        pairs.map { "\($0.name)=\($0.value)" }
    }

    @Test("percent-decodes UTF-8: %E1%BB%95 is ổ, lower-case hex too")
    func utf8() throws {
        #expect(flat(try decode("q=%E1%BB%95")) == ["q=ổ"])
        #expect(flat(try decode("q=g%c3%a0")) == ["q=gà"])
        #expect(flat(try decode("t%C3%AAn=L%C3%AA+Du%E1%BA%A9n")) == ["tên=Lê Duẩn"])
    }

    @Test("'+' is a space, %2B is a plus, '=' inside a value is kept")
    func plusAndEquals() throws {
        #expect(flat(try decode("a=1+2&b=1%2B2")) == ["a=1 2", "b=1+2"])
        #expect(flat(try decode("q=a=b==c")) == ["q=a=b==c"])
        #expect(flat(try decode("a+b=c")) == ["a b=c"])
    }

    @Test("empty pairs and empty keys are skipped; a key without '=' has an empty value")
    func emptyPieces() throws {
        #expect(flat(try decode("")) == [])
        #expect(flat(try decode("&&a=1&&b=&")) == ["a=1", "b="])
        #expect(flat(try decode("=orphan&x=1&=")) == ["x=1"])
        #expect(flat(try decode("flag&x=1")) == ["flag=", "x=1"])
        #expect(flat(try decode("a=1;b=2")) == ["a=1;b=2"])
    }

    @Test("order and repetitions are kept")
    func order() throws {
        #expect(flat(try decode("media_url=a&x=1&media_url=b")) == ["media_url=a", "x=1", "media_url=b"])
    }

    @Test("unencoded UTF-8 bytes are accepted")
    func rawUTF8() throws {
        #expect(flat(try FormURLEncoded.parse(Array("mô_tả=Đèn hỏng".utf8))) == ["mô_tả=Đèn hỏng"])
        #expect(flat(try FormURLEncoded.parse("a=%C3%A0&b=c")) == ["a=à", "b=c"])
    }

    @Test("a bad percent-escape is a 400", arguments: ["q=%G1", "q=%E", "q=%", "q=%1", "%ZZ=1", "q=ab%2"])
    func badEscape(_ input: String) {
        #expect(throws: Open311Error.self) { try decode(input) }
        do {
            _ = try decode(input)
        } catch {
            #expect(error.code == 400)
            #expect(error.description.contains(" / "))
            #expect(error.description.contains("percent-escape"))
        }
    }

    @Test("invalid UTF-8 after decoding is a 400", arguments: ["q=%E1%BB", "q=%FF", "q=%C3%28", "q=%ED%A0%80", "%C0%AF=x"])
    func invalidUTF8(_ input: String) {
        do {
            _ = try decode(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.code == 400)
            #expect(error.description == "Dữ liệu form không phải UTF-8 hợp lệ / Form data is not valid UTF-8")
        }
    }

    @Test("invalid raw bytes are a 400")
    func invalidRaw() {
        #expect(throws: Open311Error.self) { try FormURLEncoded.parse([0x61, 0x3D, 0xFF]) }
    }

    @Test("maxPairs stops early with a 400")
    func maxPairs() throws {
        let body = Array((0..<5).map { "p\($0)=1" }.joined(separator: "&").utf8)
        #expect(try FormURLEncoded.parse(body, maxPairs: 5).count == 5)
        #expect(throws: Open311Error.self) { try FormURLEncoded.parse(body, maxPairs: 4) }
    }
}
