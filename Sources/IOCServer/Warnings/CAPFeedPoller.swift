import AsyncHTTPClient
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Reads the configured Atom feeds of CAP alerts and stores the alerts they link to (`CAPInbound.store`: validated,
/// idempotent). Outbound requests are bounded: http(s) only, each alert from its feed's own scheme, host and port,
/// no redirects followed, 1 MiB per document, 10 s per request.
enum CAPFeedPoller {
    static let maxBytes = 1 << 20

    static func task(_ app: Application) -> [BackgroundTask] {
        let c = app.iocConfiguration
        guard !c.capFeeds.isEmpty else { return [] }
        return [BackgroundTask("warnings.cap-feeds", mode: .singleton, every: .seconds(Int64(c.capPollSeconds)), jitter: 0.1) { app in
            _ = try await poll(app: app, feeds: app.iocConfiguration.capFeeds)
        }]
    }

    /// Whether `url` may be fetched for a feed: same scheme, host and port, and a path.
    static func allowed(_ url: String, feed: String) -> Bool {
        guard let u = URL(string: url), let f = URL(string: feed), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme),
              u.user == nil, u.password == nil else { return false }
        return scheme == f.scheme?.lowercased() && u.host?.lowercased() == f.host?.lowercased() && (u.port ?? 0) == (f.port ?? 0)
    }

    struct Outcome: Sendable { var stored: Int; var skipped: Int; var errors: [String] }

    /// Polls every feed once; returns what it did.
    static func poll(app: Application, feeds: [String]) async throws -> Outcome {
        let client = app.capHTTPClient
        var out = Outcome(stored: 0, skipped: 0, errors: [])
        for feed in feeds {
            let entries: [CAPAtom.Entry]
            do {
                entries = try CAPAtom.entries(try await fetch(feed, client: client))
            } catch {
                out.errors.append("\(feed): \(error)")
                app.logger.warning("CAP feed \(feed): \(String(describing: error))")
                continue
            }
            for e in entries.prefix(200) {
                guard allowed(e.capURL, feed: feed) else { out.skipped += 1; continue }
                let seenKey = "\(e.capURL)|\(e.updated)"
                if app.capFeedSeen.withLockedValue({ $0.contains(seenKey) }) { continue }
                do {
                    let bytes = try await fetch(e.capURL, client: client)
                    let r = try await CAPInbound.store(bytes, source: "feed:\(URL(string: feed)?.host ?? feed)", app: app, db: app.db, now: app.clock.now)
                    if !r.duplicate { out.stored += 1 }
                    app.capFeedSeen.withLockedValue { s in
                        if s.count > 10_000 { s.removeAll() }
                        s.insert(seenKey)
                    }
                } catch {
                    out.errors.append("\(e.capURL): \(error)")
                    app.logger.warning("CAP alert \(e.capURL): \(String(describing: error))")
                }
            }
        }
        return out
    }

    struct FetchFailure: Error, CustomStringConvertible { var description: String }

    static func fetch(_ url: String, client: HTTPClient) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/cap+xml, application/atom+xml, application/xml;q=0.9")
        request.headers.add(name: "User-Agent", value: "IOC-CAP-poller")
        let response = try await client.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw FetchFailure(description: "HTTP \(response.status.code) (redirects are not followed)") }
        var body = try await response.body.collect(upTo: maxBytes)
        return body.readBytes(length: body.readableBytes) ?? []
    }
}

extension Application {
    private struct CAPClientKey: StorageKey { typealias Value = HTTPClient }
    private struct CAPSeenKey: StorageKey { typealias Value = NIOLockedValueBox<Set<String>> }

    /// The HTTP client of the CAP poller: no redirects, short timeouts; shut down with the application.
    var capHTTPClient: HTTPClient {
        if let c = storage[CAPClientKey.self] { return c }
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
        config.decompression = .disabled
        let c = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: config)
        storage.set(CAPClientKey.self, to: c, onShutdown: { c in try c.syncShutdown() })
        return c
    }

    var capFeedSeen: NIOLockedValueBox<Set<String>> {
        if let s = storage[CAPSeenKey.self] { return s }
        let s = NIOLockedValueBox<Set<String>>([])
        storage[CAPSeenKey.self] = s
        return s
    }
}
