import Foundation
import Testing
@testable import IOCCore

/// Files for the CAP tests: the public corpus in `CAP/Fixtures`, the schema in `Resources/cap`.
enum CAPFixtures {
    /// This folder (symbolic links resolved, so a scratch package that links the folder finds the real files).
    static let folder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    static let repositoryRoot = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schema = repositoryRoot.appendingPathComponent("Resources/cap/CAP-v1.2.xsd")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent("Fixtures").appendingPathComponent(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    static func alert(_ name: String) throws -> CAPAlert {
        try CAPParser.parse(try bytes(name))
    }

    /// The error parsing `bytes` throws; records an issue (and returns nil) when it parses.
    static func refusal(_ bytes: [UInt8], maxBytes: Int = CAPParser.defaultMaxBytes,
                        sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
        do {
            let alert = try CAPParser.parse(bytes, maxBytes: maxBytes)
            Issue.record("expected a refusal, parsed \(alert.identifier)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    static func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
        refusal(Array(text.utf8), sourceLocation: sourceLocation)
    }

    static func date(_ text: String) -> Date { W3CDateTime.parse(text)! }
}

extension CAPError {
    /// "code path", to assert both at once.
    var site: String { "\(code.rawValue) \(path)" }
}

/// Runs `xmllint --noout --nonet --schema Resources/cap/CAP-v1.2.xsd` on documents.
enum XMLLint {
    static let candidates = ["/usr/bin/xmllint", "/usr/local/bin/xmllint", "/opt/homebrew/bin/xmllint"]

    static var executable: String? {
        let fromPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/xmllint" }
        return (candidates + fromPath).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Validates every document against the CAP 1.2 schema; the result says whether all validate and what xmllint
    /// printed. Records a failure (never a skip) when xmllint is missing.
    static func validate(_ documents: [(name: String, xml: String)],
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> (valid: Bool, output: String) {
        guard let xmllint = executable else {
            Issue.record("xmllint is missing: run scripts/bootstrap.sh test (Debian package libxml2-utils)",
                         sourceLocation: sourceLocation)
            return (false, "")
        }
        #expect(FileManager.default.fileExists(atPath: CAPFixtures.schema.path), "schema missing at \(CAPFixtures.schema.path)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cap-xmllint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, d) in documents.enumerated() {
            let url = dir.appendingPathComponent("\(i)-\(d.name).xml")
            try Data(d.xml.utf8).write(to: url)
            paths.append(url.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xmllint)
        process.arguments = ["--noout", "--nonet", "--schema", CAPFixtures.schema.path] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus == 0, output)
    }
}

/// A rich, valid CAP 1.2 document that validation tests change one thing in.
enum CAPSample {
    static let document = """
    <?xml version="1.0" encoding="UTF-8"?>
    <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
      <identifier>IOC-66-2026-0001</identifier>
      <sender>ioc@daklak.gov.vn</sender>
      <sent>2026-03-01T08:15:30+07:00</sent>
      <status>Actual</status>
      <msgType>Alert</msgType>
      <scope>Public</scope>
      <info>
        <language>vi-VN</language>
        <category>Met</category>
        <event>Lũ quét</event>
        <responseType>Evacuate</responseType>
        <urgency>Immediate</urgency>
        <severity>Severe</severity>
        <certainty>Likely</certainty>
        <eventCode><valueName>SAME</valueName><value>FFW</value></eventCode>
        <expires>2026-03-01T20:00:00+07:00</expires>
        <headline>Cảnh báo lũ quét</headline>
        <resource><resourceDesc>Bản đồ vùng ngập</resourceDesc><mimeType>image/png</mimeType><size>1024</size></resource>
        <area>
          <areaDesc>Xã Ea Kao</areaDesc>
          <polygon>12.60,108.00 12.70,108.00 12.70,108.10 12.60,108.00</polygon>
          <circle>12.65,108.05 5</circle>
          <geocode><valueName>GSO</valueName><value>24100</value></geocode>
        </area>
      </info>
    </alert>
    """

    /// The sample with `old` replaced by `new` (the text must occur, so a typo in a test fails loudly).
    static func with(_ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(document.contains(old), "sample has no \(old)", sourceLocation: sourceLocation)
        return document.replacingOccurrences(of: old, with: new)
    }
}
