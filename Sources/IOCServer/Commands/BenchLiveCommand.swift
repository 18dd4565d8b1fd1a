import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// `ioc bench live --url http://127.0.0.1:PORT --key ioc_… [--clients 500] [--rate 1000] [--batch 20] [--mode summary|raw]
/// [--seconds 10] [--server-pid PID]`: event-to-screen latency. N WebSocket clients subscribe to the wall's feed; a
/// source sends `rate` events a second through `POST /api/v1/events`, `batch` per request (a camera system or a SOC
/// forwards what it saw in the last few tens of milliseconds). Latency of an event = its receipt on a client − the
/// moment its ingest request was sent (so it includes the ingest and the commit).
/// - `--mode raw`: clients subscribe to `wall`, every entry (`rate` × `clients` messages a second, coalesced by the hub
///   into one frame per client every 25 ms);
/// - `--mode summary` (default): clients subscribe to `wall.summary`, one message per 50 ms carrying counts and the
///   range of journal ids it covers; each event's receipt is the first summary whose range holds its id.
/// Prints p50/p99, delivered/expected, and the server's CPU share when its pid is given.
struct BenchLiveCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "url", help: "Server base URL, e.g. http://127.0.0.1:8080") var url: String?
        @Option(name: "key", help: "An events source's API key (ioc apikey create --source bench --kind events)") var key: String?
        @Option(name: "display-key", help: "A wall display key for the screens (ioc apikey create --kind display --wall bench)") var displayKey: String?
        @Option(name: "clients", help: "WebSocket clients (default 500)") var clients: Int?
        @Option(name: "rate", help: "Events per second (default 1000)") var rate: Int?
        @Option(name: "batch", help: "Events per ingest request (default 20)") var batch: Int?
        @Option(name: "mode", help: "summary (default) | raw") var mode: String?
        @Option(name: "seconds", help: "Duration (default 10)") var seconds: Int?
        @Option(name: "server-pid", help: "The server's pid, to report its CPU share") var serverPID: Int?
    }

    var help: String { "Benchmark live delivery: event-to-screen latency at N clients and R events/s (run on a release build)" }

    final class Recorder: @unchecked Sendable {
        let lock = NIOLock()
        /// Send time per event number (raw mode) and per journal id (summary mode, known once the response arrives).
        var sentByNumber: [Int: UInt64] = [:]
        var sentByID: [Int64: UInt64] = [:]
        var latencies: [Double] = []
        var received = 0
        /// Summary mode: (first id, last id, receipt) per summary per client, resolved at the end.
        var ranges: [(Int64, Int64, UInt64)] = []
        /// Entries the server dropped for slow clients (the frames' `dropped`).
        var dropped = 0
        /// Ingest round trips (send → response), ms.
        var ingests: [Double] = []
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let base = signature.url, let key = signature.key else { throw CommandFailure("--url and --key are required") }
        let displayKey = signature.displayKey
        let clients = max(1, signature.clients ?? 500)
        let rate = max(1, signature.rate ?? 1000)
        let batch = max(1, min(1_000, signature.batch ?? 20))
        let seconds = max(1, signature.seconds ?? 10)
        let summary = (signature.mode ?? "summary") != "raw"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        // The source sends on a thread of its own: busy WebSocket clients must not delay its requests (that would be
        // counted as ingest latency).
        let publisherGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let http = HTTPClient(eventLoopGroupProvider: .shared(publisherGroup))
        let recorder = Recorder()
        guard let u = URL(string: base), let host = u.host, let port = u.port else { throw CommandFailure("bad --url") }
        var sockets: [WebSocket] = []
        let ready = NIOLockedValueBox(0)
        let topic = summary ? "wall.summary" : "wall"
        for _ in 0..<clients {
            let promise = group.next().makePromise(of: WebSocket.self)
            WebSocket.connect(scheme: "ws", host: host, port: port, path: "/api/v1/live",
                              headers: ["Authorization": "Bearer \(displayKey ?? key)"],
                              configuration: .init(maxFrameSize: 1 << 24), on: group) { ws in
                ws.onText { ws, text in
                    if text.contains("\"subscribed\"") { ready.withLockedValue { $0 += 1 }; return }
                    guard text.hasPrefix(#"{"type":"events""#) else { return }
                    let now = DispatchTime.now().uptimeNanoseconds
                    if summary {
                        // Each summary names the journal ids it covers. Key order inside an object is not fixed, but
                        // each summary has one of each key: the n-th firstId and the n-th lastId belong together.
                        let firsts = Self.numbers(after: Self.firstIdMarker, in: text), lasts = Self.numbers(after: Self.lastIdMarker, in: text)
                        let found: [(Int64, Int64, UInt64)] = zip(firsts, lasts).map { (Int64($0), Int64($1), now) }
                        recorder.lock.withLock { recorder.ranges.append(contentsOf: found) }
                        return
                    }
                    // Raw: each entry's title is "BENCH <number>" (counted once: in the Vietnamese title). A byte scan:
                    // Foundation's string search is too slow on Linux to keep up with 1,000 entries a second per client.
                    let numbers = Self.benchNumbers(text)
                    let dropped = Self.droppedCount(text)
                    let found: [Double] = recorder.lock.withLock {
                        numbers.compactMap { n in recorder.sentByNumber[n].map { Double(now - $0) / 1_000_000 } }
                    }
                    recorder.lock.withLock { recorder.received += found.count; recorder.latencies.append(contentsOf: found); recorder.dropped += dropped }
                }
                ws.send(#"{"type":"subscribe","topics":["\#(topic)"]}"#)
                promise.succeed(ws)
            }.whenFailure { promise.fail($0) }
            sockets.append(try await promise.futureResult.get())
        }
        while ready.withLockedValue({ $0 }) < clients { try await Task.sleep(for: .milliseconds(20)) }
        context.console.print("\(clients) clients subscribed to \(topic); sending \(rate) events/s in batches of \(batch) for \(seconds) s")
        let cpuBefore = signature.serverPID.flatMap(Self.cpuTicks)
        let started = DispatchTime.now().uptimeNanoseconds
        let requests = max(1, rate * seconds / batch)
        let requestRate = Double(rate) / Double(batch)
        let workers = min(64, max(2, Int(requestRate / 10)))
        let accepted = NIOLockedValueBox(0)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for w in 0..<workers {
                tasks.addTask {
                    var i = w
                    while i < requests {
                        let due = started + UInt64(Double(i) / requestRate * 1e9)
                        let now = DispatchTime.now().uptimeNanoseconds
                        if due > now { try await Task.sleep(nanoseconds: due - now) }
                        let numbers = (i * batch)..<((i + 1) * batch)
                        let events = numbers.map { n in
                            #"{"externalId":"bench-\#(started)-\#(n)","kind":"bench.tick","severity":"info","title":"BENCH \#(n)"}"#
                        }
                        var req = HTTPClientRequest(url: "\(base)/api/v1/events")
                        req.method = .POST
                        req.headers.add(name: "Authorization", value: "Bearer \(key)")
                        req.headers.add(name: "Content-Type", value: "application/json")
                        req.body = .bytes(ByteBuffer(string: #"{"events":[\#(events.joined(separator: ","))]}"#))
                        let sentAt = DispatchTime.now().uptimeNanoseconds
                        recorder.lock.withLock { for n in numbers { recorder.sentByNumber[n] = sentAt } }
                        let res = try await http.execute(req, timeout: .seconds(30))
                        let body = try await res.body.collect(upTo: 1 << 22)
                        let took = Double(DispatchTime.now().uptimeNanoseconds - sentAt) / 1_000_000
                        recorder.lock.withLock { recorder.ingests.append(took) }
                        if res.status.code < 300 {
                            accepted.withLockedValue { $0 += batch }
                            struct Out: Decodable { struct Item: Decodable { var id: Int64 }; var events: [Item] }
                            if let out = try? JSONDecoder().decode(Out.self, from: body) {
                                recorder.lock.withLock { for e in out.events { recorder.sentByID[e.id] = sentAt } }
                            }
                        }
                        i += workers
                    }
                }
            }
            try await tasks.waitForAll()
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let cpuAfter = signature.serverPID.flatMap(Self.cpuTicks)
        try await Task.sleep(for: .seconds(2))  // let the last frames arrive
        if summary {
            // Each client's first summary covering an id is that event's receipt on that client.
            recorder.lock.withLock {
                for (first, last, at) in recorder.ranges where first > 0 && last >= first {
                    for id in first...last {
                        if let t = recorder.sentByID[id] { recorder.latencies.append(Double(Int64(at) - Int64(t)) / 1_000_000); recorder.received += 1 }
                    }
                }
            }
        }
        let (lat, received) = recorder.lock.withLock { (recorder.latencies.sorted(), recorder.received) }
        func pct(_ q: Double) -> Double { lat.isEmpty ? .nan : lat[min(lat.count - 1, Int((Double(lat.count) * q).rounded(.up)) - 1)] }
        let events = accepted.withLockedValue { $0 }
        context.console.print(String(format: "RESULT live mode=%@ clients=%d events=%d in %.1f s (%.0f/s, %d per request) expected=%d received=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f",
                                     summary ? "summary" : "raw", clients, events, elapsed, Double(events) / elapsed, batch, events * clients, received,
                                     pct(0.5), pct(0.99), lat.last ?? .nan))
        let dropped = recorder.lock.withLock { recorder.dropped }
        if !summary { context.console.print("RESULT dropped_for_slow_clients=\(dropped)") }
        let ingests = recorder.lock.withLock { recorder.ingests.sorted() }
        if !ingests.isEmpty {
            context.console.print(String(format: "RESULT ingest round trip (send → committed response): p50_ms=%.1f p99_ms=%.1f over %d requests",
                                         ingests[ingests.count / 2], ingests[min(ingests.count - 1, Int(Double(ingests.count) * 0.99))], ingests.count))
        }
        if let a = cpuBefore, let b = cpuAfter {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            context.console.print(String(format: "RESULT server_cpu=%.0f%% of one core (%.0f%% of 2 cores) over %.1f s", (b - a) / ticks / elapsed * 100, (b - a) / ticks / elapsed * 50, elapsed))
        }
        for ws in sockets { try? await ws.close() }
        try await http.shutdown()
        try await group.shutdownGracefully()
        try await publisherGroup.shutdownGracefully()
    }

    static let marker = Array(#""vi":"BENCH "#.utf8)
    static let firstIdMarker = Array(#""firstId":"#.utf8)
    static let lastIdMarker = Array(#""lastId":"#.utf8)

    /// The numbers after each `"vi":"BENCH ` in a frame.
    static func benchNumbers(_ text: String) -> [Int] { numbers(after: marker, in: text) }

    /// The numbers after each occurrence of `m` in `text` (a byte scan: Foundation's string search is slow on Linux).
    static func numbers(after m: [UInt8], in text: String) -> [Int] {
        var out: [Int] = []
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            let end = bytes.count - m.count
            while i <= end {
                if bytes[i] == m[0] {
                    var j = 1
                    while j < m.count && bytes[i + j] == m[j] { j += 1 }
                    if j == m.count {
                        var k = i + m.count, n = 0
                        while k < bytes.count, bytes[k] >= 48, bytes[k] <= 57 { n = n * 10 + Int(bytes[k] - 48); k += 1 }
                        out.append(n)
                        i = k
                        continue
                    }
                }
                i += 1
            }
        }
        return out
    }

    /// The frame's `"dropped":N`, if any (it is at the end of the frame).
    static func droppedCount(_ text: String) -> Int {
        guard let r = text.range(of: #""dropped":"#, options: .backwards) else { return 0 }
        return Int(text[r.upperBound...].prefix { $0.isNumber }) ?? 0
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
