import Foundation
import Testing
import Vapor
@testable import IOCServer

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func everyRegisteredAPIRouteIsInTheServedDocument() async throws {
        try await withApp { app in
            let r = try await TestClient(app).send(.GET, "/api/openapi.json")
            #expect(r.status == .ok)
            let doc = r.json
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            // Every route the router knows under /api, not only those registered through the documented builder.
            let apiRoutes = app.routes.all.filter { $0.path.first == .constant("api") }
            #expect(apiRoutes.count >= 20)
            var missing: [String] = []
            for route in apiRoutes {
                let path = "/" + route.path.map { c -> String in
                    switch c {
                    case .constant(let s): return s
                    case .parameter(let p): return "{\(p)}"
                    case .anything: return "{any}"
                    case .catchall: return "{path}"
                    }
                }.joined(separator: "/")
                if paths[path]?[route.method.rawValue.lowercased()] == nil { missing.append("\(route.method) \(path)") }
            }
            #expect(missing.isEmpty, "routes missing from the OpenAPI document: \(missing)")
            // Each operation declares who may call it and documents problem+json errors.
            for (path, ops) in paths {
                for (method, raw) in ops {
                    let op = try #require(raw as? [String: Any])
                    let responses = try #require(op["responses"] as? [String: Any], "\(method) \(path)")
                    #expect(responses["4XX"] != nil, "\(method) \(path)")
                    #expect(op["summary"] as? String != nil)
                }
            }
            let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: Any]
            #expect(schemas?["Problem"] != nil)
            // Every $ref points to a schema that exists.
            let text = r.text
            let refs = text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            for ref in Set(refs) { #expect(schemas?[ref] != nil, "dangling $ref \(ref)") }
        }
    }
}
