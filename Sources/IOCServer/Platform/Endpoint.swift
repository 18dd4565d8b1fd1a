import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// Who may call a route. Every API route declares one; `Endpoints.register` enforces it before the handler runs.
public enum Access: Sendable, Hashable {
    /// Anyone, signed in or not. Public routes never return personal data.
    case `public`
    /// A signed-in user with one of these roles.
    case roles(Set<Role>)
    /// An integration source presenting its API key, of any kind but a display (its own `self`, its heartbeat).
    case source
    /// A signed-in user with one of these roles, or a source of one of these kinds.
    case rolesOrSource(Set<Role>, kinds: Set<SourceKind>)

    public static let anyUser = Access.roles(Set(Role.allCases))
    public static let admin = Access.roles([.admin])

    public func admits(_ principal: Principal?) -> Bool {
        switch (self, principal) {
        case (.public, _): return true
        case (_, nil): return false
        case (.roles(let roles), .user(let u)?), (.rolesOrSource(let roles, _), .user(let u)?): return roles.contains(u.role)
        case (.source, .source(let s)?): return s.sourceKind != .display
        case (.rolesOrSource(_, let kinds), .source(let s)?): return s.sourceKind.map(kinds.contains) ?? false
        default: return false
        }
    }
}

/// A query parameter, for the OpenAPI document.
public struct QueryParameter: Sendable {
    public var name: String
    public var description: String
    public var schema: JSONSchema
    public var required: Bool

    public init(_ name: String, _ description: String, _ schema: JSONSchema = .string, required: Bool = false) {
        self.name = name
        self.description = description
        self.schema = schema
        self.required = required
    }
}

/// A registered API route with what the OpenAPI document needs to describe it.
public struct Endpoint: Sendable {
    public var method: HTTPMethod
    public var path: [PathComponent]
    public var access: Access
    public var tag: String
    public var summary: String
    public var query: [QueryParameter]
    public var requestBody: JSONSchema?
    public var requestContentType: String
    public var response: JSONSchema?
    public var responseContentType: String
    public var successStatus: HTTPStatus

    /// The path in OpenAPI form: `/api/v1/agencies/{id}`.
    public var openAPIPath: String {
        "/" + path.map { c -> String in
            switch c {
            case .constant(let s): return s
            case .parameter(let p): return "{\(p)}"
            case .anything: return "{any}"
            case .catchall: return "{path}"
            }
        }.joined(separator: "/")
    }
}

/// The registry of API routes. Tests walk it (authorization matrix) and compare it with the router and the
/// OpenAPI document.
public final class Endpoints: Sendable {
    private let storage = NIOLockedValueBox<[Endpoint]>([])

    public var all: [Endpoint] { storage.withLockedValue { $0 } }

    func append(_ e: Endpoint) { storage.withLockedValue { $0.append(e) } }
}

extension Application {
    private struct EndpointsKey: StorageKey { typealias Value = Endpoints }

    public var endpoints: Endpoints {
        if let e = storage[EndpointsKey.self] { return e }
        let e = Endpoints()
        storage[EndpointsKey.self] = e
        return e
    }
}

/// Registers documented, access-checked routes under a base path.
public struct APIBuilder {
    let routes: any RoutesBuilder
    let endpoints: Endpoints
    let base: [PathComponent]
    let tag: String

    init(routes: any RoutesBuilder, endpoints: Endpoints, base: [PathComponent], tag: String) {
        self.routes = routes
        self.endpoints = endpoints
        self.base = base
        self.tag = tag
    }

    /// A builder for a sub-path with its own OpenAPI tag.
    public func group(_ path: PathComponent..., tag: String) -> APIBuilder {
        APIBuilder(routes: routes.grouped(path), endpoints: endpoints, base: base + path, tag: tag)
    }

    /// Registers a route: the handler runs only when `access` admits the caller (401 for no credentials, 403 for
    /// the wrong role) and, for a cookie session on an unsafe method, when the CSRF token matches. The body is read
    /// only after that check, and at most `maxBodySize` of it: a refused caller never has its upload buffered.
    /// `readsBodyItself`: the handler reads it (`Request.collectBody()`) after checks of its own, such as a rate limit.
    @discardableResult
    public func on<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: PathComponent..., access: Access, summary: String,
        query: [QueryParameter] = [], body: JSONSchema? = nil, bodyContentType: String = "application/json",
        response: JSONSchema? = nil, responseContentType: String = "application/json",
        status: HTTPStatus = .ok, maxBodySize: ByteCount? = nil, readsBodyItself: Bool = false,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        let endpoint = Endpoint(
            method: method, path: base + path, access: access, tag: tag, summary: summary, query: query,
            requestBody: body, requestContentType: bodyContentType, response: response,
            responseContentType: responseContentType, successStatus: status)
        endpoints.append(endpoint)
        let route = routes.on(method, path, body: .stream) { req async throws -> Response in
            try Authorization.check(endpoint.access, method: method, on: req)
            req.bodyLimit = maxBodySize?.value ?? req.application.routes.defaultMaxBodySize.value
            if !readsBodyItself { try await req.collectBody() }
            let response = try await handler(req).encodeResponse(for: req)
            if status != .ok, response.status == .ok { response.status = status }
            return response
        }
        route.userInfo["endpoint"] = endpoint
        return route
    }
}

extension RoutesBuilder {
    /// An `APIBuilder` rooted at this builder.
    public func api(_ app: Application, base: [PathComponent], tag: String) -> APIBuilder {
        APIBuilder(routes: self, endpoints: app.endpoints, base: base, tag: tag)
    }
}

extension Request {
    private struct BodyLimitKey: StorageKey { typealias Value = Int }

    /// The route's own body limit (bytes), set once the caller is admitted.
    var bodyLimit: Int {
        get { storage[BodyLimitKey.self] ?? application.routes.defaultMaxBodySize.value }
        set { storage[BodyLimitKey.self] = newValue }
    }

    /// Reads the body, at most the route's limit (413 beyond it); afterwards `body.data` holds it.
    func collectBody() async throws {
        do {
            _ = try await body.collect(max: bodyLimit).get()
        } catch let error as Abort where error.status == .payloadTooLarge {
            throw IOCError(.payloadTooLarge, code: "payload_too_large",
                           vi: "Dữ liệu gửi lên vượt quá giới hạn \(bodyLimit / 1_048_576) MB.",
                           en: "The request body is larger than the \(bodyLimit / 1_048_576) MB limit.")
        }
    }
}
