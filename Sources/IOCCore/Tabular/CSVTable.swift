import Foundation

/// Reads and writes CSV files as a grid of strings (RFC 4180, plus what Excel does in Vietnam).
///
/// Reading accepts:
/// - quoted fields, doubled quotes (`""`), separators and line breaks inside quotes;
/// - CRLF, LF or CR line endings;
/// - UTF-8 with or without a byte order mark, and UTF-16 (little or big endian) with a byte order mark,
///   which is what Excel's "Unicode Text" export produces;
/// - `,`, `;` or tab as the separator, detected from the header line. Excel with Vietnamese regional
///   settings uses `;` because `,` is the decimal mark. An Excel `sep=;` first line is honoured and skipped.
///
/// Like Excel, the reader is lenient with a stray quote inside an unquoted field (kept as is) and with
/// text after a closing quote (appended). Blank lines are kept as a row with one empty field, so that
/// `rows[i]` is always spreadsheet row `i + 1`, the row number used in error messages.
public enum CSVTable: Sendable {
    /// A field separator.
    public enum Separator: UInt8, Sendable, CaseIterable {
        /// `,` — RFC 4180 and Excel with English regional settings.
        case comma = 0x2C
        /// `;` — Excel with Vietnamese (and most European) regional settings.
        case semicolon = 0x3B
        /// Tab — Excel's "Unicode Text" export.
        case tab = 0x09
    }

    /// Bounds that protect the server from oversized uploads.
    public struct Limits: Sendable, Equatable {
        /// Largest number of rows accepted, header included.
        public var maxRows: Int
        /// Largest field accepted, in UTF-8 bytes.
        public var maxFieldBytes: Int

        /// Creates limits; the defaults are one million rows and 1 MB per field.
        public init(maxRows: Int = 1_000_000, maxFieldBytes: Int = 1_048_576) {
            self.maxRows = maxRows
            self.maxFieldBytes = maxFieldBytes
        }
    }

    /// Parses a CSV file into rows of fields.
    ///
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - separator: The separator to use; `nil` (the default) detects it from the header line.
    ///   - limits: Row and field size bounds.
    /// - Returns: One array of fields per record. Rows may have different lengths.
    /// - Throws: ``TabularError`` with the 1-based row number for an unterminated quote, an oversized
    ///   field, too many rows or bytes that are not valid UTF-8.
    public static func parse(
        _ data: Data, separator: Separator? = nil, limits: Limits = Limits()
    ) throws(TabularError) -> [[String]] {
        let bytes = try utf8Bytes(of: data)
        var start = 0
        var chosen = separator
        if let hinted = excelSeparatorHint(in: bytes) {
            chosen = chosen ?? hinted.separator
            start = hinted.contentStart
        }
        let scanner = RecordScanner(
            bytes: bytes,
            separator: (chosen ?? detectSeparator(in: bytes, from: start)).rawValue,
            limits: limits
        )
        return try scanner.records(from: start)
    }

    /// Writes rows as CSV: UTF-8 with a byte order mark (so that Excel shows Vietnamese correctly),
    /// CRLF line endings, and quotes around fields that contain the separator, a quote or a line break.
    ///
    /// - Parameters:
    ///   - rows: The rows to write.
    ///   - separator: The separator; `,` by default. Use `;` for files that users open by double-clicking
    ///     in Excel with Vietnamese regional settings.
    public static func write(_ rows: [[String]], separator: Separator = .comma) -> Data {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(rows.count * 32)
        let sep = separator.rawValue
        for row in rows {
            for (index, field) in row.enumerated() {
                if index > 0 { out.append(sep) }
                let utf8 = field.utf8
                let needsQuotes = utf8.contains { $0 == sep || $0 == quote || $0 == carriageReturn || $0 == lineFeed }
                if needsQuotes {
                    out.append(quote)
                    for byte in utf8 {
                        if byte == quote { out.append(quote) }
                        out.append(byte)
                    }
                    out.append(quote)
                } else {
                    out.append(contentsOf: utf8)
                }
            }
            out.append(carriageReturn)
            out.append(lineFeed)
        }
        return Data(out)
    }
}

// MARK: - Scanning

extension CSVTable {
    static let quote: UInt8 = 0x22
    static let carriageReturn: UInt8 = 0x0D
    static let lineFeed: UInt8 = 0x0A

    /// Splits UTF-8 bytes into records. Separators, quotes and line breaks are ASCII, and no byte of a
    /// multi-byte UTF-8 sequence is ASCII, so scanning bytes is safe for Vietnamese text.
    struct RecordScanner {
        let bytes: [UInt8]
        let separator: UInt8
        let limits: Limits

        func records(from start: Int) throws(TabularError) -> [[String]] {
            var rows: [[String]] = []
            var row: [String] = []
            var index = start
            let end = bytes.count
            guard index < end else { return [] }
            while true {
                let rowNumber = rows.count + 1
                row.append(try field(at: &index, rowNumber: rowNumber))
                if index >= end {
                    rows.append(row)
                    break
                }
                if bytes[index] == separator {
                    index += 1
                    continue
                }
                // A line break ends the record.
                if bytes[index] == carriageReturn, index + 1 < end, bytes[index + 1] == lineFeed {
                    index += 2
                } else {
                    index += 1
                }
                if rows.count == limits.maxRows {
                    throw TabularError.tooManyRows(row: rowNumber, limit: limits.maxRows)
                }
                rows.append(row)
                row = []
                if index >= end { break }
            }
            if rows.count > limits.maxRows {
                throw TabularError.tooManyRows(row: rows.count, limit: limits.maxRows)
            }
            return rows
        }

        /// Reads one field starting at `index` and leaves `index` on the separator, line break or end.
        private func field(at index: inout Int, rowNumber: Int) throws(TabularError) -> String {
            let end = bytes.count
            guard index < end, bytes[index] == quote else {
                let start = index
                while index < end {
                    let byte = bytes[index]
                    if byte == separator || byte == lineFeed || byte == carriageReturn { break }
                    index += 1
                }
                guard index - start <= limits.maxFieldBytes else {
                    throw TabularError.fieldTooLarge(row: rowNumber, limit: limits.maxFieldBytes)
                }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            index += 1
            var value: [UInt8] = []
            var segmentStart = index
            while true {
                guard index < end else { throw TabularError.unterminatedQuote(row: rowNumber) }
                if bytes[index] == quote {
                    value.append(contentsOf: bytes[segmentStart..<index])
                    if index + 1 < end, bytes[index + 1] == quote {
                        value.append(quote)
                        index += 2
                        segmentStart = index
                        continue
                    }
                    index += 1
                    break
                }
                index += 1
            }
            // Text after the closing quote is kept, as Excel does.
            while index < end {
                let byte = bytes[index]
                if byte == separator || byte == lineFeed || byte == carriageReturn { break }
                value.append(byte)
                index += 1
            }
            guard value.count <= limits.maxFieldBytes else {
                throw TabularError.fieldTooLarge(row: rowNumber, limit: limits.maxFieldBytes)
            }
            return String(decoding: value, as: UTF8.self)
        }
    }

    /// Picks the separator that occurs most often, outside quotes, in the first record.
    /// Ties prefer `;` then tab over `,`, because commas are common inside Vietnamese addresses.
    static func detectSeparator(in bytes: [UInt8], from start: Int) -> Separator {
        var counts: [Separator: Int] = [:]
        var inQuotes = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == lineFeed || byte == carriageReturn { break }
                if let separator = Separator(rawValue: byte) { counts[separator, default: 0] += 1 }
            }
            index += 1
        }
        let preference: [Separator] = [.semicolon, .tab, .comma]
        var best = Separator.comma
        var bestCount = 0
        for candidate in preference where counts[candidate, default: 0] > bestCount {
            best = candidate
            bestCount = counts[candidate, default: 0]
        }
        return best
    }

    /// Recognises Excel's `sep=;` first line, which tells Excel which separator the file uses.
    static func excelSeparatorHint(in bytes: [UInt8]) -> (separator: Separator, contentStart: Int)? {
        let prefix: [UInt8] = Array("sep=".utf8)
        guard bytes.count >= 5, Array(bytes[0..<4]) == prefix,
            let separator = Separator(rawValue: bytes[4])
        else { return nil }
        var index = 5
        if index < bytes.count, bytes[index] == carriageReturn { index += 1 }
        if index < bytes.count, bytes[index] == lineFeed { index += 1 }
        guard index > 5 || index == bytes.count else { return nil }
        return (separator, index)
    }
}

// MARK: - Decoding

extension CSVTable {
    /// Returns the file's text as UTF-8 bytes without a byte order mark.
    static func utf8Bytes(of data: Data) throws(TabularError) -> [UInt8] {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return try validatedUTF8(Array(bytes.dropFirst(3)))
        }
        if bytes.starts(with: [0xFF, 0xFE]) {
            return try utf8(fromUTF16: bytes.dropFirst(2), littleEndian: true)
        }
        if bytes.starts(with: [0xFE, 0xFF]) {
            return try utf8(fromUTF16: bytes.dropFirst(2), littleEndian: false)
        }
        return try validatedUTF8(bytes)
    }

    private static func validatedUTF8(_ bytes: [UInt8]) throws(TabularError) -> [UInt8] {
        if String(validating: bytes, as: UTF8.self) != nil { return bytes }
        // Slow path, only to tell the user which row holds the first invalid byte.
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var row = 1
        var inQuotes = false
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                let byte = scalar.first
                if byte == quote { inQuotes.toggle() }
                if byte == lineFeed, !inQuotes { row += 1 }
            case .emptyInput:
                return bytes
            case .error:
                throw TabularError.invalidUTF8(row: row)
            }
        }
    }

    private static func utf8(fromUTF16 bytes: ArraySlice<UInt8>, littleEndian: Bool) throws(TabularError) -> [UInt8] {
        guard bytes.count.isMultiple(of: 2) else { throw TabularError.invalidUTF16() }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let first = UInt16(bytes[index])
            let second = UInt16(bytes[index + 1])
            units.append(littleEndian ? first | second << 8 : first << 8 | second)
            index += 2
        }
        guard let text = String(validating: units, as: UTF16.self) else { throw TabularError.invalidUTF16() }
        return Array(text.utf8)
    }
}
