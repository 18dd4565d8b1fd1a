import Fluent
import Foundation
import IOCCore
import Vapor

/// Cases, a platform primitive: a unit of work with a responsible agency, an SLA deadline on the working calendar,
/// escalation and a timeline. Field reports are cases; later services (incidents, escalated dossiers) open them too.
struct CasesModule: ServiceModule {
    var id: String { "cases" }
    /// Staff-only case events (agencies, deadlines); `cases.agency.<code>` per agency.
    static let topic = "cases"
    /// `cases.agency.<code>`: one agency's cases.
    static let agencyTopic = topic + ".agency."
    /// The public-safe subset of case events (no personal data), for the citizens' pages and the wall.
    static let publicTopic = "fieldreports"

    func migrations(_ app: Application) -> [any Migration] { [CreateCases(), AddCaseEventNoteEn()] }

    func boot(_ app: Application) throws {
        _ = app.caseDirectory
    }

    func routes(_ v1: APIBuilder, app: Application) throws {
        CasesController.register(v1)
    }

    func backgroundTasks(_ app: Application) -> [BackgroundTask] {
        [EscalationSweeper.task(seconds: app.iocConfiguration.sweepSeconds)]
    }

    func wall(_ wall: WallContributions.Builder) {
        // One case, full screen (a takeover during an incident).
        wall.view("case", order: 50, validate: { params, field, _ in
            _ = try CaseService.validCode(params["code"] ?? "", field: field)
        }, check: { params, field, db in
            let code = params["code"] ?? ""
            guard try await CaseModel.query(on: db).filter(\.$code == code).first() != nil else {
                throw IOCError.invalid(field, vi: "Không có phản ánh \(code).", en: "No case \(code).")
            }
        })
    }

    var liveTopics: [LiveTopicRule] {
        [LiveTopicRule("casesOfAgency", prefix: Self.agencyTopic, access: CasesController.readers, owner: .agency),
         LiveTopicRule("cases", prefix: Self.topic, access: CasesController.readers)]
    }

    var watchedTables: [String] {
        [CaseModel.schema, CaseEventModel.schema, CaseReporterModel.schema, AttachmentModel.schema]
    }
}
