import Fluent
import Foundation
import IOCCore
import Vapor

extension DemoAlarms {
    /// The demo simulator's part for alarms.
    static func simulate(app: Application, rng: inout DemoRandom) async throws {
        let db = app.db
        // The event sources: now and then a camera drops out or a sensor crosses a threshold, and the oldest
        //    unacknowledged camera or sensor alarm comes back to normal (security alarms wait for a person).
        let sources = try await DemoAlarms.sourceIDs(on: db)
        if rng.unit() < 0.25 {
            let candidates = DemoAlarms.templates.filter { $0.source != "soc-daklak" }
            let t = candidates[Int(rng.next() % UInt64(candidates.count))]
            _ = try await DemoAlarms.send(t, app: app, sources: sources, at: app.clock.now)
        } else if rng.unit() < 0.3, let oldest = try await AlarmModel.query(on: db).filter(\.$state == "active")
            .filter(\.$sourceID ~~ [sources["vms-daklak"], sources["quantrac-daklak"]].compactMap { $0 }).sort(\.$raisedAt).first(),
            oldest.raisedAt < app.clock.now.addingTimeInterval(-15 * 60),
            let t = DemoAlarms.templates.first(where: { oldest.key.hasSuffix("|" + $0.key) }) {
            _ = try await DemoAlarms.send(t, app: app, sources: sources, at: app.clock.now, clear: true)
        }
        for id in sources.values { try await SourceModel.query(on: db).filter(\.$id == id).set(\.$lastDataAt, to: app.clock.now).update() }
    }
}
