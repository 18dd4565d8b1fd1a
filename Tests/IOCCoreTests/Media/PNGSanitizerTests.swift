import Foundation
import Testing
import IOCCore

struct PNGSanitizerTests {
    typealias S = MediaSynthetic

    // MARK: Real files (ImageMagick + exiftool)

    @Test func textAndExifChunksAreDropped() throws {
        let input = try MediaFixtures.bytes("text-exif.png")
        for marker in ["tEXt", "iTXt", "eXIf", "tIME", "Nguyen Van Secretname", "SecretPhoneMaker", "secret comment text"] {
            #expect(MediaBytes.contains(input, marker), "fixture lacks \(marker)")
        }
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.format == .png)
        #expect(result.width == 48 && result.height == 32)
        #expect(result.orientation == 8)  // read from eXIf, not written back
        #expect(mediaPNGChunkNames(result.bytes) == ["IHDR", "iCCP", "cHRM", "bKGD", "IDAT", "IEND"])
        #expect(result.removed == ["tIME", "tEXt", "iTXt", "eXIf"])
        for marker in ["tEXt", "iTXt", "zTXt", "eXIf", "tIME", "Nguyen", "SecretPhoneMaker", "secret", "Exif", "MM\0*"] {
            #expect(!MediaBytes.contains(result.bytes, marker), "output still contains \(marker)")
        }
    }

    @Test func paletteAndTransparencyAreKept() throws {
        let input = try MediaFixtures.bytes("palette-trns.png")
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.width == 80 && result.height == 48)
        #expect(result.orientation == 1)
        #expect(mediaPNGChunkNames(result.bytes) == ["IHDR", "gAMA", "cHRM", "PLTE", "tRNS", "IDAT", "IEND"])
        #expect(!MediaBytes.contains(result.bytes, "secret comment text"))
    }

    @Test(arguments: MediaFixtures.pngs)
    func sanitizedPNGDecodesToTheSamePixels(name: String) throws {
        let input = try MediaFixtures.bytes(name)
        let result = try ImageSanitizer.sanitize(input)
        guard let before = try MediaExternalTools.decodeRGBA(input, extension: "png", strict: false),
              let after = try MediaExternalTools.decodeRGBA(result.bytes, extension: "png")
        else { return }
        #expect(before.count == result.width * result.height * 4)
        #expect(before == after)
    }

    // MARK: Synthetic structure

    static let idat = S.chunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01])
    static let iend = S.chunk("IEND", [])

    @Test func keepsDisplayChunksAndDropsTheRest() throws {
        let kept = [S.chunk("gAMA", MediaBytes.be32(45455)), S.chunk("sRGB", [0]), S.chunk("pHYs", [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]),
                    S.chunk("acTL", MediaBytes.be32(1) + MediaBytes.be32(0))]
        let dropped = [S.chunk("tEXt", MediaBytes.ascii("Author\0Nguyen")), S.chunk("zTXt", MediaBytes.ascii("Comment\0\0x")),
                       S.chunk("vpAg", [1, 2, 3])]
        let input = S.pngSignature + S.ihdr(width: 3, height: 2) + kept[0] + dropped[0] + kept[1] + kept[2]
            + dropped[1] + kept[3] + Self.idat + dropped[2] + Self.iend + MediaBytes.ascii("appended secret")
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.bytes == S.pngSignature + S.ihdr(width: 3, height: 2) + kept.flatMap { $0 } + Self.idat + Self.iend)
        #expect(result.removed == ["tEXt", "zTXt", "vpAg", "trailing data after IEND"])
        #expect(result.width == 3 && result.height == 2)
    }

    @Test func corruptedCRCIsRejected() throws {
        var input = try MediaFixtures.bytes("palette-trns.png")
        input[8 + 8 + 3] ^= 0x01  // a byte of IHDR's width
        #expect(throws: ImageError.malformed("CRC mismatch in IHDR chunk at offset 8")) { try ImageSanitizer.sanitize(input) }

        var text = S.pngSignature + S.ihdr(width: 3, height: 2) + S.chunk("tEXt", MediaBytes.ascii("a\0b")) + Self.idat + Self.iend
        text[33 + 8] ^= 0x20  // inside the tEXt data: dropped chunks are verified too
        #expect(throws: ImageError.malformed("CRC mismatch in tEXt chunk at offset 33")) { try ImageSanitizer.sanitize(text) }
    }

    @Test func structureErrors() throws {
        let ihdr = S.ihdr(width: 3, height: 2)
        func sanitize(_ chunks: [UInt8]) throws(ImageError) -> SanitizedImage {
            try ImageSanitizer.sanitize(S.pngSignature + chunks)
        }
        #expect(throws: ImageError.malformed("first chunk is gAMA, not IHDR")) {
            try sanitize(S.chunk("gAMA", MediaBytes.be32(45455)) + ihdr + Self.idat + Self.iend)
        }
        #expect(throws: ImageError.malformed("unknown critical chunk CgBI")) { try sanitize(ihdr + S.chunk("CgBI", [0, 0, 0, 0]) + Self.idat + Self.iend) }
        #expect(throws: ImageError.truncated) { try sanitize(ihdr + Self.idat) }
        #expect(throws: ImageError.malformed("no IDAT chunk")) { try sanitize(ihdr + Self.iend) }
        #expect(throws: ImageError.malformed("more than one IHDR chunk")) { try sanitize(ihdr + ihdr + Self.idat + Self.iend) }
        #expect(throws: ImageError.malformed("IHDR declares 0x2 pixels")) { try sanitize(S.ihdr(width: 0, height: 2) + Self.idat + Self.iend) }
        #expect(throws: ImageError.malformed("IHDR bit depth 3 for colour type 2")) {
            try sanitize(S.ihdr(width: 3, height: 2, bitDepth: 3) + Self.idat + Self.iend)
        }
        #expect(throws: ImageError.malformed("invalid chunk name at offset 37")) { try sanitize(ihdr + S.chunk("ID1T", []) + Self.iend) }
        #expect(throws: ImageError.malformed("IEND chunk with data")) { try sanitize(ihdr + Self.idat + S.chunk("IEND", [0])) }
        // A length over 2^31 - 1 and a length that runs past the end of the file.
        #expect(throws: ImageError.malformed("chunk length 4294967295 at offset 33")) {
            try sanitize(ihdr + [0xFF, 0xFF, 0xFF, 0xFF] + MediaBytes.ascii("IDAT") + [0, 0, 0, 0])
        }
        #expect(throws: ImageError.truncated) { try sanitize(ihdr + [0x00, 0x10, 0x00, 0x00] + MediaBytes.ascii("IDAT") + [0, 0, 0, 0]) }
    }

    @Test func hugeDimensionsAreRejected() throws {
        let input = S.pngSignature + S.ihdr(width: 65535, height: 65535) + Self.idat + Self.iend
        #expect(throws: ImageError.tooManyPixels(width: 65535, height: 65535)) { try ImageSanitizer.sanitize(input) }
        let widest = S.pngSignature + S.ihdr(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF) + Self.idat + Self.iend
        #expect(throws: ImageError.tooManyPixels(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF)) { try ImageSanitizer.sanitize(widest) }
        let justFits = S.pngSignature + S.ihdr(width: 1000, height: 40_000) + Self.idat + Self.iend
        #expect(try ImageSanitizer.sanitize(justFits).height == 40_000)
        #expect(throws: ImageError.tooManyPixels(width: 1000, height: 40_000)) { try ImageSanitizer.sanitize(justFits, maxPixels: 39_999_999) }
    }
}
