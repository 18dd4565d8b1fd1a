import Foundation
import IOCCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// The in-process publish/subscribe hub behind `/api/v1/live`.
///
/// Services publish small JSON messages on topics; each connected client holds a bounded outgoing buffer that is
/// flushed as one frame every `flushInterval`, so a burst of events costs one write per client, and a slow client
/// loses its oldest messages (and is told so) instead of growing the server's memory.
public final class LiveHub: Sendable {
    /// An event as clients receive it (`data` is pre-encoded JSON).
    struct Event: Sendable {
        var id: Int64
        var topic: String
        var json: String
        /// The agencies (codes, lower case) whose scope covers the event; nil: everyone the topic admits.
        var audience: Set<String>?
    }

    private struct State {
        var clients: [UUID: LiveClient] = [:]
        var subscribers: [String: Set<UUID>] = [:]
        var nextID: Int64 = 1
        /// Recent events, for clients that resume after a reconnect.
        var recent: [Event] = []
        var recentStart = 0
    }

    private let state = NIOLockedValueBox(State())
    let bufferLimit: Int
    let flushInterval: TimeAmount
    let recentLimit: Int
    private let topicPolicies = NIOLockedValueBox<[(prefix: String, access: Access, owner: LiveTopicOwner?)]>([])
    private let observers = NIOLockedValueBox<[(prefix: String, handle: @Sendable (String) -> Void)]>([])
    let onDrop: @Sendable (Int) -> Void
    /// Set with PostgreSQL: local events also go to the other instances.
    private let bridgeBox = NIOLockedValueBox<LiveBridge?>(nil)
    var bridge: LiveBridge? {
        get { bridgeBox.withLockedValue { $0 } }
        set { bridgeBox.withLockedValue { $0 = newValue } }
    }

    init(bufferLimit: Int, flushInterval: TimeAmount = .milliseconds(25), recentLimit: Int = 2_000,
         onDrop: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.bufferLimit = bufferLimit
        self.flushInterval = flushInterval
        self.recentLimit = recentLimit
        self.onDrop = onDrop
    }

    /// Restricts topics starting with `prefix` to callers `access` admits (default: any signed-in user or source); with
    /// an `owner`, a topic `prefix` + code is also restricted to callers who may see that agency or wall. The first
    /// restriction whose prefix matches a topic decides.
    func restrict(prefix: String, to access: Access, owner: LiveTopicOwner? = nil) {
        topicPolicies.withLockedValue { $0.append((prefix, access, owner)) }
    }

    /// Calls `handle(topic)` for every event on topics starting with `prefix`, local or from the bridge.
    func observe(prefix: String, _ handle: @escaping @Sendable (String) -> Void) {
        observers.withLockedValue { $0.append((prefix, handle)) }
    }

    /// Whether a client may subscribe to `topic`: by the first rule whose prefix matches, its role or key kind, and for
    /// a topic named after an agency or a wall, that agency within the client's scope or that wall its own.
    func mayAccess(topic: String, client: LiveClient) -> Bool {
        guard let rule = topicPolicies.withLockedValue({ $0 }).first(where: { topic.hasPrefix($0.prefix) }) else { return true }
        guard rule.access.admits(client.principal) else { return false }
        let code = String(topic.dropFirst(rule.prefix.count))
        switch rule.owner {
        case .agency?: return client.sees([code])
        case .wall?: return client.follows(wall: code)
        case nil: return true
        }
    }

    /// Publishes `payload` on `topic`; returns the event id.
    @discardableResult
    public func publish<T: Encodable>(topic: String, _ payload: T, audience: Set<String>? = nil) -> Int64 {
        let data = (try? JSONEncoder.ioc.encode(payload)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
        return publish(topic: topic, json: data, audience: audience)
    }

    /// Publishes pre-encoded JSON. With an `audience` (agency codes), the event reaches only clients whose scope covers
    /// one of those agencies, or who see every agency: the same rule as the REST endpoints (an empty audience — an
    /// event of no agency — reaches only the unscoped).
    @discardableResult
    public func publish(topic: String, json: String, audience: Set<String>? = nil) -> Int64 {
        let audience = audience.map { Set($0.map { $0.lowercased() }) }
        bridge?.send(topic: topic, json: json, audience: audience)
        return deliver(topic: topic, json: json, audience: audience)
    }

    /// An event another instance published: delivered here, not sent on again.
    @discardableResult
    func publishFromBridge(topic: String, json: String, audience: Set<String>? = nil) -> Int64 {
        deliver(topic: topic, json: json, audience: audience)
    }

    private func deliver(topic: String, json: String, audience: Set<String>?) -> Int64 {
        for o in observers.withLockedValue({ $0 }) where topic.hasPrefix(o.prefix) { o.handle(topic) }
        let at = ISO8601.format(Date())
        let (event, targets): (Event, [LiveClient]) = state.withLockedValue { s in
            let id = s.nextID
            s.nextID += 1
            let message = #"{"id":\#(id),"topic":"\#(Self.escape(topic))","at":"\#(at)","data":\#(json)}"#
            let e = Event(id: id, topic: topic, json: message, audience: audience)
            if s.recent.count < recentLimit {
                s.recent.append(e)
            } else {
                s.recent[s.recentStart] = e
                s.recentStart = (s.recentStart + 1) % recentLimit
            }
            let ids = s.subscribers[topic] ?? []
            return (e, ids.compactMap { s.clients[$0] }.filter { $0.sees(audience) })
        }
        for client in targets { client.enqueue(event.json) }
        return event.id
    }

    var clientCount: Int { state.withLockedValue { $0.clients.count } }
    var subscriptionCount: Int { state.withLockedValue { $0.subscribers.values.reduce(0) { $0 + $1.count } } }
    var lastEventID: Int64 { state.withLockedValue { $0.nextID - 1 } }

    func add(_ client: LiveClient) { state.withLockedValue { $0.clients[client.id] = client } }

    func remove(_ id: UUID) {
        state.withLockedValue { s in
            guard let c = s.clients.removeValue(forKey: id) else { return }
            for t in c.topics { s.subscribers[t]?.remove(id); if s.subscribers[t]?.isEmpty == true { s.subscribers[t] = nil } }
        }
    }

    /// Subscribes and returns the recent events on those topics after `since` (for resuming clients).
    func subscribe(_ client: LiveClient, topics: [String], since: Int64?) -> [String] {
        state.withLockedValue { s in
            for t in topics { s.subscribers[t, default: []].insert(client.id) }
            guard let since else { return [] }
            let wanted = Set(topics)
            let ordered = Array(s.recent[s.recentStart...] + s.recent[..<s.recentStart])
            return ordered.filter { $0.id > since && wanted.contains($0.topic) && client.sees($0.audience) }.map(\.json)
        }
    }

    func unsubscribe(_ client: LiveClient, topics: [String]) {
        state.withLockedValue { s in
            for t in topics { s.subscribers[t]?.remove(client.id); if s.subscribers[t]?.isEmpty == true { s.subscribers[t] = nil } }
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// One connected WebSocket client with its bounded outgoing buffer.
final class LiveClient: Sendable {
    private struct Buffer {
        var pending: [String] = []
        var dropped = 0
        var flushScheduled = false
        var inFlight = 0
        var topics: Set<String> = []
        var closed = false
        /// When the last frame was written (uptime ns): frames are at most one per flush interval.
        /// Uptime (ns) of the last flush; nil before the first (so the first message goes out at once even on a
        /// machine up for less than one flush interval).
        var lastFlush: UInt64?
    }

    let id = UUID()
    let ws: WebSocket
    let principal: Principal
    /// The agency codes (lower case) the client may see, fixed when it connects; nil: all (see `visibleAgencyCodes`).
    let visibleAgencies: Set<String>?
    private let hub: LiveHub
    private let buffer = NIOLockedValueBox(Buffer())
    /// Frames written but not yet flushed by the socket; above this the client is slow and we stop writing.
    static let maxInFlight = 4

    init(ws: WebSocket, principal: Principal, visibleAgencies: Set<String>?, hub: LiveHub) {
        self.ws = ws
        self.principal = principal
        self.visibleAgencies = visibleAgencies
        self.hub = hub
    }

    /// Whether the client may follow a wall's topic: a display key only its own wall's.
    func follows(wall code: String) -> Bool {
        guard case .source(let s) = principal, s.sourceKind == .display else { return true }
        return code == s.wall?.lowercased()
    }

    /// Whether an event with this audience reaches the client.
    func sees(_ audience: Set<String>?) -> Bool {
        guard let audience, let visible = visibleAgencies else { return true }
        return !audience.isDisjoint(with: visible)
    }

    var topics: Set<String> { buffer.withLockedValue { $0.topics } }

    func setTopics(add: [String] = [], remove: [String] = []) -> Int {
        buffer.withLockedValue { b in
            b.topics.formUnion(add)
            b.topics.subtract(remove)
            return b.topics.count
        }
    }

    /// Queues a pre-encoded message; drops the oldest one when the buffer is full. The first message after a quiet
    /// spell goes out at once; later ones wait for the next frame (at most one frame per flush interval).
    func enqueue(_ message: String) {
        let interval = UInt64(hub.flushInterval.nanoseconds)
        let (delay, droppedNow): (UInt64?, Int) = buffer.withLockedValue { b in
            guard !b.closed else { return (nil, 0) }
            var dropped = 0
            b.pending.append(message)
            if b.pending.count > hub.bufferLimit {
                dropped = b.pending.count - hub.bufferLimit
                b.pending.removeFirst(dropped)
                b.dropped += dropped
            }
            if b.flushScheduled { return (nil, dropped) }
            b.flushScheduled = true
            let now = DispatchTime.now().uptimeNanoseconds
            let next = b.lastFlush.map { $0 + interval } ?? 0
            return (next > now ? next - now : 0, dropped)
        }
        if droppedNow > 0 { hub.onDrop(droppedNow) }
        guard let delay else { return }
        if delay == 0 {
            ws.eventLoop.execute { [self] in flush() }
        } else {
            ws.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay))) { [self] in flush() }
        }
    }

    /// Sends a control message right away (bypassing the event buffer).
    func sendControl(_ json: String) {
        ws.send(json, promise: nil)
    }

    private func flush() {
        let (frame, reschedule): (String?, Bool) = buffer.withLockedValue { b in
            b.flushScheduled = false
            guard !b.closed, !b.pending.isEmpty else { return (nil, false) }
            if b.inFlight >= Self.maxInFlight {
                b.flushScheduled = true
                return (nil, true)
            }
            var parts = #"{"type":"events","events":["# + b.pending.joined(separator: ",") + "]"
            if b.dropped > 0 { parts += #","dropped":\#(b.dropped)"#; b.dropped = 0 }
            parts += "}"
            b.pending.removeAll(keepingCapacity: true)
            b.inFlight += 1
            b.lastFlush = DispatchTime.now().uptimeNanoseconds
            return (parts, false)
        }
        if reschedule {
            ws.eventLoop.scheduleTask(in: hub.flushInterval) { [self] in flush() }
            return
        }
        guard let frame else { return }
        let promise = ws.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [self] _ in
            buffer.withLockedValue { $0.inFlight -= 1 }
        }
        ws.send(frame, promise: promise)
    }

    func close() {
        buffer.withLockedValue { $0.closed = true; $0.pending.removeAll() }
    }
}

extension Application {
    private struct LiveKey: StorageKey { typealias Value = LiveHub }

    public var live: LiveHub {
        get {
            guard let h = storage[LiveKey.self] else { fatalError("configure(_:) has not run") }
            return h
        }
        set { storage[LiveKey.self] = newValue }
    }
}
