import Foundation
import IOCCore
import NIOCore
import Vapor

/// `/api/v1/live`: one WebSocket per screen or console, authenticated by the session cookie or an API key.
///
/// Client → server: `{"type":"subscribe","topics":["fieldreports"],"since":123}`, `{"type":"unsubscribe","topics":[…]}`,
/// `{"type":"ping"}`. Server → client: `{"type":"welcome",…}`, `{"type":"subscribed",…}`,
/// `{"type":"events","events":[{"id","topic","at","data"}],"dropped"?}`, `{"type":"heartbeat","at","lastEventId"}`,
/// `{"type":"pong"}`, `{"type":"error","code","messages":{"vi","en"}}`.
enum LiveController {
    struct ClientMessage: Decodable {
        var type: String
        var topics: [String]?
        var since: Int64?
    }

    static let maxTopics = 50
    static let maxFrame = 8_192

    static func register(_ app: Application, routes: any RoutesBuilder) {
        app.endpoints.append(Endpoint(
            method: .GET, path: ["api", "v1", "live"], access: .rolesOrSource(Set(Role.allCases), kinds: Set(SourceKind.allCases)), tag: "Live",
            summary: "WebSocket: subscribe to live topics (upgrade; see the message protocol in the README)",
            query: [], requestBody: nil, requestContentType: "application/json", response: nil,
            responseContentType: "application/json", successStatus: .switchingProtocols))
        // Authorization runs before the upgrade: an error thrown during the upgrade itself would leave the client hanging.
        routes.grouped(LiveAccessMiddleware()).webSocket("api", "v1", "live", maxFrameSize: WebSocketMaxFrameSize(integerLiteral: maxFrame), onUpgrade: { req, ws in
            guard let principal = req.principal, let visible = req.liveVisibleAgencies else { _ = ws.close(code: .policyViolation); return }
            let app = req.application
            // WebSocket handlers must be installed on the socket's event loop.
            ws.eventLoop.execute { connect(ws: ws, principal: principal, visibleAgencies: visible.codes, app: app) }
        })
    }

    struct LiveAccessMiddleware: AsyncMiddleware {
        func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            // A browser always names the page's origin: only this site's pages may open the socket with the session
            // cookie (no cross-site WebSocket hijacking). Non-browser clients (API keys) send no Origin.
            if let origin = req.headers.first(name: .origin), !LiveController.sameOrigin(origin, req) {
                throw IOCError(.forbidden, code: "forbidden_origin", vi: "Kết nối trực tiếp chỉ được mở từ trang của IOC.",
                               en: "The live connection may only be opened from IOC's own pages.")
            }
            try Authorization.check(.rolesOrSource(Set(Role.allCases), kinds: Set(SourceKind.allCases)), method: .GET, on: req)
            // The client's scope, as the REST endpoints compute it, fixed for the connection: events of agencies
            // outside it are not delivered (a scope change applies at the next connection).
            let codes = req.principal?.user != nil ? try await req.visibleAgencyCodes() : nil
            req.liveVisibleAgencies = LiveVisibility(codes: codes.map { Set($0.map { $0.lowercased() }) })
            return try await next.respond(to: req)
        }
    }

    /// Whether an Origin header names this server: the Host the browser used, or the configured public URL.
    static func sameOrigin(_ origin: String, _ req: Request) -> Bool {
        guard let o = URLComponents(string: origin), let host = o.host?.lowercased() else { return false }
        let port = o.port.map { ":\($0)" } ?? ""
        let named = host + port
        // Browsers name a non-default port in Host; a Host without one is compared by name.
        if let h = req.headers.first(name: .host)?.lowercased(), h == named || (!h.contains(":") && h == host) { return true }
        if let p = req.application.iocConfiguration.publicURL, let u = URLComponents(string: p), let ph = u.host?.lowercased() {
            return ph + (u.port.map { ":\($0)" } ?? "") == named
        }
        return false
    }

    static func connect(ws: WebSocket, principal: Principal, visibleAgencies: Set<String>?, app: Application) {
        let hub = app.live
        let client = LiveClient(ws: ws, principal: principal, visibleAgencies: visibleAgencies, hub: hub)
        hub.add(client)
        ws.pingInterval = .seconds(30)
        client.sendControl(#"{"type":"welcome","lastEventId":\#(hub.lastEventID),"heartbeatSeconds":\#(app.iocConfiguration.liveHeartbeat.nanoseconds / 1_000_000_000)}"#)
        let heartbeat = ws.eventLoop.scheduleRepeatedTask(initialDelay: app.iocConfiguration.liveHeartbeat, delay: app.iocConfiguration.liveHeartbeat) { _ in
            client.sendControl(#"{"type":"heartbeat","at":"\#(ISO8601.format(Date()))","lastEventId":\#(hub.lastEventID)}"#)
        }
        ws.onText { ws, text in
            handle(text, client: client, hub: hub)
        }
        ws.onBinary { _, _ in
            client.sendControl(error("bad_message", vi: "Chỉ nhận tin nhắn văn bản JSON.", en: "Only JSON text messages are accepted."))
        }
        ws.onClose.whenComplete { _ in
            heartbeat.cancel()
            client.close()
            hub.remove(client.id)
        }
    }

    static func handle(_ text: String, client: LiveClient, hub: LiveHub) {
        guard let message = try? JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8)) else {
            client.sendControl(error("bad_message", vi: "Tin nhắn không phải JSON hợp lệ.", en: "The message is not valid JSON."))
            return
        }
        switch message.type {
        case "ping":
            client.sendControl(#"{"type":"pong"}"#)
        case "subscribe", "unsubscribe":
            let topics = message.topics ?? []
            guard !topics.isEmpty, topics.count <= maxTopics, topics.allSatisfy(isValidTopic) else {
                client.sendControl(error("bad_topics", vi: "Danh sách chủ đề không hợp lệ (1–\(maxTopics) chủ đề, ký tự a-z 0-9 . _ : -).",
                                         en: "Invalid topics (1–\(maxTopics) topics of a-z 0-9 . _ : -)."))
                return
            }
            if message.type == "unsubscribe" {
                _ = client.setTopics(remove: topics)
                hub.unsubscribe(client, topics: topics)
                client.sendControl(#"{"type":"unsubscribed","topics":\#(jsonArray(topics))}"#)
                return
            }
            let denied = topics.filter { !hub.mayAccess(topic: $0, client: client) }
            guard denied.isEmpty else {
                client.sendControl(error("forbidden_topic", vi: "Bạn không có quyền theo dõi chủ đề: \(denied.joined(separator: ", ")).",
                                         en: "You may not subscribe to: \(denied.joined(separator: ", "))."))
                return
            }
            guard client.setTopics(add: topics) <= maxTopics else {
                _ = client.setTopics(remove: topics)
                client.sendControl(error("too_many_topics", vi: "Tối đa \(maxTopics) chủ đề.", en: "At most \(maxTopics) topics."))
                return
            }
            let replay = hub.subscribe(client, topics: topics, since: message.since)
            client.sendControl(#"{"type":"subscribed","topics":\#(jsonArray(topics)),"lastEventId":\#(hub.lastEventID)}"#)
            for m in replay { client.enqueue(m) }
        default:
            client.sendControl(error("bad_message", vi: "Loại tin nhắn không được hỗ trợ.", en: "Unsupported message type."))
        }
    }

    static func isValidTopic(_ t: String) -> Bool {
        (1...64).contains(t.count) && t.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._:-".unicodeScalars.contains($0)
        }
    }

    static func jsonArray(_ items: [String]) -> String {
        "[" + items.map { "\"\(LiveHub.escape($0))\"" }.joined(separator: ",") + "]"
    }

    static func error(_ code: String, vi: String, en: String) -> String {
        let payload: [String: Any] = ["type": "error", "code": code, "messages": ["vi": vi, "en": en]]
        return (try? JSONSerialization.data(withJSONObject: payload)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}

/// The agencies a live client may see (nil codes: all).
struct LiveVisibility: Sendable { var codes: Set<String>? }

extension Request {
    private struct LiveVisibilityKey: StorageKey { typealias Value = LiveVisibility }

    var liveVisibleAgencies: LiveVisibility? {
        get { storage[LiveVisibilityKey.self] }
        set { storage[LiveVisibilityKey.self] = newValue }
    }
}
