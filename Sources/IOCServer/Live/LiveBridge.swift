import FluentPostgresDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Carries live events between `ioc serve` instances that share one PostgreSQL database: every event published on
/// this instance is sent with `pg_notify` on a channel named after the schema, and every notification from another
/// instance is published on the local hub (not sent on again). A lost database connection is retried with backoff;
/// events published meanwhile stay local.
final class LiveBridge: Sendable {
    let channel: String
    let origin = UUID().uuidString.prefix(12).lowercased()
    /// Payloads waiting to be sent (bounded: the oldest go first when the database is unreachable for long).
    private let pending = NIOLockedValueBox<[String]>([])
    private let wake: AsyncStream<Void>.Continuation
    private let wakeStream: AsyncStream<Void>
    static let pendingLimit = 10_000
    /// Notifications per statement: a batch of a thousand events is five round trips, not a thousand.
    static let perStatement = 200
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let connected = NIOLockedValueBox(false)

    init(schema: String?) {
        let name = "ioc_live_" + (schema ?? "public").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        channel = String(name.prefix(63))
        (wakeStream, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var isListening: Bool { connected.withLockedValue { $0 } }

    /// The hub calls this for each local event (`json` is the event's data).
    func send(topic: String, json: String, audience: Set<String>? = nil) {
        // pg_notify payloads are limited to 8000 bytes; larger events stay local.
        let scope = audience.map { a in #","a":[\#(a.sorted().map { #""\#(LiveHub.escape($0))""# }.joined(separator: ","))]"# } ?? ""
        let payload = #"{"o":"\#(origin)","t":"\#(LiveHub.escape(topic))"\#(scope),"d":\#(json)}"#
        guard payload.utf8.count < 7_900 else { return }
        pending.withLockedValue { p in
            if p.count >= Self.pendingLimit { p.removeFirst(p.count - Self.pendingLimit + 1) }
            p.append(payload)
        }
        wake.yield()
    }

    /// Takes up to `perStatement` waiting payloads, oldest first.
    private func take() -> [String] {
        pending.withLockedValue { p in
            let batch = Array(p.prefix(Self.perStatement))
            p.removeFirst(batch.count)
            return batch
        }
    }

    func start(app: Application, configuration: SQLPostgresConfiguration) {
        let channel = self.channel
        let origin = String(self.origin)
        let logger = Logger(label: "ioc.live.bridge")
        let sender = Task { [self] in
            for await _ in wakeStream {
                // Everything queued meanwhile goes in as few statements as possible (one pg_notify each, in order).
                while case let batch = take(), !batch.isEmpty {
                    var query = SQLQueryString("SELECT ")
                    for (i, payload) in batch.enumerated() {
                        query.appendInterpolation(unsafeRaw: i == 0 ? "pg_notify(" : ", pg_notify(")
                        query.appendInterpolation(bind: channel)
                        query.appendInterpolation(unsafeRaw: ", ")
                        query.appendInterpolation(bind: payload)
                        query.appendInterpolation(unsafeRaw: ")")
                    }
                    do {
                        try await (app.db as! any SQLDatabase).raw(query).run()
                    } catch {
                        logger.warning("live bridge: notify failed: \(String(describing: error))")
                    }
                }
            }
        }
        let listener = Task { [connected] in
            var delay: UInt64 = 200_000_000
            while !Task.isCancelled {
                var open: PostgresConnection?
                do {
                    let connection = try await PostgresConnection.connect(
                        on: app.eventLoopGroup.next(), configuration: configuration.coreConfiguration, id: 1, logger: logger)
                    open = connection
                    try await connection.listen(on: channel) { notifications in
                        connected.withLockedValue { $0 = true }
                        delay = 200_000_000
                        for try await n in notifications {
                            guard let data = n.payload.data(using: .utf8),
                                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                                  let from = object["o"] as? String, from != origin, let topic = object["t"] as? String,
                                  let inner = object["d"], let json = try? JSONSerialization.data(withJSONObject: inner, options: [.fragmentsAllowed]),
                                  let text = String(data: json, encoding: .utf8) else { continue }
                            // Observers (caches of modules) run for it as for a local event.
                            let audience = (object["a"] as? [String]).map(Set.init)
                            app.live.publishFromBridge(topic: topic, json: text, audience: audience)
                        }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("live bridge: listen failed, retrying: \(String(describing: error))") }
                }
                try? await open?.close()
                connected.withLockedValue { $0 = false }
                if Task.isCancelled { break }
                try? await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 5_000_000_000)
            }
        }
        tasks.withLockedValue { $0 = [sender, listener] }
    }

    func stop() {
        wake.finish()
        for t in tasks.withLockedValue({ $0 }) { t.cancel() }
    }
}

/// Starts and stops the bridge with the server.
struct LiveBridgeLifecycle: LifecycleHandler {
    let bridge: LiveBridge
    let configuration: SQLPostgresConfiguration

    func didBootAsync(_ app: Application) async throws {
        bridge.start(app: app, configuration: configuration)
    }

    func shutdownAsync(_ app: Application) async {
        bridge.stop()
    }
}
