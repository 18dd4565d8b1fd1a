import Fluent
import Foundation
import Vapor

/// The two walls of the demo brief: the monitoring room (9 × 3 = 27 screens) and the operations room (3 × 3 = 9).
/// Idempotent; an assignment an operator changed is left alone.
enum DemoWalls {
    static func load(on app: Application) async throws {
        let walls: [(code: String, name: String, rows: Int, cols: Int, views: [Int: String])] = [
            ("phong-giam-sat", "Phòng giám sát (27 màn hình)", 3, 9, [
                14: #"{"kind":"overview"}"#, 13: #"{"kind":"map","params":{"metric":"fieldreports.overdue"}}"#,
                15: #"{"kind":"map","params":{"metric":"fieldreports.open"}}"#, 5: #"{"kind":"tile","params":{"tile":"fieldreports"}}"#,
                23: #"{"kind":"tile","params":{"tile":"publicservices"}}"#]),
            ("phong-dieu-hanh", "Phòng điều hành (9 màn hình)", 3, 3, [
                5: #"{"kind":"overview"}"#, 4: #"{"kind":"map","params":{"metric":"fieldreports.overdue"}}"#,
                6: #"{"kind":"tile","params":{"tile":"fieldreports"}}"#, 2: #"{"kind":"tile","params":{"tile":"publicservices"}}"#]),
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
