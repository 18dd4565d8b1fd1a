import Crypto
import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ioc backup` and `ioc restore` (called from `registerCommands`).
func registerBackupCommands(_ app: Application) {
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
}

/// `ioc backup --output PATH`: a consistent backup of a running instance, as one directory:
///
/// - `database.sqlite` (SQLite: a copy made by `VACUUM INTO` from one read transaction, while the server goes on
///   writing) or `database.pgdump` (PostgreSQL: `pg_dump --format=custom` of IOC's schema);
/// - `audit-anchors.jsonl`: the audit chain's exported heads, read before the database so every head it names is in
///   the copy;
/// - `audit.key` only with `--include-key`: the audit key is a secret kept outside the database on purpose (whoever holds
///   the database without the key cannot rewrite the log), so a backup does not carry it unless asked to;
/// - `manifest.json`: IOC version, storage, schema, time, the key's fingerprint, rows per table and the SHA-256 of
///   every file.
///
/// The directory is written under a temporary name and renamed when complete: a failed backup leaves nothing under the
/// final name. Files are readable by their owner only (they hold citizens' personal data).
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", short: "o", help: "Directory to create; an existing directory gets a new ioc-backup-<UTC time> inside it")
        var output: String?
        @Flag(name: "include-key", help: "Also copy the audit key into the backup (a secret: keep such a backup as safe as the key)")
        var includeKey: Bool
        @Option(name: "pg-bin", help: "PostgreSQL: directory of pg_dump (default: PATH, then the newest /usr/lib/postgresql/*/bin)")
        var pgBin: String?
    }

    var help: String { "Back up this instance (also while it runs): database, audit anchors, manifest; the audit key only with --include-key" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let output = signature.output, !output.isEmpty else {
            throw CommandFailure("Cần --output THƯ_MỤC. / --output DIRECTORY is required.")
        }
        // A command boots the background runner; a backup writes nothing.
        await app.backgroundRunner.stop()
        let started = ContinuousClock.now
        do {
            let made = try await Backup.create(app, output: output, includeKey: signature.includeKey, pgBin: signature.pgBin)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            let m = made.manifest
            context.console.print("Đã sao lưu / Backed up: \(made.path)")
            context.console.print("  \(m.databaseVersion), \(m.tables.count) tables, \(m.tables.values.reduce(0, +)) rows, "
                                  + "audit log up to entry \(m.auditHead), \(Backup.formatBytes(made.bytes)) in \(String(format: "%.1f", seconds)) s")
            if signature.includeKey {
                context.console.warning("  Bản sao lưu chứa khóa kiểm toán: giữ nó an toàn như chính khóa. / The backup holds the audit key: keep it as safe as the key itself.")
            } else {
                context.console.print("  Khóa kiểm toán không nằm trong bản sao lưu, hãy giữ riêng / The audit key is not in the backup, keep it apart "
                                      + "(fingerprint \(m.auditKeyFingerprint?.prefix(16) ?? "–")…).")
            }
        } catch let failure as BackupFailure {
            throw CommandFailure("Sao lưu thất bại, không để lại gì: \(failure.vi) / Backup failed, nothing was left behind: \(failure.en)"
                                 + (failure.detail.map { " — \($0)" } ?? ""))
        } catch {
            throw CommandFailure("Sao lưu thất bại, không để lại gì / Backup failed, nothing was left behind — \(error)")
        }
    }
}

/// `ioc restore --input PATH [--force] [--install-key]`: loads a backup into this instance (stop its servers first),
/// then checks it: rows per table equal the manifest's and the audit chain verifies against the backup's anchors.
/// Every check that can be made first is made first, and a failure changes nothing.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "input", short: "i", help: "A directory made by `ioc backup`")
        var input: String?
        @Flag(name: "force", help: "Replace the data this instance already has")
        var force: Bool
        @Flag(name: "install-key", help: "Use the audit key saved in the backup (made with --include-key): written to this instance's key file")
        var installKey: Bool
        @Option(name: "pg-bin", help: "PostgreSQL: directory of pg_restore (default: PATH, then the newest /usr/lib/postgresql/*/bin)")
        var pgBin: String?
    }

    var help: String { "Restore a backup into this (empty) instance and verify it: rows per table and the audit chain" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let input = signature.input, !input.isEmpty else {
            throw CommandFailure("Cần --input THƯ_MỤC. / --input DIRECTORY is required.")
        }
        // Nothing else of this process may write while the data is replaced.
        await app.backgroundRunner.stop()
        do {
            let done = try await Backup.restore(app, input: input, force: signature.force, installKey: signature.installKey, pgBin: signature.pgBin)
            context.console.print("Đã khôi phục và kiểm tra / Restored and verified: \(done.manifest.tables.count) tables, "
                                  + "\(done.manifest.tables.values.reduce(0, +)) rows, audit log intact (\(done.auditEntries) entries); backup of "
                                  + "\(ISO8601DateFormatter().string(from: done.manifest.createdAt)).")
            for note in done.notes { context.console.print("  \(note)") }
            if app.iocConfiguration.isPostgres {
                context.console.print("  Run `ioc migrate --yes` before `ioc serve` if this version of IOC is newer than the backup's (\(done.manifest.iocVersion)).")
            }
        } catch let failure as BackupFailure {
            throw CommandFailure("Khôi phục thất bại: \(failure.vi) / Restore failed: \(failure.en)" + (failure.detail.map { " — \($0)" } ?? ""))
        } catch {
            throw CommandFailure("Khôi phục thất bại / Restore failed — \(error)")
        }
    }
}

/// What `manifest.json` says about a backup.
struct BackupManifest: Codable, Sendable, Equatable {
    static let currentFormat = "ioc-backup/1"

    enum Storage: String, Codable, Sendable { case sqlite, postgresql }

    struct File: Codable, Sendable, Equatable {
        var bytes: Int64
        var sha256: String
    }

    var format: String
    var iocVersion: String
    var storage: Storage
    /// PostgreSQL: the schema that was dumped (the restored tables go to the target's own schema).
    var schema: String?
    var createdAt: Date
    var databaseVersion: String
    /// The audit chain's last entry in the backup (0: empty).
    var auditHead: Int64
    /// The fingerprint of the key the audit chain is written with (it reveals nothing of the key).
    var auditKeyFingerprint: String?
    /// `audit.key` is in the backup (`--include-key`).
    var includesKey: Bool
    /// Rows per table, read from the backed-up data itself.
    var tables: [String: Int]
    /// Every other file of the backup.
    var files: [String: File]
}

/// Making and loading backups (see `BackupCommand`, `RestoreCommand`).
enum Backup {
    static let manifestFile = "manifest.json"
    static let anchorsFile = "audit-anchors.jsonl"
    static let keyFile = "audit.key"

    static func databaseFile(_ storage: BackupManifest.Storage) -> String {
        storage == .sqlite ? "database.sqlite" : "database.pgdump"
    }

    /// Tables the migrations fill by themselves (their log, the audit key's fingerprint, reference units, the default
    /// report categories and routing): an instance whose rows are all in these has never been used, and a restore may
    /// replace it. Any change to them after that is audited, so `audit_log` has a row and the instance counts as used.
    /// (A migration that starts filling another table makes `restoreIntoAnEmptyInstanceGivesBackEveryTable` fail until
    /// the table is named here.)
    static let tablesMigrationsFill: Set<String> = ["_fluent_migrations", "audit_meta", "units", "legacy_provinces", "fr_categories",
                                                    "fr_routing_rules"]

    struct Made: Sendable {
        var path: String
        var manifest: BackupManifest
        var bytes: Int64
    }

    // MARK: Backup

    static func create(_ app: Application, output: String, includeKey: Bool, pgBin: String?) async throws -> Made {
        let config = app.iocConfiguration
        let now = app.clock.now
        let fm = FileManager.default
        let storage: BackupManifest.Storage
        switch config.storage {
        case .sqliteFile: storage = .sqlite
        case .postgres: storage = .postgresql
        case .sqliteMemory:
            throw BackupFailure(vi: "Cơ sở dữ liệu tạm trong bộ nhớ không sao lưu được.", en: "A temporary in-memory database cannot be backed up.")
        }

        // The final name: the given path, or a new time-named directory inside an existing one.
        var isDirectory: ObjCBool = false
        var final = output
        if fm.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw BackupFailure(vi: "\(output) đã có và không phải thư mục.", en: "\(output) exists and is not a directory.")
            }
            final = (output as NSString).appendingPathComponent("ioc-backup-" + stamp(now))
            guard !fm.fileExists(atPath: final) else {
                throw BackupFailure(vi: "\(final) đã có.", en: "\(final) already exists.")
            }
        }
        final = URL(fileURLWithPath: final).standardizedFileURL.path
        let parent = (final as NSString).deletingLastPathComponent
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = (parent as NSString).appendingPathComponent(".\((final as NSString).lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        func path(_ name: String) -> String { (staging as NSString).appendingPathComponent(name) }

        do {
            // The anchors before the database: every head they name was committed before the copy was taken.
            try write(completeLines(of: app.audit.anchorFile), to: path(anchorsFile))
            let database = databaseFile(storage)
            let contents: DatabaseBackup.Contents
            switch config.storage {
            case .postgres(let url):
                let tools = try PostgresTools(url: url, binDirectory: pgBin)
                contents = try await DatabaseBackup.snapshotPostgres(app.db, tools: tools, to: path(database))
            default:
                contents = try await DatabaseBackup.snapshotSQLite(app.db, to: path(database))
            }
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path(database))
            guard !contents.tables.isEmpty else {
                throw BackupFailure(vi: "Cơ sở dữ liệu chưa có bảng nào của IOC: không có gì để sao lưu.",
                                    en: "The database has no IOC table yet: there is nothing to back up.")
            }
            var names = [database, anchorsFile]
            if includeKey {
                try write(Data((hex(app.audit.key) + "\n").utf8), to: path(keyFile))
                names.append(keyFile)
            }
            var files: [String: BackupManifest.File] = [:]
            for name in names {
                try sync(path(name))
                files[name] = try digest(path(name))
            }
            let manifest = BackupManifest(
                format: BackupManifest.currentFormat, iocVersion: HealthController.version, storage: storage, schema: contents.schema,
                createdAt: now, databaseVersion: contents.databaseVersion, auditHead: contents.auditHead,
                auditKeyFingerprint: contents.keyFingerprint, includesKey: includeKey, tables: contents.tables, files: files)
            try write(try encoder.encode(manifest), to: path(manifestFile))
            try sync(path(manifestFile))
            try sync(staging)
            try fm.moveItem(atPath: staging, toPath: final)
            try sync(parent)
            return Made(path: final, manifest: manifest, bytes: files.values.reduce(0) { $0 + $1.bytes })
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    // MARK: Restore

    struct Restored: Sendable {
        var manifest: BackupManifest
        var auditEntries: Int
        /// What was kept aside or installed, for the operator.
        var notes: [String]
    }

    /// Reads and checks a backup's manifest and files (every SHA-256) without changing anything.
    static func verifiedManifest(of input: String) throws -> BackupManifest {
        let manifestPath = (input as NSString).appendingPathComponent(manifestFile)
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw BackupFailure(vi: "\(input) không phải bản sao lưu IOC (thiếu \(manifestFile)).", en: "\(input) is not an IOC backup (no \(manifestFile)).")
        }
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupFailure(vi: "\(manifestFile) hỏng hoặc không đọc được.", en: "\(manifestFile) is damaged or unreadable.")
        }
        guard manifest.format == BackupManifest.currentFormat else {
            throw BackupFailure(vi: "Định dạng sao lưu \(manifest.format) không được hỗ trợ.", en: "Backup format \(manifest.format) is not supported.")
        }
        let database = databaseFile(manifest.storage)
        guard manifest.files[database] != nil, manifest.files[anchorsFile] != nil else {
            throw BackupFailure(vi: "Bản sao lưu thiếu tệp \(database) hoặc \(anchorsFile).", en: "The backup lacks \(database) or \(anchorsFile).")
        }
        for (name, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
            // Names come from the manifest: plain file names only.
            guard !name.contains("/"), name != ".", name != ".." else {
                throw BackupFailure(vi: "Tên tệp lạ trong \(manifestFile): \(name).", en: "Unexpected file name in \(manifestFile): \(name).")
            }
            let file = (input as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file) else {
                throw BackupFailure(vi: "Bản sao lưu thiếu tệp \(name).", en: "The backup lacks the file \(name).")
            }
            guard try digest(file) == expected else {
                throw BackupFailure(vi: "Bản sao lưu bị hỏng: tệp \(name) không khớp mã SHA-256 trong \(manifestFile). Không thay đổi gì.",
                                    en: "The backup is damaged: \(name) does not match its SHA-256 in \(manifestFile). Nothing was changed.")
            }
        }
        return manifest
    }

    static func restore(_ app: Application, input: String, force: Bool, installKey: Bool, pgBin: String?) async throws -> Restored {
        let config = app.iocConfiguration
        let fm = FileManager.default
        let stamp = stamp(app.clock.now)
        func file(_ name: String) -> String { (input as NSString).appendingPathComponent(name) }

        // 1. The backup is whole, and of this kind of database.
        let manifest = try verifiedManifest(of: input)
        switch (manifest.storage, config.storage) {
        case (.sqlite, .sqliteFile), (.postgresql, .postgres): break
        default:
            throw BackupFailure(
                vi: "Bản sao lưu \(manifest.storage.rawValue) không khôi phục được vào \(config.isPostgres ? "PostgreSQL" : "SQLite").",
                en: "A \(manifest.storage.rawValue) backup cannot be restored into \(config.isPostgres ? "PostgreSQL" : "SQLite").")
        }

        // 2. The key: the restored chain verifies, and the server starts, only with the key it was written with.
        var key = app.audit.key
        var keyToInstall: SymmetricKey?
        let running = AuditChain.fingerprint(app.audit.key)
        if let recorded = manifest.auditKeyFingerprint, recorded != running {
            let saved = manifest.includesKey
                ? (try? String(contentsOfFile: file(keyFile), encoding: .utf8)).flatMap { try? AuditKeys.parse($0, what: keyFile) } : nil
            guard installKey, let saved, AuditChain.fingerprint(saved) == recorded else {
                let hint: (vi: String, en: String) = manifest.includesKey
                    ? ("hoặc chạy lại với --install-key để dùng khóa lưu trong bản sao lưu", "or run again with --install-key to use the key saved in the backup")
                    : ("bản sao lưu không chứa khóa (sao lưu với --include-key nếu muốn)", "the backup does not hold it (back up with --include-key for that)")
                throw BackupFailure(
                    vi: "Nhật ký kiểm toán của bản sao lưu được ký bằng khóa khác (dấu vân tay \(recorded.prefix(16))…) với khóa của phiên bản này (\(running.prefix(16))…): nhật ký sẽ không xác minh được và máy chủ sẽ không khởi động. Đặt khóa gốc vào IOC_AUDIT_KEY, IOC_AUDIT_KEY_FILE hoặc <data>/audit.key, \(hint.vi). Không thay đổi gì.",
                    en: "The backup's audit log was written with another key (fingerprint \(recorded.prefix(16))…) than the one this instance runs with (\(running.prefix(16))…): the log would not verify and the server would refuse to start. Put the original key in IOC_AUDIT_KEY, IOC_AUDIT_KEY_FILE or <data>/audit.key, \(hint.en). Nothing was changed.")
            }
            guard config.auditKey == nil else {
                throw BackupFailure(vi: "IOC_AUDIT_KEY đang đặt khóa khác: hãy đặt IOC_AUDIT_KEY bằng khóa trong \(keyFile) của bản sao lưu rồi chạy lại.",
                                    en: "IOC_AUDIT_KEY sets another key: set IOC_AUDIT_KEY to the key in the backup's \(keyFile) and run again.")
            }
            key = saved
            keyToInstall = saved
        }

        // 3. Nobody else is using the database.
        if case .sqliteFile(let path) = config.storage {
            let others = DatabaseBackup.otherProcessesUsing(sqliteFile: path)
            guard others.isEmpty else {
                throw BackupFailure(vi: "Tệp \(path) đang được tiến trình \(others.map(String.init).joined(separator: ", ")) sử dụng: hãy dừng máy chủ IOC trước. Không thay đổi gì.",
                                    en: "\(path) is in use by process \(others.map(String.init).joined(separator: ", ")): stop the IOC server first. Nothing was changed.")
            }
        }

        // 4. The target is empty, or the operator said to replace it.
        let present = try await DatabaseBackup.rowCounts(app.db)
        let occupied = present.filter { $0.value > 0 && !tablesMigrationsFill.contains($0.key) }.keys.sorted()
        let anchorsPath = app.audit.anchorFile
        let anchorsInPlace = anchorsPath.flatMap { fm.contents(atPath: $0) }.map { !$0.isEmpty } ?? false
        if !force, !occupied.isEmpty || anchorsInPlace {
            let what = occupied.isEmpty ? anchorsPath ?? "" : occupied.prefix(5).joined(separator: ", ") + (occupied.count > 5 ? ", …" : "")
            throw BackupFailure(
                vi: "Phiên bản đích đã có dữ liệu (\(what)). Không thay đổi gì. Hãy khôi phục vào một phiên bản trống, hoặc thêm --force để thay thế dữ liệu đó.",
                en: "The target instance already has data (\(what)). Nothing was changed. Restore into an empty instance, or add --force to replace its data.")
        }

        // 5. Load, and check before it counts: the rows of every table and the audit chain against the backup's anchors.
        let verifier = AuditLog(key: key, anchorFile: file(anchorsFile))
        let entries = NIOLockedValueBox(0)
        let check: @Sendable (any Database) async throws -> Void = { db in
            let counts = try await DatabaseBackup.rowCounts(db)
            if counts != manifest.tables {
                let differing = Set(counts.keys).union(manifest.tables.keys).filter { counts[$0] != manifest.tables[$0] }.sorted()
                let list = differing.prefix(5).map { "\($0) \(counts[$0].map(String.init) ?? "–")≠\(manifest.tables[$0].map(String.init) ?? "–")" }
                    .joined(separator: ", ")
                throw BackupFailure(vi: "Số dòng đã khôi phục khác bản kê: \(list). Đã hoàn tác.", en: "Restored row counts differ from the manifest: \(list). Undone.")
            }
            let (count, problem) = try await verifier.verify(on: db)
            if let problem {
                throw BackupFailure(vi: "Chuỗi nhật ký kiểm toán đã khôi phục không hợp lệ: \(problem). Đã hoàn tác.",
                                    en: "The restored audit chain does not verify: \(problem). Undone.")
            }
            entries.withLockedValue { $0 = count }
        }
        do {
            switch config.storage {
            case .postgres(let url):
                guard let source = manifest.schema else {
                    throw BackupFailure(vi: "Bản kê không ghi lược đồ PostgreSQL.", en: "The manifest names no PostgreSQL schema.")
                }
                let sql = app.db as! any SQLDatabase
                var target = config.postgresSchema
                if target == nil { target = try await DatabaseBackup.currentSchema(sql) }
                let tools = try PostgresTools(url: url, binDirectory: pgBin)
                try await DatabaseBackup.restorePostgres(app.db, tools: tools, file: file(databaseFile(.postgresql)), source: source, target: target ?? "public",
                                                         at: stamp, check: check)
            default:
                try await DatabaseBackup.restoreSQLite(app.db, from: file(databaseFile(.sqlite)), check: check)
            }
        } catch let failure as BackupFailure {
            throw failure
        } catch {
            throw BackupFailure(vi: "Nạp dữ liệu thất bại, đã hoàn tác.", en: "Loading the data failed and was undone.", detail: "\(error)")
        }

        // 6. The anchors and, when asked, the key, beside the restored database (what they replace is kept aside).
        var notes: [String] = []
        if let anchorsPath {
            if anchorsInPlace {
                let aside = anchorsPath + ".before-restore-" + stamp
                try fm.moveItem(atPath: anchorsPath, toPath: aside)
                notes.append("Previous audit anchors kept in \(aside).")
            }
            try replace(anchorsPath, with: fm.contents(atPath: file(anchorsFile)) ?? Data())
        }
        if let keyToInstall {
            let keyPath = config.auditKeyFile ?? (config.dataDirectory as NSString).appendingPathComponent(keyFile)
            if fm.fileExists(atPath: keyPath) {
                let aside = keyPath + ".before-restore-" + stamp
                try fm.moveItem(atPath: keyPath, toPath: aside)
                notes.append("Previous audit key kept in \(aside) (delete it once the restore is confirmed).")
            }
            try replace(keyPath, with: Data((hex(keyToInstall) + "\n").utf8))
            notes.append("Audit key of the backup installed in \(keyPath).")
        }
        return Restored(manifest: manifest, auditEntries: entries.withLockedValue { $0 }, notes: notes)
    }

    // MARK: Files

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// `yyyyMMdd-HHmmss` in UTC.
    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func hex(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
    }

    static func formatBytes(_ n: Int64) -> String {
        n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / 1_048_576) : String(format: "%.1f KB", Double(n) / 1024)
    }

    /// The file's whole lines (an anchor being appended at this moment is left for the next backup).
    static func completeLines(of path: String?) -> Data {
        guard let path, let data = FileManager.default.contents(atPath: path), let end = data.lastIndex(of: 0x0A) else { return Data() }
        return data[...end]
    }

    /// A new file readable by its owner only.
    static func write(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw BackupFailure(vi: "Không ghi được \(path).", en: "Cannot write \(path).")
        }
    }

    /// Writes a file under a temporary name beside it, then renames it into place.
    static func replace(_ path: String, with data: Data) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".partial-\(UUID().uuidString.prefix(8))"
        try write(data, to: temporary)
        try sync(temporary)
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw BackupFailure(vi: "Không thay được \(path).", en: "Cannot replace \(path).")
        }
    }

    /// Flushes a file or a directory to the disk.
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BackupFailure(vi: "Không mở được \(path).", en: "Cannot open \(path).") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BackupFailure(vi: "Không ghi được xuống đĩa: \(path).", en: "Cannot flush \(path) to disk.") }
    }

    static func digest(_ path: String) throws -> BackupManifest.File {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BackupFailure(vi: "Không đọc được \(path).", en: "Cannot read \(path).")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return .init(bytes: bytes, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
    }
}
