import Foundation
import Testing
import IOCCore

/// Inputs that are not images, cut-off uploads and random corruption: every one must end in
/// an `ImageError` or a valid result, never a crash or a hang.
struct HostileInputTests {
    @Test func sniffUsesMagicBytesOnly() throws {
        #expect(ImageSanitizer.sniff(try MediaFixtures.bytes("plain.jpg")) == .jpeg)
        #expect(ImageSanitizer.sniff(try MediaFixtures.bytes("palette-trns.png")) == .png)
        #expect(ImageSanitizer.sniff(try MediaFixtures.bytes("simple-lossy.webp")) == .webp)
        #expect(ImageSanitizer.sniff([]) == nil)
        #expect(ImageSanitizer.sniff([0xFF, 0xD8]) == nil)
        #expect(ImageSanitizer.sniff(MediaBytes.ascii("RIFF\u{4}\0\0\0WAVE")) == nil)
        #expect(ImageSanitizer.sniff(Array(MediaSynthetic.pngSignature.dropLast())) == nil)
    }

    @Test func formatNames() {
        #expect(ImageFormat.jpeg.mimeType == "image/jpeg" && ImageFormat.jpeg.fileExtension == "jpg")
        #expect(ImageFormat.png.mimeType == "image/png" && ImageFormat.png.fileExtension == "png")
        #expect(ImageFormat.webp.mimeType == "image/webp" && ImageFormat.webp.fileExtension == "webp")
    }

    @Test(arguments: [
        [],
        Array("GIF89a\u{1}\0\u{1}\0\0\0\0;".utf8),
        Array("Hello, this is a text file named photo.jpg\n".utf8),
        Array("%PDF-1.7\n".utf8),
        [0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63],  // HEIC "ftypheic"
        [0xFF, 0xD8],
    ] as [[UInt8]])
    func nonImagesAreRejected(bytes: [UInt8]) {
        #expect(throws: ImageError.notAnImage) { try ImageSanitizer.sanitize(bytes) }
    }

    @Test(arguments: MediaFixtures.all)
    func everyTruncationThrows(name: String) throws {
        let input = try MediaFixtures.bytes(name)
        _ = try ImageSanitizer.sanitize(input)  // the whole file is fine
        for length in stride(from: 0, to: input.count, by: 37) {
            let prefix = Array(input[0..<length])
            do {
                let result = try ImageSanitizer.sanitize(prefix)
                Issue.record("\(name) cut at \(length) bytes was accepted (\(result.width)x\(result.height))")
            } catch {
                // Below 12 bytes the magic may be incomplete; from there on it is a cut-off file.
                if length >= 12 {
                    #expect(error == .truncated, "\(name) cut at \(length)")
                }
            }
        }
    }

    @Test(arguments: MediaFixtures.all)
    func randomCorruptionNeverCrashes(name: String) throws {
        let input = try MediaFixtures.bytes(name)
        var random = MediaSplitMix64(seed: UInt64(name.utf8.count) &* 0x9E37_79B9)
        var accepted = 0
        for _ in 0..<300 {
            var mutated = input
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(mutated.count))
                switch random.next() % 3 {
                case 0: mutated[index] = UInt8(truncatingIfNeeded: random.next())
                case 1: mutated[index] = 0xFF
                default: mutated[index] ^= 0x80
                }
            }
            if let result = try? ImageSanitizer.sanitize(mutated) {
                accepted += 1
                // Whatever is accepted must itself be stable under a second pass.
                let again = try ImageSanitizer.sanitize(result.bytes)
                #expect(again.bytes == result.bytes)
            }
        }
        print("\(name): \(accepted) of 300 corrupted copies still parse")
    }

    @Test(arguments: MediaFixtures.all)
    func sanitizingIsIdempotent(name: String) throws {
        let first = try ImageSanitizer.sanitize(MediaFixtures.bytes(name))
        let second = try ImageSanitizer.sanitize(first.bytes)
        #expect(second.bytes == first.bytes)
        #expect(second.removed.isEmpty)
        #expect(second.width == first.width && second.height == first.height)
        // JPEG keeps the orientation in its minimal EXIF; PNG and WebP carry none afterwards.
        #expect(second.orientation == (first.format == .jpeg ? first.orientation : 1))
    }

    @Test func largeEntropySegmentWithManyMarkers() throws {
        // 1 MB of 0xFF 0x00 pairs and restart markers: worst case for the scan walker.
        var scan: [UInt8] = []
        scan.reserveCapacity(1 << 20)
        for index in 0..<(1 << 18) {
            scan += index % 64 == 63 ? [0xFF, 0xD0 + UInt8(index / 64 % 8)] : [0xFF, 0x00]
        }
        let S = MediaSynthetic.self
        let input = [0xFF, 0xD8] + S.sof0(width: 4000, height: 3000) + S.sos + scan + S.eoi
        let result = try ImageSanitizer.sanitize(input)
        #expect(result.bytes == input)
        #expect(throws: ImageError.truncated) { try ImageSanitizer.sanitize(Array(input.dropLast(2))) }
    }
}

/// Small deterministic generator for the corruption test.
struct MediaSplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
