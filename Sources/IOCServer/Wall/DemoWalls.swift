import Fluent
import Foundation
import Vapor

/// The two walls of the demo brief: the monitoring room (9 × 3 = 27 screens) and the operations room (3 × 3 = 9).
/// Idempotent; an assignment an operator changed is left alone.
enum DemoWalls {
    static func load(on app: Application) async throws {
        // Screens show what the modules registered: the first tiles and map metrics, in module order.
        let tiles = app.wall.tiles.map(\.id)
        let metrics = app.wall.metrics.map(\.id)
        func tile(_ i: Int) -> String? { tiles.indices.contains(i) ? #"{"kind":"tile","params":{"tile":"\#(tiles[i])"}}"# : nil }
        func map(_ i: Int) -> String { metrics.indices.contains(i) ? #"{"kind":"map","params":{"metric":"\#(metrics[i])"}}"# : #"{"kind":"map"}"# }
        let overview = #"{"kind":"overview"}"#
        let walls: [(code: String, name: String, rows: Int, cols: Int, views: [Int: String])] = [
            ("phong-giam-sat", "Phòng giám sát (27 màn hình)", 3, 9,
             [14: overview, 13: map(1), 15: map(0), 5: tile(0), 23: tile(1)].compactMapValues { $0 }),
            ("phong-dieu-hanh", "Phòng điều hành (9 màn hình)", 3, 3,
             [5: overview, 4: map(1), 6: tile(0), 2: tile(1)].compactMapValues { $0 }),
        ]
        for w in walls {
            let fresh = try await WallModel.find(w.code, on: app.db) == nil
            _ = try await WallLayoutController.upsertWall(code: w.code, name: w.name, rows: w.rows, cols: w.cols, on: app.db)
            guard fresh else { continue }
            for (index, view) in w.views {
                guard let s = try await WallScreenModel.query(on: app.db).filter(\.$wallCode == w.code).filter(\.$index == index).first() else { continue }
                s.viewJSON = view
                try await s.save(on: app.db)
            }
        }
    }
}
