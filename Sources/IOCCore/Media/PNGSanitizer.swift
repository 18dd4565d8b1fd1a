// PNG: verify every chunk's CRC, keep critical chunks and the ancillary chunks
// that affect how the image is displayed, drop the rest (text, eXIf, tIME, unknown).

enum PNGContainer {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Critical chunks; any other chunk whose name starts with an upper-case letter is rejected.
    static let criticalChunks: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND"]

    /// Ancillary chunks kept because they change how pixels are shown (transparency, colour,
    /// aspect ratio, animation). `cICP`, `mDCV` and `cLLI` are the PNG 3rd-edition HDR colour chunks.
    static let keptAncillaryChunks: Set<String> = [
        "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs",
        "acTL", "fcTL", "fdAT",
        "cICP", "mDCV", "cLLI",
    ]

    /// PNG limits lengths and dimensions to 2^31 - 1.
    static let maxUInt31 = 0x7FFF_FFFF

    static func sanitize(_ bytes: [UInt8], limit: PixelLimit) throws(ImageError) -> SanitizedImage {
        let count = bytes.count
        guard bytes.starts(with: signature) else { throw .notAnImage }

        var output = ContainerOutput()
        var removed = RemovedItems()
        output.copy(0..<signature.count)
        var size: (width: Int, height: Int)?
        var orientation: Int?
        var sawImageData = false
        var position = signature.count

        while true {
            // length (4), type (4), data (length), CRC (4)
            guard position + 8 <= count else { throw .truncated }
            let length = bytes.mediaUInt32BE(at: position)
            guard length <= maxUInt31 else { throw .malformed("chunk length \(length) at offset \(position)") }
            let typeOffset = position + 4
            guard (typeOffset..<(typeOffset + 4)).allSatisfy({ isASCIILetter(bytes[$0]) }) else {
                throw .malformed("invalid chunk name at offset \(typeOffset)")
            }
            let type = mediaFourCC(bytes, at: typeOffset)
            let dataStart = typeOffset + 4
            let dataEnd = dataStart + length
            let chunkEnd = dataEnd + 4
            guard chunkEnd <= count else { throw .truncated }
            let storedCRC = UInt32(truncatingIfNeeded: bytes.mediaUInt32BE(at: dataEnd))
            guard PNGCRC32.checksum(bytes, typeOffset..<dataEnd) == storedCRC else {
                throw .malformed("CRC mismatch in \(type) chunk at offset \(position)")
            }
            let chunk = position..<chunkEnd
            position = chunkEnd

            if size == nil {
                guard type == "IHDR" else { throw .malformed("first chunk is \(type), not IHDR") }
                size = try readHeader(bytes, data: dataStart..<dataEnd, limit: limit)
                output.copy(chunk)
                continue
            }

            switch type {
            case "IHDR":
                throw .malformed("more than one IHDR chunk")
            case "IDAT":
                sawImageData = true
                output.copy(chunk)
            case "PLTE":
                output.copy(chunk)
            case "IEND":
                guard length == 0 else { throw .malformed("IEND chunk with data") }
                guard sawImageData, let size else { throw .malformed("no IDAT chunk") }
                output.copy(chunk)
                if position < count { removed.add("trailing data after IEND") }
                return SanitizedImage(
                    format: .png, bytes: output.render(from: bytes),
                    width: size.width, height: size.height,
                    orientation: orientation ?? 1, removed: removed.items)
            case _ where keptAncillaryChunks.contains(type):
                output.copy(chunk)
            default:
                // The fifth bit of the first byte (lower case) marks an ancillary chunk.
                guard bytes[typeOffset] & 0x20 != 0 else {
                    throw .malformed("unknown critical chunk \(type)")
                }
                if type == "eXIf", orientation == nil {
                    orientation = ExifInspector.inspect(bytes, tiff: dataStart..<dataEnd).orientation
                }
                removed.add(type)
            }
        }
    }

    /// Width and height from IHDR, with the fields a decoder relies on validated.
    private static func readHeader(
        _ bytes: [UInt8], data: Range<Int>, limit: PixelLimit
    ) throws(ImageError) -> (width: Int, height: Int) {
        guard data.count == 13 else { throw .malformed("IHDR length \(data.count)") }
        let start = data.lowerBound
        let width = bytes.mediaUInt32BE(at: start)
        let height = bytes.mediaUInt32BE(at: start + 4)
        guard width > 0, height > 0, width <= maxUInt31, height <= maxUInt31 else {
            throw .malformed("IHDR declares \(width)x\(height) pixels")
        }
        let bitDepth = bytes[start + 8]
        let colorType = bytes[start + 9]
        let validDepths: [UInt8]
        switch colorType {
        case 0: validDepths = [1, 2, 4, 8, 16]
        case 3: validDepths = [1, 2, 4, 8]
        case 2, 4, 6: validDepths = [8, 16]
        default: throw .malformed("IHDR colour type \(colorType)")
        }
        guard validDepths.contains(bitDepth) else {
            throw .malformed("IHDR bit depth \(bitDepth) for colour type \(colorType)")
        }
        guard bytes[start + 10] == 0, bytes[start + 11] == 0, bytes[start + 12] <= 1 else {
            throw .malformed("IHDR compression, filter or interlace method")
        }
        try limit.check(width: width, height: height)
        return (width, height)
    }

    @inline(__always)
    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
