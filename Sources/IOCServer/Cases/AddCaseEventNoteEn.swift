import Fluent
import SQLKit

/// The English text of a note the system writes on a case (received and routed, deadline approaching, merged, rated…):
/// `note` keeps the Vietnamese and `note_en` the English, so every reader sees one language (issue 18, point 6).
/// Notes people write stay as typed. System notes stored before, as "vi / en" in one column, are split.
struct AddCaseEventNoteEn: AsyncMigration {
    /// Event types whose notes the system wrote (never a person's words).
    static let systemTypes = ["created", "warned", "breached", "auto_closed", "merged", "rated", "rejected", "extension_approved"]

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseEventModel.schema).field("note_en", .string).update()
        let events = try await CaseEventModel.query(on: database)
            .filter(\.$type ~~ Self.systemTypes).filter(\.$note != nil).all()
        for e in events {
            guard let note = e.note, let split = Self.split(note, type: e.type) else { continue }
            e.note = split.vi
            e.noteEn = split.en
            try await e.save(on: database)
        }
    }

    /// "Tiếp nhận; dự kiến chuyển X / Received; routed to Y" → ("Tiếp nhận; dự kiến chuyển X", "Received; routed to Y");
    /// the last " / " separates them (a Vietnamese agency name may contain "/", an English one after it rarely does).
    static func split(_ note: String, type: String) -> (vi: String, en: String)? {
        switch type {
        // A person's reason may follow: only the system's own words are split.
        case "rejected": return note == "Không thuộc thẩm quyền / Not our remit" ? ("Không thuộc thẩm quyền", "Not our remit") : nil
        case "extension_approved":
            let prefix = "Gia hạn đến / Extended to "
            guard note.hasPrefix(prefix) else { return nil }
            let rest = note.dropFirst(prefix.count)
            return ("Gia hạn đến \(rest)", "Extended to \(rest)")
        default: break
        }
        guard let r = note.range(of: " / ", options: .backwards) else { return nil }
        let vi = String(note[..<r.lowerBound]), en = String(note[r.upperBound...])
        return vi.isEmpty || en.isEmpty ? nil : (vi, en)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseEventModel.schema).deleteField("note_en").update()
    }
}
