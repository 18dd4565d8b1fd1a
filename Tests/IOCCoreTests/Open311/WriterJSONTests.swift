import Foundation
import Testing
import IOCCore

@Suite("Open311Writer JSON")
struct WriterJSONTests {
    typealias S = Open311TestSupport

    private func object(_ any: Any?) throws -> [String: Any] { try #require(any as? [String: Any]) }
    private func array(_ any: Any?) throws -> [Any] { try #require(any as? [Any]) }

    /// True for a JSON number (not a string and not a boolean literal in the text).
    private func isNumber(_ any: Any?) -> Bool { any is NSNumber && !(any is String) }

    @Test("requests: root dropped, numbers, nulls and dates")
    func requests() throws {
        let body = Open311Writer.requests([S.sampleRequest()], .json)
        let list = try array(S.parseJSON(body))
        #expect(list.count == 1)
        let r = try object(list[0])
        #expect(r.keys.sorted() == ["address", "address_id", "agency_responsible", "description", "expected_datetime",
                                    "lat", "long", "media_url", "requested_datetime", "service_code", "service_name",
                                    "service_notice", "service_request_id", "status", "status_notes", "updated_datetime",
                                    "zipcode"])
        #expect(r["service_request_id"] as? String == "DLK-2026-000123")
        #expect(isNumber(r["lat"]))
        #expect((r["lat"] as? NSNumber)?.doubleValue == 12.6675)
        #expect((r["long"] as? NSNumber)?.doubleValue == 108.0378)
        #expect(r["status_notes"] is NSNull)
        #expect(r["expected_datetime"] is NSNull)
        #expect(r["requested_datetime"] as? String == "2026-03-01T08:15:30+07:00")
        let text = S.text(body)
        #expect(text.hasPrefix("[{\"service_request_id\":\"DLK-2026-000123\",\"status\":\"open\",\"status_notes\":null,"))
        #expect(text.contains(",\"lat\":12.6675,\"long\":108.0378,\"media_url\":null}"))
        #expect(S.text(Open311Writer.requests([], .json)) == "[]")
    }

    @Test("a missing lat/long or a non-finite one is null")
    func nonFinite() throws {
        var r = S.sampleRequest()
        r.lat = .nan
        r.long = nil
        let body = S.text(Open311Writer.requests([r], .json))
        #expect(body.contains("\"lat\":null,\"long\":null"))
        #expect(S.text(Open311Writer.requests([r], .xml)).contains("<lat/><long/>"))
    }

    @Test("Vietnamese is written as raw UTF-8, never \\u-escaped, and round-trips byte for byte")
    func vietnamese() throws {
        let text = "Ổ gà lớn — “nguy hiểm”; Đắk Lắk: ỹ ự ặ ẫ ờ ổ ẽ ị 🚧"
        var r = S.sampleRequest()
        r.description = text
        let body = Open311Writer.requests([r], .json)
        #expect(S.contains(body, "\"description\":\"" + text + "\""))
        #expect(!S.contains(body, "\\u"))
        let parsed = try object(array(S.parseJSON(body)).first)
        #expect(parsed["description"] as? String == text)
    }

    @Test("RFC 8259 escaping: quote, backslash and control characters")
    func escaping() throws {
        var r = S.sampleRequest()
        r.description = "a\"b\\c\nd\re\tf\u{8}g\u{C}h\u{1}i\u{1F}j/k</script>"
        let body = Open311Writer.requests([r], .json)
        #expect(S.contains(body, "\"description\":\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001Fj/k</script>\""))
        let parsed = try object(array(S.parseJSON(body)).first)
        #expect(parsed["description"] as? String == r.description)
    }

    @Test("every special character is escaped at every position of long and short strings")
    func escapingPositions() throws {
        let specials: [Character] = ["\"", "\\", "\n", "\u{1}", "\u{1F}"]
        for special in specials {
            for length in [1, 7, 8, 9, 15, 16, 17, 33, 48] {
                for position in 0..<length {
                    var chars = Array(String(repeating: "aễ", count: length).prefix(length))
                    chars[position] = special
                    var r = S.sampleRequest()
                    r.description = String(chars)
                    let body = Open311Writer.requests([r], .json)
                    let parsed = try object(array(S.parseJSON(body)).first)
                    #expect(parsed["description"] as? String == r.description, "\(special.unicodeScalars.first!.value) at \(position)/\(length)")
                }
            }
        }
    }

    @Test("services: metadata is a boolean, list with one and many items")
    func services() throws {
        let one = Open311Service(code: "A", name: "Đèn đường", description: "Đèn hỏng", metadata: false,
                                 type: "realtime", keywords: "đèn", group: "Chiếu sáng")
        let body = Open311Writer.services([one], .json)
        #expect(S.text(body) == "[{\"service_code\":\"A\",\"service_name\":\"Đèn đường\",\"description\":\"Đèn hỏng\",\"metadata\":false,\"type\":\"realtime\",\"keywords\":\"đèn\",\"group\":\"Chiếu sáng\"}]")
        let parsed = try array(S.parseJSON(body))
        #expect((try object(parsed[0]))["metadata"] as? Bool == false)
        var two = one
        two.code = "B"
        two.metadata = true
        let many = try array(S.parseJSON(Open311Writer.services([one, two], .json)))
        #expect(many.count == 2)
        #expect(S.text(Open311Writer.services([two], .json)).contains("\"metadata\":true"))
    }

    @Test("service definition: attributes and values are arrays even with one child; order is a number")
    func serviceDefinition() throws {
        let def = Open311ServiceDefinition(serviceCode: "GT-O-GA", attributes: [
            .init(variable: true, code: "muc_do", datatype: "singlevaluelist", required: true, datatypeDescription: nil,
                  order: 1, description: "Mức độ", values: [.init(key: "nang", name: "Nghiêm trọng")]),
        ])
        let body = Open311Writer.serviceDefinition(def, .json)
        let root = try object(S.parseJSON(body))
        let attrs = try array(root["attributes"])
        #expect(attrs.count == 1)
        let a = try object(attrs[0])
        #expect(isNumber(a["order"]))
        #expect((a["order"] as? NSNumber)?.intValue == 1)
        #expect(a["datatype_description"] is NSNull)
        let values = try array(a["values"])
        #expect(values.count == 1)
        #expect(S.text(body) == "{\"service_code\":\"GT-O-GA\",\"attributes\":[{\"variable\":true,\"code\":\"muc_do\",\"datatype\":\"singlevaluelist\",\"required\":true,\"datatype_description\":null,\"order\":1,\"description\":\"Mức độ\",\"values\":[{\"key\":\"nang\",\"name\":\"Nghiêm trọng\"}]}]}")
        let empty = Open311ServiceDefinition(serviceCode: "X", attributes: [
            .init(variable: false, code: "c", datatype: "string", required: false, order: 2, description: "d"),
        ])
        #expect(S.text(Open311Writer.serviceDefinition(empty, .json)).contains("\"values\":[]"))
    }

    @Test("discovery: an object; endpoints and formats are arrays even with one element")
    func discovery() throws {
        let d = Open311Discovery(changeset: "2026-01-01T00:00:00Z", contact: "IOC", keyService: "Liên hệ", endpoints: [
            .init(specification: "http://wiki.open311.org/GeoReport_v2", url: "https://ioc.daklak.gov.vn/open311/v2",
                  changeset: "2026-01-01T00:00:00Z", type: "production", formats: ["text/xml"]),
        ])
        let root = try object(S.parseJSON(Open311Writer.discovery(d, .json)))
        #expect(root["key_service"] as? String == "Liên hệ")
        let endpoints = try array(root["endpoints"])
        #expect(endpoints.count == 1)
        #expect(try object(endpoints[0])["formats"] as? [String] == ["text/xml"])
    }

    @Test("created, tokens and errors")
    func smallBodies() throws {
        #expect(S.text(Open311Writer.created([Open311CreatedRequest(serviceRequestID: "293944")], .json))
                == "[{\"service_request_id\":\"293944\",\"service_notice\":null,\"account_id\":null}]")
        #expect(S.text(Open311Writer.created([Open311CreatedRequest(token: "tok-1", accountID: "A")], .json))
                == "[{\"token\":\"tok-1\",\"service_notice\":null,\"account_id\":\"A\"}]")
        #expect(S.text(Open311Writer.tokens([Open311TokenResult(serviceRequestID: nil, token: "tok-1")], .json))
                == "[{\"service_request_id\":null,\"token\":\"tok-1\"}]")
        let errors = Open311Writer.errors([Open311Error(code: 403, description: "Sai api_key / Invalid api_key")], .json)
        #expect(S.text(errors) == "[{\"code\":403,\"description\":\"Sai api_key / Invalid api_key\"}]")
        let parsed = try object(array(S.parseJSON(errors)).first)
        #expect(isNumber(parsed["code"]))
    }

    @Test("extensions: extended_attributes object, photos and notes arrays")
    func extensions() throws {
        let body = Open311Writer.requests([S.sampleRequest(extensions: S.sampleExtensions)], .json)
        let r = try object(array(S.parseJSON(body)).first)
        let x = try object(r["extended_attributes"])
        #expect(x["detailed_status"] as? String == "in_progress")
        #expect(x["ward_code"] is NSNull)
        #expect(x["photos"] as? [String] == ["https://phananh.daklak.gov.vn/media/1.jpg"])
        let notes = try array(r["notes"])
        #expect(notes.count == 1)
        let note = try object(notes[0])
        #expect(note["datetime"] as? String == "2026-03-01T08:15:30+07:00")
        #expect(note["summary"] is NSNull)
        var empty = S.sampleExtensions
        empty.photos = []
        empty.notes = []
        #expect(S.text(Open311Writer.requests([S.sampleRequest(extensions: empty)], .json)).contains("\"photos\":[]},\"notes\":[]}]"))
    }

    @Test("numbers print exactly as Double.description (shortest round-trip form)")
    func numberFormat() throws {
        var samples: [Double] = [0, -0.0, 1, 2, 108, 12.6675, 108.0378, -0.01578, 51.4021, 0.1 + 0.2, 1e-5, 0.001,
                                 123456789.123, 1e9, 1e21, -180, 90, 12.667512, 0.000123, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        var seed: UInt64 = 42
        for _ in 0..<20_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let decimals = Int(seed >> 60) % 11
            let whole = Double(Int64(seed >> 20) % 360) - 180
            let frac = Double((seed >> 8) % 10_000_000_000) / 1e10
            let text = String(format: "%.\(decimals)f", whole + frac)
            samples.append(Double(text)!)
            samples.append(Double(bitPattern: seed) .isFinite ? Double(bitPattern: seed) : 1)
        }
        for v in samples {
            var r = S.sampleRequest()
            r.lat = v
            let body = S.text(Open311Writer.requests([r], .json))
            #expect(body.contains("\"lat\":\(v.description),"), "\(v)")
        }
    }

    @Test("output far larger than the size estimate is still complete")
    func overflowRetry() throws {
        var r = S.sampleRequest()
        r.description = String(repeating: "\u{1}\"", count: 2000) // each \u{1} becomes 6 bytes
        let body = Open311Writer.requests(Array(repeating: r, count: 3), .json)
        let list = try array(S.parseJSON(body))
        #expect(list.count == 3)
        #expect(try object(list[2])["description"] as? String == r.description)
    }
}
