extension WorkingCalendar {
    /// A wall-clock time of day, to the second; 24:00 is allowed as the end of a session.
    public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
        /// Seconds since local midnight, 0…86 400.
        public let secondsSinceMidnight: Int

        /// Creates a time; 24:00 is the largest allowed.
        public init(hour: Int, minute: Int = 0, second: Int = 0) {
            let total = hour * 3600 + minute * 60 + second
            precondition(
                (0...59).contains(minute) && (0...59).contains(second) && (0...86_400).contains(total),
                "Invalid time of day \(hour):\(minute):\(second)")
            self.secondsSinceMidnight = total
        }

        /// Hour, 0…24.
        public var hour: Int { secondsSinceMidnight / 3600 }
        /// Minute, 0…59.
        public var minute: Int { secondsSinceMidnight % 3600 / 60 }
        /// Second, 0…59.
        public var second: Int { secondsSinceMidnight % 60 }

        /// `"HH:mm"` (with `":ss"` when seconds are not zero).
        public var description: String {
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            return two(hour) + ":" + two(minute) + (second == 0 ? "" : ":" + two(second))
        }

        public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
            lhs.secondsSinceMidnight < rhs.secondsSinceMidnight
        }
    }

    /// The office periods of a working day.
    ///
    /// There is no national timetable: Quyết định 188/1999/QĐ-TTg fixes a 40-hour, Monday–Friday
    /// week and each province sets its hours. The default (`civilService`) is the common schedule
    /// 07:30–11:30 and 13:00–17:00 (8 hours).
    public struct OfficeHours: Sendable, Hashable, Codable {
        /// One continuous office period.
        public struct Session: Sendable, Hashable, Codable {
            /// First second of the session.
            public let start: TimeOfDay
            /// End of the session (excluded).
            public let end: TimeOfDay

            /// Creates a session; `end` must be after `start`.
            public init(start: TimeOfDay, end: TimeOfDay) {
                precondition(start < end, "An office session must end after it starts")
                self.start = start
                self.end = end
            }
        }

        /// Sessions in time order, not overlapping.
        public let sessions: [Session]

        /// Creates office hours from sessions in time order that do not overlap.
        public init(sessions: [Session]) {
            precondition(!sessions.isEmpty, "Office hours need at least one session")
            for (a, b) in zip(sessions, sessions.dropFirst()) {
                precondition(a.end <= b.start, "Office sessions must be in order and not overlap")
            }
            self.sessions = sessions
        }

        /// 07:30–11:30 and 13:00–17:00.
        public static let civilService = OfficeHours(sessions: [
            Session(start: TimeOfDay(hour: 7, minute: 30), end: TimeOfDay(hour: 11, minute: 30)),
            Session(start: TimeOfDay(hour: 13), end: TimeOfDay(hour: 17)),
        ])

        /// Start of the first session.
        public var opening: TimeOfDay { sessions[0].start }
        /// End of the last session ("hết giờ làm việc").
        public var closing: TimeOfDay { sessions[sessions.count - 1].end }

        /// Office seconds in one working day.
        public var secondsPerDay: Int {
            sessions.reduce(0) { $0 + $1.end.secondsSinceMidnight - $1.start.secondsSinceMidnight }
        }

        /// Whether a second of the day lies inside a session (start included, end excluded).
        public func contains(secondOfDay: Double) -> Bool {
            sessions.contains {
                Double($0.start.secondsSinceMidnight) <= secondOfDay
                    && secondOfDay < Double($0.end.secondsSinceMidnight)
            }
        }

        /// Office seconds of a working day that lie before `secondOfDay`.
        func officeSeconds(before secondOfDay: Double) -> Double {
            var total = 0.0
            for session in sessions {
                let start = Double(session.start.secondsSinceMidnight)
                let end = Double(session.end.secondsSinceMidnight)
                if secondOfDay <= start { break }
                total += min(secondOfDay, end) - start
            }
            return total
        }

        /// The second of the day at which `officeSeconds` (0 < value < `secondsPerDay`) of office time
        /// have passed. At a session boundary `earliest` picks the end of the earlier session
        /// (11:30), otherwise the start of the next (13:00).
        func secondOfDay(afterOfficeSeconds officeSeconds: Double, earliest: Bool) -> Double {
            var passed = 0.0
            for session in sessions {
                let start = Double(session.start.secondsSinceMidnight)
                let length = Double(session.end.secondsSinceMidnight) - start
                let remaining = officeSeconds - passed
                if earliest ? remaining <= length : remaining < length { return start + remaining }
                passed += length
            }
            return Double(closing.secondsSinceMidnight)
        }
    }
}
