import Fluent
import Foundation
import Vapor

/// One year's framework (and its assessment cycle): the tree, frozen once an agency has entered a value, and the
/// cycle's state (open → published).
final class DTIFrameworkModel: Model, @unchecked Sendable {
    static let schema = "dti_frameworks"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "year") var year: Int
    /// department | commune | province
    @Field(key: "subject") var subject: String
    /// The whole `DTIFramework` as JSON (the tree and the levels).
    @Field(key: "definition") var definition: String
    /// The assessing agency (Sở KH&CN): its officers review and publish.
    @Field(key: "assessor") var assessor: String
    /// The period the measured sub-indices cover, `yyyy-MM-dd` inclusive.
    @Field(key: "period_from") var periodFrom: String
    @Field(key: "period_to") var periodTo: String
    /// Submissions are due by the end of this day (`yyyy-MM-dd`).
    @OptionalField(key: "deadline") var deadline: String?
    /// Last year's framework (ranks and values compared with it).
    @OptionalField(key: "previous") var previous: String?
    /// The agencies assessed (codes, comma-separated); nil: every active agency of the subject's kind.
    @OptionalField(key: "participants") var participants: String?
    /// open | published
    @Field(key: "status") var status: String
    /// The latest published version of the results (0: none).
    @Field(key: "results_version") var resultsVersion: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String
    @OptionalField(key: "published_at") var publishedAt: Date?
    init() {}
}

/// An agency's self-assessment under a framework, with the reviewers' adjustments and the agency's answer.
final class DTIAssessmentModel: Model, @unchecked Sendable {
    static let schema = "dti_assessments"
    @ID(key: .id) var id: UUID?
    @Field(key: "framework") var framework: String
    @Field(key: "agency") var agency: String
    /// draft | submitted | reviewed | answered
    @Field(key: "status") var status: String
    /// `{code: value}` as JSON.
    @Field(key: "values") var values: String
    /// `{code: note}` as JSON.
    @Field(key: "notes") var notes: String
    /// `{code: [url]}` as JSON.
    @Field(key: "links") var links: String
    /// `{code: Override}` as JSON: the reviewers' points.
    @Field(key: "overrides") var overrides: String
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "submitted_by") var submittedBy: String?
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "updated_by") var updatedBy: String
    init() {}
}

/// A file an agency attaches as evidence for a sub-index.
final class DTIEvidenceModel: Model, @unchecked Sendable {
    static let schema = "dti_evidence"
    @ID(key: .id) var id: UUID?
    @Field(key: "framework") var framework: String
    @Field(key: "agency") var agency: String
    @Field(key: "criterion") var criterion: String
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    /// Shown on the public ranking once the results are published.
    @Field(key: "is_public") var isPublic: Bool
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Date
    init() {}
}

/// A published version of a framework's results (frozen; a correction is a new version).
final class DTIResultsModel: Model, @unchecked Sendable {
    static let schema = "dti_results"
    @ID(key: .id) var id: UUID?
    @Field(key: "framework") var framework: String
    @Field(key: "version") var version: Int
    /// `DTIResults` as JSON.
    @Field(key: "body") var body: String
    @Field(key: "published_at") var publishedAt: Date
    @Field(key: "published_by") var publishedBy: String
    @OptionalField(key: "reason") var reason: String?
    init() {}
}
