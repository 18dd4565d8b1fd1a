import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// `ioc bench live --url http://127.0.0.1:PORT --key ioc_… [--clients 500] [--rate 1000] [--seconds 10] [--server-pid PID]`:
/// event-to-screen latency. N WebSocket clients subscribe to `publicservices`; a publisher ingests one dossier per
/// request at the given rate through the public API; each client notes when the event of each ingest arrives.
/// Latency = receipt − the moment the ingest request was sent (so it includes the ingest itself). Prints p50/p99,
/// delivered/expected messages, and the server's CPU share when its pid is given.
struct BenchLiveCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "url", help: "Server base URL, e.g. http://127.0.0.1:8080") var url: String?
        @Option(name: "key", help: "A source API key (ioc apikey create --source bench)") var key: String?
        @Option(name: "clients", help: "WebSocket clients (default 500)") var clients: Int?
        @Option(name: "rate", help: "Ingests (events) per second (default 1000)") var rate: Int?
        @Option(name: "seconds", help: "Duration (default 10)") var seconds: Int?
        @Option(name: "server-pid", help: "The server's pid, to report its CPU share") var serverPID: Int?
    }

    var help: String { "Benchmark live delivery: event-to-screen latency at N clients and R events/s (run on a release build)" }

    final class Recorder: @unchecked Sendable {
        let lock = NIOLock()
        var sent: [String: UInt64] = [:]
        var latencies: [Double] = []
        var received = 0
        func sentAt(_ code: String) -> UInt64? { lock.withLock { sent[code] } }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let base = signature.url, let key = signature.key else { throw CommandFailure("--url and --key are required") }
        let clients = max(1, signature.clients ?? 500)
        let rate = max(1, signature.rate ?? 1000)
        let seconds = max(1, signature.seconds ?? 10)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let http = HTTPClient(eventLoopGroupProvider: .shared(group))
        let recorder = Recorder()
        guard let u = URL(string: base), let host = u.host, let port = u.port else { throw CommandFailure("bad --url") }
        var sockets: [WebSocket] = []
        let ready = NIOLockedValueBox(0)
        for _ in 0..<clients {
            let promise = group.next().makePromise(of: WebSocket.self)
            WebSocket.connect(scheme: "ws", host: host, port: port, path: "/api/v1/live", query: "key=\(key)", on: group) { ws in
                ws.onText { ws, text in
                    if text.contains("\"subscribed\"") { ready.withLockedValue { $0 += 1 }; return }
                    guard text.hasPrefix(#"{"type":"events""#) else { return }
                    let now = DispatchTime.now().uptimeNanoseconds
                    // Each event of the frame carries the first dossier code of its ingest.
                    var found: [Double] = []
                    var rest = Substring(text)
                    while let r = rest.range(of: #""first":""#) {
                        rest = rest[r.upperBound...]
                        guard let end = rest.firstIndex(of: "\"") else { break }
                        let code = String(rest[..<end])
                        if let t = recorder.sentAt(code) { found.append(Double(now - t) / 1_000_000) }
                    }
                    recorder.lock.withLock { recorder.received += found.count; recorder.latencies.append(contentsOf: found) }
                }
                ws.send(#"{"type":"subscribe","topics":["publicservices"]}"#)
                promise.succeed(ws)
            }.whenFailure { promise.fail($0) }
            sockets.append(try await promise.futureResult.get())
        }
        while ready.withLockedValue({ $0 }) < clients { try await Task.sleep(for: .milliseconds(20)) }
        context.console.print("\(clients) clients subscribed; publishing \(rate) ingests/s for \(seconds) s")
        let cpuBefore = signature.serverPID.flatMap(Self.cpuTicks)
        let started = DispatchTime.now().uptimeNanoseconds
        let total = rate * seconds
        let workers = min(64, max(4, rate / 50))
        let accepted = NIOLockedValueBox(0)
        let day = ISO8601.format(Date())
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for w in 0..<workers {
                tasks.addTask {
                    var i = w
                    while i < total {
                        let due = started + UInt64(Double(i) / Double(rate) * 1e9)
                        let now = DispatchTime.now().uptimeNanoseconds
                        if due > now { try await Task.sleep(nanoseconds: due - now) }
                        let code = "BENCH-\(started)-\(i)"
                        let body = #"[{"code":"\#(code)","procedureCode":"1.001","procedureName":"Đăng ký khai sinh","agencyCode":"UBND-24133","channel":"online","limit":{"value":1,"unit":"workingDays"},"receivedAt":"\#(day)","status":2}]"#
                        var req = HTTPClientRequest(url: "\(base)/api/v1/public-services/dossiers")
                        req.method = .POST
                        req.headers.add(name: "Authorization", value: "Bearer \(key)")
                        req.headers.add(name: "Content-Type", value: "application/json")
                        req.body = .bytes(ByteBuffer(string: body))
                        recorder.lock.withLock { recorder.sent[code] = DispatchTime.now().uptimeNanoseconds }
                        let res = try await http.execute(req, timeout: .seconds(30))
                        _ = try await res.body.collect(upTo: 1 << 20)
                        if res.status.code < 300 { accepted.withLockedValue { $0 += 1 } }
                        i += workers
                    }
                }
            }
            try await tasks.waitForAll()
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        try await Task.sleep(for: .seconds(2))  // let the last frames arrive
        let cpuAfter = signature.serverPID.flatMap(Self.cpuTicks)
        let (lat, received) = recorder.lock.withLock { (recorder.latencies.sorted(), recorder.received) }
        func pct(_ q: Double) -> Double { lat.isEmpty ? .nan : lat[min(lat.count - 1, Int((Double(lat.count) * q).rounded(.up)) - 1)] }
        let ingested = accepted.withLockedValue { $0 }
        context.console.print(String(format: "RESULT live clients=%d ingests=%d in %.1f s (%.0f/s) expected_msgs=%d received_msgs=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f",
                                     clients, ingested, elapsed, Double(ingested) / elapsed, ingested * clients, received, pct(0.5), pct(0.99), lat.last ?? .nan))
        if let a = cpuBefore, let b = cpuAfter {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            context.console.print(String(format: "RESULT server_cpu=%.0f%% of one core (%.0f%% of 2 cores) over %.1f s", (b - a) / ticks / elapsed * 100, (b - a) / ticks / elapsed * 50, elapsed))
        }
        for ws in sockets { try? await ws.close() }
        try await http.shutdown()
        try await group.shutdownGracefully()
    }

    /// utime + stime of a process, in clock ticks.
    static func cpuTicks(_ pid: Int) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return u + s
    }
}
