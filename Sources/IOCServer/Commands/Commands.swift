import Fluent
import Foundation
import IOCCore
import Vapor

/// Registers the `ioc` subcommands next to Vapor's `serve`, `migrate` and `routes`.
public func registerCommands(_ app: Application) {
    app.asyncCommands.use(DemoCommand(), as: "demo")
    var users = AsyncCommands()
    users.use(UserCreateCommand(), as: "create")
    users.use(UserResetPasswordCommand(), as: "reset-password")
    app.asyncCommands.use(users.group(help: "Manage users: create, reset-password"), as: "user")
    var keys = AsyncCommands()
    keys.use(APIKeyCreateCommand(), as: "create")
    app.asyncCommands.use(keys.group(help: "Manage integration API keys: create"), as: "apikey")
    var imports = AsyncCommands()
    imports.use(ImportDossiersCommand(), as: "dossiers")
    app.asyncCommands.use(imports.group(help: "Import data files: dossiers FILE (.csv or .xlsx)"), as: "import")
    var bench = AsyncCommands()
    bench.use(BenchPublicServicesCommand(), as: "public-services")
    bench.use(BenchLiveCommand(), as: "live")
    bench.use(BenchIndicatorsCommand(), as: "indicators")
    bench.use(BenchObservationsCommand(), as: "observations")
    app.asyncCommands.use(bench.group(help: "Benchmarks (release build): public-services, live, indicators, observations"), as: "bench")
    var audit = AsyncCommands()
    audit.use(AuditVerifyCommand(), as: "verify")
    app.asyncCommands.use(audit.group(help: "Audit log: verify"), as: "audit")
    registerBackupCommands(app)
}

/// Fails the command with a message on standard error and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// `ioc demo`: every module loads its demo data, in module order (the platform's province and users first).
enum DemoLoader {
    static func load(_ context: DemoContext) async throws {
        for module in context.app.modules.all {
            try await module.loadDemo(context)
        }
    }
}

struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "dossiers", help: "How many public-service dossiers to generate over the last year (default 250000; 0 for none)")
        var dossiers: Int?
        @Option(name: "reports", help: "How many field reports to generate over the last year (default 9000; 0 for none)")
        var reports: Int?
        @Flag(name: "force", help: "Load the demo even though this instance is not a demo (IOC_DEMO=0)")
        var force: Bool
    }
    var help: String { "Load the demo province (Đắk Lắk): agencies and users for each role. Idempotent." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        // The demo creates logins whose passwords are published: only on a demo instance, unless forced.
        guard app.iocConfiguration.demo || signature.force else {
            throw CommandFailure("Phiên bản này không phải bản minh họa (IOC_DEMO=0): `ioc demo` sẽ tạo tài khoản có mật khẩu công khai. "
                                 + "Thêm --force nếu thật sự muốn. / This instance is not a demo (IOC_DEMO=0): `ioc demo` would create "
                                 + "logins whose passwords are published. Add --force to load it anyway.")
        }
        try await app.autoMigrate()
        // Each module loads its own demo data, in module order (the platform's province and users first).
        var options: [String: Int] = [:]
        options["dossiers"] = signature.dossiers
        options["reports"] = signature.reports
        let console = context.console
        try await DemoLoader.load(DemoContext(app: app, options: options, print: { console.print($0) }))
        context.console.print("Tài khoản minh họa / Demo logins:")
        for u in DemoProvince.users {
            context.console.print("  \(u.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(u.username.padding(toLength: 12, withPad: " ", startingAt: 0)) \(u.password)   \(u.displayName)")
        }
    }
}

struct UserCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username", help: "Login name (letters, digits, . _ -)") var username: String?
        @Option(name: "role", help: "admin | operator | leader | officer | analyst") var role: String?
        @Option(name: "password", help: "At least 10 characters; generated and printed when omitted") var password: String?
        @Option(name: "name", help: "Display name") var name: String?
        @Option(name: "agency", help: "Agency code the user belongs to (scope)") var agency: String?
        @Option(name: "unit", help: "Unit code the user is limited to (scope), when not an agency") var unit: String?
    }

    var help: String { "Create a user: ioc user create --username NAME --role ROLE [--password P] [--agency CODE | --unit CODE]" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let raw = signature.username else { throw CommandFailure("--username is required") }
        let username = try Validate.code(raw, field: "username", max: 64).lowercased()
        guard let roleRaw = signature.role, let role = Role(rawValue: roleRaw) else {
            throw CommandFailure("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let generated = signature.password == nil
        let password = signature.password ?? APIKey.randomToken().prefix(16).description
        _ = try UserController.validatePassword(password)
        if try await UserModel.query(on: app.db).filter(\.$username == username).first() != nil {
            throw CommandFailure("user \(username) already exists (use: ioc user reset-password)")
        }
        var agencyID: UUID?
        if let code = signature.agency {
            guard let a = try await AgencyModel.query(on: app.db).filter(\.$code == code).first() else { throw CommandFailure("unknown agency \(code)") }
            agencyID = a.id
        }
        if let u = signature.unit, app.reference.units[u] == nil { throw CommandFailure("unknown unit \(u)") }
        if role == .officer, agencyID == nil, signature.unit == nil { throw CommandFailure("an officer needs --agency CODE or --unit CODE") }
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(password).get()
        let user = UserModel(username: username, displayName: signature.name ?? username, passwordHash: hash, role: role,
                             agencyID: agencyID, unitScope: signature.unit)
        try await app.audit.transaction(on: app.db) { tx in
            try await user.create(on: tx)
            return ((), AuditRecord(actor: "cli", action: "user.create", targetType: "user", targetID: user.id!.uuidString,
                                    origin: "cli", details: "username=\(username) role=\(role.rawValue)"))
        }
        context.console.print("Created user \(username) (\(role.rawValue)).")
        if generated { context.console.print("Password: \(password)") }
    }
}

struct UserResetPasswordCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username", help: "Login name") var username: String?
        @Option(name: "password", help: "New password (at least 10 characters); generated when omitted") var password: String?
    }

    var help: String { "Reset a user's password: ioc user reset-password --username NAME [--password P]" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let username = signature.username?.lowercased() else { throw CommandFailure("--username is required") }
        guard let user = try await UserModel.query(on: app.db).filter(\.$username == username).first() else {
            throw CommandFailure("no user \(username)")
        }
        let generated = signature.password == nil
        let password = signature.password ?? APIKey.randomToken().prefix(16).description
        _ = try UserController.validatePassword(password)
        user.passwordHash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(password).get()
        user.active = true
        try await app.audit.transaction(on: app.db) { tx in
            try await user.update(on: tx)
            return ((), AuditRecord(actor: "cli", action: "user.reset_password", targetType: "user", targetID: user.id!.uuidString, origin: "cli"))
        }
        context.console.print("Password of \(username) reset.")
        if generated { context.console.print("Password: \(password)") }
    }
}

struct APIKeyCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "source", help: "Source name (created if it does not exist)") var source: String?
        @Option(name: "kind", help: "Source kind for a new source: events, dossiers, indicators, open311 or display (a key opens only its kind's endpoints)") var kind: String?
        @Option(name: "wall", help: "With --kind display: the wall whose kiosk screens use the key (the source is named wall:<code>)") var wall: String?
    }

    var help: String { "Issue an API key for a source (creating it if needed); the key is printed on the last line" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        var kind = try Validate.code(signature.kind ?? "generic", field: "kind", max: 64)
        if let known = SourceKind.parse(kind) { kind = known.rawValue }
        let name: String
        if kind == SourceKind.display.rawValue {
            guard let wall = signature.wall else { throw CommandFailure("--kind display needs --wall CODE") }
            name = "wall:" + (try Validate.code(wall, field: "wall", max: 40))
        } else {
            guard let raw = signature.source else { throw CommandFailure("--source is required") }
            name = try Validate.code(raw, field: "source", max: 64)
            if SourceKind.parse(kind) == nil {
                context.console.warning("kind \(kind) is none of \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")): the key opens only /api/v1/sources/self")
            }
        }
        let (source, key) = try await SourceController.issueKey(name: name, kind: kind, on: app.db, audit: app.audit) { id in
            AuditRecord(actor: "cli", action: "source.issue_key", targetType: "source", targetID: id.uuidString, origin: "cli", details: "name=\(name)")
        }
        context.console.print("API key for source \(source.name) (\(source.kind)); only its hash is stored, keep it now:")
        context.console.print(key)
    }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Verify the audit log's hash chain; exits non-zero if an entry was modified or removed" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let (count, problem) = try await app.audit.verify(on: app.db)
        if let problem {
            context.console.error("Audit log TAMPERED: \(problem) (\(count) entries read)")
            throw CommandFailure("audit verification failed")
        }
        context.console.print("Audit log intact: \(count) entries verified.")
    }
}

struct ImportDossiersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A .csv or .xlsx file whose first row names the columns (see README)") var file: String
    }

    var help: String { "Import public-service dossiers from a CSV or XLSX file, with a per-row error report" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let format = DossierImport.format(contentType: nil, filename: signature.file) else {
            throw CommandFailure("the file must end in .csv or .xlsx")
        }
        guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandFailure("cannot read \(signature.file)") }
        let console = context.console
        let report: DossierImport.Report
        do {
            // The dossiers and the audit entry commit together (the file's rows are checked batch by batch).
            report = try await app.audit.transaction(on: app.db) { tx in
                let report = try await DossierImport.run(data, format: format, on: app, db: tx) { done, total in
                    console.print("  \(done)/\(total) rows")
                }
                return (report, AuditRecord(actor: "cli", action: "dossiers.import", targetType: "dossiers", targetID: "file", origin: "cli",
                                            details: "rows=\(report.rows) accepted=\(report.accepted) rejected=\(report.rejected)"))
            }
        } catch let e as IOCError {
            throw CommandFailure("\(e.message.vi) / \(e.message.en)")
        }
        console.print("Rows \(report.rows): accepted \(report.accepted) (created \(report.created), updated \(report.updated), unchanged \(report.unchanged)), rejected \(report.rejected).")
        for e in report.errors.prefix(50) {
            console.print("  row \(e.row)\(e.field.map { " [\($0)]" } ?? ""): \(e.messages.vi) / \(e.messages.en)")
        }
        if report.errors.count > 50 { console.print("  … \(report.errors.count - 50) more") }
        if report.accepted == 0, report.rows > 0 { throw CommandFailure("no row was imported") }
    }
}
