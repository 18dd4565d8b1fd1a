import Fluent
import Foundation
import SQLKit

/// The database side of `ioc backup` and `ioc restore` (the commands, the manifest and the checks around them are in
/// `Commands/BackupCommand.swift`).
///
/// SQLite: `VACUUM INTO` on one of the application's own connections writes the copy from a single read transaction, so
/// the copy is consistent while a server keeps writing (WAL); restoring copies the tables of that file into the
/// instance's database through `ATTACH`, in one transaction that is checked before it commits, so a failure changes
/// nothing. PostgreSQL: `pg_dump --format=custom` of IOC's schema reads the snapshot exported by a repeatable-read
/// transaction that also counts the rows, so the counts are exactly those of the dump; `pg_restore --single-transaction`
/// loads it.
enum DatabaseBackup {
    /// What a snapshot holds, read from the snapshot itself.
    struct Contents: Sendable {
        /// Rows per table (IOC's tables, Fluent's migration log included; SQLite's own `sqlite_*` tables left out).
        var tables: [String: Int]
        /// The audit chain's last sequence number (0: no entry).
        var auditHead: Int64
        /// The fingerprint of the key the audit chain is written with (`audit_meta`), when the chain has been sealed.
        var keyFingerprint: String?
        /// `sqlite 3.x` or PostgreSQL's `server_version`.
        var databaseVersion: String
        /// PostgreSQL: the schema the tables live in.
        var schema: String?
    }

    private struct Name: Decodable { var name: String }
    private struct Count: Decodable { var n: Int }
    private struct Head: Decodable { var head: Int64? }
    private struct Fingerprint: Decodable { var key_fingerprint: String }
    private struct Text: Decodable { var value: String? }

    // MARK: SQLite

    /// Writes a consistent copy of the SQLite database to `path` (which must not exist) and reads its contents from the
    /// copy. The copy is a single file in rollback-journal mode (no `-wal` needed beside it).
    static func snapshotSQLite(_ db: any Database, to path: String) async throws -> Contents {
        try await db.withConnection { conn in
            let sql = conn as! any SQLDatabase
            // One read transaction: writers on other connections (the server) go on, and see nothing of it.
            try await sql.raw("VACUUM INTO \(bind: path)").run()
            try await sql.raw("ATTACH DATABASE \(bind: path) AS ioc_snapshot").run()
            do {
                try await sql.raw("PRAGMA ioc_snapshot.journal_mode = DELETE").run()
                let contents = try await sqliteContents(sql, schema: "ioc_snapshot")
                try await sql.raw("DETACH DATABASE ioc_snapshot").run()
                return contents
            } catch {
                try? await sql.raw("DETACH DATABASE ioc_snapshot").run()
                throw error
            }
        }
    }

    /// The tables (and row counts) of an SQLite schema (`main`, or an attached database).
    static func sqliteContents(_ sql: any SQLDatabase, schema: String) async throws -> Contents {
        let names = try await sql.raw("""
            SELECT name FROM \(ident: schema).sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
            """).all(decoding: Name.self).map(\.name)
        var tables: [String: Int] = [:]
        for name in names {
            tables[name] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: schema).\(ident: name)").first(decoding: Count.self)?.n ?? 0
        }
        var head: Int64 = 0
        var fingerprint: String?
        if tables[AuditEntryModel.schema] != nil {
            head = try await sql.raw("SELECT MAX(seq) AS head FROM \(ident: schema).\(ident: AuditEntryModel.schema)").first(decoding: Head.self)?.head ?? 0
        }
        if tables["audit_meta"] != nil {
            fingerprint = try await sql.raw("SELECT key_fingerprint FROM \(ident: schema).audit_meta WHERE id = 1")
                .first(decoding: Fingerprint.self)?.key_fingerprint
        }
        let version = try await sql.raw("SELECT sqlite_version() AS value").first(decoding: Text.self)?.value ?? "?"
        return Contents(tables: tables, auditHead: head, keyFingerprint: fingerprint, databaseVersion: "SQLite \(version)", schema: nil)
    }

    /// Rows per table of the instance's own database (its schema, on PostgreSQL).
    static func rowCounts(_ db: any Database) async throws -> [String: Int] {
        let sql = db as! any SQLDatabase
        if DatabaseDialect(sql).isSQLite { return try await sqliteContents(sql, schema: "main").tables }
        guard let schema = try await currentSchema(sql) else { return [:] }
        return try await postgresTables(sql, schema: schema)
    }

    /// Replaces every table of the instance's SQLite database by those of the backup file `file`, then runs `check` in
    /// the same transaction (it throws to undo everything). Foreign keys are checked once, at the end.
    static func restoreSQLite(_ db: any Database, from file: String, check: @escaping @Sendable (any Database) async throws -> Void) async throws {
        // Read-only: the backup is never modified, and leaves no journal beside it.
        let path = URL(fileURLWithPath: file).standardizedFileURL.path
        let uri = "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?mode=ro"
        try await db.withConnection { conn in
            let sql = conn as! any SQLDatabase
            // Tables are dropped and filled in any order; `foreign_key_check` below proves the result whole.
            try await sql.raw("PRAGMA foreign_keys = OFF").run()
            try await sql.raw("ATTACH DATABASE \(bind: uri) AS ioc_backup").run()
            do {
                try await conn.transaction { tx in
                    try await replaceSQLiteSchema(tx as! any SQLDatabase)
                    struct Violation: Decodable { var table: String }
                    if let v = try await (tx as! any SQLDatabase).raw("PRAGMA main.foreign_key_check").first(decoding: Violation.self) {
                        throw BackupFailure(vi: "Bản sao lưu vi phạm khóa ngoại ở bảng \(v.table).",
                                            en: "The backup breaks a foreign key in table \(v.table).")
                    }
                    try await check(tx)
                }
            } catch {
                try? await sql.raw("DETACH DATABASE ioc_backup").run()
                try? await sql.raw("PRAGMA foreign_keys = ON").run()
                throw error
            }
            try await sql.raw("DETACH DATABASE ioc_backup").run()
            try await sql.raw("PRAGMA foreign_keys = ON").run()
        }
    }

    private static func replaceSQLiteSchema(_ sql: any SQLDatabase) async throws {
        struct Object: Decodable { var type: String; var name: String; var sql: String? }
        let existing = try await sql.raw("""
            SELECT type, name, sql FROM main.sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            """).all(decoding: Object.self)
        for o in existing {
            try await sql.raw(o.type == "view" ? "DROP VIEW main.\(ident: o.name)" : "DROP TABLE main.\(ident: o.name)").run()
        }
        let objects = try await sql.raw("SELECT type, name, sql FROM ioc_backup.sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
            .all(decoding: Object.self)
        let names = Set(objects.map(\.name))
        // Tables and their rows first, then indexes, triggers and views (building an index once is faster than keeping
        // it up to date row by row).
        for o in objects where o.type == "table" && !o.name.hasPrefix("sqlite_") {
            try await sql.raw("\(unsafeRaw: try ddl(o.sql))").run()
            try await sql.raw("INSERT INTO main.\(ident: o.name) SELECT * FROM ioc_backup.\(ident: o.name)").run()
        }
        // AUTOINCREMENT counters: the next id continues after the backup's, even past rows deleted before it was made.
        if names.contains("sqlite_sequence") {
            try await sql.raw("DELETE FROM main.sqlite_sequence").run()
            try await sql.raw("INSERT INTO main.sqlite_sequence SELECT * FROM ioc_backup.sqlite_sequence").run()
        }
        for o in objects where ["index", "trigger", "view"].contains(o.type) && !o.name.hasPrefix("sqlite_") {
            try await sql.raw("\(unsafeRaw: try ddl(o.sql))").run()
        }
    }

    /// A schema statement read from the backup's catalogue: only a `CREATE` of one object is run.
    private static func ddl(_ text: String?) throws -> String {
        guard let text, text.uppercased().hasPrefix("CREATE "), !text.contains(";") else {
            throw BackupFailure(vi: "Danh mục của bản sao lưu chứa câu lệnh lạ.", en: "The backup's catalogue holds an unexpected statement.")
        }
        return text
    }

    /// Processes other than this one that hold a lock on the SQLite file or its `-shm` (a server running on it): their
    /// ids, from `/proc/locks` (Linux; elsewhere, nothing is known and the list is empty).
    static func otherProcessesUsing(sqliteFile path: String) -> [Int] {
        guard let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return [] }
        let fm = FileManager.default
        let inodes = Set([path, path + "-shm", path + "-wal"].compactMap { p -> UInt64? in
            (try? fm.attributesOfItem(atPath: p)[.systemFileNumber] as? NSNumber)?.uint64Value
        })
        guard !inodes.isEmpty else { return [] }
        let me = Int(ProcessInfo.processInfo.processIdentifier)
        var pids = Set<Int>()
        // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128" (a waiting lock has "->" before its type).
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").filter { $0 != "->" }
            guard fields.count >= 6, let pid = Int(fields[4]), pid > 0, pid != me,
                  let inode = fields[5].split(separator: ":").last.flatMap({ UInt64($0) }), inodes.contains(inode)
            else { continue }
            pids.insert(pid)
        }
        return pids.sorted()
    }

    // MARK: PostgreSQL

    /// The schema IOC's tables are in: the first of the connection's search path that exists.
    static func currentSchema(_ sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("SELECT current_schema() AS value").first(decoding: Text.self)?.value
    }

    static func postgresTables(_ sql: any SQLDatabase, schema: String) async throws -> [String: Int] {
        let names = try await sql.raw("SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = \(bind: schema) ORDER BY tablename")
            .all(decoding: Name.self).map(\.name)
        var tables: [String: Int] = [:]
        for name in names {
            tables[name] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: schema).\(ident: name)").first(decoding: Count.self)?.n ?? 0
        }
        return tables
    }

    static func postgresServerMajor(_ sql: any SQLDatabase) async throws -> Int {
        let num = try await sql.raw("SELECT current_setting('server_version_num') AS value").first(decoding: Text.self)?.value
        return (num.flatMap(Int.init) ?? 0) / 10_000
    }

    /// Dumps IOC's schema with `pg_dump` into `path`, from a snapshot whose row counts are read in the same transaction.
    static func snapshotPostgres(_ db: any Database, tools: PostgresTools, to path: String) async throws -> Contents {
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
            guard let schema = try await currentSchema(sql) else {
                throw BackupFailure(vi: "Không tìm thấy lược đồ (schema) của IOC trong PostgreSQL.", en: "IOC's schema was not found in PostgreSQL.")
            }
            let major = try await postgresServerMajor(sql)
            guard let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS value").first(decoding: Text.self)?.value else {
                throw BackupFailure(vi: "PostgreSQL không xuất được ảnh chụp dữ liệu.", en: "PostgreSQL did not export a snapshot.")
            }
            // The dump reads the snapshot while this transaction stays open.
            try await tools.dump(schema: schema, snapshot: snapshot, to: path, serverMajor: major)
            let tables = try await postgresTables(sql, schema: schema)
            var head: Int64 = 0
            var fingerprint: String?
            if tables[AuditEntryModel.schema] != nil {
                head = try await sql.raw("SELECT MAX(seq) AS head FROM \(ident: schema).\(ident: AuditEntryModel.schema)").first(decoding: Head.self)?.head ?? 0
            }
            if tables["audit_meta"] != nil {
                fingerprint = try await sql.raw("SELECT key_fingerprint FROM \(ident: schema).audit_meta WHERE id = 1")
                    .first(decoding: Fingerprint.self)?.key_fingerprint
            }
            let version = try await sql.raw("SELECT current_setting('server_version') AS value").first(decoding: Text.self)?.value ?? "?"
            return Contents(tables: tables, auditHead: head, keyFingerprint: fingerprint, databaseVersion: "PostgreSQL \(version)", schema: schema)
        }
    }

    /// Loads a `pg_dump` archive of schema `source` into the schema `target` of the instance's database.
    ///
    /// `pg_restore` recreates the schema under the name it was dumped from, so the target (when it exists) is first
    /// renamed aside; when the names differ, the restored schema is then renamed to the target. `check` runs on the
    /// restored data; if it or anything else fails, the restored schema is dropped and the target renamed back.
    static func restorePostgres(_ db: any Database, tools: PostgresTools, file: String, source: String, target: String,
                                at stamp: String, check: @Sendable (any Database) async throws -> Void) async throws {
        let sql = db as! any SQLDatabase
        struct Exists: Decodable { var n: Int }
        func exists(_ schema: String) async throws -> Bool {
            try await sql.raw("SELECT COUNT(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = \(bind: schema)").first(decoding: Exists.self)?.n ?? 0 > 0
        }
        if source != target, try await exists(source) {
            throw BackupFailure(
                vi: "Bản sao lưu là của lược đồ \(source), lược đồ này đang có trong cơ sở dữ liệu đích: hãy khôi phục vào một cơ sở dữ liệu khác, hoặc đặt IOC_PG_SCHEMA=\(source).",
                en: "The backup is of schema \(source), which exists in the target database: restore into another database, or set IOC_PG_SCHEMA=\(source).")
        }
        // The tool is found and reads the archive before anything changes.
        let tool = try await tools.locate("pg_restore", serverMajor: try await postgresServerMajor(sql))
        try await tools.list(file: file, using: tool)
        let aside = String(target.prefix(40)) + "_pre_restore_" + stamp
        let hadTarget = try await exists(target)
        if hadTarget { try await sql.raw("ALTER SCHEMA \(ident: target) RENAME TO \(ident: aside)").run() }
        do {
            try await tools.restore(file: file, using: tool)
            if source != target { try await sql.raw("ALTER SCHEMA \(ident: source) RENAME TO \(ident: target)").run() }
            try await check(db)
        } catch {
            try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: source) CASCADE").run()
            if source != target { try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: target) CASCADE").run() }
            if hadTarget { try? await sql.raw("ALTER SCHEMA \(ident: aside) RENAME TO \(ident: target)").run() }
            if var failure = error as? BackupFailure, !failure.en.hasSuffix("Undone.") {
                failure.vi += " Đã hoàn tác."
                failure.en += " Undone."
                throw failure
            }
            throw error
        }
        if hadTarget { try await sql.raw("DROP SCHEMA \(ident: aside) CASCADE").run() }
    }
}

/// A backup or restore that cannot go on, with what to do about it in Vietnamese and English (and, from a tool, its own
/// words once).
struct BackupFailure: Error, CustomStringConvertible {
    var vi: String
    var en: String
    var detail: String?
    var description: String { "\(vi) / \(en)" + (detail.map { " — \($0)" } ?? "") }
}

/// `pg_dump` and `pg_restore`, run as subprocesses. The connection's credentials go in their environment (`PGPASSWORD`
/// and the rest), never on their command line (where `ps` shows them) nor in a log.
struct PostgresTools: Sendable {
    /// `--pg-bin`: the only directory to take the tools from; otherwise `PATH`, then `/usr/lib/postgresql/*/bin`.
    var binDirectory: String?
    /// The variables that carry the connection (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE).
    var connection: [String: String]
    var database: String

    init(url: String, binDirectory: String?) throws {
        guard let c = URLComponents(string: url), let user = c.user else {
            throw BackupFailure(vi: "DATABASE_URL không hợp lệ.", en: "DATABASE_URL is not a valid PostgreSQL URL.")
        }
        var env = ["PGUSER": user]
        if let p = c.password { env["PGPASSWORD"] = p }
        let mode = c.queryItems?.last { ["tlsmode", "sslmode", "ssl", "tls"].contains($0.name.lowercased()) }?.value
        switch c.scheme {
        case "postgres+uds", "postgresql+uds":
            // postgres+uds://user@localhost/run/postgresql/.s.PGSQL.5432#database
            let socket = c.path
            env["PGHOST"] = (socket as NSString).deletingLastPathComponent
            if let port = (socket as NSString).lastPathComponent.split(separator: ".").last, Int(port) != nil { env["PGPORT"] = String(port) }
            database = c.fragment ?? user
            env["PGSSLMODE"] = Self.sslMode(mode ?? "disable")
        default:
            env["PGHOST"] = c.host ?? "localhost"
            env["PGPORT"] = String(c.port ?? 5432)
            let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
            database = path.isEmpty ? user : path
            env["PGSSLMODE"] = Self.sslMode(mode ?? "prefer")
        }
        env["PGDATABASE"] = database
        connection = env
        self.binDirectory = binDirectory
    }

    /// The URL's TLS mode (PostgresKit's spellings) as libpq's `sslmode`.
    static func sslMode(_ mode: String) -> String {
        switch mode.lowercased() {
        case "verify-full", "verify-ca", "require", "prefer", "allow", "disable": mode.lowercased()
        case "true": "prefer"
        case "false": "disable"
        default: "prefer"
        }
    }

    /// The environment of a tool: this process's, without any other connection settings, plus the connection's.
    private var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE",
                                                                  "PGSSLMODE", "PGSERVICE", "PGOPTIONS"].contains($0.key) }
        env.merge(connection) { _, new in new }
        return env
    }

    /// Finds `tool` at a major version at least the server's (`pg_dump` refuses a server newer than itself): the first on
    /// `PATH` when it is recent enough, else the newest under `/usr/lib/postgresql/*/bin` (Debian's packages put them
    /// there, and `/usr/bin` may be missing them or hold an older client).
    func locate(_ tool: String, serverMajor: Int) async throws -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        if let binDirectory {
            candidates = [(binDirectory as NSString).appendingPathComponent(tool)]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            if let first = path.split(separator: ":").map({ "\($0)/\(tool)" }).first(where: { fm.isExecutableFile(atPath: $0) }) {
                candidates.append(first)
            }
            let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted(by: >)
            candidates += versions.map { "/usr/lib/postgresql/\($0)/bin/\(tool)" }
        }
        var found: [String] = []
        for candidate in candidates where fm.isExecutableFile(atPath: candidate) {
            let (status, output) = try await Self.run(candidate, ["--version"], environment: environment)
            guard status == 0, let major = Self.majorVersion(output) else { continue }
            if major >= serverMajor { return candidate }
            found.append("\(candidate) (\(major))")
        }
        throw BackupFailure(
            vi: "Không tìm thấy \(tool) phiên bản \(serverMajor) trở lên cho máy chủ PostgreSQL \(serverMajor)\(found.isEmpty ? "" : "; đã thấy: \(found.joined(separator: ", "))"). Cài gói postgresql-client-\(serverMajor) hoặc chỉ thư mục bằng --pg-bin.",
            en: "No \(tool) of version \(serverMajor) or newer for PostgreSQL server \(serverMajor)\(found.isEmpty ? "" : "; found: \(found.joined(separator: ", "))"). Install postgresql-client-\(serverMajor) or name the directory with --pg-bin.")
    }

    /// "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → 15.
    static func majorVersion(_ output: String) -> Int? {
        guard let range = output.range(of: "(PostgreSQL) ") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }

    func dump(schema: String, snapshot: String, to path: String, serverMajor: Int) async throws {
        let tool = try await locate("pg_dump", serverMajor: serverMajor)
        // A quoted pattern names the schema exactly.
        let pattern = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let (status, output) = try await Self.run(tool, ["--format=custom", "--no-password", "--schema=\(pattern)", "--snapshot=\(snapshot)",
                                                         "--file=\(path)"], environment: environment)
        guard status == 0 else { throw Self.failure("pg_dump", status: status, output: output) }
    }

    /// Reads the archive's table of contents: it is an archive this `pg_restore` can load.
    func list(file: String, using tool: String) async throws {
        let (status, output) = try await Self.run(tool, ["--list", file], environment: environment)
        guard status == 0 else { throw Self.failure("pg_restore --list", status: status, output: output) }
    }

    func restore(file: String, using tool: String) async throws {
        // Objects belong to the connecting role (the backup may come from a server with other roles).
        let (status, output) = try await Self.run(tool, ["--no-password", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                                                         "--dbname=\(database)", file], environment: environment)
        guard status == 0 else { throw Self.failure("pg_restore", status: status, output: output) }
    }

    /// The tool's own error lines, without the DETAIL, CONTEXT and statement lines that may quote row values (personal data).
    static func failure(_ tool: String, status: Int32, output: String) -> BackupFailure {
        let lines = output.split(separator: "\n").map { String($0.prefix(300)) }.filter { $0.contains("error:") || $0.contains("FATAL:") }.prefix(3)
        let what = lines.isEmpty ? "exit status \(status)" : lines.joined(separator: " | ")
        return BackupFailure(vi: "\(tool) thất bại", en: "\(tool) failed", detail: what)
    }

    /// Runs a program to its end; its standard output and error (together) are returned.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> (Int32, String) {
        let fm = FileManager.default
        let log = fm.temporaryDirectory.appendingPathComponent("ioc-\(UUID().uuidString).log").path
        guard fm.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw BackupFailure(vi: "Không tạo được tệp tạm \(log).", en: "Cannot create the temporary file \(log).")
        }
        defer { try? fm.removeItem(atPath: log) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? handle.close()
        let output = fm.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (status, output)
    }
}
