import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import IOCServer

/// Counts the runs of a singleton task on one instance.
final class Ticks: Sendable {
    private let box = NIOLockedValueBox(0)
    var count: Int { box.withLockedValue { $0 } }
    func tick() { box.withLockedValue { $0 += 1 } }
}

/// A module whose only content is a singleton task that ticks every 100 ms.
struct TickModule: ServiceModule {
    let ticks: Ticks
    var id: String { "tick" }
    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        [BackgroundTask("tick.count", mode: .singleton, every: .milliseconds(100)) { [ticks] _ in ticks.tick() }]
    }
}

private func waitUntil(_ timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Runs one step of a multi-instance test with a deadline: a step that never ends fails the test, naming the step,
/// instead of holding the whole suite (and CI) until its time limit.
private func step<T: Sendable>(_ what: String, within limit: Duration = .seconds(60),
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let result = NIOLockedValueBox<Result<T, any Error>?>(nil)
    let done = await completes(within: limit) {
        do { let v = try await operation(); result.withLockedValue { $0 = .success(v) } }
        catch { result.withLockedValue { $0 = .failure(error) } }
    }
    guard done, let r = result.withLockedValue({ $0 }) else { throw StepTimedOut(step: what, limit: limit) }
    return try r.get()
}

private struct StepTimedOut: Error, CustomStringConvertible {
    var step: String
    var limit: Duration
    var description: String { "step '\(step)' did not finish within \(limit)" }
}

@Suite("Background runner and leadership")
struct BackgroundRunnerTests {
    @Test func tasksRecordTheirFiguresAndBusinessWorkStaysOffWhenAsked() async throws {
        let ticks = Ticks()
        try await withApp(modules: ServiceModules.standard + [TickModule(ticks: ticks)], adjust: { $0.metricsToken = "runner-metrics" }) { app in
            // Tests run with IOC_BACKGROUND off: the singleton task does not run by itself…
            try await app.asyncBoot()
            try await Task.sleep(for: .milliseconds(400))
            #expect(ticks.count == 0)
            // …and runs when asked, with its figures in the health view and on /metrics.
            await app.backgroundRunner.runNow("tick.count", app: app)
            #expect(ticks.count == 1)
            try await makeUser(app, "boss", role: .admin)
            let c = TestClient(app)
            try await c.login("boss")
            let status = try await c.send(.GET, "/api/v1/health/tasks")
            let tasks = status.json["tasks"] as? [[String: Any]] ?? []
            let tick = tasks.first { $0["name"] as? String == "tick.count" }
            #expect(tick?["runs"] as? Int == 1)
            #expect(tick?["mode"] as? String == "singleton")
            #expect(tasks.contains { $0["name"] as? String == "cases.escalation-sweep" })
            c.bearer = "runner-metrics"
            let metrics = try await c.send(.GET, "/metrics")
            #expect(metrics.text.contains(#"ioc_background_runs_total{task="tick.count"} 1"#))
        }
    }

    @Test func aSingleInstanceLeadsAndRunsItsSingletonTasks() async throws {
        guard !TestEnvironment.isPostgres else { return }
        let ticks = Ticks()
        try await withApp(modules: ServiceModules.standard + [TickModule(ticks: ticks)], adjust: { $0.backgroundWork = true }) { app in
            try await app.asyncBoot()
            #expect(try await waitUntil(.seconds(5)) { ticks.count >= 2 })
            #expect(app.backgroundRunner.leadership.isLeader)
        }
    }

    /// Two instances on one PostgreSQL schema: the singleton task runs on exactly one; when that one dies (its database
    /// session ends, as when the process is killed), the other takes over within 15 s.
    @Test func aSingletonTaskRunsOnOneInstanceAndMovesWhenItDies() async throws {
        guard let url = TestEnvironment.postgresURL else { return }
        TestEnvironment.logging
        let schema = "t_lead_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        @Sendable func instance(_ ticks: Ticks) async throws -> Application {
            let app = try await Application.make(.testing)
            var config = IOCConfiguration(
                storage: .postgres(url), dataDirectory: NSTemporaryDirectory(), publicDirectory: TestEnvironment.repositoryRoot + "/Public",
                resourcesDirectory: TestEnvironment.repositoryRoot + "/Resources", vendorDirectory: "/usr/share/javascript",
                backgroundWork: true, databasePoolSize: 2, liveHeartbeat: .seconds(1), bcryptCost: 4, autoMigrate: true, postgresSchema: schema)
            config.leaderRetry = .seconds(1)
            config.liveBridge = false
            try await configure(app, configuration: config, reference: TestEnvironment.reference, modules: ServiceModules.standard + [TickModule(ticks: ticks)])
            try await app.asyncBoot()
            return app
        }
        let t1 = Ticks(), t2 = Ticks()
        var apps: [Application] = []
        do {
            let a1 = try await step("start instance 1") { try await instance(t1) }
            apps.append(a1)
            let a2 = try await step("start instance 2") { try await instance(t2) }
            apps.append(a2)
            #expect(try await waitUntil(.seconds(10)) { t1.count + t2.count >= 3 })
            // Exactly one leads, and only it ticks.
            #expect(a1.backgroundRunner.leadership.isLeader != a2.backgroundRunner.leadership.isLeader)
            let (leader, follower, lt, ft) = a1.backgroundRunner.leadership.isLeader ? (a1, a2, t1, t2) : (a2, a1, t2, t1)
            let before = ft.count
            try await Task.sleep(for: .seconds(1.5))
            #expect(ft.count == before && before == 0, "the follower never ran the singleton task")
            #expect(lt.count > 3)

            // Kill the leader: the database ends its session (what PostgreSQL does when the process dies) and it runs
            // nothing more.
            let key = Leadership.key(schema: schema)
            struct Row: Decodable { var pid: Int }
            let sql = follower.db as! any SQLDatabase
            let holders = try await step("find the lock holder") {
                try await sql.raw("""
                    SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
                      AND ((classid::bigint << 32) | objid::bigint) = \(bind: key)
                    """).all(decoding: Row.self)
            }
            #expect(holders.count == 1)
            let killedAt = ContinuousClock.now
            for h in holders {
                try await step("terminate the leader's session") { try await sql.raw("SELECT pg_terminate_backend(CAST(\(bind: h.pid) AS INTEGER))").run() }
            }
            try await step("stop the leader's runner", within: .seconds(30)) { await leader.backgroundRunner.stop(grace: .seconds(1)) }
            try await step("shut the leader down") { try await leader.asyncShutdown() }
            apps.removeAll { $0 === leader }
            let tookOver = try await waitUntil(.seconds(15)) { ft.count > 0 }
            let seconds = (ContinuousClock.now - killedAt) / .seconds(1)
            #expect(tookOver, "the other instance took over within 15 s (after \(seconds) s)")
            print("leadership: the other instance ran the singleton task \(String(format: "%.1f", seconds)) s after the leader was killed")
            #expect(follower.backgroundRunner.leadership.isLeader)
        } catch {
            Issue.record("\(String(reflecting: error))")
        }
        if let sql = apps.first?.db as? any SQLDatabase {
            _ = try? await step("drop the schema") { try await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run() }
        }
        for app in apps {
            do { try await step("shut down") { try await app.asyncShutdown() } } catch { Issue.record("\(error)") }
        }
    }
}
