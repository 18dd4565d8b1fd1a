import Foundation
import NIOConcurrencyHelpers
import Vapor

/// SplitMix64: small, fast and deterministic.
struct DemoRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x1234_5678 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension BackgroundTask {
    /// A module's part of the demo simulator (`IOC_SIMULATOR`, only while serving): `step` every `interval` seconds
    /// on average (±50 %), on the leading instance.
    static func demoSimulator(_ name: String, app: Application, step: @escaping @Sendable (Application, inout DemoRandom) async throws -> Void) -> [BackgroundTask] {
        let c = app.iocConfiguration
        // Only while serving: a data command (demo, import) must not race the simulator.
        guard c.simulator, CommandLine.arguments.dropFirst().first == "serve" else { return [] }
        let rng = NIOLockedValueBox(DemoRandom(seed: UInt64(Date().timeIntervalSince1970) &+ UInt64(name.utf8.count)))
        return [BackgroundTask(name, mode: .singleton, every: .milliseconds(Int64(c.simulatorSeconds * 1000)), jitter: 1) { app in
            var local = rng.withLockedValue { $0 }
            do {
                try await step(app, &local)
            } catch {
                app.logger.debug("demo simulator \(name) failed: \(String(describing: error))")
            }
            rng.withLockedValue { $0 = local }
        }]
    }
}
