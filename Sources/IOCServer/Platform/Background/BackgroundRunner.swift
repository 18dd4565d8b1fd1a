import FluentPostgresDriver
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import Vapor

/// Periodic work a module hands the platform (escalation sweeps, the demo simulator, checkpoints, device probes…).
struct BackgroundTask: Sendable {
    enum Mode: String, Sendable, Codable {
        /// Runs on exactly one instance: the one that holds the leadership lock (always this one on SQLite).
        case singleton
        /// Runs on every instance (housekeeping of the instance itself, such as the SQLite checkpoint).
        case perInstance
    }

    var name: String
    var mode: Mode
    var interval: Duration
    /// 0…1: each wait is `interval × (1 - jitter/2 … 1 + jitter/2)`, so instances and tasks do not beat in step.
    var jitter: Double
    /// Housekeeping that runs even when `IOC_BACKGROUND` is off (business work does not).
    var housekeeping: Bool
    var run: @Sendable (Application) async throws -> Void

    init(_ name: String, mode: Mode, every interval: Duration, jitter: Double = 0, housekeeping: Bool = false,
         run: @escaping @Sendable (Application) async throws -> Void) {
        self.name = name
        self.mode = mode
        self.interval = interval
        self.jitter = max(0, min(jitter, 1))
        self.housekeeping = housekeeping
        self.run = run
    }
}

/// Runs the modules' background tasks under one roof: one loop per task on an injected clock, graceful shutdown,
/// per-task figures (`/metrics` and `GET /api/v1/health/tasks`), and — on PostgreSQL — leadership through an
/// advisory lock, so a singleton task runs on one instance and another instance takes over when that one dies.
final class BackgroundRunner: Sendable {
    struct TaskStatus: Content, Sendable {
        var name: String
        var mode: BackgroundTask.Mode
        var intervalSeconds: Double
        var runs: Int
        var failures: Int
        var lastRunAt: Date?
        var lastDurationSeconds: Double?
        var lastError: String?
        var running: Bool
    }

    struct Status: Content, Sendable {
        var instance: String
        var leader: Bool
        var leadership: String
        var tasks: [TaskStatus]
    }

    let tasks: [BackgroundTask]
    let leadership: Leadership
    private let clock: any Clock<Duration>
    private let statuses: NIOLockedValueBox<[String: TaskStatus]>
    private let loops = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let metrics: IOCMetrics?
    let instance: String

    init(tasks: [BackgroundTask], leadership: Leadership, clock: any Clock<Duration> = ContinuousClock(), metrics: IOCMetrics?, instance: String) {
        var seen = Set<String>()
        for t in tasks { precondition(seen.insert(t.name).inserted, "two background tasks named \(t.name)") }
        self.tasks = tasks
        self.leadership = leadership
        self.clock = clock
        self.metrics = metrics
        self.instance = instance
        statuses = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: tasks.map {
            ($0.name, TaskStatus(name: $0.name, mode: $0.mode, intervalSeconds: $0.interval / .seconds(1), runs: 0, failures: 0, running: false))
        }))
    }

    var status: Status {
        let list = statuses.withLockedValue { Array($0.values) }.sorted { $0.name < $1.name }
        return Status(instance: instance, leader: leadership.isLeader, leadership: leadership.kind, tasks: list)
    }

    /// Starts the leadership and one loop per task (`businessWork`: false leaves only housekeeping).
    func start(app: Application, businessWork: Bool) {
        let selected = tasks.filter { businessWork || $0.housekeeping }
        if selected.contains(where: { $0.mode == .singleton }) { leadership.start(app: app) }
        let started = selected.map { task in
            Task { [self] in
                var rng = SystemRandomNumberGenerator()
                while !Task.isCancelled {
                    let factor = task.jitter == 0 ? 1 : 1 + task.jitter * (Double.random(in: 0...1, using: &rng) - 0.5)
                    do { try await clock.sleep(for: task.interval * factor) } catch { break }
                    if Task.isCancelled { break }
                    if task.mode == .singleton, !leadership.isLeader { continue }
                    await runOnce(task, app: app)
                }
            }
        }
        loops.withLockedValue { $0 = started }
    }

    /// Runs one task now, on this instance, recording its figures (tests and the loops use it).
    func runOnce(_ task: BackgroundTask, app: Application) async {
        statuses.withLockedValue { $0[task.name]?.running = true }
        let started = ContinuousClock.now
        var failure: String?
        do {
            try await task.run(app)
        } catch {
            failure = String(describing: error)
            app.logger.warning("background task \(task.name) failed: \(failure ?? "")")
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        statuses.withLockedValue { s in
            s[task.name]?.running = false
            s[task.name]?.runs += 1
            s[task.name]?.lastRunAt = Date()
            s[task.name]?.lastDurationSeconds = seconds
            s[task.name]?.lastError = failure
            if failure != nil { s[task.name]?.failures += 1 }
        }
        if let m = metrics?.registry {
            m.makeCounter(name: "ioc_background_runs_total", labels: [("task", task.name)], help: "Background task runs").increment()
            if failure != nil {
                m.makeCounter(name: "ioc_background_failures_total", labels: [("task", task.name)], help: "Background task runs that failed").increment()
            }
            m.makeGauge(name: "ioc_background_last_run_timestamp_seconds", labels: [("task", task.name)], help: "When the task last ran (Unix time)")
                .set(Date().timeIntervalSince1970)
            m.makeGauge(name: "ioc_background_last_duration_seconds", labels: [("task", task.name)], help: "How long the task's last run took")
                .set(seconds)
        }
    }

    /// Runs the named task now (tests).
    func runNow(_ name: String, app: Application) async {
        guard let task = tasks.first(where: { $0.name == name }) else { return }
        await runOnce(task, app: app)
    }

    /// Stops the loops (waiting for a run in progress to finish, up to `grace`) and gives up the leadership. Never waits
    /// longer than `grace` for the loops, whatever a task is stuck on: a run still going is left cancelled behind.
    func stop(grace: Duration = .seconds(10)) async {
        let running = loops.withLockedValue { l in defer { l = [] }; return l }
        for t in running { t.cancel() }
        let finished = await completes(within: grace) { for t in running { await t.value } }
        if !finished {
            let stuck = statuses.withLockedValue { $0.values.filter(\.running).map(\.name) }.sorted()
            Logger(label: "ioc.background").warning("background tasks still running after the grace period: \(stuck.joined(separator: ", "))")
        }
        await leadership.stop(grace: grace)
    }
}

/// Waits for `operation` for at most `limit`: true when it finished, false when the time ran out (the operation is then
/// cancelled and left to end on its own; nobody waits for it). Shutdown paths use it so that no await is unbounded.
func completes(within limit: Duration, _ operation: @escaping @Sendable () async -> Void) async -> Bool {
    let slot = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(nil)
    let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        slot.withLockedValue { $0 = continuation }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if let c = slot.withLockedValue({ s in defer { s = nil }; return s }) {
                work.withLockedValue { $0 }?.cancel()
                c.resume(returning: false)
            }
        }
        work.withLockedValue {
            $0 = Task {
                await operation()
                if let c = slot.withLockedValue({ s in defer { s = nil }; return s }) {
                    timer.cancel()
                    c.resume(returning: true)
                }
            }
        }
    }
}

/// Who runs singleton tasks.
final class Leadership: Sendable {
    enum Backend: Sendable {
        /// One instance on its own database file: always the leader.
        case solo
        /// PostgreSQL: the instance whose session holds the advisory lock `key`.
        case postgres(SQLPostgresConfiguration, key: Int64)
    }

    let backend: Backend
    /// How often a follower tries to take the lock, and the leader checks that its session is alive.
    let retry: Duration
    private let leader = NIOLockedValueBox(false)
    private let loop = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// The loop's current database session, so that `stop` can close it under a query that would otherwise wait.
    private let session = NIOLockedValueBox<PostgresConnection?>(nil)
    private let onChange: @Sendable (Bool) -> Void

    init(_ backend: Backend, retry: Duration = .seconds(2), onChange: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.backend = backend
        self.retry = retry
        self.onChange = onChange
        if case .solo = backend { leader.withLockedValue { $0 = true } }
    }

    var isLeader: Bool { leader.withLockedValue { $0 } }
    var kind: String {
        if case .solo = backend { return "solo" }
        return "postgres-advisory-lock"
    }

    /// The lock key of a schema: tenants in different schemas of one database lead independently.
    static func key(schema: String?) -> Int64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in ("ioc.leader." + (schema ?? "public")).utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return Int64(bitPattern: h)
    }

    private func set(_ value: Bool) {
        let changed = leader.withLockedValue { old in defer { old = value }; return old != value }
        if changed { onChange(value) }
    }

    func start(app: Application) {
        guard case .postgres(let configuration, let key) = backend else { return }
        let logger = Logger(label: "ioc.leadership")
        let retry = self.retry
        let task = Task { [self] in
            while !Task.isCancelled {
                var open: PostgresConnection?
                do {
                    let c = try await PostgresConnection.connect(on: app.eventLoopGroup.next(), configuration: configuration.coreConfiguration,
                                                                 id: 2, logger: logger)
                    open = c
                    session.withLockedValue { $0 = c }
                    // Until the lock is ours: try, then wait. Once ours: check the session is alive at the same pace.
                    while !Task.isCancelled {
                        if !isLeader {
                            var got = false
                            for try await row in try await c.query("SELECT pg_try_advisory_lock(\(key)) AS got", logger: logger) {
                                got = try row.decode(Bool.self)
                            }
                            if got {
                                logger.info("this instance now runs the singleton background tasks")
                                set(true)
                            }
                        } else {
                            _ = try await c.query("SELECT 1", logger: logger).collect()
                        }
                        try await Task.sleep(for: retry)
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("leadership: database session lost, retrying: \(String(describing: error))") }
                }
                // A lost session has lost the lock with it.
                set(false)
                session.withLockedValue { $0 = nil }
                try? await open?.close()
                if Task.isCancelled { break }
                try? await Task.sleep(for: retry)
            }
        }
        loop.withLockedValue { $0 = task }
    }

    /// Ends the loop and its session (which releases the lock), waiting at most `grace` for the loop to finish.
    func stop(grace: Duration = .seconds(10)) async {
        guard let task = loop.withLockedValue({ l in defer { l = nil }; return l }) else { return }
        task.cancel()
        // Closing the session fails a query in flight at once, instead of letting the loop wait for its answer.
        if let c = session.withLockedValue({ s in defer { s = nil }; return s }) { let _: EventLoopFuture<Void> = c.close() }
        if !(await completes(within: grace, { await task.value })) {
            Logger(label: "ioc.leadership").warning("leadership loop did not end within the grace period")
        }
        set(false)
    }
}

/// Starts the runner when the application boots and stops it (gracefully) at shutdown.
struct BackgroundRunnerLifecycle: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard app.iocConfiguration.startsBackgroundRunner else { return }
        app.backgroundRunner.start(app: app, businessWork: app.iocConfiguration.backgroundWork)
    }

    func shutdownAsync(_ app: Application) async {
        await app.backgroundRunner.stop()
    }
}

extension Application {
    private struct RunnerKey: StorageKey { typealias Value = BackgroundRunner }

    var backgroundRunner: BackgroundRunner {
        get { storage[RunnerKey.self]! }
        set { storage[RunnerKey.self] = newValue }
    }
}
