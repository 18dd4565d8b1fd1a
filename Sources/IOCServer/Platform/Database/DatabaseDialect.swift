import Fluent
import Foundation
import SQLKit

/// The one place where SQL differs between SQLite and PostgreSQL. Services ask it for an expression instead of
/// branching on the database themselves.
///
/// Fluent stores dates as Unix seconds (REAL) on SQLite and as `timestamptz` on PostgreSQL, UUIDs as text on SQLite
/// and as `uuid` on PostgreSQL; SQLite takes index hints, PostgreSQL plans by statistics; PostgreSQL has advisory
/// locks, SQLite has one writer anyway.
struct DatabaseDialect: Sendable {
    enum Kind: Sendable { case sqlite, postgres }
    let kind: Kind

    init(kind: Kind) { self.kind = kind }

    init(_ sql: any SQLDatabase) {
        kind = sql.dialect.name == "sqlite" ? .sqlite : .postgres
    }

    init(_ db: any Database) {
        self.init(db as! any SQLDatabase)
    }

    var isSQLite: Bool { kind == .sqlite }

    /// Seconds between two timestamp columns (`to - from`).
    func secondsBetween(_ from: String, _ to: String) -> SQLQueryString {
        isSQLite ? "(\(ident: to) - \(ident: from))" : "EXTRACT(EPOCH FROM (\(ident: to) - \(ident: from)))"
    }

    /// The local (Asia/Ho_Chi_Minh, UTC+7, no daylight saving) day number since 1970 of a timestamp column.
    func localDayNumber(_ column: String) -> SQLQueryString {
        isSQLite ? "CAST((\(ident: column) + 25200) / 86400 AS INTEGER)"
                 : "CAST(FLOOR((EXTRACT(EPOCH FROM \(ident: column)) + 25200) / 86400) AS INTEGER)"
    }

    /// A UUID column as text (to group or compare with strings).
    func uuidText(_ column: String) -> SQLQueryString {
        isSQLite ? "\(ident: column)" : "CAST(\(ident: column) AS TEXT)"
    }

    /// ` INDEXED BY name` on SQLite (which has no statistics to choose an index by); nothing on PostgreSQL.
    func indexHint(_ index: String) -> SQLQueryString {
        isSQLite ? " INDEXED BY \(ident: index)" : ""
    }

    /// Serialises writers across instances for the rest of the transaction (PostgreSQL); nil on SQLite, where the
    /// single writer already does.
    func transactionLock(_ key: Int64) -> SQLQueryString? {
        isSQLite ? nil : "SELECT pg_advisory_xact_lock(\(literal: key))"
    }
}

extension SQLDatabase {
    var iocDialect: DatabaseDialect { DatabaseDialect(self) }
}
