// WebP: walk the RIFF chunks, drop EXIF, XMP and unknown chunks (also inside
// animation frames), clear the VP8X metadata flags and fix the RIFF size.

enum WebPContainer {
    /// VP8X feature flags that announce metadata chunks.
    static let exifFlag: UInt8 = 0x08
    static let xmpFlag: UInt8 = 0x04
    static let animationFlag: UInt8 = 0x02

    /// Top-level chunks kept in the output.
    static let keptChunks: Set<String> = ["VP8", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP"]
    /// Chunks kept inside an ANMF frame.
    static let keptFrameChunks: Set<String> = ["VP8", "VP8L", "ALPH"]

    static func sanitize(_ bytes: [UInt8], limit: PixelLimit) throws(ImageError) -> SanitizedImage {
        let count = bytes.count
        guard count >= 12, ImageSanitizer.sniff(bytes) == .webp else { throw .notAnImage }
        // The RIFF size counts everything after the size field itself ("WEBP" + chunks).
        let riffSize = bytes.mediaUInt32LE(at: 4)
        guard riffSize >= 4 + 8 else { throw .malformed("RIFF size \(riffSize)") }
        guard riffSize % 2 == 0 else { throw .malformed("odd RIFF size \(riffSize)") }
        let riffEnd = 8 + riffSize
        guard riffEnd <= count else { throw .truncated }

        var output = ContainerOutput()
        var removed = RemovedItems()
        output.append(Array(bytes[0..<12]))  // patched with the new size at the end
        var size: (width: Int, height: Int)?
        var isExtended = false
        var sawImage = false
        var orientation: Int?
        var position = 12

        while position < riffEnd {
            let chunk = try readChunk(bytes, at: position, end: riffEnd)
            let name = mediaFourCC(bytes, at: position)
            position = chunk.paddedEnd

            if chunk.range.lowerBound == 12 {
                // The first chunk decides between the simple and the extended format.
                switch name {
                case "VP8X":
                    isExtended = true
                    size = try canvasSize(bytes, payload: chunk.payload, limit: limit)
                    var rewritten = Array(bytes[chunk.range.lowerBound..<chunk.paddedEnd])
                    rewritten[8] &= ~(exifFlag | xmpFlag)
                    output.append(rewritten)
                    continue
                case "VP8", "VP8L":
                    break
                default:
                    throw .malformed("first chunk is \(name), not VP8/VP8L/VP8X")
                }
            }

            switch name {
            case "VP8", "VP8L":
                let frameSize = try bitstreamSize(bytes, name: name, payload: chunk.payload)
                try limit.check(width: frameSize.width, height: frameSize.height)
                if !isExtended {
                    guard !sawImage else { throw .malformed("more than one image chunk") }
                    size = frameSize
                }
                sawImage = true
                output.copy(chunk.range.lowerBound..<chunk.paddedEnd)
            case "ANMF":
                guard isExtended else { throw .malformed("ANMF chunk without VP8X") }
                try copyFrame(bytes, chunk: chunk, limit: limit, to: &output, removed: &removed)
                sawImage = true
            case "VP8X":
                throw .malformed("VP8X chunk is not first")
            case "EXIF":
                if orientation == nil {
                    var tiff = chunk.payload
                    if bytes.mediaHasPrefix(ExifInspector.exifHeader, in: tiff) {
                        tiff = (tiff.lowerBound + 6)..<tiff.upperBound
                    }
                    orientation = ExifInspector.inspect(bytes, tiff: tiff).orientation
                }
                removed.add("EXIF")
            case _ where keptChunks.contains(name):
                guard isExtended else { throw .malformed("\(name) chunk without VP8X") }
                output.copy(chunk.range.lowerBound..<chunk.paddedEnd)
            default:
                removed.add(name)  // "XMP" (the fourCC "XMP " trimmed) and unknown chunks
            }
        }

        guard sawImage, let size else { throw .malformed("no image data") }
        if riffEnd < count { removed.add("trailing data after RIFF") }
        var header = Array(bytes[0..<8])
        header.replaceSubrange(4..<8, with: mediaBytesUInt32LE(output.byteCount - 8))
        header.append(contentsOf: bytes[8..<12])
        output.replace(at: 0, with: header)
        return SanitizedImage(
            format: .webp, bytes: output.render(from: bytes),
            width: size.width, height: size.height,
            orientation: orientation ?? 1, removed: removed.items)
    }

    /// A RIFF chunk: `range` covers header and payload, `paddedEnd` includes the pad byte.
    struct Chunk {
        var range: Range<Int>
        var payload: Range<Int>
        var paddedEnd: Int
    }

    /// Reads the chunk header at `offset`; the chunk, including its pad byte, must end by `end`.
    static func readChunk(_ bytes: [UInt8], at offset: Int, end: Int) throws(ImageError) -> Chunk {
        guard offset + 8 <= end else {
            throw offset + 8 > bytes.count
                ? .truncated
                : .malformed("chunk header past the end of its container at offset \(offset)")
        }
        let size = bytes.mediaUInt32LE(at: offset + 4)
        let payload = (offset + 8)..<(offset + 8 + size)
        let paddedEnd = payload.upperBound + (size & 1)
        guard paddedEnd <= end else {
            throw paddedEnd > bytes.count ? .truncated : .malformed("chunk at offset \(offset) exceeds its container")
        }
        return Chunk(range: offset..<payload.upperBound, payload: payload, paddedEnd: paddedEnd)
    }

    /// The canvas size from VP8X: flags (1), reserved (3), width - 1 (24 bits), height - 1 (24 bits).
    private static func canvasSize(
        _ bytes: [UInt8], payload: Range<Int>, limit: PixelLimit
    ) throws(ImageError) -> (width: Int, height: Int) {
        guard payload.count >= 10 else { throw .malformed("VP8X chunk too short") }
        let width = bytes.mediaUInt24LE(at: payload.lowerBound + 4) + 1
        let height = bytes.mediaUInt24LE(at: payload.lowerBound + 7) + 1
        try limit.check(width: width, height: height)
        return (width, height)
    }

    /// The frame size from a VP8 (lossy) or VP8L (lossless) bitstream header.
    private static func bitstreamSize(
        _ bytes: [UInt8], name: String, payload: Range<Int>
    ) throws(ImageError) -> (width: Int, height: Int) {
        let start = payload.lowerBound
        if name == "VP8L" {
            // Signature 0x2F, then 14 bits width - 1, 14 bits height - 1, 1 bit alpha, 3 bits version.
            guard payload.count >= 5, bytes[start] == 0x2F else { throw .malformed("VP8L header") }
            let bits = bytes.mediaUInt32LE(at: start + 1)
            guard bits >> 29 == 0 else { throw .malformed("VP8L version") }
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        // 3-byte frame tag (bit 0 clear for a key frame), start code 9D 01 2A,
        // then 16-bit little-endian width and height whose top 2 bits are scaling.
        guard payload.count >= 10, bytes[start] & 0x01 == 0,
              bytes[start + 3] == 0x9D, bytes[start + 4] == 0x01, bytes[start + 5] == 0x2A
        else { throw .malformed("VP8 key frame header") }
        let width = (Int(bytes[start + 6]) | Int(bytes[start + 7]) << 8) & 0x3FFF
        let height = (Int(bytes[start + 8]) | Int(bytes[start + 9]) << 8) & 0x3FFF
        guard width > 0, height > 0 else { throw .malformed("VP8 declares \(width)x\(height) pixels") }
        return (width, height)
    }

    /// Copies an ANMF chunk, keeping only the frame's ALPH/VP8/VP8L sub-chunks.
    private static func copyFrame(
        _ bytes: [UInt8], chunk: Chunk, limit: PixelLimit,
        to output: inout ContainerOutput, removed: inout RemovedItems
    ) throws(ImageError) {
        // X (3), Y (3), width - 1 (3), height - 1 (3), duration (3), flags (1), then frame data chunks.
        guard chunk.payload.count >= 16 else { throw .malformed("ANMF chunk too short") }
        var kept: [Range<Int>] = []
        var keptSize = 16
        var sawBitstream = false
        var dropped = false
        var position = chunk.payload.lowerBound + 16
        while position < chunk.payload.upperBound {
            let sub = try readChunk(bytes, at: position, end: chunk.payload.upperBound)
            let name = mediaFourCC(bytes, at: position)
            position = sub.paddedEnd
            if keptFrameChunks.contains(name) {
                if name != "ALPH" {
                    let frameSize = try bitstreamSize(bytes, name: name, payload: sub.payload)
                    try limit.check(width: frameSize.width, height: frameSize.height)
                    sawBitstream = true
                }
                kept.append(sub.range.lowerBound..<sub.paddedEnd)
                keptSize += sub.paddedEnd - sub.range.lowerBound
            } else {
                dropped = true
                removed.add("\(name) (in ANMF)")
            }
        }
        guard sawBitstream else { throw .malformed("ANMF frame without image data") }
        guard dropped else {
            output.copy(chunk.range.lowerBound..<chunk.paddedEnd)
            return
        }
        output.append(Array(bytes[chunk.range.lowerBound..<(chunk.range.lowerBound + 4)]) + mediaBytesUInt32LE(keptSize))
        output.copy(chunk.payload.lowerBound..<(chunk.payload.lowerBound + 16))
        for range in kept { output.copy(range) }
    }
}
