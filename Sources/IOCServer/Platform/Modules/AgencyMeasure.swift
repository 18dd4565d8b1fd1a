import Foundation
import IOCCore
import Vapor

/// A figure of each agency that IOC measures from its own data over a period — the share of dossiers received online,
/// of field reports handled on time… A module declares the figures its data answers (`ServiceModule.measures`);
/// whoever needs them (the DTI's measured sub-indices) reads `app.modules.measures` and never names the module.
struct AgencyMeasure: Sendable {
    /// `<module>.<figure>`, e.g. `publicservices.onlineShare`.
    var key: String
    var name: LocalizedMessage
    /// How the figure is computed, in words: shown as the evidence of a measured sub-index.
    var definition: LocalizedMessage
    /// The figure per agency code (agencies without data are absent).
    var compute: @Sendable (_ req: Request, _ period: MeasurePeriod) async throws -> [String: MeasuredFigure]
}

/// The period a figure covers: `[from, to)`, judged at `asOf` (the period's end, or now when earlier).
struct MeasurePeriod: Sendable {
    var from: Date
    var to: Date
    var asOf: Date
    /// The agencies asked for.
    var agencies: [String]
}

/// A percentage with the counts it comes from.
struct MeasuredFigure: Content, Sendable, Hashable {
    /// 0–100, two decimals.
    var value: Double
    var numerator: Int
    var denominator: Int

    /// nil when nothing was counted (no figure, rather than 0 %).
    init?(_ numerator: Int, of denominator: Int) {
        guard denominator > 0 else { return nil }
        self.numerator = numerator
        self.denominator = denominator
        value = DTIScoring.round(Double(numerator) * 100 / Double(denominator), places: 2)
    }
}
