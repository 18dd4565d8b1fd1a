// Small helpers shared by the container rewriters: integer reads (callers check bounds first),
// the output plan (ranges of the input plus a few synthesized segments) and the
// ordered list of removed items.

extension Array where Element == UInt8 {
    /// Big-endian 16-bit value at `offset`; the caller has checked `offset + 2 <= count`.
    @inline(__always)
    func mediaUInt16BE(at offset: Int) -> Int {
        Int(self[offset]) << 8 | Int(self[offset + 1])
    }

    /// Big-endian 32-bit value at `offset`; the caller has checked `offset + 4 <= count`.
    @inline(__always)
    func mediaUInt32BE(at offset: Int) -> Int {
        Int(self[offset]) << 24 | Int(self[offset + 1]) << 16 | Int(self[offset + 2]) << 8 | Int(self[offset + 3])
    }

    /// Little-endian 32-bit value at `offset`; the caller has checked `offset + 4 <= count`.
    @inline(__always)
    func mediaUInt32LE(at offset: Int) -> Int {
        Int(self[offset]) | Int(self[offset + 1]) << 8 | Int(self[offset + 2]) << 16 | Int(self[offset + 3]) << 24
    }

    /// Little-endian 24-bit value at `offset`; the caller has checked `offset + 3 <= count`.
    @inline(__always)
    func mediaUInt24LE(at offset: Int) -> Int {
        Int(self[offset]) | Int(self[offset + 1]) << 8 | Int(self[offset + 2]) << 16
    }

    /// Whether the bytes in `range` start with `prefix` (false if the range is too short).
    func mediaHasPrefix(_ prefix: [UInt8], in range: Range<Int>) -> Bool {
        guard range.count >= prefix.count else { return false }
        var index = range.lowerBound
        for byte in prefix {
            if self[index] != byte { return false }
            index += 1
        }
        return true
    }
}

/// Little-endian 32-bit encoding.
@inline(__always)
func mediaBytesUInt32LE(_ value: Int) -> [UInt8] {
    [
        UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
        UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24),
    ]
}

/// The output file described as a list of pieces: verbatim ranges of the input and a few
/// synthesized byte strings. Rendering reserves the exact size once and copies each range
/// with a single bulk append, so no per-byte work happens on the image data.
struct ContainerOutput {
    enum Piece {
        case source(Range<Int>)
        case literal([UInt8])

        var count: Int {
            switch self {
            case .source(let range): range.count
            case .literal(let bytes): bytes.count
            }
        }
    }

    private(set) var pieces: [Piece] = []
    private(set) var byteCount = 0
    /// Pieces before this index are never extended by a merge (see ``insertionPoint()``).
    private var mergeBarrier = 0

    init() {
        pieces.reserveCapacity(32)
    }

    /// Appends a verbatim range of the input, merging it with the previous range when adjacent.
    mutating func copy(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        byteCount += range.count
        if pieces.count > mergeBarrier, case .source(let previous)? = pieces.last,
           previous.upperBound == range.lowerBound
        {
            pieces[pieces.count - 1] = .source(previous.lowerBound..<range.upperBound)
        } else {
            pieces.append(.source(range))
        }
    }

    /// Appends synthesized bytes.
    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        byteCount += bytes.count
        pieces.append(.literal(bytes))
    }

    /// Marks the current end of the output as a place where bytes may be inserted later and
    /// returns it for ``insert(_:at:)``. Later copies are not merged into earlier pieces, so the
    /// point stays between the same bytes.
    mutating func insertionPoint() -> Int {
        mergeBarrier = pieces.count
        return pieces.count
    }

    /// Inserts synthesized bytes at a point returned by ``insertionPoint()``.
    mutating func insert(_ bytes: [UInt8], at index: Int) {
        byteCount += bytes.count
        pieces.insert(.literal(bytes), at: index)
    }

    /// Replaces a piece (used to patch a header whose size is only known at the end).
    mutating func replace(at index: Int, with bytes: [UInt8]) {
        byteCount += bytes.count - pieces[index].count
        pieces[index] = .literal(bytes)
    }

    /// Produces the output file.
    func render(from source: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        for piece in pieces {
            switch piece {
            case .source(let range): output.append(contentsOf: source[range])
            case .literal(let bytes): output.append(contentsOf: bytes)
            }
        }
        return output
    }
}

/// An ordered list of removed items without duplicates.
struct RemovedItems {
    private(set) var items: [String] = []

    mutating func add(_ item: String) {
        if !items.contains(item) { items.append(item) }
    }
}

/// The NUL-terminated ASCII signature at the start of `bytes[range]` (as used by APPn
/// segments, e.g. `Ducky`), if it is printable and at most `limit` characters long.
/// Anything else yields nil, so free text from a file never reaches a log.
func mediaSignatureString(_ bytes: [UInt8], in range: Range<Int>, limit: Int = 24) -> String? {
    var text = ""
    var index = range.lowerBound
    while index < range.upperBound, index - range.lowerBound <= limit {
        let byte = bytes[index]
        if byte == 0 { return text.isEmpty ? nil : text }
        guard byte >= 0x20, byte < 0x7F else { return nil }
        text.unicodeScalars.append(Unicode.Scalar(byte))
        index += 1
    }
    return nil
}

/// A four-character chunk name for the removed list: the characters if printable ASCII,
/// otherwise hex.
func mediaFourCC(_ bytes: [UInt8], at offset: Int) -> String {
    let code = bytes[offset..<(offset + 4)]
    if code.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        var text = ""
        for byte in code { text.unicodeScalars.append(Unicode.Scalar(byte)) }
        while text.last == " " { text.removeLast() }
        return text
    }
    return "0x" + code.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
}

/// CRC-32 (ISO-HDLC / PNG / zlib, reflected polynomial 0xEDB88320), table-driven.
enum PNGCRC32 {
    /// Eight 256-entry tables for slicing-by-8; `tables[0]` is the classic byte table.
    static let tables: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 {
                c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
            }
            table[n] = c
        }
        for n in 0..<256 {
            var c = table[n]
            for k in 1..<8 {
                c = table[Int(c & 0xFF)] ^ (c >> 8)
                table[k * 256 + n] = c
            }
        }
        return table
    }()

    /// CRC-32 of `bytes[range]`.
    static func checksum(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
        let table = tables
        var crc: UInt32 = 0xFFFF_FFFF
        var index = range.lowerBound
        let end = range.upperBound
        table.withUnsafeBufferPointer { t in
            bytes.withUnsafeBytes { b in
                precondition(range.lowerBound >= 0 && end <= b.count)
                // Slicing-by-8: one unaligned 64-bit load and eight table lookups per 8 bytes.
                while end - index >= 8 {
                    let word = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let lo = crc ^ UInt32(truncatingIfNeeded: word)
                    let hi = UInt32(truncatingIfNeeded: word >> 32)
                    crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                        ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                        ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                        ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                    index += 8
                }
                while index < end {
                    crc = t[Int((crc ^ UInt32(b[index])) & 0xFF)] ^ (crc >> 8)
                    index += 1
                }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
