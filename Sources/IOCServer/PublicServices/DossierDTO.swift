import Foundation
import IOCCore
import Vapor

/// One dossier as an integration source sends it (`POST /api/v1/public-services/dossiers`). Every field is optional
/// at the decoding stage so that a bad item is reported with its reason instead of failing the whole batch.
struct DossierInput: Decodable, Sendable {
    struct Limit: Decodable, Sendable {
        var value: Int?
        var unit: String?
    }

    struct HistoryEntry: Decodable, Sendable {
        var status: Int?
        var at: Date?
    }

    struct Supplement: Decodable, Sendable {
        var requestedAt: Date?
        var completedAt: Date?
    }

    var code: String?
    var procedureCode: String?
    var procedureName: String?
    var agencyCode: String?
    var unitCode: String?
    var channel: String?
    var onlineLevel: String?
    var limit: Limit?
    var receivedAt: Date?
    var dueAt: Date?
    var status: Int?
    var history: [HistoryEntry]?
    var supplements: [Supplement]?
    var finishedAt: Date?
    var returnedAt: Date?
    var paidOnline: Bool?
    var digitized: Bool?
    var eResult: Bool?
    var apologyIssued: Bool?
}

/// Decodes one array element, keeping the decoding error instead of throwing it.
struct LossyDossier: Decodable, Sendable {
    var value: DossierInput?
    var error: ValidationFailure?

    init(value: DossierInput?, error: ValidationFailure?) {
        self.value = value
        self.error = error
    }

    init(from decoder: any Decoder) throws {
        do {
            value = try DossierInput(from: decoder)
        } catch let e as DecodingError {
            let p = ProblemMiddleware.decodingProblem(e)
            // The item's index is reported separately: drop the "[n]." prefix of the path.
            var field = p.field ?? ""
            if field.hasPrefix("["), let close = field.firstIndex(of: "]") {
                field = String(field[field.index(after: close)...].drop(while: { $0 == "." }))
            }
            error = ValidationFailure(field: field, vi: p.message.vi, en: p.message.en)
        }
    }
}

/// The answer to a batch: what happened to each item, in order.
struct IngestResult: Content {
    struct Item: Content {
        var index: Int
        var code: String?
        /// created | updated | unchanged | rejected
        var result: String
        var field: String?
        var messages: LocalizedMessage?
    }

    var accepted: Int
    var rejected: Int
    var created: Int
    var updated: Int
    var unchanged: Int
    var items: [Item]
}

/// A dossier as the API shows it, with its computed deadline and timeliness.
struct DossierView: Content {
    struct Limit: Content {
        var value: Int
        var unit: String
    }

    struct HistoryEntry: Content {
        var status: Int
        var at: Date
        var statusName: LocalizedMessage?
    }

    struct Supplement: Content {
        var requestedAt: Date
        var completedAt: Date?
    }

    var code: String
    var procedureCode: String
    var procedureName: String
    var agencyCode: String
    var agencyName: String?
    var unitCode: String?
    var channel: String
    var onlineLevel: String?
    var limit: Limit?
    var receivedAt: Date
    var effectiveReceivedAt: Date
    var dueAt: Date?
    var dueSource: String
    var status: Int
    var statusName: LocalizedMessage
    var history: [HistoryEntry]
    var supplements: [Supplement]
    var finishedAt: Date?
    var returnedAt: Date?
    var endOfProcessingAt: Date?
    var paidOnline: Bool?
    var digitized: Bool?
    var eResult: Bool?
    var apologyIssued: Bool?
    var asOf: Date
    var timeliness: String
    var timelinessName: LocalizedMessage
    var daysLate: Int
}
