import Foundation
import Vapor

/// A JSON Schema (the OpenAPI 3.1 dialect), enough to describe the API's wire types.
public indirect enum JSONSchema: Sendable {
    case string
    case integer
    case number
    case boolean
    case dateTime
    case uuid
    case enumeration([String])
    case array(JSONSchema)
    case object([String: JSONSchema], required: [String])
    case nullable(JSONSchema)
    case ref(String)
    case any
    case described(JSONSchema, String)
    case binary

    var json: [String: Any] {
        switch self {
        case .string: return ["type": "string"]
        case .integer: return ["type": "integer"]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .dateTime: return ["type": "string", "format": "date-time"]
        case .uuid: return ["type": "string", "format": "uuid"]
        case .binary: return ["type": "string", "contentMediaType": "application/octet-stream"]
        case .enumeration(let values): return ["type": "string", "enum": values]
        case .array(let item): return ["type": "array", "items": item.json]
        case .object(let props, let required):
            var o: [String: Any] = ["type": "object", "properties": props.mapValues { $0.json }]
            if !required.isEmpty { o["required"] = required.sorted() }
            return o
        case .nullable(let inner):
            return ["oneOf": [inner.json, ["type": "null"]]]
        case .ref(let name): return ["$ref": "#/components/schemas/\(name)"]
        case .any: return [:]
        case .described(let inner, let text):
            var o = inner.json
            o["description"] = text
            return o
        }
    }

    /// `{"items": [...], "total": n}`, the shape of every list answer.
    public static func list(_ item: JSONSchema) -> JSONSchema {
        .object(["items": .array(item), "total": .integer], required: ["items", "total"])
    }
}

/// Schemas shared by several routes, published under `components.schemas`.
public enum SharedSchemas {
    private static let box = NIOLockedValueBox<[String: JSONSchema]>([
        "Problem": .object([
            "type": .string, "title": .string, "status": .integer, "detail": .string, "instance": .string,
            "code": .string, "field": .nullable(.string), "requestId": .string,
            "messages": .object(["vi": .string, "en": .string], required: ["vi", "en"]),
        ], required: ["type", "title", "status", "detail", "code", "messages"]),
    ])

    public static func register(_ name: String, _ schema: JSONSchema) -> JSONSchema {
        box.withLockedValue { $0[name] = schema }
        return .ref(name)
    }

    static var all: [String: JSONSchema] { box.withLockedValue { $0 } }
}

import NIOConcurrencyHelpers

/// Builds the OpenAPI 3.1 document from the endpoint registry, so the document cannot drift from the routes.
public enum OpenAPIDocument {
    public static func build(endpoints: [Endpoint], title: String, version: String) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for e in endpoints {
            var op: [String: Any] = [
                "summary": e.summary,
                "tags": [e.tag],
                "operationId": operationID(e),
            ]
            var parameters: [[String: Any]] = []
            for case .parameter(let name) in e.path {
                parameters.append(["name": name, "in": "path", "required": true, "schema": ["type": "string"]])
            }
            for q in e.query {
                parameters.append(["name": q.name, "in": "query", "required": q.required, "description": q.description, "schema": q.schema.json])
            }
            if !parameters.isEmpty { op["parameters"] = parameters }
            if let body = e.requestBody {
                op["requestBody"] = ["required": true, "content": [e.requestContentType: ["schema": body.json]]]
            }
            var responses: [String: Any] = [:]
            var ok: [String: Any] = ["description": "Success"]
            if let r = e.response { ok["content"] = [e.responseContentType: ["schema": r.json]] }
            responses[String(e.successStatus.code)] = ok
            let problem: [String: Any] = ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]
            responses["4XX"] = ["description": "Bad input or not allowed (problem+json, Vietnamese and English)", "content": problem]
            switch e.access {
            case .public: break
            case .roles(let roles):
                op["security"] = [["session": []]]
                op["x-roles"] = roles.map(\.rawValue).sorted()
            case .source:
                op["security"] = [["apiKey": []]]
                op["x-roles"] = ["source"]
            case .rolesOrSource(let roles, let kinds):
                op["security"] = [["session": []], ["apiKey": []]]
                op["x-roles"] = roles.map(\.rawValue).sorted() + kinds.map { "source:\($0.rawValue)" }.sorted()
            }
            op["responses"] = responses
            paths[e.openAPIPath, default: [:]][e.method.rawValue.lowercased()] = op
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": title,
                "version": version,
                "description": "IOC — Trung tâm Giám sát, điều hành đô thị thông minh. Errors are RFC 9457 problem+json with Vietnamese and English messages.",
            ],
            "paths": paths,
            "components": [
                "schemas": SharedSchemas.all.mapValues { $0.json },
                "securitySchemes": [
                    "session": ["type": "apiKey", "in": "cookie", "name": SessionSettings.cookieName,
                                "description": "Web session; unsafe methods also need the X-CSRF-Token header."],
                    "apiKey": ["type": "http", "scheme": "bearer", "description": "API key of an integration source."],
                ],
            ],
        ]
    }

    static func operationID(_ e: Endpoint) -> String {
        let parts = e.path.compactMap { c -> String? in
            switch c {
            case .constant(let s) where s != "api" && s != "v1": return s
            case .parameter(let p): return "by_" + p
            default: return nil
            }
        }
        return e.method.rawValue.lowercased() + "_" + parts.joined(separator: "_").replacingOccurrences(of: "-", with: "_")
    }

    static func data(_ doc: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
