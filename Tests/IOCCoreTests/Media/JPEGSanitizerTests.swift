import Foundation
import Testing
import IOCCore

struct JPEGSanitizerTests {
    typealias S = MediaSynthetic

    // MARK: Real files (cjpeg + exiftool)

    @Test func realPhotoLosesAllIdentifyingMetadata() throws {
        let input = try MediaFixtures.bytes("exif-gps-orient6.jpg")
        // The fixture really carries what we strip (guards against a regenerated, empty fixture).
        for marker in ["SecretPhoneMaker", "SecretModelX9", "Nguyen Van Secretname", "Photoshop 3.0",
                       "http://ns.adobe.com/xap", "secret comment text", "SN-998877"] {
            #expect(MediaBytes.contains(input, marker), "fixture lacks \(marker)")
        }

        let result = try ImageSanitizer.sanitize(input)
        #expect(result.format == .jpeg)
        #expect(result.width == 96)
        #expect(result.height == 64)
        #expect(result.orientation == 6)
        #expect(result.removed == ["EXIF (GPS, thumbnail)", "Photoshop/IPTC", "XMP", "COM"])
        for marker in ["SecretPhoneMaker", "SecretModelX9", "Nguyen Van Secretname", "Photoshop 3.0",
                       "http://ns.adobe.com/xap", "secret comment text", "SN-998877", "SecretCity"] {
            #expect(!MediaBytes.contains(result.bytes, marker), "output still contains \(marker)")
        }

        let segments = MediaJPEGWalker.segments(result.bytes)
        let markers = segments.map(\.marker)
        #expect(Array(markers.prefix(4)) == [0xD8, 0xE0, 0xE1, 0xE2])  // SOI, JFIF, minimal EXIF, ICC
        #expect(markers.last == 0xD9)
        #expect(markers.filter { (0xE3...0xEF).contains($0) || $0 == 0xFE }.isEmpty)
        // The only APP1 is the minimal orientation segment: no GPS pointer (0x8825), no other tag.
        let app1 = segments.filter { $0.marker == 0xE1 }
        #expect(app1.map(\.bytes) == [S.minimalExif(6)])
        #expect(!MediaBytes.contains(app1.first?.bytes ?? [], [0x88, 0x25]))
        // The ICC profile and restart interval are kept.
        #expect(MediaBytes.contains(result.bytes, "ICC_PROFILE"))
        #expect(markers.contains(0xDD))
    }

    @Test func exifToolSeesOnlyTheOrientation() throws {
        let result = try ImageSanitizer.sanitize(MediaFixtures.bytes("exif-gps-orient6.jpg"))
        guard let tags = try MediaExternalTools.exifToolTags(result.bytes, extension: "jpg") else { return }
        let lines = tags.split(separator: "\n").map(String.init)
        let forbiddenGroups = ["[GPS]", "[ExifIFD]", "[IFD1]", "[IPTC]", "[XMP", "[Photoshop]", "[MakerNotes", "[InteropIFD]"]
        for line in lines {
            #expect(!forbiddenGroups.contains { line.hasPrefix($0) }, "exiftool still reports: \(line)")
            #expect(!line.lowercased().contains("secret") && !line.contains("Nguyen"), "exiftool still reports: \(line)")
            #expect(!line.hasPrefix("[File]") || !line.contains(" Comment "), "exiftool still reports: \(line)")
        }
        let ifd0 = lines.filter { $0.hasPrefix("[IFD0]") }
        #expect(ifd0.count == 1 && ifd0[0].contains("Orientation") && ifd0[0].contains("Rotate 90 CW"), "IFD0: \(ifd0)")
    }

    @Test func progressiveJPEGKeepsEveryScan() throws {
        let input = try MediaFixtures.bytes("progressive-orient3.jpg")
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.width == 96 && result.height == 64)
        #expect(result.orientation == 3)  // big-endian (MM) EXIF
        #expect(result.removed == ["EXIF (GPS)", "XMP", "COM"])
        let inputMarkers = MediaJPEGWalker.segments(input).map(\.marker)
        let outputMarkers = MediaJPEGWalker.segments(result.bytes).map(\.marker)
        let structural: (UInt8) -> Bool = { [0xC2, 0xC4, 0xDA, 0xDB].contains($0) }
        #expect(inputMarkers.filter { $0 == 0xDA }.count > 5)
        #expect(outputMarkers.filter(structural) == inputMarkers.filter(structural))
        #expect(MediaJPEGWalker.segments(result.bytes).filter { $0.marker == 0xE1 }.map(\.bytes) == [S.minimalExif(3)])
        #expect(!MediaBytes.contains(result.bytes, "SecretPhoneMaker"))
    }

    @Test func plainJPEGIsCopiedUnchanged() throws {
        let input = try MediaFixtures.bytes("plain.jpg")
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.orientation == 1)
        #expect(result.removed.isEmpty)
        #expect(result.bytes == input)
    }

    @Test(arguments: MediaFixtures.jpegs)
    func sanitizedJPEGDecodesToTheSamePixels(name: String) throws {
        let input = try MediaFixtures.bytes(name)
        let result = try ImageSanitizer.sanitize(input)
        guard let before = try MediaExternalTools.decodeRGBA(input, extension: "jpg", strict: false),
              let after = try MediaExternalTools.decodeRGBA(result.bytes, extension: "jpg")
        else { return }
        #expect(before.count == 96 * 64 * 4)
        #expect(before == after)
    }

    // MARK: Synthetic structure

    @Test func keepsOnlyDisplaySegmentsInOrder() throws {
        let icc = S.segment(0xE2, MediaBytes.ascii("ICC_PROFILE\0") + [1, 1, 0xAA, 0xBB])
        let adobe = S.segment(0xEE, MediaBytes.ascii("Adobe") + [0, 100, 0, 0, 0, 0, 1])
        let dri = S.segment(0xDD, [0, 4])
        let input = [0xFF, 0xD8] + S.jfif
            + S.exifAPP1(bigEndian: false, orientation: 8)
            + S.segment(0xE1, MediaBytes.ascii("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"))
            + S.segment(0xE2, MediaBytes.ascii("MPF\0") + [0, 0])
            + icc
            + S.segment(0xEC, MediaBytes.ascii("Ducky\0") + [1, 2])
            + S.segment(0xED, MediaBytes.ascii("Photoshop 3.0\0") + [0x38, 0x42, 0x49, 0x4D])
            + adobe
            + S.segment(0xFE, MediaBytes.ascii("taken at home"))
            + S.dqt + S.sof0(width: 640, height: 480) + S.dht + dri
            + S.sos + S.scanData + S.eoi + MediaBytes.ascii("trailer: motion photo video")

        let result = try ImageSanitizer.sanitize(input)
        let expected = [0xFF, 0xD8] + S.jfif + S.minimalExif(8) + icc + adobe
            + S.dqt + S.sof0(width: 640, height: 480) + S.dht + dri + S.sos + S.scanData + S.eoi
        #expect(result.bytes == expected)
        #expect(result.width == 640 && result.height == 480)
        #expect(result.orientation == 8)
        #expect(result.removed == ["EXIF (GPS, thumbnail)", "XMP", "APP2 (MPF)", "APP12 (Ducky)",
                                   "Photoshop/IPTC", "COM", "trailing data after EOI"])
    }

    @Test(arguments: [false, true])
    func readsOrientationInBothByteOrders(bigEndian: Bool) throws {
        for orientation in 1...8 {
            let input = [0xFF, 0xD8] + S.exifAPP1(bigEndian: bigEndian, orientation: orientation)
                + S.dqt + S.sof0(width: 8, height: 8) + S.dht + S.sos + S.scanData + S.eoi
            let result = try ImageSanitizer.sanitize(input)
            #expect(result.orientation == orientation)
            let app1 = MediaJPEGWalker.segments(result.bytes).filter { $0.marker == 0xE1 }.map(\.bytes)
            // Without JFIF, the minimal EXIF goes right after SOI; orientation 1 needs none.
            #expect(app1 == (orientation == 1 ? [] : [S.minimalExif(UInt8(orientation))]))
            if orientation != 1 { #expect(Array(result.bytes[2..<4]) == [0xFF, 0xE1]) }
        }
    }

    @Test func minimalExifGoesRightAfterSOIEvenWhenTablesFollowDirectly() throws {
        // SOI and DQT are adjacent in the input; the EXIF found later must still go between them.
        let input = [0xFF, 0xD8] + S.dqt + S.exifAPP1(bigEndian: true, orientation: 7)
            + S.sof0(width: 8, height: 8) + S.dht + S.sos + S.scanData + S.eoi
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.bytes == [0xFF, 0xD8] + S.minimalExif(7) + S.dqt + S.sof0(width: 8, height: 8) + S.dht + S.sos + S.scanData + S.eoi)
        // A JFIF segment too short to hold its header is dropped, not fatal.
        let shortJFIF = [0xFF, 0xD8] + S.segment(0xE0, MediaBytes.ascii("JFIF\0") + [1, 1])
            + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi
        let cleaned = try ImageSanitizer.sanitize(shortJFIF)
        #expect(cleaned.bytes == [0xFF, 0xD8] + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi)
        #expect(cleaned.removed == ["APP0 (JFIF, malformed)"])
    }

    @Test(arguments: [false, true])
    func makerNoteIsReported(bigEndian: Bool) throws {
        let input = [0xFF, 0xD8] + S.exifAPP1(bigEndian: bigEndian, orientation: 2, makerNote: true)
            + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.removed == ["EXIF (GPS, MakerNote, thumbnail)"])
        #expect(result.orientation == 2)
        #expect(result.bytes == [0xFF, 0xD8] + S.minimalExif(2) + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi)
    }

    @Test func invalidOrMissingOrientationBecomesOne() throws {
        for exif in [S.exifAPP1(bigEndian: true, orientation: 9), S.exifAPP1(bigEndian: true, orientation: 0),
                     S.exifAPP1(bigEndian: false, orientation: nil),
                     S.segment(0xE1, MediaBytes.ascii("Exif\0\0") + [0x4D, 0x4D, 0, 42, 0xFF, 0xFF, 0xFF, 0xF0])]
        {
            let input = [0xFF, 0xD8] + exif + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi
            let result = try ImageSanitizer.sanitize(input)
            #expect(result.orientation == 1)
            #expect(!MediaBytes.contains(result.bytes, "Exif"))
        }
    }

    @Test func fillBytesBeforeMarkersAreTolerated() throws {
        let input: [UInt8] = [0xFF, 0xD8, 0xFF, 0xFF, 0xFF] + Array(S.sof0(width: 3, height: 2).dropFirst())
            + [0xFF, 0xFF] + S.sos + S.scanData + [0xFF, 0xFF, 0xFF, 0xD9]
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.width == 3 && result.height == 2)
        #expect(result.bytes == [0xFF, 0xD8] + S.sof0(width: 3, height: 2) + S.sos + S.scanData + S.eoi)
    }

    @Test func jfifThumbnailAndJFXXAreDropped() throws {
        let thumbnailJFIF = S.segment(0xE0, MediaBytes.ascii("JFIF\0") + [1, 2, 1, 0, 72, 0, 72, 2, 1] + [UInt8](repeating: 0x7F, count: 6))
        let jfxx = S.segment(0xE0, MediaBytes.ascii("JFXX\0") + [0x13, 1, 1, 0xAB])
        let input = [0xFF, 0xD8] + thumbnailJFIF + jfxx + S.exifAPP1(bigEndian: true, orientation: 6)
            + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi
        let result = try ImageSanitizer.sanitize(input)
        let cleanJFIF = S.segment(0xE0, MediaBytes.ascii("JFIF\0") + [1, 2, 1, 0, 72, 0, 72, 0, 0])
        #expect(result.bytes == [0xFF, 0xD8] + cleanJFIF + S.minimalExif(6) + S.sof0(width: 8, height: 8) + S.sos + S.scanData + S.eoi)
        #expect(result.removed == ["JFIF thumbnail", "JFXX thumbnail", "EXIF (GPS, thumbnail)"])
    }

    @Test func runsWithoutSOFOrWithZeroSizeAreRejected() throws {
        let noSOF = [0xFF, 0xD8] + S.dqt + S.sos + S.scanData + S.eoi
        #expect(throws: ImageError.malformed("SOS before SOF")) { try ImageSanitizer.sanitize(noSOF) }
        let zeroHeight = [0xFF, 0xD8] + S.sof0(width: 10, height: 0) + S.sos + S.scanData + S.eoi
        #expect(throws: ImageError.malformed("SOF declares 10x0 pixels")) { try ImageSanitizer.sanitize(zeroHeight) }
        let noScan = [0xFF, 0xD8] + S.sof0(width: 10, height: 10) + S.eoi
        #expect(throws: ImageError.malformed("no SOS segment")) { try ImageSanitizer.sanitize(noScan) }
        let onlyMarkers: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
        #expect(throws: ImageError.malformed("no SOF segment")) { try ImageSanitizer.sanitize(onlyMarkers) }
        let twoFrames = [0xFF, 0xD8] + S.sof0(width: 10, height: 10) + S.sof0(width: 10, height: 10) + S.sos + S.scanData + S.eoi
        #expect(throws: ImageError.malformed("more than one SOF segment")) { try ImageSanitizer.sanitize(twoFrames) }
    }

    @Test func badSegmentLengthsAreRejected() throws {
        let pastEnd: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF] + MediaBytes.ascii("Exif\0\0MM")
        #expect(throws: ImageError.truncated) { try ImageSanitizer.sanitize(pastEnd) }
        let tooShort: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xD9]
        #expect(throws: ImageError.malformed("segment length 1 at offset 4")) { try ImageSanitizer.sanitize(tooShort) }
        let zeroLength: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x00, 0xFF, 0xD9]
        #expect(throws: ImageError.malformed("segment length 0 at offset 4")) { try ImageSanitizer.sanitize(zeroLength) }
        let badSOS = [0xFF, 0xD8] + S.sof0(width: 8, height: 8) + S.segment(0xDA, [3, 1, 0]) + S.scanData + S.eoi
        #expect(throws: ImageError.malformed("SOS segment length")) { try ImageSanitizer.sanitize(badSOS) }
        let garbage = [0xFF, 0xD8] + S.sof0(width: 8, height: 8) + [0x00, 0x12] + S.sos + S.scanData + S.eoi
        #expect(throws: ImageError.malformed("expected a marker at offset 15")) { try ImageSanitizer.sanitize(garbage) }
    }

    @Test func missingEOIIsTruncation() throws {
        let input = [0xFF, 0xD8] + S.sof0(width: 8, height: 8) + S.sos + S.scanData
        #expect(throws: ImageError.truncated) { try ImageSanitizer.sanitize(input) }
        let fillAtEnd = input + [0xFF, 0xFF, 0xFF]
        #expect(throws: ImageError.truncated) { try ImageSanitizer.sanitize(fillAtEnd) }
    }

    @Test func hugeDimensionsAreRejectedBeforeTheScan() throws {
        // No scan data at all: the limit must trigger on the SOF alone.
        let input = [0xFF, 0xD8] + S.sof0(width: 65535, height: 65535)
        #expect(throws: ImageError.tooManyPixels(width: 65535, height: 65535)) { try ImageSanitizer.sanitize(input) }
        let small = [0xFF, 0xD8] + S.sof0(width: 11, height: 10) + S.sos + S.scanData + S.eoi
        #expect(throws: ImageError.tooManyPixels(width: 11, height: 10)) { try ImageSanitizer.sanitize(small, maxPixels: 100) }
        #expect(try ImageSanitizer.sanitize(small, maxPixels: 110).width == 11)
    }
}
