import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The time every service judges by (deadlines, "today", trends, sweeps). Tests set it to walk across weekends and
/// holidays; in production it is the system's clock. Security timers (sessions, sign-in throttling) keep real time.
final class IOCClock: Sendable {
    private let fixed = NIOLockedValueBox<Date?>(nil)
    init(_ fixed: Date? = nil) { self.fixed.withLockedValue { $0 = fixed } }
    var now: Date { fixed.withLockedValue { $0 } ?? Date() }
    /// Fixes the time (nil: the system's clock again).
    func set(_ date: Date?) { fixed.withLockedValue { $0 = date } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = IOCClock }

    var clock: IOCClock {
        if let c = storage[ClockKey.self] { return c }
        let c = IOCClock()
        storage[ClockKey.self] = c
        return c
    }
}

extension Request {
    /// The application's clock's time.
    var now: Date { application.clock.now }
}
