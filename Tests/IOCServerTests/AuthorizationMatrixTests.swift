import Fluent
import Foundation
import IOCCore
import Testing
import Vapor
@testable import IOCServer

/// Walks every registered API route with every kind of caller and checks the answer against the route's declared
/// access: no credentials → 401, the wrong role → 403, and a refused call changes nothing.
@Suite("Authorization matrix over every route")
struct AuthorizationMatrixTests {
    enum Caller: CaseIterable, CustomStringConvertible {
        case anonymous, admin, `operator`, leader, officer, analyst
        /// A key of each source kind, a wall's display key, and a key of no known kind.
        case events, dossiers, indicators, open311, display, unclassified

        var role: Role? {
            switch self {
            case .admin: .admin
            case .operator: .operator
            case .leader: .leader
            case .officer: .officer
            case .analyst: .analyst
            default: nil
            }
        }

        /// The source kind of a key caller (nil: a user or anonymous).
        var sourceKind: String? {
            switch self {
            case .events: "events"
            case .dossiers: "dossiers"
            case .indicators: "indicators"
            case .open311: "open311"
            case .display: "display"
            case .unclassified: "generic"
            default: nil
            }
        }

        /// A display key belongs to the wall `matrix` (the wall every sample path names).
        var sourceName: String { self == .display ? "wall:matrix" : "matrix-\(self)" }

        var description: String { role?.rawValue ?? sourceKind.map { "source:\($0)" } ?? "anonymous" }
    }

    static func samplePath(_ e: Endpoint) -> String {
        "/" + e.path.map { c -> String in
            switch c {
            case .constant(let s): return s
            case .parameter(let p): return p == "code" ? "66" : p == "wall" ? "matrix" : UUID().uuidString
            default: return "x"
            }
        }.joined(separator: "/")
    }

    @Test func everyRouteAnswersEachCallerAsDeclared() async throws {
        try await withApp { app in
            let walked = try await Self.walk(app)
            #expect(walked.count >= 20)
        }
    }

    /// Every module's live topics, subscribed to over a real WebSocket as every kind of caller: refused exactly when the
    /// topic's rule does not admit the caller (a display only its own wall's topic). Topics named after an agency
    /// depend on the caller's scope and are walked in the security tests.
    @Test func everyLiveTopicAnswersEachCallerAsDeclared() async throws {
        try await withApp { app in
            var clients: [Caller: TestClient] = [:]
            for caller in Caller.allCases {
                let c = TestClient(app)
                if let role = caller.role {
                    try await makeUser(app, "u-\(role.rawValue)", role: role, agencyCode: role == .officer ? "IOC" : nil)
                    try #require(try await c.login("u-\(role.rawValue)").status == .ok)
                } else if let kind = caller.sourceKind {
                    let (_, key) = try await SourceController.issueKey(name: caller.sourceName, kind: kind, on: app.db, audit: app.audit) { id in
                        AuditRecord(actor: "test", action: "source.issue_key", targetType: "source", targetID: id.uuidString, origin: "test")
                    }
                    c.bearer = key
                }
                clients[caller] = c
            }
            let rules = app.modules.all.flatMap(\.liveTopics).filter { $0.owner != .agency }
            #expect(rules.count >= 5)
            try await withLiveServer(app) { port in
                var checked = 0
                for caller in Caller.allCases {
                    let c = clients[caller]!
                    var headers = HTTPHeaders()
                    if let cookie = c.cookie { headers.add(name: .cookie, value: cookie) }
                    if let bearer = c.bearer { headers.add(name: .authorization, value: "Bearer \(bearer)") }
                    let principal: Principal? = caller == .anonymous ? nil : caller.sourceKind.map {
                        .source(AuthenticatedSource(id: UUID(), name: caller.sourceName, kind: $0))
                    } ?? .user(AuthenticatedUser(id: UUID(), username: "x", displayName: "x", role: caller.role!, agencyID: nil, unitScope: nil))
                    // The connection itself: anonymous callers and keys of no known kind are refused at the upgrade.
                    let live = app.endpoints.all.first { $0.successStatus == .switchingProtocols }!.access
                    guard live.admits(principal) else {
                        await #expect(throws: (any Error).self, "live connection as \(caller)") {
                            _ = try await WebSocketProbe.connect(port: port, headers: headers, app: app)
                        }
                        continue
                    }
                    let probe = try await WebSocketProbe.connect(port: port, headers: headers, app: app)
                    for rule in rules {
                        // A wall's own topic for a wall's prefix (the display's wall is `matrix`).
                        let topic = rule.prefix.hasSuffix(".") ? rule.prefix + "matrix" : rule.prefix
                        try await probe.send(["type": "subscribe", "topics": [topic]])
                        let answer = try await probe.wait { m in
                            (m["type"] as? String == "subscribed" && (m["topics"] as? [String]) == [topic])
                                || (m["code"] as? String == "forbidden_topic"
                                    && (m["messages"] as? [String: String])?["en"] == "You may not subscribe to: \(topic).")
                        }
                        let admitted = rule.access.admits(principal)
                        #expect(answer?["type"] as? String == (admitted ? "subscribed" : "error"), "\(topic) as \(caller): \(String(describing: answer))")
                        try await probe.send(["type": "unsubscribe", "topics": [topic]])
                        checked += 1
                    }
                    try? await probe.ws.close()
                }
                #expect(checked == rules.count * (Caller.allCases.count - 2), "all but anonymous and the key of no known kind connect")
            }
        }
    }

    /// Calls every registered route as every kind of caller; returns the endpoints walked. A module's routes are in
    /// the registry as soon as the module is listed, so they are walked with no change here.
    static func walk(_ app: Application) async throws -> [Endpoint] {
            var clients: [Caller: TestClient] = [:]
            for caller in Caller.allCases {
                let c = TestClient(app)
                if let role = caller.role {
                    try await makeUser(app, "u-\(role.rawValue)", role: role)
                    try #require(try await c.login("u-\(role.rawValue)").status == .ok)
                } else if let kind = caller.sourceKind {
                    let (_, key) = try await SourceController.issueKey(name: caller.sourceName, kind: kind, on: app.db, audit: app.audit) { id in
                        AuditRecord(actor: "test", action: "source.issue_key", targetType: "source", targetID: id.uuidString, origin: "test")
                    }
                    c.bearer = key
                }
                clients[caller] = c
            }
            let endpoints = app.endpoints.all.filter { $0.successStatus != .switchingProtocols }
            #expect(endpoints.count >= 20)
            var checked = 0
            for e in endpoints {
                // Refused calls must change nothing; log-outs are excluded from the fingerprint by running them last.
                if e.openAPIPath == "/api/v1/session" && e.method == .DELETE { continue }
                for caller in Caller.allCases {
                    let before = try await stateFingerprint(app)
                    let principal: Principal? = switch caller {
                    case .anonymous: nil
                    case let c where c.sourceKind != nil: .source(AuthenticatedSource(id: UUID(), name: c.sourceName, kind: c.sourceKind!))
                    default: .user(AuthenticatedUser(id: UUID(), username: "x", displayName: "x", role: caller.role!, agencyID: nil, unitScope: nil))
                    }
                    let r = try await clients[caller]!.send(e.method, samplePath(e), json: e.requestBody == nil ? nil : [String: Any]())
                    let code = Int(r.status.code)
                    if e.access.admits(principal) {
                        #expect(code != 401 && code != 403, "\(e.method) \(e.openAPIPath) as \(caller) → \(code) \(r.text.prefix(200))")
                        #expect(code < 500, "\(e.method) \(e.openAPIPath) as \(caller) → \(code)")
                    } else {
                        #expect(code == (caller == .anonymous ? 401 : 403), "\(e.method) \(e.openAPIPath) as \(caller) → \(code)")
                        #expect(r.isProblem)
                        #expect(try await stateFingerprint(app) == before, "\(e.method) \(e.openAPIPath) as \(caller) changed state")
                    }
                    checked += 1
                }
            }
            #expect(checked >= endpoints.count * Caller.allCases.count - Caller.allCases.count)
            return endpoints
    }
}
