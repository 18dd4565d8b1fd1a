import Fluent
import Foundation
import IOCCore
import Vapor

/// A time series a module answers from its own data — a station's observations, its hourly AQI, an indicator's values
/// per commune, a count of events per commune — so that alert rules (the warnings service, and later ones) watch any
/// service's figures without naming it. A module declares its series (`ServiceModule.series`); rules name a source by
/// `key` and read `app.modules.series`.
struct SeriesSource: Sendable {
    /// What a rule watches within a source: a station, a commune, an agency.
    struct Subject: Content, Sendable, Equatable {
        var code: String
        var name: String
        /// The commune it lies in (alarms and proposed warnings go to it).
        var unitCode: String?
        var lat: Double?
        var lon: Double?
        /// Named thresholds of this subject (a water station's official alarm levels `1`, `2`, `3`), which a rule may
        /// use instead of a number.
        var levels: [String: Double] = [:]
    }

    /// A figure of the source (`pm25`, `water_level`, an indicator code, an event kind).
    struct Parameter: Content, Sendable, Equatable {
        var code: String
        var name: LocalizedMessage
        var unit: String
    }

    /// `<module>.<series>`, e.g. `environment.observation`.
    var key: String
    var name: LocalizedMessage
    var parameters: @Sendable (_ app: Application, _ db: any Database) async throws -> [Parameter]
    /// The subjects that have `parameter` (all of them: a rule fans out over each).
    var subjects: @Sendable (_ app: Application, _ db: any Database, _ parameter: String) async throws -> [Subject]
    /// The points of one subject in `[from, to]`, any order.
    var points: @Sendable (_ app: Application, _ db: any Database, _ subject: String, _ parameter: String, _ from: Date, _ to: Date) async throws -> [SeriesPoint]
}

extension ServiceModules {
    /// Every series a module answers, by key.
    var series: [String: SeriesSource] {
        Dictionary(all.flatMap(\.series).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
