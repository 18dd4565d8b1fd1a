import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// The operations wall: the overview's tiles, the event feed, the map layers (server-side clusters and a choropleth),
/// and the walls' screen layouts with rotation and takeover. Readable by staff and by wall display keys (sources).
enum WallController {
    static let readers: Access = .rolesOrSource([.admin, .operator, .leader, .officer, .analyst], kinds: [.display])

    static func register(_ api: APIBuilder, app: Application) {
        let w = api.group("wall", tag: "Wall")
        w.on(.GET, "overview", access: readers, summary: "The overview's tiles: headline figures, trend and data freshness per service", response: .any, use: overview)
        w.on(.GET, "events", access: readers, summary: "The feed (the modules' facts): the newest items, or those after a journal id (resume)",
             query: [.init("limit", "1–200 newest (default 50); 1–1000 with after (default 500)", .integer),
                     .init("after", "a journal id: the items after it, oldest first", .integer)], response: .any, use: events)
        w.on(.GET, "drill", ":tile", access: readers, summary: "A service screen: the tile's figures by agency, by commune, then the items",
             query: [.init("agency", "agency code (its communes)", .string), .init("unit", "commune code (the items)", .string)],
             response: .any, use: WallDrillController.drill)
        let m = api.group("map", tag: "Wall")
        m.on(.GET, "choropleth", access: readers, summary: "A value per commune for a map metric (the modules' metrics: GET /api/v1/wall/metrics)",
             query: [.init("metric", "a metric id a module registered (GET /api/v1/wall/metrics)", .string)], response: .any, use: choropleth)
        w.on(.GET, "metrics", access: readers, summary: "The map metrics the modules registered", response: .any, use: metrics)
        WallLayoutController.register(api)
        // Kiosk screens and the overview are one page; the server serves it for every /wall path.
        let page: @Sendable (Request) async throws -> Response = { req in
            try await req.fileio.asyncStreamFile(at: req.application.iocConfiguration.publicDirectory + "/wall.html")
        }
        app.get("wall", use: page)
        app.get("wall", "**", use: page)
    }

    static func scope(_ req: Request) async throws -> WallScope {
        if case .source? = req.principal { return WallScope(agencyCodes: nil) }
        return WallScope(agencyCodes: try await req.visibleAgencyCodes())
    }

    struct Overview: Content {
        /// Whose figures the tiles show when not the whole province: the caller's agencies.
        struct ScopeLabel: Content { var agencies: [NamedRef]; var label: LocalizedMessage }
        var asOf: Date
        var province: NamedRef?
        var scope: ScopeLabel?
        var tiles: [WallTile]
    }

    @Sendable static func overview(_ req: Request) async throws -> Overview {
        let scope = try await scope(req)
        var tiles: [WallTile] = []
        let registry = req.application.wall
        for entry in registry.tiles {
            var tile = try await entry.provider(req, scope)
            if registry.drill(entry.id) != nil { tile.drill = entry.id }
            tiles.append(tile)
        }
        let code = req.application.iocConfiguration.provinceCode
        var label: Overview.ScopeLabel?
        if let codes = scope.agencyCodes {
            let d = try await req.application.agencyDirectory.snapshot(on: req.db)
            let refs = codes.compactMap { d.agencyByCode[$0]?.ref }.sorted { $0.code < $1.code }
            // The top of the caller's agencies by name (an officer's own agency; the units below it are counted).
            let head = refs.filter { r in !(d.agencyByCode[r.code]?.parentID.flatMap { d.agencies[$0] }.map { codes.contains($0.code) } ?? false) }
            let names = head.prefix(2)
            let more = refs.count - names.count
            let vi = names.map(\.name).joined(separator: ", ") + (more > 0 ? " và \(more) đơn vị trực thuộc" : "")
            let en = names.map { $0.nameEn ?? $0.name }.joined(separator: ", ") + (more > 0 ? " and \(more) units under it" : "")
            label = .init(agencies: refs, label: .init(vi: refs.isEmpty ? "Phạm vi: chưa gắn cơ quan" : "Phạm vi: \(vi)",
                                                       en: refs.isEmpty ? "Scope: no agency attached" : "Scope: \(en)"))
        }
        return Overview(asOf: req.now, province: req.application.reference.units[code].map { NamedRef(code: $0.code, name: $0.name, nameEn: $0.nameEn) },
                        scope: label, tiles: tiles)
    }

    // MARK: Feed

    struct FeedItem: Content, Sendable {
        var id: Int64?
        var at: Date
        var topic: String
        var type: String
        var title: LocalizedMessage
        var place: String?
        var code: String
        var severity: String
        var link: String
    }

    struct Feed: Content {
        var items: [FeedItem]
        /// The live hub's last event id on this instance (for `since` on the WebSocket).
        var lastEventId: Int64
        /// The journal's last id (global): resume with `after=`.
        var lastFeedId: Int
        /// With `after`: more entries than `limit` are waiting (take a fresh snapshot instead).
        var more: Bool
    }

    @Sendable static func events(_ req: Request) async throws -> Feed {
        let after = try intQuery(req, "after", range: 0...Int.max)
        let limit = try intQuery(req, "limit", range: 1...(after == nil ? 200 : 1_000)) ?? (after == nil ? 50 : 500)
        // The hub id first: an event published while we read is then replayed rather than lost.
        let lastEventId = req.application.live.lastEventID
        let (entries, more) = try await WallFeed.read(on: req.db, after: after, limit: limit, agencies: try await scope(req).agencyCodes)
        let lastFeedId = try await WallFeed.lastID(on: req.db)
        return Feed(items: entries.map { WallFeed.item($0, app: req.application) }, lastEventId: lastEventId, lastFeedId: lastFeedId, more: more)
    }

    // MARK: Map

    struct Choropleth: Content {
        var metric: String
        var label: LocalizedMessage
        var values: [String: Int]
        var max: Int
    }

    @Sendable static func choropleth(_ req: Request) async throws -> Choropleth {
        let registry = req.application.wall
        let id = req.query[String.self, at: "metric"] ?? registry.metrics.first?.id ?? ""
        guard id.count <= 80, let metric = registry.metric(id) else {
            throw IOCError.invalid("metric", vi: "Chỉ số không được hỗ trợ.", en: "Unsupported metric.")
        }
        let values = try await metric.provider(req, try await scope(req))
        return Choropleth(metric: metric.id, label: metric.label, values: values, max: values.values.max() ?? 0)
    }

    struct Metric: Content { var id: String; var module: String; var label: LocalizedMessage }

    @Sendable static func metrics(_ req: Request) async throws -> [Metric] {
        req.application.wall.metrics.map { Metric(id: $0.id, module: $0.module, label: $0.label) }
    }
}
