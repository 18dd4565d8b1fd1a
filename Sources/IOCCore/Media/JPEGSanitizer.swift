// JPEG: walk the marker segments from SOI to EOI, keep what a decoder needs,
// drop everything else, copy entropy-coded scan data verbatim.

enum JPEGContainer {
    // Marker codes (the byte after 0xFF).
    static let soi: UInt8 = 0xD8
    static let eoi: UInt8 = 0xD9
    static let sos: UInt8 = 0xDA
    static let dqt: UInt8 = 0xDB
    static let dnl: UInt8 = 0xDC
    static let dri: UInt8 = 0xDD
    static let dhp: UInt8 = 0xDE
    static let exp: UInt8 = 0xDF
    static let dht: UInt8 = 0xC4
    static let jpg: UInt8 = 0xC8
    static let dac: UInt8 = 0xCC
    static let tem: UInt8 = 0x01
    static let app0: UInt8 = 0xE0
    static let app1: UInt8 = 0xE1
    static let app2: UInt8 = 0xE2
    static let app13: UInt8 = 0xED
    static let app14: UInt8 = 0xEE
    static let com: UInt8 = 0xFE

    static let jfif: [UInt8] = Array("JFIF\0".utf8)
    static let jfxx: [UInt8] = Array("JFXX\0".utf8)
    static let xmp: [UInt8] = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
    static let extendedXMP: [UInt8] = Array("http://ns.adobe.com/xmp/extension/\0".utf8)
    static let iccProfile: [UInt8] = Array("ICC_PROFILE\0".utf8)
    static let mpf: [UInt8] = Array("MPF\0".utf8)
    static let photoshop: [UInt8] = Array("Photoshop 3.0\0".utf8)
    static let adobe: [UInt8] = Array("Adobe".utf8)
    static let exifPrefix: [UInt8] = Array("Exif\0".utf8)

    /// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    @inline(__always)
    static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != dht && marker != jpg && marker != dac
    }

    static func sanitize(_ bytes: [UInt8], limit: PixelLimit) throws(ImageError) -> SanitizedImage {
        let count = bytes.count
        guard count >= 2, bytes[0] == 0xFF, bytes[1] == soi else { throw .notAnImage }

        var output = ContainerOutput()
        var removed = RemovedItems()
        output.copy(0..<2)
        // Where a minimal EXIF segment goes: after SOI and any JFIF APP0 that directly follows it.
        var exifInsertionIndex = output.insertionPoint()
        var stillLeading = true
        var orientation: Int?
        var frame: (width: Int, height: Int)?
        var sawScan = false
        var position = 2

        while true {
            // A marker is one or more 0xFF bytes (the extra ones are fill) followed by the code.
            guard position < count else { throw .truncated }
            guard bytes[position] == 0xFF else {
                throw .malformed("expected a marker at offset \(position)")
            }
            while position < count, bytes[position] == 0xFF { position += 1 }
            guard position < count else { throw .truncated }
            let marker = bytes[position]
            position += 1

            switch marker {
            case eoi:
                guard let frame else { throw .malformed("no SOF segment") }
                guard sawScan else { throw .malformed("no SOS segment") }
                output.append([0xFF, eoi])
                if position < count { removed.add("trailing data after EOI") }
                if let orientation, orientation != 1 {
                    output.insert(ExifInspector.minimalOrientationAPP1(orientation), at: exifInsertionIndex)
                }
                return SanitizedImage(
                    format: .jpeg, bytes: output.render(from: bytes),
                    width: frame.width, height: frame.height,
                    orientation: orientation ?? 1, removed: removed.items)
            case 0x00:
                throw .malformed("stuffed zero byte outside scan data at offset \(position - 2)")
            case soi:
                throw .malformed("nested SOI at offset \(position - 2)")
            case tem, 0xD0...0xD7:
                // Stand-alone markers carry no data; outside a scan they are meaningless.
                continue
            default:
                break
            }

            // Every other marker starts a segment with a big-endian length that counts itself.
            guard position + 2 <= count else { throw .truncated }
            let length = bytes.mediaUInt16BE(at: position)
            guard length >= 2 else { throw .malformed("segment length \(length) at offset \(position)") }
            let segmentEnd = position + length
            guard segmentEnd <= count else { throw .truncated }
            let segment = (position - 2)..<segmentEnd  // marker + length + payload
            let payload = (position + 2)..<segmentEnd
            position = segmentEnd
            if marker != app0 { stillLeading = false }

            switch marker {
            case app0:
                if bytes.mediaHasPrefix(jfif, in: payload) {
                    if let header = jfifWithoutThumbnail(bytes, payload: payload, segment: segment, removed: &removed) {
                        output.append(header)
                    } else {
                        removed.add("APP0 (JFIF, malformed)")
                    }
                } else if bytes.mediaHasPrefix(jfxx, in: payload) {
                    removed.add("JFXX thumbnail")
                } else {
                    removed.add(label(for: marker, bytes, payload))
                }
                if stillLeading { exifInsertionIndex = output.insertionPoint() }

            case app1:
                if bytes.mediaHasPrefix(exifPrefix, in: payload) {
                    let summary = ExifInspector.inspect(bytes, tiff: (payload.lowerBound + 6)..<payload.upperBound)
                    if orientation == nil { orientation = summary.orientation }
                    if !summary.isOrientationOnly { removed.add(summary.label) }
                } else if bytes.mediaHasPrefix(xmp, in: payload) {
                    removed.add("XMP")
                } else if bytes.mediaHasPrefix(extendedXMP, in: payload) {
                    removed.add("Extended XMP")
                } else {
                    removed.add(label(for: marker, bytes, payload))
                }

            case app2 where bytes.mediaHasPrefix(iccProfile, in: payload):
                output.copy(segment)

            case app14 where bytes.mediaHasPrefix(adobe, in: payload):
                output.copy(segment)

            case app13 where bytes.mediaHasPrefix(photoshop, in: payload):
                removed.add("Photoshop/IPTC")

            case 0xE0...0xEF:
                removed.add(label(for: marker, bytes, payload))

            case com:
                removed.add("COM")

            case _ where isStartOfFrame(marker):
                guard frame == nil else { throw .malformed("more than one SOF segment") }
                // P, Y (height), X (width), Nf, then Nf component specifications of 3 bytes.
                guard payload.count >= 6 else { throw .malformed("SOF segment too short") }
                let height = bytes.mediaUInt16BE(at: payload.lowerBound + 1)
                let width = bytes.mediaUInt16BE(at: payload.lowerBound + 3)
                let components = Int(bytes[payload.lowerBound + 5])
                guard components > 0, payload.count >= 6 + 3 * components else {
                    throw .malformed("SOF segment component table")
                }
                guard width > 0, height > 0 else { throw .malformed("SOF declares \(width)x\(height) pixels") }
                try limit.check(width: width, height: height)
                frame = (width, height)
                output.copy(segment)

            case sos:
                guard frame != nil else { throw .malformed("SOS before SOF") }
                // Ns, then Ns component selectors of 2 bytes, then Ss, Se, Ah/Al.
                guard payload.count >= 1, payload.count == 4 + 2 * Int(bytes[payload.lowerBound]) else {
                    throw .malformed("SOS segment length")
                }
                guard let scanEnd = entropyCodedDataEnd(bytes, from: segmentEnd) else { throw .truncated }
                output.copy(segment.lowerBound..<scanEnd)
                position = scanEnd
                sawScan = true

            case dqt, dht, dac, dri, dnl, dhp, exp:
                output.copy(segment)

            default:
                // JPGn (F0–FD), JPG (C8) and reserved codes: not needed to display a baseline
                // or progressive image, and could hide data.
                removed.add(label(for: marker, bytes, payload))
            }
        }
    }

    /// The index of the first 0xFF of the marker that ends the entropy-coded data starting at
    /// `start`, or nil if the data runs to the end of the file. Stuffed zero bytes (FF 00) and
    /// restart markers (FF D0–D7) belong to the scan; fill bytes (FF FF…) before a marker do not.
    static func entropyCodedDataEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            let count = buffer.count
            var index = start
            while index < count {
                // Skip eight bytes at a time while none of them is 0xFF (most of a scan).
                while index + 8 <= count {
                    let inverted = ~buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    let hasFF = (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080
                    if hasFF != 0 { break }
                    index += 8
                }
                guard index < count else { return nil }
                if buffer[index] != 0xFF {
                    index += 1
                    continue
                }
                var next = index + 1
                while next < count, buffer[next] == 0xFF { next += 1 }
                guard next < count else { return nil }
                let code = buffer[next]
                if code == 0x00 || (code >= 0xD0 && code <= 0xD7) {
                    index = next + 1
                } else {
                    return index
                }
            }
            return nil
        }
    }

    /// The JFIF segment with its header (version, density) and without an embedded thumbnail;
    /// nil if the segment is too short to be JFIF (it is then dropped: decoders do not need it).
    private static func jfifWithoutThumbnail(
        _ bytes: [UInt8], payload: Range<Int>, segment: Range<Int>, removed: inout RemovedItems
    ) -> [UInt8]? {
        // "JFIF\0", version (2), units (1), Xdensity (2), Ydensity (2), Xthumbnail (1), Ythumbnail (1).
        guard payload.count >= 14 else { return nil }
        var header = Array(bytes[segment.lowerBound..<(payload.lowerBound + 14)])
        if payload.count > 14 || header[16] != 0 || header[17] != 0 {
            removed.add("JFIF thumbnail")
        }
        header[2] = 0x00
        header[3] = 16
        header[16] = 0
        header[17] = 0
        return header
    }

    /// `APPn` / `COM` / `JPGn`, with the printable signature string if there is one, e.g. `APP12 (Ducky)`.
    private static func label(for marker: UInt8, _ bytes: [UInt8], _ payload: Range<Int>) -> String {
        let name: String
        switch marker {
        case 0xE0...0xEF: name = "APP\(marker - 0xE0)"
        case 0xF0...0xFD: name = "JPG\(marker - 0xF0)"
        default: name = "marker 0x\(String(marker, radix: 16, uppercase: true))"
        }
        if marker == app2, bytes.mediaHasPrefix(mpf, in: payload) { return "APP2 (MPF)" }
        if let identifier = mediaSignatureString(bytes, in: payload) {
            return "\(name) (\(identifier))"
        }
        return name
    }
}
