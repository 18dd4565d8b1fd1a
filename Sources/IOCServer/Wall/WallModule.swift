import Fluent
import Foundation
import IOCCore
import Vapor

/// The operations wall: the overview of every module's tiles, service screens, the feed, the map, and the walls'
/// screen layouts with rotation, takeover and kiosk display keys.
struct WallModule: ServiceModule {
    var id: String { "wall" }
    /// The feed (`wall`), its digest (`wall.summary`) and each wall's layout changes (`wall.<code>`).
    static let topic = "wall"

    func migrations(_ app: Application) -> [any Migration] { [CreateWalls()] }

    func boot(_ app: Application) throws {
        // The wall's feed entries, committed with their changes, go out live after the commit.
        app.audit.onFeed.withLockedValue { $0 = WallFeed.publisher(app) }
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        WallController.register(v1, app: app)
    }

    func wall(_ wall: WallContributions.Builder) {
        wall.view("overview", order: 0)
        wall.view("map", order: 10) { params, field, registry in
            if let m = params["metric"], registry.metric(m) == nil {
                throw IOCError.invalid(field, vi: "Chỉ số bản đồ không được hỗ trợ.", en: "Unsupported map metric.")
            }
        }
        wall.view("tile", order: 20) { params, field, registry in
            guard let t = params["tile"], registry.tileIDSet.contains(t) else {
                throw IOCError.invalid(field, vi: "Ô thông tin không tồn tại.", en: "Unknown tile.")
            }
        }
        wall.view("service", order: 30) { params, field, registry in
            guard let t = params["tile"], registry.tileIDSet.contains(t) else {
                throw IOCError.invalid(field, vi: "Ô thông tin không tồn tại.", en: "Unknown tile.")
            }
            for key in ["agency", "unit"] {
                if let v = params[key], v.isEmpty || v.count > 64 || !v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                    throw IOCError.invalid(field, vi: "Mã cơ quan hoặc xã/phường không hợp lệ.", en: "Invalid agency or commune code.")
                }
            }
        }
        wall.view("url", order: 60) { params, field, _ in
            guard let u = params["url"], u.hasPrefix("/"), !u.hasPrefix("//"), !u.contains("\\"), URL(string: u) != nil else {
                throw IOCError.invalid(field, vi: "Địa chỉ phải là đường dẫn trong hệ thống (bắt đầu bằng /).", en: "url must be a same-origin path (starting with /).")
            }
        }
    }

    var liveTopics: [LiveTopicRule] {
        // The first matching prefix decides: the shared digest before the per-wall topics, these before the feed.
        [LiveTopicRule("wallSummary", prefix: Self.topic + ".summary", access: WallController.readers),
         LiveTopicRule("wallPrefix", prefix: Self.topic + ".", access: WallController.readers, owner: .wall),
         LiveTopicRule("wall", prefix: Self.topic, access: WallController.readers)]
    }

    func loadDemo(_ context: DemoContext) async throws {
        try await DemoWalls.load(on: context.app)
        context.print("Màn hình tường / Walls: /wall (tổng quan / overview), /wall/phong-giam-sat/1…27, /wall/phong-dieu-hanh/1…9")
    }

    var watchedTables: [String] { [WallModel.schema, WallScreenModel.schema] }

    var console: [ConsoleEntry] {
        [ConsoleEntry(route: "map", title: "nav.map", icon: "i-map"),
         // Walls are arranged by admins and operators (leaders look at them); officers and analysts work in their services.
         ConsoleEntry(route: "walls", title: "walls.nav", icon: "i-wall", roles: [.admin, .operator, .leader])]
    }

    var i18nBundles: [String] { ["wall", "walls"] }
}
