import Foundation
import Testing
import IOCCore

struct WebPSanitizerTests {
    typealias S = MediaSynthetic

    static func riffSize(_ file: [UInt8]) -> Int {
        Int(file[4]) | Int(file[5]) << 8 | Int(file[6]) << 16 | Int(file[7]) << 24
    }

    // MARK: Real files (cwebp, img2webp, webpmux)

    @Test(arguments: [
        ("lossy-alpha-meta.webp", 80, 48, ["VP8X", "ALPH", "VP8 "]),
        ("lossless-meta.webp", 96, 64, ["VP8X", "VP8L"]),
        ("animated-meta.webp", 80, 48, ["VP8X", "ANIM", "ANMF", "ANMF"]),
    ])
    func exifAndXMPAreDropped(name: String, width: Int, height: Int, chunks: [String]) throws {
        let input = try MediaFixtures.bytes(name)
        #expect(MediaBytes.contains(input, "EXIF") && MediaBytes.contains(input, "SecretPhoneMaker"), "fixture lacks EXIF")
        #expect(input[20] & 0x08 != 0, "fixture VP8X lacks the EXIF flag")

        let result = try ImageSanitizer.sanitize(input)
        #expect(result.format == .webp)
        #expect(result.width == width && result.height == height)
        #expect(result.orientation == 6)
        #expect(mediaWebPChunkNames(result.bytes) == chunks)
        #expect(Self.riffSize(result.bytes) == result.bytes.count - 8)
        #expect(result.bytes[20] & 0x0C == 0, "VP8X still announces EXIF/XMP")
        #expect(result.bytes[20] & ~0x0C == input[20] & ~0x0C, "other VP8X flags changed")
        for marker in ["EXIF", "XMP ", "SecretPhoneMaker", "SecretModelX9", "Nguyen", "http://ns.adobe.com", "adobe:ns:meta"] {
            #expect(!MediaBytes.contains(result.bytes, marker), "output still contains \(marker)")
        }
        #expect(result.removed.contains("EXIF"))
    }

    @Test func simpleLossyIsCopiedUnchanged() throws {
        let input = try MediaFixtures.bytes("simple-lossy.webp")
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.bytes == input)
        #expect(result.width == 80 && result.height == 48)
        #expect(result.removed.isEmpty)
        #expect(result.orientation == 1)
    }

    @Test(arguments: MediaFixtures.webps)
    func sanitizedWebPDecodesToTheSamePixels(name: String) throws {
        let input = try MediaFixtures.bytes(name)
        let result = try ImageSanitizer.sanitize(input)
        guard let before = try MediaExternalTools.decodeRGBA(input, extension: "webp", strict: false),
              let after = try MediaExternalTools.decodeRGBA(result.bytes, extension: "webp")
        else { return }
        #expect(before.count >= result.width * result.height * 4)
        #expect(before == after)
    }

    // MARK: Synthetic structure

    @Test func vp8lDimensionsAndMetadataWithoutVP8X() throws {
        let image = S.vp8l(width: 300, height: 7)
        let input = S.webp(image + S.riffChunk("EXIF", MediaBytes.ascii("MM\0*")) + S.riffChunk("ABCD", [1]))
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.bytes == S.webp(image))
        #expect(result.width == 300 && result.height == 7)
        #expect(result.removed == ["EXIF", "ABCD"])
    }

    @Test func vp8Dimensions() throws {
        let result = try ImageSanitizer.sanitize(S.webp(S.vp8(width: 0x4000 | 640, height: 0xC000 | 480)))
        #expect(result.width == 640 && result.height == 480)  // the top two bits are scaling, not size
    }

    @Test func animationFramesLoseUnknownChunks() throws {
        let frameHeader = MediaBytes.le24(0) + MediaBytes.le24(0) + MediaBytes.le24(9) + MediaBytes.le24(9) + MediaBytes.le24(100) + [0]
        let bitstream = S.vp8l(width: 10, height: 10)
        let dirtyFrame = S.riffChunk("ANMF", frameHeader + bitstream + S.riffChunk("XMP ", MediaBytes.ascii("<secret/>")))
        let cleanFrame = S.riffChunk("ANMF", frameHeader + bitstream)
        let anim = S.riffChunk("ANIM", [0, 0, 0, 0, 0, 0])
        let exifTIFF = MediaSynthetic.tiff(bigEndian: false, orientation: 5)
        let input = S.webp(S.vp8x(flags: 0x02 | 0x08 | 0x04 | 0x10, width: 10, height: 10) + anim + dirtyFrame + cleanFrame
            + S.riffChunk("EXIF", MediaBytes.ascii("Exif\0\0") + exifTIFF) + S.riffChunk("XMP ", MediaBytes.ascii("<x/>")))
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.bytes == S.webp(S.vp8x(flags: 0x02 | 0x10, width: 10, height: 10) + anim + cleanFrame + cleanFrame))
        #expect(result.orientation == 5)  // EXIF chunk with an "Exif\0\0" prefix, as some writers produce
        #expect(result.removed == ["XMP (in ANMF)", "EXIF", "XMP"])
    }

    @Test func structureErrors() throws {
        let image = S.vp8l(width: 4, height: 4)
        #expect(throws: ImageError.malformed("first chunk is ALPH, not VP8/VP8L/VP8X")) {
            try ImageSanitizer.sanitize(S.webp(S.riffChunk("ALPH", [0]) + image))
        }
        #expect(throws: ImageError.malformed("no image data")) {
            try ImageSanitizer.sanitize(S.webp(S.vp8x(flags: 0, width: 4, height: 4) + S.riffChunk("ICCP", [1, 2])))
        }
        #expect(throws: ImageError.malformed("VP8L header")) { try ImageSanitizer.sanitize(S.webp(S.riffChunk("VP8L", [0x2E, 0, 0, 0, 0]))) }
        #expect(throws: ImageError.malformed("VP8 key frame header")) {
            try ImageSanitizer.sanitize(S.webp(S.riffChunk("VP8 ", [0x50, 0x02, 0x00, 0x9D, 0x01, 0x2B, 1, 0, 1, 0])))
        }
        #expect(throws: ImageError.malformed("VP8X chunk is not first")) {
            try ImageSanitizer.sanitize(S.webp(image + S.vp8x(flags: 0, width: 4, height: 4)))
        }
        #expect(throws: ImageError.malformed("more than one image chunk")) { try ImageSanitizer.sanitize(S.webp(image + image)) }
        #expect(throws: ImageError.malformed("RIFF size 4")) { try ImageSanitizer.sanitize(S.webp([], riffSize: 4)) }
        // A chunk claiming more bytes than the RIFF holds, inside a file that has them.
        let overlong = S.webp(MediaBytes.ascii("VP8L") + MediaBytes.le32(100) + [0x2F, 3, 0xC0, 0, 0], riffSize: 18) + [UInt8](repeating: 0, count: 100)
        #expect(throws: ImageError.malformed("chunk at offset 12 exceeds its container")) { try ImageSanitizer.sanitize(overlong) }
    }

    @Test func riffSizeLieIsTruncation() throws {
        let image = S.webp(S.vp8l(width: 4, height: 4))
        #expect(throws: ImageError.truncated) { try ImageSanitizer.sanitize(S.webp(S.vp8l(width: 4, height: 4), riffSize: 1000)) }
        // A RIFF size that stops early: the data after it is dropped and the size stays consistent.
        let appended = image + S.riffChunk("EXIF", MediaBytes.ascii("secret"))
        let result = try ImageSanitizer.sanitize(appended)
        #expect(result.bytes == image)
        #expect(result.removed == ["trailing data after RIFF"])
        // A chunk whose size runs past the end of the file.
        let cut = S.webp(MediaBytes.ascii("VP8L") + MediaBytes.le32(5000) + [0x2F, 3, 0xC0, 0, 0], riffSize: 5012)
        #expect(throws: ImageError.truncated) { try ImageSanitizer.sanitize(cut) }
    }

    @Test func hugeDimensionsAreRejected() throws {
        let canvas = S.webp(S.vp8x(flags: 0, width: 65535, height: 65535) + S.vp8l(width: 4, height: 4))
        #expect(throws: ImageError.tooManyPixels(width: 65535, height: 65535)) { try ImageSanitizer.sanitize(canvas) }
        // A small canvas does not hide a huge bitstream.
        let bitstream = S.webp(S.vp8x(flags: 0, width: 4, height: 4) + S.vp8l(width: 16384, height: 16384))
        #expect(throws: ImageError.tooManyPixels(width: 16384, height: 16384)) { try ImageSanitizer.sanitize(bitstream) }
        let vp8 = S.webp(S.vp8(width: 16383, height: 16383))
        #expect(throws: ImageError.tooManyPixels(width: 16383, height: 16383)) { try ImageSanitizer.sanitize(vp8) }
    }
}
