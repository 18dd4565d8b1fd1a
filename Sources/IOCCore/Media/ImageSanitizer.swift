// Metadata stripping for citizen-uploaded photos.
//
// The sanitizer never decodes pixels. It validates the container structure of
// JPEG, PNG and WebP files, copies the parts needed to display the image
// verbatim, and drops everything that can identify a person or a device
// (EXIF incl. GPS, XMP, IPTC/Photoshop, comments, maker notes, thumbnails,
// text chunks, trailing data after the end of the image).

/// An image container format accepted for upload.
public enum ImageFormat: String, Sendable, Hashable, Codable {
    case jpeg
    case png
    case webp

    /// The IANA media type, e.g. `image/jpeg`.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        }
    }

    /// The canonical file extension without the dot, e.g. `jpg`.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        }
    }
}

/// The result of ``ImageSanitizer/sanitize(_:maxPixels:)``.
public struct SanitizedImage: Sendable {
    /// The format detected from the magic bytes (the output has the same format).
    public var format: ImageFormat
    /// The cleaned file, ready to be stored.
    public var bytes: [UInt8]
    /// Pixel width as declared by the container (SOF, IHDR, VP8X canvas or VP8/VP8L header).
    public var width: Int
    /// Pixel height as declared by the container.
    public var height: Int
    /// The EXIF orientation (1...8) found in the input, 1 if there was none or it was invalid.
    ///
    /// For JPEG a value other than 1 is written back into the output as a minimal EXIF
    /// segment holding only this tag. PNG and WebP outputs carry no EXIF at all; there
    /// the caller may use this value to rotate on display.
    public var orientation: Int
    /// Human-readable list of what was removed, in order of first appearance and without
    /// duplicates, e.g. `["EXIF (GPS, thumbnail)", "XMP", "COM"]`. Empty if nothing was removed.
    public var removed: [String]

    /// Creates a sanitized image value.
    public init(format: ImageFormat, bytes: [UInt8], width: Int, height: Int, orientation: Int, removed: [String]) {
        self.format = format
        self.bytes = bytes
        self.width = width
        self.height = height
        self.orientation = orientation
        self.removed = removed
    }
}

/// Why an upload was rejected.
public enum ImageError: Error, Sendable, Equatable {
    /// The magic bytes are not those of a JPEG, PNG or WebP file.
    case notAnImage
    /// The structure ends early (cut-off upload, missing EOI/IEND, RIFF size beyond the data,
    /// a segment or chunk running past the end of the file).
    case truncated
    /// The structure is invalid; the message names the problem (for logs, not for end users).
    case malformed(String)
    /// The declared pixel count is over the allowed maximum (decompression-bomb guard).
    case tooManyPixels(width: Int, height: Int)
}

/// Validates uploaded image bytes and rewrites the container without identifying metadata.
public enum ImageSanitizer {
    /// Detects the format from the magic bytes only (file names and content types are never trusted).
    ///
    /// - JPEG: `FF D8 FF`
    /// - PNG: `89 50 4E 47 0D 0A 1A 0A`
    /// - WebP: `RIFF????WEBP`
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF {
            return .jpeg
        }
        if bytes.starts(with: PNGContainer.signature) {
            return .png
        }
        if bytes.count >= 12,
           bytes[0] == 0x52, bytes[1] == 0x49, bytes[2] == 0x46, bytes[3] == 0x46,   // "RIFF"
           bytes[8] == 0x57, bytes[9] == 0x45, bytes[10] == 0x42, bytes[11] == 0x50  // "WEBP"
        {
            return .webp
        }
        return nil
    }

    /// Checks that `bytes` really are a JPEG, PNG or WebP image and returns a copy of the
    /// file without identifying metadata, together with its pixel size.
    ///
    /// Pixels are never decoded or re-encoded: the image data is copied verbatim.
    ///
    /// - Parameters:
    ///   - bytes: The uploaded file.
    ///   - maxPixels: Largest accepted `width * height`. Larger images are rejected with
    ///     ``ImageError/tooManyPixels(width:height:)`` before any image data is looked at.
    /// - Throws: ``ImageError`` only.
    public static func sanitize(_ bytes: [UInt8], maxPixels: Int = 40_000_000) throws(ImageError) -> SanitizedImage {
        guard let format = sniff(bytes) else { throw .notAnImage }
        let limit = PixelLimit(maxPixels: maxPixels)
        switch format {
        case .jpeg: return try JPEGContainer.sanitize(bytes, limit: limit)
        case .png: return try PNGContainer.sanitize(bytes, limit: limit)
        case .webp: return try WebPContainer.sanitize(bytes, limit: limit)
        }
    }
}

/// The decompression-bomb guard shared by all formats.
struct PixelLimit {
    let maxPixels: Int

    /// Throws unless `width * height` (computed without overflow) is within the limit.
    func check(width: Int, height: Int) throws(ImageError) {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || product > maxPixels {
            throw .tooManyPixels(width: width, height: height)
        }
    }
}
