// Reads the few facts we need from an EXIF (TIFF) block before it is dropped:
// the orientation, and what kind of identifying data it held (for the report).
// Every offset comes from the file and is bounds-checked before use.

/// What an EXIF block contained.
struct ExifSummary: Equatable {
    /// Orientation tag (0x0112) of IFD0 when present and in 1...8.
    var orientation: Int?
    /// IFD0 points to a GPS IFD (tag 0x8825).
    var hasGPS = false
    /// The Exif sub-IFD (tag 0x8769) holds a MakerNote (tag 0x927C).
    var hasMakerNote = false
    /// IFD0 links to IFD1, which holds the embedded thumbnail.
    var hasThumbnail = false
    /// IFD0 holds nothing but a valid Orientation and links nowhere: the block this
    /// sanitizer writes itself. Replacing it removes nothing.
    var isOrientationOnly = false

    /// Label for the removed list, e.g. `EXIF (GPS, MakerNote, thumbnail)`.
    var label: String {
        var details: [String] = []
        if hasGPS { details.append("GPS") }
        if hasMakerNote { details.append("MakerNote") }
        if hasThumbnail { details.append("thumbnail") }
        return details.isEmpty ? "EXIF" : "EXIF (\(details.joined(separator: ", ")))"
    }
}

enum ExifInspector {
    static let orientationTag = 0x0112
    static let gpsIFDTag = 0x8825
    static let exifIFDTag = 0x8769
    static let makerNoteTag = 0x927C

    /// `Exif\0\0`, the APP1 signature (also written by some tools at the start of WebP EXIF chunks).
    static let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]

    /// Inspects a TIFF structure ("II*\0" or "MM\0*" header) occupying `bytes[range]`.
    /// Returns an empty summary when the structure is not readable.
    static func inspect(_ bytes: [UInt8], tiff range: Range<Int>) -> ExifSummary {
        var summary = ExifSummary()
        guard let reader = TIFFReader(bytes, range), let ifd0 = reader.uint32(at: 4) else { return summary }
        guard let entries = reader.entryCount(ifd: ifd0) else { return summary }
        var exifIFD: Int?
        for index in 0..<entries {
            let entry = ifd0 + 2 + index * 12
            guard let tag = reader.uint16(at: entry) else { break }
            switch tag {
            case orientationTag:
                // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
                if reader.uint16(at: entry + 2) == 3, reader.uint32(at: entry + 4) == 1,
                   let value = reader.uint16(at: entry + 8), (1...8).contains(value)
                {
                    summary.orientation = value
                }
            case gpsIFDTag:
                summary.hasGPS = true
            case exifIFDTag:
                exifIFD = reader.uint32(at: entry + 8)
            default:
                break
            }
        }
        let next = reader.uint32(at: ifd0 + 2 + entries * 12)
        if let next, next != 0, reader.entryCount(ifd: next) != nil {
            summary.hasThumbnail = true
        }
        summary.isOrientationOnly = entries == 1 && summary.orientation != nil && next == 0
        if let exifIFD, exifIFD != ifd0, let count = reader.entryCount(ifd: exifIFD) {
            for index in 0..<count where reader.uint16(at: exifIFD + 2 + index * 12) == makerNoteTag {
                summary.hasMakerNote = true
                break
            }
        }
        return summary
    }

    /// The minimal APP1 segment written back into JPEG output: big-endian TIFF with IFD0
    /// holding only the Orientation tag, no next IFD.
    static func minimalOrientationAPP1(_ orientation: Int) -> [UInt8] {
        let value = UInt8(clamping: orientation)
        return [
            0xFF, 0xE1, 0x00, 0x22,              // APP1, length 34
            0x45, 0x78, 0x69, 0x66, 0x00, 0x00,  // "Exif\0\0"
            0x4D, 0x4D, 0x00, 0x2A,              // "MM", 42
            0x00, 0x00, 0x00, 0x08,              // IFD0 at offset 8
            0x00, 0x01,                          // one entry
            0x01, 0x12, 0x00, 0x03,              // tag 0x0112, type SHORT
            0x00, 0x00, 0x00, 0x01,              // count 1
            0x00, value, 0x00, 0x00,             // value (left-justified)
            0x00, 0x00, 0x00, 0x00,              // no next IFD
        ]
    }
}

/// Bounds-checked reads inside a TIFF structure; offsets are relative to its header.
private struct TIFFReader {
    let bytes: [UInt8]
    let base: Int
    let length: Int
    let bigEndian: Bool

    init?(_ bytes: [UInt8], _ range: Range<Int>) {
        guard range.count >= 8, range.upperBound <= bytes.count else { return nil }
        let b = range.lowerBound
        switch (bytes[b], bytes[b + 1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: return nil
        }
        self.bytes = bytes
        self.base = b
        self.length = range.count
        guard uint16(at: 2) == 42 else { return nil }
    }

    func uint16(at offset: Int) -> Int? {
        guard offset >= 0, offset <= length - 2 else { return nil }
        let a = Int(bytes[base + offset]), b = Int(bytes[base + offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func uint32(at offset: Int) -> Int? {
        guard offset >= 0, offset <= length - 4, let high = uint16(at: bigEndian ? offset : offset + 2),
              let low = uint16(at: bigEndian ? offset + 2 : offset)
        else { return nil }
        return high << 16 | low
    }

    /// Number of entries of the IFD at `offset`, only if the whole entry table fits.
    func entryCount(ifd offset: Int) -> Int? {
        guard offset >= 8, let count = uint16(at: offset), offset + 2 + count * 12 <= length else { return nil }
        return count
    }
}
