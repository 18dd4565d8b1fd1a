import Logging

/// Wraps a log handler and removes what must never reach a log: the bind values of SQL statements (the drivers log
/// statements with their binds at their query log level; binds carry citizens' names, phones and addresses).
public struct RedactingLogHandler: LogHandler {
    /// Metadata keys whose values are replaced.
    public static let redactedKeys: Set<String> = ["binds", "psql_binds", "sqlite_binds"]

    private var inner: any LogHandler

    public init(_ inner: any LogHandler) { self.inner = inner }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public static func redact(_ metadata: Logger.Metadata?) -> Logger.Metadata? {
        guard var m = metadata, m.keys.contains(where: redactedKeys.contains) else { return metadata }
        for key in redactedKeys where m[key] != nil { m[key] = "[redacted]" }
        return m
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        inner.log(level: level, message: message, metadata: Self.redact(metadata), source: source, file: file, function: function, line: line)
    }
}
