import Foundation
import ZIPFoundation

/// The parts of an XLSX file (a ZIP archive, ECMA-376 Part 2 "Open Packaging Conventions"),
/// extracted under a budget of uncompressed bytes so that a small file cannot expand into gigabytes.
struct XLSXPackage {
    private let archive: Archive
    /// Entries by lower-cased part name: OPC part names compare case-insensitively.
    private let entries: [String: Entry]
    private let maxUncompressedBytes: Int
    private var remainingBytes: Int

    /// Opens the archive after checking that the bytes are a ZIP file at all.
    init(data: Data, maxUncompressedBytes: Int) throws(TabularError) {
        let signature = [UInt8](data.prefix(8))
        if signature == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
            // OLE2 compound file: a legacy .xls, or an .xlsx encrypted with a password.
            throw TabularError.legacyOrEncryptedWorkbook()
        }
        guard signature.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { throw TabularError.notXLSX() }
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw TabularError.corruptedArchive("\(error)")
        }
        var entries: [String: Entry] = [:]
        for entry in archive where entry.type == .file {
            entries[entry.path.lowercased()] = entry
        }
        guard !entries.isEmpty else { throw TabularError.corruptedArchive("no entries") }
        self.archive = archive
        self.entries = entries
        self.maxUncompressedBytes = maxUncompressedBytes
        self.remainingBytes = maxUncompressedBytes
    }

    /// Whether the package has a part with this name (without a leading `/`).
    func contains(_ partName: String) -> Bool {
        entries[partName.lowercased()] != nil
    }

    /// The bytes of a part, or `nil` when the package has no such part.
    mutating func read(_ partName: String) throws(TabularError) -> Data? {
        guard let entry = entries[partName.lowercased()] else { return nil }
        guard entry.uncompressedSize <= UInt64(remainingBytes) else {
            throw TabularError.uncompressedSizeLimitExceeded(limit: maxUncompressedBytes)
        }
        // The declared size may lie, so the bytes actually inflated are counted as well.
        var contents = Data()
        contents.reserveCapacity(Int(entry.uncompressedSize))
        let budget = remainingBytes
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, bufferSize: 64 * 1024) { chunk in
                guard contents.count + chunk.count <= budget else { throw BudgetExceeded() }
                contents.append(chunk)
            }
        } catch is BudgetExceeded {
            throw TabularError.uncompressedSizeLimitExceeded(limit: maxUncompressedBytes)
        } catch {
            throw TabularError.corruptedArchive("\(partName): \(error)")
        }
        // Extracting through a consumer computes the CRC but leaves comparing it to the caller.
        guard checksum == entry.checksum, contents.count == Int(entry.uncompressedSize) else {
            throw TabularError.corruptedArchive("\(partName): checksum mismatch")
        }
        remainingBytes -= contents.count
        return contents
    }

    private struct BudgetExceeded: Error {}

    // MARK: Part names

    /// The relationships part of a part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`.
    static func relationshipsPart(of partName: String) -> String {
        let (directory, file) = split(partName)
        return directory.isEmpty ? "_rels/\(file).rels" : "\(directory)/_rels/\(file).rels"
    }

    /// Resolves a relationship target against the part that holds the relationship.
    static func resolve(target: String, from sourcePart: String) -> String {
        let decoded = target.removingPercentEncoding ?? target
        var components: [Substring]
        if decoded.hasPrefix("/") {
            components = []
        } else {
            components = split(sourcePart).directory.split(separator: "/")
        }
        for component in decoded.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return components.joined(separator: "/")
    }

    private static func split(_ partName: String) -> (directory: String, file: String) {
        guard let slash = partName.lastIndex(of: "/") else { return ("", partName) }
        return (String(partName[..<slash]), String(partName[partName.index(after: slash)...]))
    }
}
