import Crypto
import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import IOCServer

/// `ioc backup` and `ioc restore`, run through their registered commands on the suite's database (SQLite, or PostgreSQL
/// with IOC_TEST_DATABASE_URL): a restored instance holds every table of the original, row for row.
@Suite("Backup and restore")
struct BackupTests {
    // MARK: Helpers

    /// Runs `ioc <name> <arguments…>` on `app` as `main` would (the registered command, its argument parsing).
    static func ioc(_ app: Application, _ name: String, _ arguments: [String]) async throws {
        registerCommands(app)
        let command = try #require(app.asyncCommands.commands[name], "ioc \(name) is registered")
        var context = CommandContext(console: app.console, input: CommandInput(arguments: ["ioc"] + arguments))
        context.application = app
        try await command.run(using: &context)
    }

    /// The message a refused command exits with.
    static func failure(_ app: Application, _ name: String, _ arguments: [String]) async throws -> String {
        do {
            try await ioc(app, name, arguments)
        } catch let e as CommandFailure {
            return e.description
        }
        Issue.record("ioc \(name) \(arguments) should have failed")
        return ""
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ioc-backup-test-\(UUID().uuidString.prefix(8))").path
    }

    /// Every table of the instance's database, from the catalogue (SQLite's `sqlite_sequence` and PostgreSQL's sequences
    /// included): its rows, in a fixed order, hashed; plus the indexes and constraints. Equal maps: equal databases.
    static func contents(_ app: Application) async throws -> [String: String] {
        let sql = try #require(app.db as? any SQLDatabase)
        struct Name: Decodable { var name: String }
        struct Row: Decodable { var r: String? }
        func digest(_ rows: [Row]) -> String {
            var h = SHA256()
            for row in rows { h.update(data: Data(((row.r ?? "NULL") + "\n").utf8)) }
            return "\(rows.count) rows " + h.finalize().map { String(format: "%02x", $0) }.joined().prefix(16)
        }
        var result: [String: String] = [:]
        if TestEnvironment.isPostgres {
            let schema = try #require(try await DatabaseBackup.currentSchema(sql))
            let tables = try await sql.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = \(bind: schema)").all(decoding: Name.self)
            for t in tables {
                result[t.name] = digest(try await sql.raw("SELECT x::text AS r FROM \(ident: schema).\(ident: t.name) AS x ORDER BY 1").all(decoding: Row.self))
            }
            result["catalogue: sequences"] = digest(try await sql.raw("""
                SELECT sequencename || '=' || COALESCE(last_value::text, '-') AS r FROM pg_sequences WHERE schemaname = \(bind: schema) ORDER BY 1
                """).all(decoding: Row.self))
            // Definitions name the schema, which a restore into another schema changes.
            let indexes = try await sql.raw("""
                SELECT tablename || ' ' || replace(indexdef, \(bind: schema + "."), '') AS r FROM pg_indexes WHERE schemaname = \(bind: schema) ORDER BY 1
                """).all(decoding: Row.self)
            result["catalogue: indexes"] = digest(indexes)
            result["catalogue: constraints"] = digest(try await sql.raw("""
                SELECT c.relname || ' ' || k.conname || ' ' || replace(pg_get_constraintdef(k.oid), \(bind: schema + "."), '') AS r
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(bind: schema) ORDER BY 1
                """).all(decoding: Row.self))
        } else {
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all(decoding: Name.self)
            struct Column: Decodable { var name: String }
            for t in tables {
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: t.name))").all(decoding: Column.self).map(\.name)
                let row = columns.map { "quote(\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\")" }.joined(separator: " || '|' || ")
                result[t.name] = digest(try await sql.raw("SELECT \(unsafeRaw: row) AS r FROM \(ident: t.name) ORDER BY 1").all(decoding: Row.self))
            }
            result["catalogue: schema"] = digest(try await sql.raw("""
                SELECT type || ' ' || name || ' ' || COALESCE(sql, '') AS r FROM sqlite_master WHERE name <> 'sqlite_sequence' ORDER BY 1
                """).all(decoding: Row.self))
        }
        return result
    }

    /// A few rows in every module's tables: the demo province with small counts, a sign-in, an anonymous field report
    /// with a photo, and an exported audit head. The indicators' demo (~90,000 values, seconds) is cut to its catalogue,
    /// plans and a slice of its values.
    static func populate(_ app: Application) async throws {
        let context = DemoContext(app: app, options: ["dossiers": 40, "reports": 12], print: { _ in })
        for module in app.modules.all where module.id != "indicators" { try await module.loadDemo(context) }
        let data = try DemoIndicators.packData(app)
        let batch = try JSONDecoder().decode(IndicatorCatalogService.Batch.self, from: data)
        let pack = try JSONDecoder().decode(DemoIndicators.Pack.self, from: data)
        let agencies = try await app.agencyDirectory.snapshot(on: app.db)
        let empty = try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies)
        let checked = IndicatorCatalogService.validate(batch, catalogue: empty, agencies: agencies, valueCounts: [:])
        let now = app.clock.now
        _ = try await app.audit.transaction(on: app.db) { tx in
            let r = try await IndicatorCatalogService.store(groups: checked.groups, indicators: checked.indicators, catalogue: empty,
                                                            actor: "demo", now: now, on: tx)
            return (r, AuditRecord(actor: "demo", action: "indicators.define", targetType: "indicators", targetID: "catalogue", origin: "demo"))
        }
        app.indicatorCatalog.invalidate()
        let catalogue = try await app.indicatorCatalog.snapshot(on: app.db, agencies: agencies)
        let generated = DemoIndicators.generate(catalogue: catalogue, pack: pack, province: app.iocConfiguration.provinceCode,
                                                communes: ["24133"], now: now)
        try await DemoIndicators.insert(Array(generated.values.prefix(300)), on: app.db)
        try await generated.plans.prefix(30).create(on: app.db)

        #expect(try await TestClient(app).login("admin", "not-the-password").status == .unauthorized)
        let admin = TestClient(app)
        #expect(try await admin.login("admin", "IOC-admin-2026").status == .ok)
        #expect(try await FR.post(app, FR.report()).status == .created)
        #expect(try await admin.send(.PUT, "/api/v1/calendar/days/2026-11-24", json: ["kind": "holiday", "nameVi": "Nghỉ do bão", "nameEn": "Storm day off"]).status == .ok)
        // A redefined indicator keeps its previous definition as a version.
        var indicator = try #require((try await admin.send(.GET, "/api/v1/indicators").json["indicators"] as? [[String: Any]])?.first)
        indicator["name"] = "\(indicator["name"] ?? "") (định nghĩa mới)"
        #expect(try await admin.send(.POST, "/api/v1/indicators", json: indicator).status == .ok)
        #expect(try await app.audit.anchor(on: app.db, logger: app.logger, at: app.clock.now) != nil)
    }

    /// The key of `app` as IOC_AUDIT_KEY spells it, so another instance runs with the same key.
    static func keyText(_ app: Application) -> String { Backup.hex(app.audit.key) }

    /// PostgreSQL: the source instance's schema is dropped so that its backup can be restored under another name in
    /// the same database (as on a new server).
    static func dropSchemaOnPostgres(_ app: Application) async throws {
        guard TestEnvironment.isPostgres, let schema = app.iocConfiguration.postgresSchema else { return }
        try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run()
    }

    /// Starts another application on `app`'s storage, as `ioc serve` would after a restore (migrations, the key check).
    static func restarted(_ app: Application, _ body: (Application) async throws -> Void) async throws {
        var config = app.iocConfiguration
        config.autoMigrate = true
        let other = try await Application.make(.testing)
        do {
            try await configure(other, configuration: config, reference: TestEnvironment.reference, modules: ServiceModules.standard)
            try await body(other)
        } catch {
            try? await other.asyncShutdown()
            throw error
        }
        try await other.asyncShutdown()
    }

    // MARK: Tests

    @Test func restoreIntoAnEmptyInstanceGivesBackEveryTable() async throws {
        let out = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await withApp { source in
            try await Self.populate(source)
            try await Self.ioc(source, "backup", ["--output", out])
            let before = try await Self.contents(source)
            let anchorFile = try #require(source.audit.anchorFile)
            let anchors = try #require(FileManager.default.contents(atPath: anchorFile))
            let key = Self.keyText(source)

            // The backup: one directory, files for the owner only, a manifest that counts every table.
            let manifest = try Backup.verifiedManifest(of: out)
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out))
                    == [Backup.manifestFile, Backup.anchorsFile, Backup.databaseFile(manifest.storage)])
            #expect(manifest.tables.count == before.keys.filter { !$0.hasPrefix("catalogue") && $0 != "sqlite_sequence" }.count)
            let empty = manifest.tables.filter { $0.value == 0 }.keys.sorted()
            #expect(empty.isEmpty, "every table holds rows, so the comparison means something (a new table is filled in `populate`): \(empty)")
            for name in manifest.files.keys {
                let mode = try FileManager.default.attributesOfItem(atPath: out + "/" + name)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(name) is readable by its owner only")
            }
            #expect(manifest.auditHead > 0)
            #expect(manifest.auditKeyFingerprint == AuditChain.fingerprint(source.audit.key))
            try await Self.dropSchemaOnPostgres(source)

            try await withApp(adjust: { $0.auditKey = key }) { target in
                try await Self.ioc(target, "restore", ["--input", out])
                let after = try await Self.contents(target)
                #expect(after.keys.sorted() == before.keys.sorted())
                for (table, digest) in before { #expect(after[table] == digest, "table \(table)") }
                let targetAnchors = try #require(target.audit.anchorFile)
                #expect(FileManager.default.contents(atPath: targetAnchors) == anchors)
                // The restored instance starts (same key) and its audit log verifies with the anchors it came with.
                try await Self.restarted(target) { server in
                    let (count, problem) = try await server.audit.verify(on: server.db)
                    #expect(problem == nil)
                    #expect(count == Int(manifest.auditHead))
                    let admin = TestClient(server)
                    #expect(try await admin.login("admin", "IOC-admin-2026").status == .ok)
                }
            }
        }
    }

    @Test func restoreRefusesATargetThatHasDataUnlessForced() async throws {
        let out = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await withApp { source in
            _ = try await DemoProvince.load(on: source)
            try await Self.ioc(source, "backup", ["--output", out])
            let expected = try await Self.contents(source)
            try await Self.dropSchemaOnPostgres(source)

            try await withApp(adjust: { $0.auditKey = Self.keyText(source) }) { target in
                try await makeUser(target, "someone", role: .analyst)
                try await target.audit.record(AuditRecord(actor: "cli", action: "user.create", targetType: "user", targetID: "someone", origin: "cli"),
                                              on: target.db)
                let before = try await Self.contents(target)
                let message = try await Self.failure(target, "restore", ["--input", out])
                #expect(message.contains("đã có dữ liệu") && message.contains("already has data"), "\(message)")
                #expect(try await Self.contents(target) == before, "a refused restore changes nothing")

                try await Self.ioc(target, "restore", ["--input", out, "--force"])
                #expect(try await Self.contents(target) == expected)
            }
        }
    }

    @Test func aDamagedBackupIsRefusedAndAFailedCheckIsUndone() async throws {
        let out = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await withApp { source in
            _ = try await DemoProvince.load(on: source)
            try await Self.ioc(source, "backup", ["--output", out])
            try await Self.dropSchemaOnPostgres(source)
            let manifest = try Backup.verifiedManifest(of: out)
            let database = out + "/" + Backup.databaseFile(manifest.storage)
            let original = try #require(FileManager.default.contents(atPath: database))

            try await withApp(adjust: { $0.auditKey = Self.keyText(source) }) { target in
                let before = try await Self.contents(target)
                // One byte changed: its SHA-256 no longer matches the manifest.
                var damaged = original
                damaged[damaged.count / 2] ^= 0x01
                try damaged.write(to: URL(fileURLWithPath: database))
                var message = try await Self.failure(target, "restore", ["--input", out])
                #expect(message.contains("SHA-256") && message.contains("bị hỏng"), "\(message)")
                #expect(try await Self.contents(target) == before)

                // A whole file whose manifest was edited (one table's count): loaded, checked, undone.
                try original.write(to: URL(fileURLWithPath: database))
                var edited = manifest
                edited.tables["users"] = (edited.tables["users"] ?? 0) + 1
                try Backup.encoder.encode(edited).write(to: URL(fileURLWithPath: out + "/" + Backup.manifestFile))
                message = try await Self.failure(target, "restore", ["--input", out])
                #expect(message.contains("users") && message.contains("Undone"), "\(message)")
                #expect(try await Self.contents(target) == before, "the failed restore was undone")
            }
        }
    }

    @Test func aBackupTakenWhileTheServerWritesIsConsistent() async throws {
        let root = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withApp { server in
            _ = try await DemoProvince.load(on: server)
            // The server files field reports (a case, its photo, a feed entry and an audit entry per transaction) while
            // another process — here another application on the same database — backs up.
            let written = NIOLockedValueBox(0)
            let writer = Task {
                while !Task.isCancelled {
                    let r = try await FR.post(server, FR.report())
                    #expect(r.status == .created)
                    if r.status == .created { written.withLockedValue { $0 += 1 } }
                }
            }
            var overlapped: String?
            var config = server.iocConfiguration
            config.autoMigrate = false
            let tool = try await Application.make(.testing)
            do {
                try await configure(tool, configuration: config, reference: TestEnvironment.reference, modules: ServiceModules.standard)
                while written.withLockedValue({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
                for attempt in 0..<20 where overlapped == nil {
                    let start = written.withLockedValue { $0 }
                    let out = "\(root)/\(attempt)"
                    try await Self.ioc(tool, "backup", ["--output", out])
                    if written.withLockedValue({ $0 }) > start { overlapped = out }
                }
            } catch {
                writer.cancel()
                try? await tool.asyncShutdown()
                throw error
            }
            writer.cancel()
            _ = await writer.result
            try await tool.asyncShutdown()
            let out = try #require(overlapped, "a backup ran while reports were being written")
            let manifest = try Backup.verifiedManifest(of: out)
            #expect(manifest.tables["cases"] ?? 0 > 0)
            let schema = server.iocConfiguration.postgresSchema
            try await Self.dropSchemaOnPostgres(server)

            // Restored under the same schema name on PostgreSQL (a new server), into a new directory on SQLite.
            try await withApp(adjust: { $0.auditKey = Self.keyText(server); $0.postgresSchema = schema }) { target in
                try await Self.ioc(target, "restore", ["--input", out])
                let (count, problem) = try await target.audit.verify(on: target.db)
                #expect(problem == nil)
                #expect(count == Int(manifest.auditHead))
                // Every case has the audit entry written in its transaction, and no entry lacks its case.
                struct N: Decodable { var n: Int }
                let sql = target.db as! any SQLDatabase
                let cases = try await sql.raw("SELECT COUNT(*) AS n FROM cases").first(decoding: N.self)?.n
                let created = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'case.create'").first(decoding: N.self)?.n
                #expect(cases == manifest.tables["cases"])
                #expect(created == cases)
            }
        }
    }

    @Test func aFailedBackupLeavesNothingBehind() async throws {
        let root = Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A database without IOC's tables yet: the copy is made, found empty, and thrown away.
        try await withApp(adjust: { $0.autoMigrate = false }) { app in
            let message = try await Self.failure(app, "backup", ["--output", root + "/first"])
            #expect(message.contains("không để lại gì") && message.contains("nothing was left behind") && message.contains("no IOC table"), "\(message)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "no backup, complete or partial")

            // Into an existing directory: a new directory named by the time.
            try await app.autoMigrate()
            try await Self.ioc(app, "backup", ["--output", root])
            let made = try FileManager.default.contentsOfDirectory(atPath: root)
            #expect(made.count == 1 && made[0].hasPrefix("ioc-backup-20"), "\(made)")
            _ = try Backup.verifiedManifest(of: root + "/" + made[0])
        }
    }

    @Test func theKeyStaysOutOfABackupUnlessAskedAndRestoreChecksIt() async throws {
        let root = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withApp { source in
            _ = try await DemoProvince.load(on: source)
            try await Self.ioc(source, "backup", ["--output", root + "/plain"])
            try await Self.ioc(source, "backup", ["--output", root + "/with-key", "--include-key"])
            try await Self.dropSchemaOnPostgres(source)
            let key = Self.keyText(source)
            let raw = source.audit.key.withUnsafeBytes { Data($0) }

            // Without --include-key no file of the backup holds the key, in hex or raw.
            let plain = try Backup.verifiedManifest(of: root + "/plain")
            #expect(!plain.includesKey && plain.files[Backup.keyFile] == nil)
            for name in try FileManager.default.contentsOfDirectory(atPath: root + "/plain") {
                let data = try #require(FileManager.default.contents(atPath: root + "/plain/" + name))
                #expect(data.range(of: Data(key.utf8)) == nil && data.range(of: raw) == nil, "\(name) does not hold the key")
            }
            let withKey = try Backup.verifiedManifest(of: root + "/with-key")
            #expect(withKey.includesKey)
            #expect(try String(contentsOfFile: root + "/with-key/" + Backup.keyFile, encoding: .utf8).contains(key))

            // A new instance made its own key: restore names the mismatch and changes nothing.
            try await withApp { target in
                #expect(Self.keyText(target) != key)
                let before = try await Self.contents(target)
                var message = try await Self.failure(target, "restore", ["--input", root + "/plain"])
                #expect(message.contains(String(plain.auditKeyFingerprint!.prefix(16))) && message.contains("another key")
                        && message.contains("does not hold it"), "\(message)")
                message = try await Self.failure(target, "restore", ["--input", root + "/with-key"])
                #expect(message.contains("--install-key"), "\(message)")
                #expect(try await Self.contents(target) == before)

                // --install-key: the backup's key replaces the instance's (kept aside), and the restored instance starts.
                try await Self.ioc(target, "restore", ["--input", root + "/with-key", "--install-key"])
                let keyFile = target.iocConfiguration.dataDirectory + "/audit.key"
                #expect(try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == key)
                let aside = try FileManager.default.contentsOfDirectory(atPath: target.iocConfiguration.dataDirectory)
                    .filter { $0.hasPrefix("audit.key.before-restore-") }
                #expect(aside.count == 1)
                try await Self.restarted(target) { server in
                    #expect(Self.keyText(server) == key)
                    let (_, problem) = try await server.audit.verify(on: server.db)
                    #expect(problem == nil)
                }
            }
        }
    }

    @Test func postgresToolsGetTheCredentialsThroughTheirEnvironment() async throws {
        let tools = try PostgresTools(url: "postgres://ioc:s%40cret@db.example:6543/ioc_prod?sslmode=require", binDirectory: nil)
        #expect(tools.connection == ["PGHOST": "db.example", "PGPORT": "6543", "PGUSER": "ioc", "PGPASSWORD": "s@cret",
                                     "PGDATABASE": "ioc_prod", "PGSSLMODE": "require"])
        #expect(tools.database == "ioc_prod")
        #expect(PostgresTools.majorVersion("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)") == 15)
        #expect(PostgresTools.majorVersion("pg_restore (PostgreSQL) 17.2") == 17)
        // The tools' own error lines are kept; lines that may quote row values are not.
        let failure = PostgresTools.failure("pg_restore", status: 1, output: """
            pg_restore: error: COPY failed for table "users": ERROR:  duplicate key value violates unique constraint "users_pkey"
            DETAIL:  Key (username)=(nguyen.van.a) already exists.
            CONTEXT:  COPY users, line 1
            """)
        #expect(failure.detail?.contains("COPY failed for table") == true && failure.detail?.contains("nguyen.van.a") == false)
        // On the suite's PostgreSQL: a client at least as new as the server is found (PATH or /usr/lib/postgresql/*/bin),
        // and a server newer than any client is refused by name.
        if let url = TestEnvironment.postgresURL {
            try await withApp { app in
                let major = try await DatabaseBackup.postgresServerMajor(app.db as! any SQLDatabase)
                let local = try PostgresTools(url: url, binDirectory: nil)
                let dump = try await local.locate("pg_dump", serverMajor: major)
                let (_, version) = try await PostgresTools.run(dump, ["--version"], environment: [:])
                #expect(try #require(PostgresTools.majorVersion(version)) >= major)
                do {
                    _ = try await local.locate("pg_dump", serverMajor: 99)
                    Issue.record("no pg_dump 99 exists")
                } catch let e as BackupFailure {
                    #expect(e.en.contains("postgresql-client-99") && e.vi.contains("postgresql-client-99"))
                }
            }
        }
    }

    @Test(.enabled(if: !TestEnvironment.isPostgres && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
                   && FileManager.default.fileExists(atPath: "/proc/locks")))
    func restoreRefusesAnSQLiteFileAnotherProcessHasOpen() async throws {
        let out = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await withApp { source in
            _ = try await DemoProvince.load(on: source)
            try await Self.ioc(source, "backup", ["--output", out])
            try await withApp(adjust: { $0.auditKey = Self.keyText(source) }) { target in
                guard case .sqliteFile(let path) = target.iocConfiguration.storage else { return }
                // Another process (a server) reading the database keeps it open.
                let holder = Process()
                holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                // It keeps the connection until its standard input closes.
                holder.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('SELECT COUNT(*) FROM sqlite_master').fetchall(); print('open', flush=True); sys.stdin.read()", path]
                let input = Pipe()
                let output = Pipe()
                holder.standardInput = input
                holder.standardOutput = output
                try holder.run()
                defer {
                    try? input.fileHandleForWriting.close()
                    holder.waitUntilExit()
                }
                _ = output.fileHandleForReading.availableData  // "open": the connection is made
                let before = try await Self.contents(target)
                let message = try await Self.failure(target, "restore", ["--input", out])
                #expect(message.contains("\(holder.processIdentifier)") && message.contains("stop the IOC server"), "\(message)")
                #expect(try await Self.contents(target) == before)
            }
        }
    }
}
