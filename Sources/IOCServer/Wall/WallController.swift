import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// The operations wall: the overview's tiles, the event feed, the map layers (server-side clusters and a choropleth),
/// and the walls' screen layouts with rotation and takeover. Readable by staff and by wall display keys (sources).
enum WallController {
    static let readers: Access = .rolesOrSource([.admin, .operator, .leader, .officer, .analyst])

    static func register(_ api: APIBuilder, app: Application) {
        let w = api.group("wall", tag: "Wall")
        w.on(.GET, "overview", access: readers, summary: "The overview's tiles: headline figures, trend and data freshness per service", response: .any, use: overview)
        w.on(.GET, "events", access: readers, summary: "The feed (reports, breaches, alarms…): the newest items, or those after a journal id (resume)",
             query: [.init("limit", "1–200 newest (default 50); 1–1000 with after (default 500)", .integer),
                     .init("after", "a journal id: the items after it, oldest first", .integer)], response: .any, use: events)
        w.on(.GET, "drill", ":tile", access: readers, summary: "A service screen: the tile's figures by agency, by commune, then the items",
             query: [.init("agency", "agency code (its communes)", .string), .init("unit", "commune code (the items)", .string)],
             response: .any, use: WallDrillController.drill)
        let m = api.group("map", tag: "Wall")
        m.on(.GET, "reports", access: readers, summary: "Field reports in a viewport: grid clusters at low zoom, points at high zoom",
             query: [.init("bbox", "minLon,minLat,maxLon,maxLat", .string), .init("zoom", "0–22", .integer),
                     .init("status", "open (default) | recent (last 30 days) | all", .string)],
             response: .any, use: mapReports)
        m.on(.GET, "choropleth", access: readers, summary: "A value per commune for a tile metric",
             query: [.init("metric", "fieldreports.open | fieldreports.overdue | fieldreports.received30d", .string)], response: .any, use: choropleth)
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
        return WallScope(agencyCodes: try await PublicServicesController.visibleAgencyCodes(req))
    }

    struct Overview: Content {
        var asOf: Date
        var province: NamedRef?
        var tiles: [WallTile]
    }

    @Sendable static func overview(_ req: Request) async throws -> Overview {
        let scope = try await scope(req)
        var tiles: [WallTile] = []
        let registry = req.application.wallTiles
        for (id, provider) in registry.all {
            var tile = try await provider(req, scope)
            if registry.drill(id) != nil { tile.drill = id }
            tiles.append(tile)
        }
        let code = req.application.iocConfiguration.provinceCode
        return Overview(asOf: Date(), province: req.application.reference.units[code].map { NamedRef(code: $0.code, name: $0.name, nameEn: $0.nameEn) },
                        tiles: tiles)
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
        let (entries, more) = try await WallFeed.read(on: req.db, after: after, limit: limit)
        let lastFeedId = try await WallFeed.lastID(on: req.db)
        return Feed(items: entries.map { WallFeed.item($0, app: req.application) }, lastEventId: lastEventId, lastFeedId: lastFeedId, more: more)
    }

    // MARK: Map

    struct MapReports: Content {
        struct Cell: Content { var lat: Double; var lon: Double; var count: Int; var open: Int; var overdue: Int }
        struct Point: Content { var code: String; var lat: Double; var lon: Double; var status: String; var category: String; var overdue: Bool }
        var zoom: Int
        var cells: [Cell]
        var points: [Point]
        var total: Int
    }

    static let pointsThreshold = 400

    @Sendable static func mapReports(_ req: Request) async throws -> MapReports {
        guard let bboxText = req.query[String.self, at: "bbox"] else {
            throw IOCError.invalid("bbox", vi: "Thiếu bbox (minLon,minLat,maxLon,maxLat).", en: "bbox (minLon,minLat,maxLon,maxLat) is required.")
        }
        let b = bboxText.split(separator: ",").compactMap { Double($0) }
        guard b.count == 4, b.allSatisfy(\.isFinite), b[0] < b[2], b[1] < b[3], (-180...180).contains(b[0]), (-180...180).contains(b[2]),
              (-90...90).contains(b[1]), (-90...90).contains(b[3]) else {
            throw IOCError.invalid("bbox", vi: "bbox phải là minLon,minLat,maxLon,maxLat hợp lệ.", en: "bbox must be a valid minLon,minLat,maxLon,maxLat.")
        }
        let zoom = try intQuery(req, "zoom", range: 0...22) ?? 8
        let now = Date()
        let filter: MapPointIndex.Filter
        switch req.query[String.self, at: "status"] ?? "open" {
        case "open": filter = .open
        case "recent": filter = .recent(since: now.addingTimeInterval(-30 * 86_400).timeIntervalSince1970)
        case "all": filter = .all
        default: throw IOCError.invalid("status", vi: "status: open, recent hoặc all.", en: "status must be open, recent or all.")
        }
        let index = req.application.mapPoints
        try await index.refresh(on: req.db)
        // About 4 × 4 cells per 256-pixel tile at this zoom.
        let cell = 360.0 / pow(2.0, Double(zoom)) / 4
        let t = now.timeIntervalSince1970
        let clustered = index.query(minLat: b[1], maxLat: b[3], minLon: b[0], maxLon: b[2], filter: filter, cellSize: cell, now: t, maxPoints: 0)
        if clustered.total <= pointsThreshold || zoom >= 16 {
            let listed = index.query(minLat: b[1], maxLat: b[3], minLon: b[0], maxLon: b[2], filter: filter, cellSize: nil, now: t, maxPoints: 2_000)
            return MapReports(zoom: zoom, cells: [], points: listed.points.sorted { $0.receivedAt > $1.receivedAt }.map {
                .init(code: $0.code, lat: $0.lat, lon: $0.lon, status: $0.status, category: $0.category, overdue: $0.open && $0.dueAt <= t)
            }, total: listed.total)
        }
        return MapReports(zoom: zoom, cells: clustered.cells.map {
            .init(lat: $0.latSum / Double($0.count), lon: $0.lonSum / Double($0.count), count: $0.count, open: $0.open, overdue: $0.overdue)
        }, points: [], total: clustered.total)
    }

    struct Choropleth: Content {
        var metric: String
        var label: LocalizedMessage
        var values: [String: Int]
        var max: Int
    }

    @Sendable static func choropleth(_ req: Request) async throws -> Choropleth {
        let metric = req.query[String.self, at: "metric"] ?? "fieldreports.open"
        let now = Date()
        let open = CaseStatus.openStatuses.map(\.rawValue)
        var filter = SQLQueryString("kind = 'field_report' AND unit_code IS NOT NULL")
        let label: LocalizedMessage
        switch metric {
        case "fieldreports.open":
            label = .init(vi: "Phản ánh đang xử lý", en: "Open reports")
            filter.appendInterpolation(unsafeRaw: " AND status IN (")
            filter.appendInterpolation(binds: open)
            filter.appendInterpolation(unsafeRaw: ")")
        case "fieldreports.overdue":
            label = .init(vi: "Phản ánh quá hạn", en: "Overdue reports")
            filter.appendInterpolation(unsafeRaw: " AND status IN (")
            filter.appendInterpolation(binds: open)
            filter.appendInterpolation(unsafeRaw: ") AND due_at <= ")
            filter.appendInterpolation(bind: now)
        case "fieldreports.received30d":
            label = .init(vi: "Phản ánh 30 ngày", en: "Reports, 30 days")
            filter.appendInterpolation(unsafeRaw: " AND received_at >= ")
            filter.appendInterpolation(bind: now.addingTimeInterval(-30 * 86_400))
        default:
            throw IOCError.invalid("metric", vi: "Chỉ số không được hỗ trợ.", en: "Unsupported metric.")
        }
        struct Row: Decodable { var unit_code: String; var n: Int }
        let rows = try await (req.db as! any SQLDatabase).raw("SELECT unit_code, COUNT(*) AS n FROM cases WHERE \(filter) GROUP BY unit_code")
            .all(decoding: Row.self)
        let values = Dictionary(rows.map { ($0.unit_code, $0.n) }, uniquingKeysWith: +)
        return Choropleth(metric: metric, label: label, values: values, max: values.values.max() ?? 0)
    }
}
