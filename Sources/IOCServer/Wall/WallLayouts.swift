import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// A video wall: a grid of screens (table `walls`).
final class WallModel: Model, @unchecked Sendable {
    static let schema = "walls"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "rows") var rows: Int
    @Field(key: "cols") var cols: Int
    init() {}
}

/// What one screen of a wall shows (table `wall_screens`): a view, an optional rotation, an operator's takeover.
final class WallScreenModel: Model, @unchecked Sendable {
    static let schema = "wall_screens"
    @ID(key: .id) var id: UUID?
    @Field(key: "wall_code") var wallCode: String
    @Field(key: "idx") var index: Int
    @Field(key: "view_json") var viewJSON: String
    @OptionalField(key: "rotation_json") var rotationJSON: String?
    @OptionalField(key: "takeover_json") var takeoverJSON: String?
    @OptionalField(key: "takeover_by") var takeoverBy: String?
    @OptionalField(key: "takeover_at") var takeoverAt: Date?
    @Field(key: "version") var version: Int
    init() {}
}

struct CreateWalls: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WallModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("rows", .int, .required)
            .field("cols", .int, .required)
            .create()
        try await database.schema(WallScreenModel.schema)
            .id()
            .field("wall_code", .string, .required, .references(WallModel.schema, "code", onDelete: .cascade))
            .field("idx", .int, .required)
            .field("view_json", .string, .required)
            .field("rotation_json", .string)
            .field("takeover_json", .string)
            .field("takeover_by", .string)
            .field("takeover_at", .datetime)
            .field("version", .int, .required)
            .unique(on: "wall_code", "idx")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WallScreenModel.schema).delete()
        try await database.schema(WallModel.schema).delete()
    }
}

/// A screen's view: what to show and with which parameters.
struct WallView: Content, Sendable, Equatable {
    /// A kind a module registered (`GET /api/v1/settings/ui` lists them as `wallViews`).
    var kind: String
    var params: [String: String]?

    /// Checks the kind (registered by a module) and its parameters.
    func validated(field: String, wall: WallContributions) throws -> WallView {
        guard let registered = wall.viewKind(kind) else {
            let kinds = wall.viewKinds.joined(separator: ", ")
            throw IOCError.invalid(field, vi: "Loại màn hình phải là một trong: \(kinds).", en: "view.kind must be one of: \(kinds).")
        }
        let p = params ?? [:]
        guard p.count <= 10, p.allSatisfy({ $0.key.count <= 40 && $0.value.count <= 300 && !$0.value.contains("\u{0}") }) else {
            throw IOCError.invalid(field, vi: "Tham số màn hình không hợp lệ.", en: "Invalid view parameters.")
        }
        try registered.validate?(p, field, wall)
        return WallView(kind: kind, params: p.isEmpty ? nil : p)
    }
}

struct WallRotationItem: Content, Sendable, Equatable {
    var view: WallView
    var seconds: Int
}

enum WallLayoutController {
    static func register(_ api: APIBuilder) {
        let w = api.group("walls", tag: "Wall")
        let editors: Access = .roles([.admin, .operator])
        w.on(.GET, access: WallController.readers, summary: "Walls with their screens", response: .any, use: list)
        w.on(.PUT, ":wall", access: .admin, summary: "Create or change a wall (name, rows × cols)",
             body: .object(["name": .string, "rows": .integer, "cols": .integer], required: ["name", "rows", "cols"]), response: .any, use: putWall)
        w.on(.GET, ":wall", "screens", ":index", access: WallController.readers, summary: "What a screen shows (view, rotation, takeover, version)",
             response: .any, use: screen)
        w.on(.PUT, ":wall", "screens", ":index", access: editors, summary: "Assign a view and an optional rotation to a screen",
             body: .object(["view": .any, "rotation": .nullable(.array(.any))], required: ["view"]), response: .any, use: assign)
        w.on(.POST, ":wall", "screens", ":index", "takeover", access: editors, summary: "Take over a screen (show an incident) until released",
             body: .object(["view": .any], required: ["view"]), response: .any, use: takeover)
        w.on(.DELETE, ":wall", "screens", ":index", "takeover", access: editors, summary: "Release a taken-over screen", response: .any, use: release)
        w.on(.POST, ":wall", "display-key", access: .admin, summary: "A display key for the wall's kiosk screens (replaces the previous one)",
             response: .any, status: .created, use: displayKey)
        let d = api.group("display", tag: "Wall")
        d.on(.POST, "session", access: .rolesOrSource([], kinds: [.display]),
             summary: "A kiosk exchanges its display key (bearer) for an HttpOnly cookie, so the key leaves the address bar",
             response: .object(["wall": .string, "url": .string], required: ["wall", "url"]), use: exchange)
    }

    /// The display cookie lasts 30 days; a new display key for the wall ends it (the old key's hash is replaced).
    static let displayCookieSeconds = 30 * 86_400

    @Sendable static func exchange(_ req: Request) async throws -> Response {
        guard case .source(let s)? = req.principal, let wall = s.wall, let token = req.headers.bearerAuthorization?.token else {
            throw IOCError.forbidden
        }
        let response = Response(status: .ok)
        try response.content.encode(["wall": wall, "url": "/wall/\(wall)/1"], as: .json)
        response.cookies[SessionSettings.displayCookieName] = HTTPCookies.Value(
            string: token, expires: nil, maxAge: displayCookieSeconds, domain: nil, path: "/",
            isSecure: req.application.iocConfiguration.cookiesAreSecure, isHTTPOnly: true, sameSite: .strict)
        return response
    }

    struct ScreenDTO: Content {
        var wall: String
        /// The wall's name, for the kiosk's header (never the code).
        var wallName: String?
        var index: Int
        var view: WallView
        var rotation: [WallRotationItem]?
        var takeover: Takeover?
        var version: Int
        struct Takeover: Content { var view: WallView; var by: String?; var at: Date? }
    }

    struct WallDTO: Content {
        var code: String
        var name: String
        var rows: Int
        var cols: Int
        var screens: [ScreenDTO]
    }

    static func dto(_ s: WallScreenModel) -> ScreenDTO {
        let decoder = JSONDecoder.ioc
        let view = (try? decoder.decode(WallView.self, from: Data(s.viewJSON.utf8))) ?? WallView(kind: "overview", params: nil)
        let rotation = s.rotationJSON.flatMap { try? decoder.decode([WallRotationItem].self, from: Data($0.utf8)) }
        let takeover = s.takeoverJSON.flatMap { try? decoder.decode(WallView.self, from: Data($0.utf8)) }
        return ScreenDTO(wall: s.wallCode, wallName: nil, index: s.index, view: view, rotation: rotation,
                         takeover: takeover.map { .init(view: $0, by: s.takeoverBy, at: s.takeoverAt) }, version: s.version)
    }

    static func wallCode(_ req: Request) throws -> String { try Validate.code(req.parameters.get("wall"), field: "wall", max: 40) }

    static func findScreen(_ req: Request, on db: any Database) async throws -> (WallModel, WallScreenModel) {
        let code = try wallCode(req)
        guard let wall = try await WallModel.find(code, on: db) else { throw IOCError.notFound("Wall", vi: "màn hình tường") }
        guard let index = req.parameters.get("index").flatMap(Int.init), (1...(wall.rows * wall.cols)).contains(index),
              let screen = try await WallScreenModel.query(on: db).filter(\.$wallCode == code).filter(\.$index == index).first() else {
            throw IOCError.notFound("Screen", vi: "màn hình")
        }
        return (wall, screen)
    }

    @Sendable static func list(_ req: Request) async throws -> [String: [WallDTO]] {
        var walls = try await WallModel.query(on: req.db).sort(\.$id).all()
        // A display sees its own wall only.
        if case .source(let s)? = req.principal, s.sourceKind == .display { walls = walls.filter { $0.id?.lowercased() == s.wall?.lowercased() } }
        let screens = try await WallScreenModel.query(on: req.db).sort(\.$index).all()
        return ["items": walls.map { w in
            WallDTO(code: w.id!, name: w.name, rows: w.rows, cols: w.cols, screens: screens.filter { $0.wallCode == w.id }.map(dto))
        }]
    }

    @Sendable static func screen(_ req: Request) async throws -> ScreenDTO {
        let (wall, screen) = try await findScreen(req, on: req.db)
        var out = dto(screen)
        out.wallName = wall.name
        return out
    }

    struct WallInput: Content { var name: String; var rows: Int; var cols: Int }

    /// Creates or resizes a wall; new screens show the overview.
    static func upsertWall(code: String, name: String, rows: Int, cols: Int, on db: any Database) async throws -> WallModel {
        let wall = try await WallModel.find(code, on: db) ?? { let w = WallModel(); w.id = code; return w }()
        wall.name = name
        wall.rows = rows
        wall.cols = cols
        try await wall.save(on: db)
        let existing = Set(try await WallScreenModel.query(on: db).filter(\.$wallCode == code).all().map(\.index))
        for index in 1...(rows * cols) where !existing.contains(index) {
            let s = WallScreenModel()
            s.wallCode = code
            s.index = index
            s.viewJSON = #"{"kind":"overview"}"#
            s.version = 1
            try await s.create(on: db)
        }
        try await WallScreenModel.query(on: db).filter(\.$wallCode == code).filter(\.$index > rows * cols).delete()
        return wall
    }

    @Sendable static func putWall(_ req: Request) async throws -> WallDTO {
        let code = try wallCode(req)
        let input = try req.decodeBody(WallInput.self)
        guard let name = try Validate.text(input.name, field: "name", max: 200) else { throw IOCError.invalid("name", vi: "Thiếu tên.", en: "name is required.") }
        guard (1...20).contains(input.rows), (1...20).contains(input.cols) else {
            throw IOCError.invalid("rows", vi: "Số hàng và cột từ 1 đến 20.", en: "rows and cols must be 1–20.")
        }
        let wall = try await req.application.audit.transaction(on: req.db) { tx in
            (try await upsertWall(code: code, name: name, rows: input.rows, cols: input.cols, on: tx),
             req.auditRecord("wall.put", targetType: "wall", targetID: code, details: "\(input.rows)x\(input.cols)"))
        }
        req.application.live.publish(topic: WallModule.topic + ".\(code.lowercased())", ["type": "wall.changed"])
        let screens = try await WallScreenModel.query(on: req.db).filter(\.$wallCode == code).sort(\.$index).all()
        return WallDTO(code: code, name: wall.name, rows: wall.rows, cols: wall.cols, screens: screens.map(dto))
    }

    struct AssignInput: Content { var view: WallView; var rotation: [WallRotationItem]? }
    struct TakeoverInput: Content { var view: WallView }

    static func encode<T: Encodable>(_ v: T) throws -> String { String(decoding: try JSONEncoder.ioc.encode(v), as: UTF8.self) }

    /// What a view names must exist (the view kind's module checks it).
    static func checkCase(_ view: WallView, field: String, on db: any Database, wall: WallContributions) async throws {
        try await wall.viewKind(view.kind)?.check?(view.params ?? [:], field, db)
    }

    static func change(_ req: Request, action: String, _ apply: @escaping @Sendable (WallScreenModel, AuthenticatedUser) throws -> String) async throws -> ScreenDTO {
        let user = try req.requireUser()
        let (wall, screen) = try await findScreen(req, on: req.db)
        let updated: WallScreenModel = try await req.application.audit.transaction(on: req.db) { tx in
            guard let s = try await WallScreenModel.find(screen.id, on: tx) else { throw IOCError.notFound("Screen", vi: "màn hình") }
            let details = try apply(s, user)
            s.version += 1
            try await s.save(on: tx)
            return (s, req.auditRecord(action, targetType: "wall_screen", targetID: "\(wall.id!)/\(s.index)", details: details))
        }
        req.application.live.publish(topic: WallModule.topic + ".\(wall.id!.lowercased())", ["type": "screen.changed", "index": "\(updated.index)", "version": "\(updated.version)"])
        return dto(updated)
    }

    @Sendable static func assign(_ req: Request) async throws -> ScreenDTO {
        let input = try req.decodeBody(AssignInput.self)
        let wall = req.application.wall
        let view = try input.view.validated(field: "view", wall: wall)
        var rotation: [WallRotationItem]?
        if let r = input.rotation, !r.isEmpty {
            guard r.count <= 20 else { throw IOCError.invalid("rotation", vi: "Tối đa 20 mục luân phiên.", en: "At most 20 rotation items.") }
            rotation = try r.enumerated().map { i, item in
                guard (5...3600).contains(item.seconds) else {
                    throw IOCError.invalid("rotation[\(i)].seconds", vi: "Thời gian mỗi mục từ 5 đến 3600 giây.", en: "seconds must be 5–3600.")
                }
                return WallRotationItem(view: try item.view.validated(field: "rotation[\(i)].view", wall: wall), seconds: item.seconds)
            }
        }
        try await checkCase(view, field: "view", on: req.db, wall: wall)
        for (i, item) in (rotation ?? []).enumerated() { try await checkCase(item.view, field: "rotation[\(i)].view", on: req.db, wall: wall) }
        let viewJSON = try encode(view)
        let rotationJSON = try rotation.map { try encode($0) }
        let rotationCount = rotation?.count ?? 0
        return try await change(req, action: "wall.assign") { s, _ in
            s.viewJSON = viewJSON
            s.rotationJSON = rotationJSON
            return "view=\(view.kind) rotation=\(rotationCount)"
        }
    }

    @Sendable static func takeover(_ req: Request) async throws -> ScreenDTO {
        let input = try req.decodeBody(TakeoverInput.self)
        let view = try input.view.validated(field: "view", wall: req.application.wall)
        try await checkCase(view, field: "view", on: req.db, wall: req.application.wall)
        let json = try encode(view)
        let now = req.now
        return try await change(req, action: "wall.takeover") { s, user in
            s.takeoverJSON = json
            s.takeoverBy = user.displayName
            s.takeoverAt = now
            return "view=\(view.kind)"
        }
    }

    @Sendable static func release(_ req: Request) async throws -> ScreenDTO {
        try await change(req, action: "wall.release") { s, _ in
            s.takeoverJSON = nil
            s.takeoverBy = nil
            s.takeoverAt = nil
            return "released"
        }
    }

    struct KeyDTO: Content { var key: String; var wall: String; var url: String }

    @Sendable static func displayKey(_ req: Request) async throws -> KeyDTO {
        let code = try wallCode(req)
        guard try await WallModel.find(code, on: req.db) != nil else { throw IOCError.notFound("Wall", vi: "màn hình tường") }
        let key = APIKey.generate()
        try await req.application.audit.transaction(on: req.db) { tx in
            let name = "wall:\(code)"
            let source = try await SourceModel.query(on: tx).filter(\.$name == name).first() ?? SourceModel()
            if source.id == nil {
                source.name = name
                source.kind = SourceKind.display.rawValue
                source.description = "Màn hình tường \(code) / Wall display"
                source.expectedFreshnessSeconds = 86_400
                source.errorCount = 0
                source.active = true
            }
            source.keyHash = APIKey.hash(key)
            source.keyPrefix = APIKey.prefix(key)
            try await source.save(on: tx)
            return ((), req.auditRecord("wall.display-key", targetType: "wall", targetID: code))
        }
        // The key travels once in the address; the kiosk page exchanges it for a cookie and drops it from the address.
        return KeyDTO(key: key, wall: code, url: "/wall/\(code)/1?key=\(key)")
    }
}
